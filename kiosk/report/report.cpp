// The figures of a report, with the anonymity rules applied as they are made.
#include "report.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "analysis.h"
#include "text.h"

namespace tp::report {

using detail::Analysis;
using detail::QuestionInfo;

AnswerRow from_answer(const Answer& answer, std::string venue) {
  return {answer.set_id,
          answer.set_version,
          answer.question_id,
          answer.session_id,
          std::move(venue),
          answer.language,
          answer.score,
          answer.text,
          answer.choice,
          answer.stamp.unix_seconds,
          answer.rapid_repeat,
          answer.uuid,
          1};
}

ShownCount ShownCount::of(std::int64_t answers) {
  if (answers > 0 && answers < kMinAnswersForNumbers) return {};
  return {answers};
}

std::vector<ScoreBand> score_bands(const Question& scale) {
  const bool has_score_rules = std::any_of(scale.next.begin(), scale.next.end(), [](const NextRule& r) { return r.score_min.has_value(); });
  std::vector<ScoreBand> bands;
  if (!has_score_rules) {
    for (ScoreBand b : kDefaultBands) {
      b.low = std::max(b.low, scale.min);
      b.high = std::min(b.high, scale.max);
      if (b.low <= b.high) bands.push_back(b);
    }
    return bands;
  }
  // Which rule catches each score (as QuestionSet::next_after decides);
  // a run of scores caught by the same rule is one band.
  auto rule_for = [&](int score) -> int {
    for (std::size_t i = 0; i < scale.next.size(); ++i) {
      const NextRule& r = scale.next[i];
      if (!r.score_min || (score >= *r.score_min && score <= *r.score_max)) return static_cast<int>(i);
    }
    return -1;  // no rule: the visit ends
  };
  for (int s = scale.min; s <= scale.max; ++s) {
    if (!bands.empty() && rule_for(bands.back().high) == rule_for(s))
      bands.back().high = s;
    else
      bands.push_back({s, s});
  }
  return bands;
}

std::string band_label(ScoreBand band) {
  if (band.low == band.high) return std::to_string(band.low);
  return std::to_string(band.low) + "\xE2\x80\x93" + std::to_string(band.high);  // en dash
}

std::string IsoWeek::code() const {
  std::string w = std::to_string(week);
  return std::to_string(year) + "-W" + (w.size() < 2 ? "0" + w : w);
}

std::string IsoWeek::monday() const { return detail::date_text(monday_day); }

std::string format_mean(double value) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 1);
  std::string s(buf, r.ptr);
  return s == "-0.0" ? "0.0" : s;
}

