// The serial of the last signed question set accepted, on real SQLite files.
#include <catch2/catch.hpp>

#include "kiosk_store.h"
#include "support.h"

using namespace tp;

TEST_CASE("the accepted serial survives closing and reopening the database, and only rises", "[storage][signed]") {
  std::string dir = test::scratch_dir("store_set_serials");
  {
    KioskStore store({dir + "/kiosk.db", std::nullopt});
    Result<AcceptedSet> none = store.set_serials.highest_accepted();
    REQUIRE(none);
    CHECK(none->serial == 0);
    REQUIRE(store.set_serials.record_accepted({42, "library-demo", 4, 1764500400}));
  }
  {
    KioskStore store({dir + "/kiosk.db", std::nullopt});
    Result<AcceptedSet> kept = store.set_serials.highest_accepted();
    REQUIRE(kept);
    CHECK(kept->serial == 42);
    CHECK(kept->set_id == "library-demo");
    CHECK(kept->set_version == 4);
    CHECK(kept->accepted_at == 1764500400);
    // An older or equal serial changes nothing, and is not an error.
    REQUIRE(store.set_serials.record_accepted({41, "library-demo", 3, 1764500500}));
    REQUIRE(store.set_serials.record_accepted({42, "other", 9, 1764500500}));
    CHECK(store.set_serials.highest_accepted()->serial == 42);
    CHECK(store.set_serials.highest_accepted()->set_id == "library-demo");
    REQUIRE(store.set_serials.record_accepted({43, "library-demo", 5, 1764500600}));
  }
  // Another process (tenpoint questions install) reads what the kiosk wrote.
  SqliteDatabase database({dir + "/kiosk.db", std::nullopt});
  SqliteSetSerials serials(database);
  CHECK(serials.highest_accepted()->serial == 43);
}

TEST_CASE("a database from before signed sets is migrated with its answers and no serial", "[storage][signed]") {
  std::string dir = test::scratch_dir("store_set_serials_migrate");
  {
    KioskStore store({dir + "/kiosk.db", std::nullopt});
    Answer a;
    a.uuid = random_uuid();
    a.set_id = "library-demo";
    a.set_version = 1;
    a.question_id = "library";
    a.session_id = "s1";
    a.score = 7;
    a.language = "en";
    a.stamp = {1764500400, true, "boot", 900000};
    REQUIRE(store.answers.commit(a));
  }
  // Back to schema 2, as the previous release left it.
  REQUIRE(
      std::system(
          ("sqlite3 " + dir +
           "/kiosk.db 'DROP TABLE signed_set_state; DROP TABLE pin_lock_state; DROP INDEX answers_noted; DROP INDEX answers_note_visits; "
           "PRAGMA user_version=2'")
              .c_str()) == 0);
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  CHECK(store.database.schema_version() == SqliteDatabase::kSchemaVersion);
  CHECK(store.database.count_answers() == 1);
  Result<AcceptedSet> none = store.set_serials.highest_accepted();
  REQUIRE(none);
  CHECK(none->serial == 0);
}
