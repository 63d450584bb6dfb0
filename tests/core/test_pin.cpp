// Staff PINs: the demo PIN is recognised whatever its salt, new PINs are 6 to
// 8 digits, and the lock lengths double up to a day.
#include <catch2/catch.hpp>

#include "pin.h"
#include "pin_lock.h"
#include "support.h"

using namespace tp;
using namespace std::chrono_literals;

TEST_CASE("the shipped demo hash, and any other hash of 2468, is the demo PIN; another PIN is not", "[pin]") {
  std::string shipped = test::read_file(test::source_dir() + "/config/kiosk.example.json");
  auto at = shipped.find("$argon2id$");
  REQUIRE(at != std::string::npos);
  Argon2PinChecker example(shipped.substr(at, shipped.find('"', at) - at));
  CHECK(example.verify("2468"));
  CHECK(example.is_demo_pin());

  std::optional<std::string> resalted = hash_pin("2468");
  REQUIRE(resalted);
  CHECK(Argon2PinChecker(*resalted).is_demo_pin());

  std::optional<std::string> own = hash_pin("135790");
  REQUIRE(own);
  Argon2PinChecker checker(*own);
  CHECK_FALSE(checker.is_demo_pin());
  checker.set_hash(*resalted);  // a reload back to the demo PIN warns again
  CHECK(checker.is_demo_pin());
  CHECK_FALSE(Argon2PinChecker("").is_demo_pin());
}

TEST_CASE("a new staff PIN is 6 to 8 digits", "[pin]") {
  for (const char* good : {"135790", "1357902", "13579024"}) CHECK(pin_is_long_enough(good));
  for (const char* bad : {"", "2468", "13579", "135790246", "12345a", " 123456", "１２３４５６"}) {
    INFO(bad);
    CHECK_FALSE(pin_is_long_enough(bad));
  }
  CHECK(pin_is_well_formed("2468"));  // an existing short PIN still opens the pad
}

TEST_CASE("each lock doubles, past 15 minutes, up to a day", "[pin]") {
  CHECK(pin_lock_length(60s, 0) == 60s);
  CHECK(pin_lock_length(60s, 1) == 120s);
  CHECK(pin_lock_length(60s, 4) == 16min);
  CHECK(pin_lock_length(60s, 10) == 1024min);
  CHECK(pin_lock_length(60s, 11) == 24h);
  CHECK(pin_lock_length(60s, 1000) == 24h);
  CHECK(pin_lock_length(3600s, 5) == 24h);
  CHECK(pin_lock_length(5s, -3) == 5s);
}
