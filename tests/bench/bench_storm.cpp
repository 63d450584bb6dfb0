// Reconnect storm: many kiosks come back at once (after a venue's network
// outage, or the server's), each with a new TLS connection, an enrolment
// and its whole backlog in one batch. Everything must be stored exactly
// once; the time is set against a bulk insert of the same rows into a
// database with the server's schema and pragmas (bulk_insert_baseline),
// measured in the same run.
//
// Threads each drive their share of the kiosks one after another, so the
// server sees THREADS kiosks at a time: 2,000 threads on two cores would
// measure the scheduler, not the server.
//
// The batches are made and gzipped before the clock starts: a kiosk has
// its backlog ready when the network returns.
//
// Usage: bench_storm TENPOINT_SERVER BULK_INSERT_BASELINE OUT_DIR [KIOSKS ANSWERS THREADS [NOTE]]
#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <latch>
#include <mutex>
#include <sstream>
#include <thread>

#include "bench_server.h"
#include "load_kiosk.h"

namespace {

using tp::bench::Steady;
// The whole storm is abandoned after this; the run reports it as failed.
constexpr auto kStormLimit = std::chrono::minutes(10);

struct KioskOutcome {
  bool enrolled = false, acknowledged = false;
  std::int64_t stored = 0, duplicates = 0, quarantined = 0;
  int retries = 0;
  std::string error;
};

long long count(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  long long v = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_storm TENPOINT_SERVER BULK_INSERT_BASELINE OUT_DIR [KIOSKS ANSWERS THREADS [NOTE]]\n");
    return 2;
  }
  const std::string server_binary = argv[1], baseline_binary = argv[2], dir = argv[3];
  const int kiosks = argc > 4 ? std::atoi(argv[4]) : 2000;
  const int answers = argc > 5 ? std::atoi(argv[5]) : 500;
  const int threads = argc > 6 ? std::atoi(argv[6]) : 200;
  const std::string note = argc > 7 ? argv[7] : "";
  const long long expected = static_cast<long long>(kiosks) * answers;

  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  tp::test::TestPki pki(dir);
  tp::test::CertFiles cert = pki.server_cert("server", {"localhost"}, {"127.0.0.1"});
  const std::string data = dir + "/server", db = data + "/server.db";
  // Enrolment is limited per address against code guessing, and so are
  // connections; every simulated kiosk here shares 127.0.0.1.
  tp::bench::BenchServer server(server_binary, {"--data", data}, cert, dir + "/server.log",
                                {"--enrol-per-minute", "10000000", "--max-connections-per-address", "1000"});
  std::vector<std::string> codes = server.enrol_codes(kiosks);

  std::vector<std::string> bodies(static_cast<std::size_t>(kiosks));
  {
    std::vector<std::thread> makers;
    for (int m = 0; m < 2; ++m)
      makers.emplace_back([&, m] {
        for (int k = m; k < kiosks; k += 2)
          bodies[static_cast<std::size_t>(k)] =
              tp::gzip_compress(tp::wire::encode(tp::bench::answer_batch("storm-" + std::to_string(k), 1, answers)));
      });
    for (auto& t : makers) t.join();
  }

