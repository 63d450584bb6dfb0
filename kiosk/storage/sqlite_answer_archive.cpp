#include "sqlite_answer_archive.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "sqlite_util.h"

namespace tp {

namespace {

// The kiosk holds its write lock for a commit of a millisecond or so; a
// reader in WAL mode does not wait for it at all, except while a checkpoint
// or the first open of the file runs.
constexpr int kBusyTimeoutMs = 5000;
// Answers of one rounded time put in visit order in memory; beyond this,
// SQLite sorts them (read_answers).
constexpr std::size_t kMaxAnswersSortedHere = 4096;
// recorded_at among sql::kAnswerColumns.
constexpr int kRecordedAtColumn = 9;
// Answers handed from the reading thread at once, and chunks read ahead.
constexpr std::size_t kChunkAnswers = 512;
constexpr std::size_t kChunksAhead = 4;

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

// Chunks of answers from the thread that reads them to the one that hands
// them to the ArchiveReader; at most kChunksAhead wait.
class Handoff {
 public:
  // The reading side: false when the taking side stopped (stop the read).
  bool put(std::vector<ArchivedAnswer>&& chunk) {
    std::unique_lock lock(m_);
    room_.wait(lock, [&] { return stopped_ || chunks_.size() < kChunksAhead; });
    if (stopped_) return false;
    chunks_.push_back(std::move(chunk));
    ready_.notify_one();
    return true;
  }
  void end(Status status) {
    std::lock_guard lock(m_);
    status_ = std::move(status);
    ended_ = true;
    ready_.notify_one();
  }
  // The taking side: false once every chunk was taken and the read ended.
  bool take(std::vector<ArchivedAnswer>& chunk) {
    std::unique_lock lock(m_);
    ready_.wait(lock, [&] { return ended_ || !chunks_.empty(); });
    if (chunks_.empty()) return false;
    chunk = std::move(chunks_.front());
    chunks_.pop_front();
    room_.notify_one();
    return true;
  }
  void stop() {
    std::lock_guard lock(m_);
    stopped_ = true;
    room_.notify_one();
  }
  Status status() {
    std::lock_guard lock(m_);
    return status_;
  }

