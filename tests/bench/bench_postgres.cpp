// One SQLite server against two servers sharing one PostgreSQL database,
// under the same load: KIOSKS kiosks, each on one kept-alive connection,
// running ROUNDS rounds of a 20-answer batch and a heartbeat as fast as
// they can. Then the same on PostgreSQL again, with one of the two servers
// killed (SIGKILL) halfway: its kiosks carry on against the other, and
// every answer any kiosk sent must be stored exactly once.
//
// PostgreSQL runs durable here (fsync and synchronous_commit on, the
// defaults), as SQLite does (synchronous=FULL): the test cluster's own
// settings turn fsync off for speed, which would compare a durable store
// with one that is not. So the cluster is made by PostgresCluster (user,
// folder, watchdog), then restarted with the default durability.
//
//   phase       servers                 kiosks            checked
//   sqlite      1, SQLite               all on it         rows == answers sent
//   postgresql  2, one PostgreSQL db    half on each      -
//   failover    the same 2; one killed  half on each,     rows == distinct ids sent
//               at half the rounds      then all on one   (both PostgreSQL phases),
//                                                         quarantine empty
//
// Usage: bench_postgres TENPOINT_SERVER OUT_DIR [KIOSKS ROUNDS]
// Exits 77 (and says why) where PostgreSQL 15 cannot run.
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <latch>
#include <mutex>
#include <unordered_set>

#include "bench_server.h"
#include "load_kiosk.h"
#include "postgres.h"

