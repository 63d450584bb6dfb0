// The visit state machine, driven without a display.
#include <catch2/catch.hpp>
#include <functional>

#include "fakes/fakes.h"
#include "support.h"
#include "visit.h"

using namespace tp;
using namespace std::chrono_literals;

namespace {

struct Rig {
  QuestionSet set = test::demo_set();
  KioskConfig config;
  Strings strings = test::demo_strings();
  test::MemoryStore store;
  test::FixedStamps stamps;
  test::FixedPin pins{"2468"};
  TimePoint now = TimePoint{} + 1000h;
  Visit visit{set, config, strings, store, store, stamps, pins, now};

  void send(const Event& e) { visit.handle(e, now); }
  void wait(Clock::duration d) {
    now += d;
    visit.tick(now);
  }
  void type_pin(const std::string& pin) {
    for (char c : pin) send(ev::PinDigit{c - '0'});
    send(ev::PinSubmit{});
  }
};

// One decision per follow-up screen: -1 skip, otherwise "answer" (text) or the option index (choice).
struct PathResult {
  std::vector<std::string> asked;
  int answered = 0;
};

}  // namespace

TEST_CASE("every path through the demo set ends in thanks with its answers stored and closed", "[visit]") {
  int paths = 0;
  for (int score = 0; score <= 10; ++score) {
    // Explore all decision sequences by replaying from the start.
    std::function<void(std::vector<int>)> explore = [&](std::vector<int> decisions) {
      Rig r;
      r.send(ev::Tap{});
      REQUIRE(r.visit.screen() == Screen::scale);
      r.send(ev::ChooseScore{score});
      std::vector<std::string> asked{"library"};
      int expected_answers = 1;
      std::size_t step = 0;
      while (r.visit.screen() == Screen::text || r.visit.screen() == Screen::choice) {
        const Question* q = r.visit.question();
        asked.push_back(q->id);
        int options = r.visit.screen() == Screen::text ? 1 : static_cast<int>(q->options.size());
        if (step == decisions.size()) {
          // Branch: skip, or each way of answering.
          for (int d = -1; d < options; ++d) {
            auto next = decisions;
            next.push_back(d);
            explore(next);
          }
          return;
        }
        int d = decisions[step++];
        if (d < 0) {
          r.send(ev::Skip{});
        } else if (r.visit.screen() == Screen::text) {
          r.send(ev::TypeText{"Helpful staff"});
          r.send(ev::Done{});
          ++expected_answers;
        } else {
          r.send(ev::ChooseOption{q->options[static_cast<std::size_t>(d)].id});
          ++expected_answers;
        }
      }
      ++paths;
      REQUIRE(r.visit.screen() == Screen::thanks);
      CHECK(r.store.rows.size() == static_cast<std::size_t>(expected_answers));
      CHECK(r.store.all_closed());
      REQUIRE(r.store.find("library"));
      CHECK(*r.store.find("library")->score == score);
      // The route matches the solution-focused design.
      if (score == 0)
        CHECK(asked == std::vector<std::string>{"library", "cope", "one_higher", "keep", "often"});
      else if (score == 10)
        CHECK(asked == std::vector<std::string>{"library", "keep_ten", "often"});
      else
        CHECK(asked == std::vector<std::string>{"library", "not_lower", "one_higher", "keep", "often"});
      r.wait(r.config.thanks);
      CHECK(r.visit.screen() == Screen::attract);
      CHECK(r.visit.text().empty());
    };
    explore({});
  }
  // Scores 0-9: three text questions (answer or skip) and a choice (4 options or skip); 10: one text and the choice.
  CHECK(paths == 10 * 8 * 5 + 2 * 5);
}

TEST_CASE("prompts quote the score", "[visit]") {
  Rig r;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{6});
  CHECK(r.visit.prompt() == "What makes it a 6 and not a lower number?");
  r.send(ev::Skip{});
  CHECK(r.visit.prompt() == "What would one point higher, a 7, look like?");
  r.send(ev::Back{});
  r.send(ev::ChangeScore{});
  CHECK(r.visit.screen() == Screen::scale);
  CHECK(*r.visit.score() == 6);
  r.send(ev::ChooseScore{7});
  CHECK(r.visit.prompt() == "What makes it a 7 and not a lower number?");
  r.send(ev::Skip{});
  CHECK(r.visit.prompt() == "What would one point higher, an 8, look like?");
}

