// Read-back cards on the attract screen, through the real screens with no
// window: they take turns with the invitation, never during a visit, each in
// the visit's language where it has one; at every size the card fits, long
// quotes end in an ellipsis at a word, and a tap on the card starts a visit.
#include <catch2/catch.hpp>

#include "fakes/fakes.h"
#include "harness.h"
#include "kiosk_store.h"
#include "support.h"

using namespace tp;

namespace {

QuestionSet shaped_set() {
  const std::string path = test::source_dir() + "/tests/data/shaped-set.json";
  LoadResult r = load_question_set(path);
  if (!r.set) throw std::runtime_error(format_problems(path, r.problems));
  return *r.set;
}

const std::string kLong =
    "The children's corner is the best thing here, my two come every Saturday and they love the story hour, the staff are "
    "patient and kind, and the new beanbags are always full, but the heating in winter is not enough and the windows let "
    "the cold in, so we wear our coats while we read, which is a shame because everything else about this place is lovely. "
    "Please also think about opening on Sunday mornings, when families are free, and about a quiet room for older people who "
    "come to read the papers, because the main hall gets loud after school and some of us cannot hear ourselves think.";

std::shared_ptr<const Readback> cards(const std::string& quote, bool with_count) {
  auto r = std::make_shared<Readback>();
  r->venue = "Central";
  if (with_count) r->count = ReadbackCount{"2026-11", 143};
  ReadbackCard c;
  c.id = "1";
  c.language = "en";
  c.from = "2026-12-01";
  c.until = "2026-12-31";
  c.texts["en"] = CardText{{quote}, "did", "We added two radiators and sealed the windows in the reading room before the first frost."};
  c.texts["ar"] = CardText{
      {"ركن الأطفال هو أفضل شيء هنا، يأتي أطفالي كل يوم سبت ويحبون ساعة القصص كثيرا جدا جدا."}, "will", "سنضيف مدفأتين قبل الشتاء."};
  c.texts["bn"] = CardText{{"শিশুদের কোণটা এখানে সবচেয়ে ভালো, আমার দুই সন্তান প্রতি শনিবার আসে এবং গল্পের সময়টা খুব ভালোবাসে।"}, "", ""};
  r->cards.push_back(c);
  ReadbackCard old = c;
  old.id = "2";
  old.from = "2026-11-01";
  old.until = "2026-11-30";
  r->cards.push_back(old);
  return r;
}

// A moment `seconds` after the attract screen came up.
TimePoint at(TimePoint start, int seconds) { return start + std::chrono::seconds(seconds); }

}  // namespace

TEST_CASE("the attract screen's turns: the invitation, then a card, then the invitation", "[ui][readback]") {
  CHECK(attract_turn(0, 0) == -1);
  CHECK(attract_turn(500, 0) == -1);
  CHECK(attract_turn(0, 2) == -1);
  CHECK(attract_turn(kInviteSeconds - 1, 2) == -1);
  CHECK(attract_turn(kInviteSeconds, 2) == 0);
  CHECK(attract_turn(kInviteSeconds + kCardSeconds - 1, 2) == 0);
  CHECK(attract_turn(kInviteSeconds + kCardSeconds, 2) == -1);
  CHECK(attract_turn(2 * kInviteSeconds + kCardSeconds, 2) == 1);
  CHECK(attract_turn(3 * kInviteSeconds + 2 * kCardSeconds, 2) == 0);
  // The next change of turn, for the frame loop's wake-up.
  CHECK(next_turn_at(0) == kInviteSeconds);
  CHECK(next_turn_at(kInviteSeconds - 1) == kInviteSeconds);
  CHECK(next_turn_at(kInviteSeconds) == kInviteSeconds + kCardSeconds);
  CHECK(next_turn_at(kInviteSeconds + kCardSeconds) == 2 * kInviteSeconds + kCardSeconds);
}

