// Question sets: what the kiosk asks, in which languages, in which order.
//
// The file format is documented in config/questions/FORMAT.md. A set is
// loaded only whole and valid: load_question_set() reports every problem it
// finds as FILE:LINE:COLUMN: message and returns no set at all when there is
// one, so a kiosk never runs half a set.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tp {

using Translated = std::map<std::string, std::string>;  // language code -> text

struct Language {
  std::string code;            // "en", "cy"
  std::string name;            // the language named in itself: "Cymraeg"
  std::string keyboard_extra;  // accented letters its keyboard offers
  bool right_to_left = false;  // "direction": "rtl", or else from the code (right_to_left_language())
};

// True for a language written right to left: Arabic, Hebrew, Persian, Urdu,
// Pashto, Sindhi, Uyghur, Yiddish, Dhivehi, Sorani Kurdish ("ar", "ar-eg").
bool right_to_left_language(std::string_view code);
// Whether the language's script has capital letters (Latin, Cyrillic, Greek
// ...): a typed note then starts with shift on. Arabic, Bengali and the like
// have none, and their keyboards may use shift for a second set of letters.
bool cased_language(std::string_view code);

enum class QuestionType { scale, text, choice };

struct Option {
  std::string id;
  Translated label;
};

// Where to go after a question. The first rule that matches wins; a rule
// without a score range always matches. The score is the most recent scale
// answer of this visit.
struct NextRule {
  std::optional<int> score_min, score_max;
  std::string go;  // a question id, or "end"
};

struct Question {
  std::string id;
  QuestionType type = QuestionType::scale;
  Translated prompt;
  // scale
  int min = 0, max = 10;
  Translated low_label, high_label;
  // text
  int max_length = 300;  // in characters (code points)
  // choice
  std::vector<Option> options;
  std::vector<NextRule> next;
};

// How a language puts an article before a number in a prompt ("an 8", "a 7"),
// from the set's "number_words". A number not listed takes `other`.
struct ArticleRule {
  std::map<int, std::string> by_number;  // 8 -> "an"
  std::string other;                     // "a"
};

// English's own rule: "an" before the numbers that are said starting with a
// vowel sound (8, 11, 18, 80 to 89), "a" before the rest.
const ArticleRule& english_articles();

struct QuestionSet {
  std::string id;
  int version = 0;
  std::vector<Language> languages;
  std::string default_language;
  std::string start;
  std::vector<Question> questions;
  std::map<std::string, ArticleRule> articles;  // language code -> its rule, from "number_words"

  const Question* find(std::string_view question_id) const;
  const Language* language(std::string_view code) const;
  // The set's rule for `language`; else the built-in one for English ("en",
  // "en-gb"); else nullptr, and the number stands alone.
  const ArticleRule* article_rule(std::string_view language) const;
  // The question that follows `from`, given the visit's latest score; nullptr ends the visit.
  const Question* next_after(const Question& from, std::optional<int> score) const;
};

struct Problem {
  int line = 0, column = 0;
  std::string message;
};

struct LoadResult {
  std::optional<QuestionSet> set;
  std::vector<Problem> problems;  // empty when set has a value
};

LoadResult parse_question_set(std::string_view json_text);
LoadResult load_question_set(const std::string& path);

// "FILE:LINE:COLUMN: message", one per line.
std::string format_problems(const std::string& file, const std::vector<Problem>& problems);

// "an 8" by `rule`; the bare number when there is no rule.
std::string with_article(const ArticleRule* rule, int number);

// Text of a prompt in `language` with {score} and {score_plus_one} filled in,
// and {a_score} and {a_score_plus_one} with the article `articles` gives.
std::string render_prompt(const Translated& text, const std::string& language, std::optional<int> score,
                          const ArticleRule* articles = nullptr);

}  // namespace tp
