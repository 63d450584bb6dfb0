// Question-set validation: every problem located as LINE:COLUMN.
#include <catch2/catch.hpp>

#include "json.h"
#include "question_set.h"
#include "support.h"

using namespace tp;

namespace {

std::string problems_of(const std::string& text) {
  LoadResult r = parse_question_set(text);
  REQUIRE_FALSE(r.set);
  return format_problems("set.json", r.problems);
}

const char* kSmall = R"({
  "format": "tenpoint-questions/1",
  "id": "small",
  "version": 1,
  "languages": [{"code": "en", "name": "English"}],
  "default_language": "en",
  "start": "q",
  "questions": [
    {"id": "q", "type": "scale", "min": 0, "max": 10,
     "prompt": {"en": "How is it?"},
     "low_label": {"en": "Bad"}, "high_label": {"en": "Good"},
     "next": [{"go": "end"}]}
  ]
})";

std::string with(std::string base, const std::string& from, const std::string& to) {
  auto at = base.find(from);
  REQUIRE(at != std::string::npos);
  return base.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the demo set and the examples are valid", "[questions]") {
  auto set = test::demo_set();
  CHECK(set.languages.size() >= 2);
  CHECK(set.language("cy"));
  for (const char* f : {"example-scale.json", "example-text.json", "example-choice.json"}) {
    LoadResult r = load_question_set(test::source_dir() + "/config/questions/" + f);
    INFO(f << "\n" << format_problems(f, r.problems));
    CHECK(r.set);
  }
}

TEST_CASE("a small valid set parses", "[questions]") {
  LoadResult r = parse_question_set(kSmall);
  REQUIRE(r.set);
  CHECK(r.set->questions[0].max == 10);
}

TEST_CASE("syntax errors are located", "[questions][json]") {
  CHECK(problems_of("{\n  \"id\": \"x\",\n  \"version\" 1\n}") == "set.json:3:13: expected ':' after the key \"version\"\n");
  CHECK(problems_of("{\"a\": [1, 2") == "set.json:1:12: the file ends inside a list (missing ']')\n");
  CHECK(problems_of("") == "set.json:1:1: the file ends where a value was expected\n");
  CHECK(problems_of("{\"a\": 1, \"a\": 2}") == "set.json:1:10: the key \"a\" appears twice in this object\n");
  CHECK(problems_of("[1] x") == "set.json:1:5: unexpected text after the end of the document\n");
}

TEST_CASE("columns count characters, not bytes", "[questions][json]") {
  CHECK(problems_of("{\"ŵŷ\": tru}") == "set.json:1:8: unknown word; expected a value such as a string, number, true, false or null\n");
}

TEST_CASE("wrong types and missing keys are reported at the value", "[questions]") {
  std::string p = problems_of(with(kSmall, "\"version\": 1", "\"version\": \"one\""));
  CHECK(p == "set.json:4:14: \"version\" must be a number, not a string\n");
  p = problems_of(with(kSmall, "\"max\": 10", "\"max\": 10.5"));
  INFO(p);
  CHECK(p.find("set.json:9:51: \"max\" must be a whole number") == 0);
  p = problems_of(with(kSmall, "\"max\": 10", "\"max\": 20"));
  CHECK(p.find("a scale has at most 11 steps") != std::string::npos);
  p = problems_of(with(kSmall, "\"low_label\": {\"en\": \"Bad\"}, ", ""));
  CHECK(p.find("a scale question needs \"low_label\"") != std::string::npos);
}

TEST_CASE("every problem is reported, not just the first", "[questions]") {
  std::string bad = with(with(with(kSmall, "\"type\": \"scale\"", "\"type\": \"slider\""), "\"go\": \"end\"", "\"go\": \"nowhere\""),
                         "\"default_language\": \"en\"", "\"default_language\": \"fr\"");
  LoadResult r = parse_question_set(bad);
  REQUIRE_FALSE(r.set);
  std::string all = format_problems("s", r.problems);
  CHECK(all.find("unknown question type \"slider\"") != std::string::npos);
  CHECK(all.find("\"go\" names \"nowhere\"") != std::string::npos);
  CHECK(all.find("default language \"fr\"") != std::string::npos);
}

