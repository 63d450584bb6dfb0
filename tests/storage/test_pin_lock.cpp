// The staff PIN lockout in the kiosk's SQLite file: kept across reopening,
// and added to a database from before it (schema 3) with its answers.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "kiosk_store.h"
#include "support.h"

using namespace tp;

TEST_CASE("the PIN lockout is kept in the database across reopening", "[storage][pin]") {
  std::string dir = test::scratch_dir("store_pin_lock");
  {
    KioskStore store({dir + "/kiosk.db", std::nullopt});
    Result<PinLockState> none = store.pin_lock.load_pin_lock();
    REQUIRE(none);
    CHECK(*none == PinLockState{});
    REQUIRE(store.pin_lock.save_pin_lock({3, 2, 1764500400}));
  }
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  Result<PinLockState> kept = store.pin_lock.load_pin_lock();
  REQUIRE(kept);
  CHECK(*kept == PinLockState{3, 2, 1764500400});
  REQUIRE(store.pin_lock.save_pin_lock({}));
  CHECK(*store.pin_lock.load_pin_lock() == PinLockState{});
}

TEST_CASE("a database from before the PIN lockout is migrated with its answers and no lock", "[storage][pin]") {
  std::string dir = test::scratch_dir("store_pin_lock_migrate");
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
  // Back to schema 3, as the previous release left it.
  REQUIRE(std::system(("sqlite3 " + dir +
                       "/kiosk.db 'DROP TABLE pin_lock_state; DROP INDEX answers_noted; DROP INDEX answers_note_visits; "
                       "PRAGMA user_version=3'")
                          .c_str()) == 0);
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  CHECK(store.database.schema_version() == SqliteDatabase::kSchemaVersion);
  CHECK(store.database.count_answers() == 1);
  Result<PinLockState> none = store.pin_lock.load_pin_lock();
  REQUIRE(none);
  CHECK(*none == PinLockState{});
  REQUIRE(store.pin_lock.save_pin_lock({1, 0, 0}));
}
