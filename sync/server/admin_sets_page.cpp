// The admin web's question-set pages: the list of sets with their versions
// and assignments, the editor (the scaling question's prompt per language
// as fields, the rest as the set's JSON), publish, assign, roll back, and
// the follow-up flow drawn as an SVG diagram. The store does the work
// (question_set_versions.h); the kiosk's own validator judges every draft.
//
// The prompt fields are written into the JSON text in place (the string
// literal at the validator's location is replaced), so every other byte of
// the set, comments and layout included, is kept.
//
// The scaling question's follow-up rules by score band are fields too: one
// row per rule (lowest score, highest score, the question it leads to) and a
// few empty rows to add one; a row leading nowhere is removed. When the rows
// as posted differ from the rules the page showed, they replace that
// question's "next" list in the JSON, so if both the rows and the JSON's
// rules were changed, the rows win; unchanged rows leave the JSON's rules as
// they are. Besides the kiosk's validator, the editor refuses a band that
// overlaps an earlier one or leaves the question's min..max.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "admin_pages.h"
#include "json.h"
#include "question_set.h"
#include "question_set_versions.h"

namespace tp::server {

using admin_page::csrf_field;
using admin_page::escape;
using admin_page::frame;
using admin_page::html;
using admin_page::notice;
using admin_page::redirect;

namespace {

constexpr const char* kNewSetTemplate = R"json({
  "format": "tenpoint-questions/1",
  "id": "new-set",
  "version": 1,
  "languages": [{"code": "en", "name": "English"}],
  "default_language": "en",
  "start": "main",
  "questions": [
    {
      "id": "main",
      "type": "scale",
      "min": 0,
      "max": 10,
      "prompt": {"en": "On 0 to 10, how well is this place working for you?"},
      "low_label": {"en": "Not at all"},
      "high_label": {"en": "Perfectly"},
      "next": [{"go": "why"}]
    },
    {
      "id": "why",
      "type": "text",
      "max_length": 300,
      "prompt": {"en": "What makes it a {score} and not a lower number?"},
      "next": [{"go": "end"}]
    }
  ]
}
)json";

// The byte offset of a 1-based line and code-point column, or npos.
std::size_t offset_of(std::string_view text, json::Location at) {
  std::size_t i = 0;
  for (int line = 1; line < at.line; ++line) {
    i = text.find('\n', i);
    if (i == std::string_view::npos) return i;
    ++i;
  }
  for (int col = 1; col < at.column && i < text.size(); ++col) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;  // continuation bytes
  }
  return i <= text.size() ? i : std::string_view::npos;
}

// The end (one past the closing quote) of the string literal starting at `start`.
std::size_t string_end(std::string_view text, std::size_t start) {
  if (start >= text.size() || text[start] != '"') return std::string_view::npos;
  for (std::size_t i = start + 1; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '"')
      return i + 1;
  }
  return std::string_view::npos;
}

// The scaling question a form edits: the start question if it is a scale,
// else the first scale question.
const json::Value* scale_question(const json::Value& root) {
  const json::Value* questions = root.find("questions");
  if (!questions || !questions->is(json::Value::Type::array)) return nullptr;
  const json::Value* start = root.find("start");
  const json::Value* first_scale = nullptr;
  for (const auto& q : questions->items) {
    const json::Value* type = q.find("type");
    if (!type || type->string != "scale") continue;
    if (!first_scale) first_scale = &q;
    const json::Value* id = q.find("id");
    if (start && id && id->string == start->string) return &q;
  }
  return first_scale;
}

// The scaling question's words a form edits field by field, with what the
// form calls them.
struct WordsKey {
  const char* key;
  const char* label;
};
constexpr WordsKey kScaleWords[] = {{"prompt", "Prompt"}, {"low_label", "Label at the low end"}, {"high_label", "Label at the high end"}};

// One follow-up rule of the scaling question as the form shows it: the
// score range as typed (both empty: any other score) and where it leads
// (empty: no rule).
struct RuleRow {
  std::string from, to, go;
};
constexpr std::size_t kEmptyRuleRows = 3;

struct PromptFields {
  std::string question_id;
  std::vector<std::string> question_ids;  // every question's, for "leads to"
  std::vector<RuleRow> rules;             // the scaling question's, in order
  std::vector<std::set<int>> rule_lines;  // per rule: the lines its problems are reported on
  std::vector<std::string> languages;     // the set's, in its order
  // key ("prompt") -> language -> its text in the JSON, and the line of that text (for problems)
  std::map<std::string, std::map<std::string, std::string>> now;
  std::map<std::string, std::map<std::string, int>> line;
};

