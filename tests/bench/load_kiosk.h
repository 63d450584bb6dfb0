// A simulated kiosk for the load benchmarks (bench_server_load,
// bench_storm, bench_postgres): it enrols with a one-time code, then posts
// batches and heartbeats as tenpoint-sync does, through the same libcurl
// transport, over one kept-alive connection or a new one per round.
//
// Header-only so that each benchmark target needs nothing but the sync
// client library.
//
// Invariants:
//   1. A batch is posted with the same batch id and answer ids on every
//      attempt, so a retry after a lost reply can only be a duplicate on
//      the server, never a second row.
//   2. A kiosk that cannot reach its server moves to the next one in its
//      list (a new connection) and sends the same request there.
//   3. Every retry loop ends by `give_up`: a benchmark stops by itself.
#pragma once
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "curl_transport.h"
#include "gzip.h"
#include "sync_client.h"
#include "wire.h"

namespace tp::bench {

using Steady = std::chrono::steady_clock;

// A batch shaped like a library kiosk's: every other answer a score, the
// rest a short comment, all stamped by a trusted clock.
inline wire::Batch answer_batch(const std::string& kiosk, std::int64_t first_seq, int count) {
  wire::Batch b{random_uuid(), {}};
  b.answers.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    StoredAnswer s;
    s.seq = first_seq + i;
    s.answer.uuid = answer_uuid();
    s.answer.set_id = "library-demo";
    s.answer.set_version = 1;
    s.answer.question_id = i % 2 ? "library" : "keep";
    s.answer.session_id = kiosk + "-" + std::to_string((first_seq + i) / 4);
    if (i % 2)
      s.answer.score = i % 11;
    else
      s.answer.text = "The staff are kind and always help";
    s.answer.language = "en";
    s.answer.stamp = {1764500400, true, "boot", 1000};
    b.answers.push_back(std::move(s));
  }
  return b;
}

// A heartbeat for a kiosk's `round`-th round. Its clock report moves on
// each round, as a real kiosk's does: a heartbeat identical to the last
// one would change no stored byte, and SQLite commits such a transaction
// without writing or syncing anything, which no real kiosk gets.
inline std::string heartbeat_body(int round) {
  constexpr std::int64_t kFreeDiskBytes = std::int64_t{1} << 30;  // 1 GiB
  constexpr std::int64_t kRoundMs = 60 * 1000;                    // tenpoint-sync's default interval
  std::int64_t uptime_ms = 1000 + round * kRoundMs;
  return wire::encode(wire::Heartbeat{
      "0.1.0", "library-demo", 1, 0, std::nullopt, kFreeDiskBytes, {true, 1764500400 + uptime_ms / 1000, "boot", uptime_ms}});
}

struct KioskOptions {
  std::vector<std::string> servers;  // https://127.0.0.1:PORT; the first is this kiosk's own
  std::string ca_file;
  int max_attempts = 1;                       // 1: report a failure instead of retrying
  std::chrono::milliseconds retry_pause{50};  // doubles after each failure, up to max_retry_pause
  std::chrono::milliseconds max_retry_pause{1000};
  Steady::time_point give_up = Steady::time_point::max();
};

struct Sent {
  bool ok = false;    // 200 in the end
  int status = 0;     // the last reply's status (0: none)
  std::string error;  // why not ok, in words
  double ms = 0;      // from the first attempt to the last reply
  int attempts = 0;
  std::string body;  // the 200 reply
};

class LoadKiosk {
 public:
  LoadKiosk(std::string name, KioskOptions options)
      : name_(std::move(name)), options_(std::move(options)), token_(sync::new_device_token()) {
    connect();
  }

  const std::string& name() const { return name_; }
  int failovers() const { return failovers_; }
  int retries() const { return retries_; }
  std::size_t server_index() const { return server_; }

  // Drops the connection; the next request makes a new one (a TLS handshake).
  void reconnect() { connect(); }

  Sent enrol(const std::string& code) { return post("/api/v1/enrol", wire::encode(wire::EnrolRequest{code, name_, token_}), false, false); }
  Sent send_batch(const std::string& gzipped_batch) { return post("/api/v1/batches", gzipped_batch, true, true); }
  Sent heartbeat(const std::string& body) { return post("/api/v1/heartbeat", body, false, true); }

 private:
  void connect() {
    sync::SyncConfig cfg;
    cfg.server = options_.servers.at(server_);
    cfg.ca_file = options_.ca_file;
    cfg.connect_timeout_s = 10;
    cfg.total_timeout_s = 60;  // a commit behind thousands of others can take seconds; a minute means something is wrong
    transport_ = std::make_unique<sync::CurlTransport>(cfg);
  }

  Sent post(const std::string& path, const std::string& body, bool gzip, bool with_token) {
    Sent out;
    auto start = Steady::now();
    auto pause = options_.retry_pause;
    for (;;) {
      ++out.attempts;
      sync::HttpResult r = transport_->post(path, body, with_token ? token_ : "", gzip);
      out.status = r.reached ? r.status : 0;
      if (r.reached && r.status == 200) {
        out.ok = true;
        out.body = std::move(r.body);
        break;
      }
      out.error = r.reached ? std::to_string(r.status) + " " + wire::error_message(r.body) : r.failure;
      if (out.attempts >= options_.max_attempts || Steady::now() >= options_.give_up) break;
      ++retries_;
      if (!r.reached && options_.servers.size() > 1) {
        // The server is gone (killed, or refusing connections): carry on with the next one.
        server_ = (server_ + 1) % options_.servers.size();
        ++failovers_;
        connect();
      }
      auto wait = r.retry_after_s > 0 ? std::chrono::milliseconds(std::min(r.retry_after_s, 2) * 1000) : pause;
      std::this_thread::sleep_for(wait);
      pause = std::min(pause * 2, options_.max_retry_pause);
    }
    out.ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
    return out;
  }

  std::string name_;
  KioskOptions options_;
  std::string token_;
  std::size_t server_ = 0;
  std::unique_ptr<sync::CurlTransport> transport_;
  int failovers_ = 0, retries_ = 0;
};

// p-th percentile (0..100) of `values`, which it sorts; 0 when empty.
inline double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(i, values.size() - 1)];
}

}  // namespace tp::bench
