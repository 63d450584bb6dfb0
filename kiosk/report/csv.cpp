// The CSV of a report's rows; what it shows is documented in csv.h.
#include "csv.h"

#include <algorithm>
#include <tuple>

#include "analysis.h"

namespace tp::report {

std::string csv_cell(std::string_view value, bool reversible) {
  std::string cell = detail::clean_utf8(value);
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r' ||
                        (reversible && cell[0] == '\'')))
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

std::string hour_text(std::int64_t unix_seconds, const ReportOptions& options) {
  const detail::LocalTime t = detail::local_time(unix_seconds, options);
  return detail::iso_date(t.day) + " " + two(t.hour) + ":00";
}

template <class Cells>
void write_line(std::string& out, const Cells& cells, bool reversible) {
  bool first = true;
  for (const auto& c : cells) {
    if (!first) out += ',';
    out += csv_cell(c, reversible);
    first = false;
  }
  out += "\r\n";
}

// The raw answers of the USB export (CsvForm::answers): every row the filter
// keeps, in time order, then by visit, the question's place in the report,
// and the answer id, so the same rows always give the same bytes.
std::string answers_csv(const detail::Analysis& a, const ReportOptions& options) {
  std::vector<std::size_t> order(a.rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto key = [&](std::size_t i) {
    const AnswerRow& r = *a.rows[i];
    return std::tie(r.recorded_at, r.session_id, a.question_index.at({r.set_id, r.question_id}), r.answer_id);
  };
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return key(x) < key(y); });

  std::string out = "\xEF\xBB\xBF";
  write_line(out, kAnswersCsvColumns, true);
  for (std::size_t i : order) {
    const AnswerRow& r = *a.rows[i];
    const std::array<std::string, kAnswersCsvColumns.size()> cells = {r.answer_id,
                                                                      r.session_id,
                                                                      r.venue,
                                                                      r.set_id,
                                                                      std::to_string(r.set_version),
                                                                      r.question_id,
                                                                      type_name(a.info(r).type),
                                                                      r.language,
                                                                      hour_text(r.recorded_at, options),
                                                                      r.score ? std::to_string(*r.score) : "",
                                                                      r.choice.value_or(""),
                                                                      r.text.value_or(""),
                                                                      r.rapid_repeat ? "yes" : "no"};
    for (std::int64_t k = 0; k < r.count; ++k) write_line(out, cells, true);  // a folded row: each answer a line
  }
  return out;
}

}  // namespace

std::string report_csv(const std::vector<AnswerRow>& rows, const std::vector<QuestionSet>& sets, const ReportFilter& filter,
                       const ReportOptions& options, CsvForm form) {
  const detail::Analysis a = detail::analyse(rows, sets, filter);
  if (form == CsvForm::answers) return answers_csv(a, options);
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
    for (std::int64_t k = 1; k < r.count; ++k) lines.push_back(line);  // a folded row: each answer a line
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
