// Server under many kiosks: each thread is one kiosk that enrols, then runs
// rounds as fast as it can, each round a new TLS connection carrying a batch
// of 20 answers and a heartbeat. Run once with 1 kiosk (the baseline) and
// once with N; prints requests/s, p50/p99 latency and errors for both.
// Usage: bench_server_load URL CA_FILE CODES_FILE KIOSKS ROUNDS
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "curl_transport.h"
#include "gzip.h"
#include "sync_client.h"
#include "wire.h"

using Steady = std::chrono::steady_clock;

namespace {

struct Totals {
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<long> errors{0};
  std::string first_error;
};

tp::wire::Batch batch_of(int kiosk, int round) {
  tp::wire::Batch b{tp::random_uuid(), {}};
  for (int i = 0; i < 20; ++i) {
    tp::StoredAnswer s;
    s.seq = round * 20 + i;
    s.answer.uuid = tp::random_uuid();
    s.answer.set_id = "library-demo";
    s.answer.set_version = 1;
    s.answer.question_id = i % 2 ? "library" : "keep";
    s.answer.session_id = "k" + std::to_string(kiosk) + "-" + std::to_string(round);
    if (i % 2) s.answer.score = i % 11;
    else s.answer.text = "The staff are kind and always help";
    s.answer.language = "en";
    s.answer.stamp = {1764500400, true, "boot", 1000};
    b.answers.push_back(std::move(s));
  }
  return b;
}

void kiosk(int id, const tp::sync::SyncConfig& cfg, const std::string& code, int rounds, Totals& totals) {
  std::string token = tp::sync::new_device_token();
  {
    tp::sync::CurlTransport t(cfg);
    auto r = t.post("/api/v1/enrol", tp::wire::encode(tp::wire::EnrolRequest{code, "load-" + std::to_string(id), token}), "", false);
    if (!r.reached || r.status != 200) {
      ++totals.errors;
      std::lock_guard lock(totals.mutex);
      if (totals.first_error.empty()) totals.first_error = r.reached ? r.body : r.failure;
      return;
    }
  }
  std::string hb = tp::wire::encode(tp::wire::Heartbeat{"0.1.0", "library-demo", 1, 0, std::nullopt, 1 << 30, {true, 1764500400, "boot", 1}});
  std::vector<double> mine;
  for (int round = 0; round < rounds; ++round) {
    tp::sync::CurlTransport t(cfg);  // a new connection each round, as a kiosk waking up
    std::string body = tp::gzip_compress(tp::wire::encode(batch_of(id, round)));
    for (auto [path, payload, gz] : {std::tuple{"/api/v1/batches", &body, true}, std::tuple{"/api/v1/heartbeat", &hb, false}}) {
      auto t0 = Steady::now();
      auto r = t.post(path, *payload, token, gz);
      mine.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
      if (!r.reached || r.status != 200) {
        ++totals.errors;
        std::lock_guard lock(totals.mutex);
        if (totals.first_error.empty()) totals.first_error = r.reached ? std::to_string(r.status) + " " + r.body : r.failure;
      }
    }
  }
  std::lock_guard lock(totals.mutex);
  totals.latencies_ms.insert(totals.latencies_ms.end(), mine.begin(), mine.end());
}

struct Result {
  double rps, p50, p99;
  long errors;
  std::string first_error;
};

Result run(const tp::sync::SyncConfig& cfg, std::vector<std::string>& codes, int kiosks, int rounds) {
  Totals totals;
  std::vector<std::thread> threads;
  auto t0 = Steady::now();
  for (int i = 0; i < kiosks; ++i) {
    std::string code = codes.back();
    codes.pop_back();
    threads.emplace_back(kiosk, i, std::cref(cfg), code, rounds, std::ref(totals));
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  auto& l = totals.latencies_ms;
  std::sort(l.begin(), l.end());
  Result r{static_cast<double>(l.size()) / secs, l.empty() ? 0 : l[l.size() / 2], l.empty() ? 0 : l[l.size() * 99 / 100], totals.errors.load(),
           totals.first_error};
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: bench_server_load URL CA_FILE CODES_FILE KIOSKS ROUNDS\n");
    return 2;
  }
  tp::sync::SyncConfig cfg;
  cfg.server = argv[1];
  cfg.ca_file = argv[2];
  cfg.total_timeout_s = 120;
  std::vector<std::string> codes;
  std::ifstream in(argv[3]);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) codes.push_back(line);
  int kiosks = std::atoi(argv[4]), rounds = std::atoi(argv[5]);
  if (static_cast<int>(codes.size()) < kiosks + 1) {
    std::fprintf(stderr, "need %d enrolment codes, have %zu\n", kiosks + 1, codes.size());
    return 2;
  }
  Result one = run(cfg, codes, 1, rounds * 4);
  Result many = run(cfg, codes, kiosks, rounds);
  std::printf("server under load: each round a new TLS connection, a batch of 20 answers and a heartbeat\n");
  std::printf("  1 kiosk (baseline):  %7.0f requests/s  p50 %6.1f ms  p99 %7.1f ms  errors %ld\n", one.rps, one.p50, one.p99, one.errors);
  std::printf("  %d kiosks at once:  %7.0f requests/s  p50 %6.1f ms  p99 %7.1f ms  errors %ld\n", kiosks, many.rps, many.p50, many.p99, many.errors);
  std::printf("  ratios (%d kiosks / 1): throughput %.2fx, p99 latency %.1fx\n", kiosks, many.rps / one.rps, many.p99 / one.p99);
  if (!many.first_error.empty() || !one.first_error.empty())
    std::printf("  first error: %s\n", (many.first_error.empty() ? one.first_error : many.first_error).c_str());
  return many.errors + one.errors == 0 ? 0 : 1;
}