PromptFields prompt_fields(const std::string& text) {
  PromptFields f;
  auto parsed = json::parse(text);
  if (!parsed.ok) return f;
  if (const json::Value* langs = parsed.value.find("languages"); langs && langs->is(json::Value::Type::array))
    for (const auto& l : langs->items)
      if (const json::Value* code = l.find("code"); code && code->is(json::Value::Type::string)) f.languages.push_back(code->string);
  const json::Value* q = scale_question(parsed.value);
  if (!q) return f;
  if (const json::Value* id = q->find("id")) f.question_id = id->string;
  if (const json::Value* qs = parsed.value.find("questions"); qs && qs->is(json::Value::Type::array))
    for (const auto& item : qs->items)
      if (const json::Value* id = item.find("id"); id && id->is(json::Value::Type::string)) f.question_ids.push_back(id->string);
  auto number_text = [](const json::Value& v) {
    if (v.is(json::Value::Type::string)) return v.string;
    if (!v.is(json::Value::Type::number)) return std::string();
    return v.is_integer ? std::to_string(static_cast<long long>(v.number)) : std::to_string(v.number);
  };
  if (const json::Value* next = q->find("next"); next && next->is(json::Value::Type::array))
    for (const auto& r : next->items) {
      RuleRow row;
      std::set<int> lines{r.where.line};
      if (const json::Value* when = r.find("when_score"); when && when->is(json::Value::Type::array)) {
        lines.insert(when->where.line);
        for (const auto& item : when->items) lines.insert(item.where.line);
        if (when->items.size() == 2) {
          row.from = number_text(when->items[0]);
          row.to = number_text(when->items[1]);
        }
      }
      if (const json::Value* go = r.find("go")) {
        row.go = go->string;
        lines.insert(go->where.line);
      }
      f.rules.push_back(std::move(row));
      f.rule_lines.push_back(std::move(lines));
    }
  for (const WordsKey& w : kScaleWords)
    if (const json::Value* words = q->find(w.key); words && words->is(json::Value::Type::object))
      for (const auto& m : words->members) {
        f.now[w.key][m.first] = m.second.string;
        f.line[w.key][m.first] = m.second.where.line;
      }
  return f;
}

// `text` with the scaling question's `key` ("prompt", "low_label",
// "high_label") in each language of `prompts` replaced (or added), every
// other byte kept. nullopt when the JSON does not parse or its scaling
// question has no such object.
std::optional<std::string> with_words(const std::string& text, const char* key, const std::map<std::string, std::string>& prompts) {
  auto parsed = json::parse(text);
  if (!parsed.ok) return std::nullopt;
  const json::Value* q = scale_question(parsed.value);
  const json::Value* prompt = q ? q->find(key) : nullptr;
  if (!prompt || !prompt->is(json::Value::Type::object)) return std::nullopt;
  struct Edit {
    std::size_t from, to;
    std::string with;
  };
  std::vector<Edit> edits;
  std::string added;
  for (const auto& [lang, value] : prompts) {
    auto member = std::find_if(prompt->members.begin(), prompt->members.end(), [&](const json::Member& m) { return m.first == lang; });
    if (member == prompt->members.end()) {
      if (!value.empty()) added += json::quote(lang) + ": " + json::quote(value) + ", ";
      continue;
    }
    if (member->second.string == value) continue;
    std::size_t from = offset_of(text, member->second.where);
    std::size_t to = string_end(text, from);
    if (to == std::string::npos) return std::nullopt;
    edits.push_back({from, to, json::quote(value)});
  }
  if (!added.empty()) {
    std::size_t brace = offset_of(text, prompt->where);
    if (brace == std::string::npos || text[brace] != '{') return std::nullopt;
    if (prompt->members.empty()) added.resize(added.size() - 2);
    edits.push_back({brace + 1, brace + 1, added});
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.from > b.from; });
  std::string out = text;
  for (const auto& e : edits) out.replace(e.from, e.to - e.from, e.with);
  return out;
}

// The rows as one string, to tell whether the form changed them.
std::string rules_key(const std::vector<RuleRow>& rows) {
  std::string key;
  for (const auto& r : rows)
    if (!r.go.empty()) key += r.from + "," + r.to + "," + r.go + "\n";
  return key;
}

std::string trimmed(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// A score as typed: a whole number 0-100, or nullopt.
std::optional<int> score_of(const std::string& text) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v < 0 || v > 100) return std::nullopt;
  return v;
}

