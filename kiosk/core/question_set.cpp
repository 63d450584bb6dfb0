// Question-set loading and validation. Every check reports at the position
// of the offending value so that a person can find it in an editor.
#include "question_set.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "json.h"
#include "text.h"

namespace tp {

const Question* QuestionSet::find(std::string_view question_id) const {
  for (const auto& q : questions)
    if (q.id == question_id) return &q;
  return nullptr;
}

bool right_to_left_language(std::string_view code) {
  std::string_view primary = code.substr(0, code.find('-'));
  for (std::string_view rtl : {"ar", "he", "iw", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
    if (primary == rtl) return true;
  return false;
}

bool cased_language(std::string_view code) {
  std::string_view primary = code.substr(0, code.find('-'));
  // Scripts with no capital letters: Arabic and Hebrew ones, and the Brahmic
  // scripts of South Asia among those a venue is likely to offer.
  for (std::string_view uncased : {"ar", "he", "iw", "fa", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "bn", "hi", "pa", "gu",
                                   "ta", "te", "kn", "ml", "mr", "ne", "or", "si", "am", "ti", "th",  "zh", "ja", "ko"})
    if (primary == uncased) return false;
  return true;
}

const Language* QuestionSet::language(std::string_view code) const {
  for (const auto& l : languages)
    if (l.code == code) return &l;
  return nullptr;
}

const ArticleRule& english_articles() {
  static const ArticleRule rule = [] {
    ArticleRule r;
    for (int n : {8, 11, 18}) r.by_number[n] = "an";
    for (int n = 80; n <= 89; ++n) r.by_number[n] = "an";
    r.other = "a";
    return r;
  }();
  return rule;
}

const ArticleRule* QuestionSet::article_rule(std::string_view code) const {
  if (auto it = articles.find(std::string(code)); it != articles.end()) return &it->second;
  if (code == "en" || code.substr(0, 3) == "en-") return &english_articles();
  return nullptr;
}

const Question* QuestionSet::next_after(const Question& from, std::optional<int> score) const {
  for (const auto& rule : from.next) {
    if (rule.score_min) {
      if (!score || *score < *rule.score_min || *score > *rule.score_max) continue;
    }
    if (rule.go == "end") return nullptr;
    return find(rule.go);
  }
  return nullptr;
}

namespace {

constexpr std::string_view kFormat = "tenpoint-questions/1";
constexpr std::size_t kMaxPromptChars = 400;
constexpr std::size_t kMaxLabelChars = 60;
constexpr int kMaxScaleSteps = 11;  // one row of buttons
constexpr int kMaxTextLength = 2000;
// A visit lasts about 30 seconds and the attract screen shows a button per
// language: real sets are far below these. The caps also keep a hostile or
// broken file cheap to refuse (checks on larger lists cost quadratic time).
constexpr std::size_t kMaxLanguages = 16;
constexpr std::size_t kMaxQuestions = 100;
// Prompts quote a score (0 to 100) or one more than it.
constexpr int kMaxQuotedNumber = 101;
constexpr std::size_t kMaxArticleChars = 20;

using json::Value;
using Type = Value::Type;

class Checker {
 public:
  std::vector<Problem> problems;

  void report(const Value& at, std::string message) { problems.push_back({at.where.line, at.where.column, std::move(message)}); }

  const Value* need(const Value& obj, std::string_view key, Type type, std::string_view what) {
    const Value* v = obj.find(key);
    if (!v) {
      report(obj, std::string(what) + " needs \"" + std::string(key) + "\"");
      return nullptr;
    }
    if (v->type != type) {
      report(*v, "\"" + std::string(key) + "\" must be " + json::type_name(type) + ", not " + json::type_name(v->type));
      return nullptr;
    }
    return v;
  }

  const Value* optional(const Value& obj, std::string_view key, Type type) {
    const Value* v = obj.find(key);
    if (v && v->type != type) {
      report(*v, "\"" + std::string(key) + "\" must be " + json::type_name(type) + ", not " + json::type_name(v->type));
      return nullptr;
    }
    return v;
  }

  std::optional<int> integer(const Value* v, std::string_view key, int lo, int hi) {
    if (!v) return std::nullopt;
    if (!v->is_integer || v->number < lo || v->number > hi) {
      report(*v, "\"" + std::string(key) + "\" must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
      return std::nullopt;
    }
    return static_cast<int>(v->number);
  }

  void only_keys(const Value& obj, std::initializer_list<std::string_view> allowed, std::string_view what) {
    for (const auto& [key, value] : obj.members) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        report(value, "unknown key \"" + key + "\" in " + std::string(what) + " (known keys: " + list + ")");
      }
    }
  }

  static bool plain_id(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
  }

  std::string id(const Value* v, std::string_view key) {
    if (!v) return {};
    if (!plain_id(v->string)) {
      report(*v, "\"" + std::string(key) + "\" must be 1 to 64 characters of a-z, 0-9, '-' or '_'");
      return {};
    }
    return v->string;
  }

  // A text given in every language of the set.
  Translated translated(const Value& obj, std::string_view key, const std::vector<Language>& languages, std::size_t max_chars,
                        bool required, std::string_view what) {
    Translated out;
    const Value* v = required ? need(obj, key, Type::object, what) : optional(obj, key, Type::object);
    if (!v) return out;
    for (const auto& [code, text] : v->members) {
      // A named reference, not the binding itself: clang before 16 cannot capture structured bindings.
      const std::string& language_code = code;
      if (std::none_of(languages.begin(), languages.end(), [&](const Language& l) { return l.code == language_code; })) {
        report(text, "\"" + std::string(key) + "\" has text for \"" + code + "\", which is not one of the set's languages");
        continue;
      }
      if (text.type != Type::string) {
        report(text, "the \"" + code + "\" text of \"" + std::string(key) + "\" must be a string");
        continue;
      }
      std::size_t chars = count_code_points(text.string);
      if (chars == 0 || chars > max_chars) {
        report(text, "the \"" + code + "\" text of \"" + std::string(key) + "\" must be 1 to " + std::to_string(max_chars) +
                         " characters (it has " + std::to_string(chars) + ")");
        continue;
      }
      for (char32_t c : decode_utf8(text.string)) {
        if (c > 0xFFFF) {
          report(text, "the \"" + code + "\" text of \"" + std::string(key) +
                           "\" has a character beyond U+FFFF (such as an emoji), which the kiosk cannot draw");
          break;
        }
      }
      check_placeholders(text);
      out[code] = text.string;
    }
    for (const auto& l : languages)
      if (!out.count(l.code) && !v->find(l.code)) report(*v, "\"" + std::string(key) + "\" has no \"" + l.code + "\" text");
    return out;
  }

  void check_placeholders(const Value& text) {
    std::string_view s = text.string;
    std::size_t i = 0;
    while ((i = s.find('{', i)) != std::string_view::npos) {
      std::size_t close = s.find('}', i);
      if (close == std::string_view::npos) break;
      std::string_view name = s.substr(i + 1, close - i - 1);
      if (name != "score" && name != "score_plus_one" && name != "a_score" && name != "a_score_plus_one")
        report(text, "unknown placeholder {" + std::string(name) + "} (known: {score}, {score_plus_one}, {a_score}, {a_score_plus_one})");
      i = close + 1;
    }
  }
};

std::vector<Language> read_languages(Checker& c, const Value& root) {
  std::vector<Language> out;
  const Value* list = c.need(root, "languages", Type::array, "a question set");
  if (!list) return out;
  if (list->items.empty()) c.report(*list, "\"languages\" must name at least one language");
  if (list->items.size() > kMaxLanguages) {
    c.report(*list, "a question set has at most " + std::to_string(kMaxLanguages) + " languages");
    return out;
  }
  for (const auto& item : list->items) {
    if (item.type != Type::object) {
      c.report(item, "each language must be an object such as {\"code\": \"en\", \"name\": \"English\"}");
      continue;
    }
    c.only_keys(item, {"code", "name", "keyboard_extra", "direction"}, "a language");
    Language lang;
    if (const Value* code = c.need(item, "code", Type::string, "a language")) {
      bool ok = code->string.size() >= 2 && code->string.size() <= 8 &&
                std::all_of(code->string.begin(), code->string.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '-'; });
      if (!ok)
        c.report(*code, "a language code is 2 to 8 lower-case letters, such as \"en\" or \"cy\"");
      else if (std::any_of(out.begin(), out.end(), [&](const Language& l) { return l.code == code->string; }))
        c.report(*code, "the language \"" + code->string + "\" is listed twice");
      else
        lang.code = code->string;
    }
    if (const Value* name = c.need(item, "name", Type::string, "a language")) {
      if (name->string.empty() || count_code_points(name->string) > 30) c.report(*name, "a language name is 1 to 30 characters");
      lang.name = name->string;
    }
    if (const Value* extra = c.optional(item, "keyboard_extra", Type::string)) {
      if (count_code_points(extra->string) > 40) c.report(*extra, "\"keyboard_extra\" holds at most 40 letters");
      lang.keyboard_extra = extra->string;
    }
    lang.right_to_left = right_to_left_language(lang.code);
    if (const Value* direction = c.optional(item, "direction", Type::string)) {
      if (direction->string == "rtl" || direction->string == "ltr")
        lang.right_to_left = direction->string == "rtl";
      else
        c.report(*direction, "\"direction\" is \"ltr\" (left to right) or \"rtl\" (right to left)");
    }
    if (!lang.code.empty()) out.push_back(std::move(lang));
  }
  return out;
}

// "number_words": {"en": {"article": {"an": [8, 11, 18, [80, 89]], "a": "other"}}}
std::map<std::string, ArticleRule> read_number_words(Checker& c, const Value& root, const std::vector<Language>& languages) {
  std::map<std::string, ArticleRule> out;
  const Value* words = c.optional(root, "number_words", Type::object);
  if (!words) return out;
  for (const auto& [code, entry] : words->members) {
    const std::string& language_code = code;  // clang before 16 cannot capture structured bindings
    if (std::none_of(languages.begin(), languages.end(), [&](const Language& l) { return l.code == language_code; })) {
      c.report(entry, "\"number_words\" has a rule for \"" + code + "\", which is not one of the set's languages");
      continue;
    }
    if (entry.type != Type::object) {
      c.report(entry,
               "the \"" + code + "\" entry of \"number_words\" must be an object such as {\"article\": {\"an\": [8], \"a\": \"other\"}}");
      continue;
    }
    c.only_keys(entry, {"article"}, "\"number_words\"");
    const Value* article = c.need(entry, "article", Type::object, "the \"" + code + "\" entry of \"number_words\"");
    if (!article) continue;
    ArticleRule rule;
    bool has_other = false, ok = true;
    auto claim = [&](const Value& at, int n, const std::string& word) {
      auto [it, fresh] = rule.by_number.emplace(n, word);
      if (!fresh) {
        c.report(at, "the number " + std::to_string(n) + " has two articles in \"" + language_code + "\" (\"" + it->second + "\" and \"" +
                         word + "\")");
        ok = false;
      }
    };
    for (const auto& [word, numbers] : article->members) {
      std::size_t chars = count_code_points(word);
      bool plain = chars >= 1 && chars <= kMaxArticleChars && word.find_first_of(" {}") == std::string::npos &&
                   std::none_of(word.begin(), word.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; });
      for (char32_t ch : decode_utf8(word)) plain = plain && ch <= 0xFFFF;
      if (!plain) {
        c.report(numbers, "the article \"" + word + "\" in \"" + code + "\" must be 1 to " + std::to_string(kMaxArticleChars) +
                              " characters without spaces, braces or emoji");
        ok = false;
        continue;
      }
      if (numbers.type == Type::string) {
        if (numbers.string != "other") {
          c.report(numbers, "the article \"" + word + "\" takes a list of numbers or \"other\", not \"" + numbers.string + "\"");
          ok = false;
        } else if (has_other) {
          c.report(numbers, "only one article in \"" + code + "\" can take \"other\"");
          ok = false;
        } else {
          has_other = true;
          rule.other = word;
        }
        continue;
      }
      if (numbers.type != Type::array || numbers.items.size() > static_cast<std::size_t>(kMaxQuotedNumber) + 1) {
        c.report(numbers, "the article \"" + word + "\" takes \"other\" or a list of up to " + std::to_string(kMaxQuotedNumber + 1) +
                              " numbers and ranges, such as [8, 11, [80, 89]]");
        ok = false;
        continue;
      }
      for (const auto& n : numbers.items) {
        bool is_range = n.type == Type::array && n.items.size() == 2;
        auto lo = c.integer(is_range ? &n.items[0] : &n, "article", 0, kMaxQuotedNumber);
        auto hi = is_range ? c.integer(&n.items[1], "article", 0, kMaxQuotedNumber) : lo;
        if (!lo || !hi) {
          ok = false;
          continue;
        }
        if (*lo > *hi) {
          c.report(n, "the range [" + std::to_string(*lo) + ", " + std::to_string(*hi) + "] must go from low to high");
          ok = false;
          continue;
        }
        for (int v = *lo; v <= *hi; ++v) claim(n, v, word);
      }
    }
    if (!has_other) {
      c.report(*article, "the article rule for \"" + code + "\" needs one article for every other number, such as \"a\": \"other\"");
      ok = false;
    }
    if (ok) out[code] = std::move(rule);
  }
  return out;
}

struct PendingRef {
  const Value* at;
  std::string target;
};

Question read_question(Checker& c, const Value& item, const std::vector<Language>& languages, std::vector<PendingRef>& refs) {
  Question q;
  c.only_keys(item, {"id", "type", "prompt", "min", "max", "low_label", "high_label", "max_length", "options", "next"}, "a question");
  q.id = c.id(c.need(item, "id", Type::string, "a question"), "id");
  const Value* type = c.need(item, "type", Type::string, "a question");
  if (type) {
    if (type->string == "scale")
      q.type = QuestionType::scale;
    else if (type->string == "text")
      q.type = QuestionType::text;
    else if (type->string == "choice")
      q.type = QuestionType::choice;
    else
      c.report(*type, "unknown question type \"" + type->string + "\" (known: scale, text, choice)");
  }
  q.prompt = c.translated(item, "prompt", languages, kMaxPromptChars, true, "a question");

  auto forbid = [&](std::string_view key, std::string_view for_type) {
    if (const Value* v = item.find(key))
      c.report(*v, "\"" + std::string(key) + "\" belongs to " + std::string(for_type) + " questions only");
  };
  if (q.type == QuestionType::scale) {
    auto lo = c.integer(c.need(item, "min", Type::number, "a scale question"), "min", 0, 100);
    auto hi = c.integer(c.need(item, "max", Type::number, "a scale question"), "max", 0, 100);
    if (lo && hi) {
      if (*lo >= *hi)
        c.report(*item.find("max"), "\"max\" must be greater than \"min\"");
      else if (*hi - *lo + 1 > kMaxScaleSteps)
        c.report(*item.find("max"), "a scale has at most 11 steps (such as 0 to 10)");
      q.min = *lo;
      q.max = *hi;
    }
    q.low_label = c.translated(item, "low_label", languages, kMaxLabelChars, true, "a scale question");
    q.high_label = c.translated(item, "high_label", languages, kMaxLabelChars, true, "a scale question");
  } else {
    forbid("min", "scale");
    forbid("max", "scale");
    forbid("low_label", "scale");
    forbid("high_label", "scale");
  }
  if (q.type == QuestionType::text) {
    if (auto len = c.integer(c.need(item, "max_length", Type::number, "a text question"), "max_length", 1, kMaxTextLength))
      q.max_length = *len;
  } else {
    forbid("max_length", "text");
  }
  if (q.type == QuestionType::choice) {
    if (const Value* options = c.need(item, "options", Type::array, "a choice question")) {
      if (options->items.size() < 2 || options->items.size() > 8) c.report(*options, "a choice question has 2 to 8 options");
      for (const auto& o : options->items) {
        if (o.type != Type::object) {
          c.report(o, "each option must be an object with \"id\" and \"label\"");
          continue;
        }
        c.only_keys(o, {"id", "label"}, "an option");
        Option opt;
        opt.id = c.id(c.need(o, "id", Type::string, "an option"), "id");
        if (!opt.id.empty() && std::any_of(q.options.begin(), q.options.end(), [&](const Option& x) { return x.id == opt.id; }))
          c.report(*o.find("id"), "the option id \"" + opt.id + "\" is used twice in this question");
        opt.label = c.translated(o, "label", languages, kMaxLabelChars, true, "an option");
        q.options.push_back(std::move(opt));
      }
    }
  } else {
    forbid("options", "choice");
  }
  if (const Value* next = c.optional(item, "next", Type::array)) {
    for (const auto& r : next->items) {
      if (r.type != Type::object) {
        c.report(r, "each rule in \"next\" must be an object such as {\"go\": \"keep\"}");
        continue;
      }
      c.only_keys(r, {"when_score", "go"}, "a rule");
      NextRule rule;
      if (const Value* go = c.need(r, "go", Type::string, "a rule")) {
        rule.go = go->string;
        if (go->string != "end") refs.push_back({go, go->string});
      }
      if (const Value* when = c.optional(r, "when_score", Type::array)) {
        auto lo = when->items.size() == 2 ? c.integer(&when->items[0], "when_score", 0, 100) : std::nullopt;
        auto hi = when->items.size() == 2 ? c.integer(&when->items[1], "when_score", 0, 100) : std::nullopt;
        if (when->items.size() != 2)
          c.report(*when, "\"when_score\" is a range of two scores, such as [1, 9]");
        else if (lo && hi && *lo > *hi)
          c.report(*when, "\"when_score\" must go from low to high");
        else if (lo && hi) {
          rule.score_min = lo;
          rule.score_max = hi;
        }
      }
      q.next.push_back(std::move(rule));
    }
  }
  return q;
}

// A visit must always end: follow-up rules may not lead back to a question already asked.
void check_cycles(Checker& c, const QuestionSet& set, const std::vector<const Value*>& question_nodes) {
  std::map<std::string, int> state;  // 0 unseen, 1 on path, 2 done
  std::function<bool(const Question&)> visit = [&](const Question& q) {
    state[q.id] = 1;
    for (const auto& r : q.next) {
      const Question* n = set.find(r.go);
      if (!n) continue;
      if (state[n->id] == 1) return true;
      if (state[n->id] == 0 && visit(*n)) return true;
    }
    state[q.id] = 2;
    return false;
  };
  for (std::size_t i = 0; i < set.questions.size(); ++i) {
    if (state[set.questions[i].id] == 0 && visit(set.questions[i])) {
      c.report(*question_nodes[i], "the \"next\" rules form a loop through \"" + set.questions[i].id + "\"; a visit must always end");
      return;
    }
  }
}

}  // namespace

