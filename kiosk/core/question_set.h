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
};

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

struct QuestionSet {
  std::string id;
  int version = 0;
  std::vector<Language> languages;
  std::string default_language;
  std::string start;
  std::vector<Question> questions;

  const Question* find(std::string_view question_id) const;
  const Language* language(std::string_view code) const;
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

// Text of a prompt in `language` with {score} and {score_plus_one} filled in.
std::string render_prompt(const Translated& text, const std::string& language, std::optional<int> score);

}  // namespace tp
