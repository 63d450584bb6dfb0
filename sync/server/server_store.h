// What the central server keeps, behind an interface so that a PostgreSQL
// backend can follow without touching the HTTP handlers.
//
// Every method reports a storage failure as a failed Status or Result, kept
// apart from the answers a working store gives ("no such code", "no such
// token"). The API turns a failure into 503 with Retry-After, never into a
// refusal that would make a kiosk give up its enrolment.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "secrets.h"
#include "status.h"
#include "wire.h"

namespace tp::server {

struct Device {
  std::string id;
  std::string venue;
  bool revoked = false;
};

struct DeviceStatus {
  std::string id, venue, name;
  bool revoked = false;
  std::optional<std::int64_t> last_contact;
  std::string app_version, set_id;
  int set_version = 0;
  std::int64_t answers_waiting = 0;
  std::optional<std::int64_t> oldest_unsent_age_s;
  std::int64_t free_disk_bytes = -1;
  bool clock_trusted = false;
  std::int64_t answers_received = 0;
  std::int64_t quarantined = 0;
};

struct CountRow {
  std::string venue, device, question;
  std::int64_t answers = 0;
};

struct EnrolOutcome {
  // revoked_token: the token was enrolled before and its device revoked.
  // revoked_code: `revoke-code` withdrew the code before anyone used it.
  enum Kind { enrolled, unknown_code, used_code, expired_code, revoked_token, revoked_code } kind = unknown_code;
  std::string venue;
  std::string device_id;  // the new device, or the one this token enrolled before
};

// How well group commit is grouping, for /metrics.
struct IngestStats {
  std::uint64_t commits = 0;     // group transactions that stored something
  std::uint64_t batches = 0;     // batches stored by them
  std::uint64_t heartbeats = 0;  // heartbeats recorded by them
};

class ServerStore {
 public:
  virtual ~ServerStore() = default;
  virtual IngestStats ingest_stats() const { return {}; }
  // The check value of the key enrolment-code hashes are made with
  // (code_key_file.h); nullopt while none is recorded.
  virtual Result<std::optional<std::string>> code_key_check() = 0;
  // Records `check` unless a check value is recorded already, atomically;
  // returns the one recorded (the first to arrive wins, across servers).
  virtual Result<std::string> record_code_key_check(const std::string& check) = 0;
  // A new one-time code for a venue (created if new); the store keeps only
  // its keyed hash (CodeKey::code_hash).
  virtual Status add_enrol_code(const std::string& venue, const std::string& keyed_code_hash, std::int64_t expires_at) = 0;
  // Withdraws a code nobody has used yet (it was lost, or given out by mistake).
  // false: no unused, unrevoked code has those hashes.
  virtual Result<bool> revoke_enrol_code(const CodeHashes& code, std::int64_t now) = 0;
  // Uses up a code and creates the device with the hash of its token, atomically.
  // A code is found by its keyed hash, or by its unkeyed one if it was made
  // before code hashes were keyed. A token already enrolled, shown with any
  // known code, gets its own device back without using the code (its first
  // reply was lost), or revoked_token.
  virtual Result<EnrolOutcome> enrol(const CodeHashes& code, const std::string& device_id, const std::string& token_hash,
                                     const std::string& kiosk_name, std::int64_t now) = 0;
  // nullopt: no device holds this token.
  virtual Result<std::optional<Device>> device_by_token(const std::string& token_hash) = 0;
  // All or nothing for the batch: new answers stored, identical ones
  // counted, conflicting ones quarantined. Returns only once the batch is
  // durable. Batches arriving together may share one transaction (and one
  // fsync); each still succeeds or fails whole.
  virtual Result<wire::BatchReply> ingest(const std::string& device_id, const wire::Batch& batch, std::int64_t now) = 0;
  virtual Status heartbeat(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now) = 0;
  // false: no active device with that id.
  virtual Result<bool> revoke(const std::string& device_id, std::int64_t now) = 0;
  virtual Result<std::vector<DeviceStatus>> devices() = 0;
  virtual Result<std::vector<CountRow>> answer_counts() = 0;
};

}  // namespace tp::server
