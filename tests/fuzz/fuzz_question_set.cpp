// Fuzzes question-set loading. A set that loads must keep the promises the
// kiosk relies on: the start question and every "go" target exist, and a
// visit ends whatever scores a resident gives.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "question_set.h"

namespace {

[[noreturn]] void broken(const char* promise) {
  std::fprintf(stderr, "fuzz_question_set: broken promise: %s\n", promise);
  std::abort();
}

void check_loaded_set(const tp::QuestionSet& set) {
  if (set.questions.empty()) broken("a loaded set has questions");
  if (!set.language(set.default_language)) broken("the default language is one of the set's languages");
  const tp::Question* start = set.find(set.start);
  if (!start) broken("the start question exists");

  // Scores on either side of every rule's bounds decide every branch.
  std::set<std::optional<int>> scores{std::nullopt};
  for (const auto& q : set.questions) {
    if (q.prompt.size() != set.languages.size()) broken("every prompt is in every language");
    for (const auto& rule : q.next) {
      if (rule.go != "end" && !set.find(rule.go)) broken("every \"go\" names a question");
      for (const auto& bound : {rule.score_min, rule.score_max}) {
        if (!bound) continue;
        for (int s : {*bound - 1, *bound, *bound + 1}) scores.insert(s);
      }
    }
    for (const auto& [language, text] : q.prompt) (void)tp::render_prompt(q.prompt, language, 7);
  }
  for (const auto& score : scores) {
    const tp::Question* q = start;
    std::size_t steps = 0;
    while (q) {
      if (++steps > set.questions.size()) broken("a visit ends, whatever the scores");
      q = set.next_after(*q, score);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tp::LoadResult result = tp::parse_question_set(std::string_view(reinterpret_cast<const char*>(data), size));
  if (result.set) {
    if (!result.problems.empty()) broken("a loaded set comes with no problems");
    check_loaded_set(*result.set);
  } else {
    if (result.problems.empty()) broken("a refused set says why");
    (void)tp::format_problems("set.json", result.problems);
  }
  return 0;
}
