// The glyph atlas of shaped text; see glyph_atlas.h for its rules.
#include "glyph_atlas.h"

#include <algorithm>
#include <cmath>

namespace tp::ui {

namespace {
constexpr int kGutter = 1;  // px of empty space around each glyph: linear filtering must not bleed
}

GlyphAtlas::~GlyphAtlas() {
  if (!textures_) return;
  for (ImTextureID t : retired_last_frame_) textures_->destroy(t);
  for (ImTextureID t : retired_this_frame_) textures_->destroy(t);
  if (texture_) textures_->destroy(texture_);
}

ImTextureID GlyphAtlas::new_texture_id() {
  if (textures_) return textures_->create(side_, side_);
  return reinterpret_cast<ImTextureID>(next_fake_id_++);
}

// Shelves: rows of glyphs of about one height, filled left to right. A
// glyph goes on the first shelf tall enough (but not twice as tall), else
// on a new shelf below the last.
bool GlyphAtlas::place(int width, int height, int& x, int& y) {
  int w = width + kGutter, h = height + kGutter;
  if (w > side_ || h > side_) return false;
  for (Shelf& s : shelves_) {
    if (h <= s.height && h * 2 > s.height && s.used + w <= side_) {
      x = s.used;
      y = s.y;
      s.used += w;
      return true;
    }
  }
  int top = shelves_.empty() ? 0 : shelves_.back().y + shelves_.back().height;
  if (top + h > side_) return false;
  shelves_.push_back({top, h, w});
  x = 0;
  y = top;
  return true;
}

void GlyphAtlas::grow_or_restart() {
  if (texture_) {
    // Quads drawn earlier in this frame point at the old texture: it gets
    // their glyphs before it is retired.
    if (textures_ && dirty_top_ < dirty_bottom_)
      textures_->update_rows(texture_, side_, dirty_top_, dirty_bottom_ - dirty_top_,
                             pixels_.data() + static_cast<std::ptrdiff_t>(dirty_top_) * side_);
    retired_this_frame_.push_back(texture_);
  }
  if (side_ == 0 || side_ < kMaxSide) {
    // Doubling keeps every glyph at its pixel place: the old rows are
    // copied into the top-left of the bigger picture.
    int old_side = side_;
    side_ = side_ == 0 ? kFirstSide : side_ * 2;
    std::vector<std::uint32_t> bigger(static_cast<std::size_t>(side_) * static_cast<std::size_t>(side_), 0);
    for (int y = 0; y < old_side; ++y)
      std::copy_n(pixels_.begin() + static_cast<std::ptrdiff_t>(y) * old_side, old_side,
                  bigger.begin() + static_cast<std::ptrdiff_t>(y) * side_);
    pixels_ = std::move(bigger);
  } else {
    // Full at the largest size: start again empty. What the screens still
    // show comes back glyph by glyph as they draw.
    entries_.clear();
    shelves_.clear();
    std::fill(pixels_.begin(), pixels_.end(), 0u);
    ++generation_;
  }
  texture_ = new_texture_id();
  dirty_top_ = 0;
  dirty_bottom_ = side_;
}

const GlyphAtlas::Entry& GlyphAtlas::glyph(int face, std::uint32_t glyph, float size_px) {
  Key key{face, glyph, static_cast<int>(std::lround(size_px * 64))};
  if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  if (side_ == 0) grow_or_restart();

  TextShaper::Bitmap bitmap;
  ++rasterized_;
  Entry e;
  if (shaper_.rasterize(face, glyph, size_px, bitmap) && bitmap.width > 0 && bitmap.height > 0) {
    int x = 0, y = 0;
    // At most two tries: a bigger (or fresh) atlas holds any glyph a
    // kiosk draws, being at least 512 px on a side.
    if (!place(bitmap.width, bitmap.height, x, y)) {
      grow_or_restart();
      if (!place(bitmap.width, bitmap.height, x, y)) return entries_[key];
    }
    for (int row = 0; row < bitmap.height; ++row) {
      std::uint32_t* dst = pixels_.data() + static_cast<std::ptrdiff_t>(y + row) * side_ + x;
      const std::uint8_t* src = bitmap.coverage.data() + static_cast<std::ptrdiff_t>(row) * bitmap.width;
      for (int col = 0; col < bitmap.width; ++col) dst[col] = IM_COL32(255, 255, 255, src[col]);
    }
    e = {x, y, bitmap.width, bitmap.height, bitmap.left, bitmap.top};
    if (dirty_top_ == dirty_bottom_) {
      dirty_top_ = y;
      dirty_bottom_ = y + bitmap.height;
    } else {
      dirty_top_ = std::min(dirty_top_, y);
      dirty_bottom_ = std::max(dirty_bottom_, y + bitmap.height);
    }
  }
  return entries_[key] = e;
}

void GlyphAtlas::draw_line(ImDrawList* dl, const ShapedLine& line, float size_px, ImVec2 origin, ImU32 color) {
  if (line.glyphs.empty()) return;
  bool pushed = false;
  ImTextureID pushed_texture = nullptr;
  // Pens snap to whole pixels, as ImGui's own text does: glyph pictures are
  // drawn at whole-pixel offsets and stay sharp.
  float base_x = std::round(origin.x), base_y = std::round(origin.y);
  for (const PlacedGlyph& g : line.glyphs) {
    const Entry& e = glyph(g.face, g.glyph, size_px);
    if (e.width == 0) continue;
    if (!pushed || pushed_texture != texture_) {
      if (pushed) dl->PopTextureID();
      dl->PushTextureID(texture_);
      pushed = true;
      pushed_texture = texture_;
    }
    float x = base_x + std::round(g.x) + static_cast<float>(e.left);
    float y = base_y + std::round(g.y) + static_cast<float>(e.top);
    float inv = 1.0f / static_cast<float>(side_);
    ImVec2 uv0{static_cast<float>(e.x) * inv, static_cast<float>(e.y) * inv};
    ImVec2 uv1{static_cast<float>(e.x + e.width) * inv, static_cast<float>(e.y + e.height) * inv};
    dl->PrimReserve(6, 4);
    dl->PrimRectUV({x, y}, {x + static_cast<float>(e.width), y + static_cast<float>(e.height)}, uv0, uv1, color);
  }
  if (pushed) dl->PopTextureID();
}

void GlyphAtlas::draw(ImDrawList* dl, const Layout& layout, ImVec2 top_left, float box_width, ImU32 color, bool centred) {
  float y = top_left.y + layout.ascent;
  for (const ShapedLine& line : layout.lines) {
    float x = top_left.x;
    if (centred)
      x += (box_width - line.width) * 0.5f;
    else if (line.rtl)
      x += box_width - line.width;
    draw_line(dl, line, layout.size_px, {x, y}, color);
    y += layout.line_height;
  }
}

void GlyphAtlas::upload() {
  if (textures_)
    for (ImTextureID t : retired_last_frame_) textures_->destroy(t);
  retired_last_frame_ = std::move(retired_this_frame_);
  retired_this_frame_.clear();
  if (dirty_top_ < dirty_bottom_ && textures_ && texture_)
    textures_->update_rows(texture_, side_, dirty_top_, dirty_bottom_ - dirty_top_,
                           pixels_.data() + static_cast<std::ptrdiff_t>(dirty_top_) * side_);
  dirty_top_ = dirty_bottom_ = 0;
}

}  // namespace tp::ui
