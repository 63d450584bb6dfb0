// Colours and sizes of the resident screens (see DESIGN.md).
// Sizes follow the short side of the display, so one layout serves 800x480
// up to 1920x1080, landscape and portrait.
#pragma once
#include <imgui.h>

#include <string>

namespace tp::ui {

struct Palette {
  ImU32 background, surface, ink, muted, accent, on_accent, line, warning_ink, warning_bg, pressed, staff_bar;
  float border;  // px
};

Palette standard_palette();
Palette high_contrast_palette();
Palette palette_named(const std::string& name);

struct Metrics {
  ImVec2 display;
  bool portrait = false;
  float unit = 0;      // the short side
  float margin = 0;    // outer margin
  float gap = 0;       // between touch targets (>= 8 px)
  float question_px = 0, number_px = 0, body_px = 0, label_px = 0;
  float target = 0;    // minimum touch target side
  float rounding = 0;

  static Metrics for_display(ImVec2 size);
};

}  // namespace tp::ui
