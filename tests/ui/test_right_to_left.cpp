// A visit in Arabic through the real screens with no window: the shaped text
// path draws what ImGui cannot, the screens mirror (the scale's 0 at the
// right, Back and Done change sides), and typing on the Arabic keyboard
// stores the letters in the order they were typed.
#include <catch2/catch.hpp>

#include "fakes/fakes.h"
#include "harness.h"
#include "keyboard_layouts.h"
#include "kiosk_store.h"
#include "support.h"

using namespace tp;

namespace {

QuestionSet shaped_set() {
  const std::string path = test::source_dir() + "/tests/data/shaped-set.json";
  LoadResult r = load_question_set(path);
  if (!r.set) throw std::runtime_error(format_problems(path, r.problems));
  return *r.set;
}

}  // namespace

TEST_CASE("a language's direction comes from the set, else from its code", "[ui][rtl]") {
  CHECK(right_to_left_language("ar"));
  CHECK(right_to_left_language("ar-eg"));
  CHECK(right_to_left_language("he"));
  CHECK(right_to_left_language("ckb"));
  CHECK_FALSE(right_to_left_language("en"));
  CHECK_FALSE(right_to_left_language("bn"));
  CHECK_FALSE(right_to_left_language("arn"));  // Mapudungun: not Arabic
  QuestionSet set = shaped_set();
  CHECK(set.language("ar")->right_to_left);
  CHECK_FALSE(set.language("bn")->right_to_left);
  CHECK_FALSE(set.language("en")->right_to_left);

  std::string text = test::read_file(test::source_dir() + "/tests/data/shaped-set.json");
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return parse_question_set(t);
  };
  LoadResult ltr = with(R"("code": "ar", "name": "العربية")", R"("code": "ar", "name": "العربية", "direction": "ltr")");
  REQUIRE(ltr.set);
  CHECK_FALSE(ltr.set->language("ar")->right_to_left);
  LoadResult rtl = with(R"("code": "bn", "name": "বাংলা")", R"("code": "bn", "name": "বাংলা", "direction": "rtl")");
  REQUIRE(rtl.set);
  CHECK(rtl.set->language("bn")->right_to_left);
  LoadResult bad = with(R"("code": "bn", "name": "বাংলা")", R"("code": "bn", "name": "বাংলা", "direction": "up")");
  CHECK_FALSE(bad.set);
  REQUIRE(!bad.problems.empty());
  CHECK(bad.problems.front().message.find("\"direction\" is \"ltr\"") != std::string::npos);
}

TEST_CASE("in Arabic the screens mirror and the Arabic keyboard types in logical order", "[ui][rtl]") {
  std::string dir = test::scratch_dir("ui_right_to_left");
  QuestionSet set = shaped_set();
  Strings strings = test::demo_strings();
  KioskConfig config;
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  REQUIRE(store.database.open());
  test::FixedStamps stamps;
  test::FixedPin pins("2468");
  TimePoint now = Clock::now();
  // Wide enough for the QWERTY shape, and the compact one of a narrow portrait screen.
  for (ImVec2 size : {ImVec2{800, 480}, ImVec2{1080, 1920}, ImVec2{480, 800}}) {
    INFO(size.x << "x" << size.y);
    Visit v(set, config, strings, store.answers, store.reports, stamps, pins, now);
    test::ScreenHarness h(size, set, strings);
    h.shape_text();
    h.frame(v, now);
    h.tap(v, now, "lang.ar");
    REQUIRE(v.language() == "ar");
    h.tap_at(v, now, {size.x * 0.5f, size.y * 0.75f});
    REQUIRE(v.screen() == Screen::scale);
    // The prompt, the end labels and the language names went through the atlas.
    CHECK(h.atlas()->glyph_count() > 20);

    // The scale runs from the right: 0 right of 1, 1 right of 2, ..., and
    // Back at the right end of the bar.
    for (int n = 0; n < 10; ++n) {
      const ui::Rect lower = h.hits().at("scale." + std::to_string(n)), higher = h.hits().at("scale." + std::to_string(n + 1));
      if (lower.min.y == higher.min.y) CHECK(lower.min.x > higher.max.x);
    }
    CHECK(h.hits().at("back").center().x > size.x * 0.5f);

    h.tap(v, now, "scale.7");
    REQUIRE(v.screen() == Screen::text);
    // Done on the left, Back and Skip on the right; "Change" (beside "You
    // chose 7") at the right end of its line where it starts at the left in English.
    CHECK(h.hits().at("done").center().x < size.x * 0.5f);
    if (size.x < size.y) CHECK(h.hits().at("change").max.x > size.x * 0.5f);
    CHECK(h.hits().at("back").center().x > size.x * 0.5f);
    CHECK(h.hits().at("skip").center().x > size.x * 0.5f);
    // The Arabic keyboard: its letters, comma and question mark beside the
    // space bar, no shift, every key at least 48 px.
    for (const char* letter : {"key.ض", "key.ك", "key.م", "key.ل", "key.ب"}) CHECK(h.hits().count(letter) == 1);
    CHECK(h.hits().count("key.shift") == 0);
    CHECK(h.hits().count("key.،") == 1);
    CHECK(h.hits().count("key.؟") == 1);
    for (const auto& [id, r] : h.hits()) {
      if (id.rfind("key.", 0) != 0) continue;
      INFO(id);
      CHECK(r.width() >= ui::kMinKeyPx - 0.5f);
      CHECK(r.height() >= ui::kMinKeyPx - 0.5f);
    }
    // "مكتبة" (library), typed a letter at a time; ة is on the accents layer.
    for (const char* key : {"key.م", "key.ك", "key.ت", "key.ب", "key.accents", "key.ة", "key.letters"}) h.tap(v, now, key);
    h.tap(v, now, "key.؟");
    CHECK(v.text() == "مكتبة؟");
    h.tap(v, now, "key.backspace");
    CHECK(v.text() == "مكتبة");
    h.tap(v, now, "done");
  }
  std::string out_file = dir + "/rows.txt";
  REQUIRE(std::system(("sqlite3 " + dir + "/kiosk.db \"SELECT hex(text) FROM answers WHERE text <> ''\" > " + out_file).c_str()) == 0);
  // The UTF-8 of م ك ت ب ة, in that (logical) order, once per size.
  CHECK(test::read_file(out_file) == "D985D983D8AAD8A8D8A9\nD985D983D8AAD8A8D8A9\nD985D983D8AAD8A8D8A9\n");
}