// The end (one past) of the list or object starting at `start`.
std::size_t value_end(std::string_view text, std::size_t start) {
  if (start >= text.size() || (text[start] != '[' && text[start] != '{')) return string_end(text, start);
  int depth = 0;
  for (std::size_t i = start; i < text.size(); ++i) {
    char ch = text[i];
    if (ch == '"') {
      i = string_end(text, i);
      if (i == std::string_view::npos) return i;
      --i;
    } else if (ch == '[' || ch == '{') {
      ++depth;
    } else if ((ch == ']' || ch == '}') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// `text` with the scaling question's "next" list replaced by `rows` (each
// checked by the caller), one rule a line; every other byte kept. nullopt
// when the JSON does not parse or has no scaling question.
std::optional<std::string> with_rules(const std::string& text, const std::vector<RuleRow>& rows) {
  auto parsed = json::parse(text);
  if (!parsed.ok) return std::nullopt;
  const json::Value* q = scale_question(parsed.value);
  if (!q || !q->is(json::Value::Type::object)) return std::nullopt;
  auto indent_at = [&](std::size_t at) {
    std::size_t b = text.rfind('\n', at);
    b = b == std::string::npos ? 0 : b + 1;
    std::size_t e = b;
    while (e < text.size() && (text[e] == ' ' || text[e] == '\t')) ++e;
    return text.substr(b, e - b);
  };
  const json::Value* next = q->find("next");
  std::size_t brace = offset_of(text, q->where);
  if (brace == std::string::npos || text[brace] != '{') return std::nullopt;
  std::size_t from = next ? offset_of(text, next->where) : std::string::npos;
  std::string indent = next ? indent_at(from) : indent_at(brace) + "  ";
  std::string list = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    list += (i ? ",\n" : "\n") + indent + "  {";
    if (!rows[i].from.empty())
      list += "\"when_score\": [" + std::to_string(*score_of(rows[i].from)) + ", " + std::to_string(*score_of(rows[i].to)) + "], ";
    list += "\"go\": " + json::quote(rows[i].go) + "}";
  }
  list += rows.empty() ? "]" : "\n" + indent + "]";
  std::string out = text;
  if (next) {
    std::size_t to = value_end(text, from);
    if (from == std::string::npos || to == std::string::npos) return std::nullopt;
    out.replace(from, to - from, list);
  } else {
    out.insert(brace + 1, "\n" + indent + "\"next\": " + list + ",");
  }
  return out;
}

// The editor's own checks on the scaling question's bands, beyond the
// kiosk's: each band within the question's min..max, none overlapping an
// earlier one (a score there would always take the earlier rule).
std::vector<Problem> band_problems(const std::string& text) {
  std::vector<Problem> out;
  auto parsed = json::parse(text);
  if (!parsed.ok) return out;
  const json::Value* q = scale_question(parsed.value);
  const json::Value* next = q ? q->find("next") : nullptr;
  if (!next || !next->is(json::Value::Type::array)) return out;
  auto whole = [](const json::Value* v, int fallback) {
    return v && v->is(json::Value::Type::number) && v->is_integer ? static_cast<int>(v->number) : fallback;
  };
  int min = whole(q->find("min"), 0), max = whole(q->find("max"), 10);
  struct Band {
    int lo, hi;
  };
  std::vector<Band> earlier;
  for (const auto& r : next->items) {
    const json::Value* when = r.find("when_score");
    if (!when || !when->is(json::Value::Type::array) || when->items.size() != 2) continue;
    const json::Value &a = when->items[0], &b = when->items[1];
    if (!a.is(json::Value::Type::number) || !a.is_integer || !b.is(json::Value::Type::number) || !b.is_integer) continue;
    Band band{static_cast<int>(a.number), static_cast<int>(b.number)};
    if (band.lo > band.hi) continue;  // the kiosk's validator says so
    std::string range = std::to_string(band.lo) + "–" + std::to_string(band.hi);
    if (band.lo < min || band.hi > max)
      out.push_back({when->where.line, when->where.column,
                     "the scores " + range + " go outside this question's scale, " + std::to_string(min) + " to " + std::to_string(max)});
    for (const Band& e : earlier)
      if (band.lo <= e.hi && e.lo <= band.hi) {
        out.push_back({when->where.line, when->where.column,
                       "the scores " + range + " overlap an earlier rule's " + std::to_string(e.lo) + "–" + std::to_string(e.hi) +
                           "; the first rule that matches wins, so give each score one rule"});
        break;
      }
    earlier.push_back(band);
  }
  return out;
}

std::string band_text(const NextRule& r, bool only_rule) {
  if (!r.score_min && !r.score_max) return only_rule ? "always" : "any other score";
  int lo = r.score_min.value_or(0), hi = r.score_max.value_or(10);
  return lo == hi ? "score " + std::to_string(lo) : "score " + std::to_string(lo) + "–" + std::to_string(hi);
}

// The follow-up flow: one box per question in the set's order, an "End"
// box, and an arrow per rule labelled with its score band. No script, no
// style attributes (the page's CSP allows neither).
std::string flow_diagram(const QuestionSet& set) {
  const int box_w = 300, box_h = 44, gap = 28, x = 12;
  const int n = static_cast<int>(set.questions.size());
  std::map<std::string, int> row;
  for (int i = 0; i < n; ++i) row[set.questions[static_cast<std::size_t>(i)].id] = i;
  struct Edge {
    int from, to;
    std::string label;
    int nth = 0;  // among its source's rules
  };
  std::vector<Edge> edges;
  for (int i = 0; i < n; ++i) {
    const auto& rules = set.questions[static_cast<std::size_t>(i)].next;
    for (std::size_t j = 0; j < rules.size(); ++j)
      edges.push_back({i, rules[j].go == "end" || !row.count(rules[j].go) ? n : row[rules[j].go], band_text(rules[j], rules.size() == 1),
                       static_cast<int>(j)});
  }
  const int lane_w = 26;
  const int width = x + box_w + 30 + static_cast<int>(edges.size()) * lane_w + 150;
  const int height = (n + 1) * (box_h + gap) + 10;
  auto y_of = [&](int i) { return 10 + i * (box_h + gap); };
  std::string desc;
  for (const auto& e : edges)
    desc += set.questions[static_cast<std::size_t>(e.from)].id + " after " + e.label + " goes to " +
            (e.to == n ? std::string("the end") : set.questions[static_cast<std::size_t>(e.to)].id) + ". ";
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " + std::to_string(width) + " " +
                    std::to_string(height) +
                    "\" font-family=\"Noto Sans, DejaVu Sans, sans-serif\" font-size=\"14\"><title>Follow-up flow of " + escape(set.id) +
                    "</title><desc>" + escape(desc) + "</desc>";
  svg +=
      "<defs><marker id=\"tp-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
      "<path d=\"M0 0 L10 5 L0 10 z\" fill=\"#1E2430\"/></marker></defs>";
  for (int i = 0; i <= n; ++i) {
    int y = y_of(i);
    bool end = i == n;
    std::string label;
    if (end) {
      label = "End";
    } else {
      const Question& q = set.questions[static_cast<std::size_t>(i)];
      const char* kind = q.type == QuestionType::scale ? "scale" : q.type == QuestionType::text ? "text" : "choice";
      label = q.id + " (" + kind + ")";
      if (q.id == set.start) label += ", start";
    }
    svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(box_w) + "\" height=\"" +
           std::to_string(box_h) + "\" rx=\"6\" fill=\"" + (end ? "#F6F4EF" : "#FFFFFF") + "\" stroke=\"" +
           (!end && set.questions[static_cast<std::size_t>(i)].id == set.start ? "#0B6E69" : "#5A6170") + "\" stroke-width=\"2\"/>";
    svg += "<text x=\"" + std::to_string(x + 12) + "\" y=\"" + std::to_string(y + 27) + "\" fill=\"#1E2430\">" + escape(label) + "</text>";
  }
  for (std::size_t k = 0; k < edges.size(); ++k) {
    const Edge& e = edges[k];
    int x0 = x + box_w, lane = x + box_w + 30 + static_cast<int>(k) * lane_w;
    int y0 = y_of(e.from) + 10 + (e.nth % 3) * 12, y1 = y_of(e.to) + box_h / 2;
    svg += "<path d=\"M" + std::to_string(x0) + " " + std::to_string(y0) + " H" + std::to_string(lane) + " V" + std::to_string(y1) + " H" +
           std::to_string(x0 + 2) + "\" fill=\"none\" stroke=\"#0B6E69\" stroke-width=\"1.5\" marker-end=\"url(#tp-arrow)\"/>";
  }
  // Labels last, on a paper ground, so no line crosses one.
  for (std::size_t k = 0; k < edges.size(); ++k) {
    const Edge& e = edges[k];
    int lane = x + box_w + 30 + static_cast<int>(k) * lane_w;
    int y0 = y_of(e.from) + 10 + (e.nth % 3) * 12;
    int w = static_cast<int>(e.label.size()) * 7 + 6;
    svg += "<rect x=\"" + std::to_string(lane + 3) + "\" y=\"" + std::to_string(y0 - 6) + "\" width=\"" + std::to_string(w) +
           "\" height=\"13\" fill=\"#F6F4EF\"/><text x=\"" + std::to_string(lane + 6) + "\" y=\"" + std::to_string(y0 + 4) +
           "\" fill=\"#1E2430\" font-size=\"12\">" + escape(e.label) + "</text>";
  }
  svg += "</svg>";
  std::string list = "<details><summary>The flow as a list</summary><ul>";
  for (const auto& e : edges)
    list += "<li>" + escape(set.questions[static_cast<std::size_t>(e.from)].id) + ", after " + escape(e.label) + ": " +
            (e.to == n ? std::string("end") : escape(set.questions[static_cast<std::size_t>(e.to)].id)) + "</li>";
  list += "</ul></details>";
  return "<div class=\"diagram\">" + svg + "</div>" + list;
}

std::string date_range(const SetAssignment& a) {
  if (!a.starts_at) return "standing";
  return local_date(*a.starts_at) + " to " + local_date(*a.ends_at - 1);
}

}  // namespace

ApiResponse AdminWeb::sets(Context& c) {
  auto versions = store_.set_versions();
  if (!versions) return unavailable(versions.status(), "list question sets");
  auto assignments = store_.set_assignments();
  if (!assignments) return unavailable(assignments.status(), "list assignments");
  auto venues = admin_.venues();
  if (!venues) return unavailable(venues.status(), "list venues");
  std::map<std::string, std::vector<SetVersionInfo>> by_set;
  for (const auto& v : *versions) by_set[v.set_id].push_back(v);

  std::string body = "<h1>Question sets</h1>";
  if (std::string done = c.query.get("done"); !done.empty()) body += notice(escape(done));
  body += "<p><a class=\"button\" href=\"/admin/sets/edit\">New question set</a></p>";
  if (by_set.empty()) body += "<p>No question sets on this server yet.</p>";
  for (const auto& [id, list] : by_set) {
    const SetVersionInfo& latest = list.back();
    body += "<section class=\"card\"><h2>" + escape(id) +
            "</h2><div class=\"table-wrap\"><table class=\"data stack\"><thead><tr>"
            "<th scope=\"col\">Version</th><th scope=\"col\">State</th><th scope=\"col\">Made</th></tr></thead><tbody>";
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      std::string state = it->published ? "published " + local_date(*it->published_at) : "draft";
      if (it->rolled_back_from) state += " (the content of version " + std::to_string(it->rolled_back_from) + ")";
      body += "<tr><td data-label=\"Version\">" + std::to_string(it->version) + "</td><td data-label=\"State\">" + escape(state) +
              "</td><td data-label=\"Made\">" + local_date(it->created_at) + "</td></tr>";
    }
    body +=
        "</tbody></table></div><div class=\"actions\"><a class=\"button secondary\" href=\"/admin/sets/edit?set=" + escape(url_encode(id)) +
        "\">Edit " + escape(id) + "</a>";
    if (!latest.published)
      body += "<form class=\"inline\" method=\"post\" action=\"/admin/sets/publish\">" + csrf_field(*c.who) +
              "<input type=\"hidden\" name=\"set\" value=\"" + escape(id) + "\"/><button type=\"submit\">Publish version " +
              std::to_string(latest.version) + "</button></form>";
    std::string options;
    for (const auto& v : list)
      if (v.published && v.version != latest.version)
        options += "<option value=\"" + std::to_string(v.version) + "\">" + std::to_string(v.version) + "</option>";
    if (!options.empty())
      body +=
          "<form class=\"inline\" method=\"post\" action=\"/admin/sets/rollback\" data-confirm=\"Publish that version's content again?\">" +
          csrf_field(*c.who) + "<input type=\"hidden\" name=\"set\" value=\"" + escape(id) + "\"/><div class=\"field\"><label for=\"to-" +
          escape(id) + "\">Roll back to version</label><select id=\"to-" + escape(id) + "\" name=\"to\">" + options +
          "</select></div><button class=\"secondary\" type=\"submit\">Roll back</button></form>";
    body += "</div></section>";
  }

  body += "<h2>Assignments</h2>";
  if (assignments->empty()) {
    body += "<p>No venue has a set yet.</p>";
  } else {
    body +=
        "<div class=\"table-wrap\"><table class=\"data stack\"><thead><tr><th scope=\"col\">Venue</th><th scope=\"col\">Set</th>"
        "<th scope=\"col\">Days</th></tr></thead><tbody>";
    for (const auto& a : *assignments)
      body += "<tr><td data-label=\"Venue\">" + escape(a.venue) + "</td><td data-label=\"Set\">" + escape(a.set_id) +
              "</td><td data-label=\"Days\">" + escape(date_range(a)) + "</td></tr>";
    body += "</tbody></table></div>";
  }
  if (!by_set.empty()) {
    body += "<h3>Assign a set to a venue</h3><form class=\"inline card\" method=\"post\" action=\"/admin/sets/assign\">" +
            csrf_field(*c.who) + "<div class=\"field\"><label for=\"assign-set\">Set</label><select id=\"assign-set\" name=\"set\">";
    for (const auto& [id, list] : by_set) body += "<option value=\"" + escape(id) + "\">" + escape(id) + "</option>";
    body +=
        "</select></div><div class=\"field\"><label for=\"assign-venue\">Venue</label><input type=\"text\" id=\"assign-venue\" "
        "name=\"venue\" list=\"venue-names\" required=\"required\" maxlength=\"128\"/></div>"
        "<div class=\"field\"><label for=\"assign-from\">From <span class=\"hint\">(optional)</span></label><input type=\"date\" "
        "id=\"assign-from\" name=\"from\"/></div><div class=\"field\"><label for=\"assign-until\">Until, included <span "
        "class=\"hint\">(optional)</span></label><input type=\"date\" id=\"assign-until\" name=\"until\"/></div>"
        "<div><button type=\"submit\">Assign</button></div></form><p class=\"hint\">Without dates the set becomes the venue's "
        "standing set; with dates it applies on those days only.</p><datalist id=\"venue-names\">";
    for (const auto& v : *venues) body += "<option value=\"" + escape(v) + "\"></option>";
    body += "</datalist>";
  }
  return html(200, frame("Question sets", c.who, "/admin/sets", body));
}

