#include "theme.h"

#include <algorithm>

namespace tp::ui {

namespace {
constexpr ImU32 rgb(unsigned hex) { return IM_COL32((hex >> 16) & 0xFF, (hex >> 8) & 0xFF, hex & 0xFF, 0xFF); }
}  // namespace

Palette standard_palette() {
  return {rgb(0xF6F4EF), rgb(0xFFFFFF), rgb(0x1E2430), rgb(0x5A6170), rgb(0x0B6E69), rgb(0xFFFFFF),
          rgb(0xD9D5CC), rgb(0x8A4B00), rgb(0xFFF4E0), rgb(0xE6E1D6), rgb(0x1E2430), 1.5f};
}

Palette high_contrast_palette() {
  return {rgb(0xFFFFFF), rgb(0xFFFFFF), rgb(0x000000), rgb(0x000000), rgb(0x004C99), rgb(0xFFFFFF),
          rgb(0x000000), rgb(0x000000), rgb(0xFFE9A8), rgb(0xD0D0D0), rgb(0x000000), 2.0f};
}

Palette palette_named(const std::string& name) { return name == "high-contrast" ? high_contrast_palette() : standard_palette(); }

Metrics Metrics::for_display(ImVec2 size) {
  Metrics m;
  m.display = size;
  m.portrait = size.y > size.x;
  m.unit = std::min(size.x, size.y);
  m.question_px = std::max(22.0f, m.unit * 0.07f);
  m.number_px = std::max(20.0f, m.unit * 0.06f);
  m.body_px = std::max(16.0f, m.unit * 0.04f);
  m.label_px = std::max(14.0f, m.unit * 0.03f);
  m.margin = std::max(16.0f, m.unit * 0.045f);
  m.gap = std::max(8.0f, m.unit * 0.015f);
  // 9 mm on a 7" 800x480 panel is about 48 px; scale up with the display.
  m.target = std::max(56.0f, m.unit * 0.12f);
  m.rounding = std::max(8.0f, m.unit * 0.018f);
  return m;
}

Metrics Metrics::enlarged() const {
  Metrics m = *this;
  m.question_px *= kLargeTextScale;
  m.number_px *= kLargeTextScale;
  m.body_px *= kLargeTextScale;
  m.label_px *= kLargeTextScale;
  m.target *= kLargeTargetScale;
  return m;
}

}  // namespace tp::ui
