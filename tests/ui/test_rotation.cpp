// Turning the picture for a panel mounted in portrait or upside down
// (kiosk/platform/rotation.h), checked on the real screens' draw data with
// no window: where points land, that touches map back, that nothing falls
// off the panel.
#include <catch2/catch.hpp>

#include "fakes/fakes.h"
#include "harness.h"
#include "rotation.h"
#include "support.h"

using namespace tp;
using namespace tp::platform;

namespace {

bool same(ImVec2 a, ImVec2 b) { return a.x == b.x && a.y == b.y; }

}  // namespace

TEST_CASE("quarter turns: the logical corners land where the panel shows them, and touches map back exactly", "[ui][rotation]") {
  const ImVec2 panel{800, 480};
  CHECK(same(logical_size(panel, 0), {800, 480}));
  CHECK(same(logical_size(panel, 90), {480, 800}));
  CHECK(same(logical_size(panel, 180), {800, 480}));
  CHECK(same(logical_size(panel, 270), {480, 800}));

  // 90 clockwise: the logical top edge runs down the panel's right side.
  CHECK(same(to_panel({0, 0}, panel, 90), {800, 0}));
  CHECK(same(to_panel({480, 0}, panel, 90), {800, 480}));
  CHECK(same(to_panel({0, 800}, panel, 90), {0, 0}));
  // 270: up the left side; 180: upside down.
  CHECK(same(to_panel({0, 0}, panel, 270), {0, 480}));
  CHECK(same(to_panel({480, 0}, panel, 270), {0, 0}));
  CHECK(same(to_panel({0, 0}, panel, 180), {800, 480}));
  CHECK(same(to_panel({800, 480}, panel, 180), {0, 0}));
  CHECK(same(to_panel({123, 45}, panel, 0), {123, 45}));

  for (int degrees : {0, 90, 180, 270}) {
    INFO(degrees);
    ImVec2 logical = logical_size(panel, degrees);
    for (ImVec2 p :
         {ImVec2{0, 0}, ImVec2{17.5f, 301}, ImVec2{logical.x, logical.y}, ImVec2{logical.x * 0.5f, logical.y * 0.75f}, ImVec2{-20, 900}}) {
      ImVec2 on_panel = to_panel(p, panel, degrees);
      CHECK(same(to_logical(on_panel, panel, degrees), p));
      bool inside_logical = p.x >= 0 && p.y >= 0 && p.x <= logical.x && p.y <= logical.y;
      bool inside_panel = on_panel.x >= 0 && on_panel.y >= 0 && on_panel.x <= panel.x && on_panel.y <= panel.y;
      CHECK(inside_logical == inside_panel);
    }
  }
}

TEST_CASE("a frame turned onto the panel: every vertex and clip rectangle moves, none off the panel; a touch there scores",
          "[ui][rotation]") {
  QuestionSet set = test::demo_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  for (ImVec2 panel : {ImVec2{800, 480}, ImVec2{1024, 600}, ImVec2{480, 800}}) {
    for (int degrees : {90, 180, 270}) {
      INFO(panel.x << "x" << panel.y << " turned " << degrees);
      ImVec2 logical = logical_size(panel, degrees);
      test::MemoryStore store;
      test::FixedStamps stamps;
      test::FixedPin pins("2468");
      TimePoint now = Clock::now();
      Visit v(set, config, strings, store, store, stamps, pins, now);
      test::ScreenHarness h(logical, set, strings);
      h.frame(v, now);
      h.tap_at(v, now, {logical.x * 0.5f, logical.y * 0.75f});
      REQUIRE(v.screen() == Screen::scale);

      ImDrawData* data = ImGui::GetDrawData();
      std::vector<ImVec2> before;
      std::vector<ImVec4> clips_before;
      for (int i = 0; i < data->CmdListsCount; ++i) {
        for (const ImDrawVert& vert : data->CmdLists[i]->VtxBuffer) before.push_back(vert.pos);
        for (const ImDrawCmd& cmd : data->CmdLists[i]->CmdBuffer) clips_before.push_back(cmd.ClipRect);
      }
      REQUIRE(!before.empty());
      turn_draw_data(*data, panel, {1, 1}, degrees);
      CHECK(same(data->DisplaySize, panel));

      std::size_t n = 0, c = 0;
      ImVec2 lo{FLT_MAX, FLT_MAX}, hi{-FLT_MAX, -FLT_MAX};
      for (int i = 0; i < data->CmdListsCount; ++i) {
        for (const ImDrawVert& vert : data->CmdLists[i]->VtxBuffer) {
          CHECK(same(vert.pos, to_panel(before[n++], panel, degrees)));
          lo = {std::min(lo.x, vert.pos.x), std::min(lo.y, vert.pos.y)};
          hi = {std::max(hi.x, vert.pos.x), std::max(hi.y, vert.pos.y)};
        }
        for (const ImDrawCmd& cmd : data->CmdLists[i]->CmdBuffer) {
          const ImVec4& was = clips_before[c++];
          ImVec2 a = to_panel({was.x, was.y}, panel, degrees), b = to_panel({was.z, was.w}, panel, degrees);
          CHECK(cmd.ClipRect.x == std::min(a.x, b.x));
          CHECK(cmd.ClipRect.w == std::max(a.y, b.y));
          CHECK(cmd.ClipRect.x < cmd.ClipRect.z);
          CHECK(cmd.ClipRect.y < cmd.ClipRect.w);
          CHECK(cmd.ClipRect.x >= 0);
          CHECK(cmd.ClipRect.y >= 0);
          CHECK(cmd.ClipRect.z <= panel.x);
          CHECK(cmd.ClipRect.w <= panel.y);
        }
      }
      // The whole picture lands on the panel (the window's background fills it exactly).
      CHECK(lo.x >= 0);
      CHECK(lo.y >= 0);
      CHECK(hi.x <= panel.x);
      CHECK(hi.y <= panel.y);
      CHECK(hi.x - lo.x == panel.x);
      CHECK(hi.y - lo.y == panel.y);

      // A finger on the panel where 7 shows, mapped back as the window does, chooses 7.
      ui::Rect seven = h.hits().at("scale.7");
      ImVec2 finger = to_panel(seven.center(), panel, degrees);
      h.tap_at(v, now, to_logical(finger, panel, degrees));
      REQUIRE(store.find("library"));
      CHECK(store.find("library")->score == 7);
    }
  }
}
