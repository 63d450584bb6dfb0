// SQLite answer store. Invariants are listed in sqlite_store.h.
#include "sqlite_store.h"

#include "sqlite_util.h"
#include "sync_words.h"

#include <sqlite3.h>
#include <sys/statvfs.h>

#include <ctime>
#include <filesystem>
#include <set>

namespace tp {

namespace fs = std::filesystem;
using namespace sql;

// Forward-only migrations; entry i takes the schema from version i to i+1.
static const char* const kMigrations[] = {
    R"sql(
    CREATE TABLE answers(
      seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- order on this kiosk; the sync cursor
      uuid TEXT NOT NULL,                      -- random v4; the server de-duplicates on it (no index here: random keys make every commit touch scattered pages)
      set_id TEXT NOT NULL,
      set_version INTEGER NOT NULL,
      question_id TEXT NOT NULL,
      session_id TEXT NOT NULL,
      score INTEGER,
      text TEXT,
      choice TEXT,
      language TEXT NOT NULL,
      recorded_at INTEGER NOT NULL,            -- unix seconds, rounded down to the granularity
      clock_trusted INTEGER NOT NULL,
      boot_id TEXT NOT NULL,
      monotonic_ms INTEGER NOT NULL,
      rapid_repeat INTEGER NOT NULL DEFAULT 0,
      closed INTEGER NOT NULL DEFAULT 0,       -- 1 once the visit ended: final, may be sent
      sent_at INTEGER                          -- set by the sync process after the server's acknowledgement
    );
    -- Small: only answers of visits still in progress.
    CREATE INDEX answers_open ON answers(session_id, question_id) WHERE closed = 0;
    CREATE INDEX answers_recorded ON answers(recorded_at);
    CREATE INDEX answers_unsent ON answers(seq) WHERE sent_at IS NULL AND closed = 1;
    )sql",
    R"sql(
    -- Written by tenpoint-sync, read by the staff menu.
    CREATE TABLE sync_state(
      id INTEGER PRIMARY KEY CHECK (id = 1),
      server TEXT NOT NULL DEFAULT '',
      last_attempt INTEGER,
      last_success INTEGER,
      last_error TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO sync_state(id) VALUES(1);
    )sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == SqliteStore::kSchemaVersion);

std::int64_t free_disk_bytes(const std::string& path) {
  struct statvfs st {};
  fs::path p(path);
  fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (statvfs(dir.c_str(), &st) != 0) return -1;
  return static_cast<std::int64_t>(st.f_bavail) * static_cast<std::int64_t>(st.f_frsize);
}

namespace {

std::string human_bytes(std::int64_t b) {
  if (b < 0) return "unknown";
  if (b < 10 * 1024) return std::to_string(b) + " bytes";
  if (b < 10 * 1024 * 1024) return std::to_string(b / 1024) + " KB";
  return std::to_string(b / (1024 * 1024)) + " MB";
}


}  // namespace

struct SqliteStore::Impl {
  sqlite3* db = nullptr;
  Stmt update_open, insert, close, insert_closed;
  std::set<std::pair<std::string, std::string>> open_answers;  // (session, question) of visits in progress
  ~Impl() {
    update_open = Stmt();
    insert = Stmt();
    close = Stmt();
    insert_closed = Stmt();
    if (db) sqlite3_close_v2(db);
  }
};

SqliteStore::SqliteStore(Options options) : options_(std::move(options)) {}
SqliteStore::~SqliteStore() = default;

bool SqliteStore::is_open() const { return impl_ != nullptr; }

namespace {

Status failure_from(sqlite3* db, int rc, const std::string& what, const std::string& path) {
  int primary = rc & 0xFF;
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (primary == SQLITE_FULL)
    return Status::failure(Fault::storage_full, "Unable to " + what + " in " + path + ": disk full (" + human_bytes(free_disk_bytes(path)) + " free)");
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    return Status::failure(Fault::storage_corrupt, "Unable to " + what + " in " + path + ": the database file is damaged (" + detail + ")");
  return Status::failure(Fault::storage_unavailable, "Unable to " + what + " in " + path + ": " + detail);
}

std::string timestamp_for_file() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

}  // namespace

