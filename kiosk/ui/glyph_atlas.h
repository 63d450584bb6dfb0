// The glyph atlas of shaped text: glyph pictures by (face, glyph id, size),
// in a texture of the kiosk's own beside ImGui's font atlas.
//
// Why not ImGui's atlas: a ligature, a Bengali conjunct or an Arabic
// contextual form has no code point, and ImGui 1.86 finds glyphs only by
// code point. ImFontAtlas::AddCustomRectRegular would hold such pictures,
// but its rectangles must be asked for before Build(): every new conjunct
// typed on the keyboard would mean rebuilding and uploading the whole
// atlas. Here a glyph is drawn into the texture the first time a frame
// needs it, and the frame's quads point at it (ImDrawList::PrimRectUV with
// this texture pushed).
//
// Invariants:
//   1. The texture starts at 512x512 and doubles (1024, then 2048) when a
//      glyph does not fit; it never exceeds 2048x2048, the texture limit of
//      older Raspberry Pi GPUs. It holds only glyphs some frame has drawn.
//   2. Full at 2048x2048, the atlas starts again empty (a new generation):
//      the glyphs still in use are drawn into it again as frames ask.
//   3. A texture a frame's quads point at lives until that frame is
//      rendered: growing or starting again makes a new texture at once (the
//      quads drawn next need its id), and the old one is destroyed at the
//      upload() of the next frame, once the frame that used it is rendered.
//   4. Pixels are RGBA, white with the coverage in alpha: the same format
//      as ImGui's own font texture, so its shader draws both.
//   5. Uploads send whole rows (a band from the first changed row to the
//      last), so no GL_UNPACK_ROW_LENGTH is needed: that is not in GL ES 2.
//
// Frame:  draw (glyph() rasterises misses into memory)
//         -> upload() [new texture or the changed rows; old textures freed]
//         -> render
#pragma once
#include <imgui.h>

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "shaped_text.h"

namespace tp::ui {

// Textures on the GPU, for the atlas. The platform layer has the GL
// behind it; tests without a display pass none.
class GlyphTextures {
 public:
  virtual ~GlyphTextures() = default;
  // A new RGBA texture of this size, linear filtering, clamped at the edges.
  virtual ImTextureID create(int width, int height) = 0;
  // Replaces rows [y, y + rows) of the texture; `rgba` holds width x rows pixels.
  virtual void update_rows(ImTextureID texture, int width, int y, int rows, const std::uint32_t* rgba) = 0;
  virtual void destroy(ImTextureID texture) = 0;
};

class GlyphAtlas {
 public:
  static constexpr int kFirstSide = 512;  // px, 1 MiB of RGBA
  static constexpr int kMaxSide = 2048;   // px, 16 MiB of RGBA

  // `textures` may be null (no display): the atlas then lives in memory only.
  GlyphAtlas(TextShaper& shaper, GlyphTextures* textures) : shaper_(shaper), textures_(textures) {}
  ~GlyphAtlas();
  GlyphAtlas(const GlyphAtlas&) = delete;
  GlyphAtlas& operator=(const GlyphAtlas&) = delete;

  struct Entry {
    int x = 0, y = 0, width = 0, height = 0;  // in the texture, px; empty for a space
    int left = 0, top = 0;                    // from the glyph's origin on the baseline
  };
  // The glyph's place, drawing it into the atlas first if it is not there.
  const Entry& glyph(int face, std::uint32_t glyph, float size_px);

  // Draws a laid-out text with its first line's top-left at `top_left`.
  // Each line is aligned in a box `box_width` wide: right-to-left lines at
  // the right, others at the left, or centred when `centred`.
  void draw(ImDrawList* dl, const Layout& layout, ImVec2 top_left, float box_width, ImU32 color, bool centred = false);
  // One line with its left end's baseline at `origin`.
  void draw_line(ImDrawList* dl, const ShapedLine& line, float size_px, ImVec2 origin, ImU32 color);

  // Between drawing and rendering a frame (see the diagram above).
  void upload();

  ImTextureID texture() const { return texture_; }
  int side() const { return side_; }
  int generation() const { return generation_; }
  std::size_t glyph_count() const { return entries_.size(); }
  std::size_t rasterized() const { return rasterized_; }  // glyphs drawn with FreeType so far
  const std::vector<std::uint32_t>& pixels() const { return pixels_; }

 private:
  bool place(int width, int height, int& x, int& y);
  void grow_or_restart();
  ImTextureID new_texture_id();

  TextShaper& shaper_;
  GlyphTextures* textures_;
  using Key = std::tuple<int, std::uint32_t, int>;  // face, glyph, size in 1/64 px
  std::map<Key, Entry> entries_;
  std::vector<std::uint32_t> pixels_;
  int side_ = 0;
  int generation_ = 0;
  std::size_t rasterized_ = 0;
  struct Shelf {
    int y, height, used;
  };
  std::vector<Shelf> shelves_;
  int dirty_top_ = 0, dirty_bottom_ = 0;  // rows to upload: [top, bottom)
  ImTextureID texture_ = nullptr;
  std::vector<ImTextureID> retired_this_frame_, retired_last_frame_;
  std::intptr_t next_fake_id_ = 1;  // texture ids without a display
};

}  // namespace tp::ui
