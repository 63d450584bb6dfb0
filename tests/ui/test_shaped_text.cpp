// The shaped-text path without a display: glyphs and positions against
// HarfBuzz's own hb-shape, the bidi order of mixed text, line breaking,
// the layout cache and the glyph atlas.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "glyph_atlas.h"
#include "json.h"
#include "shaped_text.h"

using namespace tp;
using namespace tp::ui;

namespace {

// "Welcome to the library" (Arabic; contextual forms, lam-alef) and
// "Welcome to the library" (Bengali; the conjuncts গ্র, ন্থ and স্ব).
const std::string kArabic = "مرحبا بكم في المكتبة";
const std::string kBengali = "গ্রন্থাগারে স্বাগতম";

std::unique_ptr<TextShaper> open_shaper() {
  auto files = find_script_font_files();
  REQUIRE(files);
  std::string error;
  auto shaper = TextShaper::open(*files, error);
  INFO(error);
  REQUIRE(shaper);
  return shaper;
}

ScriptFontFiles files_or_fail() {
  auto files = find_script_font_files();
  REQUIRE(files);
  return *files;
}

bool have(const char* program) { return std::system((std::string("command -v ") + program + " >/dev/null 2>&1").c_str()) == 0; }

std::string run_capture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  if (status != 0) out.clear();
  return out;
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// hb-shape's glyphs for one run, in its own units and order.
std::vector<ShapedRun::Glyph> hb_shape(const std::string& font, const std::string& text, int scale, const char* direction,
                                       const char* script, const char* language) {
  std::string cmd = "hb-shape --output-format=json --no-glyph-names --font-size=" + std::to_string(scale) + " --direction=" + direction +
                    " --script=" + script + " --language=" + language + " " + quoted(font) + " " + quoted(text);
  std::string out = run_capture(cmd);
  INFO(cmd);
  REQUIRE(!out.empty());
  json::ParseResult r = json::parse(out);
  REQUIRE(r.ok);
  REQUIRE(r.value.is(json::Value::Type::array));
  std::vector<ShapedRun::Glyph> glyphs;
  for (const json::Value& g : r.value.items) {
    auto num = [&](const char* key) {
      const json::Value* v = g.find(key);
      REQUIRE(v);
      return static_cast<std::int32_t>(v->number);
    };
    glyphs.push_back(
        {static_cast<std::uint32_t>(num("g")), static_cast<std::uint32_t>(num("cl")), num("ax"), num("ay"), num("dx"), num("dy")});
  }
  return glyphs;
}

std::vector<std::array<std::int64_t, 6>> as_rows(const std::vector<ShapedRun::Glyph>& glyphs) {
  std::vector<std::array<std::int64_t, 6>> rows;
  for (const auto& g : glyphs) rows.push_back({g.glyph, g.cluster, g.x_advance, g.y_advance, g.x_offset, g.y_offset});
  return rows;
}

std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

TEST_CASE("text that needs shaping is told apart from text ImGui draws right") {
  CHECK_FALSE(needs_shaping("How well is your library working for you?"));
  CHECK_FALSE(needs_shaping("Pa mor dda mae eich llyfrgell yn gweithio i chi? ŵŷ"));
  CHECK_FALSE(needs_shaping("Jak dobrze działa Twoja biblioteka? łż"));
  CHECK_FALSE(needs_shaping("Наскільки добре працює ваша бібліотека?"));
  CHECK_FALSE(needs_shaping("Πόσο καλά — “quoted” …"));
  CHECK(needs_shaping(kArabic));
  CHECK(needs_shaping(kBengali));
  CHECK(needs_shaping("Tenpoint \u200F"));  // a right-to-left mark alone
  CHECK(needs_shaping("שלום"));             // Hebrew: right to left
}

TEST_CASE("the fonts for each script are found where Debian installs them") {
  ScriptFontFiles f = files_or_fail();
  CHECK(f.arabic_regular.find("Arabic") != std::string::npos);
  CHECK(f.bengali_regular.find("Bengali") != std::string::npos);
  auto shaper = open_shaper();
  CHECK(shaper->face_count() == 6);
}

// Shaping checked against HarfBuzz's own command line: the same font file,
// the same scale (64 units a pixel), the same glyph ids, clusters, advances
// and offsets. Run by its own ctest entry, which counts exit 77 as skipped.
TEST_CASE("Arabic and Bengali shape as hb-shape shapes them", "[.][hb-shape]") {
  if (!have("hb-shape")) {
    WARN("hb-shape is not installed (Debian: libharfbuzz-bin); skipping");
    std::exit(77);
  }
  ScriptFontFiles files = files_or_fail();
  auto shaper = open_shaper();
  struct Case {
    std::string text, font;
    Weight weight;
    const char *direction, *script, *language;
  };
  const Case cases[] = {
      {kArabic, files.arabic_regular, Weight::regular, "rtl", "Arab", "ar"},
      {kArabic, files.arabic_bold, Weight::bold, "rtl", "Arab", "ar"},
      {kBengali, files.bengali_regular, Weight::regular, "ltr", "Beng", "bn"},
      {kBengali, files.bengali_bold, Weight::bold, "ltr", "Beng", "bn"},
  };
  for (const Case& c : cases) {
    for (float size : {40.0f, 27.5f, 61.25f}) {
      int scale = static_cast<int>(std::lround(size * 64));
      INFO(c.text << " in " << c.font << " at " << size << " px");
      std::vector<ShapedRun> runs = shaper->shape_runs(c.text, size, c.weight, TextDirection::automatic, c.language);
      REQUIRE(runs.size() == 1);
      CHECK(shaper->face_file(runs[0].face) == c.font);
      CHECK(runs[0].script == c.script);
      CHECK(runs[0].rtl == (std::string(c.direction) == "rtl"));
      std::vector<ShapedRun::Glyph> expected = hb_shape(c.font, c.text, scale, c.direction, c.script, c.language);
      CHECK(as_rows(runs[0].glyphs) == as_rows(expected));

      // The laid-out line (what is drawn) places the same glyphs, left to
      // right, at hb-shape's pen positions.
      auto layout = shaper->layout(c.text, size, c.weight, 0, TextDirection::automatic, c.language);
      REQUIRE(layout->lines.size() == 1);
      const ShapedLine& line = layout->lines[0];
      REQUIRE(line.glyphs.size() == expected.size());
      std::int64_t pen = 0;
      for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(line.glyphs[i].glyph == expected[i].glyph);
        CHECK(line.glyphs[i].x == Approx((static_cast<double>(pen) + expected[i].x_offset) / 64.0).margin(1e-3));
        CHECK(line.glyphs[i].y == Approx(-expected[i].y_offset / 64.0).margin(1e-3));
        pen += expected[i].x_advance;
      }
      CHECK(line.width == Approx(static_cast<double>(pen) / 64.0).margin(1e-3));
    }
  }
  // Shaping did something a code point at a time could not: Bengali's
  // conjuncts are fewer glyphs than characters, and Arabic's joined forms
  // are other glyphs than the letters standing alone.
  auto bengali = shaper->shape_runs(kBengali, 40, Weight::regular);
  CHECK(bengali[0].glyphs.size() < code_points(kBengali));
  auto joined = shaper->shape_runs("بكم", 40, Weight::regular);
  std::set<std::uint32_t> joined_ids, alone_ids;
  for (const auto& g : joined[0].glyphs) joined_ids.insert(g.glyph);
  for (const char* letter : {"ب", "ك", "م"}) alone_ids.insert(shaper->shape_runs(letter, 40, Weight::regular)[0].glyphs[0].glyph);
  CHECK(joined_ids != alone_ids);
}

