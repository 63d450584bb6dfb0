// The real screens, driven through Dear ImGui with synthetic taps (no window).
#include <catch2/catch.hpp>

#include "fakes/fakes.h"
#include "harness.h"
#include "kiosk_store.h"
#include "support.h"

using namespace tp;
using namespace std::chrono_literals;

namespace {

const ImVec2 kSizes[] = {{800, 480}, {1024, 600}, {1280, 800}, {1920, 1080}, {480, 800}, {600, 1024}, {800, 1280}, {1080, 1920}};

using test::reach;

}  // namespace

TEST_CASE("tapping 7 and typing \"ok\" on the on-screen keyboard stores exactly that", "[ui]") {
  std::string dir = test::scratch_dir("ui_tap_7_ok");
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  TimePoint now = Clock::now();
  Visit v(set, config, strings, store.answers, store.reports, stamps, pins, now);
  test::ScreenHarness h({1280, 800}, set, strings);

  h.frame(v, now);
  h.tap_at(v, now, {640, 700});
  REQUIRE(v.screen() == Screen::scale);
  h.tap(v, now, "scale.7");
  REQUIRE(v.screen() == Screen::text);
  CHECK(v.prompt() == "What makes it a 7 and not a lower number?");
  h.tap(v, now, "key.shift");  // the first letter would be a capital
  h.tap(v, now, "key.o");
  h.tap(v, now, "key.k");
  CHECK(v.text() == "ok");
  h.tap(v, now, "done");
  CHECK(v.screen() == Screen::text);  // the next follow-up
  CHECK(v.question()->id == "one_higher");

  auto rows = store.reports.answers_by_question_and_day();
  REQUIRE(rows);
  std::map<std::string, std::int64_t> by_question;
  for (const auto& r : *rows) by_question[r.question_id] += r.answers;
  CHECK(by_question == std::map<std::string, std::int64_t>{{"library", 1}, {"not_lower", 1}});
  // Read the stored values back through SQLite's own shell: exactly 7 and "ok".
  std::string out_file = dir + "/rows.txt";
  REQUIRE(
      std::system(("sqlite3 -separator '|' " + dir + "/kiosk.db 'SELECT question_id, score, text FROM answers ORDER BY seq' > " + out_file)
                      .c_str()) == 0);
  CHECK(test::read_file(out_file) == "library|7|\nnot_lower||ok\n");
}

TEST_CASE("a pressed key shows pressed in the same frame as the touch", "[ui]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  test::MemoryStore store;
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  TimePoint now = Clock::now();
  Visit v(set, config, strings, store, store, stamps, pins, now);
  test::ScreenHarness h({800, 480}, set, strings);
  reach(h, v, now, Screen::scale, &store);
  ui::Rect r = h.hits().at("scale.5");
  ImVec2 c = r.center();
  // Counts vertices inside the button drawn in the pressed colour.
  auto pressed_vertices = [&] {
    int n = 0;
    ImU32 pressed = ui::standard_palette().pressed;
    ImDrawData* dd = ImGui::GetDrawData();
    for (int i = 0; i < dd->CmdListsCount; ++i)
      for (const ImDrawVert& vert : dd->CmdLists[i]->VtxBuffer)
        if (vert.col == pressed && vert.pos.x >= r.min.x && vert.pos.x <= r.max.x && vert.pos.y >= r.min.y && vert.pos.y <= r.max.y + 3)
          ++n;
    return n;
  };
  h.frame(v, now, c, false);
  CHECK(pressed_vertices() == 0);
  h.frame(v, now, c, true);
  CHECK(pressed_vertices() > 0);
  h.frame(v, now, c, false);
  CHECK(v.screen() == Screen::text);
}

TEST_CASE("a long press in the top-left corner opens the staff PIN pad", "[ui][staff]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  test::MemoryStore store;
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  TimePoint now = Clock::now();
  Visit v(set, config, strings, store, store, stamps, pins, now);
  test::ScreenHarness h({1024, 600}, set, strings);
  h.frame(v, now, {5, 5}, true);
  now += 4s;
  h.frame(v, now, {5, 5}, true);
  CHECK(v.screen() == Screen::attract);
  CHECK(h.ui().wake_at().has_value());
  now += 1s;
  h.frame(v, now, {5, 5}, true);
  CHECK(v.screen() == Screen::staff_pin);
  // Lifting the finger on the PIN pad does not type anything.
  h.frame(v, now, {5, 5}, false);
  CHECK(v.pin_length() == 0);
}

