// The admin web's moderation view: what residents wrote (notes, the text
// answers), by venue, question and score band, newest first, a page at a
// time, and the four things an admin may do to one: mark it read back (or
// unmark it), change the text that shows (light edits: trim it, fix its
// spelling), hide it from the results with a reason, and show it again.
//
// Rules:
//   1. The stored answer is never changed. A moderation row beside it
//      (AdminStore::note_moderation) holds the text to show and the flags;
//      the results page and its CSV use it (apply_note_moderation): a hidden
//      note is left out, an edited one shows its edited text.
//   2. Text is shown only from a group of at least
//      report::kMinAnswersForNotes notes, the results page's rule, so a
//      moderator cannot read a lone note tied to one morning. A group here is
//      one venue, one question and one score band over the chosen days: never
//      larger than the results page's group for the same days, so never
//      looser. Smaller groups are listed with their count only (under the
//      report's rule for numbers: 1 to 4 reads "fewer than 5"). Hidden notes
//      still count in their group: it is what was written that could point
//      at somebody. Rapid repeats are not listed: the results never show them.
//   3. A note is placed in a band by its visit's scale answer as the report
//      does it (report.h, score_bands): the scale question asked last before
//      the note's question in the set's order, else the first.
//   4. A note is dated to its week (the report's resolution for notes), not
//      to the hour, and the days chosen are widened to whole weeks (Monday
//      to Sunday), so comparing the groups of two spans a day apart cannot
//      tie a note to that day.
//   5. Admins only: a viewer gets 403 on the page and on every action. Each
//      action is a POST with the session's CSRF token (admin_web.h, rule 1)
//      and is written to the audit log with who, when, what and, for hiding,
//      the reason.
//   6. An edit that brings in words the note did not have (beyond spelling:
//      a word close to one of the note's own) is allowed, as the admin's
//      call, and the view names those words beside the text as typed.
//
//   note (as typed) --set_shown_text--> edited --set_shown_text(nullopt)--> as typed
//   shown --set_hidden(true, reason)--> hidden --set_hidden(false)--> shown
//   any --set_read_back(true/false)--> read back / not (independent of both)
#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <unordered_map>

#include "admin_pages.h"
#include "question_set.h"
#include "question_set_versions.h"
#include "report.h"
#include "text.h"

namespace tp::server {

using admin_page::csrf_field;
using admin_page::escape;
using admin_page::frame;
using admin_page::html;
using admin_page::notice;
using admin_page::redirect;

namespace {

constexpr int kNotesPerPage = 20;
constexpr int kDefaultDays = 90;
constexpr std::size_t kMaxShownTextBytes = 2000;  // the kiosk's notes are at most 300 characters
constexpr std::size_t kMaxReasonBytes = 300;

// [SECTION] Small helpers

std::string trimmed(std::string_view text) {
  const char* space = " \t\r\n";
  std::size_t first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return "";
  std::size_t last = text.find_last_not_of(space);
  return std::string(text.substr(first, last - first + 1));
}

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\n') || u == 0x7F;
  });
}

// Lower-case words: runs of ASCII letters and digits, or of bytes of UTF-8
// letters (anything above ASCII), apostrophes inside a word kept.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    while (!word.empty() && word.back() == '\'') word.pop_back();
    if (!word.empty()) out.push_back(word);
    word.clear();
  };
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80)
      word += static_cast<char>(std::tolower(u));
    else if (c == '\'' && !word.empty())
      word += c;
    else
      flush();
  }
  flush();
  return out;
}

// Letters added, removed or changed, or two beside each other swapped
// ("grate" and "great" are one apart): the usual slips of typing.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The words of `shown` that are neither in `original` nor a spelling fix of
// one of its words (one change in a word of up to four letters, two in a
// longer one).
std::vector<std::string> added_words(std::string_view original, std::string_view shown) {
  std::vector<std::string> had = words_of(original);
  std::set<std::string> known(had.begin(), had.end()), reported;
  std::vector<std::string> out;
  for (const std::string& w : words_of(shown)) {
    if (known.count(w) || reported.count(w)) continue;
    const std::size_t allowed = w.size() > 4 ? 2 : 1;
    bool fix = std::any_of(had.begin(), had.end(), [&](const std::string& h) { return edit_distance(h, w) <= allowed; });
    if (!fix) {
      reported.insert(w);
      out.push_back(w);
    }
  }
  return out;
}

