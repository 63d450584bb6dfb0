// Opening hours and the display rotation in the kiosk config, the schedule
// read against local time, and the visit state machine sleeping and waking
// with a wall clock the test sets (no display).
#include <catch2/catch.hpp>
#include <memory>

#include "fakes/fakes.h"
#include "support.h"
#include "visit.h"
#include "wall_clock.h"

using namespace tp;
using namespace std::chrono_literals;

namespace {

constexpr int kSun = 0, kMon = 1, kTue = 2, kFri = 5, kSat = 6;

KioskConfig config_with(const std::string& members) {
  return parse_kiosk_config("{\"question_set\": \"q.json\"" + members + "}", "k.json", "/etc/tenpoint");
}

OpeningHours hours_of(const std::string& week) { return config_with(", \"opening_hours\": " + week).opening_hours; }

std::string config_error(const std::string& members) {
  try {
    config_with(members);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

// A library's week: a long Monday to Friday, a short Saturday, shut on Sunday.
const char* const kLibraryWeek = R"({"mon": "09:00-17:00", "tue": "09:00-17:00", "wed": "09:00-17:00", "thu": "09:00-17:00",
    "fri": "09:00-17:00", "sat": "10:00-16:00", "sun": null})";

int at(int hour, int minute) { return hour * 60 + minute; }

}  // namespace

// ---- the config ---------------------------------------------------------------

TEST_CASE("display_rotation takes quarter turns only, with a clear message otherwise", "[config][rotation]") {
  CHECK(config_with("").display_rotation == 0);
  for (int degrees : {0, 90, 180, 270})
    CHECK(config_with(", \"display_rotation\": " + std::to_string(degrees)).display_rotation == degrees);
  for (const char* bad : {"45", "360", "-90", "90.5", "\"90\"", "null"})
    CHECK(config_error(std::string(", \"display_rotation\": ") + bad) ==
          "k.json:1:48: \"display_rotation\" must be 0, 90, 180 or 270 (degrees clockwise)");
}

TEST_CASE("speech_volume is 0 to 100 percent, 80 when left out, with a clear message otherwise", "[config][speech]") {
  CHECK(config_with("").speech_volume == 80);
  for (int volume : {0, 1, 55, 100}) CHECK(config_with(", \"speech_volume\": " + std::to_string(volume)).speech_volume == volume);
  for (const char* bad : {"101", "-1", "50.5", "\"loud\"", "null"})
    CHECK(config_error(std::string(", \"speech_volume\": ") + bad) ==
          "k.json:1:45: \"speech_volume\" must be 0 to 100 (percent; 0 turns Read aloud off)");
}

TEST_CASE("opening_hours: a range, a list of ranges or null per day; absent means always open", "[config][hours]") {
  CHECK(config_with("").opening_hours.always_open);
  OpeningHours h = hours_of(R"({"mon": "09:00-17:00", "tue": ["09:00-12:30", "13:30-17:00"], "wed": [], "thu": "9:30 - 16:00",
                               "fri": "22:00-02:00", "sat": "00:00-24:00", "sun": null})");
  CHECK_FALSE(h.always_open);
  using R = OpeningHours::Range;
  CHECK(h.by_day[kMon] == std::vector<R>{{at(9, 0), at(17, 0)}});
  CHECK(h.by_day[kTue] == std::vector<R>{{at(9, 0), at(12, 30)}, {at(13, 30), at(17, 0)}});
  CHECK(h.by_day[3].empty());
  CHECK(h.by_day[4] == std::vector<R>{{at(9, 30), at(16, 0)}});
  CHECK(h.by_day[kFri] == std::vector<R>{{at(22, 0), at(2, 0)}});
  CHECK(h.by_day[kSat] == std::vector<R>{{0, 1440}});
  CHECK(h.by_day[kSun].empty());
  // An end at midnight is the end of the day.
  CHECK(hours_of(R"({"mon": "22:00-00:00", "tue": null, "wed": null, "thu": null, "fri": null, "sat": null, "sun": null})").by_day[kMon] ==
        std::vector<R>{{at(22, 0), 1440}});
}