namespace {

using tp::bench::Steady;
constexpr int kAnswersPerBatch = 20;
// A phase that has not finished by then has hung; the run stops there.
constexpr auto kPhaseLimit = std::chrono::minutes(5);
// Serve options for every server here: all kiosks share 127.0.0.1, and the
// load runs rounds back to back, faster than the per-kiosk default allows.
const std::vector<std::string> kServeOptions = {
    "--max-connections-per-address", "1000", "--kiosk-rate", "100000", "--enrol-per-minute", "1000000"};

struct Phase {
  double seconds = 0;
  long requests = 0, failures = 0, failovers = 0;
  std::vector<double> latencies_ms;
  std::string first_error;
  double per_second() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// Runs `rounds` rounds on every kiosk at once. `sent` collects every answer
// id put in a batch; `on_round` is told how many rounds are done in all.
Phase run_rounds(std::vector<std::unique_ptr<tp::bench::LoadKiosk>>& kiosks, int rounds, std::int64_t first_seq,
                 std::unordered_set<std::string>& sent, const std::function<void(long)>& on_round = {}) {
  Phase phase;
  std::mutex mutex;
  std::atomic<long> done{0};
  std::latch go(1);
  std::vector<std::thread> threads;
  for (auto& k : kiosks)
    threads.emplace_back([&, kiosk = k.get()] {
      std::vector<double> mine;
      std::vector<std::string> ids;
      long failures = 0;
      std::string error;
      go.wait();
      for (int round = 0; round < rounds; ++round) {
        tp::wire::Batch batch =
            tp::bench::answer_batch(kiosk->name(), first_seq + std::int64_t{round} * kAnswersPerBatch, kAnswersPerBatch);
        for (const auto& a : batch.answers) ids.push_back(a.answer.uuid);
        std::string body = tp::gzip_compress(tp::wire::encode(batch));
        for (const tp::bench::Sent& s : {kiosk->send_batch(body), kiosk->heartbeat(tp::bench::heartbeat_body(round))}) {
          mine.push_back(s.ms);
          if (!s.ok) {
            ++failures;
            if (error.empty()) error = s.error;
          }
        }
        long now = ++done;
        if (on_round) on_round(now);
      }
      std::lock_guard lock(mutex);
      phase.latencies_ms.insert(phase.latencies_ms.end(), mine.begin(), mine.end());
      sent.insert(ids.begin(), ids.end());
      phase.failures += failures;
      if (phase.first_error.empty()) phase.first_error = error;
    });
  auto start = Steady::now();
  go.count_down();
  for (auto& t : threads) t.join();
  phase.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  phase.requests = static_cast<long>(phase.latencies_ms.size());
  for (auto& k : kiosks) phase.failovers += k->failovers();
  return phase;
}

// Kiosks enrolled with `codes`; kiosk i starts on servers[i % n] and fails
// over to the others in turn.
std::vector<std::unique_ptr<tp::bench::LoadKiosk>> enrolled_kiosks(const std::vector<std::string>& servers, const std::string& ca_file,
                                                                   const std::vector<std::string>& codes, const std::string& prefix) {
  std::vector<std::unique_ptr<tp::bench::LoadKiosk>> kiosks;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    tp::bench::KioskOptions options;
    for (std::size_t s = 0; s < servers.size(); ++s) options.servers.push_back(servers[(i + s) % servers.size()]);
    options.ca_file = ca_file;
    options.max_attempts = 200;  // through a failover; give_up bounds it
    options.give_up = Steady::now() + 3 * kPhaseLimit;
    kiosks.push_back(std::make_unique<tp::bench::LoadKiosk>(prefix + std::to_string(i), options));
  }
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  std::string error;
  std::mutex mutex;
  for (std::size_t i = 0; i < kiosks.size(); ++i)
    threads.emplace_back([&, i] {
      auto r = kiosks[i]->enrol(codes[i]);
      if (!r.ok) {
        ++failed;
        std::lock_guard lock(mutex);
        error = r.error;
      }
    });
  for (auto& t : threads) t.join();
  if (failed > 0) throw std::runtime_error("Unable to enrol " + std::to_string(failed.load()) + " kiosks: " + error);
  return kiosks;
}

std::string describe(const char* name, Phase& p) {
  double p50 = tp::bench::percentile(p.latencies_ms, 50), p99 = tp::bench::percentile(p.latencies_ms, 99);
  char line[200];
  std::snprintf(line, sizeof line, "  %-44s %8.0f requests/s  p50 %6.1f ms  p99 %7.1f ms  failed %ld  failovers %ld", name, p.per_second(),
                p50, p99, p.failures, p.failovers);
  return line;
}

// Restarts the cluster durable; see the top of this file.
void restart_durable(tp::test::PostgresCluster& cluster) {
  cluster.crash();
  const char* bin_env = std::getenv("TENPOINT_TEST_PG_BIN");
  std::string bin = bin_env && *bin_env ? bin_env : "/usr/lib/postgresql/15/bin";
  std::vector<std::string> argv = {bin + "/pg_ctl",
                                   "-D",
                                   cluster.dir() + "/data",
                                   "-l",
                                   cluster.dir() + "/log",
                                   "-w",
                                   "-t",
                                   "60",
                                   "-o",
                                   "-k " + cluster.dir() + " -c listen_addresses='' -c max_connections=200",
                                   "start"};
  // Under root the cluster belongs to the unprivileged user postgres.cpp
  // made (PostgreSQL refuses to run as root).
  if (::geteuid() == 0) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "tenpoint-pg", "--"});
  std::string out;
  if (tp::test::run_command(argv, out, std::chrono::seconds(60)) != 0)
    throw std::runtime_error("Unable to restart PostgreSQL durable: " + out);
}

