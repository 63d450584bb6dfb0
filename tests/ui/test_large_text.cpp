// Large-text mode and Read aloud on the resident screens: every language of
// the demo set, every size, targets inside the display, large enough and
// apart; Read aloud only where there is a voice, mirrored right to left,
// and what it reads.
#include <catch2/catch.hpp>

#include "fakes/fakes.h"
#include "harness.h"
#include "support.h"

using namespace tp;

namespace {

const ImVec2 kSizes[] = {{800, 480}, {1024, 600}, {1280, 800}, {1920, 1080}, {480, 800}, {600, 1024}, {800, 1280}, {1080, 1920}};
const Screen kResidentScreens[] = {Screen::attract, Screen::scale, Screen::text, Screen::choice, Screen::thanks, Screen::still_there};

bool question_screen(Screen s) { return s == Screen::scale || s == Screen::text || s == Screen::choice; }

}  // namespace

TEST_CASE("Large text and Read aloud fit every resident screen in every language at every size", "[ui][large-text]") {
  const QuestionSet set = test::demo_set();
  const Strings strings = test::demo_strings();
  KioskConfig config;
  for (ImVec2 size : kSizes) {
    test::ScreenHarness h(size, set, strings);
    h.shape_text();
    h.ui().set_read_aloud([](const std::string&) { return true; });
    CHECK(h.fonts().atlas_height <= 2048);
    // Large text's faces are a third larger, in the same atlas.
    CHECK(h.large_fonts().question->FontSize > h.fonts().question->FontSize * 1.25f);
    CHECK(h.large_fonts().body->FontSize > h.fonts().body->FontSize * 1.25f);
    for (const auto& language : set.languages) {
      float standard_back = 0;
      for (bool large : {false, true}) {
        for (Screen target : kResidentScreens) {
          test::VisitRig rig(set, config, strings);
          Visit& v = rig.visit;
          v.handle(ev::SelectLanguage{language.code}, rig.now);
          if (large) v.handle(ev::ToggleLargeText{}, rig.now);
          test::reach(h, v, rig.now, target, &rig.store);
          INFO(size.x << "x" << size.y << " " << language.code << (large ? " large text " : " ") << screen_name(target));
          REQUIRE(v.screen() == target);
          CHECK(v.large_text() == large);
          const auto& hits = h.hits();
          if (question_screen(target)) {
            CHECK(hits.count("read_aloud") == 1);
            CHECK(hits.count("large_text") == 1);
          }
          if (target == Screen::attract) CHECK(hits.count("large_text") == 1);
          for (const auto& [id, r] : hits) {
            INFO(id);
            CHECK(r.min.x >= 0);
            CHECK(r.min.y >= 0);
            CHECK(r.max.x <= size.x + 0.5f);
            CHECK(r.max.y <= size.y + 0.5f);
            const bool key = id.rfind("key.", 0) == 0;
            CHECK(r.width() >= (key ? 47.5f : 48.0f));  // keys: 48 px less rounding, as the keyboard tests ask
            CHECK(r.height() >= 44.0f);
            // At 800x480, the smallest panel, every key 48 px both ways.
            if (size.x == 800 && size.y == 480 && id.rfind("key.", 0) == 0) CHECK(r.height() >= 47.5f);
          }
          for (auto a = hits.begin(); a != hits.end(); ++a)
            for (auto b = std::next(a); b != hits.end(); ++b) {
              const float dx = std::max(b->second.min.x - a->second.max.x, a->second.min.x - b->second.max.x);
              const float dy = std::max(b->second.min.y - a->second.max.y, a->second.min.y - b->second.max.y);
              INFO(a->first << " and " << b->first);
              CHECK(std::max(dx, dy) >= 7.9f);
            }
          // Targets grow with the text: Back on the scale screen is taller in large text.
          if (target == Screen::scale && !large) standard_back = hits.at("back").height();
          if (target == Screen::scale && large) CHECK(hits.at("back").height() > standard_back * 1.1f);
        }
      }
    }
  }
}

TEST_CASE("Larger text is switched on and off by its button, and shows its state", "[ui][large-text]") {
  const QuestionSet set = test::demo_set();
  const Strings strings = test::demo_strings();
  KioskConfig config;
  test::ScreenHarness h({800, 480}, set, strings);
  test::VisitRig rig(set, config, strings);
  Visit& v = rig.visit;
  TimePoint& now = rig.now;
  test::MemoryStore& store = rig.store;
  h.frame(v, now);
  const float standard = h.hits().at("large_text").height();
  h.tap(v, now, "large_text");
  CHECK(v.large_text());
  CHECK(v.screen() == Screen::attract);
  CHECK(h.hits().at("large_text").height() > standard);  // the attract screen itself is drawn large
  test::reach(h, v, now, Screen::scale, &store);
  h.tap(v, now, "large_text");
  CHECK_FALSE(v.large_text());
  h.tap(v, now, "large_text");
  CHECK(v.large_text());
}

