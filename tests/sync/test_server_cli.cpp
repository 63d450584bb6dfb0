// tenpoint-server's command line, as a council's IT team meets it: the TLS
// key check at start, withdrawing a code, migrating, names shown safely, and
// the code key (made once, shared by every command, checked at start).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <regex>

#include "cluster.h"
#include "secrets.h"
#include "sqlite_server_store.h"

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
  CHECK(out.find("schema version 5, up to date") != std::string::npos);
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "migrate", "--data", dir}, out) == 0);
  CHECK(out.find("schema version 5") != std::string::npos);
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

// [SECTION] The enrolment-code key

namespace {

std::string code_in(const std::string& config) {
  std::smatch m;
  std::string text = read_file(config);
  REQUIRE(std::regex_search(text, m, std::regex("[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")));
  return m.str();
}

}  // namespace

TEST_CASE("server: a code from enrol-code is kept under a keyed hash and enrols a kiosk through serve", "[server][cli][code-key]") {
  Cluster c("cli_code_key");
  c.start_server();
  std::string config = c.kiosk("kiosk");  // enrol-code, beside the running server
  std::string code = code_in(config);
  std::string key_file = c.server_data() + "/code-key";
  struct stat st {};
  REQUIRE(::stat(key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  auto key = tp::server::CodeKey::from_hex(read_file(key_file).substr(0, 64));
  REQUIRE(key);
  CHECK(scalar_in(c.server_db(),
                  "SELECT count(*) FROM enrol_codes WHERE hash_kind = 'keyed' AND code_hash = '" + key->code_hash(code) + "'") == 1);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM enrol_codes WHERE code_hash = '" +
                                     tp::server::secret_hash(tp::server::normalise_code(code)) + "'") == 0);
  Cluster::simulate(config, 3);
  std::string out;
  REQUIRE(Cluster::sync_once(config, out) == 0);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM answers") == 3);
}

TEST_CASE("server: a code made before keyed hashes, in a schema 2 database, still enrols a kiosk through serve",
          "[server][cli][code-key]") {
  Cluster c("cli_code_key_upgrade");
  const std::string old_code = "HJKM-NPQR-STUV";
  std::filesystem::create_directories(c.server_data());
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(c.server_db().c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK);
    // Each migration on its own lines: the second ends in a comment.
    std::string sql = std::string(tp::server::SqliteServerStore::migrations()[0]) + "\n" + tp::server::SqliteServerStore::migrations()[1] +
                      "\nPRAGMA user_version=2; INSERT INTO venues(name) VALUES('Old Library');"
                      "INSERT INTO enrol_codes(code_hash, venue_id, expires_at) VALUES('" +
                      tp::server::secret_hash(tp::server::normalise_code(old_code)) + "', 1, unixepoch() + 86400);";
    CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  c.start_server();
  CHECK(scalar_in(c.server_db(), "PRAGMA user_version") == tp::server::SqliteServerStore::kSchemaVersion);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM enrol_codes WHERE hash_kind = 'unkeyed'") == 1);
  std::string config = c.kiosk("kiosk");
  write_file(config, std::regex_replace(read_file(config), std::regex("[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}"), old_code));
  Cluster::simulate(config, 2);
  std::string out;
  REQUIRE(Cluster::sync_once(config, out) == 0);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM devices d JOIN venues v ON v.id = d.venue_id WHERE v.name = 'Old Library'") == 1);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM answers") == 2);
}

