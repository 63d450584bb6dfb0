#include "keyboard_layouts.h"

#include <algorithm>

#include "text.h"

namespace tp::ui {

namespace {

using Kind = KeySpec::Kind;

// One character key per code point of `row`, upper-cased on the shift layer.
std::vector<KeySpec> character_keys(std::string_view row, bool shifted) {
  std::vector<KeySpec> out;
  for (char32_t c : decode_utf8(row)) {
    std::string s;
    append_utf8(s, c);
    out.push_back({shifted ? to_upper(s) : s, s, 1.0f, Kind::type});
  }
  return out;
}

// Cuts `all` into rows of `per_row` character keys, at most `max_rows` rows.
void add_character_rows(KeyRows& rows, std::string_view all, std::size_t per_row, std::size_t max_rows, bool shifted) {
  std::u32string cps = decode_utf8(all);
  for (std::size_t i = 0; i < cps.size() && rows.size() < max_rows; i += per_row) {
    std::string row;
    for (std::size_t j = i; j < std::min(cps.size(), i + per_row); ++j) append_utf8(row, cps[j]);
    rows.push_back(character_keys(row, shifted));
  }
}

KeyRows compact_rows(KeyboardLayer layer, std::string_view extras, bool shifted, const KeyboardWords& words) {
  const KeySpec shift{"", "shift", 1.0f, Kind::shift};
  const KeySpec erase{"", "backspace", 1.0f, Kind::backspace};
  const auto per_row = static_cast<std::size_t>(layout::kCompactColumns);
  const auto max_rows = static_cast<std::size_t>(layout::kCompactRows);
  KeyRows rows;
  switch (layer) {
    case KeyboardLayer::letters: {
      add_character_rows(rows, layout::kCompactLetters, per_row, max_rows, shifted);
      std::vector<KeySpec> bottom{shift, {words.symbols, "symbols", 1.5f, Kind::to_symbols}};
      if (!extras.empty()) bottom.push_back({std::string(layout::kAccentsLabel), "accents", 1.0f, Kind::to_accents});
      bottom.push_back({words.space, "space", extras.empty() ? 3.5f : 2.5f, Kind::space});
      bottom.push_back(erase);
      rows.push_back(bottom);
      break;
    }
    case KeyboardLayer::symbols:
      add_character_rows(rows, layout::kCompactSymbols, per_row, max_rows, shifted);
      rows.push_back({{words.letters, "letters", 2.0f, Kind::to_letters}, {words.space, "space", 4.0f, Kind::space}, erase});
      break;
    case KeyboardLayer::accents:
      add_character_rows(rows, extras, per_row, max_rows, shifted);
      rows.push_back({{words.letters, "letters", 2.0f, Kind::to_letters}, shift, {words.space, "space", 3.0f, Kind::space}, erase});
      break;
  }
  return rows;
}

KeyRows qwerty_rows(KeyboardLayer layer, std::string_view extras, bool shifted, const KeyboardWords& words) {
  const KeySpec backspace{"", "backspace", 1.5f, Kind::backspace};
  KeyRows rows;
  switch (layer) {
    case KeyboardLayer::letters: {
      rows.push_back(character_keys(layout::kQwertyLetters[0], shifted));
      rows.push_back(character_keys(layout::kQwertyLetters[1], shifted));
      std::vector<KeySpec> third{{"", "shift", 1.5f, Kind::shift}};
      for (auto& k : character_keys(layout::kQwertyLetters[2], shifted)) third.push_back(std::move(k));
      third.push_back(backspace);
      rows.push_back(std::move(third));
      std::vector<KeySpec> bottom{{words.symbols, "symbols", 1.5f, Kind::to_symbols}};
      // A language with a single extra letter shows it on the key itself.
      if (!extras.empty())
        bottom.push_back(
            {decode_utf8(extras).size() > 1 ? std::string(layout::kAccentsLabel) : std::string(extras), "accents", 1.5f, Kind::to_accents});
      bottom.push_back({words.space, "space", extras.empty() ? 5.5f : 4.0f, Kind::space});
      for (std::string_view p : layout::kQwertyPunctuation) bottom.push_back({std::string(p), std::string(p), 1.0f, Kind::type});
      rows.push_back(std::move(bottom));
      break;
    }
    case KeyboardLayer::symbols: {
      rows.push_back(character_keys(layout::kQwertySymbols[0], shifted));
      rows.push_back(character_keys(layout::kQwertySymbols[1], shifted));
      std::vector<KeySpec> third = character_keys(layout::kQwertySymbols[2], shifted);
      third.push_back({"", "backspace", 2.0f, Kind::backspace});
      rows.push_back(std::move(third));
      std::vector<KeySpec> bottom{{words.letters, "letters", 2.0f, Kind::to_letters}, {words.space, "space", 6.0f, Kind::space}};
      for (std::string_view s : layout::kQwertySymbolsBottom) bottom.push_back({std::string(s), std::string(s), 1.0f, Kind::type});
      rows.push_back(std::move(bottom));
      break;
    }
    case KeyboardLayer::accents:
      add_character_rows(rows, extras, static_cast<std::size_t>(layout::kQwertyColumns),
                         static_cast<std::size_t>(layout::kQwertyAccentRows), shifted);
      rows.push_back({{words.letters, "letters", 2.0f, Kind::to_letters},
                      {"", "shift", 1.5f, Kind::shift},
                      {words.space, "space", 5.0f, Kind::space},
                      backspace});
      break;
  }
  return rows;
}

// Arabic letters: no shift (the script has no case), its comma and
// question mark beside the space bar, ة and ى (and the set's extras) on the
// accents layer.
KeyRows arabic_rows(KeyboardShape shape, KeyboardLayer layer, std::string_view extras, const KeyboardWords& words) {
  // Symbols and the accents layer are the Latin shapes' own.
  if (layer != KeyboardLayer::letters)
    return shape == KeyboardShape::compact ? compact_rows(layer, extras, false, words) : qwerty_rows(layer, extras, false, words);
  KeySpec accents{std::string(layout::kArabicAccentsLabel), "accents", 1.0f, Kind::to_accents};
  KeyRows rows;
  if (shape == KeyboardShape::compact) {
    add_character_rows(rows, layout::kArabicCompactLetters, static_cast<std::size_t>(layout::kCompactColumns),
                       static_cast<std::size_t>(layout::kCompactRows), false);
    // 1 + 1.5 + 1 + 1.5 + 1 + 1 = 7 columns, as the Latin bottom row.
    rows.push_back({{std::string(layout::kArabicPunctuation[0]), std::string(layout::kArabicPunctuation[0]), 1.0f, Kind::type},
                    {words.symbols, "symbols", 1.5f, Kind::to_symbols},
                    accents,
                    {words.space, "space", 1.5f, Kind::space},
                    {std::string(layout::kArabicPunctuation[1]), std::string(layout::kArabicPunctuation[1]), 1.0f, Kind::type},
                    {"", "backspace", 1.0f, Kind::backspace}});
    return rows;
  }
  rows.push_back(character_keys(layout::kArabicLetters[0], false));
  rows.push_back(character_keys(layout::kArabicLetters[1], false));
  std::vector<KeySpec> third = character_keys(layout::kArabicLetters[2], false);
  third.push_back({"", "backspace", 2.0f, Kind::backspace});
  rows.push_back(std::move(third));
  // 1.5 + 1.5 + 5 + 1 + 1 = 10 columns.
  accents.units = 1.5f;
  std::vector<KeySpec> bottom{{words.symbols, "symbols", 1.5f, Kind::to_symbols}, accents, {words.space, "space", 5.0f, Kind::space}};
  for (std::string_view p : layout::kArabicPunctuation) bottom.push_back({std::string(p), std::string(p), 1.0f, Kind::type});
  rows.push_back(std::move(bottom));
  return rows;
}

bool is_arabic(std::string_view language) { return language.substr(0, language.find('-')) == "ar"; }

}  // namespace

KeyboardShape keyboard_shape_for(float width_px, float gap_px) {
  constexpr auto columns = static_cast<float>(layout::kQwertyColumns);
  return (width_px - gap_px * (columns - 1)) / columns < kMinKeyPx ? KeyboardShape::compact : KeyboardShape::qwerty;
}

int keyboard_columns(KeyboardShape shape) { return shape == KeyboardShape::compact ? layout::kCompactColumns : layout::kQwertyColumns; }

KeyRows keyboard_rows(KeyboardShape shape, KeyboardLayer layer, std::string_view extras, bool shifted, const KeyboardWords& words,
                      std::string_view language) {
  if (is_arabic(language)) {
    const std::string all_extras = std::string(layout::kArabicExtra) + std::string(extras);
    return arabic_rows(shape, layer, all_extras, words);
  }
  return shape == KeyboardShape::compact ? compact_rows(layer, extras, shifted, words) : qwerty_rows(layer, extras, shifted, words);
}

}  // namespace tp::ui