Status SqliteStore::open() {
  if (impl_) return {};
  const std::string& path = options_.path;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);

  for (int attempt = 0; attempt < 2; ++attempt) {
    auto impl = std::make_unique<Impl>();
    int rc = sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return failure_from(impl->db, rc, "open the answer database", path);
    sqlite3_extended_result_codes(impl->db, 1);
    sqlite3_busy_timeout(impl->db, 5000);  // the sync process shares this file

    // The first read tells a damaged file from a good one.
    rc = exec(impl->db, "PRAGMA journal_mode=WAL");
    int primary = rc & 0xFF;
    if ((primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) && attempt == 0) {
      impl.reset();
      moved_aside_ = path + ".corrupt-" + timestamp_for_file();
      fs::rename(path, moved_aside_, ec);
      if (ec) return Status::failure(Fault::storage_corrupt, "Unable to move the damaged database " + path + " aside: " + ec.message());
      for (const char* suffix : {"-wal", "-shm"}) {
        std::error_code ignored;
        if (fs::exists(path + suffix)) fs::rename(path + suffix, moved_aside_ + suffix, ignored);
      }
      continue;
    }
    if (rc != SQLITE_OK) return failure_from(impl->db, rc, "open the answer database", path);
    if ((rc = exec(impl->db, "PRAGMA synchronous=FULL")) != SQLITE_OK) return failure_from(impl->db, rc, "set up", path);
    if (options_.max_page_count)
      exec(impl->db, ("PRAGMA max_page_count=" + std::to_string(*options_.max_page_count)).c_str());

    // Migrate forward.
    int version = 0;
    {
      Stmt v(impl->db, "PRAGMA user_version");
      if (v && sqlite3_step(v.get()) == SQLITE_ROW) version = sqlite3_column_int(v.get(), 0);
    }
    if (version > kSchemaVersion)
      return Status::failure(Fault::storage_unavailable, "Unable to use " + path + ": it was written by a newer Tenpoint (schema " +
                                                             std::to_string(version) + ", this one knows up to " + std::to_string(kSchemaVersion) + ")");
    for (int v = version; v < kSchemaVersion; ++v) {
      if ((rc = exec(impl->db, "BEGIN IMMEDIATE")) != SQLITE_OK) return failure_from(impl->db, rc, "upgrade the database", path);
      rc = exec(impl->db, kMigrations[v]);
      if (rc == SQLITE_OK) rc = exec(impl->db, ("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
      if (rc == SQLITE_OK) rc = exec(impl->db, "COMMIT");
      if (rc != SQLITE_OK) {
        Status s = failure_from(impl->db, rc, "upgrade the database", path);
        rollback_if_open(impl->db);
        return s;
      }
    }
    // Visits interrupted by a crash or power cut are over.
    if ((rc = exec(impl->db, "UPDATE answers SET closed = 1 WHERE closed = 0")) != SQLITE_OK)
      return failure_from(impl->db, rc, "close interrupted visits", path);

    impl->update_open = Stmt(impl->db,
                             "UPDATE answers SET score=?3, text=?4, choice=?5, language=?6, recorded_at=?7, clock_trusted=?8, "
                             "boot_id=?9, monotonic_ms=?10 WHERE session_id=?1 AND question_id=?2 AND closed=0");
    impl->insert = Stmt(impl->db,
                        "INSERT INTO answers(session_id, question_id, score, text, choice, language, recorded_at, clock_trusted, "
                        "boot_id, monotonic_ms, uuid, set_id, set_version, rapid_repeat, closed) "
                        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)");
    impl->close = Stmt(impl->db, "UPDATE answers SET closed=1 WHERE session_id=?1 AND closed=0");
    if (!impl->update_open || !impl->insert || !impl->close) return failure_from(impl->db, SQLITE_ERROR, "prepare statements", path);
    impl_ = std::move(impl);
    return {};
  }
  return Status::failure(Fault::storage_corrupt, "Unable to open " + path + ": damaged even after moving the old file aside");
}

namespace {

void bind_answer_values(sqlite3_stmt* s, const Answer& a) {
  bind_text(s, 1, a.session_id);
  bind_text(s, 2, a.question_id);
  if (a.score) sqlite3_bind_int(s, 3, *a.score); else sqlite3_bind_null(s, 3);
  if (a.text) bind_text(s, 4, *a.text); else sqlite3_bind_null(s, 4);
  if (a.choice) bind_text(s, 5, *a.choice); else sqlite3_bind_null(s, 5);
  bind_text(s, 6, a.language);
  sqlite3_bind_int64(s, 7, a.stamp.unix_seconds);
  sqlite3_bind_int(s, 8, a.stamp.clock_trusted ? 1 : 0);
  bind_text(s, 9, a.stamp.boot_id);
  sqlite3_bind_int64(s, 10, a.stamp.monotonic_ms);
}

void bind_insert_extra(sqlite3_stmt* s, const Answer& a, bool closed) {
  bind_text(s, 11, a.uuid);
  bind_text(s, 12, a.set_id);
  sqlite3_bind_int(s, 13, a.set_version);
  sqlite3_bind_int(s, 14, a.rapid_repeat ? 1 : 0);
  sqlite3_bind_int(s, 15, closed ? 1 : 0);
}

}  // namespace

Status SqliteStore::commit(const Answer& a) {
  if (Status s = open(); !s) return s;
  sqlite3* db = impl_->db;
  // One statement in autocommit mode: an insert for a new answer, an update
  // when the resident changes an answer of the visit in progress. Open
  // visits are known in memory (open() closed any older ones), which saves
  // a lookup and a transaction on every commit.
  auto key = std::make_pair(a.session_id, a.question_id);
  bool replace = impl_->open_answers.count(key) > 0;
  sqlite3_stmt* stmt = replace ? impl_->update_open.get() : impl_->insert.get();
  bind_answer_values(stmt, a);
  if (!replace) bind_insert_extra(stmt, a, false);
  int rc = run(stmt);
  if (rc != SQLITE_OK) {
    Status s = failure_from(db, rc, "save an answer", options_.path);
    rollback_if_open(db);
    return s;
  }
  if (!replace) impl_->open_answers.insert(std::move(key));
  return {};
}

Status SqliteStore::commit_many(const std::vector<Answer>& answers) {
  if (Status s = open(); !s) return s;
  sqlite3* db = impl_->db;
  int rc = exec(db, "BEGIN IMMEDIATE");
  for (std::size_t i = 0; rc == SQLITE_OK && i < answers.size(); ++i) {
    bind_answer_values(impl_->insert.get(), answers[i]);
    bind_insert_extra(impl_->insert.get(), answers[i], true);
    rc = run(impl_->insert.get());
  }
  if (rc == SQLITE_OK) rc = exec(db, "COMMIT");
  if (rc != SQLITE_OK) {
    Status s = failure_from(db, rc, "save answers", options_.path);
    rollback_if_open(db);
    return s;
  }
  return {};
}

Status SqliteStore::close_session(const std::string& session_id) {
  if (Status s = open(); !s) return s;
  bind_text(impl_->close.get(), 1, session_id);
  int rc = run(impl_->close.get());
  if (rc == SQLITE_OK) std::erase_if(impl_->open_answers, [&](const auto& k) { return k.first == session_id; });
  if (rc != SQLITE_OK) {
    Status s = failure_from(impl_->db, rc, "finish a visit", options_.path);
    rollback_if_open(impl_->db);
    return s;
  }
  return {};
}

namespace {

std::int64_t scalar(sqlite3* db, const char* sql, std::int64_t arg = 0, bool bind = false) {
  Stmt s(db, sql);
  if (!s) return -1;
  if (bind) sqlite3_bind_int64(s.get(), 1, arg);
  if (sqlite3_step(s.get()) != SQLITE_ROW) return -1;
  return sqlite3_column_int64(s.get(), 0);
}

}  // namespace

StoreSummary SqliteStore::summary(std::int64_t day_start_unix) {
  StoreSummary out;
  out.free_disk_bytes = free_disk_bytes(options_.path);
  if (Status s = open(); !s) {
    out.health_message = s.message();
    return out;
  }
  sqlite3* db = impl_->db;
  out.answers_total = scalar(db, "SELECT count(*) FROM answers");
  out.answers_today = scalar(db, "SELECT count(*) FROM answers WHERE recorded_at >= ?1", day_start_unix, true);
  out.answers_unsent = scalar(db, "SELECT count(*) FROM answers WHERE sent_at IS NULL AND closed = 1");
  std::int64_t pages = scalar(db, "PRAGMA page_count"), page_size = scalar(db, "PRAGMA page_size");
  out.database_bytes = pages >= 0 && page_size >= 0 ? pages * page_size : -1;
  out.healthy = out.answers_total >= 0 && out.answers_today >= 0;
  SyncState sync = sync_state();
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  out.sync_line = describe_sync(now, out.answers_unsent, oldest_unsent_recorded_at(), sync.last_attempt, sync.last_success, sync.last_error);
  if (!out.healthy) out.health_message = std::string("Unable to read ") + options_.path + ": " + sqlite3_errmsg(db);
  else if (out.free_disk_bytes >= 0 && out.free_disk_bytes < 50LL * 1024 * 1024)
    out.health_message = "ok, but only " + human_bytes(out.free_disk_bytes) + " of disk left";
  else out.health_message = "ok";
  return out;
}

std::optional<std::vector<SqliteStore::DayRow>> SqliteStore::answers_by_question_and_day(std::string* error) {
  if (Status s = open(); !s) {
    if (error) *error = s.message();
    return std::nullopt;
  }
  Stmt s(impl_->db,
         "SELECT question_id, date(recorded_at, 'unixepoch', 'localtime') AS day, count(*), avg(score), count(text) "
         "FROM answers GROUP BY question_id, day ORDER BY day, question_id");
  std::vector<DayRow> rows;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    DayRow r;
    r.question_id = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
    const unsigned char* day = sqlite3_column_text(s.get(), 1);
    r.day = day ? reinterpret_cast<const char*>(day) : "";
    r.answers = sqlite3_column_int64(s.get(), 2);
    if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL) r.mean_score = sqlite3_column_double(s.get(), 3);
    r.texts = sqlite3_column_int64(s.get(), 4);
    rows.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) {
    if (error) *error = std::string("Unable to read ") + options_.path + ": " + sqlite3_errmsg(impl_->db);
    return std::nullopt;
  }
  return rows;
}

