// Colours and sizes of the resident screens.
//
// Palette rules:
//   1. Text reaches at least 4.5:1 contrast against what it sits on (WCAG 2.2
//      AA): ink on the warm paper background is about 14:1, muted ink for end
//      labels and hints about 5.6:1, white on the teal accent about 6:1.
//   2. Colour never judges an answer: the eleven scale numbers look alike until
//      one is chosen, and the chosen one changes shape (filled and ringed), not
//      only colour.
//   3. The high-contrast theme is black on white with a dark blue accent and
//      2 px borders, for residents who need more than the standard theme gives.
//
// Metrics rules:
//   1. Every size is a share of the display's short side (question text 7%,
//      scale numbers 6%, body and buttons 4%, labels 3%), with a floor in px,
//      so one layout serves 800x480 to 1920x1080, landscape and portrait, and
//      reads from two metres.
//   2. A touch target is at least 48 px on a side (9 mm on a 7-inch 800x480
//      panel; the metrics give 56 px or more), and targets are at least 8 px
//      apart, so a fingertip lands on one target and never between two.
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
  float unit = 0;    // the short side
  float margin = 0;  // outer margin
  float gap = 0;     // between touch targets (>= 8 px)
  float question_px = 0, number_px = 0, body_px = 0, label_px = 0;
  float target = 0;  // minimum touch target side
  float rounding = 0;

  static Metrics for_display(ImVec2 size);
  // Large-text mode: text a third larger, targets a fifth larger; margins
  // and gaps as they were, so that every screen still fits at 800x480.
  Metrics enlarged() const;
};

constexpr float kLargeTextScale = 1.3f;
constexpr float kLargeTargetScale = 1.2f;

}  // namespace tp::ui
