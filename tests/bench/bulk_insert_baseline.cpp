// The limit for storing answers on the server: the same rows inserted into
// an empty database with the server's schema and pragmas, in one
// transaction, through one prepared statement: no network, no TLS, no JSON,
// no gzip, no batches. The sync benchmarks divide their rates by this one.
//
// Shares no code with the server. The schema is copied from a database
// the real server wrote (its sqlite_master), so it is the server's own
// text, migrations included. The pragmas cannot be copied that way: all
// but page_size and journal_mode are settings of a connection, made in
// SqliteServerStore's constructor (sync/server/sqlite_server_store.cpp),
// not stored in the file. They are repeated below and must follow it.
//
// The rows are read into memory first, outside the timing, so that only
// the insert and its commit (with its fsync and any checkpoint the commit
// triggers) are timed.
//
// Usage: bulk_insert_baseline SCHEMA_DB SOURCE_DB kiosk|server OUT_DB
//   SCHEMA_DB  a database written by tenpoint-server
//   SOURCE_DB  where the rows come from: a kiosk's database (its answers
//              table) or a server's (the rows it stored)
// Prints one line: "rows N seconds S".
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace {

// The server's pragmas, as SqliteServerStore sets them.
const char* const kServerPragmas[] = {
    "PRAGMA page_size=16384",  // before the first table: it fixes the file's page size
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA cache_size=-65536",  // 64 MiB
    // The server checkpoints on a thread of its own, never inside a commit
    // (sync/server/wal_checkpointer.h): none here either.
    "PRAGMA wal_autocheckpoint=0",
};

// The 19 columns the server fills, in one order for reading and writing.
const char* const kColumns =
    "uuid, device_id, seq, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, clock_trusted, "
    "boot_id, monotonic_ms, rapid_repeat, corrected_at, batch_id, received_at";
constexpr int kColumnCount = 19;

// A kiosk's answers as the server would hold them from one device and one
// batch; a server's rows as they are.
const char* const kFromKiosk =
    "SELECT uuid, 'bench', seq, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, "
    "clock_trusted, boot_id, monotonic_ms, rapid_repeat, NULL, 'bulk', 0 FROM answers ORDER BY seq";
const std::string kFromServer = std::string("SELECT ") + kColumns + " FROM answers ORDER BY id";

// Every row's values, packed one after another: a type byte, then 8 bytes
// of integer, or a 4-byte length and the text; NULL is the byte alone.
// One buffer rather than a string per value: a million rows fit in about
// 250 MB instead of gigabytes.
struct Rows {
  std::string packed;
  std::int64_t count = 0;
};

bool check(sqlite3* db, int rc, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return true;
  std::fprintf(stderr, "Unable to %s: %s\n", what, sqlite3_errmsg(db));
  return false;
}

bool read_rows(const std::string& path, const std::string& sql, Rows& rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "Unable to open %s: %s\n", path.c_str(), sqlite3_errmsg(db));
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt* s = nullptr;
  bool ok = check(db, sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), "read the rows");
  int rc = SQLITE_ROW;
  while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    for (int c = 0; c < kColumnCount; ++c) {
      int type = sqlite3_column_type(s, c);
      rows.packed += static_cast<char>(type);
      if (type == SQLITE_INTEGER) {
        std::int64_t v = sqlite3_column_int64(s, c);
        rows.packed.append(reinterpret_cast<const char*>(&v), sizeof v);
      } else if (type != SQLITE_NULL) {
        // Text (the only other kind in these tables; a float would read as text and stay equal).
        const char* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
        auto n = static_cast<std::uint32_t>(sqlite3_column_bytes(s, c));
        rows.packed.append(reinterpret_cast<const char*>(&n), sizeof n);
        rows.packed.append(text, n);
      }
    }
    ++rows.count;
  }
  ok = ok && check(db, rc, "read the rows");
  sqlite3_finalize(s);
  sqlite3_close(db);
  return ok;
}

bool copy_schema(const std::string& from, sqlite3* to) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(from.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "Unable to open %s: %s\n", from.c_str(), sqlite3_errmsg(db));
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt* s = nullptr;
  // In the order the server made them (tables before their indexes);
  // SQLite's own tables are made by SQLite.
  bool ok = check(db,
                  sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
                                     -1, &s, nullptr),
                  "read the server's schema");
  int tables = 0;
  while (ok && sqlite3_step(s) == SQLITE_ROW) {
    ok =
        check(to, sqlite3_exec(to, reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), nullptr, nullptr, nullptr), "copy the schema");
    ++tables;
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  if (ok && tables == 0) {
    std::fprintf(stderr, "Unable to copy the schema: %s holds no tables (start tenpoint-server on it once)\n", from.c_str());
    return false;
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || (std::strcmp(argv[3], "kiosk") != 0 && std::strcmp(argv[3], "server") != 0)) {
    std::fprintf(stderr, "usage: bulk_insert_baseline SCHEMA_DB SOURCE_DB kiosk|server OUT_DB\n");
    return 2;
  }
  const std::string schema_db = argv[1], source_db = argv[2], out = argv[4];
  Rows rows;
  if (!read_rows(source_db, std::strcmp(argv[3], "kiosk") == 0 ? kFromKiosk : kFromServer, rows)) return 1;

  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(out + suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(out.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "Unable to create %s: %s\n", out.c_str(), sqlite3_errmsg(db));
    return 1;
  }
  bool ok = true;
  for (const char* pragma : kServerPragmas) ok = ok && check(db, sqlite3_exec(db, pragma, nullptr, nullptr, nullptr), pragma);
  ok = ok && copy_schema(schema_db, db);
  std::string insert =
      std::string("INSERT INTO answers(") + kColumns + ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)";
  sqlite3_stmt* ins = nullptr;
  ok = ok && check(db, sqlite3_prepare_v2(db, insert.c_str(), -1, &ins, nullptr), "prepare the insert");
  if (!ok) return 1;

  auto start = std::chrono::steady_clock::now();
  ok = check(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), "begin");
  const char* at = rows.packed.data();
  for (std::int64_t r = 0; ok && r < rows.count; ++r) {
    for (int c = 1; c <= kColumnCount; ++c) {
      int type = *at++;
      if (type == SQLITE_INTEGER) {
        std::int64_t v;
        std::memcpy(&v, at, sizeof v);
        at += sizeof v;
        sqlite3_bind_int64(ins, c, v);
      } else if (type == SQLITE_NULL) {
        sqlite3_bind_null(ins, c);
      } else {
        std::uint32_t n;
        std::memcpy(&n, at, sizeof n);
        at += sizeof n;
        sqlite3_bind_text(ins, c, at, static_cast<int>(n), SQLITE_STATIC);
        at += n;
      }
    }
    ok = check(db, sqlite3_step(ins), "insert a row");
    sqlite3_reset(ins);
  }
  ok = ok && check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sqlite3_finalize(ins);
  sqlite3_close(db);
  if (!ok) return 1;
  std::printf("rows %lld seconds %.3f\n", static_cast<long long>(rows.count), seconds);
  return 0;
}
