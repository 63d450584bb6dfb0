// The SQLite answer store, on real files.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "kiosk_store.h"
#include "support.h"

using namespace tp;

namespace {

Answer sample(const std::string& session, const std::string& question, int score) {
  Answer a;
  a.uuid = random_uuid();
  a.set_id = "library-demo";
  a.set_version = 1;
  a.question_id = question;
  a.session_id = session;
  a.score = score;
  a.language = "en";
  a.stamp = {1764500400, true, "boot", 900000};
  return a;
}

}  // namespace

TEST_CASE("answers are stored, replaced within a visit, and closed", "[storage]") {
  std::string dir = test::scratch_dir("store_basic");
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  CHECK(store.database.schema_version() == SqliteDatabase::kSchemaVersion);
  REQUIRE(store.answers.commit(sample("s1", "library", 3)));
  REQUIRE(store.answers.commit(sample("s1", "library", 8)));  // changed their mind
  CHECK(store.database.count_answers() == 1);
  REQUIRE(store.answers.close_session("s1"));
  REQUIRE(store.answers.commit(sample("s1", "library", 2)));  // a closed visit cannot change: a new row
  CHECK(store.database.count_answers() == 2);
  auto c = store.reports.counts(0);
  REQUIRE(c);
  CHECK(c->answers_total == 2);
  CHECK(c->answers_unsent == 1);  // only the closed one may be sent
  CHECK(c->database_bytes > 0);
  CHECK(c->free_disk_bytes > 0);
  auto unsent = store.outbox.unsent(10, 0);
  REQUIRE(unsent);
  REQUIRE(unsent->size() == 1);
  CHECK((*unsent)[0].answer.score == 8);
  CHECK(store.database.integrity_check() == "ok");
}

TEST_CASE("visits left open by a crash are closed when the kiosk's answer store starts", "[storage]") {
  std::string dir = test::scratch_dir("store_reopen");
  {
    KioskStore store({dir + "/kiosk.db", std::nullopt});
    REQUIRE(store.database.open());
    REQUIRE(store.answers.commit(sample("s1", "library", 5)));
  }
  KioskStore again({dir + "/kiosk.db", std::nullopt});
  REQUIRE(again.database.open());
  CHECK(again.reports.counts(0)->answers_unsent == 0);  // opening alone closes nothing
  REQUIRE(again.answers.probe());
  CHECK(again.reports.counts(0)->answers_unsent == 1);
}

TEST_CASE("the sync process opening the file does not close the visit a resident is in", "[storage]") {
  std::string dir = test::scratch_dir("store_sync_mid_visit");
  KioskStore kiosk({dir + "/kiosk.db", std::nullopt});
  REQUIRE(kiosk.answers.commit(sample("s1", "library", 3)));
  // tenpoint-sync starts now, with its own connection, and reads the outbox.
  KioskStore sync({dir + "/kiosk.db", std::nullopt});
  auto before = sync.outbox.unsent(10, 0);
  REQUIRE(before);
  CHECK(before->empty());
  // The resident changes their mind: the row is replaced, not lost.
  REQUIRE(kiosk.answers.commit(sample("s1", "library", 9)));
  REQUIRE(kiosk.answers.close_session("s1"));
  auto after = sync.outbox.unsent(10, 0);
  REQUIRE(after);
  REQUIRE(after->size() == 1);
  CHECK((*after)[0].answer.score == 9);
  REQUIRE(sync.outbox.mark_sent({(*after)[0].seq}, 1764500500));
  auto state = sync.outbox.state();
  REQUIRE(state);
  CHECK(state->waiting == 0);
  CHECK_FALSE(state->oldest_recorded_at);
}

TEST_CASE("marking answers sent marks exactly the ones listed, in runs or apart", "[storage]") {
  std::string dir = test::scratch_dir("store_mark_runs");
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  for (int i = 0; i < 10; ++i) REQUIRE(store.answers.commit(sample("s" + std::to_string(i), "library", i)));
  for (int i = 0; i < 10; ++i) REQUIRE(store.answers.close_session("s" + std::to_string(i)));
  auto all = store.outbox.unsent(100, 0);
  REQUIRE(all);
  REQUIRE(all->size() == 10);
  std::vector<std::int64_t> seqs;
  for (const auto& a : *all) seqs.push_back(a.seq);
  // Out of order, with a repeat, and with gaps: runs 0-2, 4, 6-7 of the ten.
  REQUIRE(store.outbox.mark_sent({seqs[7], seqs[1], seqs[0], seqs[2], seqs[4], seqs[6], seqs[1]}, 1764500500));
  auto left = store.outbox.unsent(100, 0);
  REQUIRE(left);
  std::vector<std::int64_t> left_seqs;
  for (const auto& a : *left) left_seqs.push_back(a.seq);
  CHECK(left_seqs == std::vector<std::int64_t>{seqs[3], seqs[5], seqs[8], seqs[9]});
  REQUIRE(store.outbox.mark_sent({}, 1764500501));
  CHECK(store.outbox.state()->waiting == 4);
}

