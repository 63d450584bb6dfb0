// The Outbox (unsent answers, marking them sent, the sync state) on the
// kiosk's SQLite file. Used by tenpoint-sync in its own process; SQLite's
// locking and WAL keep it safe beside the kiosk's writes.
#pragma once
#include <memory>

#include "outbox.h"
#include "sqlite_database.h"

namespace tp {

class SqliteOutbox final : public Outbox {
 public:
  explicit SqliteOutbox(SqliteDatabase& db);
  ~SqliteOutbox() override;

  Result<std::vector<StoredAnswer>> unsent(int limit, std::int64_t after_seq) override;
  Status mark_sent(const std::vector<std::int64_t>& seqs, std::int64_t sent_at) override;
  Result<OutboxState> state() override;
  Status record_sync_attempt(const std::string& server, std::int64_t at, const std::string& error) override;

 private:
  struct Impl;
  Status ready();
  SqliteDatabase& db_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tp
