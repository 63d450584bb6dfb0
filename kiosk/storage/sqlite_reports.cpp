#include "sqlite_reports.h"

#include "sqlite_util.h"

namespace tp {

using namespace sql;

Result<StoreCounts> SqliteReports::counts(std::int64_t day_start_unix) {
  if (Status s = db_.open(); !s) return s;
  sqlite3* db = db_.handle();
  StoreCounts c;
  c.free_disk_bytes = free_disk_bytes(db_.path());
  c.database_bytes = db_.size_bytes();
  // One read transaction, so the numbers agree with each other.
  Transaction tx(db, "BEGIN");
  Stmt s(db,
         "SELECT count(*), count(*) FILTER (WHERE recorded_at >= ?1), count(*) FILTER (WHERE sent_at IS NULL AND closed = 1), "
         "(SELECT recorded_at FROM answers WHERE sent_at IS NULL AND closed = 1 ORDER BY seq LIMIT 1) FROM answers");
  Stmt sync(db, "SELECT server, last_attempt, last_success, last_error FROM sync_state WHERE id = 1");
  if (!tx.ok() || !s || !sync) return failure(db, sqlite3_errcode(db), "read the answer counts", db_.path());
  sqlite3_bind_int64(s.get(), 1, day_start_unix);
  int rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) return failure(db, rc, "read the answer counts", db_.path());
  c.answers_total = sqlite3_column_int64(s.get(), 0);
  c.answers_today = sqlite3_column_int64(s.get(), 1);
  c.answers_unsent = sqlite3_column_int64(s.get(), 2);
  if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL) c.oldest_unsent_recorded_at = sqlite3_column_int64(s.get(), 3);
  rc = sqlite3_step(sync.get());
  if (rc != SQLITE_ROW) return failure(db, rc, "read the sync state", db_.path());
  c.sync.server = column_text(sync.get(), 0);
  if (sqlite3_column_type(sync.get(), 1) != SQLITE_NULL) c.sync.last_attempt = sqlite3_column_int64(sync.get(), 1);
  if (sqlite3_column_type(sync.get(), 2) != SQLITE_NULL) c.sync.last_success = sqlite3_column_int64(sync.get(), 2);
  c.sync.last_error = column_text(sync.get(), 3);
  return c;
}

Result<std::vector<DayRow>> SqliteReports::answers_by_question_and_day() {
  if (Status s = db_.open(); !s) return s;
  sqlite3* db = db_.handle();
  Stmt s(db,
         "SELECT question_id, date(recorded_at, 'unixepoch', 'localtime') AS day, count(*), avg(score), count(text) "
         "FROM answers GROUP BY question_id, day ORDER BY day, question_id");
  if (!s) return failure(db, sqlite3_errcode(db), "read answers by day", db_.path());
  std::vector<DayRow> rows;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    DayRow r;
    r.question_id = column_text(s.get(), 0);
    r.day = column_text(s.get(), 1);
    r.answers = sqlite3_column_int64(s.get(), 2);
    if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL) r.mean_score = sqlite3_column_double(s.get(), 3);
    r.texts = sqlite3_column_int64(s.get(), 4);
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return failure(db, rc, "read answers by day", db_.path());
  return rows;
}

}  // namespace tp