  std::vector<KioskOutcome> outcomes(static_cast<std::size_t>(kiosks));
  std::latch go(1);
  auto give_up = Steady::now() + kStormLimit;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      go.wait();
      for (int k = t; k < kiosks; k += threads) {
        KioskOutcome& o = outcomes[static_cast<std::size_t>(k)];
        tp::bench::KioskOptions options;
        options.servers = {server.url()};
        options.ca_file = pki.ca_file();
        options.max_attempts = 1000;  // a kiosk keeps trying; give_up bounds it
        options.give_up = give_up;
        tp::bench::LoadKiosk kiosk("storm-" + std::to_string(k), options);
        auto enrolled = kiosk.enrol(codes[static_cast<std::size_t>(k)]);
        o.enrolled = enrolled.ok;
        if (!enrolled.ok) {
          o.error = "enrol: " + enrolled.error;
          continue;
        }
        auto sent = kiosk.send_batch(bodies[static_cast<std::size_t>(k)]);
        o.retries = kiosk.retries();
        if (!sent.ok) {
          o.error = "batch: " + sent.error;
          continue;
        }
        auto reply = tp::wire::decode_batch_reply(sent.body);
        if (auto* r = std::get_if<tp::wire::BatchReply>(&reply)) {
          o.acknowledged = true;
          o.stored = r->stored;
          o.duplicates = r->duplicates;
          o.quarantined = static_cast<std::int64_t>(r->quarantined.size());
        } else {
          o.error = "unreadable reply: " + std::get<std::string>(reply);
        }
      }
    });
  auto start = Steady::now();
  go.count_down();
  for (auto& w : workers) w.join();
  double storm_s = std::chrono::duration<double>(Steady::now() - start).count();
  server.stop();

  int enrolled = 0, acknowledged = 0, retries = 0;
  std::int64_t stored = 0, duplicates = 0, quarantined_replies = 0;
  std::string first_error;
  for (const auto& o : outcomes) {
    enrolled += o.enrolled;
    acknowledged += o.acknowledged;
    retries += o.retries;
    stored += o.stored;
    duplicates += o.duplicates;
    quarantined_replies += o.quarantined;
    if (first_error.empty() && !o.error.empty()) first_error = o.error;
  }
  long long rows = count(db, "SELECT count(*) FROM answers");
  long long distinct = count(db, "SELECT count(DISTINCT uuid) FROM answers");
  long long quarantine = count(db, "SELECT count(*) FROM quarantine");
  long long devices = count(db, "SELECT count(DISTINCT device_id) FROM answers");
  long long uneven = count(
      db, "SELECT count(*) FROM (SELECT device_id FROM answers GROUP BY device_id HAVING count(*) != " + std::to_string(answers) + ")");
  bool exactly_once =
      rows == expected && distinct == expected && quarantine == 0 && devices == kiosks && uneven == 0 && acknowledged == kiosks;

  // The limit: the same rows, from the server's database, in one transaction.
  std::string baseline_out;
  int rc = tp::test::run_command({baseline_binary, db, db, "server", dir + "/bulk.db"}, baseline_out, std::chrono::minutes(10));
  long long bulk_rows = 0;
  double bulk_s = 0;
  if (rc != 0 || std::sscanf(baseline_out.c_str(), "rows %lld seconds %lf", &bulk_rows, &bulk_s) != 2) {
    std::printf("reconnect storm: the bulk insert baseline failed: %s\n", baseline_out.c_str());
    return 1;
  }

  std::printf("reconnect storm: %d kiosks (%d threads, each driving %d in turn), each a new TLS connection, an enrolment and %d answers\n",
              kiosks, threads, (kiosks + threads - 1) / threads, answers);
  std::printf("  in one gzip batch (server: --enrol-per-minute 10000000, --max-connections-per-address 1000, as all share 127.0.0.1)\n");
  if (!note.empty()) std::printf("  %s\n", note.c_str());
  std::printf("  storm, first connection to last reply:  %7.2f s = %9.0f answers/s  (%d retries)\n", storm_s,
              static_cast<double>(expected) / storm_s, retries);
  std::printf("  bulk insert, server schema and pragmas:  %7.2f s = %9.0f answers/s  (the limit: one transaction, %lld rows, no network)\n",
              bulk_s, static_cast<double>(bulk_rows) / bulk_s, bulk_rows);
  std::printf("  ratio, storm time / bulk insert time:    %7.2f   (rate %.2f of the limit)\n", storm_s / bulk_s, bulk_s / storm_s);
  std::printf(
      "  stored exactly once: %s  (rows %lld, distinct ids %lld, expected %lld; %lld devices, %lld with a wrong count; quarantine %lld;\n",
      exactly_once ? "yes" : "NO", rows, distinct, expected, devices, uneven, quarantine);
  std::printf("    replies: %d of %d enrolled, %d acknowledged, %lld stored + %lld duplicates, %lld quarantined)\n", enrolled, kiosks,
              acknowledged, static_cast<long long>(stored), static_cast<long long>(duplicates),
              static_cast<long long>(quarantined_replies));
  if (!first_error.empty()) std::printf("  first error: %s\n", first_error.c_str());
  char line[240];
  std::snprintf(line, sizeof line, "storm: %d kiosks x %d answers in %.1f s vs bulk insert %.1f s = %.1fx the time; exactly once: %s",
                kiosks, answers, storm_s, bulk_s, storm_s / bulk_s, exactly_once ? "yes" : "NO");
  tp::bench::add_to_summary(line);
  return exactly_once ? 0 : 1;
}
