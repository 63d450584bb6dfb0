// Answer commit latency: SqliteAnswerStore::commit against a plain loop of
// single-row SQLite inserts with the same pragmas, on the same disk, in the
// same run. Prints p50/p99 of each and their ratios.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "kiosk_store.h"

using Clock = std::chrono::steady_clock;

namespace {

struct Lat {
  double p50, p99;
};

Lat summarise(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

struct Plain {
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  explicit Plain(const std::string& path) {
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr);
    sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, uuid TEXT, question TEXT, score INTEGER, at INTEGER)", nullptr, nullptr,
                 nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO t(uuid, question, score, at) VALUES(?1, 'library', ?2, ?3)", -1, &insert, nullptr);
  }
  ~Plain() {
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }
  void commit(const std::string& uuid, int score) {
    sqlite3_bind_text(insert, 1, uuid.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(insert, 2, score);
    sqlite3_bind_int64(insert, 3, 1764500400);
    if (sqlite3_step(insert) != SQLITE_DONE) std::abort();
    sqlite3_reset(insert);
  }
};

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : ".";
  int n = argc > 2 ? std::atoi(argv[2]) : 3000;
  std::filesystem::create_directories(dir);
  // One commit of each in turn, so that disk noise falls on both alike.
  remove_db(dir + "/plain.db");
  remove_db(dir + "/store.db");
  Plain baseline(dir + "/plain.db");
  tp::KioskStore store_db({dir + "/store.db", std::nullopt});
  if (!store_db.answers.probe()) std::abort();
  std::vector<double> plain, store;
  for (int i = 0; i < 2 * n; ++i) {
    std::string uuid = tp::random_uuid();
    auto t0 = Clock::now();
    baseline.commit(uuid, i % 11);
    auto t1 = Clock::now();
    tp::Answer a;
    a.uuid = uuid;
    a.set_id = "library-demo";
    a.set_version = 1;
    a.question_id = "library";
    a.session_id = tp::random_uuid();
    a.score = i % 11;
    a.language = "en";
    a.stamp = {1764500400, true, "boot", 0};
    auto t2 = Clock::now();
    if (!store_db.answers.commit(a)) std::abort();
    auto t3 = Clock::now();
    plain.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    store.push_back(std::chrono::duration<double, std::micro>(t3 - t2).count());
  }
  Lat lp = summarise(plain), ls = summarise(store);
  std::printf("commit latency, %d single-answer commits each, WAL + synchronous=FULL, same disk\n", 2 * n);
  std::printf("  plain C loop of single-row inserts: p50 %7.1f us  p99 %7.1f us\n", lp.p50, lp.p99);
  std::printf("  SqliteAnswerStore::commit:           p50 %7.1f us  p99 %7.1f us\n", ls.p50, ls.p99);
  std::printf("  ratio store/plain:                   p50 %7.2fx   p99 %7.2fx   (target: within 1.5x)\n", ls.p50 / lp.p50, ls.p99 / lp.p99);
  return 0;
}