TEST_CASE("a language without an article rule quotes the bare number", "[visit]") {
  Rig r;
  r.send(ev::SelectLanguage{"cy"});
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{7});
  CHECK(r.visit.prompt() == "Beth sy'n ei wneud yn 7 ac nid yn rhif is?");
  r.send(ev::Skip{});
  CHECK(r.visit.prompt() == "Sut olwg fyddai ar un pwynt yn uwch, sef 8?");
}

TEST_CASE("changing the score replaces the stored one, not adds another", "[visit]") {
  Rig r;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{3});
  r.send(ev::ChangeScore{});
  r.send(ev::ChooseScore{8});
  REQUIRE(r.store.rows.size() == 1);
  CHECK(*r.store.rows[0].answer.score == 8);
  CHECK(r.visit.prompt() == "What makes it an 8 and not a lower number?");
}

TEST_CASE("a tapped score counts even when the resident walks away", "[visit]") {
  Rig r;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{4});
  r.send(ev::TypeText{"half typed secret"});
  r.wait(r.config.idle_timeout);
  CHECK(r.visit.screen() == Screen::still_there);
  r.wait(r.config.still_there);
  CHECK(r.visit.screen() == Screen::attract);
  REQUIRE(r.store.rows.size() == 1);
  CHECK(*r.store.rows[0].answer.score == 4);
  CHECK(r.store.all_closed());
  // Nothing typed is left for the next person.
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{5});
  CHECK(r.visit.text().empty());
}

TEST_CASE("still there: a tap returns to the screen with the text intact", "[visit]") {
  Rig r;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{9});
  r.send(ev::TypeText{"Quiet"});
  r.wait(r.config.idle_timeout - 1s);
  CHECK(r.visit.screen() == Screen::text);
  r.wait(1s);
  CHECK(r.visit.screen() == Screen::still_there);
  CHECK(r.visit.still_there_seconds_left(r.now) == 15);
  r.wait(5s);
  CHECK(r.visit.still_there_seconds_left(r.now) == 10);
  r.send(ev::Tap{});
  CHECK(r.visit.screen() == Screen::text);
  CHECK(r.visit.text() == "Quiet");
}

TEST_CASE("back from the scale ends the visit without storing anything", "[visit]") {
  Rig r;
  r.send(ev::Tap{});
  r.send(ev::Back{});
  CHECK(r.visit.screen() == Screen::attract);
  CHECK(r.store.rows.empty());
}

TEST_CASE("rapid repeats are kept and flagged", "[visit]") {
  Rig r;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{10});
  r.send(ev::Skip{});
  r.send(ev::Skip{});
  REQUIRE(r.visit.screen() == Screen::thanks);
  r.send(ev::Tap{});  // straight back to attract
  r.now += 2s;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{10});
  REQUIRE(r.store.rows.size() == 2);
  CHECK_FALSE(r.store.rows[0].answer.rapid_repeat);
  CHECK(r.store.rows[1].answer.rapid_repeat);
  CHECK(r.store.rows[0].answer.session_id != r.store.rows[1].answer.session_id);

  // After the interval, not flagged.
  r.send(ev::Back{});
  r.send(ev::Back{});
  r.now += r.config.rapid_repeat + 1s;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{1});
  CHECK_FALSE(r.store.rows.back().answer.rapid_repeat);
}

TEST_CASE("language choice applies to the visit and resets afterwards", "[visit]") {
  Rig r;
  r.send(ev::SelectLanguage{"cy"});
  CHECK(r.visit.prompt().find("llyfrgell") != std::string::npos);
  r.send(ev::SelectLanguage{"xx"});
  CHECK(r.visit.language() == "cy");
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{2});
  CHECK(r.store.rows[0].answer.language == "cy");
  CHECK(r.visit.t("skip") == "Hepgor");
  r.wait(r.config.idle_timeout);
  r.wait(r.config.still_there);
  CHECK(r.visit.language() == "en");
}

