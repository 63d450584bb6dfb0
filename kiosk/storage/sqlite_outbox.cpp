#include "sqlite_outbox.h"

#include <algorithm>
#include <vector>

#include "sqlite_util.h"

namespace tp {

using namespace sql;

struct SqliteOutbox::Impl {
  Stmt unsent, mark, waiting, oldest;
};

SqliteOutbox::SqliteOutbox(SqliteDatabase& db) : db_(db) {}
SqliteOutbox::~SqliteOutbox() = default;

Status SqliteOutbox::ready() {
  if (impl_) return {};
  if (Status s = db_.open(); !s) return s;
  sqlite3* db = db_.handle();
  auto impl = std::make_unique<Impl>();
  impl->unsent = Stmt(db, (std::string("SELECT seq, ") + kAnswerColumns +
                           " FROM answers WHERE sent_at IS NULL AND closed = 1 AND seq > ?2 ORDER BY seq LIMIT ?1")
                              .c_str());
  // By runs of consecutive seqs: a batch is mostly one run, so one
  // statement marks it instead of one for each answer.
  impl->mark = Stmt(db, "UPDATE answers SET sent_at = ?3 WHERE seq BETWEEN ?1 AND ?2");
  impl->waiting = Stmt(db, "SELECT count(*) FROM answers WHERE sent_at IS NULL AND closed = 1");
  impl->oldest = Stmt(db, "SELECT recorded_at FROM answers WHERE sent_at IS NULL AND closed = 1 ORDER BY seq LIMIT 1");
  if (!impl->unsent || !impl->mark || !impl->waiting || !impl->oldest)
    return failure(db, sqlite3_errcode(db), "prepare statements", db_.path());
  impl_ = std::move(impl);
  return {};
}

Result<std::vector<StoredAnswer>> SqliteOutbox::unsent(int limit, std::int64_t after_seq) {
  if (Status s = ready(); !s) return s;
  sqlite3_stmt* s = impl_->unsent.get();
  sqlite3_bind_int(s, 1, limit);
  sqlite3_bind_int64(s, 2, after_seq);
  std::vector<StoredAnswer> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back({sqlite3_column_int64(s, 0), read_answer(s, 1)});
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return failure(db_.handle(), rc, "read unsent answers", db_.path());
  return out;
}

Status SqliteOutbox::mark_sent(const std::vector<std::int64_t>& seqs, std::int64_t sent_at) {
  if (Status s = ready(); !s) return s;
  Transaction tx(db_.handle());
  int rc = tx.begin_rc();
  // Each run [first, last] holds only seqs of the list, whatever its order.
  std::vector<std::int64_t> sorted(seqs);
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; rc == SQLITE_OK && i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] <= sorted[j] + 1) ++j;  // a repeated seq stays in its run
    sqlite3_bind_int64(impl_->mark.get(), 1, sorted[i]);
    sqlite3_bind_int64(impl_->mark.get(), 2, sorted[j]);
    sqlite3_bind_int64(impl_->mark.get(), 3, sent_at);
    rc = run(impl_->mark.get());
    i = j + 1;
  }
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return failure(db_.handle(), rc, "mark answers as sent", db_.path());
  return {};
}

Result<OutboxState> SqliteOutbox::state() {
  if (Status s = ready(); !s) return s;
  OutboxState st;
  st.free_disk_bytes = free_disk_bytes(db_.path());
  sqlite3_stmt* w = impl_->waiting.get();
  int rc = sqlite3_step(w);
  if (rc == SQLITE_ROW) st.waiting = sqlite3_column_int64(w, 0);
  sqlite3_reset(w);
  if (rc != SQLITE_ROW) return failure(db_.handle(), rc, "count unsent answers", db_.path());
  sqlite3_stmt* o = impl_->oldest.get();
  rc = sqlite3_step(o);
  if (rc == SQLITE_ROW) st.oldest_recorded_at = sqlite3_column_int64(o, 0);
  sqlite3_reset(o);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failure(db_.handle(), rc, "find the oldest unsent answer", db_.path());
  return st;
}

Status SqliteOutbox::record_sync_attempt(const std::string& server, std::int64_t at, const std::string& error) {
  if (Status s = ready(); !s) return s;
  Stmt s(db_.handle(), error.empty()
                           ? "UPDATE sync_state SET server = ?1, last_attempt = ?2, last_success = ?2, last_error = '' WHERE id = 1"
                           : "UPDATE sync_state SET server = ?1, last_attempt = ?2, last_error = ?3 WHERE id = 1");
  bind_text(s.get(), 1, server);
  sqlite3_bind_int64(s.get(), 2, at);
  if (!error.empty()) bind_text(s.get(), 3, error);
  if (int rc = run(s.get()); rc != SQLITE_OK) return failure(db_.handle(), rc, "record the sync state", db_.path());
  return {};
}

}  // namespace tp
