// The on-screen keyboard's layouts as plain data: which keys, in which rows,
// how wide. No drawing here; screen_text.cpp lays the rows out and draws them.
//
// Two shapes:
//   qwerty   ten keys a row, for displays wide enough to give each key 9 mm;
//   compact  seven keys a row in alphabetical order, which narrow portrait
//            displays can hold at 9 mm (a resident hunting for a letter finds
//            it faster in a-z order than in a squeezed QWERTY).
// Each shape has three layers: letters, symbols, and the accents of the
// resident's language (Welsh ŵ ŷ, Polish ł ż, ...) from the question set.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "visit.h"

namespace tp::ui {

// 9 mm on a 7-inch 800x480 panel, the smallest key a fingertip hits reliably.
constexpr float kMinKeyPx = 48.0f;

enum class KeyboardShape { qwerty, compact };

// The keys in one row of each table, left to right. Letters are lower case;
// the shift layer upper-cases them.
namespace layout {
constexpr int kQwertyColumns = 10;
constexpr std::string_view kQwertyLetters[] = {"qwertyuiop", "asdfghjkl'", "zxcvbnm"};
constexpr std::string_view kQwertyPunctuation[] = {",", ".", "?"};  // right of the space bar
constexpr std::string_view kQwertySymbols[] = {"1234567890", "-/:;()£&@\"", "#.,?!'%*"};
constexpr std::string_view kQwertySymbolsBottom[] = {"+", "="};  // right of the space bar
constexpr int kQwertyAccentRows = 3;

// Cut into rows of seven; the last row of letters ends with "," and ".".
constexpr int kCompactColumns = 7;
constexpr std::string_view kCompactLetters = "abcdefghijklmnopqrstuvwxyz,.";
constexpr std::string_view kCompactSymbols = "1234567890-/:;()£&@\"'#?!%*+=";
constexpr int kCompactRows = 4;  // rows of characters above the bottom row

// The accents key shows two sample letters when the language has several.
constexpr std::string_view kAccentsLabel = "àé";

// Arabic (the letters layer of a visit in "ar"): the rows of Arabic
// keyboards (ض at the top left), no shift. The Arabic comma and question
// mark sit right of the space bar; the letters that do not fit (ة and ى, and
// in the compact shape the punctuation too) open the accents layer, before
// the set's own keyboard_extra (the hamza forms ء أ إ آ ؤ ئ, say).
constexpr std::string_view kArabicLetters[] = {"ضصثقفغعهخح", "شسيبلاتنمك", "جدذرزوطظ"};
constexpr std::string_view kArabicPunctuation[] = {"،", "؟"};
constexpr std::string_view kArabicExtra = "ةى";
constexpr std::string_view kArabicCompactLetters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي";
constexpr std::string_view kArabicAccentsLabel = "ةى";
}  // namespace layout

struct KeySpec {
  enum Kind { type, shift, backspace, space, to_letters, to_symbols, to_accents };
  std::string label;   // shown on the key (empty: drawn as an icon)
  std::string id;      // touch-target name: key.<id>
  float units = 1.0f;  // width in letter-key widths
  Kind kind = type;
};

using KeyRows = std::vector<std::vector<KeySpec>>;

// The words on the layer and space keys, in the resident's language.
struct KeyboardWords {
  std::string space, symbols, letters;
};

// QWERTY when ten keys and their nine gaps fit `width_px` at kMinKeyPx each,
// else compact.
KeyboardShape keyboard_shape_for(float width_px, float gap_px);
int keyboard_columns(KeyboardShape shape);

// The rows of `layer`. `extras` are the language's accented letters (UTF-8);
// with none, there is no accents key. `language` picks the letters: Arabic
// for "ar" (and "ar-..."), else the Latin ones.
KeyRows keyboard_rows(KeyboardShape shape, KeyboardLayer layer, std::string_view extras, bool shifted, const KeyboardWords& words,
                      std::string_view language = {});

}  // namespace tp::ui