TEST_CASE("translations must be complete", "[questions]") {
  std::string two = with(kSmall, "[{\"code\": \"en\", \"name\": \"English\"}]",
                         "[{\"code\": \"en\", \"name\": \"English\"}, {\"code\": \"cy\", \"name\": \"Cymraeg\"}]");
  std::string p = problems_of(two);
  CHECK(p.find("\"prompt\" has no \"cy\" text") != std::string::npos);
  CHECK(p.find("\"low_label\" has no \"cy\" text") != std::string::npos);
}

TEST_CASE("unknown keys and placeholders are caught (typos)", "[questions]") {
  CHECK(problems_of(with(kSmall, "\"min\": 0", "\"mni\": 0, \"min\": 0")).find("unknown key \"mni\"") != std::string::npos);
  CHECK(problems_of(with(kSmall, "How is it?", "How is {scroe}?")).find("unknown placeholder {scroe}") != std::string::npos);
}

TEST_CASE("follow-up rules may not loop", "[questions]") {
  std::string loop = with(kSmall, "\"next\": [{\"go\": \"end\"}]", "\"next\": [{\"go\": \"q\"}]");
  CHECK(problems_of(loop).find("form a loop") != std::string::npos);
}

TEST_CASE("hostile input is refused with a message, never a crash", "[questions][json][hostile]") {
  SECTION("deep nesting") {
    std::string deep(100000, '[');
    CHECK(problems_of(deep).find("nested more than 32 levels") != std::string::npos);
  }
  SECTION("huge string") {
    std::string huge = "{\"id\": \"" + std::string(200000, 'x') + "\"}";
    CHECK(problems_of(huge).find("string longer than") != std::string::npos);
  }
  SECTION("huge file") {
    std::string big(5 * 1024 * 1024, ' ');
    CHECK(problems_of(big).find("file is larger than") != std::string::npos);
  }
  SECTION("invalid UTF-8") {
    CHECK(problems_of("{\"id\": \"caf\xe9\"}") == "set.json:1:12: invalid UTF-8 byte 0xE9\n");
    CHECK(problems_of("{\"id\": \"\xed\xa0\x80\"}").find("invalid UTF-8") != std::string::npos);  // surrogate
    CHECK(problems_of("{\"id\": \"\xc0\xaf\"}").find("invalid UTF-8") != std::string::npos);      // overlong
  }
  SECTION("lone surrogate escape") { CHECK(problems_of(R"({"id": "\udc00"})").find("lone low surrogate") != std::string::npos); }
  SECTION("emoji cannot be drawn") {
    CHECK(problems_of(with(kSmall, "How is it?", "How is it? \\ud83d\\ude00")).find("beyond U+FFFF") != std::string::npos);
  }
  SECTION("truncated at every byte") {
    std::string good = kSmall;
    for (std::size_t n = 0; n < good.size(); ++n) {
      LoadResult r = parse_question_set(good.substr(0, n));
      CHECK_FALSE(r.set);
      CHECK_FALSE(r.problems.empty());
    }
  }
  SECTION("not an object") { CHECK(problems_of("[]") == "set.json:1:1: a question set must be a JSON object\n"); }
  SECTION("control characters in strings") { CHECK(problems_of("{\"id\": \"a\x01\"}").find("control character") != std::string::npos); }
  SECTION("numbers out of range") { CHECK(problems_of("{\"v\": 1e999}").find("number out of range") != std::string::npos); }
}

