// The JSON reader: positions, duplicate keys in big objects, and every limit
// refused with a message at its LINE:COLUMN.
#include <catch2/catch.hpp>
#include <string>

#include "json.h"
#include "support.h"

using namespace tp;
using json::Value;

namespace {

// "LINE:COLUMN: message" of a failed parse, so a test shows the whole error.
std::string error_of(const std::string& text, const json::Limits& limits = {}) {
  json::ParseResult r = json::parse(text, limits);
  REQUIRE_FALSE(r.ok);
  return std::to_string(r.error_at.line) + ":" + std::to_string(r.error_at.column) + ": " + r.error;
}

// {"k0": 0, "k1": 1, ...} with one member per line, so a member's line is its index + 2.
std::string object_of(std::size_t members) {
  std::string out = "{\n";
  for (std::size_t i = 0; i < members; ++i) out += (i ? ",\n\"k" : "\"k") + std::to_string(i) + "\": " + std::to_string(i);
  return out + "\n}";
}

// [0,0,...] on one line.
std::string list_of(std::size_t items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items; ++i) out += i ? ",0" : "0";
  return out + "]";
}

// Past the default of 10,000 members: a caller that needs bigger objects may
// raise the limit, and the duplicate check must not turn quadratic then.
json::Limits big_objects() {
  json::Limits limits;
  limits.max_members = 100000;
  return limits;
}

}  // namespace

TEST_CASE("a document with every kind of value parses, with positions", "[json]") {
  json::ParseResult r = json::parse(
      "{\"name\": \"Caf\\u00e9 ŵ\",\n"
      " \"count\": -12, \"ratio\": 2.5e1, \"on\": true, \"off\": false, \"none\": null,\n"
      " \"list\": [1, [], {}, \"x\"], \"empty\": {}}");
  REQUIRE(r.ok);
  const Value& root = r.value;
  REQUIRE(root.is(Value::Type::object));
  REQUIRE(root.members.size() == 8);
  CHECK(root.members[0].first == "name");
  CHECK(root.members[7].first == "empty");

  const Value* name = root.find("name");
  REQUIRE(name);
  CHECK(name->string == "Café ŵ");
  CHECK(name->where.line == 1);
  CHECK(name->where.column == 10);

  const Value* count = root.find("count");
  REQUIRE(count);
  CHECK(count->number == -12);
  CHECK(count->is_integer);
  CHECK(count->where.line == 2);
  CHECK(count->where.column == 11);
  CHECK_FALSE(root.find("ratio")->is_integer);
  CHECK(root.find("ratio")->number == 25);
  CHECK(root.find("on")->boolean);
  CHECK(root.find("off")->is(Value::Type::boolean));
  CHECK(root.find("none")->is(Value::Type::null));
  CHECK(root.find("list")->items.size() == 4);
  CHECK(root.find("empty")->members.empty());
  CHECK(root.find("missing") == nullptr);

  // Members work like the pairs they replaced, structured bindings included.
  std::string keys;
  for (const auto& [key, value] : root.members) keys += key + (value.is(Value::Type::null) ? "?" : ",");
  CHECK(keys == "name,count,ratio,on,off,none?list,empty,");
}

TEST_CASE("the shipped question sets and translations parse", "[json]") {
  for (const char* f : {"/config/questions/library-demo.json", "/config/questions/example-choice.json", "/assets/translations/en.json"}) {
    json::ParseResult r = json::parse(test::read_file(test::source_dir() + f));
    INFO(f << ": " << r.error_at.line << ":" << r.error_at.column << ": " << r.error);
    CHECK(r.ok);
  }
}

TEST_CASE("a big object parses whole, in file order", "[json]") {
  json::ParseResult r = json::parse(object_of(50000), big_objects());
  REQUIRE(r.ok);
  REQUIRE(r.value.members.size() == 50000);
  CHECK(r.value.members[0].first == "k0");
  CHECK(r.value.members[49999].first == "k49999");
  CHECK(r.value.members[49999].second.number == 49999);
  CHECK(r.value.find("k31337")->where.line == 31337 + 2);
}