TEST_CASE("a read-back card fits every size, shortened at a word with an ellipsis", "[ui][readback]") {
  std::string dir = test::scratch_dir("ui_readback_card");
  QuestionSet set = shaped_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  const std::string ellipsis = "\xE2\x80\xA6\xE2\x80\x9D", open_quote = "\xE2\x80\x9C";  // shortened: "...", then the closing mark
  for (ImVec2 size : {ImVec2{800, 480}, ImVec2{1280, 800}, ImVec2{480, 800}, ImVec2{1080, 1920}}) {
    for (bool with_count : {false, true}) {
      INFO(size.x << "x" << size.y << (with_count ? " with the count" : ""));
      TimePoint start = Clock::now();
      Visit v(set, config, strings, store.answers, store.reports, stamps, pins, start);
      test::ScreenHarness h(size, set, strings);
      h.shape_text();
      h.ui().set_readback(cards(kLong, with_count), "2026-12-02");
      CHECK(h.ui().live_cards() == 1);  // November's card has ended

      h.frame(v, at(start, 1));
      CHECK_FALSE(h.ui().last_card());  // the invitation first
      CHECK(h.hits().count("readback.card") == 0);

      for (const char* language : {"en", "ar", "bn"}) {
        INFO(language);
        if (v.language() != language) {
          h.frame(v, at(start, 1));
          h.tap(v, at(start, 1), std::string("lang.") + language);
        }
        h.frame(v, at(start, kInviteSeconds + 1));
        REQUIRE(h.ui().last_card());
        const ui::Ui::CardLayout& card = *h.ui().last_card();
        // Inside the screen, below the language buttons, above the invitation.
        CHECK(card.box.min.x >= 0);
        CHECK(card.box.max.x <= size.x);
        CHECK(card.box.max.y <= size.y);
        CHECK(card.bottom <= card.box.max.y);
        for (const auto& [id, r] : h.hits())
          if (id.rfind("lang.", 0) == 0) CHECK(r.max.y < card.box.min.y);
        if (std::string(language) == "en") {
          INFO("quote: " << card.quote);
          const bool shortened = card.quote.size() > ellipsis.size() &&
                                 card.quote.compare(card.quote.size() - ellipsis.size(), ellipsis.size(), ellipsis) == 0;
          if (size.x == 800) CHECK(shortened);  // 584 bytes cannot fit the smallest screen
          if (shortened) {
            // Shortened at the end of a word, what is left word for word the note's start.
            std::string kept = card.quote.substr(open_quote.size(), card.quote.size() - open_quote.size() - ellipsis.size());
            REQUIRE(!kept.empty());
            CHECK(kLong.compare(0, kept.size(), kept) == 0);
            CHECK((kLong[kept.size()] == ' ' || kLong[kept.size()] == ','));
          } else {
            CHECK(card.quote == open_quote + kLong + "\xE2\x80\x9D");
          }
        }
        if (std::string(language) == "en") CHECK(card.answer.find("radiators") != std::string::npos);
        if (std::string(language) == "ar") CHECK(card.answer == "سنضيف مدفأتين قبل الشتاء.");
        if (std::string(language) == "bn") CHECK(card.answer.empty());  // its Bengali words have no answer
        CHECK(card.count.empty() != with_count);
        if (with_count) CHECK(card.count.find("143") != std::string::npos);
      }
    }
  }
}

TEST_CASE("a short quote is shown whole, a card without the visit's language in its own", "[ui][readback]") {
  std::string dir = test::scratch_dir("ui_readback_short");
  QuestionSet set = shaped_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  TimePoint start = Clock::now();
  Visit v(set, config, strings, store.answers, store.reports, stamps, pins, start);
  test::ScreenHarness h({800, 480}, set, strings);
  h.shape_text();
  auto r = std::make_shared<Readback>(*cards("More seats, please.", false));
  r->cards[0].texts.erase("ar");
  h.ui().set_readback(r, "2026-12-02");
  h.frame(v, at(start, 1));
  h.tap(v, at(start, 1), "lang.ar");
  h.frame(v, at(start, kInviteSeconds + 2));
  REQUIRE(h.ui().last_card());
  CHECK(h.ui().last_card()->quote == "\xE2\x80\x9CMore seats, please.\xE2\x80\x9D");
  CHECK(h.ui().last_card()->answer.find("radiators") != std::string::npos);

  // Last month's count shows in the month after it only.
  auto counted = std::make_shared<Readback>(*r);
  counted->count = ReadbackCount{"2026-11", 143};
  counted->cards[0].until = "2027-12-31";
  h.ui().set_readback(counted, "2026-12-02");
  h.frame(v, at(start, kInviteSeconds + 2));
  REQUIRE(h.ui().last_card());
  CHECK(h.ui().last_card()->count.find("143") != std::string::npos);
  h.ui().set_readback(counted, "2027-01-05");  // a kiosk offline since December
  h.frame(v, at(start, kInviteSeconds + 2));
  REQUIRE(h.ui().last_card());
  CHECK(h.ui().last_card()->count.empty());
  CHECK(previous_month("2027-01-05") == "2026-12");

  // A tap on the card starts a visit, as a tap anywhere on the attract screen does.
  h.tap_at(v, at(start, kInviteSeconds + 2), h.hits().at("readback.card").center());
  CHECK(v.screen() != Screen::attract);
  // During the visit no card is drawn, whatever the time.
  h.frame(v, at(start, kInviteSeconds + 3));
  CHECK_FALSE(h.ui().last_card());
}
