// The USB export of a kiosk with ANSWERS answers (default 1,000,000):
//  1. time: `tenpoint export` of answers.csv, report.html and codebook.txt
//     (each written, fsync'd and read back), the kiosk's device key set
//     aside so that no server bundle is written, against `sqlite3 -csv`
//     dumping the same rows' columns to a file on the same disk, the two
//     run in turn; the median of the RUNS pairs' ratios. Target: within
//     1.5x; "MISSED" when over. Then the whole export of an enrolled
//     kiosk, with the signed server bundle too (no target: the bundle's JSON
//     is about three times the CSV).
//  2. memory: the export's peak resident set (ru_maxrss of the child, from
//     wait4) at a quarter of ANSWERS and at ANSWERS, as a ratio. Flat means
//     near 1x. Notes are 2.5% of the answers here; the report keeps only the
//     ones it prints (the newest 200 per group) and one visit at a time;
//     the noted visits are found through two small partial indexes
//     (kiosk schema 5), so nothing is sorted or listed in memory.
//
// The database is a real kiosk.db, made by the kiosk's own store code, then
// filled by SQL INSERT ... SELECT in one transaction: visits of a score to
// "library" then a choice for "often" or, every 20th visit, a note to
// "not_lower"; English and every 5th visit Welsh; one visit in 50 a rapid
// repeat; spread over one year of opening hours (9:00 to 18:00) in the
// kiosk's quarter hours, all ended (closed). Both sizes span the same year.
// A device key in the data folder makes the export write the server bundle.
//
// Each command runs once to warm the page cache, then RUNS times; the
// medians are compared. Figures are only ratios within this run.
//
// Usage: bench_export TENPOINT SOURCE_DIR OUT_DIR [ANSWERS RUNS]
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "device_key.h"
#include "kiosk_store.h"

namespace fs = std::filesystem;

namespace {

constexpr double kTarget = 1.5;
constexpr std::int64_t kYearStart = 1735689600;  // 1 January 2025, 00:00 UTC
constexpr std::int64_t kSlotsPerDay = 36;        // quarter hours from 9:00 to 18:00
constexpr std::int64_t kSlots = 365 * kSlotsPerDay;

struct Child {
  int status = -1;
  double seconds = 0;
  long max_rss_kb = 0;
};

// Runs `argv` with stdout to `out` (or /dev/null), stderr to /dev/null; waits with wait4 for its rusage.
Child run(const std::vector<std::string>& argv, const std::string& out = "/dev/null") {
  Child c;
  std::fflush(stdout);  // else the child would print what is buffered again
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* o = std::freopen(out.c_str(), "w", stdout);
    std::FILE* e = std::freopen("/dev/null", "w", stderr);
    (void)o;
    (void)e;
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
  struct rusage ru {};
  ::wait4(pid, &c.status, 0, &ru);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.max_rss_kb = ru.ru_maxrss;
  return c;
}

bool exited_ok(const Child& c) { return WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0; }

// A kiosk database of `answers` answers in `dir`/kiosk.db, with a device key beside it.
bool make_kiosk(const std::string& dir, std::int64_t answers) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = dir + "/kiosk.db";
  {
    tp::KioskStore store({path, std::nullopt});
    if (tp::Status s = store.answers.probe(); !s) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return false;
    }
  }
  if (!tp::load_or_make_device_key(dir)) return false;
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return false;
  // Answer i belongs to visit i/2: its score first, then a choice or a note.
  const std::int64_t visits = (answers + 1) / 2;
  const std::string sql =
      "PRAGMA synchronous=OFF; BEGIN;"
      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < " +
      std::to_string(answers) + "), a AS (SELECT i, i / 2 AS v, i % 2 AS second, ((i / 2) * " + std::to_string(kSlots) + " / " +
      std::to_string(visits) +
      ") AS slot FROM n) "
      "INSERT INTO answers(uuid, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, clock_trusted, "
      "boot_id, monotonic_ms, rapid_repeat, closed) SELECT "
      "printf('%08x-0000-4000-8000-%012x', i / 65536, i), 'library-demo', 1, "
      "CASE WHEN second = 0 THEN 'library' WHEN v % 20 = 0 THEN 'not_lower' ELSE 'often' END, "
      "printf('%08x-1111-4111-8111-%012x', v / 65536, v), "
      "CASE WHEN second = 0 THEN (v * 7 + v / 13) % 11 END, "
      "CASE WHEN second = 1 AND v % 20 = 0 THEN 'What makes it a ' || ((v * 7 + v / 13) % 11) || ': the staff, and the quiet room ' || (v "
      "% 97) END, "
      "CASE WHEN second = 1 AND v % 20 <> 0 THEN CASE v % 3 WHEN 0 THEN 'weekly' WHEN 1 THEN 'monthly' ELSE 'first' END END, "
      "CASE WHEN v % 5 = 0 THEN 'cy' ELSE 'en' END, " +
      std::to_string(kYearStart) + " + (slot / " + std::to_string(kSlotsPerDay) + ") * 86400 + 9 * 3600 + (slot % " +
      std::to_string(kSlotsPerDay) + ") * 900, 1, '6b1c0e4a-3c55-4a8e-9d1f-2f8f0c1d7e21', 1000 + i * 1000, v % 50 = 0, 1 FROM a; COMMIT;";
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) std::fprintf(stderr, "Unable to fill %s: %s\n", path.c_str(), err ? err : "?");
  sqlite3_free(err);
  sqlite3_close(db);
  return rc == SQLITE_OK;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