TEST_CASE("a duplicate key is found at the second key, in small and big objects", "[json]") {
  SECTION("small object") { CHECK(error_of("{\"a\": 1, \"b\": 2, \"a\": 3}") == "1:18: the key \"a\" appears twice in this object"); }
  SECTION("escaped spelling of the same key") {
    CHECK(error_of(R"({"ab": 1, "\u0061b": 2})") == "1:11: the key \"ab\" appears twice in this object");
  }
  SECTION("around the size where the index takes over") {
    for (std::size_t size : {15u, 16u, 17u, 18u, 33u}) {
      for (std::size_t repeated : {std::size_t{0}, size / 2, size - 1}) {
        std::string text = object_of(size);
        text.insert(text.size() - 2, ",\n\"k" + std::to_string(repeated) + "\": 0");
        INFO("members " << size << ", repeating k" << repeated);
        CHECK(error_of(text) ==
              std::to_string(size + 2) + ":1: the key \"k" + std::to_string(repeated) + "\" appears twice in this object");
      }
    }
  }
  SECTION("50,000 keys with the duplicate at the end") {
    std::string text = object_of(50000);
    text.insert(text.size() - 2, ",\n\"k123\": 0");
    // 50,000 members on lines 2 to 50,001; the repeat is on the next line.
    CHECK(error_of(text, big_objects()) == "50002:1: the key \"k123\" appears twice in this object");
  }
  SECTION("the same key in different objects is fine") {
    json::ParseResult r = json::parse(R"([{"a": 1}, {"a": 2}, {"a": {"a": 3}}])");
    CHECK(r.ok);
  }
}

TEST_CASE("members per object are limited", "[json][limits]") {
  json::Limits three;
  three.max_members = 3;
  CHECK(json::parse(R"({"a": 1, "b": 2, "c": 3})", three).ok);
  CHECK(error_of(R"({"a": 1, "b": 2, "c": 3, "d": 4})", three) == "1:26: more than 3 members in one object");
  // The limit is per object, not per document.
  CHECK(json::parse(R"([{"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 2, "c": 3}])", three).ok);

  CHECK(json::Limits{}.max_members == 10000);
  CHECK(json::parse(object_of(10000)).ok);
  CHECK(error_of(object_of(10001)) == "10002:1: more than 10000 members in one object");
}

TEST_CASE("items per list are limited", "[json][limits]") {
  json::Limits two;
  two.max_items = 2;
  CHECK(json::parse("[1, 2]", two).ok);
  CHECK(error_of("[1, 2, 3]", two) == "1:8: more than 2 items in one list");
  CHECK(json::parse("[[1, 2], [3, 4]]", two).ok);

  CHECK(json::Limits{}.max_items == 100000);
  CHECK(json::parse(list_of(100000)).ok);
  // Item 100,001 starts at column 2 * 100,000 + 2.
  CHECK(error_of(list_of(100001)) == "1:200002: more than 100000 items in one list");
}

TEST_CASE("values per document are limited", "[json][limits]") {
  json::Limits six;
  six.max_nodes = 6;
  // Values in order: the outer list, [1, 2], 1, 2, [3, 4], 3 (the sixth), 4.
  CHECK(json::parse("[[1, 2], [3]]", six).ok);
  CHECK(error_of("[[1, 2], [3, 4]]", six) == "1:14: more than 6 values in the document");
  // Keys are not values; members are.
  CHECK(json::parse(R"({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5})", six).ok);
  CHECK(error_of(R"({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6})", six) == "1:47: more than 6 values in the document");
  CHECK(json::Limits{}.max_nodes == 1000000);
}

TEST_CASE("the older limits still hold", "[json][limits]") {
  json::Limits small;
  small.max_depth = 2;
  small.max_string_bytes = 4;
  small.max_input_bytes = 16;
  CHECK(json::parse("[[1]]", small).ok);
  CHECK(error_of("[[[1]]]", small) == "1:4: nested more than 2 levels deep");
  CHECK(json::parse("\"abcd\"", small).ok);
  CHECK(error_of("\"abcdefgh\"", small).find("string longer than 4 bytes") != std::string::npos);
  CHECK(error_of(std::string(17, ' '), small) == "1:1: file is larger than 16 bytes");
}

TEST_CASE("quote writes what parse reads back", "[json]") {
  const std::string tricky = std::string("a\"b\\c\nd\re\tf\x01g") + '\0' + "h ŵ \x7f";
  std::string quoted = json::quote(tricky);
  CHECK(quoted.find('\n') == std::string::npos);
  json::ParseResult r = json::parse(quoted);
  REQUIRE(r.ok);
  CHECK(r.value.string == tricky);
}
