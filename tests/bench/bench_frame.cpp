// CPU time of one UI frame (NewFrame to Render, no GL) for each screen,
// against an empty ImGui frame measured in the same run.
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "fakes/fakes.h"
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
  return 0;
}
