// Shaped text: bidi with FriBidi, shaping with HarfBuzz, glyph pictures
// with FreeType. See shaped_text.h for the pipeline and its invariants.
#include "shaped_text.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <fribidi.h>
#include <hb-ot.h>
#include <hb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "text.h"

namespace tp::ui {

namespace {

constexpr int kUnitsPerPx = 64;        // HarfBuzz scale: 26.6 fixed point, as FreeType's
constexpr float kLineSpacing = 1.18f;  // the same spacing as the ImGui path (widgets.cpp)

bool exists(const std::string& path) {
  std::error_code ec;
  return !path.empty() && std::filesystem::exists(path, ec);
}

std::string first_existing(std::initializer_list<const char*> candidates) {
  for (const char* c : candidates)
    if (exists(c)) return c;
  return {};
}

struct CodePoint {
  char32_t value;
  std::size_t byte;  // where it starts in the source text
};

// Invalid bytes become U+FFFD, one per byte, so that any input lays out.
std::vector<CodePoint> decode(std::string_view utf8) {
  std::vector<CodePoint> out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    std::size_t len = utf8_sequence_length(utf8.substr(i));
    if (len == 0) {
      out.push_back({U'\uFFFD', i});
      ++i;
      continue;
    }
    std::u32string one = decode_utf8(utf8.substr(i, len));
    out.push_back({one.empty() ? U'\uFFFD' : one[0], i});
    i += len;
  }
  return out;
}

bool is_bidi_control(char32_t c) { return c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069); }

bool drawn_right_without_shaping(char32_t c) {
  if (c < 0x0590) return true;                                 // Latin, IPA, combining marks, Greek, Cyrillic, Armenian
  if (c >= 0x1D00 && c <= 0x1FFF) return true;                 // phonetic extensions, Latin and Greek extended
  if (c >= 0x2000 && c <= 0x20CF) return !is_bidi_control(c);  // punctuation, super/subscripts, currency
  if (c >= 0x2100 && c <= 0x218F) return true;                 // letterlike symbols, number forms
  if (c >= 0x2DE0 && c <= 0x2DFF) return true;                 // Cyrillic extended-A
  if (c >= 0xA640 && c <= 0xA69F) return true;                 // Cyrillic extended-B
  if (c >= 0xA720 && c <= 0xA7FF) return true;                 // Latin extended-D
  if (c >= 0xFB00 && c <= 0xFB06) return true;                 // Latin ligatures
  return false;
}

}  // namespace

std::optional<ScriptFontFiles> find_script_font_files() {
  const std::string noto = "/usr/share/fonts/truetype/noto/";
  const std::string dejavu = "/usr/share/fonts/truetype/dejavu/";
  ScriptFontFiles f;
  if (exists(noto + "NotoSans-Regular.ttf") && exists(noto + "NotoSans-Bold.ttf")) {
    f.latin_regular = noto + "NotoSans-Regular.ttf";
    f.latin_bold = noto + "NotoSans-Bold.ttf";
  } else if (exists(dejavu + "DejaVuSans.ttf") && exists(dejavu + "DejaVuSans-Bold.ttf")) {
    f.latin_regular = dejavu + "DejaVuSans.ttf";
    f.latin_bold = dejavu + "DejaVuSans-Bold.ttf";
  } else {
    return std::nullopt;
  }
  // Noto Sans Arabic matches Noto Sans's strokes; Naskh is the older face in the same package.
  f.arabic_regular = first_existing(
      {"/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf"});
  f.arabic_bold =
      first_existing({"/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf", "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf"});
  f.bengali_regular = first_existing(
      {"/usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSerifBengali-Regular.ttf"});
  f.bengali_bold = first_existing(
      {"/usr/share/fonts/truetype/noto/NotoSansBengali-Bold.ttf", "/usr/share/fonts/truetype/noto/NotoSerifBengali-Bold.ttf"});
  return f;
}

