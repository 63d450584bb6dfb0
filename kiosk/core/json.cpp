// Recursive-descent JSON reader with positions. See json.h for invariants.
#include "json.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <unordered_set>

#include "text.h"

namespace tp::json {

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

const char* type_name(Value::Type t) {
  switch (t) {
    case Value::Type::null:
      return "null";
    case Value::Type::boolean:
      return "true/false";
    case Value::Type::number:
      return "a number";
    case Value::Type::string:
      return "a string";
    case Value::Type::array:
      return "a list";
    case Value::Type::object:
      return "an object";
  }
  return "?";
}

namespace {

// Bytes a string may hold as they are: printable ASCII but the quote and
// the backslash. One lookup a byte in the scans of string().
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int b = 0x20; b < 0x80; ++b) plain[b] = b != '"' && b != '\\';
  return plain;
}();

// Answers on the sync path have 15 members: reserving this many up front
// parses one without regrowing its vector.
constexpr std::size_t kTypicalMembers = 16;

// Tells whether the key just added to an object repeats an earlier one.
// Scanning is the quickest way for objects up to kScanMembers keys, the
// usual case; past that an index of member positions takes over, so each
// check stays O(1) instead of growing with the object (a 600,000-key object
// used to take more than 30 s). Limits::max_members also bounds the damage
// of keys crafted to collide in the hash.
class DuplicateKeys {
 public:
  explicit DuplicateKeys(const std::vector<Member>& members) : members_(members) {}

  bool last_repeats() {
    const std::size_t last = members_.size() - 1;
    const std::string& key = members_[last].first;
    if (last < kScanMembers) {
      for (std::size_t i = 0; i < last; ++i)
        if (members_[i].first == key) return true;
      return false;
    }
    if (!index_) {
      // Created only now: even an empty unordered_set allocates, and most
      // objects never get this far.
      index_.emplace(2 * kScanMembers, ByKeyHash{&members_}, SameKey{&members_});
      for (std::size_t i = 0; i < last; ++i) index_->insert(i);
    }
    return !index_->insert(last).second;
  }

 private:
  static constexpr std::size_t kScanMembers = 16;

  // The index holds positions, not keys or views of them: the vector moves
  // its strings (and short strings' bytes) whenever it grows.
  struct ByKeyHash {
    const std::vector<Member>* members;
    std::size_t operator()(std::size_t i) const { return std::hash<std::string_view>{}((*members)[i].first); }
  };
  struct SameKey {
    const std::vector<Member>* members;
    bool operator()(std::size_t a, std::size_t b) const { return (*members)[a].first == (*members)[b].first; }
  };

  const std::vector<Member>& members_;
  std::optional<std::unordered_set<std::size_t, ByKeyHash, SameKey>> index_;
};

class Reader {
 public:
  Reader(std::string_view text, const Limits& limits) : text_(text), limits_(limits) {}

  Value document() {
    skip_space();
    Value v = value(0);
    skip_space();
    if (pos_ < text_.size()) fail("unexpected text after the end of the document");
    return v;
  }