namespace {

struct EditorState {
  std::string set_id;  // empty: a new set
  std::string json;
  std::vector<Problem> problems;
  std::string message;  // a sentence above the form
  // The rule rows as posted, when they could not be written into the JSON,
  // and the problems of each (by row).
  std::optional<std::vector<RuleRow>> rows;
  std::map<std::size_t, std::vector<std::string>> row_problems;
};

// The rule rows of a posted form, rows leading nowhere left out; a problem
// for each row that cannot be written as a rule.
std::vector<RuleRow> posted_rules(const FormFields& form, std::map<std::size_t, std::vector<std::string>>& problems) {
  std::vector<RuleRow> rows;
  int count = std::clamp(std::atoi(form.get("rules.count").c_str()), 0, 200);
  for (int i = 0; i < count; ++i) {
    std::string name = "rule." + std::to_string(i) + ".";
    RuleRow r{trimmed(form.get(name + "from")), trimmed(form.get(name + "to")), trimmed(form.get(name + "go"))};
    if (r.go.empty()) continue;
    if (r.from.empty() != r.to.empty())
      problems[rows.size()].push_back("Give both the lowest and the highest score, or neither for any other score.");
    else if (!r.from.empty() && (!score_of(r.from) || !score_of(r.to)))
      problems[rows.size()].push_back("A score is a whole number from 0 to 100.");
    rows.push_back(std::move(r));
  }
  return rows;
}

// The scaling question's follow-up rules as rows of fields, then a few
// empty rows to add one.
std::string rule_rows(const PromptFields& f, const std::vector<RuleRow>& rows,
                      const std::map<std::size_t, std::vector<std::string>>& problems) {
  std::size_t total = rows.size() + kEmptyRuleRows;
  std::string out = "<fieldset class=\"card\"><legend>Follow-up rules by score band (<code>" + escape(f.question_id) +
                    "</code>)</legend><p class=\"hint\">The first rule whose scores include the answer decides what comes next; "
                    "leave both scores empty for any other score. To remove a rule, set it to lead nowhere. These rows are applied "
                    "on top of the JSON below: if you change both, the rows win.</p>";
  for (std::size_t i = 0; i < total; ++i) {
    RuleRow r = i < rows.size() ? rows[i] : RuleRow{};
    std::string n = std::to_string(i + 1), id = "rule-" + std::to_string(i), name = "rule." + std::to_string(i) + ".";
    auto found = problems.find(i);
    bool bad = found != problems.end() && !found->second.empty();
    std::string invalid = bad ? " aria-invalid=\"true\" aria-describedby=\"" + id + "-problem\"" : std::string();
    out += "<fieldset class=\"rule\"><legend>" + (i < rows.size() ? "Rule " + n : "New rule " + n) + "</legend>";
    if (bad) {
      out += "<div class=\"problem-list\" id=\"" + id + "-problem\">";
      for (const auto& m : found->second) out += "<p class=\"problem\">" + escape(m) + "</p>";
      out += "</div>";
    }
    out += "<div class=\"field\"><label for=\"" + id + "-from\">Rule " + n + ": lowest score</label><input type=\"number\" id=\"" + id +
           "-from\" name=\"" + name + "from\" min=\"0\" max=\"100\" value=\"" + escape(r.from) + "\"" + invalid + "/></div>";
    out += "<div class=\"field\"><label for=\"" + id + "-to\">Rule " + n + ": highest score</label><input type=\"number\" id=\"" + id +
           "-to\" name=\"" + name + "to\" min=\"0\" max=\"100\" value=\"" + escape(r.to) + "\"" + invalid + "/></div>";
    out += "<div class=\"field\"><label for=\"" + id + "-go\">Rule " + n + ": leads to</label><select id=\"" + id + "-go\" name=\"" + name +
           "go\"" + invalid + "><option value=\"\">" + (i < rows.size() ? "nowhere: remove this rule" : "nowhere: no rule") + "</option>";
    std::vector<std::string> targets = f.question_ids;
    targets.push_back("end");
    if (!r.go.empty() && std::find(targets.begin(), targets.end(), r.go) == targets.end()) targets.push_back(r.go);
    for (const auto& t : targets)
      out += "<option value=\"" + escape(t) + "\"" + (t == r.go ? " selected=\"selected\"" : "") + ">" +
             (t == "end" ? std::string("the end of the visit") : escape(t)) + "</option>";
    out += "</select></div></fieldset>";
  }
  out += "<input type=\"hidden\" name=\"rules.count\" value=\"" + std::to_string(total) +
         "\"/><input type=\"hidden\" name=\"rules.was\" value=\"" + escape(rules_key(f.rules)) + "\"/></fieldset>";
  return out;
}

std::string editor_body(const AdminWeb::Context& c, const EditorState& s) {
  PromptFields f = prompt_fields(s.json);
  std::string body = "<h1>" + (s.set_id.empty() ? std::string("New question set") : "Edit " + escape(s.set_id)) + "</h1>";
  if (!s.message.empty()) body += notice(escape(s.message), s.problems.empty() ? "" : "bad");
  // Problems on the line of a field's text go next to that field (by its
  // id, "prompt-en"); the others next to the JSON.
  std::map<std::string, std::vector<const Problem*>> at_field;
  std::vector<const Problem*> at_json;
  std::map<std::size_t, std::vector<std::string>> at_rule = s.row_problems;
  for (const auto& p : s.problems) {
    bool placed = false;
    for (std::size_t i = 0; i < f.rule_lines.size() && !placed && !s.rows; ++i)
      if (f.rule_lines[i].count(p.line)) {
        at_rule[i].push_back(p.message);
        placed = true;
      }
    for (const auto& [key, lines] : f.line)
      for (const auto& [lang, line] : lines)
        if (p.line == line) {
          at_field[key + "-" + lang].push_back(&p);
          placed = true;
        }
    if (!placed) at_json.push_back(&p);
  }
  body += "<form class=\"stack wide\" method=\"post\" action=\"/admin/sets/save\">" + csrf_field(*c.who) +
          "<input type=\"hidden\" name=\"set\" value=\"" + escape(s.set_id) + "\"/>";
  if (!f.question_id.empty()) {
    body += "<fieldset class=\"card\"><legend>The scaling question's words (<code>" + escape(f.question_id) + "</code>)</legend>";
    for (const WordsKey& w : kScaleWords)
      for (const auto& lang : f.languages) {
        std::string id = std::string(w.key) + "-" + lang;
        const auto& problems = at_field[id];
        body += "<div class=\"field\"><label for=\"" + escape(id) + "\">" + w.label + " in " + escape(lang) + "</label>";
        if (!problems.empty()) {
          body += "<div class=\"problem-list\" id=\"" + escape(id) + "-problem\">";
          for (const Problem* p : problems) body += "<p class=\"problem\">" + escape(p->message) + "</p>";
          body += "</div>";
        }
        auto known = f.now[w.key].find(lang);
        body += "<input type=\"text\" id=\"" + escape(id) + "\" name=\"" + std::string(w.key) + "." + escape(lang) + "\" value=\"" +
                escape(known == f.now[w.key].end() ? "" : known->second) + "\"" +
                (problems.empty() ? std::string() : " aria-invalid=\"true\" aria-describedby=\"" + escape(id) + "-problem\"") + "/></div>";
      }
    body += "<p class=\"hint\">{score} shows the number chosen; {score_plus_one} one more.</p></fieldset>";
    body += rule_rows(f, s.rows ? *s.rows : f.rules, at_rule);
  }
  body +=
      "<div class=\"field\"><label for=\"json\">The whole set as JSON <span class=\"hint\">(the other questions and everything else; "
      "see config/questions/FORMAT.md)</span></label>";
  for (const Problem* p : at_json)
    body += "<p class=\"problem\">" +
            (p->line > 0 ? "Line " + std::to_string(p->line) + ", column " + std::to_string(p->column) + ": " : std::string()) +
            escape(p->message) + "</p>";
  body += "<textarea id=\"json\" name=\"json\" spellcheck=\"false\" rows=\"24\"" +
          std::string(at_json.empty() ? "" : " aria-invalid=\"true\"") + ">" + escape(s.json) + "</textarea></div>";
  body +=
      "<div class=\"actions\"><button type=\"submit\">Save as draft</button><a class=\"button secondary\" href=\"/admin/sets\">Back to "
      "question sets</a></div></form>";
  LoadResult loaded = parse_question_set(s.json);
  if (loaded.set) body += "<h2>Follow-up flow</h2>" + flow_diagram(*loaded.set);
  return body;
}

}  // namespace

