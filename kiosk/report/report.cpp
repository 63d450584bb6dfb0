// The figures of a report, with the anonymity rules applied as they are made.
#include "report.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "analysis.h"
#include "text.h"

namespace tp::report {

using detail::Analysis;
using detail::NoteKey;
using detail::QuestionInfo;
using detail::QuestionKey;

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

// ---- Tallies the builder keeps per question ----------------------------------
struct WeekTally {
  std::int64_t answers = 0;
  std::int64_t scored = 0, score_sum = 0;  // for the week's mean
};

// A note, kept until its visit's score places it in a band.
struct PendingNote {
  std::string text;  // already cleaned (clean_utf8)
  std::string language;
  IsoWeek week;
  std::string session_id;
  std::int64_t count = 1;
};

// The order notes are printed in: by week, then text, then language. Never
// the order the rows came in, which could follow the order of visits.
bool printed_before(const IsoWeek& x_week, const std::string& x_text, const std::string& x_language, const IsoWeek& y_week,
                    const std::string& y_text, const std::string& y_language) {
  return std::tie(x_week.monday_day, x_text, x_language) < std::tie(y_week.monday_day, y_text, y_language);
}

// One group's notes: all of them counted, only the newest `cap` kept, the
// last `cap` in printed order. Which ones those are depends only on the
// notes, not on the order they are added in: a note is dropped only when
// `cap` copies that print after it (or are equal to it) are held.
class NoteSelection {
 public:
  void add(PendingNote&& note, std::int64_t cap) {
    total_ += note.count;
    if (cap <= 0) return;
    // Not newer than the oldest one held, with the selection full: it would go at once.
    if (held_ >= cap && !older(heap_.front(), note)) return;
    note.session_id.clear();  // placed: the visit is no longer needed
    heap_.push_back(std::move(note));
    std::push_heap(heap_.begin(), heap_.end(), newer);
    held_ += heap_.back().count;
    while (held_ - heap_.front().count >= cap) {
      held_ -= heap_.front().count;
      std::pop_heap(heap_.begin(), heap_.end(), newer);
      heap_.pop_back();
    }
  }
  std::int64_t total() const { return total_; }
  // The kept notes in printed order, a note that stands for n (its count) n times; the selection is spent.
  std::vector<ShownNote> take(std::int64_t cap) {
    std::sort(heap_.begin(), heap_.end(), older);
    std::vector<ShownNote> out;
    std::int64_t skip = std::max<std::int64_t>(held_ - std::max<std::int64_t>(cap, 0), 0);  // surplus copies of the oldest
    for (PendingNote& note : heap_) {
      const std::int64_t copies = note.count - std::min(skip, note.count);
      skip -= note.count - copies;
      for (std::int64_t k = 1; k < copies; ++k) out.push_back({note.text, note.language, note.week});
      if (copies > 0) out.push_back({std::move(note.text), std::move(note.language), note.week});
    }
    heap_.clear();
    held_ = 0;
    return out;
  }

 private:
  static bool older(const PendingNote& x, const PendingNote& y) {
    return printed_before(x.week, x.text, x.language, y.week, y.text, y.language);
  }
  // The heap's order: its front is the oldest note held.
  static bool newer(const PendingNote& x, const PendingNote& y) { return older(y, x); }

  std::vector<PendingNote> heap_;
  std::int64_t held_ = 0;   // copies in heap_ (a note's count)
  std::int64_t total_ = 0;  // copies added
};

struct QuestionTally {
  std::vector<int> versions;  // unsorted, each once
  bool any_main = false;      // a row that is not a rapid repeat
  std::int64_t total = 0;
  Scores scores;
  std::int64_t rapid_total = 0;
  Scores rapid_scores;
  std::map<std::int64_t, WeekTally> weeks;  // by the Monday's day
  std::int64_t last_monday = std::numeric_limits<std::int64_t>::min();
  WeekTally* last_week = nullptr;  // map nodes never move
  std::array<std::int64_t, 24> hours{};
  std::map<std::string, std::int64_t, std::less<>> options;
  std::vector<PendingNote> notes;  // not yet placed (rows in any order): each waits for its visit's scores
  std::map<NoteKey, NoteSelection> note_groups;
};

struct ScaleAnswer {
  std::string set_id, question_id;
  int score = 0;
};

bool passes(const RowView& row, const ReportFilter& filter) {
  if (filter.venue && row.venue != *filter.venue) return false;
  if (filter.set_id && row.set_id != *filter.set_id) return false;
  if (filter.question_id && row.question_id != *filter.question_id) return false;
  if (filter.from && row.recorded_at < *filter.from) return false;
  if (filter.until && row.recorded_at >= *filter.until) return false;
  return true;
}

}  // namespace