TEST_CASE("Read aloud is offered only in a language with a voice, sits with Back's mirror image right to left, and reads the screen",
          "[ui][read-aloud]") {
  const QuestionSet set = test::demo_set();
  const Strings strings = test::demo_strings();
  KioskConfig config;
  test::ScreenHarness h({1280, 800}, set, strings);
  h.shape_text();
  h.ui().set_read_aloud([](const std::string& language) { return language != "cy"; });  // no Welsh voice
  test::MemoryStore store;
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  TimePoint now = Clock::now();
  auto visit_in = [&](const std::string& language, Screen target) {
    auto v = std::make_unique<Visit>(set, config, strings, store, store, stamps, pins, now);
    v->handle(ev::SelectLanguage{language}, now);
    test::reach(h, *v, now, target, &store);
    return v;
  };
  {
    auto v = visit_in("cy", Screen::scale);
    CHECK(h.hits().count("read_aloud") == 0);
    CHECK(h.hits().count("large_text") == 1);
  }
  const float middle = 1280 * 0.5f;
  {
    auto v = visit_in("en", Screen::scale);
    REQUIRE(h.hits().count("read_aloud") == 1);
    CHECK(h.hits().at("read_aloud").center().x > middle);  // Back at the left, Read aloud at the right
    CHECK(h.hits().at("back").center().x < middle);
    // A tap asks the app to read; the visit stays where it is.
    const ImVec2 c = h.hits().at("read_aloud").center();
    h.frame(*v, now, c, true);
    auto events = h.frame(*v, now, c, false);
    CHECK(std::any_of(events.begin(), events.end(), [](const Event& e) { return std::holds_alternative<ev::ReadAloud>(e); }));
    CHECK(v->screen() == Screen::scale);
    const std::string words = ui::Ui::words_to_read(*v);
    CHECK(words.find(v->prompt()) == 0);
    CHECK(words.find("0: Not at all.") != std::string::npos);
    CHECK(words.find("10: Perfectly.") != std::string::npos);
    // While it speaks, the button is drawn pressed: the app says so.
    h.ui().set_speaking(true);
    h.frame(*v, now);
    h.ui().set_speaking(false);
  }
  {
    auto v = visit_in("ar", Screen::scale);
    REQUIRE(h.hits().count("read_aloud") == 1);
    CHECK(h.hits().at("read_aloud").center().x < middle);  // mirrored
    CHECK(h.hits().at("back").center().x > middle);
    CHECK(ui::Ui::words_to_read(*v).find(v->prompt()) == 0);
  }
  {
    auto v = visit_in("en", Screen::choice);
    const std::string words = ui::Ui::words_to_read(*v);
    for (const auto& o : v->question()->options) CHECK(words.find(o.label.at("en") + ".") != std::string::npos);
  }
  {
    auto v = visit_in("en", Screen::attract);
    CHECK(ui::Ui::words_to_read(*v).empty());  // nothing to read off the question screens
    CHECK(h.hits().count("read_aloud") == 0);
  }
}

TEST_CASE("A choice of eight options under a long question stays touchable in large text at every size", "[ui][large-text]") {
  QuestionSet set = test::demo_set();
  const Strings strings = test::demo_strings();
  KioskConfig config;
  Question* choice = nullptr;
  for (auto& q : set.questions)
    if (q.type == QuestionType::choice) choice = &q;
  REQUIRE(choice);
  // The longest a set may have: eight options, and a question of three lines or more.
  while (choice->options.size() < 8) {
    Option o = choice->options.front();
    o.id += std::to_string(choice->options.size());
    choice->options.push_back(o);
  }
  for (auto& [lang, text] : choice->prompt) text = text + " " + text + " " + text;
  for (ImVec2 size : kSizes) {
    test::ScreenHarness h(size, set, strings);
    h.shape_text();
    h.ui().set_read_aloud([](const std::string&) { return true; });
    for (bool large : {false, true}) {
      test::VisitRig rig(set, config, strings);
      Visit& v = rig.visit;
      if (large) v.handle(ev::ToggleLargeText{}, rig.now);
      test::reach(h, v, rig.now, Screen::choice, &rig.store);
      INFO(size.x << "x" << size.y << (large ? " large text" : ""));
      REQUIRE(v.screen() == Screen::choice);
      int options = 0;
      for (const auto& [id, r] : h.hits()) {
        INFO(id);
        CHECK(r.height() >= 44.0f);
        CHECK(r.width() >= 48.0f);
        CHECK(r.max.x <= size.x + 0.5f);
        CHECK(r.max.y <= size.y + 0.5f);
        if (id.rfind("option.", 0) == 0) ++options;
      }
      CHECK(options == 8);
      for (auto a = h.hits().begin(); a != h.hits().end(); ++a)
        for (auto b = std::next(a); b != h.hits().end(); ++b) {
          const float dx = std::max(b->second.min.x - a->second.max.x, a->second.min.x - b->second.max.x);
          const float dy = std::max(b->second.min.y - a->second.max.y, a->second.min.y - b->second.max.y);
          INFO(a->first << " and " << b->first);
          CHECK(std::max(dx, dy) >= 7.9f);
        }
    }
  }
}
