// tenpoint-sync: sends the kiosk's answers to the central server. Its own
// process, so that a hanging network never stalls a frame of the kiosk.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "backoff.h"
#include "curl_transport.h"
#include "data_paths.h"
#include "kiosk_config.h"
#include "kiosk_store.h"
#include "sync_client.h"
#include "system_stamps.h"
#include "version.h"

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

// A fingerprint of the machine's network: routes and link states. When it
// changes during a back-off wait, the next round starts at once.
std::string network_fingerprint() {
  std::string all;
  for (const char* f : {"/proc/net/route", "/proc/net/ipv6_route"}) {
    std::ifstream in(f);
    std::ostringstream s;
    s << in.rdbuf();
    all += s.str();
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/sys/class/net", ec)) {
    std::ifstream in(e.path() / "operstate");
    std::string state;
    std::getline(in, state);
    all += e.path().filename().string() + "=" + state + ";";
  }
  return all;
}

// Sleeps up to `seconds`; returns early on a stop signal or, if asked, a network change.
void wait(double seconds, bool wake_on_network_change) {
  std::string before = wake_on_network_change ? network_fingerprint() : "";
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int tick = 0;
  while (!g_stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (wake_on_network_change && ++tick % 8 == 0 && network_fingerprint() != before) {
      std::fprintf(stderr, "tenpoint-sync: the network changed; trying now\n");
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Tenpoint sync: sends the kiosk's answers to the central server over HTTPS, exactly once."};
  std::string config_path = "/etc/tenpoint/kiosk.json";
  std::string db_override;
  bool once = false;
  cli.add_option("--config", config_path, "Kiosk config file with a \"sync\" section")->capture_default_str();
  cli.add_option("--db", db_override, "Kiosk database (default: the config's, else the per-user data folder)");
  cli.add_flag("--once", once, "One round, then exit: 0 when nothing is left unsent, 1 otherwise (with the reason)");
  cli.set_version_flag("--version", tp::version_line("tenpoint-sync"));
  CLI11_PARSE(cli, argc, argv);

  tp::sync::SyncConfig config;
  int granularity = 15;
  std::string trusted_set_key;
  try {
    config = tp::sync::load_sync_config(config_path);
    tp::KioskConfig kiosk = tp::load_kiosk_config(config_path);
    granularity = kiosk.time_granularity_minutes;
    trusted_set_key = kiosk.trusted_set_key;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  std::string db = !db_override.empty()            ? db_override
                   : !config.database_path.empty() ? config.database_path
                                                   : tp::user_data_dir() + "/kiosk.db";
  std::string dir = std::filesystem::path(db).parent_path().string();
  if (dir.empty()) dir = ".";

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  tp::SqliteDatabase database({db, std::nullopt});
  tp::SqliteOutbox outbox(database);
  if (tp::Status s = database.open(); !s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  tp::SystemStamps stamps(granularity);
  tp::sync::CurlTransport transport(config);
  tp::sync::SyncClient client(config, outbox, transport, dir + "/device.json", stamps, dir + "/question-set.last-good.json");
  client.use_trusted_set_key(trusted_set_key);

  if (once) {
    tp::sync::RoundResult r = client.round();
    if (r.ok && r.left == 0) {
      rusage usage{};
      getrusage(RUSAGE_SELF, &usage);
      std::printf("tenpoint-sync: all sent (%lld this round, %d request%s, %lld bytes sent, peak memory %ld KiB)\n",
                  static_cast<long long>(r.sent), r.requests, r.requests == 1 ? "" : "s", static_cast<long long>(r.bytes_sent),
                  usage.ru_maxrss);
      return 0;
    }
    if (r.left == 0)
      std::fprintf(stderr, "tenpoint-sync: nothing waiting to send, but the round failed: %s\n", r.error.c_str());
    else
      std::fprintf(stderr, "tenpoint-sync: %lld answers left unsent: %s\n", static_cast<long long>(r.left),
                   r.error.empty() ? "new answers arrived during the round" : r.error.c_str());
    return 1;
  }

  std::fprintf(stderr, "tenpoint-sync: sending %s to %s every %d s\n", db.c_str(), config.server.c_str(), config.interval_s);
  tp::sync::Backoff backoff({.max_s = static_cast<double>(config.backoff_cap_s)});
  std::string last_error;
  while (!g_stop) {
    tp::sync::RoundResult r = client.round();
    if (r.sent > 0)
      std::fprintf(stderr, "tenpoint-sync: sent %lld answers, %lld left\n", static_cast<long long>(r.sent), static_cast<long long>(r.left));
    if (r.ok) {
      if (backoff.failures() > 0) std::fprintf(stderr, "tenpoint-sync: the server is reachable again\n");
      backoff.reset();
      last_error.clear();
      wait(r.left > 0 ? 0.0 : config.interval_s, false);
      continue;
    }
    if (r.error != last_error) std::fprintf(stderr, "tenpoint-sync: %s\n", r.error.c_str());
    last_error = r.error;
    double delay = backoff.after_failure(r.retry_after_s, r.permanent);
    std::fprintf(stderr, "tenpoint-sync: next try in %.0f s, or as soon as the network changes\n", delay);
    wait(delay, true);
  }
  std::fprintf(stderr, "tenpoint-sync: stopped\n");
  return 0;
}