bool needs_shaping(std::string_view utf8) {
  for (const CodePoint& c : decode(utf8))
    if (!drawn_right_without_shaping(c.value)) return true;
  return false;
}

// ---- Faces -------------------------------------------------------------------

struct Face {
  std::string file;
  Weight weight;
  hb_script_t script;  // the script it is chosen for; HB_SCRIPT_COMMON for the Latin face
  hb_font_t* hb = nullptr;
  FT_Face ft = nullptr;
  int ft_size_64 = 0;  // the size FreeType was last set to, 1/64 px
};

struct TextShaper::Impl {
  FT_Library library = nullptr;
  std::vector<Face> faces;
  hb_buffer_t* buffer = nullptr;
  float latin_height_em = 1.0f;  // (ascender - descender) / em of the regular Latin face
  float latin_ascent_em = 0.8f;

  ~Impl() {
    for (Face& f : faces) {
      if (f.hb) hb_font_destroy(f.hb);
      if (f.ft) FT_Done_Face(f.ft);
    }
    if (buffer) hb_buffer_destroy(buffer);
    if (library) FT_Done_FreeType(library);
  }

  bool add(const std::string& file, Weight weight, hb_script_t script, std::string& error) {
    Face f{file, weight, script};
    if (FT_New_Face(library, file.c_str(), 0, &f.ft) != 0) {
      error = "Unable to open the font " + file + " with FreeType";
      return false;
    }
    hb_blob_t* blob = hb_blob_create_from_file_or_fail(file.c_str());
    if (!blob) {
      FT_Done_Face(f.ft);
      error = "Unable to read the font " + file;
      return false;
    }
    hb_face_t* face = hb_face_create(blob, 0);
    hb_blob_destroy(blob);
    f.hb = hb_font_create(face);
    hb_face_destroy(face);
    hb_ot_font_set_funcs(f.hb);  // what hb-shape uses by default: positions the tests can compare
    faces.push_back(f);
    return true;
  }

  // The face for a code point of `script`: that script's own face when it
  // has the character, else the first face of this weight that has it.
  int face_for(char32_t c, hb_script_t script, Weight weight) const {
    int preferred = -1, any_with_glyph = -1, latin = -1;
    for (std::size_t i = 0; i < faces.size(); ++i) {
      const Face& f = faces[i];
      if (f.weight != weight) continue;
      hb_codepoint_t g = 0;
      bool has = hb_font_get_nominal_glyph(f.hb, c, &g) != 0;
      if (f.script == HB_SCRIPT_COMMON) latin = static_cast<int>(i);
      if (f.script == script && has) preferred = static_cast<int>(i);
      if (has && any_with_glyph < 0) any_with_glyph = static_cast<int>(i);
    }
    if (preferred >= 0) return preferred;
    if (latin >= 0) {
      hb_codepoint_t g = 0;
      if (hb_font_get_nominal_glyph(faces[static_cast<std::size_t>(latin)].hb, c, &g)) return latin;
    }
    if (any_with_glyph >= 0) return any_with_glyph;
    return latin >= 0 ? latin : 0;
  }
};

TextShaper::TextShaper() : impl_(std::make_unique<Impl>()) {}
TextShaper::~TextShaper() = default;

