#include "sqlite_answer_archive.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <utility>

#include "sqlite_util.h"

namespace tp {

namespace {

// The kiosk holds its write lock for a commit of a millisecond or so; a
// reader in WAL mode does not wait for it at all, except while a checkpoint
// or the first open of the file runs.
constexpr int kBusyTimeoutMs = 5000;

struct Connection {
  sqlite3* db = nullptr;
  ~Connection() { sqlite3_close_v2(db); }
};

// Opens the file read-only and runs `body` inside one read transaction.
Status in_read_transaction(const std::string& path, const std::function<Status(sqlite3*)>& body) {
  // A missing file must not be created (SQLITE_OPEN_READONLY never creates),
  // and "no such file" reads better than SQLite's "unable to open".
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Status::failure(Fault::storage_unavailable, "Unable to read the answers in " + path + ": " + std::strerror(errno));
  Connection c;
  int rc = sqlite3_open_v2(path.c_str(), &c.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return sql::failure(c.db, rc, "read the answers", path);
  sqlite3_busy_timeout(c.db, kBusyTimeoutMs);
  // BEGIN (deferred) on a read-only connection: a read transaction, one snapshot.
  sql::Transaction read(c.db, "BEGIN");
  if (!read.ok()) return sql::failure(c.db, read.begin_rc(), "read the answers", path);
  if (Status s = body(c.db); !s) return s;
  read.commit();
  return {};
}

}  // namespace

Status SqliteAnswerArchive::read_answers(std::optional<std::int64_t> since, ArchiveReader& reader) {
  return in_read_transaction(path_, [&](sqlite3* db) -> Status {
    const std::int64_t from = since.value_or(INT64_MIN);
    auto failed = [&](int rc) { return sql::failure(db, rc, "read the answers", path_); };
    // The count walks the small index on recorded_at, not the table.
    sql::Stmt count(db, "SELECT count(*) FROM answers WHERE recorded_at >= ?1");
    if (!count) return failed(sqlite3_errcode(db));
    sqlite3_bind_int64(count.get(), 1, from);
    int rc = sqlite3_step(count.get());
    if (rc != SQLITE_ROW) return failed(rc);
    if (Status s = reader.begin(sqlite3_column_int64(count.get(), 0)); !s) return s;

    // Notes are a small share of the answers: the visits that left one are
    // collected first, then their scores picked from one pass over the table.
    sql::Stmt scores(db,
                     "SELECT session_id, set_id, question_id, score FROM answers WHERE score IS NOT NULL AND recorded_at >= ?1 AND "
                     "session_id IN (SELECT session_id FROM answers WHERE text <> '' AND recorded_at >= ?1) ORDER BY seq");
    if (!scores) return failed(sqlite3_errcode(db));
    sqlite3_bind_int64(scores.get(), 1, from);
    VisitScore v;
    while ((rc = sqlite3_step(scores.get())) == SQLITE_ROW) {
      v.session_id = sql::column_text(scores.get(), 0);
      v.set_id = sql::column_text(scores.get(), 1);
      v.question_id = sql::column_text(scores.get(), 2);
      v.score = sqlite3_column_int(scores.get(), 3);
      if (Status s = reader.visit_score(v); !s) return s;
    }
    if (rc != SQLITE_DONE) return failed(rc);

    // By the index on recorded_at; SQLite sorts only the answers that share
    // one rounded time by visit, so the sort never holds more than those.
    sql::Stmt q(db, (std::string("SELECT seq, closed, ") + sql::kAnswerColumns +
                     " FROM answers WHERE recorded_at >= ?1 ORDER BY recorded_at, session_id, seq")
                        .c_str());
    if (!q) return failed(sqlite3_errcode(db));
    sqlite3_bind_int64(q.get(), 1, from);
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      ArchivedAnswer a;
      a.stored.seq = sqlite3_column_int64(q.get(), 0);
      a.closed = sqlite3_column_int(q.get(), 1) != 0;
      a.stored.answer = sql::read_answer(q.get(), 2);
      if (Status s = reader.answer(std::move(a)); !s) return s;
    }
    if (rc != SQLITE_DONE) return failed(rc);
    return {};
  });
}

Result<std::vector<Answer>> SqliteAnswerArchive::all_answers(std::optional<std::int64_t> since) {
  std::vector<Answer> out;
  Status s = in_read_transaction(path_, [&](sqlite3* db) -> Status {
    sql::Stmt q(db, (std::string("SELECT ") + sql::kAnswerColumns + " FROM answers WHERE recorded_at >= ?1 ORDER BY seq").c_str());
    if (!q) return sql::failure(db, sqlite3_errcode(db), "read the answers", path_);
    sqlite3_bind_int64(q.get(), 1, since.value_or(INT64_MIN));
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) out.push_back(sql::read_answer(q.get()));
    if (rc != SQLITE_DONE) return sql::failure(db, rc, "read the answers", path_);
    return {};
  });
  if (!s) return s;
  return out;
}

}  // namespace tp