TEST_CASE("opening_hours: mistakes are refused with FILE:LINE:COLUMN and what to write instead", "[config][hours]") {
  const std::string rest = R"(, "tue": null, "wed": null, "thu": null, "fri": null, "sat": null, "sun": null})";
  auto error_for_monday = [&](const std::string& monday) { return config_error(", \"opening_hours\": {\"mon\": " + monday + rest); };

  CHECK(config_error(R"(, "opening_hours": "09:00-17:00")") ==
        "k.json:1:45: \"opening_hours\" must list each day's hours, such as {\"mon\": \"09:00-17:00\", ..., \"sun\": null}");
  CHECK(error_for_monday("\"9-5\"") ==
        "k.json:1:53: \"opening_hours\" \"mon\": \"9-5\" is not a range of 24-hour times such as \"09:00-17:00\"");
  for (const char* bad : {"\"25:00-26:00\"", "\"09:60-10:00\"", "\"24:00-02:00\"", "\"09:00-24:30\"", "\"09:00 to 17:00\"", "\"0900-1700\"",
                          "\"09:00-17:00-18:00\"", "\"\""})
    CHECK_THAT(error_for_monday(bad), Catch::Contains("is not a range of 24-hour times such as \"09:00-17:00\""));
  CHECK(error_for_monday("\"09:00-09:00\"") ==
        "k.json:1:53: \"opening_hours\" \"mon\": \"09:00-09:00\" opens and closes at the same time; the whole day is \"00:00-24:00\"");
  CHECK_THAT(error_for_monday("\"00:00-00:00\""), Catch::Contains("opens and closes at the same time"));
  CHECK(error_for_monday("9") ==
        "k.json:1:53: \"opening_hours\" \"mon\" must be a range such as \"09:00-17:00\", a list of them, or null (closed all day)");
  CHECK_THAT(error_for_monday("[\"09:00-12:00\", 13]"), Catch::Contains("\"mon\" must be a range such as"));
  CHECK(error_for_monday("null") ==
        "k.json:1:45: \"opening_hours\" keeps the kiosk closed every day; leave it out for a kiosk that is always open");
  CHECK(config_error(R"(, "opening_hours": {"monday": "09:00-17:00"})") ==
        "k.json:1:56: unknown day \"monday\" in \"opening_hours\" (the days are mon, tue, wed, thu, fri, sat, sun)");
  CHECK(config_error(R"(, "opening_hours": {"mon": "09:00-17:00", "tue": null, "wed": null, "thu": null, "fri": null, "sat": null})") ==
        "k.json:1:45: \"opening_hours\" has no \"sun\": give every day its hours, or null for a day the kiosk is closed");
}

// ---- the schedule ---------------------------------------------------------------

TEST_CASE("a range is open from its first minute up to, not including, its last", "[hours]") {
  OpeningHours h = hours_of(kLibraryWeek);
  CHECK_FALSE(h.open_at(kMon, at(8, 59)));
  CHECK(h.open_at(kMon, at(9, 0)));
  CHECK(h.open_at(kMon, at(16, 59)));
  CHECK_FALSE(h.open_at(kMon, at(17, 0)));
  CHECK_FALSE(h.open_at(kSun, at(12, 0)));
  CHECK(h.open_at(kSat, at(10, 0)));
  CHECK_FALSE(h.open_at(kSat, at(16, 0)));

  OpeningHours split = hours_of(R"({"mon": ["09:00-12:30", "13:30-17:00"], "tue": null, "wed": null, "thu": null, "fri": null,
                                    "sat": null, "sun": "00:00-24:00"})");
  CHECK(split.open_at(kMon, at(12, 29)));
  CHECK_FALSE(split.open_at(kMon, at(12, 30)));
  CHECK_FALSE(split.open_at(kMon, at(13, 29)));
  CHECK(split.open_at(kMon, at(13, 30)));
  // The whole of Sunday, from its first minute to its last, and Monday starts shut.
  CHECK(split.open_at(kSun, 0));
  CHECK(split.open_at(kSun, at(23, 59)));
  CHECK_FALSE(split.open_at(kMon, 0));
  CHECK_FALSE(split.open_at(kSat, at(23, 59)));
}

