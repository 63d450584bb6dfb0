// tenpoint-server's command line, as a council's IT team meets it: the TLS
// key check at start, withdrawing a code, migrating, and names shown safely.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <regex>

#include "cluster.h"

using namespace tp::test;

TEST_CASE("server: a TLS key that every local user can read stops the start, with how to fix it", "[server][cli]") {
  Cluster c("cli_key_mode");
  REQUIRE(::chmod(c.cert.key.c_str(), 0644) == 0);
  std::string out;
  CHECK(run_command({TENPOINT_SERVER_PATH, "serve", "--data", c.server_data(), "--listen", "127.0.0.1:0", "--tls-cert", c.cert.cert,
                     "--tls-key", c.cert.key},
                    out) == 2);
  CHECK(out.find("every user on this machine can read it") != std::string::npos);
  CHECK(out.find("chmod 600 " + c.cert.key) != std::string::npos);
  REQUIRE(::chmod(c.cert.key.c_str(), 0600) == 0);
  c.start_server();  // and with the key made private, it starts
}

TEST_CASE("server: a withdrawn enrolment code enrols no kiosk, and the kiosk is told why", "[server][cli]") {
  Cluster c("cli_revoke_code");
  c.start_server();
  std::string config = c.kiosk("kiosk");
  std::string code = read_file(config).substr(read_file(config).find("\"enrolment_code\": \"") + 19, 14);
  std::string out;
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "revoke-code", "--data", c.server_data(), code}, out) == 0);
  CHECK(out.find("withdrew " + code) != std::string::npos);
  CHECK(run_command({TENPOINT_SERVER_PATH, "revoke-code", "--data", c.server_data(), code}, out) == 1);  // once
  CHECK(out.find("No unused enrolment code") != std::string::npos);
  Cluster::simulate(config, 3);
  CHECK(Cluster::sync_once(config, out) == 1);
  CHECK(out.find("code_revoked") == std::string::npos);  // the code is for machines; people get words
  CHECK(out.find("this enrolment code was withdrawn; ask for a new one") != std::string::npos);
}

TEST_CASE("server: migrate reports the schema of a new or current SQLite file", "[server][cli]") {
  std::string dir = scratch_dir("cli_migrate");
  std::string out;
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "migrate", "--data", dir}, out) == 0);
  CHECK(out.find("schema version 2, up to date") != std::string::npos);
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "migrate", "--data", dir}, out) == 0);
  CHECK(out.find("schema version 2") != std::string::npos);
}

TEST_CASE("server: status shows control characters in names as \\xNN, never raw", "[server][cli]") {
  // The wire refuses control characters in kiosk names and enrol-code in
  // venue names, but a database from an older server may hold them.
  Cluster c("cli_status_escape");
  c.start_server();
  std::string config = c.kiosk("kiosk");
  std::string out;
  REQUIRE(Cluster::sync_once(config, out) == 0);
  REQUIRE(run_command({"/usr/bin/sqlite3", c.server_db(), "UPDATE devices SET name = 'desk' || char(27) || '[31m red' || char(7)"}, out) ==
          0);
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "status", "--data", c.server_data()}, out) == 0);
  CHECK(out.find("\"desk\\x1B[31m red\\x07\"") != std::string::npos);
  CHECK(out.find('\x1b') == std::string::npos);
  CHECK(out.find('\x07') == std::string::npos);
}

TEST_CASE("server: enrol-code refuses a venue name with control characters", "[server][cli]") {
  std::string dir = scratch_dir("cli_venue_control");
  std::string out;
  CHECK(run_command({TENPOINT_SERVER_PATH, "enrol-code", "--data", dir, "--venue", "Library\x1b[2J"}, out) == 2);
  CHECK(out.find("control characters") != std::string::npos);
}

TEST_CASE("server: the access log names the device and every refused enrolment or token, never a token", "[server][cli]") {
  Cluster c("cli_access_log");
  c.start_server();
  std::string config = c.kiosk("kiosk");
  Cluster::simulate(config, 5);
  std::string out;
  REQUIRE(Cluster::sync_once(config, out) == 0);
  std::string device_json = read_file(std::filesystem::path(config).parent_path().string() + "/device.json");
  std::string device = device_json.substr(device_json.find("kiosk-"), 18);
  std::string token = device_json.substr(device_json.find("tp1."), 47);
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "revoke", "--data", c.server_data(), device}, out) == 0);
  CHECK(Cluster::sync_once(config, out) == 1);
  std::string wrong = c.kiosk("other");
  write_file(wrong, std::regex_replace(read_file(wrong), std::regex("[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}"), "AAAA-BBBB-CCCC"));
  CHECK(Cluster::sync_once(wrong, out) == 1);
  std::string log = read_file(c.dir + "/server-1.log");
  INFO(log);
  CHECK(log.find("POST /api/v1/enrol 200") != std::string::npos);
  CHECK(log.find("(enrolled device " + device + " at Central Library)") != std::string::npos);
  CHECK(log.find("POST /api/v1/batches 200") != std::string::npos);
  CHECK(log.find("(device " + device + ")") != std::string::npos);
  CHECK(log.find("(authentication failed: device " + device + " is revoked)") != std::string::npos);
  CHECK(log.find("(enrolment refused: code_unknown)") != std::string::npos);
  CHECK(log.find(token) == std::string::npos);
  CHECK(log.find("tp1.") == std::string::npos);
}
