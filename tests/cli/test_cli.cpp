// The `tenpoint` command line, run as a real process.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>

#include "support.h"

namespace {

struct Run {
  int code = -1;
  std::string out;  // standard output and error together
};

Run run(const std::string& args) {
  Run r;
  std::string cmd = std::string(TENPOINT_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST_CASE("questions validate: ok for the demo, FILE:LINE:COLUMN for a broken set", "[cli]") {
  Run ok = run("questions validate " + tp::test::demo_set_path());
  CHECK(ok.code == 0);
  CHECK(ok.out.find("ok (library-demo v1") != std::string::npos);

  std::string dir = tp::test::scratch_dir("cli_validate");
  std::string bad = tp::test::read_file(tp::test::demo_set_path());
  bad.replace(bad.find("\"max\": 10"), 9, "\"max\": \"10\"");
  tp::test::write_file(dir + "/bad.json", bad);
  Run r = run("questions validate " + dir + "/bad.json");
  CHECK(r.code == 1);
  CHECK(r.out.find(dir + "/bad.json:17:14: \"max\" must be a number, not a string") != std::string::npos);

  Run missing = run("questions validate " + dir + "/nope.json");
  CHECK(missing.code == 1);
  CHECK(missing.out.find("unable to read the file") != std::string::npos);
}

TEST_CASE("simulate then stats, as a table and as JSON", "[cli]") {
  std::string dir = tp::test::scratch_dir("cli_stats");
  Run sim = run("simulate --db " + dir + "/k.db --answers 500 --seed 7 --days 3");
  REQUIRE(sim.code == 0);
  CHECK(sim.out == "added 500 answers to " + dir + "/k.db\n");
  Run table = run("stats --db " + dir + "/k.db");
  CHECK(table.code == 0);
  CHECK(table.out.find("500 answers in") != std::string::npos);
  CHECK(table.out.find("library") != std::string::npos);
  Run json = run("stats --db " + dir + "/k.db --json");
  CHECK(json.code == 0);
  CHECK(json.out.find("\"total_answers\":500") != std::string::npos);
  CHECK(json.out.find("\"question\":\"library\"") != std::string::npos);
}

TEST_CASE("every command explains itself and bad use says what to do", "[cli]") {
  for (const char* cmd : {"--help", "questions validate --help", "stats --help", "simulate --help", "pin-hash --help"}) {
    Run r = run(cmd);
    INFO(cmd);
    CHECK(r.code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
  Run none = run("");
  CHECK(none.code != 0);
  Run no_db = run("stats --db /nonexistent/k.db");
  CHECK(no_db.code == 1);
  CHECK(no_db.out.find("Unable to open /nonexistent/k.db: no such file") != std::string::npos);
  Run bad_pin = run("pin-hash 12");
  CHECK(bad_pin.code == 1);
  CHECK(bad_pin.out.find("4 to 8 digits") != std::string::npos);
}

TEST_CASE("pin-hash makes an Argon2id hash", "[cli]") {
  Run r = run("pin-hash 2468");
  CHECK(r.code == 0);
  CHECK(r.out.rfind("$argon2id$", 0) == 0);
}