TEST_CASE("too many questions or languages are refused at the list, and cheaply", "[questions][limits]") {
  std::string questions;
  for (int i = 0; i < 20000; ++i)  // about 3.5 MB: within the file limit, 200x the question cap
    questions += std::string(i ? "," : "") + R"({"id": "q)" + std::to_string(i) + R"(", "type": "scale", "min": 0, "max": 10,
      "prompt": {"en": "?"}, "low_label": {"en": "a"}, "high_label": {"en": "b"}, "next": [{"go": "end"}]})";
  std::string many = with(kSmall, R"({"id": "q", "type": "scale", "min": 0, "max": 10,
     "prompt": {"en": "How is it?"},
     "low_label": {"en": "Bad"}, "high_label": {"en": "Good"},
     "next": [{"go": "end"}]})",
                          questions);
  std::string p = problems_of(many);
  INFO(p.substr(0, 300));
  CHECK(p.find(": a question set has at most 100 questions") != std::string::npos);
  CHECK(p.find("set.json:8:16: a question set has at most 100 questions") == 0);
  std::string languages;
  for (int i = 0; i < 17; ++i)
    languages += std::string(i ? "," : "") + R"({"code": "l)" + std::string(1, static_cast<char>('a' + i)) + R"(", "name": "L"})";
  CHECK(problems_of(with(kSmall, R"([{"code": "en", "name": "English"}])", "[" + languages + "]"))
            .find("set.json:5:16: a question set has at most 16 languages") != std::string::npos);
}

TEST_CASE("English quotes a score with the article it is said with", "[questions][number_words]") {
  auto set = parse_question_set(kSmall).set;
  REQUIRE(set);
  const ArticleRule* en = set->article_rule("en");
  REQUIRE(en);
  const char* expected[] = {"a 0", "a 1", "a 2", "a 3", "a 4", "a 5", "a 6", "a 7", "an 8", "a 9", "a 10"};
  for (int n = 0; n <= 10; ++n) CHECK(with_article(en, n) == expected[n]);
  CHECK(with_article(en, 11) == "an 11");
  CHECK(with_article(en, 18) == "an 18");
  CHECK(with_article(en, 80) == "an 80");
  CHECK(with_article(en, 89) == "an 89");
  CHECK(with_article(en, 90) == "a 90");
  CHECK(with_article(en, 100) == "a 100");
  CHECK(set->article_rule("en-gb") == en);
  CHECK_FALSE(set->article_rule("cy"));
  CHECK(with_article(nullptr, 8) == "8");

  Translated prompt{{"en", "Why {a_score} and not {score}? What would {a_score_plus_one} be?"}};
  CHECK(render_prompt(prompt, "en", 7, en) == "Why a 7 and not 7? What would an 8 be?");
  CHECK(render_prompt(prompt, "en", 10, en) == "Why a 10 and not 10? What would an 11 be?");
  CHECK(render_prompt(prompt, "en", 7) == "Why 7 and not 7? What would 8 be?");
}

TEST_CASE("a language brings its own article rule", "[questions][number_words]") {
  std::string set_text =
      with(with(with(kSmall, "[{\"code\": \"en\", \"name\": \"English\"}]",
                     "[{\"code\": \"en\", \"name\": \"English\"}, {\"code\": \"xy\", \"name\": \"Xy\"}]"),
                "\"prompt\": {\"en\": \"How is it?\"}",
                "\"prompt\": {\"en\": \"How is it?\", \"xy\": \"Ot {a_score}?\"}, "
                "\"low_label\": {\"en\": \"Bad\", \"xy\": \"Dab\"}, \"high_label\": {\"en\": \"Good\", \"xy\": \"Doog\"}"),
           "\"low_label\": {\"en\": \"Bad\"}, \"high_label\": {\"en\": \"Good\"},", "");
  set_text = with(set_text, "\"start\": \"q\",",
                  "\"start\": \"q\", \"number_words\": {\"xy\": {\"article\": {\"ul\": [0, [2, 4]], \"ka\": \"other\"}}},");
  LoadResult r = parse_question_set(set_text);
  INFO(format_problems("set.json", r.problems));
  REQUIRE(r.set);
  const ArticleRule* xy = r.set->article_rule("xy");
  REQUIRE(xy);
  CHECK(with_article(xy, 0) == "ul 0");
  CHECK(with_article(xy, 1) == "ka 1");
  CHECK(with_article(xy, 3) == "ul 3");
  CHECK(with_article(xy, 8) == "ka 8");
  CHECK(render_prompt(r.set->questions[0].prompt, "xy", 4, xy) == "Ot ul 4?");
  // English keeps its built-in rule beside it.
  CHECK(with_article(r.set->article_rule("en"), 8) == "an 8");

  // A set's own English rule replaces the built-in one.
  std::string own = with(kSmall, "\"start\": \"q\",", "\"start\": \"q\", \"number_words\": {\"en\": {\"article\": {\"the\": \"other\"}}},");
  LoadResult mine = parse_question_set(own);
  REQUIRE(mine.set);
  CHECK(with_article(mine.set->article_rule("en"), 8) == "the 8");
}

