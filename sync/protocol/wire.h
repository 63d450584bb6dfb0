// The wire format between tenpoint-sync and tenpoint-server (API v1).
// PROTOCOL.md beside this file documents every request, response and error.
//
// Decoding is strict and never throws: a malformed body gives a message
// that names the first offending field ("answers[3].score must be ...").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "answer.h"  // StoredAnswer: the data model lives in the core

namespace tp::wire {

constexpr std::size_t kMaxAnswersPerBatch = 5000;
constexpr std::size_t kMaxBodyBytes = 8 * 1024 * 1024;  // 8 MiB, after gzip is undone
constexpr std::size_t kMaxTextChars = 2000;

struct Batch {
  std::string batch_id;
  std::vector<StoredAnswer> answers;
};

struct BatchReply {
  std::string batch_id;
  std::int64_t received = 0;
  std::int64_t stored = 0;               // new to the server
  std::int64_t duplicates = 0;           // already held, identical: acknowledged again
  std::vector<std::string> quarantined;  // same id, different content: kept aside
};

struct ClockReport {
  bool trusted = false;
  std::int64_t unix_time = 0;
  std::string boot_id;
  std::int64_t monotonic_ms = 0;
};

struct Heartbeat {
  std::string app_version;
  std::string set_id;
  int set_version = 0;
  std::int64_t answers_waiting = 0;
  std::optional<std::int64_t> oldest_unsent_age_s;
  std::int64_t free_disk_bytes = -1;
  ClockReport clock;
  // Base64 of the kiosk's Ed25519 public key (device_key.h), for a kiosk
  // enrolled before it had one; the server keeps the first it is sent.
  // Empty: left out.
  std::string device_key = {};
};

// The kiosk makes its own token and sends it once; the server keeps only its
// hash. A retried enrolment (the reply was lost) presents the same token and
// gets the same device back, so a lost reply never wastes the one-time code.
struct EnrolRequest {
  std::string code;
  std::string kiosk_name;
  std::string token;
  // Base64 of the kiosk's Ed25519 public key: the server trusts the kiosk's
  // USB bundles (bundle.h) under it. Empty: left out (an older kiosk).
  std::string device_key = {};
};

// The base64 of a 32-byte Ed25519 public key (44 characters).
bool is_public_key_base64(std::string_view text);

struct EnrolReply {
  std::string device_id;
  std::string venue;
  // Base64 of the Ed25519 public key the server signs question sets with;
  // empty from a server that signs none (the member is then left out).
  std::string set_key = {};
};

std::string encode(const Batch& b);
std::string encode(const BatchReply& r);
std::string encode(const Heartbeat& h);
std::string encode(const EnrolRequest& e);
std::string encode(const EnrolReply& e);
std::string error_body(std::string_view code, std::string_view message);

// Each returns the value, or a message saying what is wrong.
std::variant<Batch, std::string> decode_batch(std::string_view body);
std::variant<BatchReply, std::string> decode_batch_reply(std::string_view body);
std::variant<Heartbeat, std::string> decode_heartbeat(std::string_view body);
std::variant<EnrolRequest, std::string> decode_enrol_request(std::string_view body);
std::variant<EnrolReply, std::string> decode_enrol_reply(std::string_view body);
// The "message" of an error body, or the body itself when it is not one.
std::string error_message(std::string_view body);

}  // namespace tp::wire
