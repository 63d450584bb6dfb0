// A visit without touching the screen: arrow keys, Tab and Enter (a USB
// keypad, or three physical buttons wired as Left, Right and Enter) move a
// focus ring among the buttons and press the focused one, through the real
// screens with no window.
#include <catch2/catch.hpp>

#include "fakes/fakes.h"
#include "harness.h"
#include "support.h"

using namespace tp;

namespace {

// Presses `key` until `want` has the focus; false after `limit` presses.
bool focus_by(test::ScreenHarness& h, Visit& v, TimePoint now, ui::NavKey key, const std::string& want, int limit = 80) {
  for (int i = 0; i < limit && h.ui().focused() != want; ++i) {
    h.ui().navigate(key);
    h.frame(v, now);
  }
  return h.ui().focused() == want;
}

}  // namespace

TEST_CASE("arrow keys and Enter take a resident through a visit, with a focus ring", "[ui][navigation]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  for (ImVec2 size : {ImVec2{800, 480}, ImVec2{1080, 1920}}) {
    INFO(size.x << "x" << size.y);
    test::MemoryStore store;
    test::FixedStamps stamps;
    test::FixedPin pins("2468");
    TimePoint now = Clock::now();
    Visit v(set, config, strings, store, store, stamps, pins, now);
    test::ScreenHarness h(size, set, strings);
    h.frame(v, now);
    CHECK(h.ui().focused().empty());  // no ring until a key is pressed

    // Enter on the attract screen starts a visit, as a tap does.
    h.ui().navigate(ui::NavKey::select);
    h.frame(v, now);
    REQUIRE(v.screen() == Screen::scale);
    h.frame(v, now);

    // The first key focuses the first button; Tab walks the buttons, Right and Left the scale.
    h.ui().navigate(ui::NavKey::right);
    h.frame(v, now);
    CHECK_FALSE(h.ui().focused().empty());
    REQUIRE(focus_by(h, v, now, ui::NavKey::next, "scale.7"));
    h.ui().navigate(ui::NavKey::right);
    h.frame(v, now);
    CHECK(h.ui().focused() == "scale.8");
    h.ui().navigate(ui::NavKey::left);
    h.frame(v, now);
    CHECK(h.ui().focused() == "scale.7");
    h.ui().navigate(ui::NavKey::select);
    h.frame(v, now);
    h.frame(v, now);
    REQUIRE(v.screen() == Screen::text);
    REQUIRE(v.score() == std::optional<int>(7));
    CHECK(h.ui().focused().empty());  // a new screen: the focus is dropped

    // Tab through the keys to "o", then Enter types it (a capital: the note starts with shift on).
    REQUIRE(focus_by(h, v, now, ui::NavKey::next, "key.o"));
    h.ui().navigate(ui::NavKey::select);
    h.frame(v, now);
    CHECK(v.text() == "O");
    // Shift+Tab goes back; Down from the top row reaches the row below.
    h.ui().navigate(ui::NavKey::previous);
    h.frame(v, now);
    CHECK(h.ui().focused() != "key.o");
    REQUIRE(focus_by(h, v, now, ui::NavKey::next, "key.o"));
    h.ui().navigate(ui::NavKey::down);
    h.frame(v, now);
    CHECK(h.hits().at(h.ui().focused()).center().y > h.hits().at("key.o").center().y);
    REQUIRE(focus_by(h, v, now, ui::NavKey::next, "done"));
    const std::string question = v.question()->id;
    h.ui().navigate(ui::NavKey::select);
    h.frame(v, now);
    CHECK(v.question()->id != question);  // on to the next follow-up
    CHECK(store.rows.size() == 2);        // the score and the note
  }
}

TEST_CASE("in a right-to-left visit Right moves towards the lower scores", "[ui][navigation][rtl]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  test::MemoryStore store;
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  TimePoint now = Clock::now();
  Visit v(set, config, strings, store, store, stamps, pins, now);
  test::ScreenHarness h({1280, 800}, set, strings);
  h.shape_text();
  h.frame(v, now);
  h.tap(v, now, "lang.ar");
  h.ui().navigate(ui::NavKey::select);
  h.frame(v, now);
  REQUIRE(v.screen() == Screen::scale);
  h.frame(v, now);
  REQUIRE(focus_by(h, v, now, ui::NavKey::next, "scale.7"));
  h.ui().navigate(ui::NavKey::right);
  h.frame(v, now);
  CHECK(h.ui().focused() == "scale.6");
}
