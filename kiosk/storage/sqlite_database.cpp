// The kiosk's SQLite file. Invariants are listed in sqlite_database.h.
#include "sqlite_database.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "sqlite_util.h"

namespace tp {

namespace fs = std::filesystem;
using namespace sql;

namespace {

// Forward-only migrations; entry i takes the schema from version i to i+1.
const char* const kMigrations[] = {
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
    R"sql(
    -- The highest serial of a signed question set the kiosk has accepted:
    -- an older signed file is refused, across restarts too (SIGNED.md).
    CREATE TABLE signed_set_state(
      id INTEGER PRIMARY KEY CHECK (id = 1),
      serial INTEGER NOT NULL DEFAULT 0,       -- 0: none accepted yet
      set_id TEXT NOT NULL DEFAULT '',
      set_version INTEGER NOT NULL DEFAULT 0,
      accepted_at INTEGER NOT NULL DEFAULT 0   -- unix seconds
    );
    INSERT INTO signed_set_state(id) VALUES(1);
    )sql",
    R"sql(
    -- The staff PIN pad's lockout (pin_lock.h): a restart does not end it.
    CREATE TABLE pin_lock_state(
      id INTEGER PRIMARY KEY CHECK (id = 1),
      failures INTEGER NOT NULL DEFAULT 0,     -- wrong PINs since the last lock or right PIN
      locks INTEGER NOT NULL DEFAULT 0,        -- locks since the last right PIN
      locked_until INTEGER NOT NULL DEFAULT 0  -- unix seconds; 0: not locked
    );
    INSERT INTO pin_lock_state(id) VALUES(1);
    )sql",
    R"sql(
    -- The USB export's second look at the visits that left a note
    -- (sqlite_answer_archive.cpp): which visits those are, then each one's
    -- notes and scale answers, without reading the whole table. Partial, so
    -- a commit of any other answer leaves them alone.
    CREATE INDEX answers_noted ON answers(session_id) WHERE text <> '';
    CREATE INDEX answers_note_visits ON answers(session_id) WHERE score IS NOT NULL OR text <> '';
    )sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == SqliteDatabase::kSchemaVersion);

constexpr int kBusyTimeoutMs = 5000;  // how long to wait for the other process's lock
constexpr int kBusyRetryMs = 10;

std::string timestamp_for_file() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

// Creates the file for the owner only before SQLite opens it, so that it is
// never readable by others, whatever the umask.
void create_private_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) ::close(fd);
}

}  // namespace

SqliteDatabase::SqliteDatabase(Options options) : options_(std::move(options)) {}

SqliteDatabase::~SqliteDatabase() {
  if (db_) sqlite3_close_v2(db_);
}

Status SqliteDatabase::open() {
  if (db_) return {};
  const std::string& path = options_.path;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent, ec) && fs::create_directories(parent, ec)) fs::permissions(parent, fs::perms::owner_all, ec);
  bool damaged = false;
  Status s = open_once(damaged);
  if (!damaged) return s;
  // Move the damaged file aside (never overwrite it), then start afresh.
  moved_aside_ = path + ".corrupt-" + timestamp_for_file();
  fs::rename(path, moved_aside_, ec);
  if (ec) return Status::failure(Fault::storage_corrupt, "Unable to move the damaged database " + path + " aside: " + ec.message());
  for (const char* suffix : {"-wal", "-shm"}) {
    std::error_code ignored;
    if (fs::exists(path + suffix, ignored)) fs::rename(path + suffix, moved_aside_ + suffix, ignored);
  }
  s = open_once(damaged);
  if (damaged) return Status::failure(Fault::storage_corrupt, "Unable to open " + path + ": damaged even after moving the old file aside");
  return s;
}

