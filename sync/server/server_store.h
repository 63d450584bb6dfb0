// What the central server keeps, behind an interface so that a PostgreSQL
// backend can follow without touching the HTTP handlers.
//
// Every method reports a storage failure as a failed Status or Result, kept
// apart from the answers a working store gives ("no such code", "no such
// token"). The API turns a failure into 503 with Retry-After, never into a
// refusal that would make a kiosk give up its enrolment.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "secrets.h"
#include "status.h"
#include "wire.h"

namespace tp::server {

struct Device {
  std::string id;
  std::string venue;
  bool revoked = false;
  bool has_device_key = false;  // register_device_key() has given it one
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
  bool has_device_key = false;              // its USB bundles can be imported
  std::optional<std::int64_t> usb_seen_at;  // the last import of one of its USB bundles
};

// What register_device_key() did.
enum class KeyRegistration {
  registered,  // the device had none: it has this one now
  already,     // the device holds this very key
  conflict,    // the device holds another key, or another device holds this one: nothing changed
  no_device,   // no device with that id
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
  std::uint64_t waiting = 0;     // now: batches and heartbeats taken and not yet answered
  // SQLite only (wal_checkpointer.h): checkpoints run beside the commits, and
  // those the committing thread finished; the WAL's pages after the last commit.
  bool has_wal = false;
  std::uint64_t checkpoints_background = 0, checkpoints_finished = 0;
  std::int64_t wal_frames = 0;
};

// ---- Question sets (the rules are in question_set_versions.h) ----
struct SetVersionInfo {
  std::string set_id;
  int version = 0;
  bool published = false;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> published_at;
  int rolled_back_from = 0;  // a rollback: the version whose content it published again; 0 otherwise
};

// The outcome of a change an admin asked for; `done` or why not.
struct SetChange {
  enum Kind {
    done,
    no_such_set,         // no version of this set id at all
    nothing_to_publish,  // publish: the latest version is published already
    no_such_version,     // rollback: no such version of the set
    not_published,       // rollback: that version was never published
    draft_pending,       // rollback: the latest version is a draft (`version` names it)
  } kind = done;
  int version = 0;  // done: the version made or published
};

// [starts_at, ends_at) in unix seconds for a dated assignment; neither for
// the venue's standing one.
struct SetAssignment {
  std::string venue, set_id;
  std::optional<std::int64_t> starts_at, ends_at;
};

// A signed question set (.tpset) made for a venue.
struct SetDelivery {
  std::int64_t serial = 0;
  std::string set_id;
  int version = 0;
  std::string signed_file;
};
// Signs a set's bytes under a serial (sign_set with the server's key).
using SetSigner = std::function<Result<std::string>(std::string_view set_bytes, std::int64_t serial)>;

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
  // ingest() and heartbeat() without holding the caller's thread: `done`
  // gets what they would return, exactly once, on a thread of the store's
  // choosing (keep it short: it may hold up the next commit), and only once
  // the change is durable or has failed. The store keeps the batch until
  // then. By default the synchronous call runs on the caller's thread.
  using IngestDone = std::function<void(Result<wire::BatchReply>)>;
  using HeartbeatDone = std::function<void(Status)>;
  virtual void ingest_async(std::string device_id, wire::Batch batch, std::int64_t now, IngestDone done) {
    done(ingest(device_id, batch, now));
  }
  virtual void heartbeat_async(std::string device_id, wire::Heartbeat hb, std::int64_t now, HeartbeatDone done) {
    done(heartbeat(device_id, hb, now));
  }
  // false: no active device with that id.
  virtual Result<bool> revoke(const std::string& device_id, std::int64_t now) = 0;
  virtual Result<std::vector<DeviceStatus>> devices() = 0;

  // A kiosk's Ed25519 public key (base64), under which its USB bundles are
  // trusted (bundle.h). Set once: a device's key never changes, and no two
  // devices share one.
  virtual Result<KeyRegistration> register_device_key(const std::string& device_id, const std::string& public_key) = 0;
  // nullopt: no device holds this key.
  virtual Result<std::optional<Device>> device_by_key(const std::string& public_key) = 0;
  // A USB bundle of the device's was imported (DeviceStatus::usb_seen_at).
  virtual Status record_usb_import(const std::string& device_id, std::int64_t now) = 0;
  virtual Result<std::vector<CountRow>> answer_counts() = 0;

  // ---- Question sets ----
  // The public key (base64) question sets are signed with
  // (set_key_file.h); nullopt while none is recorded.
  virtual Result<std::optional<std::string>> set_key_check() = 0;
  // Records `public_key` unless one is recorded already, atomically; returns
  // the one recorded (the first to arrive wins, across servers).
  virtual Result<std::string> record_set_key_check(const std::string& public_key) = 0;
  // A draft of the set in `set_bytes` (which must pass parse_question_set;
  // Fault::invalid_input otherwise): it replaces the set's draft if its
  // latest version is one, else it is a new version. Stored with its
  // "version" set to its number (with_set_version).
  virtual Result<SetVersionInfo> add_set_draft(const std::string& set_bytes, std::int64_t now) = 0;
  // Publishes the set's latest version, a draft; from then on it never changes.
  virtual Result<SetChange> publish_set(const std::string& set_id, std::int64_t now) = 0;
  // Publishes the content of published version `to_version` again as a new version.
  virtual Result<SetChange> rollback_set(const std::string& set_id, int to_version, std::int64_t now) = 0;
  // Sets the venue's standing set (replacing the one before), or adds a
  // dated assignment. The venue is made if new; no_such_set if the set has
  // no version at all.
  virtual Result<SetChange> assign_set(const SetAssignment& assignment, std::int64_t now) = 0;
  // Every version of every set (without their bodies), by set id and version.
  virtual Result<std::vector<SetVersionInfo>> set_versions() = 0;
  // The stored bytes of one version; nullopt when there is no such version.
  virtual Result<std::optional<std::string>> set_body(const std::string& set_id, int version) = 0;
  // Every assignment, by venue, standing first, then by start.
  virtual Result<std::vector<SetAssignment>> set_assignments() = 0;
  // The signed set the venue should hold now: its last delivery, or a new
  // one made with `sign` under the next serial when its (set id, version)
  // has changed since (invariant 5 of question_set_versions.h). nullopt when
  // the venue has no published set.
  virtual Result<std::optional<SetDelivery>> set_delivery(const std::string& venue, std::int64_t now, const SetSigner& sign) = 0;
};

}  // namespace tp::server