// "2025-11-24", the Monday of the local week of a time.
std::string week_monday(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  const int back = (tm.tm_wday + 6) % 7;  // days since Monday
  auto midnight = local_midnight(local_date(t));
  // From the middle of the day, so an hour gained or lost in between cannot cross a midnight.
  std::int64_t noon = (midnight ? *midnight : t) + 12 * 3600;
  return local_date(noon - std::int64_t{back} * 86400);
}

std::string band_text(const std::optional<report::ScoreBand>& band) {
  return band ? "After a score of " + report::band_label(*band) : std::string("Without a score in the same visit");
}

std::string band_value(const std::optional<report::ScoreBand>& band) {
  return band ? std::to_string(band->low) + "-" + std::to_string(band->high) : std::string("none");
}

// The filters the page was shown with, kept in the query string (and in each
// form, so an action comes back to the same place).
struct Filters {
  std::string venue, question, band, from, to;
  int page = 1;

  static Filters of(const FormFields& f) {
    Filters out{f.get("venue"), f.get("question"), f.get("band"),
                f.get("from"),  f.get("to"),       std::max(1, std::atoi(f.get("page").c_str()))};
    return out;
  }
  std::string query(int page_no) const {
    std::string q = "venue=" + url_encode(venue) + "&question=" + url_encode(question) + "&band=" + url_encode(band) +
                    "&from=" + url_encode(from) + "&to=" + url_encode(to);
    if (page_no > 1) q += "&page=" + std::to_string(page_no);
    return q;
  }
  std::string hidden_fields() const {
    auto field = [](const char* name, const std::string& value) {
      return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + escape(value) + "\"/>";
    };
    return field("venue", venue) + field("question", question) + field("band", band) + field("from", from) + field("to", to) +
           field("page", std::to_string(page));
  }
};

struct GroupKey {
  std::string venue, set_id, question_id, scale_question_id;
  std::optional<report::ScoreBand> band;
  auto operator<=>(const GroupKey&) const = default;
};

struct ListedNote {
  const report::AnswerRow* row = nullptr;
  GroupKey group;
};

// The newest version of each set: its order of questions and their bands.
struct SetIndex {
  std::map<std::string, const QuestionSet*> newest;

  explicit SetIndex(const std::vector<QuestionSet>& sets) {
    for (const auto& s : sets)
      if (!newest.count(s.id) || newest[s.id]->version < s.version) newest[s.id] = &s;
  }
  const Question* question(const std::string& set_id, const std::string& question_id) const {
    auto it = newest.find(set_id);
    return it == newest.end() ? nullptr : it->second->find(question_id);
  }
  int position(const std::string& set_id, const std::string& question_id) const {
    auto it = newest.find(set_id);
    if (it == newest.end()) return -1;
    const Question* q = it->second->find(question_id);
    return q ? static_cast<int>(q - it->second->questions.data()) : -1;
  }
  std::string prompt(const std::string& set_id, const std::string& question_id) const {
    auto it = newest.find(set_id);
    const Question* q = it == newest.end() ? nullptr : it->second->find(question_id);
    if (!q) return question_id;
    auto words = q->prompt.find(it->second->default_language);
    // A prompt quoting the visit's score reads as the results page has it.
    std::string p = words == q->prompt.end() ? question_id
                                             : fill(words->second, {{"score", "[score]"},
                                                                    {"score_plus_one", "[score + 1]"},
                                                                    {"a_score", "a [score]"},
                                                                    {"a_score_plus_one", "a [score + 1]"}});
    if (p.size() > 70) p = p.substr(0, 67) + "...";
    return p;
  }
};

struct VisitScore {
  std::string set_id, question_id;
  int score = 0;
};

