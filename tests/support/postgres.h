// A throwaway PostgreSQL 15 cluster for tests, and a small libpq client to
// set up and inspect its databases.
//
// The cluster lives in a new folder under /tmp and listens only on a Unix
// socket there: no port to clash with, nothing on the network. PostgreSQL
// refuses to run as root, so under root (as in CI) it runs as the system
// user `tenpoint-pg`, made once with useradd if missing.
//
// The binaries come from /usr/lib/postgresql/15/bin, or from the folder in
// the environment variable TENPOINT_TEST_PG_BIN.
//
// A watchdog process removes the cluster when the test process ends, even
// by a crash or a timeout's SIGKILL, so no server is left running.
//
//   (none) --PostgresCluster()--> running --crash()--> stopped --start()--> running
//   running|stopped --~PostgresCluster()--> removed
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

struct pg_conn;  // libpq's PGconn, kept out of this header

namespace tp::test {

class PostgresCluster {
 public:
  // "" when a cluster can run here; otherwise why not (PostgreSQL 15 not
  // installed, or no unprivileged user to run it as), to report a skip.
  static std::string unavailable_reason();

  // initdb, then start. Throws std::runtime_error with the command's output
  // or the server's log when either fails.
  PostgresCluster();
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // A new, empty database (name: letters, digits, underscores); its URL.
  std::string create_database(const std::string& name);
  std::string url(const std::string& database) const;
  // The same database as key=value pairs, the other form libpq reads.
  std::string keyword_url(const std::string& database) const;

  // pg_ctl stop -m immediate: the server dies as in a crash, connections drop.
  void crash();
  void start();
  const std::string& dir() const { return dir_; }

 private:
  std::vector<std::string> as_owner(std::vector<std::string> argv) const;
  std::string dir_;
  bool as_other_user_ = false;
  int watchdog_pipe_ = -1;  // closing it (or dying) tells the watchdog to clean up
  pid_t watchdog_ = -1;
};

// One libpq connection, for test set-up and checks only (the code under test
// has its own). Every call throws std::runtime_error on failure.
class PgClient {
 public:
  explicit PgClient(const std::string& url);
  ~PgClient();
  PgClient(const PgClient&) = delete;
  PgClient& operator=(const PgClient&) = delete;

  // The first column of the first row, "" when there is none (or it is NULL).
  std::string query(const std::string& sql, const std::vector<std::string>& params = {});
  long long number(const std::string& sql, const std::vector<std::string>& params = {});

 private:
  pg_conn* conn_ = nullptr;
};

}  // namespace tp::test