TEST_CASE("a new database and its folder are for the kiosk's user only", "[storage]") {
  std::string dir = test::scratch_dir("store_modes");
  KioskStore store({dir + "/data/kiosk.db", std::nullopt});
  REQUIRE(store.answers.commit(sample("s1", "library", 3)));
  namespace fs = std::filesystem;
  CHECK((fs::status(dir + "/data").permissions() & fs::perms::all) == fs::perms::owner_all);
  CHECK((fs::status(dir + "/data/kiosk.db").permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  CHECK((fs::status(dir + "/data/kiosk.db-wal").permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
}

TEST_CASE("two processes opening a new file at the same moment migrate it once", "[storage][race]") {
  // The kiosk and tenpoint-sync start together on a fresh machine. Before the
  // migration re-read the version inside its transaction, one of them failed
  // with "table sync_state already exists" about one start in three.
  std::string dir = test::scratch_dir("store_migration_race");
  constexpr int kStarts = 100;
  int failures = 0;
  for (int round = 0; round < kStarts; ++round) {
    std::string path = dir + "/kiosk-" + std::to_string(round) + ".db";
    int go[2];
    REQUIRE(pipe(go) == 0);
    pid_t children[2];
    for (pid_t& child : children) {
      child = fork();
      REQUIRE(child >= 0);
      if (child == 0) {
        close(go[1]);
        char c;
        if (read(go[0], &c, 1) < 0) _exit(9);  // all start at once when the pipe closes
        KioskStore store({path, std::nullopt});
        Status s = store.database.open();
        if (!s) std::fprintf(stderr, "%s\n", s.message().c_str());
        _exit(s && store.database.schema_version() == SqliteDatabase::kSchemaVersion ? 0 : 1);
      }
    }
    close(go[0]);
    close(go[1]);
    for (pid_t child : children) {
      int status = 0;
      waitpid(child, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++failures;
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("a damaged database is moved aside, reported, and a new one started", "[storage][faults]") {
  std::string dir = test::scratch_dir("store_corrupt");
  std::string path = dir + "/kiosk.db";
  std::string garbage(8192, 'x');
  test::write_file(path, garbage);
  KioskStore store({path, std::nullopt});
  REQUIRE(store.database.open());
  REQUIRE_FALSE(store.database.moved_aside().empty());
  CHECK(test::read_file(store.database.moved_aside()) == garbage);  // kept as it was
  REQUIRE(store.answers.commit(sample("s", "q", 1)));
  CHECK(store.database.count_answers() == 1);
}

TEST_CASE("a full database refuses with a clear message and recovers when space returns", "[storage][faults]") {
  std::string dir = test::scratch_dir("store_full");
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  store.database.set_max_page_count(40);
  int saved = 0;
  Status last;
  for (int i = 0; i < 5000; ++i) {
    Answer a = sample("s" + std::to_string(i), "library", i % 11);
    a.text = std::string(200, 'x');
    last = store.answers.commit(a);
    if (!last) break;
    ++saved;
  }
  REQUIRE_FALSE(last);
  CHECK(last.fault() == Fault::storage_full);
  CHECK(last.message().find("disk full") != std::string::npos);
  CHECK(last.message().find(dir) != std::string::npos);
  CHECK(store.database.count_answers() == saved);  // nothing half-written
  CHECK(store.database.integrity_check() == "ok");
  store.database.set_max_page_count(1000000);
  CHECK(store.answers.commit(sample("after", "library", 1)));
  CHECK(store.database.count_answers() == saved + 1);
}

TEST_CASE("an unwritable location fails with the path and cause, and recovers", "[storage][faults]") {
  std::string dir = test::scratch_dir("store_unwritable");
  // A regular file where the folder should be: cannot be fixed by permissions, even as root.
  test::write_file(dir + "/blocked", "not a folder");
  KioskStore store({dir + "/blocked/kiosk.db", std::nullopt});
  Status s = store.database.open();
  REQUIRE_FALSE(s);
  CHECK(s.message().find(dir + "/blocked/kiosk.db") != std::string::npos);
  CHECK_FALSE(store.answers.commit(sample("s", "q", 1)));
  std::filesystem::remove(dir + "/blocked");
  std::filesystem::create_directories(dir + "/blocked");
  CHECK(store.answers.commit(sample("s", "q", 1)));
}

TEST_CASE("a database from a newer version is refused, not damaged", "[storage]") {
  std::string dir = test::scratch_dir("store_newer");
  {
    KioskStore store({dir + "/kiosk.db", std::nullopt});
    REQUIRE(store.database.open());
  }
  REQUIRE(std::system(("sqlite3 " + dir + "/kiosk.db 'PRAGMA user_version=99'").c_str()) == 0);
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  Status s = store.database.open();
  REQUIRE_FALSE(s);
  CHECK(s.message().find("newer Tenpoint") != std::string::npos);
}

TEST_CASE("stats group answers by question and day", "[storage]") {
  std::string dir = test::scratch_dir("store_stats");
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  std::vector<Answer> many;
  for (int i = 0; i < 10; ++i) many.push_back(sample("s" + std::to_string(i), "library", i));
  REQUIRE(store.answers.commit_many(many));
  auto rows = store.reports.answers_by_question_and_day();
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].answers == 10);
  CHECK((*rows)[0].mean_score == Approx(4.5));
}
