// The one pass over the rows behind both the figures and the CSV: the
// filter, the questions in report order, and the group of every note.
#include "analysis.h"

#include <algorithm>
#include <array>
#include <set>
#include <tuple>
#include <unordered_map>

#include "text.h"

namespace tp::report::detail {

namespace {

bool passes(const AnswerRow& row, const ReportFilter& filter) {
  if (filter.venue && row.venue != *filter.venue) return false;
  if (filter.set_id && row.set_id != *filter.set_id) return false;
  if (filter.question_id && row.question_id != *filter.question_id) return false;
  if (filter.from && row.recorded_at < *filter.from) return false;
  if (filter.until && row.recorded_at >= *filter.until) return false;
  return true;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Howard Hinnant's civil-calendar algorithms, written out for int64 days.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  std::int64_t year;
  int month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

std::string two_digits(int v) { return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)}; }

}  // namespace

LocalTime local_time(std::int64_t unix_seconds, const ReportOptions& options) {
  std::int64_t local = unix_seconds + (options.utc_offset ? options.utc_offset(unix_seconds) : 0);
  std::int64_t day = floor_div(local, 86400);
  return {day, static_cast<int>((local - day * 86400) / kTimeResolution)};
}

IsoWeek iso_week(std::int64_t day) {
  // 1970-01-01 was a Thursday; ISO weekdays run Monday = 1 to Sunday = 7.
  const std::int64_t weekday = (day + 3) - floor_div(day + 3, 7) * 7 + 1;
  const std::int64_t monday = day - (weekday - 1);
  const std::int64_t thursday = monday + 3;  // its year is the week's year
  const std::int64_t year = civil_from_days(thursday).year;
  const int week = static_cast<int>((thursday - days_from_civil(year, 1, 1)) / 7 + 1);
  return {static_cast<int>(year), week, monday};
}

std::string date_text(std::int64_t day) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Civil c = civil_from_days(day);
  return std::to_string(c.day) + " " + kMonths[c.month - 1] + " " + std::to_string(c.year);
}

std::string iso_date(std::int64_t day) {
  Civil c = civil_from_days(day);
  return std::to_string(c.year) + "-" + two_digits(c.month) + "-" + two_digits(c.day);
}

std::string clean_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::size_t len = utf8_sequence_length(text);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      text.remove_prefix(1);
      continue;
    }
    std::string_view seq = text.substr(0, len);
    text.remove_prefix(len);
    const auto c = static_cast<unsigned char>(seq[0]);
    if (len == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') continue;
    if (len == 1 && c == 0x7F) continue;
    if (seq == "\xEF\xBF\xBE" || seq == "\xEF\xBF\xBF") continue;  // not characters in XML
    out += seq;
  }
  return out;
}

bool is_note(const AnswerRow& row) { return !row.rapid_repeat && row.text && !row.text->empty(); }

std::string pick(const Translated& text, const std::string& language, const std::string& default_language) {
  if (auto it = text.find(language); it != text.end()) return it->second;
  if (auto it = text.find(default_language); it != text.end()) return it->second;
  return text.empty() ? std::string() : text.begin()->second;
}