ApiResponse AdminWeb::set_editor(Context& c) {
  EditorState s;
  s.set_id = c.query.get("set");
  if (s.set_id.empty()) {
    s.json = kNewSetTemplate;
  } else {
    auto versions = store_.set_versions();
    if (!versions) return unavailable(versions.status(), "list question sets");
    int latest = 0;
    for (const auto& v : *versions)
      if (v.set_id == s.set_id) latest = std::max(latest, v.version);
    if (latest == 0)
      return html(404, frame("No such set", c.who, "/admin/sets", "<h1>No such set</h1><p><a href=\"/admin/sets\">Back</a></p>"));
    auto body = store_.set_body(s.set_id, latest);
    if (!body) return unavailable(body.status(), "read a question set");
    s.json = body->value_or("");
  }
  return html(200, frame(s.set_id.empty() ? "New question set" : "Edit " + s.set_id, c.who, "/admin/sets", editor_body(c, s)));
}

ApiResponse AdminWeb::save_set(Context& c) {
  EditorState s;
  s.set_id = c.form.get("set");
  s.json = c.form.get("json");
  // The fields first, into the JSON; a JSON that does not parse keeps its
  // text, and the validator says where it breaks.
  for (const WordsKey& w : kScaleWords) {
    std::string prefix = std::string(w.key) + ".";
    std::map<std::string, std::string> words;
    for (const auto& [name, value] : c.form.all())
      if (name.starts_with(prefix)) words[name.substr(prefix.size())] = value;
    if (words.empty()) continue;
    if (auto edited = with_words(s.json, w.key, words)) s.json = std::move(*edited);
  }
  auto title = s.set_id.empty() ? std::string("New question set") : "Edit " + s.set_id;
  // Then the rule rows, when they were changed.
  if (c.form.has("rules.count")) {
    std::vector<RuleRow> rows = posted_rules(c.form, s.row_problems);
    if (!s.row_problems.empty()) {
      s.rows = std::move(rows);
      s.message = "The set was not saved: some follow-up rules cannot be read. Each problem is shown next to its rule.";
      return html(422, frame(title, c.who, "/admin/sets", editor_body(c, s)));
    }
    if (rules_key(rows) != c.form.get("rules.was"))
      if (auto edited = with_rules(s.json, rows)) s.json = std::move(*edited);
  }
  LoadResult loaded = parse_question_set(s.json);
  std::vector<Problem> bands = band_problems(s.json);
  if (!loaded.set || !bands.empty()) {
    s.problems = loaded.problems;
    s.problems.insert(s.problems.end(), bands.begin(), bands.end());
    s.message = "The set was not saved: the kiosk would refuse it. Each problem is shown next to its field.";
    return html(422, frame(title, c.who, "/admin/sets", editor_body(c, s)));
  }
  if (!s.set_id.empty() && loaded.set->id != s.set_id) {
    s.problems.push_back({0, 0, "the \"id\" must stay " + s.set_id + "; to make a new set, use New question set"});
    s.message = "The set was not saved.";
    return html(422, frame(title, c.who, "/admin/sets", editor_body(c, s)));
  }
  auto saved = store_.add_set_draft(s.json, c.now);
  if (!saved) {
    if (saved.status().fault() != Fault::invalid_input) return unavailable(saved.status(), "save a question set");
    s.problems.push_back({0, 0, saved.message()});
    s.message = "The set was not saved.";
    return html(422, frame(title, c.who, "/admin/sets", editor_body(c, s)));
  }
  audit(c, "saved a draft", saved->set_id + " version " + std::to_string(saved->version));
  return redirect("/admin/sets?done=" + url_encode("Saved " + saved->set_id + " version " + std::to_string(saved->version) +
                                                   " as a draft. Publish it to send it to kiosks."));
}