TEST_CASE("an Arabic sentence with a number and an English name is in bidi order") {
  auto shaper = open_shaper();
  // "Tenpoint got 10 today": Arabic words, then the Latin name, a number,
  // and Arabic again, in logical (typing) order.
  const std::string word1 = "أعطى", word2 = "الدرجة", word3 = "اليوم";
  const std::string text = word1 + " Tenpoint " + word2 + " 10 " + word3;
  auto layout = shaper->layout(text, 40, Weight::regular);
  REQUIRE(layout->lines.size() == 1);
  CHECK(layout->rtl);
  const ShapedLine& line = layout->lines[0];
  CHECK(line.rtl);

  // The glyphs of each piece of the source, by byte range; their left edges.
  auto glyphs_in = [&](std::size_t from, std::size_t to) {
    std::vector<const PlacedGlyph*> out;
    for (const PlacedGlyph& g : line.glyphs)
      if (g.byte >= from && g.byte < to) out.push_back(&g);
    return out;
  };
  auto left_of = [&](std::size_t from, std::size_t to) {
    auto gs = glyphs_in(from, to);
    REQUIRE(!gs.empty());
    float x = 1e9f;
    for (auto* g : gs) x = std::min(x, g->x);
    return x;
  };
  std::size_t w1 = 0, name = text.find("Tenpoint"), w2 = text.find(word2), ten = text.find("10"), w3 = text.find(word3);
  // Right to left: word 1 at the right end, then the name, word 2, the number, word 3 at the left end.
  float x1 = left_of(w1, w1 + word1.size()), xn = left_of(name, name + 8), x2 = left_of(w2, w2 + word2.size()), x10 = left_of(ten, ten + 2),
        x3 = left_of(w3, w3 + word3.size());
  CHECK(x3 < x10);
  CHECK(x10 < x2);
  CHECK(x2 < xn);
  CHECK(xn < x1);

  // Inside the name and the number, left to right; inside an Arabic word, right to left.
  auto name_glyphs = glyphs_in(name, name + 8);
  REQUIRE(name_glyphs.size() == 8);
  for (std::size_t i = 1; i < name_glyphs.size(); ++i) {
    CHECK(name_glyphs[i]->byte > name_glyphs[i - 1]->byte);
    CHECK(name_glyphs[i]->x > name_glyphs[i - 1]->x);
  }
  auto number = glyphs_in(ten, ten + 2);
  REQUIRE(number.size() == 2);
  CHECK(number[0]->byte == ten);  // "1" drawn left of "0"
  CHECK(number[0]->x < number[1]->x);
  auto arabic = glyphs_in(w2, w2 + word2.size());
  REQUIRE(arabic.size() >= 2);
  CHECK(arabic.front()->byte > arabic.back()->byte);
  CHECK(arabic.front()->x < arabic.back()->x);
  // The name is drawn with the Latin face, the Arabic with the Arabic one.
  CHECK(shaper->face_file(name_glyphs[0]->face).find("Arabic") == std::string::npos);
  CHECK(shaper->face_file(arabic[0]->face).find("Arabic") != std::string::npos);

  SECTION("the direction comes from the first strong letter, or is given") {
    CHECK_FALSE(shaper->layout("Tenpoint " + word1, 40, Weight::regular)->rtl);
    CHECK(shaper->layout("10 " + word1, 40, Weight::regular)->rtl);
    CHECK(shaper->layout("Tenpoint " + word1, 40, Weight::regular, 0, TextDirection::rtl)->rtl);
    CHECK_FALSE(shaper->layout(word1, 40, Weight::regular, 0, TextDirection::ltr)->rtl);
  }
}

