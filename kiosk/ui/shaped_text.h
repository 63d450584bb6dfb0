// Shaped text: the kiosk's own path for scripts Dear ImGui cannot draw.
//
// ImGui 1.86 draws one code point per glyph, left to right. Arabic then
// comes out unjoined and reversed, and Bengali's conjuncts fall apart. This
// module lays a UTF-8 string out the way a browser would, with no display:
//
//   UTF-8 -> code points -> paragraphs (at '\n')
//         -> bidi levels per code point            [FriBidi]
//         -> runs of one level, script and face     [itemise()]
//         -> positioned glyph ids per run            [HarfBuzz, shape_run()]
//         -> lines broken at spaces, in logical order, to a width
//         -> each line's runs put in visual order (bidi rule L2)
//
// Invariants:
//   1. A (text, size, width, direction, weight, language) is shaped once:
//      layout() keeps what it made and hands the same Layout back, so a
//      frame draws from the cache and shapes nothing. shape_calls() counts
//      every hb_shape() so that tests can see this.
//   2. Positions come from HarfBuzz's own OpenType functions at a scale of
//      64 units per pixel, so they are the positions `hb-shape
//      --font-size=<64 x px>` prints for the same font file, and tests
//      compare them.
//   3. Glyph ids belong to a face (`Glyph::face`): a ligature, a conjunct or
//      an Arabic contextual form has no code point, so glyphs are drawn by
//      (face, glyph id, size), never by character (glyph_atlas.h).
//   4. No third-party type appears here: FreeType, HarfBuzz and FriBidi stay
//      in shaped_text.cpp.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace tp::ui {

enum class TextDirection { automatic, ltr, rtl };
enum class Weight { regular, bold };

// One font file per script and weight. `latin` also serves Greek,
// Cyrillic, digits and punctuation, and any script without its own file.
struct ScriptFontFiles {
  std::string latin_regular, latin_bold;
  std::string arabic_regular, arabic_bold;
  std::string bengali_regular, bengali_bold;
};

// Noto Sans and its Arabic and Bengali faces from fonts-noto-core, at the
// paths Debian installs them (DejaVu Sans for Latin where Noto is missing).
// A script whose file is missing is left empty and falls back to `latin`.
std::optional<ScriptFontFiles> find_script_font_files();

// True when ImGui's own one-glyph-per-code-point path would draw `utf8`
// wrongly or not at all: any code point outside Latin, Greek, Cyrillic and
// general punctuation, or any right-to-left character.
bool needs_shaping(std::string_view utf8);

// A glyph placed on its line: x from the line's left end, y from the
// baseline (down is positive), both in pixels.
struct PlacedGlyph {
  int face = 0;  // index into TextShaper's faces
  std::uint32_t glyph = 0;
  float x = 0, y = 0;
  std::uint32_t byte = 0;  // where its cluster starts in the source text (for carets and tests)
};

struct ShapedLine {
  std::vector<PlacedGlyph> glyphs;           // in visual order, left to right
  float width = 0;                           // px, trailing spaces left out
  bool rtl = false;                          // the paragraph's direction: aligns right
  std::size_t first_byte = 0, end_byte = 0;  // the line's logical range in the source text
};

struct Layout {
  std::vector<ShapedLine> lines;
  float size_px = 0;
  float width = 0;        // the widest line
  float line_height = 0;  // from one baseline to the next
  float ascent = 0;       // from a line's top to its baseline
  bool rtl = false;       // the first paragraph's direction
  float height() const { return line_height * static_cast<float>(lines.size()); }
};

// One run as HarfBuzz shaped it, in HarfBuzz's own units (1/64 px) and
// order (visual: right to left runs come out reversed). What `hb-shape`
// prints, for the tests to compare.
struct ShapedRun {
  struct Glyph {
    std::uint32_t glyph, cluster;
    std::int32_t x_advance, y_advance, x_offset, y_offset;
  };
  int face = 0;
  bool rtl = false;
  std::string script;  // ISO 15924, e.g. "Arab"
  std::vector<Glyph> glyphs;
};

class TextShaper {
 public:
  // Opens every file with FreeType and HarfBuzz. A missing script file is
  // not an error (that script falls back to Latin); a Latin file that
  // cannot be opened is.
  static std::unique_ptr<TextShaper> open(const ScriptFontFiles& files, std::string& error);
  ~TextShaper();
  TextShaper(const TextShaper&) = delete;
  TextShaper& operator=(const TextShaper&) = delete;

  // The laid-out text, wrapped to `wrap_width` px (<= 0: one line per
  // paragraph). `language` is a BCP 47 tag ("ar", "bn"; empty: none) that
  // HarfBuzz uses for language-specific forms. The cache holds at most
  // kMaxCachedLayouts; past that it starts again (a kiosk shows a few dozen
  // strings, typing adds one per key), and a Layout handed out stays valid
  // for as long as its holder keeps it.
  static constexpr std::size_t kMaxCachedLayouts = 2048;
  std::shared_ptr<const Layout> layout(std::string_view utf8, float size_px, Weight weight, float wrap_width = 0,
                                       TextDirection direction = TextDirection::automatic, std::string_view language = {});

  // The bidi runs of one line of text (no wrapping), each as HarfBuzz
  // shaped it, in logical order. Not cached: for tests and tools.
  std::vector<ShapedRun> shape_runs(std::string_view utf8, float size_px, Weight weight, TextDirection direction = TextDirection::automatic,
                                    std::string_view language = {});

  // Draws one glyph into an 8-bit coverage bitmap (FreeType, anti-aliased).
  // `left`/`top`: the bitmap's top-left corner from the glyph's origin on
  // the baseline, in px (up is negative y).
  struct Bitmap {
    int width = 0, height = 0, left = 0, top = 0;
    std::vector<std::uint8_t> coverage;  // width * height bytes
  };
  bool rasterize(int face, std::uint32_t glyph, float size_px, Bitmap& out);

  // The em size in px that draws as large as ImGui's font of `imgui_size`
  // (ImGui sizes a font by its full ascent-to-descent height, not its em).
  float em_for_imgui_size(float imgui_size) const;

  const std::string& face_file(int face) const;
  std::size_t face_count() const;
  std::size_t shape_calls() const { return shape_calls_; }
  std::size_t cached_layouts() const { return cache_.size(); }
  void clear_cache() { cache_.clear(); }

  struct Impl;  // the faces and HarfBuzz's buffer; only shaped_text.cpp sees inside

 private:
  TextShaper();
  std::unique_ptr<Impl> impl_;
  std::size_t shape_calls_ = 0;
  using Key = std::tuple<std::string, int, int, int, int, std::string>;
  std::map<Key, std::shared_ptr<const Layout>> cache_;
};

}  // namespace tp::ui
