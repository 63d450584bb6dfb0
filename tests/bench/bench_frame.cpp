// CPU time of one UI frame (NewFrame to Render, no GL) for each screen,
// against an empty ImGui frame measured in the same run.
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "fakes/fakes.h"
#include "readback.h"
#include "support.h"
#include "ui/harness.h"

using namespace tp;
using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

double median_us(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  const int kFrames = 400;
  std::printf("UI frame CPU time (NewFrame..Render, no GL), median of %d frames\n", kFrames);
  for (ImVec2 size : {ImVec2{800, 480}, ImVec2{1920, 1080}}) {
    test::ScreenHarness h(size, set, strings);
    // Baseline: an empty frame, same context.
    std::vector<double> empty;
    for (int i = 0; i < kFrames; ++i) {
      auto t0 = Steady::now();
      ImGui::NewFrame();
      ImGui::Render();
      empty.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
    }
    double base = median_us(empty);
    std::printf("  %4.0fx%-4.0f empty frame: %6.1f us\n", size.x, size.y, base);
    test::MemoryStore store;
    test::FixedStamps stamps;
    test::FixedPin pins("2468");
    TimePoint now = Clock::now();
    Visit v(set, config, strings, store, store, stamps, pins, now);
    auto measure = [&](const char* name) {
      std::vector<double> us;
      for (int i = 0; i < kFrames; ++i) {
        auto t0 = Steady::now();
        h.frame(v, now);
        us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
      }
      double m = median_us(us);
      std::printf("  %4.0fx%-4.0f %-12s %6.1f us  (%5.1fx the empty frame; target under 1000 us)\n", size.x, size.y, name, m, m / base);
    };
    h.frame(v, now);
    measure("attract");
    // The attract screen in a read-back card's turn, against its invitation's.
    {
      auto cards = std::make_shared<Readback>();
      cards->venue = "Central Library";
      cards->count = ReadbackCount{"2026-11", 143};
      ReadbackCard c;
      c.id = "1";
      c.language = "en";
      c.from = "2000-01-01";
      c.until = "2999-12-31";
      c.texts["en"] = CardText{{"The children's corner is the best thing here, my two come every Saturday and they love the story "
                                "hour, but the heating in winter is not enough and the windows let the cold in, so we wear our "
                                "coats while we read, which is a shame because everything else about this place is lovely."},
                               "did",
                               "We added two radiators and sealed the windows in the reading room before the first frost."};
      cards->cards.push_back(c);
      h.ui().set_readback(cards, "2026-12-02");
      Visit carded(set, config, strings, store, store, stamps, pins, now);
      const TimePoint card_turn = now + std::chrono::seconds(kInviteSeconds + 1);
      std::vector<double> us;
      for (int i = 0; i < kFrames; ++i) {
        auto t0 = Steady::now();
        h.frame(carded, card_turn);
        us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
      }
      double m = median_us(us);
      std::printf("  %4.0fx%-4.0f %-12s %6.1f us  (%5.1fx the empty frame; target under 1000 us)\n", size.x, size.y, "attract card", m,
                  m / base);
      h.ui().set_readback(nullptr, "");
    }
    h.tap_at(v, now, {size.x / 2, size.y * 0.6f});
    measure("scale");
    h.tap(v, now, "scale.7");
    for (int i = 0; i < 40; ++i) v.handle(ev::TypeText{"word "}, now);
    measure("text (200ch)");
    h.tap(v, now, "skip");
    h.tap(v, now, "skip");
    h.tap(v, now, "skip");
    measure("choice");
    h.tap(v, now, "option.weekly");
    measure("thanks");
    v.handle(ev::StaffGesture{}, now);
    measure("staff pin");
  }

  // The text screen with 200 characters typed in Arabic and in Bengali,
  // through the shaped path, against the same screen with 200 English ones
  // (target: within 2x).
  const std::string shaped_path = test::source_dir() + "/tests/data/shaped-set.json";
  LoadResult shaped = load_question_set(shaped_path);
  if (!shaped.set) {
    std::fprintf(stderr, "%s\n", format_problems(shaped_path, shaped.problems).c_str());
    return 1;
  }
  std::printf("Text screen with 200 characters typed, median of %d frames\n", kFrames);
  struct Typed {
    const char* language;
    const char* word;  // 5 characters (code points), the space included
  };
  const Typed typed[] = {{"en", "word "}, {"ar", "كتاب "}, {"bn", "বইটা "}};
  for (ImVec2 size : {ImVec2{800, 480}, ImVec2{1080, 1920}}) {
    double english = 0;
    for (const Typed& t : typed) {
      test::ScreenHarness h(size, *shaped.set, strings);
      h.shape_text();
      test::MemoryStore store;
      test::FixedStamps stamps;
      test::FixedPin pins("2468");
      TimePoint now = Clock::now();
      Visit v(*shaped.set, config, strings, store, store, stamps, pins, now);
      h.frame(v, now);
      h.tap(v, now, std::string("lang.") + t.language);
      h.tap_at(v, now, {size.x * 0.5f, size.y * 0.75f});
      h.tap(v, now, "scale.7");
      for (int i = 0; i < 40; ++i) v.handle(ev::TypeText{t.word}, now);
      h.frame(v, now);  // shapes and caches the text once, as the kiosk does on the first frame after a key
      std::vector<double> us;
      for (int i = 0; i < kFrames; ++i) {
        auto t0 = Steady::now();
        h.frame(v, now);
        us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
      }
      double m = median_us(us);
      if (std::string(t.language) == "en") english = m;
      std::printf("  %4.0fx%-4.0f %-3s %6.1f us  (%4.2fx English; target within 2x)\n", size.x, size.y, t.language, m, m / english);
    }
  }
  return 0;
}
