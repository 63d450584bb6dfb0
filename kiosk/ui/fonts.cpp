#include "fonts.h"

#include <filesystem>

namespace tp::ui {

std::optional<FontFiles> find_font_files() {
  const FontFiles candidates[] = {
      {"/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"},
      {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
  };
  for (const auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(c.regular, ec) && std::filesystem::exists(c.bold, ec)) return c;
  }
  return std::nullopt;
}

bool FontBuilder::build(ImFontAtlas* atlas, const FontFiles& files, const Metrics& metrics, const std::string& text_in_use, Fonts& out,
                        std::string& error, Fonts* large) {
  {
    ImFontGlyphRangesBuilder b;
    static const ImWchar latin[] = {0x0020, 0x00FF, 0x2010, 0x2026, 0};  // Basic Latin, Latin-1, dashes, quotes, ellipsis
    b.AddRanges(latin);
    b.AddText(text_in_use.c_str(), text_in_use.c_str() + text_in_use.size());
    text_ranges_.clear();
    b.BuildRanges(&text_ranges_);
  }
  {
    ImFontGlyphRangesBuilder b;
    b.AddText("0123456789");
    digit_ranges_.clear();
    b.BuildRanges(&digit_ranges_);
  }

  // Shrink all sizes a little at a time until the atlas fits.
  for (float scale = 1.0f; scale > 0.5f; scale -= 0.1f) {
    atlas->Clear();
    atlas->TexDesiredWidth = kMaxAtlasSide;
    ImFontConfig cfg;
    cfg.OversampleH = 1;  // halves the atlas; invisible at these sizes
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    auto add = [&](const std::string& file, float px, const ImWchar* ranges) {
      return atlas->AddFontFromFileTTF(file.c_str(), px * scale, &cfg, ranges);
    };
    auto add_faces = [&](const Metrics& m, Fonts& f) {
      // The first font added is ImGui's default; make it the body.
      f.body = add(files.regular, m.body_px, text_ranges_.Data);
      f.question = add(files.bold, m.question_px, text_ranges_.Data);
      f.number = add(files.bold, m.number_px, digit_ranges_.Data);
      f.button = add(files.bold, m.body_px, text_ranges_.Data);
      f.label = add(files.regular, m.label_px, text_ranges_.Data);
      return f.body && f.question && f.number && f.button && f.label;
    };
    if (!add_faces(metrics, out) || (large && !add_faces(metrics.enlarged(), *large))) {
      error = "Unable to load fonts from " + files.regular + " and " + files.bold;
      return false;
    }
    if (!atlas->Build()) {
      error = "Unable to build the font atlas";
      return false;
    }
    out.atlas_width = atlas->TexWidth;
    out.atlas_height = atlas->TexHeight;
    out.scale_applied = scale;
    if (large) {
      large->atlas_width = atlas->TexWidth;
      large->atlas_height = atlas->TexHeight;
      large->scale_applied = scale;
    }
    if (atlas->TexWidth <= kMaxAtlasSide && atlas->TexHeight <= kMaxAtlasSide) return true;
  }
  error = "The fonts do not fit a 2048x2048 texture even at half size";
  return false;
}

}  // namespace tp::ui
