// The CLOSED screen through Dear ImGui with synthetic taps (no window): only
// black until a tap, then a notice that fits every size, and the staff
// corner still works.
#include <catch2/catch.hpp>

#include "core/wall_clock.h"
#include "fakes/fakes.h"
#include "harness.h"
#include "support.h"

using namespace tp;
using namespace std::chrono_literals;

namespace {

const ImVec2 kSizes[] = {{800, 480}, {1024, 600}, {1280, 800}, {1920, 1080}, {480, 800}, {600, 1024}, {800, 1280}, {1080, 1920}};
constexpr ImU32 kBlack = IM_COL32(0, 0, 0, 255);

KioskConfig library_hours() {
  return parse_kiosk_config(R"({"question_set": "q.json", "opening_hours": {"mon": "09:00-17:00", "tue": "09:00-17:00",
      "wed": "09:00-17:00", "thu": "09:00-17:00", "fri": "09:00-17:00", "sat": "10:00-16:00", "sun": null}})",
                            "k.json", "/");
}

// What the last frame drew: how many vertices, how many not black, and where those lie.
struct Drawn {
  int vertices = 0, lit = 0;
  ImVec2 min{FLT_MAX, FLT_MAX}, max{-FLT_MAX, -FLT_MAX};
};

Drawn last_frame() {
  Drawn d;
  ImDrawData* data = ImGui::GetDrawData();
  for (int i = 0; i < data->CmdListsCount; ++i)
    for (const ImDrawVert& v : data->CmdLists[i]->VtxBuffer) {
      ++d.vertices;
      if (v.col == kBlack) continue;
      ++d.lit;
      d.min = {std::min(d.min.x, v.pos.x), std::min(d.min.y, v.pos.y)};
      d.max = {std::max(d.max.x, v.pos.x), std::max(d.max.y, v.pos.y)};
    }
  return d;
}

}  // namespace

TEST_CASE("closed: only black is drawn; a tap shows the notice on screen at every size, then it is black again", "[ui][hours]") {
  test::LocalZone zone("Europe/London");
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config = library_hours();
  for (ImVec2 size : kSizes) {
    for (const char* theme : {"standard", "high-contrast"}) {
      INFO(size.x << "x" << size.y << " " << theme);
      test::MemoryStore store;
      test::WallClock wall(test::local_time(2026, 4, 4, 18, 0));  // Saturday evening: open again on Monday
      test::FixedPin pins("2468");
      TimePoint now = Clock::now();
      Visit v(set, config, strings, store, store, wall, pins, now);
      REQUIRE(v.screen() == Screen::closed);
      test::ScreenHarness h(size, set, strings, theme);

      h.frame(v, now);
      Drawn dark = last_frame();
      CHECK(dark.vertices > 0);  // the window's black background
      CHECK(dark.lit == 0);
      CHECK(h.hits().empty());

      h.tap_at(v, now, {size.x * 0.5f, size.y * 0.5f});
      CHECK(v.screen() == Screen::closed);
      CHECK(store.rows.empty());
      Drawn notice = last_frame();
      CHECK(notice.lit > 0);
      CHECK(notice.min.x >= 0);
      CHECK(notice.min.y >= 0);
      CHECK(notice.max.x <= size.x);
      CHECK(notice.max.y <= size.y);

      now += Visit::kClosedNotice;
      v.tick(now);
      h.frame(v, now);
      CHECK(last_frame().lit == 0);
    }
  }
}

TEST_CASE("closed: the five-second press in the top-left corner still opens the staff PIN pad", "[ui][hours][staff]") {
  test::LocalZone zone("Europe/London");
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config = library_hours();
  test::MemoryStore store;
  test::WallClock wall(test::local_time(2026, 3, 30, 22, 0));
  test::FixedPin pins("2468");
  TimePoint now = Clock::now();
  Visit v(set, config, strings, store, store, wall, pins, now);
  REQUIRE(v.screen() == Screen::closed);
  test::ScreenHarness h({800, 480}, set, strings);
  h.frame(v, now, {5, 5}, true);
  now += ui::Ui::kStaffHold;
  h.frame(v, now, {5, 5}, true);
  CHECK(v.screen() == Screen::staff_pin);
  h.frame(v, now, {5, 5}, false);
  for (const char* d : {"pin.2", "pin.4", "pin.6", "pin.8", "pin.ok"}) h.tap(v, now, d);
  CHECK(v.screen() == Screen::staff_menu);
  h.tap(v, now, "staff.close");
  CHECK(v.screen() == Screen::closed);
}