 private:
  std::mutex m_;
  std::condition_variable ready_, room_;
  std::deque<std::vector<ArchivedAnswer>> chunks_;
  bool ended_ = false, stopped_ = false;
  Status status_;
};

// Every answer recorded at or after `from`, in the order ArchiveReader
// promises, handed to `emit` in chunks; stops when `emit` returns false.
template <typename Emit>
Status read_in_order(sqlite3* db, std::int64_t from, const std::string& path, Emit emit) {
  auto failed = [&](int rc) { return sql::failure(db, rc, "read the answers", path); };
  // By the index on recorded_at, with no sorter in SQLite: the answers that
  // share one rounded time (a quarter hour's, a few dozen) are put in visit
  // order here. A time shared by more (a clock that stood still) is read
  // again on its own and sorted by SQLite, which spills to disk.
  const std::string columns = std::string("SELECT seq, closed, ") + sql::kAnswerColumns + " FROM answers ";
  sql::Stmt q(db, (columns + "WHERE recorded_at >= ?1 ORDER BY recorded_at").c_str());
  if (!q) return failed(sqlite3_errcode(db));
  sql::Stmt one_time(db, (columns + "WHERE recorded_at = ?1 ORDER BY session_id, seq").c_str());
  if (!one_time) return failed(sqlite3_errcode(db));
  sqlite3_bind_int64(q.get(), 1, from);
  auto read_row = [](sqlite3_stmt* st) {
    ArchivedAnswer a;
    a.stored.seq = sqlite3_column_int64(st, 0);
    a.closed = sqlite3_column_int(st, 1) != 0;
    a.stored.answer = sql::read_answer(st, 2);
    return a;
  };
  auto time_of = [](sqlite3_stmt* st) { return sqlite3_column_int64(st, 2 + kRecordedAtColumn); };
  std::vector<ArchivedAnswer> chunk, bucket;
  bool going = true;
  auto add = [&](ArchivedAnswer&& a) {
    chunk.push_back(std::move(a));
    if (chunk.size() >= kChunkAnswers) {
      going = emit(std::move(chunk));
      chunk.clear();
    }
  };
  auto end_bucket = [&] {
    std::sort(bucket.begin(), bucket.end(), [](const ArchivedAnswer& x, const ArchivedAnswer& y) {
      const int c = x.stored.answer.session_id.compare(y.stored.answer.session_id);  // byte order, as SQLite's BINARY
      return c != 0 ? c < 0 : x.stored.seq < y.stored.seq;
    });
    for (auto& a : bucket) add(std::move(a));
    bucket.clear();
  };
  int rc = SQLITE_DONE;
  std::int64_t bucket_time = 0;
  while (going && (rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    const std::int64_t t = time_of(q.get());
    if (!bucket.empty() && t != bucket_time) end_bucket();
    bucket_time = t;
    if (bucket.size() < kMaxAnswersSortedHere) {
      bucket.push_back(read_row(q.get()));
      continue;
    }
    // Too many at one time: all of them again, in order, from SQLite; then past them here.
    bucket.clear();
    sqlite3_bind_int64(one_time.get(), 1, t);
    int rc2 = SQLITE_DONE;
    while (going && (rc2 = sqlite3_step(one_time.get())) == SQLITE_ROW) add(read_row(one_time.get()));
    if (!going) return {};
    if (rc2 != SQLITE_DONE) return failed(rc2);
    sqlite3_reset(one_time.get());
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW && time_of(q.get()) == t) {
    }
    if (rc != SQLITE_ROW) break;
    bucket_time = time_of(q.get());
    bucket.push_back(read_row(q.get()));
  }
  if (!going) return {};
  if (rc != SQLITE_DONE) return failed(rc);
  end_bucket();
  if (going && !chunk.empty()) emit(std::move(chunk));
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

    // A second thread reads the answers, a few chunks ahead of the reader:
    // SQLite's side and the reader's (the export's files) each take about
    // half of the time, and they overlap. The connection is used by that
    // thread alone until it has been joined.
    Handoff handoff;
    std::thread producer([&] {
      Status s;
      try {
        s = read_in_order(db, from, path_, [&](std::vector<ArchivedAnswer>&& chunk) { return handoff.put(std::move(chunk)); });
      } catch (const std::exception& e) {
        s = Status::failure(Fault::storage_unavailable, "Unable to read the answers in " + path_ + ": " + e.what());
      }
      handoff.end(std::move(s));
    });
    Status result;
    std::vector<ArchivedAnswer> chunk;
    while (handoff.take(chunk)) {
      for (auto& a : chunk)
        if (result = reader.answer(std::move(a)); !result) break;
      if (!result) break;
    }
    handoff.stop();  // the thread ends at its next chunk, if it has not yet
    producer.join();
    if (!result) return result;
    if (Status s = handoff.status(); !s) return s;

    // The visits that left a note, each whole: their notes and scale answers,
    // a few rows a visit, by visit. Two small partial indexes (schema 5) find
    // them without reading the table: the notes' visits (answers_noted), then
    // each one's scale answers and notes (answers_note_visits), already in
    // the order asked for, so nothing is sorted or held. A file of an older
    // schema, which a read-only export cannot upgrade, is read the long way:
    // one scan of the table, and a sort.
    const std::string since_clause = since ? "recorded_at >= ?1 AND " : "";
    auto note_visits = [&](bool indexed) {
      return std::string("SELECT ") + sql::kAnswerColumns + " FROM answers" + (indexed ? " INDEXED BY answers_note_visits" : "") +
             " WHERE " + since_clause + "(score IS NOT NULL OR text <> '') AND session_id IN (SELECT session_id FROM answers" +
             (indexed ? " INDEXED BY answers_noted" : "") + " WHERE " + since_clause + "text <> '') ORDER BY session_id, seq";
    };
    sql::Stmt visits(db, note_visits(true).c_str());
    if (!visits) visits = sql::Stmt(db, note_visits(false).c_str());
    if (!visits) return failed(sqlite3_errcode(db));
    if (since) sqlite3_bind_int64(visits.get(), 1, from);
    while ((rc = sqlite3_step(visits.get())) == SQLITE_ROW)
      if (Status s = reader.note_visit_answer(sql::read_answer(visits.get())); !s) return s;
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
