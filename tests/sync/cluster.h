// A server and kiosks as real processes on loopback, with a test CA.
#pragma once
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "pki.h"
#include "process.h"
#include "support.h"

namespace tp::test {

inline std::set<std::string> uuids_in(const std::string& db_path, const char* sql = "SELECT uuid FROM answers") {
  sqlite3* db = nullptr;
  std::set<std::string> out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK)
    while (sqlite3_step(s) == SQLITE_ROW) out.insert(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

inline long long scalar_in(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  long long v = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return v;
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

class Cluster {
 public:
  std::string dir;
  TestPki pki;
  CertFiles cert;
  int port = 0;
  std::unique_ptr<Process> server;
  int starts = 0;

  explicit Cluster(const std::string& name) : dir(scratch_dir(name)), pki(dir) {
    cert = pki.server_cert("server", {"localhost"}, {"127.0.0.1"});
  }

  std::string server_data() const { return dir + "/server"; }
  std::string server_db() const { return server_data() + "/server.db"; }

  // Starts tenpoint-server; the first start picks a free port, later ones reuse it.
  void start_server(const CertFiles& use = {}, const std::vector<std::string>& extra = {}) {
    std::string log = dir + "/server-" + std::to_string(++starts) + ".log";
    const CertFiles& c = use.cert.empty() ? cert : use;
    std::vector<std::string> argv = {
        TENPOINT_SERVER_PATH, "serve", "--data",    server_data(), "--listen", "127.0.0.1:" + std::to_string(port),
        "--tls-cert",         c.cert,  "--tls-key", c.key};
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (int attempt = 0; attempt < 50; ++attempt) {
      server = std::make_unique<Process>(argv, log);
      std::string text = wait_for_text(log, "listening on https://127.0.0.1:", std::chrono::seconds(10));
      if (!text.empty()) {
        port = std::stoi(text.substr(text.find("127.0.0.1:") + 10));
        return;
      }
      server->wait(std::chrono::seconds(2));  // the port may still be held by a killed server; try again
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("tenpoint-server did not start: " << read_file(log));
  }

  std::string enrol_code(const std::string& venue = "Central Library") {
    std::string out;
    REQUIRE(run_command({TENPOINT_SERVER_PATH, "enrol-code", "--data", server_data(), "--venue", venue}, out) == 0);
    // The code is the line of the form XXXX-XXXX-XXXX (stderr carries a note too).
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);)
      if (line.size() == 14 && line[4] == '-' && line[9] == '-') return line;
    FAIL("no enrolment code in: " << out);
    return {};
  }

  // A kiosk folder with a config pointing at this server; returns the config path.
  std::string kiosk(const std::string& name, const std::string& sync_extra = "", const std::string& server_url = "") {
    std::string kdir = dir + "/" + name;
    std::filesystem::create_directories(kdir);
    std::string url = server_url.empty() ? "https://127.0.0.1:" + std::to_string(port) : server_url;
    std::string config = kdir + "/kiosk.json";
    write_file(config, "{\"question_set\": \"" + demo_set_path() + "\", \"database\": \"kiosk.db\", \"sync\": {\"server\": \"" + url +
                           "\", \"ca_file\": \"" + pki.ca_file() + "\", \"enrolment_code\": \"" + enrol_code() + "\"" + sync_extra + "}}");
    return config;
  }

  static std::string kiosk_db(const std::string& config) { return std::filesystem::path(config).parent_path().string() + "/kiosk.db"; }

  static void simulate(const std::string& config, int answers, int seed = 1) {
    std::string out;
    REQUIRE(run_command({TENPOINT_CLI_PATH, "simulate", "--db", kiosk_db(config), "--answers", std::to_string(answers), "--seed",
                         std::to_string(seed)},
                        out) == 0);
  }

  static int sync_once(const std::string& config, std::string& out) {
    return run_command({TENPOINT_SYNC_PATH, "--config", config, "--once"}, out);
  }
};

}  // namespace tp::test