  // The primitives below are Cursor's too.
  [[noreturn]] void fail(std::string message) { throw ParseError{here(), std::move(message)}; }
  Location here() const { return {line_, column_}; }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  // Advances over one whole UTF-8 sequence so that columns count code points.
  void advance() {
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c < 0x80 && c != '\n') {  // ASCII: one byte, one column
      ++pos_;
      ++column_;
      return;
    }
    if (c == '\n') {
      ++line_;
      column_ = 1;
      ++pos_;
      return;
    }
    std::size_t len = utf8_sequence_length(text_.substr(pos_));
    if (len == 0) fail("invalid UTF-8 byte 0x" + hex(c));
    pos_ += len;
    ++column_;
  }

  static std::string hex(unsigned char c) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02X", c);
    return buf;
  }

  void skip_space() {
    while (!at_end()) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        advance();
      else
        break;
    }
  }

  void expect_word(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) fail("unknown word; expected a value such as a string, number, true, false or null");
    for (std::size_t i = 0; i < word.size(); ++i) advance();
  }

  void count_node() {
    if (++nodes_ > limits_.max_nodes) fail("more than " + std::to_string(limits_.max_nodes) + " values in the document");
  }

  Value value(int depth) {
    if (depth > limits_.max_depth) fail("nested more than " + std::to_string(limits_.max_depth) + " levels deep");
    if (at_end()) fail("the file ends where a value was expected");
    count_node();
    Value v;
    v.where = here();
    char c = peek();
    switch (c) {
      case '{':
        object(v, depth);
        break;
      case '[':
        array(v, depth);
        break;
      case '"':
        v.type = Value::Type::string;
        v.string = string();
        break;
      case 't':
        expect_word("true");
        v.type = Value::Type::boolean;
        v.boolean = true;
        break;
      case 'f':
        expect_word("false");
        v.type = Value::Type::boolean;
        v.boolean = false;
        break;
      case 'n':
        expect_word("null");
        v.type = Value::Type::null;
        break;
      default:
        if (c == '-' || (c >= '0' && c <= '9'))
          number(v);
        else
          fail(std::string("unexpected character '") + (static_cast<unsigned char>(c) < 0x80 ? std::string(1, c) : "?") +
               "' where a value was expected");
    }
    return v;
  }

  void object(Value& v, int depth) {
    v.type = Value::Type::object;
    advance();  // {
    skip_space();
    if (peek() == '}') {
      advance();
      return;
    }
    v.members.reserve(kTypicalMembers);
    DuplicateKeys duplicates(v.members);
    for (;;) {
      skip_space();
      if (peek() != '"') fail("expected a key in double quotes");
      if (v.members.size() == limits_.max_members) fail("more than " + std::to_string(limits_.max_members) + " members in one object");
      Location key_at = here();
      v.members.push_back(Member{string(), Value{}});
      Member& member = v.members.back();
      if (duplicates.last_repeats()) throw ParseError{key_at, "the key \"" + member.first + "\" appears twice in this object"};
      skip_space();
      if (peek() != ':') fail("expected ':' after the key \"" + member.first + "\"");
      advance();
      skip_space();
      member.second = value(depth + 1);
      skip_space();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == '}') {
        advance();
        // Small objects would otherwise keep room for kTypicalMembers: each
        // {"a":0}, in a list of them, would cost 2.4 KB for 8 input bytes.
        if (v.members.capacity() > 2 * v.members.size()) v.members.shrink_to_fit();
        return;
      }
      if (at_end()) fail("the file ends inside an object (missing '}')");
      fail("expected ',' or '}' after a value in an object");
    }
  }

  void array(Value& v, int depth) {
    v.type = Value::Type::array;
    advance();  // [
    skip_space();
    if (peek() == ']') {
      advance();
      return;
    }
    for (;;) {
      skip_space();
      if (v.items.size() == limits_.max_items) fail("more than " + std::to_string(limits_.max_items) + " items in one list");
      v.items.push_back(value(depth + 1));
      skip_space();
      if (peek() == ',') {
        advance();
        continue;
      }
      if (peek() == ']') {
        advance();
        return;
      }
      if (at_end()) fail("the file ends inside a list (missing ']')");
      fail("expected ',' or ']' after a value in a list");
    }
  }

  unsigned hex4() {
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      char c = peek();
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) fail("\\u must be followed by four hex digits");
      code = code * 16 + static_cast<unsigned>(d);
      advance();
    }
    return code;
  }

  std::string string() {
    advance();  // opening quote
    // Most strings (keys, ids) are plain ASCII with no escape: made in one
    // piece when the closing quote ends such a run.
    std::size_t end = pos_;
    const std::size_t most = std::min(text_.size(), pos_ + limits_.max_string_bytes + 1);
    while (end < most && kPlain[static_cast<unsigned char>(text_[end])]) ++end;
    if (end < text_.size() && text_[end] == '"' && end - pos_ <= limits_.max_string_bytes) {
      std::string out(text_.substr(pos_, end - pos_));
      column_ += static_cast<int>(end - pos_ + 1);
      pos_ = end + 1;
      return out;
    }
    std::string out;
    for (;;) {
      if (at_end()) fail("the file ends inside a string (missing closing '\"')");
      if (out.size() > limits_.max_string_bytes) fail("string longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
      // Fast path: a run of plain ASCII characters is copied at once.
      std::size_t run = pos_;
      while (run < text_.size() && kPlain[static_cast<unsigned char>(text_[run])]) ++run;
      if (run > pos_) {
        out.append(text_.substr(pos_, run - pos_));
        column_ += static_cast<int>(run - pos_);
        pos_ = run;
        continue;
      }
      char c = peek();
      if (c == '"') {
        advance();
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("control character inside a string (write it as an escape such as \\n)");
      if (c != '\\') {
        std::size_t start = pos_;
        advance();
        out.append(text_.substr(start, pos_ - start));
        continue;
      }
      advance();
      char e = peek();
      if (at_end()) fail("the file ends inside an escape");
      advance();
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned code = hex4();
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (peek() != '\\') fail("a high surrogate \\u escape must be followed by a low surrogate");
            advance();
            if (peek() != 'u') fail("a high surrogate \\u escape must be followed by a low surrogate");
            advance();
            unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("invalid low surrogate in \\u escape");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            fail("a lone low surrogate \\u escape is not a character");
          }
          append_utf8(out, static_cast<char32_t>(code));
          break;
        }
        default:
          fail(std::string("unknown escape '\\") + (static_cast<unsigned char>(e) < 0x80 ? std::string(1, e) : "?") + "'");
      }
    }
  }

  void number(Value& v) {
    std::size_t start = pos_;
    bool integer = true;
    if (peek() == '-') advance();
    if (peek() == '0') {
      advance();
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') advance();
    } else {
      fail("a '-' must be followed by digits");
    }
    if (peek() == '.') {
      integer = false;
      advance();
      if (!(peek() >= '0' && peek() <= '9')) fail("expected digits after the decimal point");
      while (peek() >= '0' && peek() <= '9') advance();
    }
    if (peek() == 'e' || peek() == 'E') {
      integer = false;
      advance();
      if (peek() == '+' || peek() == '-') advance();
      if (!(peek() >= '0' && peek() <= '9')) fail("expected digits in the exponent");
      while (peek() >= '0' && peek() <= '9') advance();
    }
    v.type = Value::Type::number;
    v.is_integer = integer;
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    // Whole numbers of up to 15 digits are exact in a double: summed here,
    // as most numbers on the sync path are. Others go to from_chars, which
    // rounds as strtod does but needs no copy of the literal.
    const bool negative = *first == '-';
    if (integer && last - first - (negative ? 1 : 0) <= 15) {
      std::int64_t n = 0;
      for (const char* p = first + (negative ? 1 : 0); p < last; ++p) n = n * 10 + (*p - '0');
      v.number = static_cast<double>(negative ? -n : n);
      return;
    }
    auto [end, ec] = std::from_chars(first, last, v.number);
    if (ec != std::errc() || end != last) v.number = std::strtod(std::string(first, last).c_str(), nullptr);  // underflow: as strtod has it
    if (!std::isfinite(v.number)) throw ParseError{v.where, "number out of range"};
  }

  std::string_view text_;
  const Limits& limits_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::size_t nodes_ = 0;  // values begun so far, for Limits::max_nodes
};

