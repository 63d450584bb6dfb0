// The kiosk's SQLite file: opening, the schema and its migrations, and the
// checks the command line and tests run on it. The roles that read and write
// answers (sqlite_answer_store.h, sqlite_outbox.h, sqlite_reports.h) each
// take a SqliteDatabase& and share its one connection.
//
// Invariants:
//   1. WAL and synchronous=FULL: a commit is durable (fsync'd) when it returns.
//   2. A file that is not a valid SQLite database is moved aside to
//      <path>.corrupt-<time> and reported, never overwritten.
//   3. Nothing here throws: failures come back as Status with a message that
//      names the file and the cause (disk full: how much is free).
//   4. The schema version is PRAGMA user_version; migrations only go forward,
//      all in one exclusive transaction that re-reads the version inside it,
//      so the kiosk and tenpoint-sync opening a new file at the same moment
//      migrate it once.
//   5. A folder the store creates is for its own user only (0700), and so is
//      a database file it creates (0600): residents' words live there.
//
//   CLOSED --open() ok--> OPEN        (stays open until destruction)
//     |  ^
//     +--+ open() fails: stays CLOSED, the next call tries again
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "status.h"

struct sqlite3;

namespace tp {

class SqliteDatabase {
 public:
  struct Options {
    std::string path;
    std::optional<int> max_page_count;  // caps the file size (tests use it to fill the "disk")
  };
  static constexpr int kSchemaVersion = 5;

  explicit SqliteDatabase(Options options);
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // Opens and migrates on first call; later calls return at once while open.
  Status open();
  bool is_open() const { return db_ != nullptr; }
  const std::string& path() const { return options_.path; }
  // Where a damaged file was moved to at open(), if it was.
  const std::string& moved_aside() const { return moved_aside_; }
  // The open connection, for the role classes; null while closed.
  sqlite3* handle() const { return db_; }

  // "ok" or SQLite's list of problems.
  std::string integrity_check();
  int schema_version();          // -1 while closed
  std::int64_t count_answers();  // -1 while closed or unreadable
  std::int64_t size_bytes();     // page count x page size, -1 when unknown
  void set_max_page_count(int pages);

 private:
  Status open_once(bool& damaged);
  Status migrate();

  Options options_;
  std::string moved_aside_;
  sqlite3* db_ = nullptr;
};

}  // namespace tp