// Rule 3: the band of a note, from its visit's scale answers.
GroupKey group_of(const report::AnswerRow& note, const std::unordered_map<std::string, std::vector<VisitScore>>& visits,
                  const SetIndex& index) {
  GroupKey key{note.venue, note.set_id, note.question_id, "", std::nullopt};
  auto it = visits.find(note.session_id);
  if (it == visits.end()) return key;
  std::vector<VisitScore> scores = it->second;
  std::sort(scores.begin(), scores.end(), [](const VisitScore& x, const VisitScore& y) {
    return std::tie(x.set_id, x.question_id, x.score) < std::tie(y.set_id, y.question_id, y.score);
  });
  const int here = index.position(note.set_id, note.question_id);
  const VisitScore* chosen = nullptr;
  int best = -1;
  for (const auto& s : scores) {
    if (s.set_id != note.set_id) continue;
    const int at = index.position(s.set_id, s.question_id);
    if (!chosen) chosen = &s;
    if (here >= 0 && at >= 0 && at < here && at > best) {
      best = at;
      chosen = &s;
    }
  }
  if (!chosen) return key;
  key.scale_question_id = chosen->question_id;
  std::vector<report::ScoreBand> bands;
  const Question* scale = index.question(chosen->set_id, chosen->question_id);
  if (scale && scale->type == QuestionType::scale)
    bands = report::score_bands(*scale);
  else
    bands.assign(std::begin(report::kDefaultBands), std::end(report::kDefaultBands));
  key.band = report::ScoreBand{chosen->score, chosen->score};
  for (const auto& b : bands)
    if (b.contains(chosen->score)) key.band = b;
  return key;
}

}  // namespace

namespace admin_page {

void apply_note_moderation(std::vector<report::AnswerRow>& rows, const std::vector<NoteModeration>& moderation) {
  if (moderation.empty()) return;
  std::unordered_map<std::string, const NoteModeration*> by_answer;
  for (const auto& m : moderation) by_answer[m.answer_id] = &m;
  for (auto& row : rows) {
    if (!row.text || row.answer_id.empty()) continue;
    auto it = by_answer.find(row.answer_id);
    if (it == by_answer.end()) continue;
    if (it->second->hidden)
      row.text.reset();  // still an answer, counted; no longer a note
    else if (it->second->shown_text)
      row.text = *it->second->shown_text;
  }
}

std::vector<QuotableNote> quotable_notes(const std::vector<report::AnswerRow>& rows, const std::vector<NoteModeration>& moderation,
                                         const std::vector<QuestionSet>& sets) {
  std::unordered_map<std::string, const NoteModeration*> by_answer;
  for (const auto& m : moderation)
    if (m.read_back && !m.hidden) by_answer[m.answer_id] = &m;
  std::vector<QuotableNote> out;
  if (by_answer.empty()) return out;
  SetIndex index(sets);
  std::unordered_map<std::string, std::vector<VisitScore>> visits;
  for (const auto& r : rows)
    if (r.score && !r.session_id.empty()) visits[r.session_id].push_back({r.set_id, r.question_id, *r.score});
  std::map<GroupKey, std::int64_t> group_sizes;
  std::vector<std::pair<const report::AnswerRow*, GroupKey>> marked;
  for (const auto& r : rows) {
    if (!r.text || r.text->empty() || r.rapid_repeat || r.count < 1) continue;
    GroupKey g = group_of(r, visits, index);
    group_sizes[g] += r.count;  // rule 2: hidden notes count too
    if (by_answer.count(r.answer_id)) marked.emplace_back(&r, std::move(g));
  }
  for (const auto& [row, group] : marked) {
    if (group_sizes[group] < report::kMinAnswersForNotes) continue;
    const NoteModeration* m = by_answer[row->answer_id];
    out.push_back(QuotableNote{row->answer_id, row->venue, m->shown_text ? *m->shown_text : *row->text, row->language,
                               index.prompt(row->set_id, row->question_id), band_text(group.band), row->recorded_at});
  }
  std::sort(out.begin(), out.end(), [](const QuotableNote& x, const QuotableNote& y) {
    return std::tie(y.recorded_at, y.answer_id) < std::tie(x.recorded_at, x.answer_id);
  });
  return out;
}

}  // namespace admin_page

// [SECTION] The view