std::string too_large(const Limits& limits) {
  return limits.max_input_bytes < 1024 ? "file is larger than " + std::to_string(limits.max_input_bytes) + " bytes"
                                       : "file is larger than " + std::to_string(limits.max_input_bytes / 1024) + " KiB";
}

// A UTF-8 byte order mark is harmless; skipped.
std::string_view without_bom(std::string_view text) { return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text; }

}  // namespace

ParseResult parse(std::string_view text, const Limits& limits) {
  ParseResult result;
  if (text.size() > limits.max_input_bytes) {
    result.error_at = {1, 1};
    result.error = too_large(limits);
    return result;
  }
  text = without_bom(text);
  try {
    Reader reader(text, limits);
    result.value = reader.document();
    result.ok = true;
  } catch (const ParseError& f) {
    result.error_at = f.where;
    result.error = f.message;
  }
  return result;
}

// ---- Cursor ----

struct Cursor::Impl {
  Impl(std::string_view text, const Limits& limits) : reader(text, limits), limits(limits) {}
  Reader reader;
  const Limits& limits;
  // One entry for each object or list open: how many members or items it
  // has had so far. Its size is the depth of the next value.
  std::vector<std::size_t> open;
  Location key_at;

  int depth() const { return static_cast<int>(open.size()); }

  void begin(char bracket) {
    reader.skip_space();
    if (depth() > limits.max_depth) reader.fail("nested more than " + std::to_string(limits.max_depth) + " levels deep");
    if (reader.at_end()) reader.fail("the file ends where a value was expected");
    if (reader.peek() != bracket) reader.fail(std::string("expected '") + bracket + "'");
    reader.count_node();
    reader.advance();
    open.push_back(0);
  }