std::unique_ptr<TextShaper> TextShaper::open(const ScriptFontFiles& files, std::string& error) {
  std::unique_ptr<TextShaper> shaper(new TextShaper());
  Impl& im = *shaper->impl_;
  if (FT_Init_FreeType(&im.library) != 0) {
    error = "Unable to start FreeType";
    return nullptr;
  }
  im.buffer = hb_buffer_create();
  // Latin first: face 0 is the regular Latin face, the last resort.
  if (!im.add(files.latin_regular, Weight::regular, HB_SCRIPT_COMMON, error)) return nullptr;
  if (!im.add(files.latin_bold, Weight::bold, HB_SCRIPT_COMMON, error)) return nullptr;
  // A script without its bold face uses its regular one for both.
  struct ScriptFiles {
    const std::string &regular, &bold;
    hb_script_t script;
  };
  for (const ScriptFiles& s : {ScriptFiles{files.arabic_regular, files.arabic_bold, HB_SCRIPT_ARABIC},
                               ScriptFiles{files.bengali_regular, files.bengali_bold, HB_SCRIPT_BENGALI}}) {
    if (s.regular.empty() && s.bold.empty()) continue;
    if (!im.add(s.regular.empty() ? s.bold : s.regular, Weight::regular, s.script, error)) return nullptr;
    if (!im.add(s.bold.empty() ? s.regular : s.bold, Weight::bold, s.script, error)) return nullptr;
  }
  FT_Face latin = im.faces[0].ft;
  float em = static_cast<float>(latin->units_per_EM);
  if (em > 0 && latin->ascender - latin->descender > 0) {
    im.latin_height_em = static_cast<float>(latin->ascender - latin->descender) / em;
    im.latin_ascent_em = static_cast<float>(latin->ascender) / em;
  }
  return shaper;
}

float TextShaper::em_for_imgui_size(float imgui_size) const { return imgui_size / impl_->latin_height_em; }

const std::string& TextShaper::face_file(int face) const { return impl_->faces.at(static_cast<std::size_t>(face)).file; }

std::size_t TextShaper::face_count() const { return impl_->faces.size(); }

// ---- Bidi and itemising ------------------------------------------------------

namespace {

struct Run {
  std::size_t start, end;  // code point indices, logical order
  int level;
  int face;
  hb_script_t script;
};

struct Paragraph {
  std::vector<char32_t> text;
  std::vector<std::size_t> bytes;  // each code point's offset in the source, and one past the end
  std::vector<FriBidiLevel> levels;
  bool rtl = false;
};

// Rule P2/P3 with FRIBIDI_PAR_ON (the first strong character decides), or
// the direction given; then the levels of every character (rules W, N, I).
void resolve_levels(Paragraph& p, TextDirection direction) {
  std::size_t n = p.text.size();
  p.levels.assign(n, 0);
  FriBidiParType base = direction == TextDirection::rtl   ? FRIBIDI_PAR_RTL
                        : direction == TextDirection::ltr ? FRIBIDI_PAR_LTR
                                                          : FRIBIDI_PAR_ON;
  if (n == 0) {
    p.rtl = direction == TextDirection::rtl;
    return;
  }
  std::vector<FriBidiChar> chars(p.text.begin(), p.text.end());
  std::vector<FriBidiCharType> types(n);
  std::vector<FriBidiBracketType> brackets(n);
  fribidi_get_bidi_types(chars.data(), static_cast<FriBidiStrIndex>(n), types.data());
  fribidi_get_bracket_types(chars.data(), static_cast<FriBidiStrIndex>(n), types.data(), brackets.data());
  FriBidiLevel max_level =
      fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), static_cast<FriBidiStrIndex>(n), &base, p.levels.data());
  if (max_level == 0) {  // out of memory in FriBidi: draw in logical order rather than nothing
    std::fill(p.levels.begin(), p.levels.end(), FriBidiLevel{0});
    base = FRIBIDI_PAR_LTR;
  }
  p.rtl = FRIBIDI_IS_RTL(base);
}

bool is_real_script(hb_script_t s) { return s != HB_SCRIPT_COMMON && s != HB_SCRIPT_INHERITED && s != HB_SCRIPT_UNKNOWN; }

