// Server under many kiosks: each thread is one kiosk that enrols, then runs
// rounds, each round a batch of 20 answers and a heartbeat. Two ways of
// connecting, each with 1 kiosk (the baseline) and with N at once:
//   keep-alive   one libcurl handle per kiosk for all its rounds, so one
//                TLS connection (what tenpoint-sync does within a round)
//   reconnect    a new handle, so a new TLS handshake, every round (a
//                kiosk waking up for each round)
// Prints requests/s, p50/p99 latency and errors for each, and the ratios.
// Enrolment happens before the clock starts.
//
// Two ways of pacing the N kiosks with keep-alive:
//   flat out     every kiosk starts its next round the moment the last one
//                ends. This finds the most the server can take. Its latency
//                is set by the queue, not by the server: with N kiosks always
//                waiting, the mean is N / throughput (Little's law), so 200
//                kiosks at 5,000 requests/s wait 40 ms on average whatever
//                the server does with them.
//   paced        the N kiosks together offer kPacedLoad times one kiosk's
//                throughput (measured just before): each starts a round every
//                N * 2 / rate seconds, their starts spread evenly over that
//                period, as kiosks that are not in step. A batch's latency is
//                counted from the moment its round was due, so a kiosk that
//                falls behind counts its wait too. This is the latency at
//                the throughput the bar names.
//
// With SERVER_PID, and perf at hand, the server's fdatasync/fsync calls are
// counted during the timed part of each phase, to see how far group commit
// groups: SQLite in WAL mode with synchronous=FULL syncs the WAL once per
// commit, and batches and heartbeats share commits, so
//   requests per commit >= (batches + heartbeats) / syncs
// (a checkpoint adds syncs too). The server itself is not changed for this.
//
// Usage: bench_server_load URL CA_FILE CODES_FILE KIOSKS ROUNDS [SERVER_PID]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <latch>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "load_kiosk.h"

extern char** environ;

namespace {

using tp::bench::Steady;
constexpr int kAnswersPerBatch = 20;
// The 1-kiosk baseline runs this many times the rounds of each of the N,
// and at least kMinBaselineRounds, so that it lasts long enough to measure.
constexpr int kBaselineRoundFactor = 20;
constexpr int kMinBaselineRounds = 200;
constexpr double kKeepAliveThroughputTarget = 4.0;  // N kiosks / 1 kiosk
constexpr double kKeepAliveP99TargetMs = 50;
// The paced run offers this much more than the target, so that its
// achieved throughput (which its start and end trim a little) is above it.
constexpr double kPacedLoad = kKeepAliveThroughputTarget * 1.15;
// The paced run's rounds per kiosk, at least: enough that its start and
// end, when not every kiosk is busy, are a small part of it.
constexpr int kMinPacedRounds = 40;
// perf needs a moment to attach to every thread of the server.
constexpr auto kPerfAttach = std::chrono::milliseconds(500);

enum class Mode { keep_alive, reconnect };

struct Result {
  double rps = 0, p50 = 0, p99 = 0;
  // The server's CPU time per request while timed (0: no SERVER_PID), and
  // how busy the machine's cores were: near 1, the run is bound by CPU,
  // and only less work per request makes it faster.
  double server_cpu_ms = 0, machine_busy = 0;
  long requests = 0, errors = 0, batches_ok = 0, heartbeats_ok = 0;
  std::string first_error;
  std::optional<long> syncs;  // the server's fdatasync + fsync calls while timed
};

// A process's user + system CPU time in seconds (0 when unreadable).
double process_cpu_s(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t end_of_name = text.rfind(')');
  if (end_of_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(end_of_name + 1));
  std::string field;
  long long ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)  // fields 14 and 15: utime, stime
    if (i >= 14) ticks += std::atoll(field.c_str());
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The machine's busy and total CPU ticks, over all cores (/proc/stat).
struct CpuTicks {
  long long busy = 0, total = 0;
};
CpuTicks machine_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  CpuTicks t;
  long long v = 0;
  for (int i = 0; i < 8 && in >> v; ++i) {  // user nice system idle iowait irq softirq steal
    t.total += v;
    if (i != 3 && i != 4) t.busy += v;
  }
  return t;
}

