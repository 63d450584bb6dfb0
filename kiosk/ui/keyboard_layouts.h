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

// Keyboards of other scripts (the letters layer of a visit in their
// language; the symbols layer stays the Latin one). Each lists its QWERTY
// shape's rows as keyboards of the script have them, its compact shape's
// letters in alphabetical order, the punctuation right of the space bar, and
// the letters that go on the accents layer (before the set's own
// keyboard_extra). The rows may be wider than ten keys: the QWERTY shape is
// used where they fit at kMinKeyPx, else the compact one.
struct ScriptKeyboard {
  std::string_view language;           // "ar" also serves "ar-eg" and the like
  const std::string_view* rows;        // QWERTY shape, top to bottom
  const std::string_view* shift_rows;  // the same keys with shift; null: upper case, or no shift key
  int row_count;
  const std::string_view* punctuation;  // right of the space bar
  int punctuation_count;
  std::string_view accents;          // first on the accents layer; "" for none
  std::string_view accents_label;    // on the accents key
  std::string_view compact_letters;  // compact shape, in alphabetical order
  std::string_view compact_shift;    // the same keys with shift (with shift_rows)
  int compact_columns;               // 7 as the Latin, or 8 for a larger alphabet
  bool shift_key;                    // capitals, or a second set of letters by shift
};

// Arabic: the rows of Arabic keyboards (ض at the top left), no shift; the
// Arabic comma and question mark by the space bar; ة and ى, which do not fit,
// on the accents layer with the set's hamza forms.
constexpr std::string_view kArabicLetters[] = {"ضصثقفغعهخح", "شسيبلاتنمك", "جدذرزوطظ"};
constexpr std::string_view kArabicPunctuation[] = {"،", "؟"};
constexpr std::string_view kArabicExtra = "ةى";
constexpr std::string_view kArabicCompactLetters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي";
constexpr std::string_view kArabicAccentsLabel = "ةى";
// Ukrainian: ЙЦУКЕН as Ukrainian keyboards have it, with ґ and the
// apostrophe (as in м'ясо) on the accents layer.
constexpr std::string_view kUkrainianLetters[] = {"йцукенгшщзхї", "фівапролджє", "ячсмитьбю"};
constexpr std::string_view kUkrainianPunctuation[] = {",", ".", "?"};
constexpr std::string_view kUkrainianCompactLetters = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя',.";
// Bengali, in three rows as the Latin keyboard (shift gives the second
// letter of each key, as Bengali keyboards do): the vowel signs and the
// virama (hasanta) on the top row, where nearly every syllable needs one,
// with their independent vowels under shift; the consonants with their
// aspirated partners under shift (ক/খ, গ/ঘ, ...); the rest of the
// consonants, with ণ ঙ ঞ \u09dc \u09dd ষ ৎ and the chandrabindu under shift.
constexpr std::string_view kBengaliLetters[] = {"\u09be\u09bf\u09c0\u09c1\u09c2\u09c3\u09c7\u09c8\u09cb\u09cc\u09cd", "কগচজটডতদপব\u0982",
                                                "নমযরলশসহ\u09df"};
constexpr std::string_view kBengaliShift[] = {"আইঈউঊঋএঐওঔঅ", "খঘছঝঠঢথধফভ\u0983", "ণঙঞ\u09dc\u09ddষৎ\u0981\u09df"};
constexpr std::string_view kBengaliPunctuation[] = {"।", ",", "?"};
constexpr std::string_view kBengaliCompactLetters =
    "\u09be\u09bf\u09c0\u09c1\u09c2\u09c3\u09c7\u09c8\u09cb\u09cc\u09cdকগচজটডতদপব\u0982নমযরলশসহ\u09df";
constexpr std::string_view kBengaliCompactShift = "আইঈউঊঋএঐওঔঅখঘছঝঠঢথধফভ\u0983ণঙঞ\u09dc\u09ddষৎ\u0981\u09df";

constexpr ScriptKeyboard kScriptKeyboards[] = {
    {"ar", kArabicLetters, nullptr, 3, kArabicPunctuation, 2, kArabicExtra, kArabicAccentsLabel, kArabicCompactLetters, "", kCompactColumns,
     false},
    {"uk", kUkrainianLetters, nullptr, 3, kUkrainianPunctuation, 3, "ґ'", "ґ'", kUkrainianCompactLetters, "", 8, true},
    {"bn", kBengaliLetters, kBengaliShift, 3, kBengaliPunctuation, 3, "", "", kBengaliCompactLetters, kBengaliCompactShift, 8, true},
};
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

// The keyboard of `language`'s script; null for the Latin one.
const layout::ScriptKeyboard* script_keyboard(std::string_view language);

// QWERTY when its widest row (ten keys for Latin) fits `width_px` at
// kMinKeyPx a key, else compact.
KeyboardShape keyboard_shape_for(float width_px, float gap_px, std::string_view language = {});
// Letter-key widths across the shape's widest row.
int keyboard_columns(KeyboardShape shape, std::string_view language = {});

// The rows of `layer`. `extras` are the language's accented letters (UTF-8);
// with none, there is no accents key. `language` picks the letters: a
// script keyboard's (kScriptKeyboards), else the Latin ones.
KeyRows keyboard_rows(KeyboardShape shape, KeyboardLayer layer, std::string_view extras, bool shifted, const KeyboardWords& words,
                      std::string_view language = {});

}  // namespace tp::ui
