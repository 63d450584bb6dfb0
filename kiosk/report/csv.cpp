// The CSV of a report's rows; what it shows is documented in csv.h.
#include "csv.h"

#include <algorithm>
#include <climits>
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

// csv_cell() appended to `out`, without its copies for the common cell: one
// of printable ASCII with no comma or quote and no leading character to
// protect, which csv_cell() gives back unchanged.
void append_cell(std::string& out, std::string_view value, bool reversible) {
  bool plain = value.empty() || !(value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\'');
  for (std::size_t i = 0; plain && i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    plain = c >= 0x20 && c < 0x7F && c != ',' && c != '"';
  }
  if (plain)
    out += value;
  else
    out += csv_cell(value, reversible);
}

}  // namespace

struct AnswersCsvLines::Impl {
  std::string venue;
  ReportOptions options;
  struct Known {
    std::string set_id, question_id;
    std::size_t index;  // the place in the report
    QuestionType type;
  };
  std::vector<Known> known;          // a set holds a handful of questions: a scan beats a map's key copies
  std::int64_t hour_of = INT64_MIN;  // the time whose hour text is cached
  std::string hour;
  std::string version_text;
  int version = -1;

  const Known* find(const Answer& a) const;
};

AnswersCsvLines::AnswersCsvLines(const std::vector<QuestionSet>& sets, std::string venue, ReportOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->venue = std::move(venue);
  impl_->options = std::move(options);
  // The questions the sets describe, in the report's order: what analyse() gives them without rows.
  const detail::Analysis a = detail::analyse({}, sets, {});
  for (const auto& q : a.questions) impl_->known.push_back({q.key.set_id, q.key.question_id, a.question_index.at(q.key), q.type});
}

const AnswersCsvLines::Impl::Known* AnswersCsvLines::Impl::find(const Answer& a) const {
  for (const Known& k : known)
    if (k.question_id == a.question_id && k.set_id == a.set_id) return &k;
  return nullptr;
}

AnswersCsvLines::~AnswersCsvLines() = default;

std::string AnswersCsvLines::header() {
  std::string out = "\xEF\xBB\xBF";
  write_line(out, kAnswersCsvColumns, true);
  return out;
}

void AnswersCsvLines::append(std::vector<const Answer*>& group, std::string& out) {
  Impl& m = *impl_;
  // Within a group, as answers_csv() orders them: the question's place in the
  // report (questions no set describes after all others, by id), then the answer id.
  struct Place {
    std::size_t index;
    std::string_view set_id, question_id, answer_id;
    auto operator<=>(const Place&) const = default;
  };
  auto place = [&](const Answer* x) {
    if (const Impl::Known* k = m.find(*x)) return Place{k->index, {}, {}, x->uuid};
    return Place{m.known.size(), x->set_id, x->question_id, x->uuid};
  };
  if (group.size() > 1) std::sort(group.begin(), group.end(), [&](const Answer* x, const Answer* y) { return place(x) < place(y); });
  for (const Answer* x : group) {
    if (x->stamp.unix_seconds != m.hour_of) {
      m.hour_of = x->stamp.unix_seconds;
      m.hour = hour_text(x->stamp.unix_seconds, m.options);
    }
    if (x->set_version != m.version) {
      m.version = x->set_version;
      m.version_text = std::to_string(x->set_version);
    }
    const Impl::Known* k = m.find(*x);
    const QuestionType type = k ? k->type : x->score ? QuestionType::scale : x->choice ? QuestionType::choice : QuestionType::text;
    const std::string score = x->score ? std::to_string(*x->score) : std::string();
    const std::string type_text = type_name(type);
    const std::array<std::string_view, kAnswersCsvColumns.size()> cells = {x->uuid,
                                                                           x->session_id,
                                                                           m.venue,
                                                                           x->set_id,
                                                                           m.version_text,
                                                                           x->question_id,
                                                                           type_text,
                                                                           x->language,
                                                                           m.hour,
                                                                           score,
                                                                           x->choice ? std::string_view(*x->choice) : std::string_view(),
                                                                           x->text ? std::string_view(*x->text) : std::string_view(),
                                                                           x->rapid_repeat ? "yes" : "no"};
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out += ',';
      append_cell(out, cells[i], true);
    }
    out += "\r\n";
  }
}

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