struct ExportRun {
  bool ok = false;
  double seconds = 0;
  long max_rss_kb = 0;
};

ExportRun export_once(const std::string& tenpoint, const std::string& src, const std::string& dir, bool with_bundle = true) {
  const std::string stick = dir + "/stick";
  fs::remove_all(stick);
  fs::create_directories(stick);
  Child c = run({tenpoint, "export", "--db", dir + "/kiosk.db", "--to", stick, "--config", src + "/config/kiosk.example.json"});
  ExportRun r{exited_ok(c), c.seconds, c.max_rss_kb};
  bool bundle = false;
  for (const auto& e : fs::directory_iterator(stick)) bundle = bundle || fs::exists(e.path() / "server-bundle" / "manifest.sig");
  if (bundle != with_bundle) r.ok = false;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_export TENPOINT SOURCE_DIR OUT_DIR [ANSWERS RUNS]\n");
    return 2;
  }
  const std::string tenpoint = argv[1], src = argv[2], out = argv[3];
  const std::int64_t answers = argc > 4 ? std::atoll(argv[4]) : 1'000'000;
  const int runs = argc > 5 ? std::atoi(argv[5]) : 3;
  if (std::system("command -v sqlite3 >/dev/null 2>&1") != 0) {
    std::printf("sqlite3 (the command) is not installed: no baseline; skipping\n");
    return 77;
  }
  ::setenv("TZ", "UTC", 1);  // the export's hours; the same figures whatever the machine's zone

  const std::string big = out + "/kiosk-" + std::to_string(answers), small = out + "/kiosk-" + std::to_string(answers / 4);
  std::printf("Making two kiosk databases (%lld and %lld answers) ...\n", static_cast<long long>(answers),
              static_cast<long long>(answers / 4));
  std::fflush(stdout);
  if (!make_kiosk(big, answers) || !make_kiosk(small, answers / 4)) return 1;

  // 1. Time, against sqlite3 -csv dumping the same rows' columns.
  const std::string columns =
      "uuid, session_id, set_id, set_version, question_id, language, recorded_at, score, choice, text, rapid_repeat";
  const std::string dump = big + "/dump.csv";
  std::vector<std::string> baseline_cmd = {"/bin/sh", "-c",
                                           "sqlite3 -csv '" + big + "/kiosk.db' 'SELECT " + columns + " FROM answers' > '" + dump + "'"};
  std::vector<double> base_s, export_s;
  // 1a. answers.csv, report.html and codebook.txt (the key set aside),
  // each run right after a run of the baseline: on a shared machine the
  // disk's speed drifts, and a pair sees the same drift. The ratio is the
  // median of the pairs' ratios.
  fs::rename(big + "/device.key", big + "/device.key.aside");
  std::vector<double> plain_s, pair_ratios;
  run(baseline_cmd);                                          // warm the page cache
  bool plain_ok = export_once(tenpoint, src, big, false).ok;  // warm
  for (int i = 0; plain_ok && i < runs; ++i) {
    Child c = run(baseline_cmd);
    if (!exited_ok(c)) {
      std::printf("sqlite3 -csv failed\n");
      return 1;
    }
    base_s.push_back(c.seconds);
    ExportRun r = export_once(tenpoint, src, big, false);
    plain_ok = r.ok;
    plain_s.push_back(r.seconds);
    pair_ratios.push_back(r.seconds / c.seconds);
  }
  const auto dump_bytes = fs::exists(dump) ? fs::file_size(dump) : 0;
  fs::remove(dump);
  auto written = [&] {
    std::uintmax_t bytes = 0;
    for (const auto& e : fs::recursive_directory_iterator(big + "/stick"))
      if (e.is_regular_file()) bytes += e.file_size();
    return bytes;
  };
  const std::uintmax_t plain_bytes = plain_ok ? written() : 0;
  fs::rename(big + "/device.key.aside", big + "/device.key");
  if (!plain_ok) {
    std::printf("tenpoint export (no device key) failed, or wrote a server bundle, on %s\n", big.c_str());
    return 1;
  }
  const double plain_ratio = median(pair_ratios);
  std::printf(
      "export of %lld answers (answers.csv, report.html, codebook.txt): %.2f s (%.0f MB written and read back) against "
      "sqlite3 -csv: %.2f s (%.0f MB)\n",
      static_cast<long long>(answers), median(plain_s), static_cast<double>(plain_bytes) / 1e6, median(base_s),
      static_cast<double>(dump_bytes) / 1e6);
  std::printf("export time ratio against sqlite3 -csv: %.2fx (target %.1fx)%s\n", plain_ratio, kTarget,
              plain_ratio > kTarget ? " MISSED" : "");

  // 1b. The whole export of an enrolled kiosk: the server bundle too.
  ExportRun warm = export_once(tenpoint, src, big);
  if (!warm.ok) {
    std::printf("tenpoint export failed (or wrote no server bundle) on %s\n", big.c_str());
    return 1;
  }
  std::vector<long> rss_big = {warm.max_rss_kb};
  for (int i = 0; i < runs; ++i) {
    ExportRun r = export_once(tenpoint, src, big);
    if (!r.ok) return 1;
    export_s.push_back(r.seconds);
    rss_big.push_back(r.max_rss_kb);
  }
  const double ratio = median(export_s) / median(base_s);
  std::printf("export of %lld answers with the server bundle: %.2f s (%.0f MB written and read back)\n", static_cast<long long>(answers),
              median(export_s), static_cast<double>(written()) / 1e6);
  std::printf("export with the server bundle, time ratio against sqlite3 -csv: %.2fx (no target)\n", ratio);

  // 2. Peak memory at a quarter of the answers and at all of them.
  std::vector<long> rss_small;
  for (int i = 0; i < runs; ++i) {
    ExportRun r = export_once(tenpoint, src, small);
    if (!r.ok) return 1;
    rss_small.push_back(r.max_rss_kb);
  }
  const long big_kb = *std::max_element(rss_big.begin(), rss_big.end()), small_kb = *std::max_element(rss_small.begin(), rss_small.end());
  std::printf("peak RSS: %ld KB at %lld answers, %ld KB at %lld answers\n", small_kb, static_cast<long long>(answers / 4), big_kb,
              static_cast<long long>(answers));
  std::printf("peak RSS ratio, 4x the answers against 1x: %.2fx (flat is 1x)\n",
              static_cast<double>(big_kb) / static_cast<double>(small_kb));
  fs::remove_all(big + "/stick");
  fs::remove_all(small + "/stick");
  return 0;
}