TEST_CASE("the thank-you screen speaks the visit's language, and the next visit starts in the default", "[visit]") {
  Rig r;
  r.send(ev::SelectLanguage{"cy"});
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{10});  // keep_ten, then often
  r.send(ev::TypeText{"Staff cyfeillgar"});
  r.send(ev::Done{});
  r.send(ev::ChooseOption{"weekly"});
  REQUIRE(r.visit.screen() == Screen::thanks);
  CHECK(r.visit.language() == "cy");
  CHECK(r.visit.t("thanks_title") == "Diolch.");
  CHECK(r.store.rows.back().answer.language == "cy");
  r.wait(r.config.thanks);
  CHECK(r.visit.screen() == Screen::attract);
  CHECK(r.visit.language() == "en");

  // A tap ends the thank-you screen early: the language resets too.
  r.send(ev::SelectLanguage{"cy"});
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{0});
  r.send(ev::Skip{});
  r.send(ev::Skip{});
  r.send(ev::Skip{});
  r.send(ev::Skip{});
  REQUIRE(r.visit.screen() == Screen::thanks);
  CHECK(r.visit.t("thanks_saved") == "Mae eich ateb wedi'i gadw.");
  r.send(ev::Tap{});
  CHECK(r.visit.screen() == Screen::attract);
  CHECK(r.visit.language() == "en");

  // Staff called from the thank-you screen see the default language, as after any visit.
  r.send(ev::SelectLanguage{"cy"});
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{10});
  r.send(ev::Skip{});
  r.send(ev::Skip{});
  REQUIRE(r.visit.screen() == Screen::thanks);
  CHECK(r.visit.language() == "cy");
  r.send(ev::StaffGesture{});
  CHECK(r.visit.screen() == Screen::staff_pin);
  CHECK(r.visit.language() == "en");
}

TEST_CASE("large text lasts one visit, to its thank-you screen; chosen on the attract screen and left, it is forgotten", "[visit]") {
  Rig r;
  CHECK_FALSE(r.visit.large_text());
  r.send(ev::ToggleLargeText{});  // on the attract screen
  CHECK(r.visit.large_text());
  r.send(ev::Tap{});
  REQUIRE(r.visit.screen() == Screen::scale);
  CHECK(r.visit.large_text());
  r.send(ev::ToggleLargeText{});  // off and on again on a question screen
  CHECK_FALSE(r.visit.large_text());
  r.send(ev::ToggleLargeText{});
  r.send(ev::ReadAloud{});  // a touch like any other: the visit stays where it is
  CHECK(r.visit.screen() == Screen::scale);
  r.send(ev::ChooseScore{10});
  r.send(ev::Skip{});
  r.send(ev::Skip{});
  REQUIRE(r.visit.screen() == Screen::thanks);
  CHECK(r.visit.large_text());
  r.send(ev::ToggleLargeText{});  // not a control of the thank-you screen
  CHECK(r.visit.large_text());
  r.wait(r.config.thanks);
  REQUIRE(r.visit.screen() == Screen::attract);
  CHECK_FALSE(r.visit.large_text());

  // Chosen on the attract screen by someone who then walks away.
  r.send(ev::ToggleLargeText{});
  r.send(ev::SelectLanguage{"cy"});
  CHECK(r.visit.next_deadline(r.now) <= r.now + r.config.idle_timeout);
  r.wait(r.config.idle_timeout - 1s);
  CHECK(r.visit.large_text());
  CHECK(r.visit.language() == "cy");
  r.wait(1s);
  CHECK_FALSE(r.visit.large_text());
  CHECK(r.visit.language() == "en");

  // The staff gesture, even from the thank-you screen, leaves large text behind.
  r.send(ev::ToggleLargeText{});
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{10});
  r.send(ev::Skip{});
  r.send(ev::Skip{});
  REQUIRE(r.visit.screen() == Screen::thanks);
  r.send(ev::StaffGesture{});
  CHECK_FALSE(r.visit.large_text());
  r.send(ev::StaffClose{});
  REQUIRE(r.visit.screen() == Screen::attract);

  // Speech keeps a question screen from timing out; a silent one times out.
  r.send(ev::Tap{});
  r.wait(r.config.idle_timeout - 1s);
  r.visit.keep_alive(r.now);
  r.wait(r.config.idle_timeout - 1s);
  CHECK(r.visit.screen() == Screen::scale);
  r.wait(1s);
  CHECK(r.visit.screen() == Screen::still_there);
  r.wait(r.config.still_there);
  REQUIRE(r.visit.screen() == Screen::attract);

  // A visit that times out ends large text too.
  r.send(ev::ToggleLargeText{});
  r.send(ev::Tap{});
  r.wait(r.config.idle_timeout);
  REQUIRE(r.visit.screen() == Screen::still_there);
  r.wait(r.config.still_there);
  REQUIRE(r.visit.screen() == Screen::attract);
  CHECK_FALSE(r.visit.large_text());
}