TEST_CASE("server: another database's code key stops serve, enrol-code and revoke-code, naming the file", "[server][cli][code-key]") {
  Cluster c("cli_code_key_wrong");
  std::string code = c.enrol_code();  // makes the database and its key
  std::string key_file = c.server_data() + "/code-key";
  std::string right = read_file(key_file);
  write_file(key_file, tp::server::CodeKey::generate().hex() + "\n");
  std::string expected = "The code key in " + key_file + " does not match the database " + c.server_db();
  std::string out;
  CHECK(run_command({TENPOINT_SERVER_PATH, "serve", "--data", c.server_data(), "--listen", "127.0.0.1:0", "--tls-cert", c.cert.cert,
                     "--tls-key", c.cert.key},
                    out) == 1);
  CHECK(out.find(expected) != std::string::npos);
  CHECK(run_command({TENPOINT_SERVER_PATH, "enrol-code", "--data", c.server_data(), "--venue", "Library"}, out) == 1);
  CHECK(out.find(expected) != std::string::npos);
  CHECK(run_command({TENPOINT_SERVER_PATH, "revoke-code", "--data", c.server_data(), code}, out) == 1);
  CHECK(out.find(expected) != std::string::npos);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM enrol_codes") == 1);  // nothing made, nothing withdrawn

  std::filesystem::remove(key_file);
  CHECK(run_command({TENPOINT_SERVER_PATH, "enrol-code", "--data", c.server_data(), "--venue", "Library"}, out) == 1);
  CHECK(out.find("No code key at " + key_file) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(key_file));

  write_file(key_file, right);
  REQUIRE(::chmod(key_file.c_str(), 0600) == 0);
  c.start_server();
  std::string config = c.kiosk("kiosk");
  write_file(config, std::regex_replace(read_file(config), std::regex("[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}"), code));
  REQUIRE(Cluster::sync_once(config, out) == 0);  // the first code, made before the trouble, still works
}

TEST_CASE("server: a code key other users can read stops the start, with how to fix it", "[server][cli][code-key]") {
  Cluster c("cli_code_key_mode");
  c.enrol_code();
  std::string key_file = c.server_data() + "/code-key";
  REQUIRE(::chmod(key_file.c_str(), 0640) == 0);
  std::string out;
  CHECK(run_command({TENPOINT_SERVER_PATH, "serve", "--data", c.server_data(), "--listen", "127.0.0.1:0", "--tls-cert", c.cert.cert,
                     "--tls-key", c.cert.key},
                    out) == 1);
  CHECK(out.find("other users on this machine can read or change it") != std::string::npos);
  CHECK(out.find("chmod 600 " + key_file) != std::string::npos);
  CHECK(run_command({TENPOINT_SERVER_PATH, "enrol-code", "--data", c.server_data(), "--venue", "Library"}, out) == 1);
  CHECK(out.find("chmod 600 " + key_file) != std::string::npos);
  REQUIRE(::chmod(key_file.c_str(), 0600) == 0);
  c.start_server();
}

TEST_CASE("server: --secrets names the code key's folder, and PostgreSQL needs it", "[server][cli][code-key]") {
  Cluster c("cli_code_key_secrets");
  std::string secrets = c.dir + "/secrets";
  std::string out;
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "enrol-code", "--data", c.server_data(), "--secrets", secrets, "--venue", "Library"}, out) ==
          0);
  CHECK(std::filesystem::exists(secrets + "/code-key"));
  CHECK_FALSE(std::filesystem::exists(c.server_data() + "/code-key"));
  // The same folder for every command, or the key is not found.
  CHECK(run_command({TENPOINT_SERVER_PATH, "enrol-code", "--data", c.server_data(), "--venue", "Library"}, out) == 1);
  CHECK(out.find("No code key at " + c.server_data() + "/code-key") != std::string::npos);

  // Refused before connecting: nothing is made anywhere.
  for (const char* command : {"serve", "enrol-code", "revoke-code"}) {
    INFO(command);
    std::vector<std::string> argv = {TENPOINT_SERVER_PATH, command, "--database", "postgresql://tenpoint@/tenpoint?host=/nonexistent"};
    if (std::string(command) == "enrol-code") argv.insert(argv.end(), {"--venue", "Library"});
    if (std::string(command) == "revoke-code") argv.push_back("ABCD-EFGH-JKMN");
    CHECK(run_command(argv, out) == 2);
    CHECK(out.find("--secrets DIR") != std::string::npos);
  }
}

// [SECTION] Question sets

