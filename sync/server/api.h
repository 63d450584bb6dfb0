// The HTTP API's routes as plain functions: a request in, a response out.
// No sockets here, so every rule (auth, limits, idempotency) is testable
// without a network; http_server.cpp only moves bytes.
//
// A storage failure is always 503 with Retry-After: a kiosk keeps its
// enrolment and tries again. 401/403 mean only what they say (no such
// token, revoked, no such code), never "the database is down".
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rate_limiter.h"
#include "secrets.h"
#include "server_store.h"
#include "signed_set.h"

namespace tp::server {

struct ApiRequest {
  std::string body;
  std::string authorization;       // "Bearer <token>"
  std::string content_encoding;    // "" or "gzip"
  std::string remote;              // client address, for limits on enrolment
  std::string if_none_match = {};  // GET /question-set: the ETag the kiosk holds
  // For the admin web (admin_web.h): the request line and the Cookie field.
  std::string method = {}, target = {}, cookie = {};
};

struct ApiResponse {
  int status = 200;
  std::string body;
  int retry_after_s = 0;  // sent as Retry-After with 429 and 503
  // For the access log, never sent: the device the request came from, or
  // why it was refused ("unknown token", "code_used"). Never a token or code.
  std::string log_note;
  // Sent as ETag when set (GET /question-set: "\"<serial>\"").
  std::string etag = {};
  // The admin web's pages: their type (JSON when empty) and further fields
  // (Set-Cookie, Location, security headers), written as given.
  std::string content_type = {};
  std::vector<std::pair<std::string, std::string>> headers = {};
};

// A venue's signed read-back card file (readback.h), made by the admin web's
// store (readback_cards.h); the Api only serves it.
struct ReadbackFile {
  std::int64_t serial = 0;
  std::string signed_file;
};
using ReadbackSource = std::function<Result<std::optional<ReadbackFile>>(const std::string& venue, std::int64_t now)>;

struct ApiOptions {
  // A kiosk back from weeks offline sends its backlog batch after batch:
  // allow that, but not a runaway loop.
  double device_requests_per_s = 50;
  double device_burst = 200;
  double enrol_requests_per_s = 0.5;  // guessing codes is slow work
  double enrol_burst = 5;
};

class Api {
 public:
  // How long a kiosk is asked to wait after a storage failure.
  static constexpr int kStorageRetryAfterS = 30;

  using Clock = std::function<double()>;  // seconds since the epoch
  // `code_key`: what enrolment codes are hashed with (code_key_file.h).
  Api(ServerStore& store, CodeKey code_key, ApiOptions options, Clock clock);

  ApiResponse enrol(const ApiRequest& r);
  ApiResponse batches(const ApiRequest& r);
  ApiResponse heartbeat(const ApiRequest& r);
  // The same two without holding the caller's thread while the store
  // commits (ServerStore::ingest_async): `done` gets the reply exactly once,
  // at once for a refusal, else on the store's thread once the change is
  // durable or has failed. The request is read, and let go, before the
  // batch is queued. Out of memory, `done` may be dropped uncalled.
  using Reply = std::function<void(ApiResponse)>;
  void batches_async(ApiRequest r, Reply done);
  void heartbeat_async(ApiRequest r, Reply done);
  ApiResponse health() const;
  // GET /api/v1/question-set: the venue's signed set (200, with ETag), 304
  // when If-None-Match names its serial, 204 when the venue has none.
  ApiResponse question_set(const ApiRequest& r);
  // GET /api/v1/set-key: {"set_key": base64}, for kiosks enrolled before
  // enrolment replies carried it.
  ApiResponse set_key(const ApiRequest& r);

  // GET /api/v1/readback: the venue's signed read-back cards (200, with
  // ETag), 304 when If-None-Match names its serial, 204 when the venue has
  // never had a card.
  ApiResponse readback(const ApiRequest& r);
  void use_readback(ReadbackSource source) { readback_ = std::move(source); }

  // The key question sets are signed with (set_key_file.h). Without it the
  // two routes above answer 503 and enrolment replies carry no set_key.
  void use_set_signing_key(SetSigningKeys keys) { set_keys_ = std::move(keys); }

  // For /metrics: answers this process has stored as new, found already
  // held (a resent batch), or quarantined, counted from the store's replies.
  struct AnswerCounts {
    std::uint64_t stored = 0, duplicates = 0, quarantined = 0;
  };
  AnswerCounts answer_counts() const;
  IngestStats ingest_stats() const { return store_.ingest_stats(); }

 private:
  struct Auth {
    std::optional<Device> device;
    ApiResponse refusal;
  };
  Auth authenticate(const ApiRequest& r);
  // The device and the request's body text, or the refusal to send back.
  struct Checked {
    std::optional<Device> device;
    std::string body;
    ApiResponse refusal;
  };
  Checked check(const ApiRequest& r);
  std::optional<std::string> body_text(const ApiRequest& r, ApiResponse& refusal) const;
  // 503 with Retry-After for a storage failure. The details (file paths,
  // SQLite's words) go to the server's log, never to the client.
  ApiResponse unavailable(const Status& failure, const char* doing) const;

  ServerStore& store_;
  CodeKey code_key_;
  SetSigningKeys set_keys_;
  ReadbackSource readback_;
  Clock clock_;
  RateLimiter device_limits_, enrol_limits_;
  std::atomic<std::uint64_t> answers_stored_{0}, answers_duplicate_{0}, answers_quarantined_{0};
};

}  // namespace tp::server
