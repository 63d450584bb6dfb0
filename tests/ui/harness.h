// Drives the real screens through Dear ImGui with no window and no GL:
// synthetic mouse input in, draw lists and tapped events out.
#pragma once
#include <imgui.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "fakes/fakes.h"
#include "glyph_atlas.h"
#include "shaped_text.h"
#include "ui.h"

namespace tp::test {

class ScreenHarness {
 public:
  ScreenHarness(ImVec2 display, const QuestionSet& set, const Strings& strings, const std::string& theme = "standard")
      : metrics_(ui::Metrics::for_display(display)) {
    ctx_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = display;
    io.DeltaTime = 1.0f / 60.0f;
    auto files = ui::find_font_files();
    if (!files) throw std::runtime_error("no Noto Sans or DejaVu Sans installed");
    std::string error;
    if (!builder_.build(io.Fonts, *files, metrics_, ui::text_in_use(set, strings), fonts_, error, &large_fonts_))
      throw std::runtime_error(error);
    ui_ = std::make_unique<ui::Ui>(fonts_, ui::palette_named(theme), metrics_);
    ui_->set_large_fonts(&large_fonts_);
  }
  ~ScreenHarness() { ImGui::DestroyContext(ctx_); }

  // One frame with the mouse at `pos` (pressed or not); returns the events the screen emitted.
  std::vector<Event> frame(Visit& visit, TimePoint now, ImVec2 pos = {-1, -1}, bool down = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = pos.x < 0 ? ImVec2(-FLT_MAX, -FLT_MAX) : pos;
    io.MouseDown[0] = down;
    ImGui::NewFrame();
    auto events = ui_->draw(visit, now);
    ImGui::Render();
    for (const auto& e : events) visit.handle(e, now);
    return events;
  }

  // Taps the named target drawn in the last frame: press in one frame, release in the next.
  void tap(Visit& visit, TimePoint now, const std::string& id) {
    auto it = ui_->hits().find(id);
    if (it == ui_->hits().end()) throw std::runtime_error("no target named " + id + " on screen " + screen_name(visit.screen()));
    ImVec2 c = it->second.center();
    frame(visit, now, c, true);
    frame(visit, now, c, false);
    frame(visit, now);  // finger lifted: the new screen is drawn and its targets known
  }
  void tap_at(Visit& visit, TimePoint now, ImVec2 p) {
    frame(visit, now, p, true);
    frame(visit, now, p, false);
    frame(visit, now);
  }

  // Arabic, Bengali and right-to-left text through the shaped path, as the
  // kiosk draws them (the glyph pictures in memory: no GL here).
  void shape_text() {
    auto files = ui::find_script_font_files();
    if (!files) throw std::runtime_error("no fonts for shaped text (fonts-noto-core)");
    std::string error;
    shaper_ = ui::TextShaper::open(*files, error);
    if (!shaper_) throw std::runtime_error(error);
    atlas_ = std::make_unique<ui::GlyphAtlas>(*shaper_, nullptr);
    ui_->set_shaped_text(shaper_.get(), atlas_.get());
  }
  const ui::GlyphAtlas* atlas() const { return atlas_.get(); }

  const std::map<std::string, ui::Rect>& hits() const { return ui_->hits(); }
  const ui::Metrics& metrics() const { return metrics_; }
  const ui::Fonts& fonts() const { return fonts_; }
  const ui::Fonts& large_fonts() const { return large_fonts_; }
  ui::Ui& ui() { return *ui_; }

 private:
  ImGuiContext* ctx_ = nullptr;
  ui::Metrics metrics_;
  ui::FontBuilder builder_;
  ui::Fonts fonts_;
  ui::Fonts large_fonts_;
  std::unique_ptr<ui::TextShaper> shaper_;  // before ui_, which points at them, so they outlive it
  std::unique_ptr<ui::GlyphAtlas> atlas_;
  std::unique_ptr<ui::Ui> ui_;
};

// A visit of its own with an empty store, for one screen of one test.
struct VisitRig {
  VisitRig(const QuestionSet& set, const KioskConfig& config, const Strings& strings)
      : visit(set, config, strings, store, store, stamps, pins, now) {}
  MemoryStore store;
  FixedStamps stamps;
  FixedPin pins{"2468"};
  TimePoint now = Clock::now();
  Visit visit;
};

// Moves a visit to `target` through taps a resident or staff member could make.
inline void reach(ScreenHarness& h, Visit& v, TimePoint& now, Screen target, MemoryStore* store) {
  h.frame(v, now);
  switch (target) {
    case Screen::attract:
      return;
    case Screen::scale:
      h.tap_at(v, now, {h.metrics().display.x * 0.5f, h.metrics().display.y * 0.6f});
      return;
    case Screen::text:
      reach(h, v, now, Screen::scale, store);
      h.tap(v, now, "scale.7");
      return;
    case Screen::choice:
      reach(h, v, now, Screen::scale, store);
      h.tap(v, now, "scale.10");
      h.tap(v, now, "skip");
      return;
    case Screen::thanks:
      reach(h, v, now, Screen::choice, store);
      h.tap(v, now, "option.weekly");
      return;
    case Screen::still_there:
      reach(h, v, now, Screen::text, store);
      now += std::chrono::seconds(45);
      v.tick(now);
      h.frame(v, now);
      return;
    case Screen::staff_pin:
      v.handle(ev::StaffGesture{}, now);
      h.frame(v, now);
      return;
    case Screen::staff_menu:
      reach(h, v, now, Screen::staff_pin, store);
      for (const char* d : {"pin.2", "pin.4", "pin.6", "pin.8", "pin.ok"}) h.tap(v, now, d);
      return;
    case Screen::out_of_service:
      reach(h, v, now, Screen::scale, store);
      store->fail = true;
      h.tap(v, now, "scale.3");
      return;
    case Screen::closed:
      return;  // only from a config whose opening hours exclude the visit's wall clock (test_closed.cpp)
  }
}

}  // namespace tp::test