Analysis analyse(const std::vector<AnswerRow>& rows, const std::vector<QuestionSet>& sets, const ReportFilter& filter) {
  Analysis a;

  // The highest version of each set speaks for it; older versions only add
  // questions it no longer has.
  std::vector<const QuestionSet*> by_id;
  for (const auto& s : sets) by_id.push_back(&s);
  std::sort(by_id.begin(), by_id.end(),
            [](const QuestionSet* x, const QuestionSet* y) { return x->id != y->id ? x->id < y->id : x->version > y->version; });
  auto add = [&](QuestionKey key, const QuestionSet* set, const Question* q, QuestionType type) {
    if (a.question_index.contains(key)) return;
    a.question_index[key] = a.questions.size();
    a.questions.push_back({std::move(key), set, q, type});
  };
  std::vector<QuestionKey> from_older_versions;
  std::map<QuestionKey, std::pair<const QuestionSet*, const Question*>> known;
  for (std::size_t i = 0; i < by_id.size(); ++i) {
    const QuestionSet* s = by_id[i];
    if (filter.set_id && s->id != *filter.set_id) continue;
    const bool newest = i == 0 || by_id[i - 1]->id != s->id;
    for (const auto& q : s->questions) {
      if (filter.question_id && q.id != *filter.question_id) continue;
      QuestionKey key{s->id, q.id};
      if (known.contains(key)) continue;
      known[key] = {s, &q};
      if (newest)
        add(key, s, &q, q.type);
      else
        from_older_versions.push_back(key);
    }
  }
  // Older versions' questions go after the set's own, in a fixed order.
  std::sort(from_older_versions.begin(), from_older_versions.end());
  for (const auto& key : from_older_versions) add(key, known[key].first, known[key].second, known[key].second->type);

  // A row of count 0 only gives a visit its score (AnswerRow::count).
  for (const auto& row : rows)
    if (row.count > 0 && passes(row, filter)) a.rows.push_back(&row);

  // Questions no set describes: reported with their ids, typed by their answers.
  std::map<QuestionKey, QuestionType> unknown;
  for (const AnswerRow* row : a.rows) {
    QuestionKey key{row->set_id, row->question_id};
    if (a.question_index.contains(key)) continue;
    QuestionType guess = row->score ? QuestionType::scale : row->choice ? QuestionType::choice : QuestionType::text;
    auto [it, inserted] = unknown.emplace(key, guess);
    if (!inserted && guess == QuestionType::scale) it->second = guess;
  }
  for (const auto& [key, type] : unknown) add(key, nullptr, nullptr, type);

  // The scale answers of each visit, from every row (a filter on the question
  // or the time must not cut a note off from its visit's score).
  struct ScaleAnswer {
    std::string set_id, question_id;
    int score;
  };
  // Made only when there is a note to place: a report of a million scores
  // and no notes never pays for it. Folded rows name no visit.
  const bool any_note = std::any_of(a.rows.begin(), a.rows.end(),
                                    [&](const AnswerRow* row) { return is_note(*row) && a.info(*row).type == QuestionType::text; });
  std::unordered_map<std::string, std::vector<ScaleAnswer>> visit_scores;
  if (any_note)
    for (const auto& row : rows)
      if (row.score && !row.session_id.empty()) visit_scores[row.session_id].push_back({row.set_id, row.question_id, *row.score});
  for (auto& [session, answers] : visit_scores)
    std::sort(answers.begin(), answers.end(), [](const ScaleAnswer& x, const ScaleAnswer& y) {
      return std::tie(x.set_id, x.question_id, x.score) < std::tie(y.set_id, y.question_id, y.score);
    });

  auto position = [&](const std::string& set_id, const std::string& question_id) -> int {
    auto it = known.find({set_id, question_id});
    if (it == known.end()) return -1;
    return static_cast<int>(it->second.second - it->second.first->questions.data());
  };

  a.note_of.resize(a.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const AnswerRow& row = *a.rows[i];
    if (!is_note(row) || a.info(row).type != QuestionType::text) continue;
    NoteKey key{{row.set_id, row.question_id}, {}, {}};
    // The visit's score is its scale answer; with several, the one asked
    // last before this question in the set's order, else the first.
    const ScaleAnswer* chosen = nullptr;
    if (auto it = visit_scores.find(row.session_id); it != visit_scores.end()) {
      const int here = position(row.set_id, row.question_id);
      int best = -1;
      for (const auto& s : it->second) {
        if (s.set_id != row.set_id) continue;
        const int at = position(s.set_id, s.question_id);
        if (!chosen) chosen = &s;
        if (here >= 0 && at >= 0 && at < here && at > best) {
          best = at;
          chosen = &s;
        }
      }
    }
    if (chosen) {
      key.scale_question_id = chosen->question_id;
      std::vector<ScoreBand> bands;
      if (auto k = known.find({chosen->set_id, chosen->question_id}); k != known.end() && k->second.second->type == QuestionType::scale)
        bands = score_bands(*k->second.second);
      else
        bands.assign(std::begin(kDefaultBands), std::end(kDefaultBands));
      key.band = ScoreBand{chosen->score, chosen->score};  // a score no band holds (another version's range)
      for (const auto& b : bands)
        if (b.contains(chosen->score)) key.band = b;
    }
    a.note_group_size[key] += row.count;
    a.note_of[i] = std::move(key);
  }
  return a;
}

}  // namespace tp::report::detail
