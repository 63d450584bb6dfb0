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

// The letter-key widths of a script keyboard's widest QWERTY row: its last
// row of letters carries backspace (and shift, when the script has capitals).
int script_columns(const layout::ScriptKeyboard& k) {
  int widest = layout::kQwertyColumns;
  for (int i = 0; i < k.row_count; ++i) {
    int n = static_cast<int>(decode_utf8(k.rows[i]).size());
    if (i == k.row_count - 1) n += k.shift_key ? 3 : 2;
    widest = std::max(widest, n);
  }
  return widest;
}

// A script's letters layer; its other layers are the Latin shapes' own, with
// the script's accents first on the accents layer.
KeyRows script_rows(const layout::ScriptKeyboard& k, KeyboardShape shape, KeyboardLayer layer, std::string_view extras, bool shifted,
                    const KeyboardWords& words) {
  if (!k.shift_key) shifted = false;
  // Keys of `base`, or with shift those of `with_shift` (upper case when none).
  auto letter_keys = [&](std::string_view base, std::string_view with_shift) {
    if (!shifted || with_shift.empty()) return character_keys(base, shifted && k.shift_rows == nullptr);
    return character_keys(with_shift, false);
  };
  if (layer != KeyboardLayer::letters)
    return shape == KeyboardShape::compact ? compact_rows(layer, extras, shifted, words) : qwerty_rows(layer, extras, shifted, words);
  const bool has_accents = !extras.empty();
  KeyRows rows;
  std::vector<KeySpec> bottom;
  float used = 0;
  auto add = [&](KeySpec key) {
    used += key.units;
    bottom.push_back(std::move(key));
  };
  KeySpec accents{std::string(k.accents_label.empty() ? layout::kAccentsLabel : k.accents_label), "accents", 1.0f, Kind::to_accents};
  if (shape == KeyboardShape::compact) {
    const auto columns = static_cast<std::size_t>(k.compact_columns);
    const std::vector<KeySpec> all = letter_keys(k.compact_letters, k.compact_shift);
    for (std::size_t i = 0; i < all.size(); i += columns)
      rows.emplace_back(all.begin() + static_cast<std::ptrdiff_t>(i),
                        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + columns)));
    const std::u32string letters = decode_utf8(k.compact_letters);
    std::vector<KeySpec> punctuation;
    for (int i = 0; i < k.punctuation_count; ++i)
      if (decode_utf8(k.punctuation[i]).size() == 1 && letters.find(decode_utf8(k.punctuation[i])[0]) == std::u32string::npos)
        punctuation.push_back({std::string(k.punctuation[i]), std::string(k.punctuation[i]), 1.0f, Kind::type});
    if (k.shift_key) add({"", "shift", 1.0f, Kind::shift});
    if (!punctuation.empty()) add(punctuation.front());
    add({words.symbols, "symbols", 1.5f, Kind::to_symbols});
    if (has_accents) add(accents);
    const std::size_t space_at = bottom.size();
    for (std::size_t i = 1; i < punctuation.size(); ++i) add(punctuation[i]);
    add({"", "backspace", 1.0f, Kind::backspace});
    const float space = std::max(1.5f, static_cast<float>(columns) - used);
    bottom.insert(bottom.begin() + static_cast<std::ptrdiff_t>(space_at), {words.space, "space", space, Kind::space});
    rows.push_back(std::move(bottom));
    return rows;
  }
  const int columns = script_columns(k);
  auto shift_row = [&](int i) { return k.shift_rows ? k.shift_rows[i] : std::string_view(); };
  for (int i = 0; i + 1 < k.row_count; ++i) rows.push_back(letter_keys(k.rows[i], shift_row(i)));
  std::vector<KeySpec> last;
  if (k.shift_key) last.push_back({"", "shift", 1.5f, Kind::shift});
  for (auto& key : letter_keys(k.rows[k.row_count - 1], shift_row(k.row_count - 1))) last.push_back(std::move(key));
  last.push_back({"", "backspace", k.shift_key ? 1.5f : 2.0f, Kind::backspace});
  rows.push_back(std::move(last));
  accents.units = 1.5f;
  add({words.symbols, "symbols", 1.5f, Kind::to_symbols});
  if (has_accents) add(accents);
  const float punctuation_units = static_cast<float>(k.punctuation_count);
  bottom.push_back({words.space, "space", std::max(2.0f, static_cast<float>(columns) - used - punctuation_units), Kind::space});
  for (int i = 0; i < k.punctuation_count; ++i)
    bottom.push_back({std::string(k.punctuation[i]), std::string(k.punctuation[i]), 1.0f, Kind::type});
  rows.push_back(std::move(bottom));
  return rows;
}

}  // namespace

const layout::ScriptKeyboard* script_keyboard(std::string_view language) {
  const std::string_view base = language.substr(0, language.find('-'));
  for (const auto& k : layout::kScriptKeyboards)
    if (k.language == base) return &k;
  return nullptr;
}

KeyboardShape keyboard_shape_for(float width_px, float gap_px, std::string_view language) {
  const auto columns = static_cast<float>(keyboard_columns(KeyboardShape::qwerty, language));
  return (width_px - gap_px * (columns - 1)) / columns < kMinKeyPx ? KeyboardShape::compact : KeyboardShape::qwerty;
}

int keyboard_columns(KeyboardShape shape, std::string_view language) {
  const layout::ScriptKeyboard* k = script_keyboard(language);
  if (shape == KeyboardShape::compact) return k ? k->compact_columns : layout::kCompactColumns;
  return k ? script_columns(*k) : layout::kQwertyColumns;
}

KeyRows keyboard_rows(KeyboardShape shape, KeyboardLayer layer, std::string_view extras, bool shifted, const KeyboardWords& words,
                      std::string_view language) {
  if (const layout::ScriptKeyboard* k = script_keyboard(language)) {
    const std::string all_extras = std::string(k->accents) + std::string(extras);
    return script_rows(*k, shape, layer, all_extras, shifted, words);
  }
  return shape == KeyboardShape::compact ? compact_rows(layer, extras, shifted, words) : qwerty_rows(layer, extras, shifted, words);
}

}  // namespace tp::ui
