// A small JSON reader that remembers where every value came from.
//
// Question sets and kiosk configs are written by people; every problem we
// report names FILE:LINE:COLUMN. General-purpose JSON libraries drop the
// position of a value once it is parsed, so this reader keeps it.
//
// Invariants:
//   1. Input must be valid UTF-8; invalid bytes are a parse error, never
//      passed on.
//   2. Nesting deeper than Limits::max_depth and strings longer than
//      Limits::max_string_bytes are parse errors (hostile files cannot
//      exhaust the stack or memory).
//   3. Duplicate object keys are a parse error: the file means one thing.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tp::json {

struct Location {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, counted in code points
};

class Value {
 public:
  enum class Type { null, boolean, number, string, array, object };

  Type type = Type::null;
  Location where;
  bool boolean = false;
  double number = 0;
  bool is_integer = false;  // the literal had no fraction or exponent
  std::string string;
  std::vector<Value> items;                           // array
  std::vector<std::pair<std::string, Value>> members; // object, in file order

  bool is(Type t) const { return type == t; }
  const Value* find(std::string_view key) const;
};

const char* type_name(Value::Type t);

struct Limits {
  int max_depth = 32;
  std::size_t max_string_bytes = 64 * 1024;  // 64 KiB
  std::size_t max_input_bytes = 4 * 1024 * 1024;  // 4 MiB
};

struct ParseResult {
  bool ok = false;
  Value value;
  Location error_at;
  std::string error;
};

ParseResult parse(std::string_view text, const Limits& limits = {});

// Writing: enough for the command line's --json output.
std::string quote(std::string_view utf8);

}  // namespace tp::json
