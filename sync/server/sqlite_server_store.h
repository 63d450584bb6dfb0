// The server's embedded database: one SQLite file in --data DIR.
//
// Invariants:
//   1. An answer id is stored once. A resend with the same content is
//      counted as a duplicate; different content is kept in `quarantine`
//      and never overwrites the first.
//   2. A batch commits whole or not at all, before its caller hears of it.
//      The caller that finds no commit under way leads: it stores all that
//      is queued in one transaction (group commit: one fsync for many
//      kiosks), and repeats until nothing is queued. Callers that arrive
//      meanwhile queue and return (ingest_async), so a group is as large as
//      what arrived, not as the number of threads; the leader answers them
//      once their transaction is durable. Each batch runs inside its own savepoint,
//      so one failing batch rolls back alone. Heartbeats join the same
//      transactions: each changes its device's row on every round, and
//      alone would cost a commit and an fsync each.
//   3. Only hashes of tokens and enrolment codes are stored; code hashes
//      are keyed (secrets.h), except those of codes made before schema 3,
//      which are marked hash_kind 'unkeyed' and found by their plain hash.
//   4. The schema version is PRAGMA user_version; migrations only go forward,
//      in one transaction that re-reads the version inside it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "server_store.h"
#include "wal_checkpointer.h"

namespace tp::server {

// Group commit's bounds: the answers one transaction takes (the rest wait
// for the next; a single larger batch goes alone), and the memory batches
// may hold while they wait; past it a batch is refused at once as a storage
// failure (503, try later).
struct GroupCommitLimits {
  static constexpr std::size_t kMaxGroupAnswers = 20'000;
  static constexpr std::size_t kMaxQueuedBytes = 256 * 1024 * 1024;
  std::size_t max_group_answers = kMaxGroupAnswers;
  std::size_t max_queued_bytes = kMaxQueuedBytes;
};

class SqliteServerStore final : public ServerStore {
 public:
  // Throws std::runtime_error with a message naming the file on failure (start-up only).
  // How long a write waits for another process's lock (`status` and `stats`
  // read beside the server) before it fails as a storage failure.
  static constexpr int kBusyTimeoutMs = 5000;
  explicit SqliteServerStore(const std::string& path, int busy_timeout_ms = kBusyTimeoutMs, GroupCommitLimits limits = {},
                             CheckpointLimits checkpoints = {});
  ~SqliteServerStore() override;

  Result<std::optional<std::string>> code_key_check() override;
  Result<std::string> record_code_key_check(const std::string& check) override;
  Status add_enrol_code(const std::string& venue, const std::string& keyed_code_hash, std::int64_t expires_at) override;
  Result<bool> revoke_enrol_code(const CodeHashes& code, std::int64_t now) override;
  // The schema version this build writes (PRAGMA user_version).
  static constexpr int kSchemaVersion = 5;
  int schema_version() const;
  // Entry i takes the schema from version i to i+1 (tests build older files with them).
  static std::span<const char* const> migrations();
  Result<EnrolOutcome> enrol(const CodeHashes& code, const std::string& device_id, const std::string& token_hash,
                             const std::string& kiosk_name, std::int64_t now) override;
  Result<std::optional<Device>> device_by_token(const std::string& token_hash) override;
  Result<wire::BatchReply> ingest(const std::string& device_id, const wire::Batch& batch, std::int64_t now) override;
  IngestStats ingest_stats() const override;
  Status heartbeat(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now) override;
  void ingest_async(std::string device_id, wire::Batch batch, std::int64_t now, IngestDone done) override;
  void heartbeat_async(std::string device_id, wire::Heartbeat hb, std::int64_t now, HeartbeatDone done) override;
  Result<bool> revoke(const std::string& device_id, std::int64_t now) override;
  Result<std::vector<DeviceStatus>> devices() override;
  Result<KeyRegistration> register_device_key(const std::string& device_id, const std::string& public_key) override;
  Result<std::optional<Device>> device_by_key(const std::string& public_key) override;
  Status record_usb_import(const std::string& device_id, std::int64_t now) override;
  Result<std::vector<CountRow>> answer_counts() override;
  Result<std::optional<std::string>> set_key_check() override;
  Result<std::string> record_set_key_check(const std::string& public_key) override;
  Result<SetVersionInfo> add_set_draft(const std::string& set_bytes, std::int64_t now) override;
  Result<SetChange> publish_set(const std::string& set_id, std::int64_t now) override;
  Result<SetChange> rollback_set(const std::string& set_id, int to_version, std::int64_t now) override;
  Result<SetChange> assign_set(const SetAssignment& assignment, std::int64_t now) override;
  Result<std::vector<SetVersionInfo>> set_versions() override;
  Result<std::optional<std::string>> set_body(const std::string& set_id, int version) override;
  Result<std::vector<SetAssignment>> set_assignments() override;
  Result<std::optional<SetDelivery>> set_delivery(const std::string& venue, std::int64_t now, const SetSigner& sign) override;

 private:
  struct Impl;
  struct Pending;
  void submit(std::unique_ptr<Pending> p);
  void lead(std::unique_lock<std::mutex>& lock);  // queue_mutex_ held on entry and on return
  std::vector<std::unique_ptr<Pending>> take_group();
  void commit_group(std::vector<std::unique_ptr<Pending>>& group);
  Result<wire::BatchReply> ingest_one(const std::string& device_id, const wire::Batch& batch, std::int64_t now);
  Status heartbeat_one(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now);
  std::unique_ptr<Impl> impl_;
  mutable std::mutex mutex_;  // the connection and its statements are used by one thread at a time
  std::mutex reader_mutex_;   // the same for the reading connection
  // Group commit: what waits for the next transaction, and whether a
  // caller is committing now (it leads until the queue is empty).
  std::mutex queue_mutex_;
  std::condition_variable idle_;  // committing_ went false
  // Counted by each Pending until it is destroyed, so declared before queue_.
  std::atomic<std::uint64_t> waiting_{0};
  std::atomic<std::size_t> held_bytes_{0};  // what the waiting batches hold in memory, roughly
  std::vector<std::unique_ptr<Pending>> queue_;
  bool committing_ = false;
  GroupCommitLimits limits_;
  std::atomic<std::uint64_t> commits_{0}, batches_{0}, heartbeats_{0};
};

}  // namespace tp::server