ApiResponse AdminWeb::moderation(Context& c) {
  Filters f = Filters::of(c.query);
  if (f.to.empty()) f.to = local_date(c.now);
  if (f.from.empty()) f.from = local_date(c.now - std::int64_t{kDefaultDays} * 86400);
  auto from = local_midnight(f.from), until = local_midnight(f.to, 1);
  std::string problem;
  if (!from || !until) {
    problem = "Dates are written YYYY-MM-DD, such as 2025-01-31.";
  } else if (*from >= *until) {
    problem = "The first day comes after the last one.";
  } else {
    // Rule 4: whole weeks, so that moving the first or last day by one
    // cannot single out the notes of that day.
    f.from = week_monday(*from);
    f.to = local_date(*local_midnight(week_monday(*until - 1), 6));
    from = local_midnight(f.from);
    until = local_midnight(f.to, 1);
  }

  auto venues = admin_.venues();
  if (!venues) return unavailable(venues.status(), "list venues");
  std::vector<QuestionSet> sets;
  if (Status s = load_sets(sets); !s) return unavailable(s, "read a question set");
  SetIndex index(sets);

  std::optional<std::string> set_id, question_id;
  if (auto slash = f.question.find('/'); slash != std::string::npos) {
    set_id = f.question.substr(0, slash);
    question_id = f.question.substr(slash + 1);
  }

  std::vector<report::AnswerRow> rows;
  if (problem.empty()) {
    AnswerQuery q{f.venue.empty() ? std::nullopt : std::optional<std::string>(f.venue), *from, *until, set_id, question_id};
    q.notes = true;
    auto got = admin_.answer_rows(q);
    if (!got) return unavailable(got.status(), "read answers");
    rows = std::move(*got);
  }
  auto moderation = admin_.note_moderation();
  if (!moderation) return unavailable(moderation.status(), "read the moderation of notes");
  std::unordered_map<std::string, const NoteModeration*> moderated;
  for (const auto& m : *moderation) moderated[m.answer_id] = &m;

  // Visits' scale answers, then each note in its group (rules 2 and 3).
  std::unordered_map<std::string, std::vector<VisitScore>> visits;
  for (const auto& r : rows)
    if (r.score && !r.session_id.empty()) visits[r.session_id].push_back({r.set_id, r.question_id, *r.score});
  std::vector<ListedNote> notes;
  std::map<GroupKey, std::int64_t> group_sizes;
  for (const auto& r : rows) {
    if (!r.text || r.text->empty() || r.rapid_repeat || r.count < 1) continue;
    ListedNote n{&r, group_of(r, visits, index)};
    group_sizes[n.group] += r.count;
    notes.push_back(std::move(n));
  }
  std::set<std::string> band_choices;
  std::vector<ListedNote> listed;
  for (auto& n : notes) {
    if (group_sizes[n.group] < report::kMinAnswersForNotes) continue;
    band_choices.insert(band_value(n.group.band));
    if (!f.band.empty() && band_value(n.group.band) != f.band) continue;
    listed.push_back(n);
  }
  std::sort(listed.begin(), listed.end(), [](const ListedNote& x, const ListedNote& y) {
    return std::tie(y.row->recorded_at, y.row->answer_id) < std::tie(x.row->recorded_at, x.row->answer_id);
  });
  const int pages = std::max<int>(1, static_cast<int>((listed.size() + kNotesPerPage - 1) / kNotesPerPage));
  f.page = std::min(f.page, pages);

  // The filter form.
  std::string body =
      "<h1>Moderation</h1><p class=\"lead\">What residents wrote, newest first. Edits and hiding change what the results "
      "show; what was typed is kept.</p>";
  body +=
      "<form class=\"inline card\" method=\"get\" action=\"/admin/moderation\"><div class=\"field\"><label for=\"venue\">Venue</label>"
      "<select id=\"venue\" name=\"venue\"><option value=\"\">All venues</option>";
  for (const auto& v : *venues)
    body += "<option value=\"" + escape(v) + "\"" + (v == f.venue ? " selected=\"selected\"" : "") + ">" + escape(v) + "</option>";
  body +=
      "</select></div><div class=\"field\"><label for=\"question\">Question</label><select id=\"question\" name=\"question\">"
      "<option value=\"\">Every question</option>";
  for (const auto& [id, set] : index.newest)
    for (const auto& qn : set->questions) {
      if (qn.type != QuestionType::text) continue;
      std::string key = id + "/" + qn.id;
      body += "<option value=\"" + escape(key) + "\"" + (key == f.question ? " selected=\"selected\"" : "") + ">" + escape(id) + ": " +
              escape(index.prompt(id, qn.id)) + "</option>";
    }
  body +=
      "</select></div><div class=\"field\"><label for=\"band\">Score band</label><select id=\"band\" name=\"band\">"
      "<option value=\"\">Every band</option>";
  if (!f.band.empty()) band_choices.insert(f.band);
  for (const auto& b : band_choices) {
    std::string label = b == "none" ? "Without a score" : b;
    if (auto dash = label.find('-'); b != "none" && dash != std::string::npos && label.substr(0, dash) == label.substr(dash + 1))
      label = label.substr(0, dash);
    else if (b != "none" && dash != std::string::npos)
      label.replace(dash, 1, "\xE2\x80\x93");
    body += "<option value=\"" + escape(b) + "\"" + (b == f.band ? " selected=\"selected\"" : "") + ">" + escape(label) + "</option>";
  }
  body += "</select></div><div class=\"field\"><label for=\"from\">From</label><input type=\"date\" id=\"from\" name=\"from\" value=\"" +
          escape(f.from) +
          "\"/></div><div class=\"field\"><label for=\"to\">To (included)</label><input type=\"date\" id=\"to\" name=\"to\" value=\"" +
          escape(f.to) + "\"/></div><div><button type=\"submit\">Show</button></div></form>";
  if (!problem.empty()) {
    body += notice(escape(problem), "bad");
    return html(400, frame("Moderation", c.who, "/admin/moderation", body));
  }
  if (std::string done = c.query.get("done"); !done.empty()) {
    static const std::map<std::string, std::string> kDone = {{"read-back", "Marked as read back."},
                                                             {"not-read-back", "No longer marked as read back."},
                                                             {"edited", "The text shown is changed; what was typed is kept."},
                                                             {"restored", "The note shows as typed again."},
                                                             {"hidden", "The note is hidden from the results."},
                                                             {"unhidden", "The note shows in the results again."}};
    if (auto it = kDone.find(done); it != kDone.end()) body += notice(escape(it->second));
  }
  body += "<p class=\"hint\">Text is shown only from groups of at least " + std::to_string(report::kMinAnswersForNotes) +
          " notes (one venue, one question, one score band, over these days), as on the results page. Notes are dated to their "
          "week, and the days chosen are widened to whole weeks, Monday to Sunday.</p>";

  // The notes of this page.
  const std::size_t first = static_cast<std::size_t>(f.page - 1) * kNotesPerPage;
  const std::size_t last = std::min(listed.size(), first + kNotesPerPage);
  if (listed.empty()) body += "<p>No notes to show for this choice.</p>";
  const std::string back = f.hidden_fields();
  for (std::size_t i = first; i < last; ++i) {
    const report::AnswerRow& r = *listed[i].row;
    const GroupKey& g = listed[i].group;
    auto m = moderated.find(r.answer_id);
    const NoteModeration* mod = m == moderated.end() ? nullptr : m->second;
    const bool read_back = mod && mod->read_back, hidden = mod && mod->hidden, edited = mod && mod->shown_text;
    const std::string shown = edited ? *mod->shown_text : *r.text;
    const std::string id = std::to_string(i + 1);
    const std::string answer_field = "<input type=\"hidden\" name=\"answer\" value=\"" + escape(r.answer_id) + "\"/>";

    body += std::string("<article class=\"card note") + (hidden ? " hidden-note" : "") + "\" aria-labelledby=\"note-" + id + "\">";
    body += "<h2 class=\"visually-hidden\" id=\"note-" + id + "\">Note " + id + "</h2><p class=\"note-meta\"><strong>" + escape(g.venue) +
            "</strong> · " + escape(index.prompt(g.set_id, g.question_id)) + " · " + escape(band_text(g.band)) + " · week of " +
            escape(week_monday(r.recorded_at)) + "</p>";
    std::string tags;
    if (read_back) tags += "<span class=\"tag ok\">Read back</span> ";
    if (edited) tags += "<span class=\"tag\">Edited</span> ";
    if (hidden) tags += "<span class=\"tag warn\">Hidden</span> ";
    if (!tags.empty()) body += "<p class=\"note-tags\">" + tags + "</p>";
    body += "<blockquote class=\"note-text\" lang=\"" + escape(r.language) + "\">" + escape(shown) + "</blockquote>";
    if (edited) {
      body += "<p class=\"note-original\"><span class=\"hint\">As typed:</span> <q lang=\"" + escape(r.language) + "\">" + escape(*r.text) +
              "</q></p>";
      std::vector<std::string> added = added_words(*r.text, shown);
      if (!added.empty()) {
        std::string list;
        for (const auto& w : added) list += (list.empty() ? "" : ", ") + w;
        body += "<p class=\"note-added\"><span class=\"tag warn\">New words</span> The edit adds words the resident did not write: " +
                escape(list) + ".</p>";
      }
    }
    if (hidden)
      body += notice("<strong>Hidden from the results</strong>Reason: " + escape(mod->hidden_reason) + " (" + escape(mod->changed_by) + ")",
                     "warn");
    if (mod)
      body += "<p class=\"hint\">Last changed by " + escape(mod->changed_by) + " on " + escape(local_date(mod->changed_at)) + ".</p>";

    body += "<div class=\"actions\"><form method=\"post\" action=\"/admin/moderation/read-back\">" + csrf_field(*c.who) + answer_field +
            back + "<input type=\"hidden\" name=\"on\" value=\"" + (read_back ? "0" : "1") +
            "\"/><button class=\"secondary\" type=\"submit\">" + (read_back ? "Unmark read back" : "Mark read back") +
            "<span class=\"visually-hidden\"> (note " + id + ")</span></button></form>";
    if (hidden)
      body += "<form method=\"post\" action=\"/admin/moderation/unhide\">" + csrf_field(*c.who) + answer_field + back +
              "<button class=\"secondary\" type=\"submit\">Show in results again<span class=\"visually-hidden\"> (note " + id +
              ")</span></button></form>";
    body += "</div>";

    body += "<details class=\"note-edit\"><summary>Edit what shows<span class=\"visually-hidden\"> (note " + id +
            ")</span></summary><form class=\"stack wide\" method=\"post\" action=\"/admin/moderation/edit\">" + csrf_field(*c.who) +
            answer_field + back + "<div class=\"field\"><label for=\"text-" + id + "\">Text shown (note " + id +
            ")</label><span class=\"hint\" id=\"text-hint-" + id +
            "\">Trim it or fix its spelling. The text as typed is kept and shown here beside it.</span><textarea class=\"note-edit\" "
            "id=\"text-" +
            id + "\" name=\"text\" rows=\"3\" maxlength=\"" + std::to_string(kMaxShownTextBytes) + "\" aria-describedby=\"text-hint-" + id +
            "\" required=\"required\">" + escape(shown) +
            "</textarea></div><div class=\"actions\"><button type=\"submit\">Save text</button>";
    if (edited)
      body +=
          "<button class=\"secondary\" type=\"submit\" name=\"restore\" value=\"1\" formnovalidate=\"formnovalidate\">Show as "
          "typed</button>";
    body += "</div></form></details>";
    if (!hidden)
      body += "<details class=\"note-hide\"><summary>Hide from the results<span class=\"visually-hidden\"> (note " + id +
              ")</span></summary><form class=\"inline\" method=\"post\" action=\"/admin/moderation/hide\">" + csrf_field(*c.who) +
              answer_field + back + "<div class=\"field\"><label for=\"reason-" + id + "\">Reason (note " + id +
              ")</label><input type=\"text\" id=\"reason-" + id + "\" name=\"reason\" required=\"required\" maxlength=\"" +
              std::to_string(kMaxReasonBytes) +
              "\"/></div><div><button class=\"danger\" type=\"submit\">Hide note<span class=\"visually-hidden\"> " + id +
              "</span></button></div></form></details>";
    body += "</article>";
  }
  if (pages > 1) {
    body += "<nav class=\"pages\" aria-label=\"Pages\"><p>Page " + std::to_string(f.page) + " of " + std::to_string(pages) + " (" +
            std::to_string(listed.size()) + " notes)</p><ul>";
    if (f.page > 1) body += "<li><a href=\"/admin/moderation?" + escape(f.query(f.page - 1)) + "\">Newer notes</a></li>";
    if (f.page < pages) body += "<li><a href=\"/admin/moderation?" + escape(f.query(f.page + 1)) + "\">Older notes</a></li>";
    body += "</ul></nav>";
  }

  // Rule 2: the groups too small to show, by count only.
  std::string small;
  for (const auto& [g, n] : group_sizes) {
    if (n >= report::kMinAnswersForNotes) continue;
    if (!f.band.empty() && band_value(g.band) != f.band) continue;
    small += "<tr><td data-label=\"Venue\">" + escape(g.venue) + "</td><td data-label=\"Question\">" +
             escape(index.prompt(g.set_id, g.question_id)) + "</td><td data-label=\"Score band\">" + escape(band_text(g.band)) +
             "</td><td data-label=\"Notes\" class=\"num\">" + escape(report::format_shown(report::ShownCount::of(n))) + "</td></tr>";
  }
  if (!small.empty())
    body +=
        "<h2>Groups too small to read</h2><p>These groups have fewer than " + std::to_string(report::kMinAnswersForNotes) +
        " notes over the chosen days, so their text is not shown here or in the results. Choose more weeks to read them once a "
        "group is large enough.</p><div class=\"table-wrap\"><table class=\"data stack\"><thead><tr><th scope=\"col\">Venue</th>"
        "<th scope=\"col\">Question</th><th scope=\"col\">Score band</th><th scope=\"col\" class=\"num\">Notes</th></tr></thead><tbody>" +
        small + "</tbody></table></div>";
  return html(200, frame("Moderation", c.who, "/admin/moderation", body));
}

