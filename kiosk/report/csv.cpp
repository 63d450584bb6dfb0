// The CSV of a report's rows; what it shows is documented in csv.h.
#include "csv.h"

#include <algorithm>
#include <tuple>

#include "analysis.h"

namespace tp::report {

std::string csv_cell(std::string_view value) {
  std::string cell = detail::clean_utf8(value);
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r'))
    cell.insert(cell.begin(), '\'');
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

namespace {

std::string type_name(QuestionType t) {
  switch (t) {
    case QuestionType::scale:
      return "scale";
    case QuestionType::text:
      return "text";
    case QuestionType::choice:
      return "choice";
  }
  return {};
}

std::string two(int v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); }

struct Line {
  std::size_t question = 0;
  std::string hour;
  std::optional<int> score;
  std::vector<std::string> cells;
};

}  // namespace

std::string report_csv(const std::vector<AnswerRow>& rows, const std::vector<QuestionSet>& sets, const ReportFilter& filter,
                       const ReportOptions& options) {
  const detail::Analysis a = detail::analyse(rows, sets, filter);
  std::vector<Line> lines;
  lines.reserve(a.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const AnswerRow& r = *a.rows[i];
    const detail::QuestionInfo& info = a.info(r);
    const detail::LocalTime t = detail::local_time(r.recorded_at, options);
    Line line{a.question_index.at(info.key), detail::iso_date(t.day) + " " + two(t.hour) + ":00", r.score, {}};

    std::string text, band, withheld;
    if (r.text && !r.text->empty()) {
      if (r.rapid_repeat)
        withheld = "rapid repeat";
      else if (a.note_shown(i))
        text = *r.text;
      else if (a.note_of[i])
        withheld = "fewer than " + std::to_string(kMinAnswersForNotes) + " notes in its group";
      else
        withheld = "not a note";  // text on a scale or choice question: not shown anywhere
      if (a.note_of[i] && a.note_of[i]->band) band = band_label(*a.note_of[i]->band);
    }
    line.cells = {r.set_id,
                  std::to_string(r.set_version),
                  r.venue,
                  r.question_id,
                  type_name(info.type),
                  r.language,
                  line.hour,
                  r.score ? std::to_string(*r.score) : "",
                  r.choice.value_or(""),
                  text,
                  band,
                  r.rapid_repeat ? "yes" : "no",
                  withheld};
    lines.push_back(std::move(line));
  }
  // Question, hour and value: never the order the rows came in, which could
  // put one visit's answers side by side.
  std::sort(lines.begin(), lines.end(), [](const Line& x, const Line& y) {
    return std::tie(x.question, x.hour, x.score, x.cells) < std::tie(y.question, y.hour, y.score, y.cells);
  });

  std::string out = "\xEF\xBB\xBF";
  auto write_line = [&](const auto& cells) {
    bool first = true;
    for (const auto& c : cells) {
      if (!first) out += ',';
      out += csv_cell(c);
      first = false;
    }
    out += "\r\n";
  };
  write_line(kCsvColumns);
  for (const auto& line : lines) write_line(line.cells);
  return out;
}

}  // namespace tp::report