TEST_CASE("a range past midnight runs into the next day, also from Saturday into Sunday", "[hours]") {
  OpeningHours h = hours_of(R"({"mon": null, "tue": null, "wed": null, "thu": null, "fri": "22:00-02:00", "sat": "23:00-01:00",
                                "sun": null})");
  CHECK_FALSE(h.open_at(kFri, at(21, 59)));
  CHECK(h.open_at(kFri, at(22, 0)));
  CHECK(h.open_at(kFri, at(23, 59)));
  CHECK(h.open_at(kSat, at(0, 0)));
  CHECK(h.open_at(kSat, at(1, 59)));
  CHECK_FALSE(h.open_at(kSat, at(2, 0)));
  CHECK_FALSE(h.open_at(kSat, at(22, 59)));
  CHECK(h.open_at(kSat, at(23, 0)));
  CHECK(h.open_at(kSun, at(0, 59)));
  CHECK_FALSE(h.open_at(kSun, at(1, 0)));
  CHECK_FALSE(h.open_at(kMon, at(0, 30)));  // nothing ran past Sunday's midnight
}

TEST_CASE("the next opening: later today, tomorrow, or days ahead; none while open", "[hours]") {
  OpeningHours h = hours_of(kLibraryWeek);
  using O = OpeningHours::Opening;
  auto same = [](std::optional<O> got, O want) {
    return got && got->days_ahead == want.days_ahead && got->weekday == want.weekday && got->minute == want.minute;
  };
  CHECK(same(h.next_opening(kMon, at(7, 0)), {0, kMon, at(9, 0)}));
  CHECK(same(h.next_opening(kMon, at(8, 59)), {0, kMon, at(9, 0)}));
  CHECK(same(h.next_opening(kMon, at(17, 0)), {1, kTue, at(9, 0)}));
  CHECK(same(h.next_opening(kFri, at(23, 59)), {1, kSat, at(10, 0)}));
  CHECK(same(h.next_opening(kSat, at(16, 0)), {2, kMon, at(9, 0)}));
  CHECK(same(h.next_opening(kSun, at(0, 0)), {1, kMon, at(9, 0)}));
  CHECK_FALSE(h.next_opening(kMon, at(12, 0)));
  CHECK_FALSE(OpeningHours{}.next_opening(kSun, 0));  // always open
  // Only Wednesday: from Wednesday evening, a week less a few hours ahead.
  OpeningHours weekly = hours_of(R"({"mon": null, "tue": null, "wed": "10:00-12:00", "thu": null, "fri": null, "sat": null, "sun": null})");
  CHECK(same(weekly.next_opening(3, at(13, 0)), {7, 3, at(10, 0)}));
  CHECK(clock_text(at(9, 0)) == "09:00");
  CHECK(clock_text(at(17, 30)) == "17:30");
  CHECK(clock_text(1440) == "24:00");
}