TEST_CASE("the keyboard's text is capped and cleaned before it is stored", "[visit]") {
  Rig r;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{7});
  CHECK(r.visit.shift());
  r.send(ev::TypeText{"O"});
  CHECK_FALSE(r.visit.shift());  // one capital, then lower case
  r.send(ev::TypeText{"k"});
  r.send(ev::Backspace{});
  r.send(ev::Backspace{});
  CHECK(r.visit.text().empty());
  CHECK(r.visit.shift());
  r.send(ev::TypeText{std::string(400, 'a')});
  CHECK(r.visit.text_length() == 300);
  r.send(ev::TypeText{"\xff\xfe"});  // invalid UTF-8 is refused whole
  CHECK(r.visit.text_length() == 300);
  r.send(ev::Done{});
  REQUIRE(r.store.find("not_lower"));
  CHECK(r.store.find("not_lower")->text->size() == 300);

  // Only spaces: treated as a skip, nothing stored.
  r.send(ev::TypeText{"   "});
  r.send(ev::Done{});
  CHECK_FALSE(r.store.find("one_higher"));
}

TEST_CASE("staff unlock: right PIN opens the menu, wrong PINs lock the pad", "[visit][staff]") {
  Rig r;
  r.send(ev::StaffGesture{});
  REQUIRE(r.visit.screen() == Screen::staff_pin);
  r.type_pin("1111");
  CHECK(r.visit.screen() == Screen::staff_pin);
  CHECK(r.visit.pin_rejected());
  r.type_pin("2468");
  CHECK(r.visit.screen() == Screen::staff_menu);
  CHECK(r.visit.staff_summary().healthy);
  r.send(ev::StaffClose{});
  CHECK(r.visit.screen() == Screen::attract);

  r.send(ev::StaffGesture{});
  for (int i = 0; i < r.config.pin_attempts_before_lock; ++i) r.type_pin("0000");
  CHECK(r.visit.pin_locked_seconds(r.now) == 60);
  r.type_pin("2468");  // refused while locked, even though right
  CHECK(r.visit.screen() == Screen::staff_pin);
  r.now += 61s;
  CHECK(r.visit.pin_locked_seconds(r.now) == 0);
  for (int i = 0; i < r.config.pin_attempts_before_lock; ++i) r.type_pin("0000");
  CHECK(r.visit.pin_locked_seconds(r.now) == 120);  // doubles
  r.now += 121s;
  r.type_pin("2468");
  CHECK(r.visit.screen() == Screen::staff_menu);
}

TEST_CASE("quit shortcuts work only in the staff menu", "[visit][staff]") {
  Rig r;
  r.send(ev::QuitShortcut{});
  CHECK_FALSE(r.visit.wants_quit());
  r.send(ev::Tap{});
  r.send(ev::QuitShortcut{});
  r.send(ev::StaffExit{});
  CHECK_FALSE(r.visit.wants_quit());
  r.send(ev::StaffGesture{});
  r.send(ev::QuitShortcut{});
  CHECK_FALSE(r.visit.wants_quit());
  r.type_pin("2468");
  r.send(ev::QuitShortcut{});
  CHECK(r.visit.wants_quit());
}

TEST_CASE("the staff gesture mid-visit ends the visit cleanly", "[visit][staff]") {
  Rig r;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{3});
  r.send(ev::TypeText{"private"});
  r.send(ev::StaffGesture{});
  CHECK(r.visit.screen() == Screen::staff_pin);
  CHECK(r.visit.text().empty());
  CHECK(r.store.all_closed());
  r.wait(Visit::kStaffIdle);
  CHECK(r.visit.screen() == Screen::attract);
}

