// Fuzzes the JSON reader. Beyond "no crash, no leak, no undefined
// behaviour", it checks what json.h promises of a parsed document:
//   - keys in an object are all different;
//   - every value's position lies inside the input;
//   - writing the document back out (with json::quote for strings) and
//     parsing that gives the same document;
//   - a document that parses under tight limits parses under the defaults.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "json.h"

namespace {

using tp::json::Value;

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "fuzz_json: broken promise: %s\n", promise);
  std::abort();
}

void check_document(const Value& v, int lines) {
  if (v.where.line < 1 || v.where.line > lines || v.where.column < 1) broken("a value's position lies inside the input");
  if (v.is(Value::Type::number) && !std::isfinite(v.number)) broken("numbers are finite");
  std::set<std::string_view> keys;
  for (const auto& [key, member] : v.members) {
    if (!keys.insert(key).second) broken("keys in an object are all different");
    check_document(member, lines);
  }
  for (const auto& item : v.items) check_document(item, lines);
}

void write(const Value& v, std::string& out) {
  switch (v.type) {
    case Value::Type::null:
      out += "null";
      break;
    case Value::Type::boolean:
      out += v.boolean ? "true" : "false";
      break;
    case Value::Type::number: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.number);  // 17 digits: any double reads back exactly
      out += buf;
      break;
    }
    case Value::Type::string:
      out += tp::json::quote(v.string);
      break;
    case Value::Type::array:
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        write(v.items[i], out);
      }
      out += ']';
      break;
    case Value::Type::object:
      out += '{';
      for (std::size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ',';
        out += tp::json::quote(v.members[i].first);
        out += ':';
        write(v.members[i].second, out);
      }
      out += '}';
      break;
  }
}

// Positions and is_integer are left out: the written form has its own
// layout, and %.17g may write 1e+20 for a literal that had no exponent.
bool same(const Value& a, const Value& b) {
  if (a.type != b.type || a.boolean != b.boolean || a.number != b.number || a.string != b.string) return false;
  if (a.items.size() != b.items.size() || a.members.size() != b.members.size()) return false;
  for (std::size_t i = 0; i < a.items.size(); ++i)
    if (!same(a.items[i], b.items[i])) return false;
  for (std::size_t i = 0; i < a.members.size(); ++i)
    if (a.members[i].first != b.members[i].first || !same(a.members[i].second, b.members[i].second)) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  tp::json::ParseResult parsed = tp::json::parse(text);
  if (!parsed.ok) {
    if (parsed.error.empty()) broken("a failed parse says why");
    if (parsed.error_at.line < 1 || parsed.error_at.column < 1) broken("a failed parse says where");
  } else {
    int lines = 1;
    for (char c : text) lines += c == '\n';
    check_document(parsed.value, lines);

    std::string written;
    write(parsed.value, written);
    tp::json::Limits roomy;
    roomy.max_input_bytes = SIZE_MAX;  // escapes written by quote() may be longer than the input's
    tp::json::ParseResult again = tp::json::parse(written, roomy);
    if (!again.ok) {
      std::fprintf(stderr, "written: %s\nerror %d:%d: %s\n", written.c_str(), again.error_at.line, again.error_at.column,
                   again.error.c_str());
      broken("a parsed document, written back out, parses again");
    }
    if (!same(parsed.value, again.value)) broken("a parsed document, written back out, reads the same");
  }

  // Tight limits reach every limit's error path with short inputs.
  tp::json::Limits tight;
  tight.max_depth = 3;
  tight.max_string_bytes = 8;
  tight.max_members = 3;
  tight.max_items = 3;
  tight.max_nodes = 12;
  tp::json::ParseResult small = tp::json::parse(text, tight);
  if (small.ok && !parsed.ok) broken("what parses under tight limits parses under the defaults");
  if (small.ok && !same(small.value, parsed.value)) broken("limits never change what a document says");
  return 0;
}