RowView RowView::of(const AnswerRow& row) {
  RowView v;
  v.set_id = row.set_id;
  v.set_version = row.set_version;
  v.question_id = row.question_id;
  v.session_id = row.session_id;
  v.venue = row.venue;
  v.language = row.language;
  v.score = row.score;
  v.text = row.text ? &*row.text : nullptr;
  v.choice = row.choice ? &*row.choice : nullptr;
  v.recorded_at = row.recorded_at;
  v.rapid_repeat = row.rapid_repeat;
  v.count = row.count;
  return v;
}

struct ReportBuilder::Impl {
  ReportFilter filter;
  ReportOptions options;
  Analysis known;                               // the sets' questions, in report order (analyse() of no rows)
  std::map<QuestionKey, QuestionType> unknown;  // questions no set describes, typed by their answers
  std::map<QuestionKey, QuestionTally> tallies;
  bool keep_visits = true;
  std::unordered_map<std::string, std::vector<ScaleAnswer>> visit_scores;
  // Visits arriving whole (visits_arrive_whole): the one being fed, its scale answers and its notes.
  bool visits_whole = false;
  std::string visit;
  std::vector<ScaleAnswer> visit_scale_answers;
  struct VisitNote {
    QuestionKey question;
    QuestionTally* tally = nullptr;  // map nodes never move
    PendingNote note;
  };
  std::vector<VisitNote> visit_notes;

  // The last row's question: answers come in runs of a few questions.
  QuestionTally* last = nullptr;
  std::string last_set, last_question;
  bool last_may_have_notes = false;
  // The last time and day converted: answers share rounded times.
  std::int64_t time_of = std::numeric_limits<std::int64_t>::min();
  detail::LocalTime local;
  std::int64_t day_of = std::numeric_limits<std::int64_t>::min();
  IsoWeek week;

  QuestionTally& tally_for(const RowView& row);
  QuestionReport figures(const QuestionInfo& info);
  NoteKey note_key(const QuestionKey& question, std::vector<ScaleAnswer>* scale_answers);
  void place(QuestionTally& tally, const QuestionKey& question, PendingNote&& note, std::vector<ScaleAnswer>* scale_answers);
  void end_visit();
};

QuestionTally& ReportBuilder::Impl::tally_for(const RowView& row) {
  if (last && row.set_id == last_set && row.question_id == last_question) return *last;
  QuestionKey key{std::string(row.set_id), std::string(row.question_id)};
  auto k = known.question_index.find(key);
  if (k == known.question_index.end()) {
    // As analyse() types them: a score makes a scale question; else the first row decides.
    const QuestionType guess = row.score ? QuestionType::scale : row.choice ? QuestionType::choice : QuestionType::text;
    auto [it, inserted] = unknown.emplace(key, guess);
    if (!inserted && guess == QuestionType::scale) it->second = guess;
    // A question no set describes may still turn out a scale question: its
    // notes are kept and dropped at the end if so. Its runs are not cached,
    // so that every row has its say in the type.
    last = nullptr;
    QuestionTally& t = tallies[key];
    last_may_have_notes = true;
    return t;
  }
  last_may_have_notes = known.questions[k->second].type == QuestionType::text;
  last = &tallies[key];
  last_set = key.set_id;
  last_question = key.question_id;
  return *last;
}

ReportBuilder::ReportBuilder(const std::vector<QuestionSet>& sets, ReportFilter filter, ReportOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->known = detail::analyse({}, sets, filter);
  impl_->filter = std::move(filter);
  impl_->options = std::move(options);
}

ReportBuilder::~ReportBuilder() = default;

void ReportBuilder::keep_visit_scores(bool keep) { impl_->keep_visits = keep; }

void ReportBuilder::visits_arrive_whole(bool whole) {
  impl_->end_visit();  // a visit held so far is whole as it stands
  impl_->visits_whole = whole;
}

void ReportBuilder::Impl::place(QuestionTally& tally, const QuestionKey& question, PendingNote&& note,
                                std::vector<ScaleAnswer>* scale_answers) {
  tally.note_groups[note_key(question, scale_answers)].add(std::move(note), options.max_notes_shown);
}

void ReportBuilder::Impl::end_visit() {
  for (VisitNote& n : visit_notes) place(*n.tally, n.question, std::move(n.note), &visit_scale_answers);
  visit_notes.clear();
  visit_scale_answers.clear();
  visit.clear();
}

