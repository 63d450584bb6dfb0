// A real tenpoint-server for the benchmarks that start their own: the
// process on loopback with a test CA's certificate, its enrolment codes,
// its resident memory, and one line of summary for tests/bench/run.
//
// Header-only; needs tests/support (Process, TestPki).
#pragma once
#include <climits>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pki.h"
#include "process.h"

namespace tp::bench {

// Resident memory of a process in KiB (VmRSS), -1 when it is gone.
inline long resident_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// One line for the summary at the end of tests/bench/run, when it asked
// for one (TENPOINT_BENCH_SUMMARY names the file).
inline void add_to_summary(const std::string& line) {
  const char* path = std::getenv("TENPOINT_BENCH_SUMMARY");
  if (!path || !*path) return;
  std::ofstream out(path, std::ios::app);
  out << line << "\n";
}

class BenchServer {
 public:
  // `store` is {"--data", DIR} or {"--database", URL}; `extra` more serve options.
  BenchServer(std::string binary, std::vector<std::string> store, const test::CertFiles& cert, const std::string& log,
              const std::vector<std::string>& extra = {})
      : binary_(std::move(binary)), store_(std::move(store)) {
    std::vector<std::string> argv = {binary_, "serve", "--listen", "127.0.0.1:0", "--tls-cert", cert.cert, "--tls-key", cert.key};
    argv.insert(argv.end(), store_.begin(), store_.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<test::Process>(argv, log);
    // "listening on https://127.0.0.1:PORT", or http:// with --insecure-http.
    const std::string needle = "listening on http", address = "127.0.0.1:";
    std::string text = test::wait_for_text(log, needle, std::chrono::seconds(30));
    if (text.empty()) throw std::runtime_error("tenpoint-server did not start; its log " + log + " says:\n" + test_read(log));
    port_ = std::stoi(text.substr(text.find(address, text.find(needle)) + address.size()));
  }

  int port() const { return port_; }
  int pid() const { return process_->pid(); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  test::Process& process() { return *process_; }

  void kill_now() {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(10));
  }
  void stop() {
    process_->signal(SIGTERM);
    if (process_->wait(std::chrono::seconds(10)) == INT_MIN) kill_now();
  }

  // `count` one-time codes, made by the server's own command (a few at a
  // time: each is a process that opens the store and commits once).
  std::vector<std::string> enrol_codes(int count, int workers = 4) const { return make_codes(binary_, store_, count, workers); }

  static std::vector<std::string> make_codes(const std::string& binary, const std::vector<std::string>& store, int count, int workers) {
    std::vector<std::string> codes;
    std::mutex mutex;
    std::string failure;
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w)
      threads.emplace_back([&, w] {
        for (int i = w; i < count; i += workers) {
          std::vector<std::string> argv = {binary, "enrol-code", "--venue", "Venue " + std::to_string(i % 20)};
          argv.insert(argv.end(), store.begin(), store.end());
          std::string out;
          int rc = test::run_command(argv, out);
          std::string code;
          std::istringstream lines(out);
          for (std::string line; std::getline(lines, line);)
            if (line.size() == 14 && line[4] == '-' && line[9] == '-') code = line;
          std::lock_guard lock(mutex);
          if (rc != 0 || code.empty())
            failure = out;
          else
            codes.push_back(code);
        }
      });
    for (auto& t : threads) t.join();
    if (!failure.empty()) throw std::runtime_error("Unable to make enrolment codes: " + failure);
    return codes;
  }

 private:
  static std::string test_read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string binary_;
  std::vector<std::string> store_;
  std::unique_ptr<test::Process> process_;
  int port_ = 0;
};

}  // namespace tp::bench