Status SqliteDatabase::open_once(bool& damaged) {
  const std::string& path = options_.path;
  damaged = false;
  create_private_file(path);
  sqlite3* db = nullptr;
  sql::tune_library();
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto fail = [&](std::string_view what) {
    Status s = failure(db, rc, what, path);
    sqlite3_close_v2(db);
    return s;
  };
  if (rc != SQLITE_OK) return fail("open the answer database");
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);  // tenpoint-sync shares this file
  // The first read tells a damaged file from a good one. Turning a new file
  // to WAL needs an exclusive lock, and SQLite does not wait for it through
  // the busy handler: when the kiosk and tenpoint-sync start together, one
  // of them gets SQLITE_BUSY at once. Wait for the other here instead.
  for (int waited_ms = 0;; waited_ms += kBusyRetryMs) {
    rc = exec(db, "PRAGMA journal_mode=WAL");
    if ((rc & 0xFF) != SQLITE_BUSY || waited_ms >= kBusyTimeoutMs) break;
    ::usleep(kBusyRetryMs * 1000);
  }
  if ((rc & 0xFF) == SQLITE_NOTADB || (rc & 0xFF) == SQLITE_CORRUPT) {
    damaged = true;
    sqlite3_close_v2(db);
    return Status::failure(Fault::storage_corrupt, "Unable to open " + path + ": the database file is damaged");
  }
  if (rc != SQLITE_OK) return fail("open the answer database");
  if ((rc = exec(db, "PRAGMA synchronous=FULL")) != SQLITE_OK) return fail("set up");
  if (options_.max_page_count) exec(db, "PRAGMA max_page_count=" + std::to_string(*options_.max_page_count));
  db_ = db;
  if (Status m = migrate(); !m) {
    db_ = nullptr;
    sqlite3_close_v2(db);
    return m;
  }
  return {};
}

Status SqliteDatabase::migrate() {
  // Read the version inside the write transaction: another process may have
  // migrated the file between our open and our lock.
  Transaction tx(db_);
  if (!tx.ok()) return failure(db_, tx.begin_rc(), "upgrade the database", options_.path);
  int version = static_cast<int>(scalar(db_, "PRAGMA user_version").value_or(-1));
  if (version < 0) return failure(db_, sqlite3_errcode(db_), "read the schema version", options_.path);
  if (version > kSchemaVersion)
    return Status::failure(Fault::storage_unavailable, "Unable to use " + options_.path + ": it was written by a newer Tenpoint (schema " +
                                                           std::to_string(version) + ", this one knows up to " +
                                                           std::to_string(kSchemaVersion) + ")");
  if (version == kSchemaVersion) return {};
  int rc = SQLITE_OK;
  for (int v = version; rc == SQLITE_OK && v < kSchemaVersion; ++v) rc = exec(db_, kMigrations[v]);
  if (rc == SQLITE_OK) rc = exec(db_, "PRAGMA user_version=" + std::to_string(kSchemaVersion));
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return failure(db_, rc, "upgrade the database", options_.path);
  return {};
}

std::string SqliteDatabase::integrity_check() {
  if (Status s = open(); !s) return s.message();
  Stmt s(db_, "PRAGMA integrity_check");
  std::string out;
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    if (!out.empty()) out += "\n";
    out += column_text(s.get(), 0);
  }
  return out;
}

int SqliteDatabase::schema_version() { return db_ ? static_cast<int>(scalar(db_, "PRAGMA user_version").value_or(-1)) : -1; }

std::int64_t SqliteDatabase::count_answers() { return db_ ? scalar(db_, "SELECT count(*) FROM answers").value_or(-1) : -1; }

std::int64_t SqliteDatabase::size_bytes() {
  if (!db_) return -1;
  auto pages = scalar(db_, "PRAGMA page_count"), page_size = scalar(db_, "PRAGMA page_size");
  return pages && page_size ? *pages * *page_size : -1;
}

void SqliteDatabase::set_max_page_count(int pages) {
  options_.max_page_count = pages;
  if (db_) exec(db_, "PRAGMA max_page_count=" + std::to_string(pages));
}

}  // namespace tp
