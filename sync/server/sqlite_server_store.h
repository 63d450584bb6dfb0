// The server's embedded database: one SQLite file in --data DIR.
//
// Invariants:
//   1. An answer id is stored once. A resend with the same content is
//      counted as a duplicate; different content is kept in `quarantine`
//      and never overwrites the first.
//   2. A batch commits whole or not at all, before the reply is sent.
//   3. Only hashes of tokens and enrolment codes are stored.
#pragma once
#include <memory>
#include <mutex>

#include "server_store.h"

namespace tp::server {

class SqliteServerStore final : public ServerStore {
 public:
  // Throws std::runtime_error with a message naming the file on failure (start-up only).
  explicit SqliteServerStore(const std::string& path);
  ~SqliteServerStore() override;

  Status add_enrol_code(const std::string& venue, const std::string& code_hash, std::int64_t expires_at) override;
  Result<EnrolOutcome> enrol(const std::string& code_hash, const std::string& device_id, const std::string& token_hash,
                             const std::string& kiosk_name, std::int64_t now) override;
  Result<std::optional<Device>> device_by_token(const std::string& token_hash) override;
  Result<wire::BatchReply> ingest(const std::string& device_id, const wire::Batch& batch, std::int64_t now) override;
  Status heartbeat(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now) override;
  Result<bool> revoke(const std::string& device_id, std::int64_t now) override;
  Result<std::vector<DeviceStatus>> devices() override;
  Result<std::vector<CountRow>> answer_counts() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::mutex mutex_;  // the connection and its statements are used by one thread at a time
};

}  // namespace tp::server