TEST_CASE("every screen lays out at every size: targets on screen, large enough, apart", "[ui][layout]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  const Screen screens[] = {Screen::attract,     Screen::scale,     Screen::text,       Screen::choice,        Screen::thanks,
                            Screen::still_there, Screen::staff_pin, Screen::staff_menu, Screen::out_of_service};
  for (ImVec2 size : kSizes) {
    for (const char* theme : {"standard", "high-contrast"}) {
      test::ScreenHarness h(size, set, strings, theme);
      CHECK(h.fonts().atlas_width <= 2048);
      CHECK(h.fonts().atlas_height <= 2048);
      for (Screen target : screens) {
        test::MemoryStore store;
        test::FixedStamps stamps;
        test::FixedPin pins("2468");
        TimePoint now = Clock::now();
        Visit v(set, config, strings, store, store, stamps, pins, now);
        for (const char* lang : {"en", "cy"}) {
          v.handle(ev::SelectLanguage{lang}, now);
          reach(h, v, now, target, &store);
          INFO(size.x << "x" << size.y << " " << theme << " " << lang << " " << screen_name(target));
          REQUIRE(v.screen() == target);
          for (const auto& [id, r] : h.hits()) {
            INFO(id);
            CHECK(r.min.x >= 0);
            CHECK(r.min.y >= 0);
            CHECK(r.max.x <= size.x + 0.5f);
            CHECK(r.max.y <= size.y + 0.5f);
            // 9 mm on a 7-inch 800x480 panel is about 48 px.
            CHECK(r.width() >= 48.0f);
            CHECK(r.height() >= 44.0f);
          }
          for (auto a = h.hits().begin(); a != h.hits().end(); ++a) {
            for (auto b = std::next(a); b != h.hits().end(); ++b) {
              const auto& p = a->second;
              const auto& q = b->second;
              float dx = std::max(q.min.x - p.max.x, p.min.x - q.max.x);
              float dy = std::max(q.min.y - p.max.y, p.min.y - q.max.y);
              INFO(a->first << " and " << b->first);
              CHECK(std::max(dx, dy) >= 7.9f);
            }
          }
          // Back to a fresh visit for the next language.
          v.handle(ev::StaffGesture{}, now);
          v.handle(ev::StaffClose{}, now);
          store.fail = false;
          now += Visit::kStoreRetry;
          v.tick(now);
        }
      }
    }
  }
}

TEST_CASE("the staff menu offers an install from a USB stick and shows a refused set without hiding its buttons", "[ui][staff][signed]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  for (ImVec2 size : kSizes) {
    INFO(size.x << "x" << size.y);
    test::MemoryStore store;
    test::FixedStamps stamps;
    test::FixedPin pins("2468");
    TimePoint now = Clock::now();
    Visit v(set, config, strings, store, store, stamps, pins, now);
    test::ScreenHarness h(size, set, strings);
    h.ui().set_question_set_status({42, describe_set_refusal("signed by another key"),
                                    "Installed library-demo v2 (serial 43) from /media/kiosk/STICK/library.tpset; the kiosk starts it "
                                    "at its next attract screen"});
    reach(h, v, now, Screen::staff_menu, &store);
    REQUIRE(v.screen() == Screen::staff_menu);
    ui::Rect usb = h.hits().at("staff.install_usb");
    ui::Rect close = h.hits().at("staff.close");
    CHECK(usb.max.y + 7.9f <= close.min.y);
    CHECK(usb.min.y > 0);
    ImVec2 c = usb.center();
    h.frame(v, now, c, true);
    std::vector<Event> released = h.frame(v, now, c, false);
    CHECK(std::any_of(released.begin(), released.end(), [](const Event& e) { return std::holds_alternative<ev::StaffInstallFromUsb>(e); }));
    CHECK(v.screen() == Screen::staff_menu);
  }
}

TEST_CASE("staff menu: Export appears with a stick, a progress bar while it runs (no way out), then Safe to remove", "[ui][export]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  for (ImVec2 size : kSizes) {
    INFO(size.x << "x" << size.y);
    test::MemoryStore store;
    test::FixedStamps stamps;
    test::FixedPin pins("2468");
    TimePoint now = Clock::now();
    Visit v(set, config, strings, store, store, stamps, pins, now);
    test::ScreenHarness h(size, set, strings);
    reach(h, v, now, Screen::staff_menu, &store);
    REQUIRE(v.screen() == Screen::staff_menu);
    CHECK(h.hits().count("staff.export_usb") == 0);  // no stick, no button

    ExportStatus st;
    st.sticks = {"/media/kiosk/STICK"};
    h.ui().set_export_status(st);
    h.frame(v, now);
    ui::Rect usb = h.hits().at("staff.install_usb");
    ui::Rect exp = h.hits().at("staff.export_usb");
    CHECK(exp.min.x >= usb.max.x + 7.9f);  // apart, side by side
    CHECK(exp.max.x <= size.x);
    ImVec2 c = exp.center();
    h.frame(v, now, c, true);
    std::vector<Event> released = h.frame(v, now, c, false);
    CHECK(std::any_of(released.begin(), released.end(), [](const Event& e) { return std::holds_alternative<ev::StaffExportToUsb>(e); }));

    st.stage = ExportStatus::Stage::running;
    st.progress = 0.4;
    st.step = "Writing answers.csv (1,234 answers)";
    h.ui().set_export_status(st);
    h.frame(v, now);
    CHECK(h.hits().count("staff.export_progress") == 1);
    for (const char* gone : {"staff.close", "staff.exit", "staff.install_usb", "staff.export_usb"}) CHECK(h.hits().count(gone) == 0);

    st.stage = ExportStatus::Stage::done;
    st.progress = 1;
    st.message = "Safe to remove the USB stick: 1,234 answers in /media/kiosk/STICK/Central 2025-03-07";
    h.ui().set_export_status(st);
    h.frame(v, now);
    CHECK(h.hits().count("staff.close") == 1);
    CHECK(h.hits().count("staff.export_progress") == 0);
  }
}
