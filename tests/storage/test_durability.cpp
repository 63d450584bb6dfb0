// Durability: a child process commits answers and reports each one only
// after commit() returned; it is killed with SIGKILL at random moments.
// Every reported answer must be in the file, and the file must be sound.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <thread>

#include "kiosk_store.h"
#include "support.h"

using namespace tp;

namespace {

[[noreturn]] void committer(const std::string& path, int out_fd) {
  KioskStore store({path, std::nullopt});
  if (!store.database.open()) _exit(3);
  for (int i = 0;; ++i) {
    Answer a;
    a.uuid = random_uuid();
    a.set_id = "durability";
    a.set_version = 1;
    a.question_id = "q" + std::to_string(i % 3);
    a.session_id = "visit-" + std::to_string(getpid()) + "-" + std::to_string(i / 3);
    a.score = i % 11;
    a.language = "en";
    a.stamp = {1764500400, true, "boot", 0};
    if (!store.answers.commit(a)) _exit(4);
    if (i % 3 == 2 && !store.answers.close_session(a.session_id)) _exit(5);
    std::string line = a.uuid + "\n";
    if (write(out_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(6);
  }
}

std::set<std::string> uuids_in(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT uuid FROM answers", -1, &s, nullptr) == SQLITE_OK);
  std::set<std::string> out;
  while (sqlite3_step(s) == SQLITE_ROW) out.insert(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

}  // namespace

TEST_CASE("answers reported as committed survive SIGKILL at random moments", "[storage][durability][slow]") {
  std::string dir = test::scratch_dir("durability");
  std::string path = dir + "/kiosk.db";
  std::mt19937 rng(20261130);
  std::uniform_int_distribution<int> delay_us(0, 25000);
  std::set<std::string> reported;
  const int kRounds = 300;
  const long kReportsBeforeKill = 4;
  int killed_mid_run = 0;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(fds[0]);
      committer(path, fds[1]);
    }
    close(fds[1]);
    // Each round first waits for a few commits to be reported (however slow
    // the machine), then kills at a random moment of the ones that follow:
    // the count of reported answers does not depend on the machine's speed.
    std::string buffer;
    char chunk[4096];
    ssize_t n;
    while (std::count(buffer.begin(), buffer.end(), '\n') < kReportsBeforeKill && (n = read(fds[0], chunk, sizeof chunk)) > 0)
      buffer.append(chunk, static_cast<std::size_t>(n));
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFSIGNALED(status))
      ++killed_mid_run;
    else
      FAIL("the committer stopped by itself with exit code " << WEXITSTATUS(status));
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0) buffer.append(chunk, static_cast<std::size_t>(n));
    close(fds[0]);
    // A line cut short by the kill was never fully reported.
    std::size_t start = 0, end;
    while ((end = buffer.find('\n', start)) != std::string::npos) {
      reported.insert(buffer.substr(start, end - start));
      start = end + 1;
    }
  }
  CHECK(killed_mid_run == kRounds);
  std::set<std::string> stored = uuids_in(path);
  std::size_t missing = 0;
  for (const auto& u : reported)
    if (!stored.count(u)) ++missing;
  INFO(reported.size() << " answers reported committed over " << kRounds << " kills");
  CHECK(reported.size() >= static_cast<std::size_t>(kRounds * kReportsBeforeKill));
  CHECK(missing == 0);
  KioskStore check({path, std::nullopt});
  REQUIRE(check.database.open());
  CHECK(check.database.integrity_check() == "ok");
}
