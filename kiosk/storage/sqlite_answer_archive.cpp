#include "sqlite_answer_archive.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

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

}  // namespace

Result<std::vector<Answer>> SqliteAnswerArchive::all_answers(std::optional<std::int64_t> since) {
  // A missing file must not be created (SQLITE_OPEN_READONLY never creates),
  // and "no such file" reads better than SQLite's "unable to open".
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0)
    return Status::failure(Fault::storage_unavailable, "Unable to read the answers in " + path_ + ": " + std::strerror(errno));
  Connection c;
  int rc = sqlite3_open_v2(path_.c_str(), &c.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return sql::failure(c.db, rc, "read the answers", path_);
  sqlite3_busy_timeout(c.db, kBusyTimeoutMs);
  // BEGIN (deferred) on a read-only connection: a read transaction, one snapshot.
  sql::Transaction read(c.db, "BEGIN");
  if (!read.ok()) return sql::failure(c.db, read.begin_rc(), "read the answers", path_);
  sql::Stmt q(c.db, (std::string("SELECT ") + sql::kAnswerColumns + " FROM answers WHERE recorded_at >= ?1 ORDER BY seq").c_str());
  if (!q) return sql::failure(c.db, sqlite3_errcode(c.db), "read the answers", path_);
  sqlite3_bind_int64(q.get(), 1, since.value_or(INT64_MIN));
  std::vector<Answer> out;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) out.push_back(sql::read_answer(q.get()));
  if (rc != SQLITE_DONE) return sql::failure(c.db, rc, "read the answers", path_);
  read.commit();
  return out;
}

}  // namespace tp