TEST_CASE("bad article rules are refused at the value, with a clear message", "[questions][number_words]") {
  auto rule = [](const std::string& number_words) {
    return problems_of(with(kSmall, "\"start\": \"q\",", "\"start\": \"q\",\n  \"number_words\": " + number_words + ","));
  };
  CHECK(rule(R"({"en": {"article": {"an": [8]}}})") ==
        "set.json:8:38: the article rule for \"en\" needs one article for every other number, such as \"a\": \"other\"\n");
  CHECK(rule(R"({"en": {"article": {"an": [8, [80, 89], 8], "a": "other"}}})") ==
        "set.json:8:59: the number 8 has two articles in \"en\" (\"an\" and \"an\")\n");
  CHECK(rule(R"({"en": {"article": {"an": [8], "a": [8, 9], "the": "other"}}})") ==
        "set.json:8:56: the number 8 has two articles in \"en\" (\"an\" and \"a\")\n");
  CHECK(rule(R"({"en": {"article": {"an": "other", "a": "other"}}})") == "set.json:8:59: only one article in \"en\" can take \"other\"\n");
  CHECK(rule(R"({"en": {"article": {"an": [102], "a": "other"}}})") == "set.json:8:46: \"article\" must be a whole number from 0 to 101\n");
  CHECK(rule(R"({"en": {"article": {"an": [[9, 8]], "a": "other"}}})") == "set.json:8:46: the range [9, 8] must go from low to high\n");
  CHECK(rule(R"({"en": {"article": {"an": "rest", "a": "other"}}})") ==
        "set.json:8:45: the article \"an\" takes a list of numbers or \"other\", not \"rest\"\n");
  CHECK(rule(R"({"en": {"article": {"a n": [8], "a": "other"}}})") ==
        "set.json:8:46: the article \"a n\" in \"en\" must be 1 to 20 characters without spaces, braces or emoji\n");
  CHECK(rule(R"({"en": {"article": {"an": 8, "a": "other"}}})") ==
        "set.json:8:45: the article \"an\" takes \"other\" or a list of up to 102 numbers and ranges, such as [8, 11, [80, 89]]\n");
  CHECK(rule(R"({"fr": {"article": {"un": "other"}}})") ==
        "set.json:8:26: \"number_words\" has a rule for \"fr\", which is not one of the set's languages\n");
  CHECK(rule(R"({"en": {"articles": {"a": "other"}}})").find("unknown key \"articles\" in \"number_words\"") != std::string::npos);
  CHECK(rule(R"(["en"])") == "set.json:8:19: \"number_words\" must be an object, not a list\n");
  CHECK(problems_of(with(kSmall, "How is it?", "How is {a_scroe}?"))
            .find("unknown placeholder {a_scroe} (known: {score}, {score_plus_one}, {a_score}, {a_score_plus_one})") != std::string::npos);
}
