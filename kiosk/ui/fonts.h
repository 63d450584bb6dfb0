// Fonts from Debian's font packages, loaded at run time. Only the sizes
// and characters in use go into the atlas, which must stay within
// 2048x2048 (the texture limit of older Raspberry Pi GPUs).
#pragma once
#include <imgui.h>

#include <optional>
#include <string>

#include "theme.h"

namespace tp::ui {

constexpr int kMaxAtlasSide = 2048;

struct FontFiles {
  std::string regular, bold;
};

// Noto Sans (fonts-noto-core), else DejaVu Sans (fonts-dejavu-core).
std::optional<FontFiles> find_font_files();

struct Fonts {
  ImFont* question = nullptr;  // bold, prompts and headlines
  ImFont* number = nullptr;    // bold, scale numbers
  ImFont* button = nullptr;    // bold, button labels
  ImFont* body = nullptr;
  ImFont* label = nullptr;  // end labels, hints, counters
  int atlas_width = 0, atlas_height = 0;
  float scale_applied = 1.0f;  // < 1 when sizes had to shrink to fit the atlas
};

class FontBuilder {
 public:
  // `text_in_use`: every string the screens may show (question set, UI
  // words, keyboard letters); its characters are added to the atlas.
  // With `large`, the same faces at the sizes of metrics.enlarged() go into
  // the same atlas, for large-text mode.
  bool build(ImFontAtlas* atlas, const FontFiles& files, const Metrics& metrics, const std::string& text_in_use, Fonts& out,
             std::string& error, Fonts* large = nullptr);

 private:
  ImVector<ImWchar> text_ranges_;
  ImVector<ImWchar> digit_ranges_;
};

}  // namespace tp::ui