TEST_CASE("the hours are local wall-clock time, on the days the clocks change too (Europe/London)", "[hours][dst]") {
  test::LocalZone zone("Europe/London");
  OpeningHours h = hours_of(R"({"mon": null, "tue": null, "wed": null, "thu": null, "fri": null, "sat": "22:00-02:00",
                                "sun": "09:00-17:00"})");
  // Sunday 29 March 2026: at 01:00 GMT the clocks go forward to 02:00 BST. 09:00 BST is 08:00 UTC.
  CHECK_FALSE(h.open_at_unix(test::utc_time(2026, 3, 29, 7, 59)));
  CHECK(h.open_at_unix(test::utc_time(2026, 3, 29, 8, 0)));
  CHECK(h.open_at_unix(test::utc_time(2026, 3, 29, 15, 59)));
  CHECK_FALSE(h.open_at_unix(test::utc_time(2026, 3, 29, 16, 0)));
  // Saturday night's range ends at 02:00 on the wall clock, which the clocks skip to from 01:00 GMT.
  CHECK(h.open_at_unix(test::utc_time(2026, 3, 28, 22, 0)));
  CHECK(h.open_at_unix(test::utc_time(2026, 3, 29, 0, 59)));
  CHECK_FALSE(h.open_at_unix(test::utc_time(2026, 3, 29, 1, 0)));
  // Sunday 25 October 2026: at 02:00 BST the clocks go back to 01:00 GMT. 09:00 GMT is 09:00 UTC.
  CHECK_FALSE(h.open_at_unix(test::utc_time(2026, 10, 25, 8, 59)));
  CHECK(h.open_at_unix(test::utc_time(2026, 10, 25, 9, 0)));
  CHECK_FALSE(h.open_at_unix(test::utc_time(2026, 10, 25, 17, 0)));
  // The wall clock's 01:00 to 02:00 comes twice that night: open through both (BST, then GMT).
  CHECK(h.open_at_unix(test::utc_time(2026, 10, 24, 23, 30)));      // 00:30 BST
  CHECK(h.open_at_unix(test::utc_time(2026, 10, 25, 0, 30)));       // 01:30 BST
  CHECK(h.open_at_unix(test::utc_time(2026, 10, 25, 1, 30)));       // 01:30 GMT
  CHECK_FALSE(h.open_at_unix(test::utc_time(2026, 10, 25, 2, 0)));  // 02:00 GMT
  // In summer, 09:00 local is 08:00 UTC: the next opening is given in local time.
  std::optional<OpeningHours::Opening> next = h.next_opening_unix(test::utc_time(2026, 7, 5, 7, 0));  // a Sunday, 08:00 BST
  REQUIRE(next);
  CHECK(next->days_ahead == 0);
  CHECK(next->minute == at(9, 0));
}

// ---- the state machine -------------------------------------------------------------

namespace {

// A visit whose config has the library's week and whose wall clock the test
// moves, in London's time zone.
struct Venue {
  test::LocalZone zone{"Europe/London"};
  QuestionSet set = test::demo_set();
  KioskConfig config = config_with(std::string(", \"opening_hours\": ") + kLibraryWeek);
  Strings strings = test::demo_strings();
  test::MemoryStore store;
  test::WallClock wall;
  test::FixedPin pins{"2468"};
  TimePoint now = TimePoint{} + 1000h;
  std::unique_ptr<Visit> visit;

  // A local date and time, read in London's zone (set by the first member).
  struct At {
    int year, month, day, hour, minute;
  };
  explicit Venue(At at) : wall(test::local_time(at.year, at.month, at.day, at.hour, at.minute)) {
    visit = std::make_unique<Visit>(set, config, strings, store, store, wall, pins, now);
  }
  explicit Venue(std::int64_t unix_seconds) : wall(unix_seconds) {
    visit = std::make_unique<Visit>(set, config, strings, store, store, wall, pins, now);
  }
  Screen screen() const { return visit->screen(); }
  void send(const Event& e) { visit->handle(e, now); }
  // Both clocks move on together; the frame loop ticks at least once a second.
  void pass(Clock::duration d) {
    auto step = std::chrono::duration_cast<Clock::duration>(1s);
    for (auto left = d; left > Clock::duration::zero(); left -= step) {
      auto s = std::min(step, left);
      now += s;
      wall.unix += std::chrono::duration_cast<std::chrono::seconds>(s).count();
      visit->tick(now);
    }
  }
  // A long jump, in whole minutes, with a tick at each.
  void pass_minutes(int minutes) {
    for (int i = 0; i < minutes; ++i) {
      now += 60s;
      wall.unix += 60;
      visit->tick(now);
    }
  }
  void type_pin(const std::string& pin) {
    for (char c : pin) send(ev::PinDigit{c - '0'});
    send(ev::PinSubmit{});
  }
};

// Monday 30 March 2026, the day after the clocks went forward.
Venue::At monday(int hour, int minute) { return {2026, 3, 30, hour, minute}; }

}  // namespace