LoadResult parse_question_set(std::string_view text) {
  LoadResult result;
  json::ParseResult parsed = json::parse(text);
  if (!parsed.ok) {
    result.problems.push_back({parsed.error_at.line, parsed.error_at.column, parsed.error});
    return result;
  }
  const Value& root = parsed.value;
  Checker c;
  if (root.type != Type::object) {
    c.report(root, "a question set must be a JSON object");
    result.problems = std::move(c.problems);
    return result;
  }
  c.only_keys(root,
              {"format", "id", "version", "languages", "default_language", "start", "questions", "number_words", "$schema", "comment"},
              "a question set");
  QuestionSet set;
  if (const Value* format = c.need(root, "format", Type::string, "a question set"))
    if (format->string != kFormat)
      c.report(*format, "unknown format \"" + format->string + "\" (this kiosk reads \"" + std::string(kFormat) + "\")");
  set.id = c.id(c.need(root, "id", Type::string, "a question set"), "id");
  if (auto v = c.integer(c.need(root, "version", Type::number, "a question set"), "version", 1, 1000000000)) set.version = *v;
  set.languages = read_languages(c, root);
  if (const Value* def = c.need(root, "default_language", Type::string, "a question set")) {
    if (!set.language(def->string)) c.report(*def, "the default language \"" + def->string + "\" is not in \"languages\"");
    set.default_language = def->string;
  }
  set.articles = read_number_words(c, root, set.languages);
  std::vector<PendingRef> refs;
  std::vector<const Value*> nodes;
  if (const Value* list = c.need(root, "questions", Type::array, "a question set")) {
    if (list->items.empty()) c.report(*list, "a question set needs at least one question");
    if (list->items.size() > kMaxQuestions) c.report(*list, "a question set has at most " + std::to_string(kMaxQuestions) + " questions");
    for (const auto& item : list->items) {
      if (set.questions.size() >= kMaxQuestions) break;
      if (item.type != Type::object) {
        c.report(item, "each question must be an object");
        continue;
      }
      Question q = read_question(c, item, set.languages, refs);
      if (!q.id.empty() && set.find(q.id)) c.report(*item.find("id"), "the question id \"" + q.id + "\" is used twice");
      set.questions.push_back(std::move(q));
      nodes.push_back(&item);
    }
  }
  if (const Value* start = c.need(root, "start", Type::string, "a question set")) {
    if (!set.find(start->string)) c.report(*start, "\"start\" names \"" + start->string + "\", which is not a question in this set");
    set.start = start->string;
  }
  for (const auto& ref : refs)
    if (!set.find(ref.target))
      c.report(*ref.at, "\"go\" names \"" + ref.target + "\", which is not a question in this set (use \"end\" to finish)");
  if (c.problems.empty()) check_cycles(c, set, nodes);

  if (c.problems.empty())
    result.set = std::move(set);
  else
    result.problems = std::move(c.problems);
  return result;
}

LoadResult load_question_set(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.problems.push_back({0, 0, "unable to read the file (missing, or no permission)"});
    return r;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return parse_question_set(buf.str());
}

std::string format_problems(const std::string& file, const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    out += file;
    if (p.line > 0) out += ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
    out += ": " + p.message + "\n";
  }
  return out;
}

std::string with_article(const ArticleRule* rule, int number) {
  std::string digits = std::to_string(number);
  if (!rule) return digits;
  auto it = rule->by_number.find(number);
  return (it != rule->by_number.end() ? it->second : rule->other) + " " + digits;
}

std::string render_prompt(const Translated& text, const std::string& language, std::optional<int> score, const ArticleRule* articles) {
  auto it = text.find(language);
  if (it == text.end()) it = text.begin();
  if (it == text.end()) return {};
  return fill_placeholders(it->second, [&](std::string_view name, std::string& value) {
    if (!score) return false;
    if (name == "score")
      value = std::to_string(*score);
    else if (name == "score_plus_one")
      value = std::to_string(*score + 1);
    else if (name == "a_score")
      value = with_article(articles, *score);
    else if (name == "a_score_plus_one")
      value = with_article(articles, *score + 1);
    else
      return false;
    return true;
  });
}

}  // namespace tp
