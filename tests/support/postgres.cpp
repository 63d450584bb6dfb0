// A throwaway PostgreSQL 15 cluster for tests; see postgres.h.
#include "postgres.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "process.h"

extern char** environ;

namespace tp::test {

namespace {

// Debian's PostgreSQL 15, not on PATH; TENPOINT_TEST_PG_BIN points elsewhere
// (another version, or a missing folder to see the tests skip).
std::string bin_dir() {
  const char* dir = std::getenv("TENPOINT_TEST_PG_BIN");
  return dir && *dir ? dir : "/usr/lib/postgresql/15/bin";
}
const char* const kUser = "tenpoint-pg";    // the unprivileged owner when tests run as root
const char* const kSuperuser = "tenpoint";  // the cluster's superuser role
constexpr auto kCommandTimeout = std::chrono::seconds(60);

bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

std::string log_tail(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  constexpr std::size_t kTailBytes = 2000;
  return text.size() > kTailBytes ? "..." + text.substr(text.size() - kTailBytes) : text;
}

// "" once the user exists; useradd may race with another test process doing
// the same, so a failure counts only if the user is still missing after it.
std::string ensure_user() {
  if (::getpwnam(kUser)) return "";
  if (!executable("/usr/sbin/useradd")) return std::string("no user ") + kUser + " to run PostgreSQL as, and no useradd to make one";
  std::string output;
  for (int attempt = 0; attempt < 5 && !::getpwnam(kUser); ++attempt) {
    run_command({"/usr/sbin/useradd", "-r", "-M", "-s", "/usr/sbin/nologin", kUser}, output, kCommandTimeout);
    if (!::getpwnam(kUser)) std::this_thread::sleep_for(std::chrono::milliseconds(200));  // /etc/passwd was locked by another
  }
  if (!::getpwnam(kUser)) return std::string("could not make the user ") + kUser + " to run PostgreSQL as: " + output;
  return "";
}

}  // namespace

// [SECTION] PostgresCluster

std::string PostgresCluster::unavailable_reason() {
  for (const char* tool : {"initdb", "pg_ctl", "postgres"})
    if (!executable(bin_dir() + "/" + tool))
      return "PostgreSQL 15 is not installed (no " + bin_dir() + "/" + tool + "; apt-get install postgresql-15)";
  if (::geteuid() != 0) return "";  // PostgreSQL runs as the current user
  if (!executable("/usr/sbin/runuser")) return "running as root without runuser, and PostgreSQL refuses to run as root";
  return ensure_user();
}

std::vector<std::string> PostgresCluster::as_owner(std::vector<std::string> argv) const {
  if (as_other_user_) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", kUser, "--"});
  return argv;
}

PostgresCluster::PostgresCluster() {
  if (std::string why = unavailable_reason(); !why.empty()) throw std::runtime_error(why);
  as_other_user_ = ::geteuid() == 0;
  // Short, because a Unix socket's path is limited to 107 bytes.
  char folder[] = "/tmp/tenpoint-pg-XXXXXX";
  if (!::mkdtemp(folder)) throw std::runtime_error("Unable to make a folder for the PostgreSQL cluster under /tmp");
  dir_ = folder;
  if (as_other_user_) {
    passwd* owner = ::getpwnam(kUser);
    if (!owner || ::chown(dir_.c_str(), owner->pw_uid, owner->pw_gid) != 0)
      throw std::runtime_error("Unable to give " + dir_ + " to the user " + kUser);
  }

  // The watchdog: a shell that waits for its stdin to close (this process
  // closing the pipe, or dying in any way), then stops and removes the
  // cluster. Its own session, so that a signal to this process group
  // does not take it down before it has cleaned up.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("Unable to make a pipe for the PostgreSQL watchdog");
  watchdog_pipe_ = fds[1];
  std::vector<std::string> argv = {
      "/bin/sh", "-c", "dir=$1; shift; cat >/dev/null; \"$@\" -D \"$dir/data\" -m immediate stop >/dev/null 2>&1; rm -rf \"$dir\"",
      "tenpoint-pg-watchdog", dir_};
  for (const std::string& a : as_owner({bin_dir() + "/pg_ctl"})) argv.push_back(a);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
  int spawned = ::posix_spawn(&watchdog_, "/bin/sh", &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(fds[0]);
  if (spawned != 0) {
    watchdog_ = -1;
    throw std::runtime_error("Unable to start the PostgreSQL watchdog");
  }

  try {
    std::string output;
    // --no-sync and C collation: a scratch cluster needs neither durability
    // across power loss nor a locale.
    int rc = run_command(as_owner({bin_dir() + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U", kSuperuser, "-E", "UTF8", "--locale=C",
                                   "--no-sync", "--no-instructions"}),
                         output, kCommandTimeout);
    if (rc != 0) throw std::runtime_error("initdb failed (" + std::to_string(rc) + "): " + output);
    start();
  } catch (...) {
    // No destructor runs for a constructor that throws: clean up here.
    ::close(watchdog_pipe_);
    ::waitpid(watchdog_, nullptr, 0);
    throw;
  }
}

PostgresCluster::~PostgresCluster() {
  // The watchdog does the stopping and the removing, as it would after a crash.
  if (watchdog_pipe_ >= 0) ::close(watchdog_pipe_);
  if (watchdog_ > 0) {
    int status = 0;
    ::waitpid(watchdog_, &status, 0);
  }
}

void PostgresCluster::start() {
  std::string output;
  // Only the socket in our folder; fsync off because nothing here must
  // survive a power cut, and it makes CREATE DATABASE and commits fast.
  std::string server_options = "-k " + dir_ + " -c listen_addresses='' -c fsync=off -c full_page_writes=off -c max_connections=200";
  int rc = run_command(
      as_owner({bin_dir() + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/log", "-w", "-t", "60", "-o", server_options, "start"}), output,
      kCommandTimeout);
  if (rc != 0)
    throw std::runtime_error("pg_ctl start failed (" + std::to_string(rc) + "): " + output + "\nserver log:\n" + log_tail(dir_ + "/log"));
}

void PostgresCluster::crash() {
  std::string output;
  int rc = run_command(as_owner({bin_dir() + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}), output, kCommandTimeout);
  if (rc != 0) throw std::runtime_error("pg_ctl stop failed (" + std::to_string(rc) + "): " + output);
}

std::string PostgresCluster::url(const std::string& database) const {
  return "postgresql:///" + database + "?host=" + dir_ + "&user=" + kSuperuser;
}

std::string PostgresCluster::keyword_url(const std::string& database) const {
  return "host=" + dir_ + " user=" + kSuperuser + " dbname=" + database;
}

std::string PostgresCluster::create_database(const std::string& name) {
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      throw std::invalid_argument("database names here are plain words: " + name);
  PgClient admin(url("postgres"));
  admin.query("CREATE DATABASE " + name);  // a name cannot be a parameter; it was checked above
  return url(name);
}

// [SECTION] PgClient

PgClient::PgClient(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn_);
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("Unable to connect to " + url + ": " + why);
  }
}

PgClient::~PgClient() { PQfinish(conn_); }

std::string PgClient::query(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PGresult* r = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
  ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string why = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error("Unable to run " + sql + ": " + why);
  }
  std::string out = PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0) ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  return out;
}

long long PgClient::number(const std::string& sql, const std::vector<std::string>& params) {
  std::string text = query(sql, params);
  return text.empty() ? -1 : std::stoll(text);
}

}  // namespace tp::test