TEST_CASE("the kiosk sleeps at closing time and wakes by itself at opening time", "[visit][hours]") {
  Venue v(monday(16, 58));
  CHECK(v.screen() == Screen::attract);
  v.pass(60s);
  CHECK(v.screen() == Screen::attract);  // 16:59
  v.pass(60s);
  CHECK(v.screen() == Screen::closed);  // 17:00
  // Asleep, the frame loop is woken no later than the next whole minute.
  CHECK(v.visit->next_deadline(v.now) <= v.now + 60s);
  v.pass_minutes(15 * 60 + 59);  // Tuesday 08:59
  CHECK(v.screen() == Screen::closed);
  v.pass(59s);
  CHECK(v.screen() == Screen::closed);
  v.pass(1s);
  CHECK(v.screen() == Screen::attract);  // 09:00
  v.send(ev::Tap{});
  CHECK(v.screen() == Screen::scale);
}

TEST_CASE("a kiosk started outside the hours starts dark; through a weekend it stays dark until Monday", "[visit][hours]") {
  Venue v(Venue::At{2026, 4, 4, 16, 30});  // Saturday 16:30, after Saturday's hours
  CHECK(v.screen() == Screen::closed);
  v.pass_minutes(24 * 60 + 16 * 60 + 29);  // Monday 08:59
  CHECK(v.screen() == Screen::closed);
  v.pass_minutes(1);
  CHECK(v.screen() == Screen::attract);
}

TEST_CASE("a visit under way at closing time runs to its end; only then does the kiosk sleep", "[visit][hours]") {
  Venue v(monday(16, 59));
  v.pass(30s);
  v.send(ev::Tap{});
  REQUIRE(v.screen() == Screen::scale);
  v.pass(40s);  // 17:00:10, and the resident is still choosing
  CHECK(v.screen() == Screen::scale);
  v.send(ev::ChooseScore{7});
  CHECK(v.screen() == Screen::text);
  v.send(ev::TypeText{"Helpful staff"});
  v.send(ev::Done{});
  while (v.screen() == Screen::text || v.screen() == Screen::choice) v.send(ev::Skip{});
  REQUIRE(v.screen() == Screen::thanks);
  REQUIRE(v.store.find("library"));
  CHECK(v.store.find("library")->score == 7);
  CHECK(v.store.find("not_lower")->text == "Helpful staff");
  CHECK(v.store.all_closed());
  v.pass(v.config.thanks);
  CHECK(v.screen() == Screen::closed);  // straight to dark, never the attract screen
}

TEST_CASE("a resident who walks away after closing time is reset as always, then the kiosk sleeps", "[visit][hours]") {
  Venue v(monday(16, 59));
  v.send(ev::Tap{});
  v.send(ev::ChooseScore{3});
  REQUIRE(v.screen() == Screen::text);
  v.pass(v.config.idle_timeout);
  CHECK(v.screen() == Screen::still_there);
  v.send(ev::Tap{});  // still here, after closing time
  CHECK(v.screen() == Screen::text);
  v.pass(v.config.idle_timeout + v.config.still_there);
  CHECK(v.screen() == Screen::closed);
  CHECK(v.store.find("library")->score == 3);
  CHECK(v.store.all_closed());
}

TEST_CASE("while closed a tap takes no answer and says when the kiosk opens again, then it is dark again", "[visit][hours]") {
  Venue v(monday(18, 0));
  REQUIRE(v.screen() == Screen::closed);
  CHECK_FALSE(v.visit->closed_notice_shown(v.now));
  v.send(ev::Tap{});
  CHECK(v.screen() == Screen::closed);
  CHECK(v.visit->closed_notice_shown(v.now));
  REQUIRE(v.visit->reopens());
  CHECK(v.visit->reopens()->days_ahead == 1);
  CHECK(v.visit->reopens()->weekday == kTue);
  CHECK(v.visit->reopens()->minute == at(9, 0));
  // What a resident's taps on a question screen would send: none of it counts.
  v.send(ev::ChooseScore{5});
  v.send(ev::ChooseOption{"weekly"});
  v.send(ev::TypeText{"hello"});
  v.send(ev::Done{});
  v.send(ev::SelectLanguage{"cy"});
  CHECK(v.store.rows.empty());
  CHECK(v.visit->language() == "en");
  CHECK(v.screen() == Screen::closed);
  CHECK(v.visit->next_deadline(v.now) <= v.now + Visit::kClosedNotice);
  v.pass(Visit::kClosedNotice - 1s);
  CHECK(v.visit->closed_notice_shown(v.now));
  v.pass(1s);
  CHECK_FALSE(v.visit->closed_notice_shown(v.now));
  CHECK(v.screen() == Screen::closed);

  Venue friday(Venue::At{2026, 4, 3, 20, 0});
  friday.send(ev::Tap{});
  REQUIRE(friday.visit->reopens());
  CHECK(friday.visit->reopens()->days_ahead == 1);
  CHECK(friday.visit->reopens()->minute == at(10, 0));  // Saturday's hours
  Venue saturday(Venue::At{2026, 4, 4, 17, 0});
  saturday.send(ev::Tap{});
  REQUIRE(saturday.visit->reopens());
  CHECK(saturday.visit->reopens()->days_ahead == 2);
  CHECK(saturday.visit->reopens()->weekday == kMon);
  Venue early(monday(7, 30));
  early.send(ev::Tap{});
  REQUIRE(early.visit->reopens());
  CHECK(early.visit->reopens()->days_ahead == 0);
}