std::optional<std::vector<StoredAnswer>> SqliteStore::unsent(int limit, std::string* error, std::int64_t after_seq) {
  if (Status s = open(); !s) {
    if (error) *error = s.message();
    return std::nullopt;
  }
  Stmt s(impl_->db,
         "SELECT seq, uuid, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, "
         "clock_trusted, boot_id, monotonic_ms, rapid_repeat FROM answers WHERE sent_at IS NULL AND closed = 1 AND seq > ?2 ORDER BY seq LIMIT ?1");
  sqlite3_bind_int(s.get(), 1, limit);
  sqlite3_bind_int64(s.get(), 2, after_seq);
  std::vector<StoredAnswer> out;
  auto text = [&](int col) {
    const unsigned char* t = sqlite3_column_text(s.get(), col);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    StoredAnswer r;
    r.seq = sqlite3_column_int64(s.get(), 0);
    Answer& a = r.answer;
    a.uuid = text(1);
    a.set_id = text(2);
    a.set_version = sqlite3_column_int(s.get(), 3);
    a.question_id = text(4);
    a.session_id = text(5);
    if (sqlite3_column_type(s.get(), 6) != SQLITE_NULL) a.score = sqlite3_column_int(s.get(), 6);
    if (sqlite3_column_type(s.get(), 7) != SQLITE_NULL) a.text = text(7);
    if (sqlite3_column_type(s.get(), 8) != SQLITE_NULL) a.choice = text(8);
    a.language = text(9);
    a.stamp.unix_seconds = sqlite3_column_int64(s.get(), 10);
    a.stamp.clock_trusted = sqlite3_column_int(s.get(), 11) != 0;
    a.stamp.boot_id = text(12);
    a.stamp.monotonic_ms = sqlite3_column_int64(s.get(), 13);
    a.rapid_repeat = sqlite3_column_int(s.get(), 14) != 0;
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) {
    if (error) *error = std::string("Unable to read unsent answers from ") + options_.path + ": " + sqlite3_errmsg(impl_->db);
    return std::nullopt;
  }
  return out;
}