TEST_CASE("lines break at spaces within the width, in logical order") {
  auto shaper = open_shaper();
  for (const std::string& text : {kArabic + " " + kArabic + " " + kArabic, kBengali + " " + kBengali + " " + kBengali,
                                  std::string("How well is your library working for you today, and what would make it better?")}) {
    INFO(text);
    auto one = shaper->layout(text, 40, Weight::bold);
    REQUIRE(one->lines.size() == 1);
    float wrap = one->width * 0.45f;
    auto wrapped = shaper->layout(text, 40, Weight::bold, wrap);
    CHECK(wrapped->lines.size() >= 3);
    CHECK(wrapped->height() == Approx(wrapped->line_height * static_cast<float>(wrapped->lines.size())));
    std::string rejoined;
    for (const ShapedLine& line : wrapped->lines) {
      CHECK(line.width <= wrap);
      CHECK(line.width > 0);
      if (!rejoined.empty()) rejoined += " ";
      rejoined += text.substr(line.first_byte, line.end_byte - line.first_byte);
    }
    CHECK(rejoined == text);  // every word once, in order; only the spaces at breaks dropped
  }

  SECTION("a right-to-left line starts with the first words typed, at its right end") {
    auto wrapped = shaper->layout(kArabic + " " + kArabic, 40, Weight::regular, 200);
    REQUIRE(wrapped->lines.size() >= 2);
    CHECK(wrapped->lines[0].first_byte == 0);
    CHECK(wrapped->lines[0].rtl);
    const ShapedLine& first = wrapped->lines[0];
    auto rightmost =
        std::max_element(first.glyphs.begin(), first.glyphs.end(), [](const PlacedGlyph& a, const PlacedGlyph& b) { return a.x < b.x; });
    CHECK(rightmost->byte == 0);
  }
  SECTION("a line break in the text starts a new line") {
    auto two = shaper->layout(kBengali + "\n" + kArabic, 40, Weight::regular);
    REQUIRE(two->lines.size() == 2);
    CHECK_FALSE(two->lines[0].rtl);
    CHECK(two->lines[1].rtl);
  }
  SECTION("a word wider than the line is split between clusters") {
    auto narrow = shaper->layout("Tenpointtenpointtenpoint", 40, Weight::regular, 120);
    CHECK(narrow->lines.size() >= 3);
    for (const ShapedLine& line : narrow->lines) CHECK(line.width <= 120);
  }
}