TEST_CASE("a new question set is refused mid-visit and applied on the attract screen", "[visit]") {
  Rig r;
  QuestionSet next = r.set;
  next.version = 2;
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{5});
  CHECK(r.visit.offer_question_set(next) == Offer::deferred);
  CHECK(r.visit.question_set().version == 1);
  CHECK(r.visit.has_pending_question_set());
  r.send(ev::Skip{});
  CHECK(r.visit.question_set().version == 1);
  r.wait(r.config.idle_timeout);
  r.wait(r.config.still_there);
  CHECK(r.visit.screen() == Screen::attract);
  CHECK(r.visit.question_set().version == 2);
  CHECK(r.store.rows[0].answer.set_version == 1);
  next.version = 3;
  CHECK(r.visit.offer_question_set(next) == Offer::applied);
  r.send(ev::Tap{});
  r.send(ev::ChooseScore{5});
  CHECK(r.store.rows.back().answer.set_version == 3);
}

TEST_CASE("a failing store shows out of service, keeps the answer, and recovers", "[visit][faults]") {
  Rig r;
  r.send(ev::Tap{});
  r.store.fail = true;
  r.send(ev::ChooseScore{6});
  CHECK(r.visit.screen() == Screen::out_of_service);
  CHECK(r.visit.answers_waiting_to_save() == 1);
  CHECK(r.visit.out_of_service_reason().find("disk full") != std::string::npos);
  r.send(ev::Tap{});  // residents cannot get past it
  CHECK(r.visit.screen() == Screen::out_of_service);
  r.wait(Visit::kStoreRetry);
  CHECK(r.visit.screen() == Screen::out_of_service);
  r.store.fail = false;
  r.wait(Visit::kStoreRetry);
  CHECK(r.visit.screen() == Screen::attract);
  REQUIRE(r.store.rows.size() == 1);
  CHECK(*r.store.rows[0].answer.score == 6);
  CHECK(r.store.all_closed());
}

TEST_CASE("the next deadline follows the screen's timer", "[visit]") {
  Rig r;
  CHECK(r.visit.next_deadline(r.now) == r.now + r.config.greeting_every);
  auto before = r.visit.greeting_index(r.now);
  r.wait(r.config.greeting_every);
  CHECK(r.visit.greeting_index(r.now) == before + 1);
  r.send(ev::Tap{});
  CHECK(r.visit.next_deadline(r.now) == r.now + r.config.idle_timeout);
}

namespace {

// A wall clock the test moves, as the kiosk's real one moves with its steady clock.
class MovableStamps final : public StampSource {
 public:
  Stamp now() override { return {unix, true, "boot-test", 3600000}; }
  std::int64_t unix_now() override { return unix; }
  std::int64_t unix = 1764500400;
};

// One kiosk process: a visit on a PIN lockout kept in `log`.
struct PinRig {
  PinRig(test::MemoryPinLock& log, MovableStamps& stamps, TimePoint start) : stamps(stamps), now(start) {
    visit.keep_pin_lock_in(log, now);
    visit.handle(ev::StaffGesture{}, now);
  }
  void type_pin(const std::string& pin) {
    for (char c : pin) visit.handle(ev::PinDigit{c - '0'}, now);
    visit.handle(ev::PinSubmit{}, now);
  }
  // The pad goes back to the attract screen after kStaffIdle; the staff member comes back.
  void wait(std::chrono::seconds d) {
    now += d;
    stamps.unix += d.count();
    visit.tick(now);
    if (visit.screen() == Screen::attract) visit.handle(ev::StaffGesture{}, now);
  }
  QuestionSet set = test::demo_set();
  KioskConfig config;
  Strings strings = test::demo_strings();
  test::MemoryStore store;
  MovableStamps& stamps;
  test::FixedPin pins{"2468"};
  TimePoint now;
  Visit visit{set, config, strings, store, store, stamps, pins, now};
};

}  // namespace