Status SqliteStore::mark_sent(const std::vector<std::int64_t>& seqs, std::int64_t sent_at) {
  if (Status s = open(); !s) return s;
  sqlite3* db = impl_->db;
  int rc = exec(db, "BEGIN IMMEDIATE");
  if (rc == SQLITE_OK) {
    Stmt s(db, "UPDATE answers SET sent_at = ?2 WHERE seq = ?1");
    for (std::size_t i = 0; rc == SQLITE_OK && i < seqs.size(); ++i) {
      sqlite3_bind_int64(s.get(), 1, seqs[i]);
      sqlite3_bind_int64(s.get(), 2, sent_at);
      rc = run(s.get());
    }
  }
  if (rc == SQLITE_OK) rc = exec(db, "COMMIT");
  if (rc != SQLITE_OK) {
    Status st = failure_from(db, rc, "mark answers as sent", options_.path);
    rollback_if_open(db);
    return st;
  }
  return {};
}

std::optional<std::int64_t> SqliteStore::oldest_unsent_recorded_at() {
  if (!open()) return std::nullopt;
  Stmt s(impl_->db, "SELECT recorded_at FROM answers WHERE sent_at IS NULL AND closed = 1 ORDER BY seq LIMIT 1");
  if (sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return sqlite3_column_int64(s.get(), 0);
}

std::int64_t SqliteStore::count_unsent() {
  if (!open()) return -1;
  return scalar(impl_->db, "SELECT count(*) FROM answers WHERE sent_at IS NULL AND closed = 1");
}

SyncState SqliteStore::sync_state() {
  SyncState st;
  if (!open()) return st;
  Stmt s(impl_->db, "SELECT server, last_attempt, last_success, last_error FROM sync_state WHERE id = 1");
  if (sqlite3_step(s.get()) != SQLITE_ROW) return st;
  const unsigned char* server = sqlite3_column_text(s.get(), 0);
  st.server = server ? reinterpret_cast<const char*>(server) : "";
  if (sqlite3_column_type(s.get(), 1) != SQLITE_NULL) st.last_attempt = sqlite3_column_int64(s.get(), 1);
  if (sqlite3_column_type(s.get(), 2) != SQLITE_NULL) st.last_success = sqlite3_column_int64(s.get(), 2);
  const unsigned char* err = sqlite3_column_text(s.get(), 3);
  st.last_error = err ? reinterpret_cast<const char*>(err) : "";
  return st;
}

Status SqliteStore::record_sync_attempt(const std::string& server, std::int64_t at, const std::string& error) {
  if (Status s = open(); !s) return s;
  Stmt s(impl_->db,
         error.empty() ? "UPDATE sync_state SET server = ?1, last_attempt = ?2, last_success = ?2, last_error = '' WHERE id = 1"
                       : "UPDATE sync_state SET server = ?1, last_attempt = ?2, last_error = ?3 WHERE id = 1");
  bind_text(s.get(), 1, server);
  sqlite3_bind_int64(s.get(), 2, at);
  if (!error.empty()) bind_text(s.get(), 3, error);
  int rc = run(s.get());
  if (rc != SQLITE_OK) return failure_from(impl_->db, rc, "record the sync state", options_.path);
  return {};
}

std::string SqliteStore::integrity_check() {
  if (Status s = open(); !s) return s.message();
  Stmt s(impl_->db, "PRAGMA integrity_check");
  std::string out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    if (!out.empty()) out += "\n";
    out += reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
  }
  return out;
}

int SqliteStore::schema_version() { return impl_ ? static_cast<int>(scalar(impl_->db, "PRAGMA user_version")) : -1; }

std::int64_t SqliteStore::count_answers() { return impl_ ? scalar(impl_->db, "SELECT count(*) FROM answers") : -1; }

void SqliteStore::set_max_page_count(int pages) {
  options_.max_page_count = pages;
  if (impl_) exec(impl_->db, ("PRAGMA max_page_count=" + std::to_string(pages)).c_str());
}

}  // namespace tp
