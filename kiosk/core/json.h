// A small JSON reader that remembers where every value came from.
//
// Question sets and kiosk configs are written by people; every problem we
// report names FILE:LINE:COLUMN. General-purpose JSON libraries drop the
// position of a value once it is parsed, so this reader keeps it. The same
// reader decodes the sync protocol's bodies on both ends, so it also has to
// hold its own against input written to hurt it.
//
// Invariants:
//   1. Input must be valid UTF-8; invalid bytes are a parse error, never
//      passed on.
//   2. Every Limits bound is a parse error at the LINE:COLUMN where it was
//      crossed: input size, nesting depth, string length, members in one
//      object, items in one list and values in the whole document. Hostile
//      input cannot exhaust the stack, memory or CPU time.
//   3. Duplicate object keys are a parse error, reported at the second key:
//      the file means one thing. Each check is O(1) (a scan up to 16 keys,
//      a hash index beyond), so parse time grows linearly with the input:
//      600,000 distinct keys take 0.5 s here, not more than 30 s.
//   4. Memory is bounded by the value count, not by the input's shape: a
//      value costs about 120-140 bytes, an object's or list's storage is at
//      most twice what it holds, so max_nodes keeps a document near 150 MB
//      plus its strings. (Reserving room for 16 members in every object
//      once turned an 8 MB list of {"a":0} into 2.3 GB.)
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tp::json {

struct Location {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, counted in code points
};

// An object's member. It is defined after Value because it holds one; a
// std::pair<std::string, Value> cannot be used here, as clang with libstdc++
// rejects it while Value is still incomplete. `first` and `second` keep it
// usable like the pair it replaces, structured bindings included.
struct Member;

class Value {
 public:
  enum class Type { null, boolean, number, string, array, object };

  Type type = Type::null;
  Location where;
  bool boolean = false;
  double number = 0;
  bool is_integer = false;  // the literal had no fraction or exponent
  std::string string;
  std::vector<Value> items;     // array
  std::vector<Member> members;  // object, in file order, keys all different

  bool is(Type t) const { return type == t; }
  // A linear search: objects here are small, and callers look up a handful
  // of known keys in each.
  const Value* find(std::string_view key) const;
};

struct Member {
  std::string first;  // the key
  Value second;
};

const char* type_name(Value::Type t);

struct Limits {
  int max_depth = 32;                             // levels of nested objects and lists
  std::size_t max_string_bytes = 64 * 1024;       // 64 KiB, after escapes are undone
  std::size_t max_input_bytes = 4 * 1024 * 1024;  // 4 MiB
  // Counts, not bytes, because a short literal such as 0 or {} becomes a
  // value of about 130 bytes: the counts bound memory whatever the input
  // size. The largest documents we read are sync batches of 5,000 answers
  // (15 members each, about 80,000 values); configs are far smaller.
  std::size_t max_members = 10'000;   // in one object; also caps the cost of keys crafted to collide in the duplicate check's hash
  std::size_t max_items = 100'000;    // in one list: 20 times a full batch of answers
  std::size_t max_nodes = 1'000'000;  // values in the whole document: at most about 150 MB once parsed
};

struct ParseResult {
  bool ok = false;
  Value value;
  Location error_at;
  std::string error;
};

ParseResult parse(std::string_view text, const Limits& limits = {});

// What Cursor throws: where the input broke a rule, and which.
struct ParseError {
  Location where;
  std::string message;
};

// Reads a document one value at a time, without building Values: for
// bodies read in bulk, such as sync batches, where a Value for every member
// of every answer would cost more than the answer it describes. The same
// rules and Limits as parse() hold (invariants 1 and 2; a value that is
// skipped is checked as parse() checks it), except duplicate keys, which
// the caller checks (it knows which keys it takes). Each problem is thrown
// as a ParseError at its LINE:COLUMN.
//
//   Cursor c(text, limits);
//   c.begin_object();
//   std::string key;
//   while (c.next_key(key)) { if (key == "a") x = c.string(); else c.skip(); }
//   c.finish();
class Cursor {
 public:
  // Both `text` and `limits` must outlive the Cursor.
  Cursor(std::string_view text, const Limits& limits);
  ~Cursor();
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  // The type of the value that starts here (spaces skipped); throws at the
  // end of the input or at a character that starts no value.
  Value::Type next_type();
  Location here() const;

  void begin_object();
  // The next member's key, after a ',' when one is due; false, with the
  // object closed, at its '}'.
  bool next_key(std::string& key);
  Location key_location() const;  // where the key next_key() gave last begins
  void begin_array();
  // Whether another item follows (after a ',' when one is due); false, with
  // the list closed, at its ']'.
  bool next_item();

  std::string string();
  double number(bool& is_integer);
  bool boolean();
  void null();
  void skip();  // one whole value, of any type
  // Only spaces may follow the document's value.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A JSON string literal, quotes included, for the places that write JSON by
// hand: the wire encoder (sync/protocol/wire.cpp), the sync client's
// credentials file, and the --json output of the tenpoint and
// tenpoint-server command lines. It escapes quotes, backslashes and control
// characters and copies every other byte, so the output is valid JSON only
// when the input is valid UTF-8.
std::string quote(std::string_view utf8);
// The same, appended to `out`: no string of its own for each value.
void append_quoted(std::string& out, std::string_view utf8);

}  // namespace tp::json