// `perf stat` counting one process's sync calls, from construction to stop().
class SyncCounter {
 public:
  SyncCounter(int pid, std::string out_file) : out_file_(std::move(out_file)) {
    if (pid <= 0 || ::access("/usr/bin/perf", X_OK) != 0) return;
    std::vector<std::string> argv = {
        "/usr/bin/perf",    "stat", "-x", ",", "-o", out_file_, "-e", "syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync", "-p",
        std::to_string(pid)};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);  // "failed to attach" says enough through the result
    if (posix_spawn(&perf_, argv[0].c_str(), &actions, nullptr, args.data(), environ) != 0) perf_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    if (perf_ > 0) std::this_thread::sleep_for(kPerfAttach);
  }

  // The count, or nothing when perf is missing or could not attach.
  std::optional<long> stop() {
    if (perf_ <= 0) return std::nullopt;
    ::kill(perf_, SIGINT);
    int status = 0;
    ::waitpid(perf_, &status, 0);
    perf_ = -1;
    std::ifstream in(out_file_);
    long total = 0;
    int events = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.find("syscalls:sys_enter_") == std::string::npos) continue;
      if (line.rfind("<not", 0) == 0) return std::nullopt;  // "<not supported>" or "<not counted>"
      total += std::atol(line.c_str());
      ++events;
    }
    if (events == 0) return std::nullopt;
    return total;
  }

 private:
  std::string out_file_;
  pid_t perf_ = -1;
};

// `period`: each kiosk starts a round every `period`, kiosk i first at
// i * period / kiosks; none: flat out.
Result run(Mode mode, const tp::bench::KioskOptions& options, std::vector<std::string>& codes, int kiosks, int rounds, int server_pid,
           const std::string& perf_file, std::optional<std::chrono::nanoseconds> period = std::nullopt) {
  Result result;
  Steady::time_point start;  // written before `go` opens, read after
  std::mutex mutex;
  std::vector<double> latencies;
  std::latch enrolled(kiosks), go(1);
  std::atomic<long> batches_ok{0}, heartbeats_ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kiosks; ++i) {
    std::string code = codes.back();
    codes.pop_back();
    threads.emplace_back([&, i, code] {
      tp::bench::LoadKiosk kiosk("load-" + std::to_string(i), options);
      auto e = kiosk.enrol(code);
      // The bodies are made before the clock starts: a real kiosk makes
      // them on its own machine, and here they would take the server's cores.
      std::vector<std::string> bodies;
      for (int round = 0; round < rounds; ++round)
        bodies.push_back(
            tp::gzip_compress(tp::wire::encode(tp::bench::answer_batch(kiosk.name(), 1 + round * kAnswersPerBatch, kAnswersPerBatch))));
      enrolled.count_down();
      go.wait();
      std::vector<double> mine;
      long errors = 0;
      std::string first_error = e.ok ? "" : "enrol: " + e.error;
      for (int round = 0; e.ok && round < rounds; ++round) {
        if (mode == Mode::reconnect) kiosk.reconnect();
        std::optional<Steady::time_point> due;
        if (period) {
          due = start + *period * i / kiosks + *period * round;
          std::this_thread::sleep_until(*due);
        }
        auto b = kiosk.send_batch(bodies[static_cast<std::size_t>(round)]);
        if (due) b.ms = std::chrono::duration<double, std::milli>(Steady::now() - *due).count();  // late starts count
        auto h = kiosk.heartbeat(tp::bench::heartbeat_body(round));
        for (const tp::bench::Sent* s : {&b, &h}) {
          mine.push_back(s->ms);
          if (!s->ok) {
            ++errors;
            if (first_error.empty()) first_error = s->error;
          }
        }
        batches_ok += b.ok;
        heartbeats_ok += h.ok;
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      result.errors += errors + (e.ok ? 0 : 1);
      if (result.first_error.empty()) result.first_error = first_error;
    });
  }
  enrolled.wait();
  SyncCounter counter(server_pid, perf_file);
  double cpu0 = process_cpu_s(server_pid);
  CpuTicks ticks0 = machine_ticks();
  auto t0 = Steady::now();
  start = t0;
  go.count_down();
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  double server_cpu = process_cpu_s(server_pid) - cpu0;
  CpuTicks ticks1 = machine_ticks();
  result.syncs = counter.stop();
  if (ticks1.total > ticks0.total)
    result.machine_busy = static_cast<double>(ticks1.busy - ticks0.busy) / static_cast<double>(ticks1.total - ticks0.total);
  result.requests = static_cast<long>(latencies.size());
  if (result.requests > 0) result.server_cpu_ms = server_cpu * 1000.0 / static_cast<double>(result.requests);
  result.rps = static_cast<double>(latencies.size()) / secs;
  result.p50 = tp::bench::percentile(latencies, 50);
  result.p99 = tp::bench::percentile(latencies, 99);
  result.batches_ok = batches_ok.load();
  result.heartbeats_ok = heartbeats_ok.load();
  return result;
}