// Splits a paragraph into runs of one bidi level, one script and one face.
// Characters of no script of their own (spaces, digits, punctuation, marks)
// take the script before them, or after them at the start.
std::vector<Run> itemise(const Paragraph& p, const TextShaper::Impl& im, Weight weight) {
  std::size_t n = p.text.size();
  hb_unicode_funcs_t* unicode = hb_unicode_funcs_get_default();
  std::vector<hb_script_t> scripts(n, HB_SCRIPT_COMMON);
  for (std::size_t i = 0; i < n; ++i) scripts[i] = hb_unicode_script(unicode, p.text[i]);
  hb_script_t last = HB_SCRIPT_COMMON;
  for (std::size_t i = 0; i < n; ++i) {
    if (is_real_script(scripts[i]))
      last = scripts[i];
    else
      scripts[i] = last;
  }
  last = HB_SCRIPT_LATIN;
  for (std::size_t i = n; i-- > 0;) {
    if (is_real_script(scripts[i]))
      last = scripts[i];
    else
      scripts[i] = last;
  }
  std::vector<Run> runs;
  for (std::size_t i = 0; i < n; ++i) {
    int face = im.face_for(p.text[i], scripts[i], weight);
    int level = p.levels[i];
    if (!runs.empty() && runs.back().level == level && runs.back().face == face && runs.back().script == scripts[i]) {
      runs.back().end = i + 1;
      continue;
    }
    runs.push_back({i, i + 1, level, face, scripts[i]});
  }
  return runs;
}

Paragraph make_paragraph(const std::vector<CodePoint>& cps, std::size_t from, std::size_t to, std::size_t end_byte,
                         TextDirection direction) {
  Paragraph p;
  for (std::size_t i = from; i < to; ++i) {
    p.text.push_back(cps[i].value);
    p.bytes.push_back(cps[i].byte);
  }
  p.bytes.push_back(end_byte);
  resolve_levels(p, direction);
  return p;
}

std::string script_name(hb_script_t s) {
  char tag[5] = {};
  hb_tag_to_string(hb_script_to_iso15924_tag(s), tag);
  return tag;
}

}  // namespace

// ---- Shaping -----------------------------------------------------------------

namespace {

ShapedRun shape_one(TextShaper::Impl& im, const Paragraph& p, const Run& run, float size_px, std::string_view language) {
  Face& face = im.faces[static_cast<std::size_t>(run.face)];
  int scale = static_cast<int>(std::lround(size_px * kUnitsPerPx));
  hb_font_set_scale(face.hb, scale, scale);
  hb_buffer_t* buf = im.buffer;
  hb_buffer_clear_contents(buf);
  // The whole paragraph goes in as context, so that joining at the run's
  // edges (an Arabic letter beside a number) is decided as in the paragraph.
  static_assert(sizeof(hb_codepoint_t) == sizeof(char32_t));
  hb_buffer_add_codepoints(buf, reinterpret_cast<const hb_codepoint_t*>(p.text.data()), static_cast<int>(p.text.size()),
                           static_cast<unsigned>(run.start), static_cast<int>(run.end - run.start));
  bool rtl = (run.level & 1) != 0;
  hb_buffer_set_direction(buf, rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
  hb_buffer_set_script(buf, run.script);
  if (!language.empty()) hb_buffer_set_language(buf, hb_language_from_string(language.data(), static_cast<int>(language.size())));
  hb_shape(face.hb, buf, nullptr, 0);

  ShapedRun out;
  out.face = run.face;
  out.rtl = rtl;
  out.script = script_name(run.script);
  unsigned count = 0;
  const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &count);
  const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &count);
  out.glyphs.reserve(count);
  for (unsigned i = 0; i < count; ++i)
    out.glyphs.push_back({info[i].codepoint, info[i].cluster, pos[i].x_advance, pos[i].y_advance, pos[i].x_offset, pos[i].y_offset});
  return out;
}

}  // namespace

std::vector<ShapedRun> TextShaper::shape_runs(std::string_view utf8, float size_px, Weight weight, TextDirection direction,
                                              std::string_view language) {
  std::vector<CodePoint> cps = decode(utf8);
  Paragraph p = make_paragraph(cps, 0, cps.size(), utf8.size(), direction);
  std::vector<ShapedRun> out;
  for (const Run& run : itemise(p, *impl_, weight)) {
    out.push_back(shape_one(*impl_, p, run, size_px, language));
    ++shape_calls_;
  }
  return out;
}