std::string format_median(double value) {
  // A median of whole scores is whole or halfway between two.
  std::string s = format_mean(value);
  if (s.size() > 2 && s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

std::string format_count(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string format_shown(const ShownCount& count) { return count.value ? format_count(*count.value) : kFewerThanMinimum; }

namespace {

// Scores and how many answers gave each.
using Scores = std::map<int, std::int64_t>;

std::int64_t total_of(const Scores& scores) {
  std::int64_t n = 0;
  for (const auto& [score, count] : scores) n += count;
  return n;
}

std::optional<double> median_of(const Scores& scores) {
  const std::int64_t n = total_of(scores);
  if (n == 0) return std::nullopt;
  // The k-th score in order (0-based).
  auto nth = [&](std::int64_t k) {
    for (const auto& [score, count] : scores) {
      if (k < count) return score;
      k -= count;
    }
    return scores.rbegin()->first;
  };
  if (n % 2 == 1) return nth(n / 2);
  return (nth(n / 2 - 1) + nth(n / 2)) / 2.0;
}

std::optional<double> mean_of(const Scores& scores) {
  const std::int64_t n = total_of(scores);
  if (n == 0) return std::nullopt;
  std::int64_t sum = 0;
  for (const auto& [score, count] : scores) sum += static_cast<std::int64_t>(score) * count;
  return static_cast<double>(sum) / static_cast<double>(n);
}

// Median and mean only for a group large enough to show numbers.
void fill_scores(const Scores& scores, std::int64_t group_size, std::optional<double>& median, std::optional<double>& mean) {
  if (group_size < kMinAnswersForNumbers) return;
  median = median_of(scores);
  mean = mean_of(scores);
}

void fill_words(QuestionReport& q, const QuestionInfo& info, const ReportOptions& options) {
  q.set_id = info.key.set_id;
  q.question_id = info.key.question_id;
  q.type = info.type;
  q.prompt = info.key.question_id;
  if (!info.question) return;
  const std::string& fallback = info.set->default_language;
  q.language = info.question->prompt.contains(options.language) ? options.language : fallback;
  // A prompt quoting the visit's score reads "What makes it a [score] ...".
  q.prompt =
      fill(detail::pick(info.question->prompt, options.language, fallback),
           {{"score", "[score]"}, {"score_plus_one", "[score + 1]"}, {"a_score", "a [score]"}, {"a_score_plus_one", "a [score + 1]"}});
  q.low_label = detail::pick(info.question->low_label, options.language, fallback);
  q.high_label = detail::pick(info.question->high_label, options.language, fallback);
  q.score_min = info.question->min;
  q.score_max = info.question->max;
  for (const auto& o : info.question->options) q.options.push_back({o.id, detail::pick(o.label, options.language, fallback), {}});
}

QuestionReport figures_for(const Analysis& a, std::size_t index, const ReportOptions& options) {
  const QuestionInfo& info = a.questions[index];
  QuestionReport q;
  fill_words(q, info, options);

  std::vector<std::size_t> mine, rapid;
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const AnswerRow& r = *a.rows[i];
    if (r.set_id != info.key.set_id || r.question_id != info.key.question_id) continue;
    (r.rapid_repeat ? rapid : mine).push_back(i);
  }
  std::set<int> versions;
  for (std::size_t i : mine) versions.insert(a.rows[i]->set_version);
  for (std::size_t i : rapid) versions.insert(a.rows[i]->set_version);
  q.set_versions.assign(versions.begin(), versions.end());

  // Every sum below weighs a row by the answers it stands for.
  auto answers_in = [&](const std::vector<std::size_t>& rows) {
    std::int64_t n = 0;
    for (std::size_t i : rows) n += a.rows[i]->count;
    return n;
  };
  auto scores_in = [&](const std::vector<std::size_t>& rows) {
    Scores s;
    for (std::size_t i : rows)
      if (a.rows[i]->score) s[*a.rows[i]->score] += a.rows[i]->count;
    return s;
  };

  const std::int64_t total = answers_in(mine);
  q.answers = ShownCount::of(total);
  const Scores scores = scores_in(mine);
  const bool scale = info.type == QuestionType::scale;
  if (scale) fill_scores(scores, total, q.median_score, q.mean_score);

  {
    const std::int64_t rapid_total = answers_in(rapid);
    q.rapid_repeats.answers = ShownCount::of(rapid_total);
    if (scale) fill_scores(scores_in(rapid), rapid_total, q.rapid_repeats.median_score, q.rapid_repeats.mean_score);
  }

  if (scale) {
    // Scores outside the set's range (another version's) widen it rather than vanish.
    if (!scores.empty()) {
      q.score_min = std::min(q.score_min, scores.begin()->first);
      q.score_max = std::max(q.score_max, scores.rbegin()->first);
    }
    for (int s = q.score_min; s <= q.score_max; ++s) {
      auto it = scores.find(s);
      ScoreCount c{s, ShownCount::of(it == scores.end() ? 0 : it->second), false};
      if (q.median_score) c.median = std::abs(*q.median_score - s) < 0.75;
      q.distribution.push_back(c);
    }
  }

  // Weeks and hours, local time.
  if (!mine.empty()) {
    std::map<std::int64_t, std::vector<std::size_t>> by_monday;
    std::array<std::int64_t, 24> by_hour{};
    std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i : mine) {
      detail::LocalTime t = detail::local_time(a.rows[i]->recorded_at, options);
      IsoWeek w = detail::iso_week(t.day);
      by_monday[w.monday_day].push_back(i);
      first = std::min(first, w.monday_day);
      last = std::max(last, w.monday_day);
      by_hour[t.hour] += a.rows[i]->count;
    }
    for (std::int64_t monday = first; monday <= last; monday += 7) {
      WeekFigures wf{detail::iso_week(monday), {}, std::nullopt};
      auto it = by_monday.find(monday);
      const std::int64_t n = it == by_monday.end() ? 0 : answers_in(it->second);
      wf.answers = ShownCount::of(n);
      if (scale && n >= kMinAnswersForNumbers) wf.mean_score = mean_of(scores_in(it->second));
      q.weeks.push_back(wf);
    }
    for (int h = 0; h < 24; ++h) q.hours.push_back({h, ShownCount::of(by_hour[h])});
  } else {
    for (int h = 0; h < 24; ++h) q.hours.push_back({h, ShownCount::of(0)});
  }

  if (info.type == QuestionType::choice) {
    std::map<std::string, std::int64_t> per_option;
    for (std::size_t i : mine)
      if (a.rows[i]->choice) per_option[*a.rows[i]->choice] += a.rows[i]->count;
    for (auto& o : q.options) o.answers = ShownCount::of(per_option[o.id]);
    for (const auto& [id, n] : per_option) {
      const bool named = std::any_of(q.options.begin(), q.options.end(), [&](const OptionFigures& o) { return o.id == id; });
      if (!named) q.options.push_back({id, id, ShownCount::of(n)});
    }
  }

  if (info.type == QuestionType::text) {
    std::map<detail::NoteKey, std::vector<std::size_t>> groups;
    for (std::size_t i : mine)
      if (a.note_of[i]) groups[*a.note_of[i]].push_back(i);
    // Bands in order within each scale question; notes without a score last.
    std::vector<const std::pair<const detail::NoteKey, std::vector<std::size_t>>*> order;
    for (const auto& g : groups) order.push_back(&g);
    std::stable_sort(order.begin(), order.end(), [](auto* x, auto* y) { return x->first.band.has_value() && !y->first.band.has_value(); });
    std::set<std::string> scale_questions;
    for (auto* g : order)
      if (g->first.band) scale_questions.insert(g->first.scale_question_id);
    for (auto* g : order) {
      NoteGroup ng;
      ng.scale_question_id = g->first.scale_question_id;
      ng.band = g->first.band;
      if (ng.band) {
        ng.label = "After a score of " + band_label(*ng.band);
        if (scale_questions.size() > 1) ng.label += " (" + ng.scale_question_id + ")";
      } else {
        ng.label = "Without a score in the same visit";
      }
      const std::int64_t n = answers_in(g->second);
      ng.notes = ShownCount::of(n);
      ng.shown = n >= kMinAnswersForNotes;
      if (ng.shown) {
        for (std::size_t i : g->second) {
          const AnswerRow& r = *a.rows[i];
          for (std::int64_t k = 0; k < r.count; ++k)
            ng.texts.push_back({detail::clean_utf8(*r.text), r.language, detail::iso_week(detail::local_time(r.recorded_at, options).day)});
        }
        // By week, then text: never the order the rows came in, which could
        // follow the order of visits.
        std::sort(ng.texts.begin(), ng.texts.end(), [](const ShownNote& x, const ShownNote& y) {
          return std::tie(x.week.monday_day, x.text, x.language) < std::tie(y.week.monday_day, y.text, y.language);
        });
      }
      q.note_groups.push_back(std::move(ng));
    }
  }
  return q;
}

}  // namespace

Report build_report(const std::vector<AnswerRow>& rows, const std::vector<QuestionSet>& sets, const ReportFilter& filter,
                    const ReportOptions& options) {
  Analysis a = detail::analyse(rows, sets, filter);
  Report report{filter, options.time_zone_name, {}, {}, {}};
  if (filter.from) report.from_date = detail::date_text(detail::local_time(*filter.from, options).day);
  if (filter.until) report.to_date = detail::date_text(detail::local_time(*filter.until - 1, options).day);
  for (std::size_t i = 0; i < a.questions.size(); ++i) report.questions.push_back(figures_for(a, i, options));
  return report;
}

}  // namespace tp::report
