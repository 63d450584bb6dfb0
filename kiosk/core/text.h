// UTF-8 handling for everything residents type and people configure.
#pragma once
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace tp {

// Length of the valid UTF-8 sequence at the start of `s`, or 0 when it is
// invalid (overlong, surrogate, beyond U+10FFFF, truncated).
std::size_t utf8_sequence_length(std::string_view s);

bool is_valid_utf8(std::string_view s);
void append_utf8(std::string& out, char32_t code);
std::u32string decode_utf8(std::string_view valid_utf8);
std::size_t count_code_points(std::string_view valid_utf8);

// Removes the last code point (what a backspace key does).
void drop_last_code_point(std::string& valid_utf8);

// Replaces `{name}` placeholders, e.g. {score}, from a lookup function.
// Unknown names are left as they are.
template <class Lookup>
std::string fill_placeholders(std::string_view text, Lookup lookup) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t open = text.find('{', i);
    if (open == std::string_view::npos) break;
    std::size_t close = text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    std::string_view name = text.substr(open + 1, close - open - 1);
    std::string value;
    if (lookup(name, value))
      out += value;
    else
      out.append(text.substr(open, close - open + 1));
    i = close + 1;
  }
  out.append(text.substr(i));
  return out;
}

// Upper-case form of each character (ŵ -> Ŵ), for the keyboard's shift key.
std::string to_upper(std::string_view valid_utf8);

// `{name}` placeholders filled from name/value pairs.
std::string fill(std::string_view text, std::initializer_list<std::pair<std::string_view, std::string>> values);

// What we store of a resident's free text: invalid bytes dropped, line
// breaks and tabs turned to spaces, other control characters removed,
// normalised to NFC, surrounding spaces trimmed, and at most
// `max_code_points` long.
std::string clean_answer_text(std::string_view raw, std::size_t max_code_points);

}  // namespace tp