  // After a value inside the innermost object or list: a ',' moves on, its
  // closing bracket ends it. Returns whether another member or item follows.
  bool next(char closing, const char* what, std::size_t most) {
    reader.skip_space();
    std::size_t& count = open.back();
    if (reader.peek() == closing) {
      reader.advance();
      open.pop_back();
      return false;
    }
    if (count > 0) {
      if (reader.peek() != ',') {
        if (reader.at_end())
          reader.fail(closing == '}' ? "the file ends inside an object (missing '}')" : "the file ends inside a list (missing ']')");
        reader.fail(closing == '}' ? "expected ',' or '}' after a value in an object" : "expected ',' or ']' after a value in a list");
      }
      reader.advance();
      reader.skip_space();
    }
    if (count == most) reader.fail("more than " + std::to_string(most) + " " + what);
    ++count;
    return true;
  }

  // Moves to the start of a value of `type`; throws when another starts here.
  void expect(Value::Type type, Cursor& c) {
    Value::Type found = c.next_type();
    if (found != type) reader.fail(std::string("expected ") + type_name(type) + ", not " + type_name(found));
    if (depth() > limits.max_depth) reader.fail("nested more than " + std::to_string(limits.max_depth) + " levels deep");
    reader.count_node();
  }
};

Cursor::Cursor(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_input_bytes) throw ParseError{{1, 1}, too_large(limits)};
  impl_ = std::make_unique<Impl>(without_bom(text), limits);
}

Cursor::~Cursor() = default;

Location Cursor::here() const { return impl_->reader.here(); }

Location Cursor::key_location() const { return impl_->key_at; }

Value::Type Cursor::next_type() {
  Reader& r = impl_->reader;
  r.skip_space();
  if (r.at_end()) r.fail("the file ends where a value was expected");
  switch (r.peek()) {
    case '{':
      return Value::Type::object;
    case '[':
      return Value::Type::array;
    case '"':
      return Value::Type::string;
    case 't':
    case 'f':
      return Value::Type::boolean;
    case 'n':
      return Value::Type::null;
    default: {
      char c = r.peek();
      if (c == '-' || (c >= '0' && c <= '9')) return Value::Type::number;
      r.fail(std::string("unexpected character '") + (static_cast<unsigned char>(c) < 0x80 ? std::string(1, c) : "?") +
             "' where a value was expected");
    }
  }
}

void Cursor::begin_object() { impl_->begin('{'); }

bool Cursor::next_key(std::string& key) {
  Reader& r = impl_->reader;
  if (!impl_->next('}', "members in one object", impl_->limits.max_members)) return false;
  if (r.peek() != '"') r.fail("expected a key in double quotes");
  impl_->key_at = r.here();
  key = r.string();
  r.skip_space();
  if (r.peek() != ':') r.fail("expected ':' after the key \"" + key + "\"");
  r.advance();
  return true;
}

void Cursor::begin_array() { impl_->begin('['); }

bool Cursor::next_item() { return impl_->next(']', "items in one list", impl_->limits.max_items); }

std::string Cursor::string() {
  impl_->expect(Value::Type::string, *this);
  return impl_->reader.string();
}

double Cursor::number(bool& is_integer) {
  impl_->expect(Value::Type::number, *this);
  Value v;
  v.where = here();
  impl_->reader.number(v);
  is_integer = v.is_integer;
  return v.number;
}

bool Cursor::boolean() {
  impl_->expect(Value::Type::boolean, *this);
  const bool yes = impl_->reader.peek() == 't';
  impl_->reader.expect_word(yes ? "true" : "false");
  return yes;
}

void Cursor::null() {
  impl_->expect(Value::Type::null, *this);
  impl_->reader.expect_word("null");
}

void Cursor::skip() {
  next_type();  // the end of the input, or no value here, is reported as for a value
  impl_->reader.value(impl_->depth());
}

void Cursor::finish() {
  Reader& r = impl_->reader;
  r.skip_space();
  if (!r.at_end()) r.fail("unexpected text after the end of the document");
}

std::string quote(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + 2);
  append_quoted(out, utf8);
  return out;
}

void append_quoted(std::string& out, std::string_view utf8) {
  out += '"';
  // Runs of characters that need no escape are copied whole: a sync batch
  // or an export's bundle quotes millions of ids and texts.
  std::size_t plain = 0;  // where the current run began
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(utf8.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04X", c);
        out += buf;
      }
    }
  }
  out.append(utf8.data() + plain, utf8.size() - plain);
  out += '"';
}

}  // namespace tp::json
