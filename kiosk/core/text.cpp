#include "text.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <vector>

namespace tp {

std::size_t utf8_sequence_length(std::string_view s) {
  if (s.empty()) return 0;
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  std::size_t len;
  char32_t code;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    code = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    code = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    code = c & 0x07;
  } else
    return 0;
  if (s.size() < len) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    if ((b(i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (b(i) & 0x3F);
  }
  if (len == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) return 0;
  if (len == 4 && (code < 0x10000 || code > 0x10FFFF)) return 0;
  return len;
}

bool is_valid_utf8(std::string_view s) {
  while (!s.empty()) {
    std::size_t len = utf8_sequence_length(s);
    if (len == 0) return false;
    s.remove_prefix(len);
  }
  return true;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  while (!s.empty()) {
    std::size_t len = utf8_sequence_length(s);
    if (len == 0) {
      s.remove_prefix(1);
      continue;
    }
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    char32_t code = len == 1 ? b(0) : len == 2 ? (b(0) & 0x1F) : len == 3 ? (b(0) & 0x0F) : (b(0) & 0x07);
    for (std::size_t i = 1; i < len; ++i) code = (code << 6) | (b(i) & 0x3F);
    out += code;
    s.remove_prefix(len);
  }
  return out;
}

std::size_t count_code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

void drop_last_code_point(std::string& s) {
  while (!s.empty()) {
    unsigned char c = static_cast<unsigned char>(s.back());
    s.pop_back();
    if ((c & 0xC0) != 0x80) break;
  }
}

namespace {

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029; }

// NFC through ICU: composing by hand needs Unicode's composition tables,
// which ICU already carries and keeps current.
std::u32string to_nfc(const std::u32string& in) {
  if (in.empty()) return in;
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* nfc = unorm2_getNFCInstance(&err);
  if (U_FAILURE(err)) return in;
  std::vector<UChar> utf16(in.size() * 2 + 1);
  int32_t len16 = 0;
  u_strFromUTF32(utf16.data(), static_cast<int32_t>(utf16.size()), &len16, reinterpret_cast<const UChar32*>(in.data()),
                 static_cast<int32_t>(in.size()), &err);
  if (U_FAILURE(err)) return in;
  std::vector<UChar> normal(static_cast<std::size_t>(len16) * 3 + 4);
  int32_t normal_len = unorm2_normalize(nfc, utf16.data(), len16, normal.data(), static_cast<int32_t>(normal.size()), &err);
  if (U_FAILURE(err)) return in;
  std::u32string out(static_cast<std::size_t>(normal_len) + 1, U'\0');
  int32_t len32 = 0;
  u_strToUTF32(reinterpret_cast<UChar32*>(out.data()), static_cast<int32_t>(out.size()), &len32, normal.data(), normal_len, &err);
  if (U_FAILURE(err)) return in;
  out.resize(static_cast<std::size_t>(len32));
  return out;
}

}  // namespace

std::string to_upper(std::string_view s) {
  std::string out;
  for (char32_t c : decode_utf8(s)) append_utf8(out, static_cast<char32_t>(u_toupper(static_cast<UChar32>(c))));
  return out;
}

std::string fill(std::string_view text, std::initializer_list<std::pair<std::string_view, std::string>> values) {
  return fill_placeholders(text, [&](std::string_view name, std::string& value) {
    for (const auto& [k, v] : values)
      if (k == name) {
        value = v;
        return true;
      }
    return false;
  });
}

std::string clean_answer_text(std::string_view raw, std::size_t max_code_points) {
  std::u32string cps;
  for (char32_t c : decode_utf8(raw)) {  // invalid bytes are dropped here
    if (c == U'\n' || c == U'\t' || c == U'\r' || c == 0x2028 || c == 0x2029) c = U' ';
    if (is_control(c)) continue;
    cps += c;
  }
  cps = to_nfc(cps);
  std::size_t begin = 0, end = cps.size();
  while (begin < end && cps[begin] == U' ') ++begin;
  while (end > begin && cps[end - 1] == U' ') --end;
  cps = cps.substr(begin, end - begin);
  if (cps.size() > max_code_points) cps.resize(max_code_points);
  std::string out;
  for (char32_t c : cps) append_utf8(out, c);
  return out;
}

}  // namespace tp