ApiResponse AdminWeb::publish_set(Context& c) {
  std::string id = c.form.get("set");
  auto changed = store_.publish_set(id, c.now);
  if (!changed) return unavailable(changed.status(), "publish a question set");
  if (changed->kind != SetChange::done)
    return html(409, frame("Publish", c.who, "/admin/sets",
                           "<h1>Nothing published</h1>" +
                               notice(changed->kind == SetChange::no_such_set ? "There is no such set."
                                                                              : "The latest version is published already.",
                                      "bad") +
                               "<p><a href=\"/admin/sets\">Back to question sets</a></p>"));
  audit(c, "published a set", id + " version " + std::to_string(changed->version));
  return redirect("/admin/sets?done=" + url_encode("Published " + id + " version " + std::to_string(changed->version) +
                                                   ": kiosks at its venues get it at their next sync."));
}

ApiResponse AdminWeb::rollback_set(Context& c) {
  std::string id = c.form.get("set");
  int to = std::atoi(c.form.get("to").c_str());
  auto changed = store_.rollback_set(id, to, c.now);
  if (!changed) return unavailable(changed.status(), "roll back a question set");
  if (changed->kind != SetChange::done) {
    std::string why = changed->kind == SetChange::draft_pending
                          ? "Version " + std::to_string(changed->version) + " is an unpublished draft: publish it or replace it first."
                      : changed->kind == SetChange::not_published ? "That version was never published."
                                                                  : "There is no such version.";
    return html(409, frame("Roll back", c.who, "/admin/sets",
                           "<h1>Nothing rolled back</h1>" + notice(escape(why), "bad") +
                               "<p><a href=\"/admin/sets\">Back to question sets</a></p>"));
  }
  audit(c, "rolled back a set",
        id + " to the content of version " + std::to_string(to) + ", now version " + std::to_string(changed->version));
  return redirect("/admin/sets?done=" + url_encode("Published the content of " + id + " version " + std::to_string(to) +
                                                   " again as version " + std::to_string(changed->version) + "."));
}

