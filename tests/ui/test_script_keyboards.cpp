// The Ukrainian, Bengali and Polish keyboards through the real screens with
// no window, with the six-language demo set: at every size each key is a
// full target inside the screen, and typing a word key by key stores it
// code point for code point (Bengali's vowel signs and virama on the
// letters layer, its independent vowels on the accents layer; Ukrainian
// capitals by shift; Polish letters on the accents layer).
#include <catch2/catch.hpp>

#include "fakes/fakes.h"
#include "harness.h"
#include "keyboard_layouts.h"
#include "kiosk_store.h"
#include "support.h"
#include "text.h"

using namespace tp;

namespace {

struct Typing {
  const char* language;
  std::vector<std::string> keys;  // target ids, in order
  std::string typed;              // what the text box then holds
};

}  // namespace

TEST_CASE("Ukrainian, Bengali and Polish keyboards: full-size keys at every size, words typed key by key", "[ui][keyboard]") {
  std::string dir = test::scratch_dir("ui_script_keyboards");
  QuestionSet set = test::demo_set();
  REQUIRE(set.language("uk"));
  REQUIRE(set.language("bn"));
  Strings strings = test::demo_strings();
  KioskConfig config;
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  const std::string aa = "key.\u09be", anusvara = "key.\u0982", virama = "key.\u09cd";
  const std::vector<Typing> words = {
      // "Київ": a capital to start with (shift is on at the start), then ї
      // from the letters layer; " Ґ" by shift and the accents layer.
      {"uk", {"key.к", "key.и", "key.ї", "key.в", "key.space", "key.shift", "key.accents", "key.ґ"}, "Київ Ґ"},
      // "বাংলা" (Bangla): consonant, vowel sign, anusvara, consonant, vowel
      // sign; then "ক্ষ" (a conjunct: ka, virama, ssa, ssa by shift), and
      // "আ" (an independent vowel, by shift).
      {"bn", {"key.ব", aa, anusvara, "key.ল", aa, "key.space", "key.ক", virama, "key.shift", "key.ষ", "key.shift", "key.আ"}, "বাংলা ক্ষআ"},
      // "Łąka" (meadow): Ł (a capital, shift being on at the start) and ą on the accents layer.
      {"pl", {"key.accents", "key.ł", "key.ą", "key.letters", "key.k", "key.a"}, "Łąka"},
  };
  for (ImVec2 size : {ImVec2{800, 480}, ImVec2{1080, 1920}, ImVec2{480, 800}, ImVec2{1280, 800}}) {
    for (const Typing& t : words) {
      INFO(size.x << "x" << size.y << " " << t.language);
      TimePoint now = Clock::now();
      Visit v(set, config, strings, store.answers, store.reports, stamps, pins, now);
      test::ScreenHarness h(size, set, strings);
      h.shape_text();
      h.frame(v, now);
      h.tap(v, now, std::string("lang.") + t.language);
      h.tap_at(v, now, {size.x * 0.5f, size.y * 0.75f});
      REQUIRE(v.screen() == Screen::scale);
      h.tap(v, now, "scale.7");
      REQUIRE(v.screen() == Screen::text);
      const auto check_keys = [&] {
        int keys = 0;
        for (const auto& [id, r] : h.hits()) {
          if (id.rfind("key.", 0) != 0) continue;
          INFO(id);
          ++keys;
          CHECK(r.width() >= ui::kMinKeyPx - 0.5f);
          CHECK(r.height() >= ui::kMinKeyPx - 0.5f);
          CHECK(r.min.x >= 0);
          CHECK(r.max.x <= size.x);
          CHECK(r.max.y <= size.y);
        }
        CHECK(keys >= 5);
      };
      check_keys();
      if (std::string(t.language) == "bn") {
        // Every vowel sign and the virama are on the letters layer.
        for (const char* sign :
             {"\u09be", "\u09bf", "\u09c0", "\u09c1", "\u09c2", "\u09c3", "\u09c7", "\u09c8", "\u09cb", "\u09cc", "\u09cd"})
          CHECK(h.hits().count(std::string("key.") + sign) == 1);
        CHECK(h.hits().count("key.shift") == 1);  // no capitals: shift gives each key's second letter
        CHECK(h.hits().count("key.খ") == 0);
      }
      if (std::string(t.language) == "uk") {
        CHECK(h.hits().count("key.q") == 0);  // Cyrillic, not Latin
        // Every letter, small and capital, is in the font atlas (not drawn as "?").
        for (const auto& [id, r] : h.hits()) {
          if (id.rfind("key.", 0) != 0) continue;
          std::u32string letter = decode_utf8(id.substr(4));
          if (letter.size() != 1 || letter[0] < 0x400 || letter[0] > 0x4FF) continue;
          INFO(id);
          for (char32_t c : {letter[0], decode_utf8(to_upper(id.substr(4)))[0]})
            CHECK(h.fonts().question->FindGlyphNoFallback(static_cast<ImWchar>(c)) != nullptr);
        }
      }
      for (const std::string& key : t.keys) {
        h.tap(v, now, key);
        check_keys();
      }
      CHECK(v.text() == t.typed);
      h.tap(v, now, "done");
    }
  }
}

TEST_CASE("a script keyboard's rows are full-width and its shape follows the space", "[ui][keyboard]") {
  using ui::KeyboardShape;
  ui::KeyboardWords words{"space", "?123", "ABC"};
  for (const char* language : {"ar", "uk", "bn"}) {
    INFO(language);
    REQUIRE(ui::script_keyboard(language));
    for (KeyboardShape shape : {KeyboardShape::qwerty, KeyboardShape::compact}) {
      const int columns = ui::keyboard_columns(shape, language);
      ui::KeyRows rows = ui::keyboard_rows(shape, KeyboardLayer::letters, "", false, words, language);
      for (const auto& row : rows) {
        float units = 0;
        for (const auto& k : row) units += k.units;
        CHECK(units <= static_cast<float>(columns) + 0.01f);
      }
      // The bottom row fills the width, like the Latin one.
      float bottom = 0;
      for (const auto& k : rows.back()) bottom += k.units;
      CHECK(bottom == Approx(static_cast<float>(columns)).margin(0.01));
    }
  }
  CHECK(ui::script_keyboard("ar-eg") == ui::script_keyboard("ar"));
  CHECK(ui::script_keyboard("pl") == nullptr);  // Latin, with its letters on the accents layer
  // Twelve Ukrainian keys need more room than ten Latin ones.
  CHECK(ui::keyboard_columns(KeyboardShape::qwerty, "uk") == 12);
  CHECK(ui::keyboard_shape_for(600, 8, "en") == KeyboardShape::qwerty);
  CHECK(ui::keyboard_shape_for(600, 8, "uk") == KeyboardShape::compact);
}