TEST_CASE("staff unlock: wrong PINs and locks survive a restart; the right PIN clears them", "[visit][staff][pin]") {
  test::MemoryPinLock log;
  MovableStamps stamps;
  {
    PinRig r(log, stamps, TimePoint{} + 1000h);
    r.type_pin("1111");
    r.type_pin("1111");
    CHECK(log.state.failures == 2);
  }
  // Restarted (a new boot: the steady clock starts elsewhere): three more wrong PINs lock.
  {
    PinRig r(log, stamps, TimePoint{} + 5h);
    for (int i = 0; i < 3; ++i) r.type_pin("1111");
    CHECK(r.visit.pin_locked_seconds(r.now) == 60);
    CHECK(log.state.locks == 1);
    CHECK(log.state.locked_until_unix == stamps.unix + 60);
    r.wait(20s);
  }
  // Restarted 20 s into the lock: 40 s of it are left, and the right PIN is refused meanwhile.
  {
    PinRig r(log, stamps, TimePoint{} + 7h);
    CHECK(r.visit.pin_locked_seconds(r.now) == 40);
    r.type_pin("2468");
    CHECK(r.visit.screen() == Screen::staff_pin);
    r.wait(40s);
    CHECK(r.visit.pin_locked_seconds(r.now) == 0);
    for (int i = 0; i < r.config.pin_attempts_before_lock; ++i) r.type_pin("1111");
    CHECK(r.visit.pin_locked_seconds(r.now) == 120);  // the second lock doubles, across the restart
  }
  // A wall clock that went back an hour meanwhile cannot make the lock longer.
  stamps.unix -= 3600;
  {
    PinRig r(log, stamps, TimePoint{} + 9h);
    CHECK(r.visit.pin_locked_seconds(r.now) == 120);
    r.wait(121s);
    r.type_pin("2468");
    CHECK(r.visit.screen() == Screen::staff_menu);
    CHECK(log.state == PinLockState{});
  }
  {
    PinRig r(log, stamps, TimePoint{} + 11h);
    CHECK(r.visit.pin_locked_seconds(r.now) == 0);
    r.type_pin("2468");
    CHECK(r.visit.screen() == Screen::staff_menu);
  }
}

TEST_CASE("staff unlock: locks keep doubling beyond 15 minutes, up to a day", "[visit][staff][pin]") {
  test::MemoryPinLock log;
  MovableStamps stamps;
  PinRig r(log, stamps, TimePoint{} + 1000h);
  std::vector<int> locks;
  for (int round = 0; round < 13; ++round) {
    for (int i = 0; i < r.config.pin_attempts_before_lock; ++i) r.type_pin("1111");
    locks.push_back(r.visit.pin_locked_seconds(r.now));
    r.wait(std::chrono::seconds(locks.back()));
  }
  CHECK(locks == std::vector<int>{60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 61440, 86400, 86400});
  // While locked, digits are not even taken, so nothing can be tried.
  for (int i = 0; i < r.config.pin_attempts_before_lock; ++i) r.type_pin("1111");
  CHECK(r.visit.pin_locked_seconds(r.now) == 86400);
  r.wait(3600s);
  r.type_pin("2468");
  CHECK(r.visit.screen() == Screen::staff_pin);
  CHECK(r.visit.pin_locked_seconds(r.now) == 82800);
}

TEST_CASE("staff unlock: an unreadable lockout log starts afresh and the pad still locks", "[visit][staff][pin]") {
  test::MemoryPinLock log;
  log.state = {3, 2, 1764500400 + 500};
  log.fail = true;
  MovableStamps stamps;
  PinRig r(log, stamps, TimePoint{} + 1000h);
  CHECK(r.visit.pin_locked_seconds(r.now) == 0);
  for (int i = 0; i < r.config.pin_attempts_before_lock; ++i) r.type_pin("1111");
  CHECK(r.visit.pin_locked_seconds(r.now) == 60);
}

TEST_CASE("the staff menu knows when the demo PIN opens it", "[visit][staff][pin]") {
  Rig demo;
  CHECK(demo.visit.staff_pin_is_demo());
  QuestionSet set = test::demo_set();
  KioskConfig config;
  Strings strings = test::demo_strings();
  test::MemoryStore store;
  test::FixedStamps stamps;
  test::FixedPin own{"13579024"};
  Visit v{set, config, strings, store, store, stamps, own, TimePoint{}};
  CHECK_FALSE(v.staff_pin_is_demo());
}
