#include "codebook.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "csv.h"

namespace tp {

namespace {

struct ColumnWords {
  const char* name;
  const char* meaning;
  const char* values;
};

// Kept beside report::kAnswersCsvColumns by a test: every column has words here.
constexpr ColumnWords kColumns[] = {
    {"answer_id", "the answer's own random id",
     "a UUID; the same answer keeps it in every export, so exports can be merged without doubles"},
    {"visit_id", "a random id shared by the answers of one visit (one person, one go)",
     "a UUID; it links the answers of a visit, never a person"},
    {"venue", "where the kiosk stands", "the venue's name"},
    {"set_id", "the question set", "its id, as in the list of question sets below"},
    {"set_version", "the version of that set", "a whole number; the question texts of each version are listed below"},
    {"question_id", "the question answered", "its id, as in the list of question sets below"},
    {"question_type", "the kind of question", "scale (a number), text (written words) or choice (one option)"},
    {"language", "the language the resident used", "a language code: en English, cy Welsh, pl Polish ..."},
    {"hour", "when, to the hour (finer times are never exported)", "YYYY-MM-DD HH:00, the kiosk's local time"},
    {"score", "the number chosen on a scale question",
     "a whole number in the question's range (0 to 10 unless listed otherwise); empty for other questions"},
    {"choice", "the option chosen on a choice question", "the option's id, listed with its words below; empty for other questions"},
    {"text", "what the resident wrote, as written", "any text; empty when nothing was written"},
    {"rapid_repeat", "the visit began moments after the previous one ended",
     "yes or no; the report keeps these apart from its figures (someone tapping twice, or a child playing)"},
};

const char* type_words(QuestionType t) {
  switch (t) {
    case QuestionType::scale:
      return "scale";
    case QuestionType::text:
      return "text";
    case QuestionType::choice:
      return "choice";
  }
  return "";
}

void translated(std::string& out, const char* label, const Translated& text, const std::string& indent) {
  for (const auto& [lang, words] : text) out += indent + label + " [" + lang + "]: " + words + "\n";
}

}  // namespace

std::string_view codebook_column_description(std::string_view column) {
  for (const auto& c : kColumns)
    if (column == c.name) return c.meaning;
  return {};
}

void CodebookTally::add(const Answer& a) {
  ++answers;
  if (!last_ || last_->first.second != a.set_version || last_->first.first != a.set_id)
    last_ = &*versions.try_emplace({a.set_id, a.set_version}).first;
  ++last_->second.answers;
  if (!last_->second.questions.contains(a.question_id)) last_->second.questions.insert(a.question_id);
}

std::string codebook_text(const CodebookInput& in) {
  const CodebookTally none;
  const CodebookTally& tally = in.tally ? *in.tally : none;
  std::string out;
  out += "Tenpoint results: codebook\n";
  out += "==========================\n\n";
  out += "Venue:     " + in.venue + "\n";
  out += "Exported:  " + in.exported_at + " (" + in.time_zone + ")\n";
  out += "Period:    " + in.period + "\n";
  out += "Answers:   " + std::to_string(tally.answers) + "\n\n";

  out += "Files in this folder\n--------------------\n";
  out +=
      "answers.csv   One line per answer: the raw data, for the staff who run the kiosk.\n"
      "              It holds everything residents wrote, as written. Keep it as you keep\n"
      "              the kiosk itself; share report.html instead.\n";
  out +=
      "report.html   The report: figures per question, charts and the notes people wrote,\n"
      "              with the anonymity rules applied (a group of fewer than 5 answers shows\n"
      "              \"fewer than 5\", notes only from groups of at least 8). Opens in any\n"
      "              browser without a network; prints on A4, one question per page.\n";
  out += "codebook.txt  This file.\n";
  if (in.server_bundle)
    out +=
        "server-bundle/\n"
        "              The same answers for the central Tenpoint server, for a kiosk without a\n"
        "              network: answers.jsonl (the answers, as the kiosk sends them), manifest.json\n"
        "              (counts, sizes and SHA-256 of the files) and manifest.sig (the kiosk's\n"
        "              signature). Give the folder to whoever runs the server; it imports each\n"
        "              answer once, however often it is given.\n";
  out += "\n";

  out += "answers.csv: format\n-------------------\n";
  out += "- Comma separated (RFC 4180), UTF-8 with a byte-order mark, CRLF line ends, one header line.\n";
  out += "- A cell with a comma, a double quote or a line break is in double quotes; a quote inside is doubled.\n";
  out +=
      "- A cell that starts with = + - @ ' a tab or a carriage return has an apostrophe (') put in\n"
      "  front, so that no spreadsheet runs it as a formula. To get the stored value back, remove\n"
      "  one leading apostrophe from a cell that starts with ' followed by one of those characters.\n";
  out += "- Lines are in time order, then by visit.\n\n";

  out += "answers.csv: columns\n--------------------\n";
  for (const char* column : report::kAnswersCsvColumns) {
    out += column;
    out += "\n";
    for (const auto& c : kColumns)
      if (std::string_view(column) == c.name) {
        out += "    meaning: " + std::string(c.meaning) + "\n";
        out += "    values:  " + std::string(c.values) + "\n";
      }
  }
  out += "\n";

  // The set versions answers came from, with how many answers each.
  out += "Question sets in the data\n-------------------------\n";
  if (tally.versions.empty()) out += "No answers in this export.\n";
  for (const auto& [key, version] : tally.versions) {
    const std::int64_t count = version.answers;
    out += "\n" + key.first + " version " + std::to_string(key.second) + " (" + std::to_string(count) + " answer" +
           (count == 1 ? "" : "s") + ")\n";
    const QuestionSet* set = nullptr;
    if (in.sets)
      for (const auto& s : *in.sets)
        if (s.id == key.first && s.version == key.second) set = &s;
    if (!set) {
      out += "  The texts of this version are not on this kiosk. Questions answered:";
      for (const auto& q : version.questions) out += " " + q;
      out += "\n";
      continue;
    }
    out += "  Languages:";
    for (const auto& l : set->languages) out += " " + l.code + " (" + l.name + ")";
    out += "\n";
    for (const auto& q : set->questions) {
      out += "  " + q.id + " (" + type_words(q.type);
      if (q.type == QuestionType::scale) out += ", " + std::to_string(q.min) + " to " + std::to_string(q.max);
      if (q.type == QuestionType::text) out += ", up to " + std::to_string(q.max_length) + " characters";
      out += ")\n";
      translated(out, "question", q.prompt, "    ");
      translated(out, "low end", q.low_label, "    ");
      translated(out, "high end", q.high_label, "    ");
      for (const auto& o : q.options) translated(out, ("option " + o.id).c_str(), o.label, "    ");
    }
  }
  out +=
      "\nIn question texts, {score} stands for the number the resident chose and {score_plus_one} for one more; {a_score} and\n"
      "{a_score_plus_one} are the same numbers with the article the language puts before them (in English \"a 7\", \"an 8\").\n";
  return out;
}

}  // namespace tp