void print_row(const char* mode, int kiosks, const Result& r) {
  std::printf("  %-30s %6d  %9.0f  %7.1f  %7.1f  %6ld  %9.3f  %6.0f%%\n", mode, kiosks, r.rps, r.p50, r.p99, r.errors, r.server_cpu_ms,
              r.machine_busy * 100.0);
}

// Requests (batches and heartbeats) per commit from the sync count, or why
// it is not known. A checkpoint syncs too, so this is a lower bound.
std::string group_commit(const Result& r) {
  if (!r.syncs) return "not measured (needs perf, run as root, and the server's pid)";
  if (*r.syncs <= 0) return "not measured (no syncs counted)";
  char text[200];
  std::snprintf(text, sizeof text, "%.1f requests per commit at least (%ld batches + %ld heartbeats, %ld syncs)",
                static_cast<double>(r.batches_ok + r.heartbeats_ok) / static_cast<double>(*r.syncs), r.batches_ok, r.heartbeats_ok,
                *r.syncs);
  return text;
}

void add_to_summary(const std::string& line) {
  const char* path = std::getenv("TENPOINT_BENCH_SUMMARY");
  if (!path || !*path) return;
  std::ofstream(path, std::ios::app) << line << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: bench_server_load URL CA_FILE CODES_FILE KIOSKS ROUNDS [SERVER_PID]\n");
    return 2;
  }
  tp::bench::KioskOptions options;
  options.servers = {argv[1]};
  options.ca_file = argv[2];
  std::vector<std::string> codes;
  std::ifstream in(argv[3]);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) codes.push_back(line);
  int kiosks = std::atoi(argv[4]), rounds = std::atoi(argv[5]);
  int server_pid = argc > 6 ? std::atoi(argv[6]) : 0;
  std::string perf_file = std::string(argv[3]) + ".perf";
  if (static_cast<int>(codes.size()) < 3 * kiosks + 2) {
    std::fprintf(stderr, "need %d enrolment codes, have %zu\n", 3 * kiosks + 2, codes.size());
    return 2;
  }
  int baseline_rounds = std::max(rounds * kBaselineRoundFactor, kMinBaselineRounds);
  int paced_rounds = std::max(rounds, kMinPacedRounds);
  Result keep_one = run(Mode::keep_alive, options, codes, 1, baseline_rounds, server_pid, perf_file);
  Result keep_many = run(Mode::keep_alive, options, codes, kiosks, rounds, server_pid, perf_file);
  // Two requests a round: each kiosk's period at the paced rate.
  double paced_rate = kPacedLoad * keep_one.rps;
  auto period = std::chrono::nanoseconds(static_cast<std::int64_t>(2.0 * kiosks / paced_rate * 1e9));
  Result paced = run(Mode::keep_alive, options, codes, kiosks, paced_rounds, server_pid, perf_file, period);
  Result new_one = run(Mode::reconnect, options, codes, 1, baseline_rounds, server_pid, perf_file);
  Result new_many = run(Mode::reconnect, options, codes, kiosks, rounds, server_pid, perf_file);

  std::printf("server under load: rounds of a batch of %d answers and a heartbeat; 1 kiosk runs %d rounds flat out,\n", kAnswersPerBatch,
              baseline_rounds);
  std::printf("  each of %d runs %d flat out, or %d paced: a round every %.1f ms, to offer %.1fx 1 kiosk's throughput (%.0f requests/s)\n",
              kiosks, rounds, paced_rounds, std::chrono::duration<double, std::milli>(period).count(), kPacedLoad, paced_rate);
  std::printf("  %-30s %6s  %9s  %7s  %7s  %6s  %9s  %7s\n", "connections", "kiosks", "requests/s", "p50 ms", "p99 ms", "errors",
              "server ms", "cores");
  std::printf("  (server ms: the server's CPU time per request; cores: how busy the machine's cores were, this bench included)\n");
  print_row("keep-alive (baseline: 1)", 1, keep_one);
  print_row("keep-alive, flat out", kiosks, keep_many);
  print_row("keep-alive, paced", kiosks, paced);
  print_row("new TLS connection per round", 1, new_one);
  print_row("new TLS connection per round", kiosks, new_many);
  double keep_ratio = keep_many.rps / keep_one.rps, paced_ratio = paced.rps / keep_one.rps, new_ratio = new_many.rps / new_one.rps;
  bool met = keep_ratio >= kKeepAliveThroughputTarget && paced_ratio >= kKeepAliveThroughputTarget && paced.p99 <= kKeepAliveP99TargetMs &&
             keep_many.errors == 0 && paced.errors == 0;
  std::printf("  keep-alive, %d kiosks / 1, flat out: throughput %.2fx (target >= %.0fx); p99 %.1f ms, about %d kiosks / %.0f requests/s\n",
              kiosks, keep_ratio, kKeepAliveThroughputTarget, keep_many.p99, kiosks, keep_many.rps);
  std::printf("  keep-alive, %d kiosks / 1, paced: throughput %.2fx (target >= %.0fx), p99 %.1f ms (target <= %.0f ms)  %s\n", kiosks,
              paced_ratio, kKeepAliveThroughputTarget, paced.p99, kKeepAliveP99TargetMs, met ? "ok" : "MISSED");
  std::printf("  new connection per round, %d kiosks / 1: throughput %.2fx, p99 %.1f ms\n", kiosks, new_ratio, new_many.p99);
  std::printf("  keep-alive / new connection per round, %d kiosks: throughput %.2fx\n", kiosks, keep_many.rps / new_many.rps);
  if (keep_one.syncs && keep_one.requests > 0)
    std::printf("  group commit, check: 1 kiosk made %.2f syncs per request (1.00: nothing to group with)\n",
                static_cast<double>(*keep_one.syncs) / static_cast<double>(keep_one.requests));
  std::printf("  group commit, %d kiosks keep-alive flat out: %s\n", kiosks, group_commit(keep_many).c_str());
  std::printf("  group commit, %d kiosks keep-alive paced: %s\n", kiosks, group_commit(paced).c_str());
  std::printf("  group commit, %d kiosks new connections: %s\n", kiosks, group_commit(new_many).c_str());
  for (const Result* r : {&keep_one, &keep_many, &paced, &new_one, &new_many})
    if (!r->first_error.empty()) {
      std::printf("  first error: %s\n", r->first_error.c_str());
      break;
    }
  char line[300];
  std::snprintf(line, sizeof line, "load: %d kiosks keep-alive flat out %.0f req/s = %.2fx 1 kiosk (target >= 4x), p99 %.1f ms", kiosks,
                keep_many.rps, keep_ratio, keep_many.p99);
  add_to_summary(line);
  std::snprintf(line, sizeof line,
                "load: %d kiosks keep-alive paced %.0f req/s = %.2fx 1 kiosk (target >= 4x), p99 %.1f ms (target <= 50)  %s", kiosks,
                paced.rps, paced_ratio, paced.p99, met ? "ok" : "MISSED");
  add_to_summary(line);
  std::snprintf(line, sizeof line, "load: %d kiosks new connection per round %.0f req/s = %.2fx 1 kiosk, p99 %.1f ms", kiosks, new_many.rps,
                new_ratio, new_many.p99);
  add_to_summary(line);
  long errors = keep_one.errors + keep_many.errors + paced.errors + new_one.errors + new_many.errors;
  return errors == 0 ? 0 : 1;
}