TEST_CASE("staff reach the menu while the kiosk is closed, and it goes dark again after", "[visit][hours][staff]") {
  Venue v(monday(20, 0));
  REQUIRE(v.screen() == Screen::closed);
  v.send(ev::StaffGesture{});
  CHECK(v.screen() == Screen::staff_pin);
  v.type_pin("2468");
  CHECK(v.screen() == Screen::staff_menu);
  v.send(ev::StaffClose{});
  CHECK(v.screen() == Screen::closed);

  // Left on the PIN pad, it times out to dark, not to the attract screen.
  v.send(ev::StaffGesture{});
  v.pass(Visit::kStaffIdle);
  CHECK(v.screen() == Screen::closed);

  // Staff at work across opening time are not interrupted; closing the menu then opens the kiosk.
  Venue morning(monday(8, 58));
  morning.send(ev::StaffGesture{});
  morning.type_pin("2468");
  REQUIRE(morning.screen() == Screen::staff_menu);
  morning.pass(90s);
  morning.send(ev::StaffRefresh{});
  morning.pass(90s);
  CHECK(morning.screen() == Screen::staff_menu);
  morning.send(ev::StaffClose{});
  CHECK(morning.screen() == Screen::attract);
}

TEST_CASE("a wall clock that was never set keeps the kiosk open, as without opening hours", "[visit][hours]") {
  Venue v(std::int64_t{3600});  // 1970: a Pi with no real-time clock and no network time yet
  CHECK(v.screen() == Screen::attract);
  v.send(ev::Tap{});
  CHECK(v.screen() == Screen::scale);

  // Without "opening_hours" the kiosk never sleeps, at any hour.
  test::LocalZone zone("Europe/London");
  KioskConfig always;
  test::MemoryStore store;
  test::WallClock wall(test::local_time(2026, 4, 5, 3, 0));  // Sunday, 03:00
  test::FixedPin pins("2468");
  Visit open(test::demo_set(), always, v.strings, store, store, wall, pins, v.now);
  CHECK(open.screen() == Screen::attract);
  open.tick(v.now + 1h);
  CHECK(open.screen() == Screen::attract);
}

TEST_CASE("hours changed by a reload apply at the next tick; a new set is taken while closed", "[visit][hours]") {
  Venue v(monday(20, 0));
  REQUIRE(v.screen() == Screen::closed);
  v.config = config_with(R"(, "opening_hours": {"mon": "09:00-22:00", "tue": null, "wed": null, "thu": null, "fri": null, "sat": null,
                                                 "sun": null})");
  v.pass(1s);
  CHECK(v.screen() == Screen::attract);
  v.config = KioskConfig{};  // always open
  v.pass(1s);
  CHECK(v.screen() == Screen::attract);
  v.config = config_with(std::string(", \"opening_hours\": ") + kLibraryWeek);
  v.pass(1s);
  CHECK(v.screen() == Screen::closed);

  QuestionSet other = test::demo_set();
  other.version = 2;
  CHECK(v.visit->offer_question_set(std::move(other)) == Offer::applied);
  CHECK(v.visit->question_set().version == 2);
  CHECK(v.screen() == Screen::closed);
}
