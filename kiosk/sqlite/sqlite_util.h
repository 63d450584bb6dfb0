// Small helpers over SQLite's C API, shared by the kiosk's store and the
// server's store (target tenpoint_sqlite). Only .cpp files that talk to
// SQLite include this; no public header does.
//
//   Stmt          a prepared statement, finalized on destruction
//   Transaction   BEGIN IMMEDIATE ... COMMIT, rolled back if not committed
//   failure()     an SQLite error code as a Status a person can act on
//   kAnswerColumns / bind_answer / read_answer
//                 the one place that lists an answer's columns
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "answer.h"
#include "status.h"

namespace tp::sql {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  sqlite3_stmt* get() const { return s_; }
  explicit operator bool() const { return s_ != nullptr; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// Resets a cached statement when the scope ends, however it ends (an
// exception while reading a row included): a statement left mid-step would
// keep its connection on an old snapshot and answer its next use wrongly.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* s) : s_(s) {}
  ~ResetOnExit() { sqlite3_reset(s_); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* s_;
};

inline int exec(sqlite3* db, const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }
inline int exec(sqlite3* db, const std::string& sql) { return exec(db, sql.c_str()); }

inline void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// Without a copy: only for strings that outlive the statement's next step.
inline void bind_text_static(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

// Steps a statement that returns no rows, then resets it for reuse.
inline int run(sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

inline std::string column_text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(s, col))) : std::string();
}

// One integer from a query such as "SELECT count(*) ...", or nullopt.
std::optional<std::int64_t> scalar(sqlite3* db, const char* sql);

// BEGIN IMMEDIATE on construction (see ok()), ROLLBACK on destruction unless
// commit() succeeded: every early return leaves the database as it was.
class Transaction {
 public:
  explicit Transaction(sqlite3* db, const char* begin = "BEGIN IMMEDIATE") : db_(db), rc_(exec(db, begin)) {}
  ~Transaction() {
    if (rc_ == SQLITE_OK && !committed_ && !sqlite3_get_autocommit(db_)) exec(db_, "ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  int begin_rc() const { return rc_; }
  int commit() {
    int rc = exec(db_, "COMMIT");
    committed_ = rc == SQLITE_OK;
    return rc;
  }

 private:
  sqlite3* db_;
  int rc_;
  bool committed_ = false;
};

// "Unable to <what> in <path>: <cause>", with the Fault that fits the code:
// storage_full (with the free space), storage_corrupt, or storage_unavailable.
Status failure(sqlite3* db, int rc, std::string_view what, const std::string& path);

// Call before a process opens its first connection: turns SQLite's memory
// statistics off. They take a process-wide lock on every allocation, and
// nothing here reads them. Once the library has started, SQLite refuses
// the change and keeps its defaults, which is harmless.
void tune_library();

// Free space on the filesystem holding `path` (a file or folder), in bytes, or -1.
std::int64_t free_disk_bytes(const std::string& path);

// An answer's columns, in the order bind_answer() numbers its parameters
// (?1 .. ?kAnswerColumnCount) and read_answer() reads them.
inline constexpr const char* kAnswerColumns =
    "uuid, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, clock_trusted, boot_id, "
    "monotonic_ms, rapid_repeat";
inline constexpr int kAnswerColumnCount = 14;
// Parameter numbers, for statements that name only some of the columns.
namespace param {
inline constexpr int uuid = 1, question_id = 4, session_id = 5;
}
// Binds ?1..?14. With copy=false the strings must outlive the next step.
void bind_answer(sqlite3_stmt* s, const Answer& a, bool copy = true);
// Reads kAnswerColumns starting at column `first`.
Answer read_answer(sqlite3_stmt* s, int first = 0);

}  // namespace tp::sql