// [SECTION] Actions

ApiResponse AdminWeb::moderate(Context& c) {
  const std::string answer = c.form.get("answer");
  Filters f = Filters::of(c.form);
  const std::string action = c.path.substr(std::string_view("/admin/moderation/").size());
  auto bad = [&](int status, const std::string& why) {
    return html(status, frame("Moderation", c.who, "/admin/moderation",
                              "<h1>Moderation</h1>" + notice(escape(why) + " Nothing was changed.", "bad") +
                                  "<p><a href=\"/admin/moderation?" + escape(f.query(f.page)) + "\">Back to moderation</a></p>"));
  };
  if (action != "read-back" && action != "edit" && action != "hide" && action != "unhide")
    return html(404, frame("Not found", c.who, "", "<h1>Not found</h1>"));
  auto original = admin_.note_text(answer);
  if (!original) return unavailable(original.status(), "read a note");
  if (!*original) return bad(404, "There is no note " + answer + ".");

  std::string done;
  if (action == "read-back") {
    const bool on = c.form.get("on") != "0";
    if (Status s = admin_.set_read_back(answer, on, c.who->account.name, c.now); !s) return unavailable(s, "mark a note read back");
    audit(c, on ? "marked a note read back" : "unmarked a note read back", "answer " + answer);
    done = on ? "read-back" : "not-read-back";
  } else if (action == "edit") {
    std::string text = trimmed(c.form.get("text"));
    std::optional<std::string> shown;
    if (c.form.get("restore") != "1") {
      if (text.empty()) return bad(400, "Write the text to show, or choose \"Show as typed\".");
      if (text.size() > kMaxShownTextBytes) return bad(400, "The text shown is at most " + std::to_string(kMaxShownTextBytes) + " bytes.");
      if (has_control_characters(text)) return bad(400, "The text shown cannot hold control characters.");
      if (text != **original) shown = text;
    }
    if (Status s = admin_.set_shown_text(answer, shown, c.who->account.name, c.now); !s) return unavailable(s, "edit a note");
    if (shown) {
      std::string detail = "answer " + answer + ": shows \"" + *shown + "\"";
      std::vector<std::string> added = added_words(**original, *shown);
      if (!added.empty()) {
        detail += "; adds words:";
        for (const auto& w : added) detail += " " + w;
      }
      audit(c, "edited a note", detail);
      done = "edited";
    } else {
      audit(c, "restored a note as typed", "answer " + answer);
      done = "restored";
    }
  } else if (action == "hide") {
    std::string reason = trimmed(c.form.get("reason"));
    if (reason.empty()) return bad(400, "Give a reason for hiding the note: it is kept in the audit log.");
    if (reason.size() > kMaxReasonBytes || has_control_characters(reason))
      return bad(400, "A reason is one line of at most " + std::to_string(kMaxReasonBytes) + " bytes.");
    if (Status s = admin_.set_hidden(answer, true, reason, c.who->account.name, c.now); !s) return unavailable(s, "hide a note");
    audit(c, "hid a note", "answer " + answer + ": " + reason);
    done = "hidden";
  } else {
    if (Status s = admin_.set_hidden(answer, false, "", c.who->account.name, c.now); !s) return unavailable(s, "show a hidden note");
    audit(c, "showed a hidden note again", "answer " + answer);
    done = "unhidden";
  }
  return redirect("/admin/moderation?" + f.query(f.page) + "&done=" + done);
}

Status AdminWeb::load_sets(std::vector<QuestionSet>& sets) {
  auto versions = store_.set_versions();
  if (!versions) return versions.status();
  for (const auto& v : *versions) {
    auto body = store_.set_body(v.set_id, v.version);
    if (!body) return body.status();
    if (!*body) continue;
    LoadResult loaded = parse_question_set(**body);
    if (loaded.set) sets.push_back(std::move(*loaded.set));
  }
  return {};
}

}  // namespace tp::server