TEST_CASE("each text is shaped once; later layouts come from the cache") {
  auto shaper = open_shaper();
  const std::string prompt = "ما مدى رضاك عن المكتبة؟ 10 Tenpoint";
  std::size_t before = shaper->shape_calls();
  auto first = shaper->layout(prompt, 40, Weight::bold, 500);
  std::size_t after_first = shaper->shape_calls();
  CHECK(after_first > before);
  for (int frame = 0; frame < 100; ++frame) {
    auto again = shaper->layout(prompt, 40, Weight::bold, 500);
    CHECK(again == first);
  }
  CHECK(shaper->shape_calls() == after_first);
  // Another width, size or weight is another layout.
  shaper->layout(prompt, 40, Weight::bold, 300);
  CHECK(shaper->shape_calls() > after_first);
  std::size_t n = shaper->shape_calls();
  shaper->layout(prompt, 30, Weight::bold, 500);
  CHECK(shaper->shape_calls() > n);
  n = shaper->shape_calls();
  shaper->layout(prompt, 40, Weight::regular, 500);
  CHECK(shaper->shape_calls() > n);
  CHECK(shaper->cached_layouts() == 4);

  SECTION("the cache is bounded, and a layout held survives its clearing") {
    for (std::size_t i = 0; i <= TextShaper::kMaxCachedLayouts; ++i) shaper->layout("typed " + std::to_string(i), 40, Weight::regular);
    CHECK(shaper->cached_layouts() <= TextShaper::kMaxCachedLayouts);
    CHECK(first->lines.size() >= 1);
    CHECK(!first->lines[0].glyphs.empty());
  }
}

namespace {

// Records what the atlas asks of the GPU.
struct RecordingTextures : GlyphTextures {
  std::intptr_t next = 100;
  std::set<std::intptr_t> alive;
  std::vector<std::intptr_t> destroyed;
  int uploads = 0, largest = 0;
  ImTextureID create(int width, int height) override {
    largest = std::max({largest, width, height});
    alive.insert(next);
    return reinterpret_cast<ImTextureID>(next++);
  }
  void update_rows(ImTextureID texture, int width, int y, int rows, const std::uint32_t*) override {
    CHECK(alive.count(reinterpret_cast<std::intptr_t>(texture)) == 1);
    CHECK(y >= 0);
    CHECK(rows > 0);
    CHECK(y + rows <= width);  // the texture is square
    ++uploads;
  }
  void destroy(ImTextureID texture) override {
    CHECK(alive.erase(reinterpret_cast<std::intptr_t>(texture)) == 1);
    destroyed.push_back(reinterpret_cast<std::intptr_t>(texture));
  }
};

}  // namespace

TEST_CASE("glyphs without a code point reach the atlas once, and it stays within 2048x2048") {
  auto shaper = open_shaper();
  RecordingTextures gpu;
  {
    GlyphAtlas atlas(*shaper, &gpu);
    auto layout = shaper->layout(kBengali + " " + kArabic, 40, Weight::bold);
    std::set<std::pair<int, std::uint32_t>> distinct;
    for (const ShapedLine& line : layout->lines)
      for (const PlacedGlyph& g : line.glyphs) {
        distinct.insert({g.face, g.glyph});
        const GlyphAtlas::Entry& e = atlas.glyph(g.face, g.glyph, layout->size_px);
        if (e.width == 0) continue;  // a space
        // Some ink inside the glyph's own rectangle.
        unsigned ink = 0;
        for (int y = e.y; y < e.y + e.height; ++y)
          for (int x = e.x; x < e.x + e.width; ++x) ink += atlas.pixels()[static_cast<std::size_t>(y * atlas.side() + x)] >> 24;
        CHECK(ink > 0);
      }
    CHECK(atlas.rasterized() == distinct.size());
    CHECK(atlas.side() == GlyphAtlas::kFirstSide);
    atlas.upload();
    int uploads = gpu.uploads;
    CHECK(uploads == 1);  // one band of rows
    // Drawn again (the next frame): nothing new to rasterise or send.
    for (const ShapedLine& line : layout->lines)
      for (const PlacedGlyph& g : line.glyphs) atlas.glyph(g.face, g.glyph, layout->size_px);
    CHECK(atlas.rasterized() == distinct.size());
    atlas.upload();
    CHECK(gpu.uploads == uploads);

    // Every Bengali glyph at several large sizes: far more than 2048x2048 holds.
    int first_texture_count = static_cast<int>(gpu.alive.size());
    CHECK(first_texture_count == 1);
    for (float size : {90.0f, 120.0f, 150.0f, 180.0f})
      for (std::uint32_t id = 1; id < 500; ++id) {
        atlas.glyph(4, id, size);
        CHECK(atlas.side() <= GlyphAtlas::kMaxSide);
      }
    CHECK(atlas.side() == GlyphAtlas::kMaxSide);
    CHECK(atlas.generation() > 0);  // it filled and started again
    CHECK(gpu.largest == GlyphAtlas::kMaxSide);
    // Textures replaced in this frame live until the next frame's upload.
    std::size_t alive_before = gpu.alive.size();
    CHECK(alive_before > 1);
    atlas.upload();
    CHECK(gpu.alive.size() == alive_before);
    atlas.upload();
    CHECK(gpu.alive.size() == 1);
  }
  CHECK(gpu.alive.empty());  // the atlas frees its texture
}