void ReportBuilder::add(const RowView& row) {
  Impl& m = *impl_;
  if (m.visits_whole && !row.session_id.empty() && row.session_id != m.visit) {
    m.end_visit();  // the caller's promise: no row of that visit follows
    m.visit = row.session_id;
  }
  // Every row with a visit gives it its score, even one the filter drops or
  // that counts for nothing: a filter on the question or the time must not
  // cut a note off from its visit's score.
  if (row.score && !row.session_id.empty()) {
    if (m.visits_whole) {
      m.visit_scale_answers.push_back({std::string(row.set_id), std::string(row.question_id), *row.score});
    } else if (m.keep_visits) {
      auto [it, made] = m.visit_scores.try_emplace(std::string(row.session_id));
      it->second.push_back({std::string(row.set_id), std::string(row.question_id), *row.score});
    }
  }
  if (row.count <= 0 || !passes(row, m.filter)) return;
  QuestionTally& t = m.tally_for(row);
  if (std::find(t.versions.begin(), t.versions.end(), row.set_version) == t.versions.end()) t.versions.push_back(row.set_version);
  if (row.rapid_repeat) {
    t.rapid_total += row.count;
    if (row.score) t.rapid_scores[*row.score] += row.count;
    return;
  }
  t.any_main = true;
  t.total += row.count;
  if (row.score) t.scores[*row.score] += row.count;

  if (row.recorded_at != m.time_of) {
    m.time_of = row.recorded_at;
    m.local = detail::local_time(row.recorded_at, m.options);
    if (m.local.day != m.day_of) {
      m.day_of = m.local.day;
      m.week = detail::iso_week(m.local.day);
    }
  }
  if (m.week.monday_day != t.last_monday) {
    t.last_monday = m.week.monday_day;
    t.last_week = &t.weeks[m.week.monday_day];
  }
  t.last_week->answers += row.count;
  if (row.score) {
    t.last_week->scored += row.count;
    t.last_week->score_sum += static_cast<std::int64_t>(*row.score) * row.count;
  }
  t.hours[m.local.hour] += row.count;
  if (row.choice) {
    auto it = t.options.find(*row.choice);
    if (it == t.options.end()) it = t.options.emplace(*row.choice, 0).first;
    it->second += row.count;
  }
  if (m.last_may_have_notes && row.text && !row.text->empty()) {  // a note (rapid repeats returned above)
    PendingNote note{detail::clean_utf8(*row.text), std::string(row.language), m.week, std::string(row.session_id), row.count};
    if (!m.visits_whole) {
      t.notes.push_back(std::move(note));  // its visit's scores may still come
    } else if (row.session_id.empty()) {
      m.place(t, {std::string(row.set_id), std::string(row.question_id)}, std::move(note), nullptr);  // no visit, no score
    } else {
      note.session_id.clear();  // the visit is the one held
      m.visit_notes.push_back({{std::string(row.set_id), std::string(row.question_id)}, &t, std::move(note)});
    }
  }
}