ApiResponse AdminWeb::assign_set(Context& c) {
  SetAssignment a{c.form.get("venue"), c.form.get("set"), std::nullopt, std::nullopt};
  std::string from = c.form.get("from"), until = c.form.get("until");
  std::string problem;
  if (!valid_set_id(a.set_id)) problem = "Choose a set.";
  bool venue_ok = !a.venue.empty() && a.venue.size() <= 128 &&
                  std::none_of(a.venue.begin(), a.venue.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F; });
  if (!venue_ok) problem = "A venue name is 1 to 128 characters with no control characters.";
  if (problem.empty() && from.empty() != until.empty()) problem = "Give both days of a dated assignment, or neither for the standing set.";
  if (problem.empty() && !from.empty()) {
    a.starts_at = local_midnight(from);
    a.ends_at = local_midnight(until, 1);
    if (!a.starts_at || !a.ends_at)
      problem = "Dates are written YYYY-MM-DD.";
    else if (*a.ends_at <= *a.starts_at)
      problem = "The last day comes before the first.";
    else if (*a.ends_at <= c.now)
      problem = "The last day has passed: the assignment would never apply.";
  }
  auto back = [&](int status, const std::string& why) {
    return html(status, frame("Assign", c.who, "/admin/sets",
                              "<h1>Nothing assigned</h1>" + notice(escape(why), "bad") +
                                  "<p><a href=\"/admin/sets\">Back to question sets</a></p>"));
  };
  if (!problem.empty()) return back(400, problem);
  auto changed = store_.assign_set(a, c.now);
  if (!changed) return unavailable(changed.status(), "assign a question set");
  if (changed->kind == SetChange::no_such_set) return back(404, "There is no set " + a.set_id + ".");
  audit(c, "assigned a set", a.set_id + " to " + a.venue + " (" + (a.starts_at ? from + " to " + until : std::string("standing")) + ")");
  return redirect("/admin/sets?done=" + url_encode("Assigned " + a.set_id + " to " + a.venue + "."));
}

}  // namespace tp::server