// ---- Lines -------------------------------------------------------------------

namespace {

struct LineSpan {
  std::size_t start, end;  // code points, logical; trailing spaces left out
};

// Greedy breaking in logical order: at spaces, else (a word wider than the
// whole line) between two clusters.
std::vector<LineSpan> break_lines(const Paragraph& p, const std::vector<float>& advance, const std::vector<bool>& cluster_start,
                                  float wrap_width) {
  std::size_t n = p.text.size();
  std::vector<LineSpan> lines;
  std::size_t start = 0;
  if (n == 0) return {{0, 0}};
  while (start < n) {
    float width = 0;
    std::size_t end = n, next = n;
    std::size_t space_end = 0, space_next = 0;
    bool have_space = false;
    for (std::size_t i = start; i < n; ++i) {
      if (p.text[i] == U' ') {
        std::size_t j = i;
        while (j < n && p.text[j] == U' ') width += advance[j++];
        if (i > start) {
          have_space = true;
          space_end = i;
          space_next = j;
        }
        i = j - 1;
        continue;
      }
      if (wrap_width > 0 && width + advance[i] > wrap_width && i > start) {
        if (have_space) {
          end = space_end;
          next = space_next;
        } else {
          std::size_t k = i;
          while (k > start + 1 && !cluster_start[k]) --k;
          end = next = k;
        }
        break;
      }
      width += advance[i];
    }
    if (end == n)
      while (end > start && p.text[end - 1] == U' ') --end;
    lines.push_back({start, end});
    start = next;
  }
  return lines;
}

struct Piece {
  int level;
  std::vector<std::pair<const ShapedRun::Glyph*, int>> glyphs;  // and the face
};

// Bidi rule L2: from the highest level down to the lowest odd one, reverse
// every stretch of pieces at that level or above. Each piece's glyphs are
// in visual order already (HarfBuzz reversed right-to-left runs).
void reorder(std::vector<Piece>& pieces) {
  if (pieces.empty()) return;
  int highest = 0, lowest_odd = 1000;
  for (const Piece& p : pieces) {
    highest = std::max(highest, p.level);
    if (p.level & 1) lowest_odd = std::min(lowest_odd, p.level);
  }
  for (int level = highest; level >= lowest_odd; --level) {
    std::size_t i = 0;
    while (i < pieces.size()) {
      if (pieces[i].level < level) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < pieces.size() && pieces[j].level >= level) ++j;
      std::reverse(pieces.begin() + static_cast<std::ptrdiff_t>(i), pieces.begin() + static_cast<std::ptrdiff_t>(j));
      i = j;
    }
  }
}

}  // namespace