// `scale_answers`: every scale answer of the note's visit; null when none.
NoteKey ReportBuilder::Impl::note_key(const QuestionKey& question, std::vector<ScaleAnswer>* scale_answers) {
  NoteKey key{question, {}, {}};
  auto position = [&](const std::string& set_id, const std::string& question_id) -> int {
    auto it = known.question_index.find({set_id, question_id});
    if (it == known.question_index.end()) return -1;
    const QuestionInfo& info = known.questions[it->second];
    return static_cast<int>(info.question - info.set->questions.data());
  };
  // The visit's score is its scale answer; with several, the one asked
  // last before this question in the set's order, else the first.
  const ScaleAnswer* chosen = nullptr;
  if (scale_answers) {
    std::vector<ScaleAnswer>& answers = *scale_answers;
    std::sort(answers.begin(), answers.end(), [](const ScaleAnswer& x, const ScaleAnswer& y) {
      return std::tie(x.set_id, x.question_id, x.score) < std::tie(y.set_id, y.question_id, y.score);
    });
    const int here = position(question.set_id, question.question_id);
    int best = -1;
    for (const auto& s : answers) {
      if (s.set_id != question.set_id) continue;
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
    auto k = known.question_index.find({chosen->set_id, chosen->question_id});
    if (k != known.question_index.end() && known.questions[k->second].type == QuestionType::scale)
      bands = score_bands(*known.questions[k->second].question);
    else
      bands.assign(std::begin(kDefaultBands), std::end(kDefaultBands));
    key.band = ScoreBand{chosen->score, chosen->score};  // a score no band holds (another version's range)
    for (const auto& b : bands)
      if (b.contains(chosen->score)) key.band = b;
  }
  return key;
}

QuestionReport ReportBuilder::Impl::figures(const QuestionInfo& info) {
  QuestionReport q;
  fill_words(q, info, options);
  QuestionTally none;
  auto found = tallies.find(info.key);
  QuestionTally& t = found == tallies.end() ? none : found->second;

  q.set_versions = t.versions;
  std::sort(q.set_versions.begin(), q.set_versions.end());
  q.answers = ShownCount::of(t.total);
  const bool scale = info.type == QuestionType::scale;
  if (scale) fill_scores(t.scores, t.total, q.median_score, q.mean_score);
  q.rapid_repeats.answers = ShownCount::of(t.rapid_total);
  if (scale) fill_scores(t.rapid_scores, t.rapid_total, q.rapid_repeats.median_score, q.rapid_repeats.mean_score);

  if (scale) {
    // Scores outside the set's range (another version's) widen it rather than vanish.
    if (!t.scores.empty()) {
      q.score_min = std::min(q.score_min, t.scores.begin()->first);
      q.score_max = std::max(q.score_max, t.scores.rbegin()->first);
    }
    for (int s = q.score_min; s <= q.score_max; ++s) {
      auto it = t.scores.find(s);
      ScoreCount c{s, ShownCount::of(it == t.scores.end() ? 0 : it->second), false};
      if (q.median_score) c.median = std::abs(*q.median_score - s) < 0.75;
      q.distribution.push_back(c);
    }
  }

  // Weeks, the first answer's to the last's with none skipped, and hours: local time.
  if (t.any_main) {
    for (std::int64_t monday = t.weeks.begin()->first; monday <= t.weeks.rbegin()->first; monday += 7) {
      WeekFigures wf{detail::iso_week(monday), {}, std::nullopt};
      auto it = t.weeks.find(monday);
      const std::int64_t n = it == t.weeks.end() ? 0 : it->second.answers;
      wf.answers = ShownCount::of(n);
      if (scale && n >= kMinAnswersForNumbers && it->second.scored > 0)
        wf.mean_score = static_cast<double>(it->second.score_sum) / static_cast<double>(it->second.scored);
      q.weeks.push_back(wf);
    }
  }
  for (int h = 0; h < 24; ++h) q.hours.push_back({h, ShownCount::of(t.hours[h])});

  if (info.type == QuestionType::choice) {
    for (auto& o : q.options) {
      auto it = t.options.find(o.id);
      o.answers = ShownCount::of(it == t.options.end() ? 0 : it->second);
    }
    for (const auto& [id, n] : t.options) {
      const bool named = std::any_of(q.options.begin(), q.options.end(), [&](const OptionFigures& o) { return o.id == id; });
      if (!named) q.options.push_back({id, id, ShownCount::of(n)});
    }
  }

  if (info.type == QuestionType::text) {
    std::map<NoteKey, NoteSelection>& groups = t.note_groups;
    // Bands in order within each scale question; notes without a score last.
    std::vector<std::pair<const NoteKey, NoteSelection>*> order;
    for (auto& g : groups) order.push_back(&g);
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
      const std::int64_t n = g->second.total();
      ng.notes = ShownCount::of(n);
      ng.shown = n >= kMinAnswersForNotes;
      if (ng.shown) {
        ng.texts = g->second.take(options.max_notes_shown);  // the builder is spent
        const auto printed = static_cast<std::int64_t>(ng.texts.size());
        if (printed < n) {
          ng.more_notes = "Showing the newest " + format_count(printed) + " of " + format_count(n) + " notes.";
          if (!options.all_notes_are_in.empty()) ng.more_notes += " " + options.all_notes_are_in;
        }
      }
      q.note_groups.push_back(std::move(ng));
    }
  }
  return q;
}

Report ReportBuilder::finish() {
  Impl& m = *impl_;
  m.end_visit();
  // Notes that came in any order: every visit's scores are in now.
  for (auto& [key, t] : m.tallies) {
    for (PendingNote& note : t.notes) {
      auto it = m.visit_scores.find(note.session_id);
      m.place(t, key, std::move(note), it == m.visit_scores.end() ? nullptr : &it->second);
    }
    t.notes = {};
  }
  m.visit_scores = {};
  Report report{m.filter, m.options.time_zone_name, {}, {}, {}};
  if (m.filter.from) report.from_date = detail::date_text(detail::local_time(*m.filter.from, m.options).day);
  if (m.filter.until) report.to_date = detail::date_text(detail::local_time(*m.filter.until - 1, m.options).day);
  for (const QuestionInfo& info : m.known.questions) report.questions.push_back(m.figures(info));
  // Questions no set describes, after all others, by id.
  for (const auto& [key, type] : m.unknown) report.questions.push_back(m.figures({key, nullptr, nullptr, type}));
  return report;
}

Report build_report(const std::vector<AnswerRow>& rows, const std::vector<QuestionSet>& sets, const ReportFilter& filter,
                    const ReportOptions& options) {
  ReportBuilder builder(sets, filter, options);
  // Without a note among the rows, no visit's score is ever asked for.
  builder.keep_visit_scores(std::any_of(rows.begin(), rows.end(), [](const AnswerRow& r) { return r.count > 0 && detail::is_note(r); }));
  for (const AnswerRow& row : rows) builder.add(RowView::of(row));
  return builder.finish();
}

}  // namespace tp::report
