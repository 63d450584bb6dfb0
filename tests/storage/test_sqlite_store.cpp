// The SQLite answer store, on real files.
#include <catch2/catch.hpp>
#include <filesystem>

#include "sqlite_store.h"
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
  SqliteStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.open());
  CHECK(store.schema_version() == SqliteStore::kSchemaVersion);
  REQUIRE(store.commit(sample("s1", "library", 3)));
  REQUIRE(store.commit(sample("s1", "library", 8)));  // changed their mind
  CHECK(store.count_answers() == 1);
  REQUIRE(store.close_session("s1"));
  REQUIRE(store.commit(sample("s1", "library", 2)));  // a closed visit cannot change: a new row
  CHECK(store.count_answers() == 2);
  StoreSummary s = store.summary(0);
  CHECK(s.healthy);
  CHECK(s.answers_total == 2);
  CHECK(s.answers_unsent == 1);  // only the closed one may be sent
  CHECK(s.database_bytes > 0);
  CHECK(store.integrity_check() == "ok");
}

TEST_CASE("visits left open by a crash are closed when the store opens", "[storage]") {
  std::string dir = test::scratch_dir("store_reopen");
  {
    SqliteStore store({dir + "/kiosk.db", std::nullopt});
    REQUIRE(store.open());
    REQUIRE(store.commit(sample("s1", "library", 5)));
  }
  SqliteStore again({dir + "/kiosk.db", std::nullopt});
  REQUIRE(again.open());
  CHECK(again.summary(0).answers_unsent == 1);
}

TEST_CASE("a damaged database is moved aside, reported, and a new one started", "[storage][faults]") {
  std::string dir = test::scratch_dir("store_corrupt");
  std::string path = dir + "/kiosk.db";
  std::string garbage(8192, 'x');
  test::write_file(path, garbage);
  SqliteStore store({path, std::nullopt});
  REQUIRE(store.open());
  REQUIRE_FALSE(store.moved_aside().empty());
  CHECK(test::read_file(store.moved_aside()) == garbage);  // kept as it was
  REQUIRE(store.commit(sample("s", "q", 1)));
  CHECK(store.count_answers() == 1);
}

TEST_CASE("a full database refuses with a clear message and recovers when space returns", "[storage][faults]") {
  std::string dir = test::scratch_dir("store_full");
  SqliteStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.open());
  store.set_max_page_count(40);
  int saved = 0;
  Status last;
  for (int i = 0; i < 5000; ++i) {
    Answer a = sample("s" + std::to_string(i), "library", i % 11);
    a.text = std::string(200, 'x');
    last = store.commit(a);
    if (!last) break;
    ++saved;
  }
  REQUIRE_FALSE(last);
  CHECK(last.fault() == Fault::storage_full);
  CHECK(last.message().find("disk full") != std::string::npos);
  CHECK(last.message().find(dir) != std::string::npos);
  CHECK(store.count_answers() == saved);  // nothing half-written
  CHECK(store.integrity_check() == "ok");
  store.set_max_page_count(1000000);
  CHECK(store.commit(sample("after", "library", 1)));
  CHECK(store.count_answers() == saved + 1);
}

TEST_CASE("an unwritable location fails with the path and cause, and recovers", "[storage][faults]") {
  std::string dir = test::scratch_dir("store_unwritable");
  // A regular file where the folder should be: cannot be fixed by permissions, even as root.
  test::write_file(dir + "/blocked", "not a folder");
  SqliteStore store({dir + "/blocked/kiosk.db", std::nullopt});
  Status s = store.open();
  REQUIRE_FALSE(s);
  CHECK(s.message().find(dir + "/blocked/kiosk.db") != std::string::npos);
  CHECK_FALSE(store.commit(sample("s", "q", 1)));
  std::filesystem::remove(dir + "/blocked");
  std::filesystem::create_directories(dir + "/blocked");
  CHECK(store.commit(sample("s", "q", 1)));
}

TEST_CASE("a database from a newer version is refused, not damaged", "[storage]") {
  std::string dir = test::scratch_dir("store_newer");
  {
    SqliteStore store({dir + "/kiosk.db", std::nullopt});
    REQUIRE(store.open());
  }
  REQUIRE(std::system(("sqlite3 " + dir + "/kiosk.db 'PRAGMA user_version=99'").c_str()) == 0);
  SqliteStore store({dir + "/kiosk.db", std::nullopt});
  Status s = store.open();
  REQUIRE_FALSE(s);
  CHECK(s.message().find("newer Tenpoint") != std::string::npos);
}

TEST_CASE("stats group answers by question and day", "[storage]") {
  std::string dir = test::scratch_dir("store_stats");
  SqliteStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.open());
  std::vector<Answer> many;
  for (int i = 0; i < 10; ++i) many.push_back(sample("s" + std::to_string(i), "library", i));
  REQUIRE(store.commit_many(many));
  auto rows = store.answers_by_question_and_day(nullptr);
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].answers == 10);
  CHECK((*rows)[0].mean_score == Approx(4.5));
}
