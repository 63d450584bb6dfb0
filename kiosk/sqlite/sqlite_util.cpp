#include "sqlite_util.h"

#include <sys/statvfs.h>

#include <filesystem>
#include <mutex>

#include "sync_words.h"

namespace tp::sql {

std::optional<std::int64_t> scalar(sqlite3* db, const char* sql) {
  Stmt s(db, sql);
  if (!s || sqlite3_step(s.get()) != SQLITE_ROW) return std::nullopt;
  return sqlite3_column_int64(s.get(), 0);
}

std::int64_t free_disk_bytes(const std::string& path) {
  namespace fs = std::filesystem;
  struct statvfs st {};
  std::error_code ec;
  fs::path p(path);
  fs::path dir = fs::is_directory(p, ec) ? p : p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (statvfs(dir.c_str(), &st) != 0) return -1;
  return static_cast<std::int64_t>(st.f_bavail) * static_cast<std::int64_t>(st.f_frsize);
}

void tune_library() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

Status failure(sqlite3* db, int rc, std::string_view what, const std::string& path) {
  int primary = rc & 0xFF;
  std::string head = "Unable to " + std::string(what) + " in " + path + ": ";
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (primary == SQLITE_FULL)
    return Status::failure(Fault::storage_full, head + "disk full (" + describe_bytes(free_disk_bytes(path)) + " free)");
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
    return Status::failure(Fault::storage_corrupt, head + "the database file is damaged (" + detail + ")");
  return Status::failure(Fault::storage_unavailable, head + detail);
}

void bind_answer(sqlite3_stmt* s, const Answer& a, bool copy) {
  auto text = [&](int i, const std::string& v) { copy ? bind_text(s, i, v) : bind_text_static(s, i, v); };
  text(1, a.uuid);
  text(2, a.set_id);
  sqlite3_bind_int(s, 3, a.set_version);
  text(4, a.question_id);
  text(5, a.session_id);
  if (a.score)
    sqlite3_bind_int(s, 6, *a.score);
  else
    sqlite3_bind_null(s, 6);
  if (a.text)
    text(7, *a.text);
  else
    sqlite3_bind_null(s, 7);
  if (a.choice)
    text(8, *a.choice);
  else
    sqlite3_bind_null(s, 8);
  text(9, a.language);
  sqlite3_bind_int64(s, 10, a.stamp.unix_seconds);
  sqlite3_bind_int(s, 11, a.stamp.clock_trusted ? 1 : 0);
  text(12, a.stamp.boot_id);
  sqlite3_bind_int64(s, 13, a.stamp.monotonic_ms);
  sqlite3_bind_int(s, 14, a.rapid_repeat ? 1 : 0);
}

Answer read_answer(sqlite3_stmt* s, int first) {
  auto is_null = [&](int i) { return sqlite3_column_type(s, first + i) == SQLITE_NULL; };
  Answer a;
  a.uuid = column_text(s, first + 0);
  a.set_id = column_text(s, first + 1);
  a.set_version = sqlite3_column_int(s, first + 2);
  a.question_id = column_text(s, first + 3);
  a.session_id = column_text(s, first + 4);
  if (!is_null(5)) a.score = sqlite3_column_int(s, first + 5);
  if (!is_null(6)) a.text = column_text(s, first + 6);
  if (!is_null(7)) a.choice = column_text(s, first + 7);
  a.language = column_text(s, first + 8);
  a.stamp.unix_seconds = sqlite3_column_int64(s, first + 9);
  a.stamp.clock_trusted = sqlite3_column_int(s, first + 10) != 0;
  a.stamp.boot_id = column_text(s, first + 11);
  a.stamp.monotonic_ms = sqlite3_column_int64(s, first + 12);
  a.rapid_repeat = sqlite3_column_int(s, first + 13) != 0;
  return a;
}

}  // namespace tp::sql