TEST_CASE("server: sets add, publish, assign, rollback and list, with clear words for every bad input", "[server][cli][sets]") {
  std::string dir = scratch_dir("cli_sets");
  std::string data = dir + "/server";
  auto sets = [&](std::vector<std::string> args, std::string& out) {
    std::vector<std::string> argv = {TENPOINT_SERVER_PATH, "sets"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data", data});
    return run_command(argv, out);
  };
  std::string out;
  CHECK(sets({"list"}, out) == 1);  // no database yet: nothing is made for a listing
  CHECK(out.find("No server database in " + data) != std::string::npos);

  // A broken file: the validator's problems as FILE:LINE:COLUMN, and nothing stored.
  std::string bad = dir + "/bad.json";
  write_file(bad, "{\"format\": \"tenpoint-questions/1\",\n \"id\": \"library-demo\", \"version\": \"one\"}");
  CHECK(sets({"add", bad}, out) == 1);
  CHECK(out.find(bad + ":2:") != std::string::npos);
  CHECK(out.find("not stored") != std::string::npos);
  CHECK(sets({"add", dir + "/missing.json"}, out) == 1);
  CHECK(out.find("Unable to read " + dir + "/missing.json") != std::string::npos);

  // A file saying version 7 is stored as version 1: the server numbers versions.
  std::string file = dir + "/set.json";
  std::string text = read_file(demo_set_path());
  write_file(file, text.replace(text.find("\"version\": 1"), 12, "\"version\": 7"));
  REQUIRE(sets({"add", file}, out) == 0);
  CHECK(out.find("stored as library-demo version 1, a draft (the file said version 7") != std::string::npos);
  CHECK(sets({"rollback", "library-demo", "--to", "1"}, out) == 1);
  CHECK(out.find("unpublished draft, version 1") != std::string::npos);
  REQUIRE(sets({"publish", "library-demo"}, out) == 0);
  CHECK(out.find("published library-demo version 1") != std::string::npos);
  CHECK(sets({"publish", "library-demo"}, out) == 1);
  CHECK(out.find("no draft to publish: version 1 is published already") != std::string::npos);
  CHECK(sets({"publish", "nothing-here"}, out) == 1);
  CHECK(out.find("No question set nothing-here") != std::string::npos);
  REQUIRE(sets({"add", file}, out) == 0);
  REQUIRE(sets({"publish", "library-demo"}, out) == 0);
  REQUIRE(sets({"rollback", "library-demo", "--to", "1"}, out) == 0);
  CHECK(out.find("published library-demo version 3 with the content of version 1") != std::string::npos);
  CHECK(sets({"rollback", "library-demo", "--to", "8"}, out) == 1);
  CHECK(out.find("library-demo has no version 8") != std::string::npos);
  CHECK(sets({"rollback", "library-demo", "--to", "0"}, out) == 2);

  REQUIRE(sets({"assign", "library-demo", "--venue", "Central Library"}, out) == 0);
  CHECK(out.find("library-demo is now the standing set of Central Library") != std::string::npos);
  REQUIRE(sets({"assign", "library-demo", "--venue", "Central Library", "--from", "2099-03-02", "--until", "2099-03-15"}, out) == 0);
  CHECK(sets({"assign", "library-demo", "--venue", "Central Library", "--from", "2099-02-30", "--until", "2099-03-15"}, out) == 2);
  CHECK(out.find("--from takes a date as YYYY-MM-DD") != std::string::npos);
  CHECK(sets({"assign", "library-demo", "--venue", "Central Library", "--from", "2099-03-15", "--until", "2099-03-02"}, out) == 2);
  CHECK(out.find("--until 2099-03-02 is before --from 2099-03-15") != std::string::npos);
  CHECK(sets({"assign", "library-demo", "--venue", "Central Library", "--from", "2001-03-01", "--until", "2001-03-02"}, out) == 2);
  CHECK(out.find("has passed") != std::string::npos);
  CHECK(sets({"assign", "library-demo", "--venue", "Central Library", "--from", "2099-03-02"}, out) == 2);
  CHECK(out.find("Give --from and --until together") != std::string::npos);
  CHECK(sets({"assign", "no-such-set", "--venue", "Central Library"}, out) == 1);
  CHECK(out.find("No question set no-such-set: add it first") != std::string::npos);
  CHECK(sets({"assign", "library-demo", "--venue", "Library\x1b[2J"}, out) == 2);
  CHECK(out.find("no control characters") != std::string::npos);

  REQUIRE(sets({"list"}, out) == 0);
  CHECK(out.find("the content of version 1") != std::string::npos);
  CHECK(out.find("2099-03-02 to 2099-03-15") != std::string::npos);
  CHECK(out.find("standing") != std::string::npos);
}