std::shared_ptr<const Layout> TextShaper::layout(std::string_view utf8, float size_px, Weight weight, float wrap_width,
                                                 TextDirection direction, std::string_view language) {
  Key key{std::string(utf8),           static_cast<int>(std::lround(size_px * kUnitsPerPx)),
          static_cast<int>(weight),    static_cast<int>(std::lround(std::max(0.0f, wrap_width))),
          static_cast<int>(direction), std::string(language)};
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;

  auto out = std::make_shared<Layout>();
  out->size_px = size_px;
  out->ascent = size_px * impl_->latin_ascent_em;
  out->line_height = size_px * impl_->latin_height_em * kLineSpacing;
  std::vector<CodePoint> cps = decode(utf8);

  bool first_paragraph = true;
  std::size_t from = 0;
  while (from <= cps.size()) {
    std::size_t to = from;
    while (to < cps.size() && cps[to].value != U'\n') ++to;
    std::size_t end_byte = to < cps.size() ? cps[to].byte : utf8.size();
    Paragraph p = make_paragraph(cps, from, to, end_byte, direction);
    if (first_paragraph) out->rtl = p.rtl;
    first_paragraph = false;

    std::vector<Run> runs = itemise(p, *impl_, weight);
    std::vector<ShapedRun> shaped;
    shaped.reserve(runs.size());
    for (const Run& run : runs) {
      shaped.push_back(shape_one(*impl_, p, run, size_px, language));
      ++shape_calls_;
    }
    // Each cluster's advance belongs to its first character.
    std::vector<float> advance(p.text.size(), 0.0f);
    std::vector<bool> cluster_start(p.text.size(), false);
    for (const ShapedRun& r : shaped)
      for (const auto& g : r.glyphs) {
        advance[g.cluster] += static_cast<float>(g.x_advance) / kUnitsPerPx;
        cluster_start[g.cluster] = true;
      }

    for (const LineSpan& span : break_lines(p, advance, cluster_start, wrap_width)) {
      std::vector<Piece> pieces;
      for (std::size_t r = 0; r < runs.size(); ++r) {
        if (runs[r].end <= span.start || runs[r].start >= span.end) continue;
        Piece piece{runs[r].level, {}};
        for (const auto& g : shaped[r].glyphs)
          if (g.cluster >= span.start && g.cluster < span.end) piece.glyphs.push_back({&g, shaped[r].face});
        if (!piece.glyphs.empty()) pieces.push_back(std::move(piece));
      }
      reorder(pieces);
      ShapedLine line;
      line.rtl = p.rtl;
      line.first_byte = p.bytes[span.start];
      line.end_byte = p.bytes[span.end];
      float pen = 0;
      for (const Piece& piece : pieces)
        for (const auto& [g, face] : piece.glyphs) {
          line.glyphs.push_back({face, g->glyph, pen + static_cast<float>(g->x_offset) / kUnitsPerPx,
                                 -static_cast<float>(g->y_offset) / kUnitsPerPx, static_cast<std::uint32_t>(p.bytes[g->cluster])});
          pen += static_cast<float>(g->x_advance) / kUnitsPerPx;
        }
      line.width = pen;
      out->width = std::max(out->width, pen);
      out->lines.push_back(std::move(line));
    }
    if (to >= cps.size()) break;
    from = to + 1;
  }

  if (cache_.size() >= kMaxCachedLayouts) cache_.clear();
  cache_.emplace(std::move(key), out);
  return out;
}

// ---- Glyph pictures ----------------------------------------------------------

bool TextShaper::rasterize(int face_index, std::uint32_t glyph, float size_px, Bitmap& out) {
  if (face_index < 0 || static_cast<std::size_t>(face_index) >= impl_->faces.size()) return false;
  Face& face = impl_->faces[static_cast<std::size_t>(face_index)];
  int size_64 = static_cast<int>(std::lround(size_px * kUnitsPerPx));
  if (face.ft_size_64 != size_64) {
    // At 72 dpi a point is a pixel: the em is size_px pixels, as HarfBuzz's scale.
    if (FT_Set_Char_Size(face.ft, 0, size_64, 72, 72) != 0) return false;
    face.ft_size_64 = size_64;
  }
  // Light hinting snaps only vertically, so glyphs keep the advances
  // HarfBuzz placed them with.
  if (FT_Load_Glyph(face.ft, glyph, FT_LOAD_TARGET_LIGHT) != 0) return false;
  if (FT_Render_Glyph(face.ft->glyph, FT_RENDER_MODE_NORMAL) != 0) return false;
  const FT_Bitmap& bm = face.ft->glyph->bitmap;
  out.width = static_cast<int>(bm.width);
  out.height = static_cast<int>(bm.rows);
  out.left = face.ft->glyph->bitmap_left;
  out.top = -face.ft->glyph->bitmap_top;
  out.coverage.assign(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height), 0);
  for (int y = 0; y < out.height; ++y) {
    const unsigned char* row = bm.buffer + static_cast<std::ptrdiff_t>(y) * bm.pitch;
    std::copy(row, row + out.width, out.coverage.begin() + static_cast<std::ptrdiff_t>(y) * out.width);
  }
  return true;
}

}  // namespace tp::ui