long long sqlite_count(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  long long v = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_postgres TENPOINT_SERVER OUT_DIR [KIOSKS ROUNDS]\n");
    return 2;
  }
  const std::string binary = argv[1], dir = argv[2];
  const int kiosk_count = argc > 3 ? std::atoi(argv[3]) : 50;
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 20;
  if (std::string why = tp::test::PostgresCluster::unavailable_reason(); !why.empty()) {
    std::printf("PostgreSQL: not measured: %s\n", why.c_str());
    tp::bench::add_to_summary("postgresql: not measured: " + why);
    return 77;
  }
  try {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    tp::test::TestPki pki(dir);
    tp::test::CertFiles cert = pki.server_cert("server", {"localhost"}, {"127.0.0.1"});

    // SQLite: one server.
    std::unordered_set<std::string> sqlite_sent;
    Phase sqlite_phase;
    long long sqlite_rows = 0;
    {
      const std::string data = dir + "/sqlite";
      tp::bench::BenchServer server(binary, {"--data", data}, cert, dir + "/sqlite.log", kServeOptions);
      auto kiosks = enrolled_kiosks({server.url()}, pki.ca_file(), server.enrol_codes(kiosk_count), "sqlite-");
      sqlite_phase = run_rounds(kiosks, rounds, 1, sqlite_sent);
      server.stop();
      sqlite_rows = sqlite_count(data + "/server.db", "SELECT count(*) FROM answers");
    }

    // PostgreSQL: two servers on one database.
    tp::test::PostgresCluster cluster;
    restart_durable(cluster);
    const std::string url = cluster.create_database("tenpoint_bench");
    // Servers on one database share one code key.
    const std::vector<std::string> store = {"--database", url, "--secrets", dir + "/pg-secrets"};
    tp::bench::BenchServer first(binary, store, cert, dir + "/pg-first.log", kServeOptions);
    tp::bench::BenchServer second(binary, store, cert, dir + "/pg-second.log", kServeOptions);
    auto codes = tp::bench::BenchServer::make_codes(binary, store, kiosk_count, 4);
    auto kiosks = enrolled_kiosks({first.url(), second.url()}, pki.ca_file(), codes, "pg-");
    std::unordered_set<std::string> pg_sent;
    Phase pg_phase = run_rounds(kiosks, rounds, 1, pg_sent);

    // The same again; the second server dies at half the rounds.
    std::atomic<bool> killed{false};
    const long half = static_cast<long>(kiosk_count) * rounds / 2;
    Phase failover_phase = run_rounds(kiosks, rounds, 1 + std::int64_t{rounds} * kAnswersPerBatch, pg_sent, [&](long done) {
      if (done >= half && !killed.exchange(true)) {
        second.kill_now();
      }
    });
    first.stop();

    tp::test::PgClient pg(url);
    long long pg_rows = pg.number("SELECT count(*) FROM answers");
    long long pg_distinct = pg.number("SELECT count(DISTINCT uuid) FROM answers");
    long long pg_quarantine = pg.number("SELECT count(*) FROM quarantine");
    bool sqlite_once = sqlite_rows == static_cast<long long>(sqlite_sent.size()) && sqlite_phase.failures == 0;
    bool pg_once = pg_rows == static_cast<long long>(pg_sent.size()) && pg_distinct == pg_rows && pg_quarantine == 0 &&
                   pg_phase.failures == 0 && failover_phase.failures == 0;
    double ratio = sqlite_phase.per_second() > 0 ? pg_phase.per_second() / sqlite_phase.per_second() : 0;

    std::printf("PostgreSQL against SQLite: %d kiosks on kept-alive connections, %d rounds each of a %d-answer batch and a heartbeat\n",
                kiosk_count, rounds, kAnswersPerBatch);
    std::printf("  (both durable: SQLite synchronous=FULL, PostgreSQL 15 fsync and synchronous_commit on; servers started with\n");
    std::printf("  --max-connections-per-address 1000 --kiosk-rate 100000, as all kiosks share 127.0.0.1 and run rounds back to back)\n");
    std::printf("%s\n", describe("one server on SQLite (the baseline)", sqlite_phase).c_str());
    std::printf("%s\n", describe("two servers on one PostgreSQL database", pg_phase).c_str());
    std::printf("%s\n", describe("the same, one server killed -9 halfway", failover_phase).c_str());
    std::printf("  ratio, two servers on PostgreSQL / one on SQLite: %.2fx throughput\n", ratio);
    std::printf("  SQLite: %lld rows for %zu answers sent: %s\n", sqlite_rows, sqlite_sent.size(),
                sqlite_once ? "exactly once" : "MISMATCH");
    std::printf("  PostgreSQL after the kill: %lld rows, %lld distinct ids, %zu distinct ids sent, quarantine %lld: %s\n", pg_rows,
                pg_distinct, pg_sent.size(), pg_quarantine, pg_once ? "exactly once" : "MISMATCH");
    for (Phase* p : {&sqlite_phase, &pg_phase, &failover_phase})
      if (!p->first_error.empty()) std::printf("  first error: %s\n", p->first_error.c_str());
    char line[240];
    std::snprintf(
        line, sizeof line,
        "postgresql: 2 servers on PostgreSQL %.0f req/s vs 1 on SQLite %.0f req/s = %.2fx; after kill -9 of one: %.0f req/s, exactly "
        "once: %s",
        pg_phase.per_second(), sqlite_phase.per_second(), ratio, failover_phase.per_second(), pg_once && sqlite_once ? "yes" : "NO");
    tp::bench::add_to_summary(line);
    return pg_once && sqlite_once ? 0 : 1;
  } catch (const std::exception& e) {
    std::printf("PostgreSQL benchmark failed: %s\n", e.what());
    return 1;
  }
}
