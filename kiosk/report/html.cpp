// HTML from a Report. Every string from a question set or a resident goes
// through escape(); the page's own words are English.
#include "html.h"

#include "analysis.h"
#include "svg.h"

namespace tp::report {

std::string escape(std::string_view text) {
  const std::string clean = detail::clean_utf8(text);
  std::string out;
  out.reserve(clean.size() + 16);
  for (char c : clean) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string report_stylesheet() {
  // DESIGN.md: warm paper, ink, muted ink, deep teal accent, quiet lines;
  // Noto Sans or DejaVu Sans from the system, 16 px body, tabular figures.
  return R"css(*{box-sizing:border-box}
body{margin:0;background:#F6F4EF;color:#1E2430;font-family:"Noto Sans","DejaVu Sans",sans-serif;font-size:16px;line-height:1.5}
.tp-report{max-width:64rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.tp-report h1{font-size:1.75rem;line-height:1.25;margin:0 0 .25rem}
.tp-filter{color:#5A6170;margin:0 0 1rem}
.tp-note-line{margin:0 0 .5rem}
.tp-rules{background:#FFFFFF;border:1px solid #D9D5CC;border-radius:8px;padding:.75rem 1rem;margin:0 0 1.5rem}
.tp-rules p{margin:0}
.tp-question{background:#FFFFFF;border:1px solid #D9D5CC;border-radius:8px;padding:1.25rem 1rem;margin:0 0 1.5rem}
.tp-question h2{font-size:1.375rem;line-height:1.3;margin:0 0 .25rem;overflow-wrap:anywhere}
.tp-question h3{font-size:1.125rem;margin:1.5rem 0 .5rem}
.tp-question h4{font-size:1rem;margin:1rem 0 .25rem}
.tp-meta{color:#5A6170;font-size:.875rem;margin:0 0 1rem}
.tp-summary{display:flex;flex-wrap:wrap;gap:.5rem 2.5rem;margin:0 0 1rem}
.tp-summary dt{color:#5A6170;font-size:.875rem}
.tp-summary dd{margin:0;font-size:1.5rem;font-weight:700;font-variant-numeric:tabular-nums}
.tp-figure{margin:1.5rem 0 0;break-inside:avoid}
.tp-figure figcaption{font-weight:700;margin:0 0 .5rem}
.tp-figure-body{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem;align-items:start}
.tp-chart{display:block;width:100%;max-width:36rem;height:auto}
.tp-table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.9375rem}
.tp-table caption{text-align:left;color:#5A6170;font-size:.875rem;padding:0 0 .25rem}
.tp-table th,.tp-table td{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #D9D5CC}
.tp-table th{font-weight:700}
.tp-table .tp-num{text-align:right}
.tp-withheld{color:#1E2430;border-left:4px solid #5A6170;padding:.25rem .75rem;margin:.5rem 0}
.tp-more-notes{font-weight:600;margin:.25rem 0 .5rem}
.tp-note-list{list-style:none;padding:0;margin:0}
.tp-note{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 1rem;margin:0 0 .375rem;padding:.25rem .75rem;border-left:4px solid #0B6E69;background:#F6F4EF}
.tp-note blockquote{flex:1 1 20rem;margin:0;overflow-wrap:anywhere}
.tp-note blockquote p{margin:0}
.tp-note blockquote p::before{content:"\201C"}
.tp-note blockquote p::after{content:"\201D"}
.tp-when{color:#5A6170;font-size:.875rem;margin:0;white-space:nowrap}
.tp-rapid{color:#5A6170;border-top:1px solid #D9D5CC;padding-top:.75rem;margin:1.5rem 0 0}
a:focus-visible{outline:3px solid #0B6E69;outline-offset:2px}
@media (min-width:52rem){.tp-figure-body{grid-template-columns:minmax(0,3fr) minmax(14rem,2fr)}}
@page{size:A4 portrait;margin:15mm}
@media print{
body{background:#FFFFFF;font-size:11pt}
.tp-report{max-width:none;padding:0}
.tp-rules{border-color:#5A6170}
.tp-question{border:none;border-radius:0;padding:0;margin:0;break-before:page}
.tp-figure-body{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}
.tp-note{background:none;break-inside:avoid}
}
)css";
}

namespace {

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return format_count(n) + " " + std::string(n == 1 ? one : many);
}

// "12 answers", "Fewer than 5 answers"
std::string counted(const ShownCount& c, std::string_view one, std::string_view many) {
  if (c.hidden()) return capitalised(kFewerThanMinimum) + " " + std::string(many);
  return plural(*c.value, one, many);
}

std::string anchor_id(const QuestionReport& q) {
  std::string id = "q-";
  for (char c : q.set_id + "-" + q.question_id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    id += plain ? c : '_';
  }
  return id;
}

std::string lang_attr(const std::string& language, const std::string& page_language = "en") {
  if (language.empty() || language == page_language) return {};
  return " lang=\"" + escape(language) + "\"";
}

std::string cell(std::string_view text, bool number = false) {
  return std::string(number ? "<td class=\"tp-num\">" : "<td>") + escape(text) + "</td>";
}

std::string figure(std::string_view caption, const std::string& chart, const std::string& table) {
  return "<figure class=\"tp-figure\"><figcaption>" + escape(caption) + "</figcaption><div class=\"tp-figure-body\"><div>" + chart +
         "</div>" + table + "</div></figure>";
}

std::string table_head(std::string_view caption, std::initializer_list<std::pair<std::string_view, bool>> columns) {
  std::string out = "<table class=\"tp-table\"><caption>" + escape(caption) + "</caption><thead><tr>";
  for (const auto& [name, number] : columns)
    out += std::string(number ? "<th scope=\"col\" class=\"tp-num\">" : "<th scope=\"col\">") + escape(name) + "</th>";
  return out + "</tr></thead><tbody>";
}

std::string distribution_table(const QuestionReport& q) {
  std::string out = table_head("The numbers in the chart", {{"Score", false}, {"Answers", true}});
  for (const auto& d : q.distribution)
    out += "<tr><th scope=\"row\">" + escape(std::to_string(d.score) + (d.median ? " (median)" : "")) + "</th>" +
           cell(format_shown(d.answers), true) + "</tr>";
  return out + "</tbody></table>";
}

std::string weekly_table(const QuestionReport& q) {
  std::string out = table_head("The numbers in the chart", {{"Week of", false}, {"Answers", true}, {"Mean", true}});
  for (const auto& w : q.weeks)
    out += "<tr><th scope=\"row\">" + escape(w.week.monday()) + "</th>" + cell(format_shown(w.answers), true) +
           cell(w.mean_score ? format_mean(*w.mean_score) : "", true) + "</tr>";
  return out + "</tbody></table>";
}

std::string hourly_table(const QuestionReport& q) {
  const HourSpan span = hours_with_answers(q);
  std::string out = table_head("The numbers in the chart", {{"Hour", false}, {"Answers", true}});
  for (int h = span.first; h <= span.last; ++h) {
    auto two = [](int v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
    out += "<tr><th scope=\"row\">" + escape(two(h) + ":00\xE2\x80\x93" + two(h) + ":59") + "</th>" +
           cell(format_shown(q.hours[h].answers), true) + "</tr>";
  }
  return out + "</tbody></table>";
}

std::string options_table(const QuestionReport& q) {
  std::string out = table_head("Answers for each option", {{"Option", false}, {"Answers", true}});
  for (const auto& o : q.options)
    out += "<tr><th scope=\"row\">" + escape(o.label) + "</th>" + cell(format_shown(o.answers), true) + "</tr>";
  return out + "</tbody></table>";
}

// Appended to `out`, as the page's biggest part: a copy of the notes per
// level of the page would be the report's peak memory.
void append_notes_section(const QuestionReport& q, std::string& out) {
  if (q.note_groups.empty()) return;
  out += "<section class=\"tp-notes\"><h3>What people wrote</h3>";
  for (const auto& g : q.note_groups) {
    out += "<h4>" + escape(g.label) + "</h4>";
    if (!g.shown) {
      out += "<p class=\"tp-withheld\">" + escape(counted(g.notes, "note", "notes")) + ". Not shown: fewer than " +
             std::to_string(kMinAnswersForNotes) + " in this group, so that nobody can be recognised from what they wrote.</p>";
      continue;
    }
    out += "<p>" + escape(counted(g.notes, "note", "notes")) + ", dated to the week.</p>";
    if (!g.more_notes.empty()) out += "<p class=\"tp-more-notes\">" + escape(g.more_notes) + "</p>";
    out += "<ul class=\"tp-note-list\">";
    for (const auto& n : g.texts) {
      out += "<li class=\"tp-note\"><blockquote";
      out += lang_attr(n.language);
      out += "><p>";
      out += escape(n.text);
      out += "</p></blockquote><p class=\"tp-when\">Week of ";
      out += escape(n.week.monday());
      out += "</p></li>";
    }
    out += "</ul>";
  }
  out += "</section>";
}

std::string rapid_repeats_paragraph(const QuestionReport& q) {
  const RapidRepeats& r = q.rapid_repeats;
  if (r.answers.is_zero()) return {};
  std::string words = "Rapid repeats, not counted above: " +
                      (r.answers.hidden() ? std::string(kFewerThanMinimum) : plural(*r.answers.value, "answer", "answers"));
  if (r.median_score) words += " (median " + format_median(*r.median_score) + ", mean " + format_mean(*r.mean_score) + ")";
  words += ". A rapid repeat is a visit that began moments after the previous one ended: perhaps the same person again.";
  return "<p class=\"tp-rapid\">" + escape(words) + "</p>";
}

std::string type_words(const QuestionReport& q) {
  switch (q.type) {
    case QuestionType::scale:
      return "scale " + std::to_string(q.score_min) + "\xE2\x80\x93" + std::to_string(q.score_max);
    case QuestionType::choice:
      return "choice";
    case QuestionType::text:
      return "written answer";
  }
  return {};
}

}  // namespace

namespace {

void append_question_section(const QuestionReport& q, std::string& out) {
  out += "<section class=\"tp-question\" id=\"" + anchor_id(q) + "\">";
  out += "<h2" + lang_attr(q.language) + ">" + escape(q.prompt) + "</h2>";
  std::string meta = "Question " + q.question_id + " \xC2\xB7 set " + q.set_id;
  if (!q.set_versions.empty()) {
    meta += q.set_versions.size() == 1 ? ", version " : ", versions ";
    for (std::size_t i = 0; i < q.set_versions.size(); ++i) meta += (i ? ", " : "") + std::to_string(q.set_versions[i]);
  }
  meta += " \xC2\xB7 " + type_words(q);
  out += "<p class=\"tp-meta\">" + escape(meta) + "</p>";

  out += "<dl class=\"tp-summary\"><div><dt>Answers</dt><dd>" + escape(format_shown(q.answers)) + "</dd></div>";
  if (q.median_score) out += "<div><dt>Median</dt><dd>" + escape(format_median(*q.median_score)) + "</dd></div>";
  if (q.mean_score) out += "<div><dt>Mean</dt><dd>" + escape(format_mean(*q.mean_score)) + "</dd></div>";
  out += "</dl>";

  if (q.answers.is_zero()) {
    out += "<p>No answers in this selection.</p>";
  } else if (q.answers.hidden()) {
    out += "<p class=\"tp-withheld\">" + escape(capitalised(kFewerThanMinimum)) +
           " answers in this selection: no other figures are shown, so that nobody can be recognised from them.</p>";
  } else {
    if (q.type == QuestionType::scale) {
      out += figure("How the answers spread over the scores", svg_distribution_chart(q), distribution_table(q));
      out += figure("Mean score by week", svg_weekly_chart(q), weekly_table(q));
      out += figure("Answers by hour of the day", svg_hourly_chart(q), hourly_table(q));
    }
    if (q.type == QuestionType::choice) out += options_table(q);
    if (q.type == QuestionType::text) append_notes_section(q, out);
  }
  out += rapid_repeats_paragraph(q);
  out += "</section>";
}

}  // namespace

std::string question_section_fragment(const QuestionReport& q) {
  std::string out;
  append_question_section(q, out);
  return out;
}

std::string report_header_fragment(const Report& r) {
  std::string filter = r.filter.venue ? "Venue: " + *r.filter.venue : "All venues";
  if (r.filter.set_id) filter += " \xC2\xB7 Set: " + *r.filter.set_id;
  if (r.filter.question_id) filter += " \xC2\xB7 Question: " + *r.filter.question_id;
  if (!r.from_date.empty() && !r.to_date.empty())
    filter += " \xC2\xB7 " + r.from_date + " to " + r.to_date;
  else if (!r.from_date.empty())
    filter += " \xC2\xB7 From " + r.from_date;
  else if (!r.to_date.empty())
    filter += " \xC2\xB7 Up to " + r.to_date;
  else
    filter += " \xC2\xB7 All dates";
  filter += " \xC2\xB7 Times in " + r.time_zone_name;
  std::string out = "<p class=\"tp-filter\">" + escape(filter) + "</p>";
  out += "<div class=\"tp-rules\"><p>" +
         escape("So that nobody can be recognised: a group of fewer than " + std::to_string(kMinAnswersForNumbers) + " answers shows \"" +
                kFewerThanMinimum + "\" instead of any number; what people wrote is shown only from groups of " +
                std::to_string(kMinAnswersForNotes) +
                " notes or more, dated to the week; times are to the hour. Rapid repeats (a visit that began moments after the previous "
                "one) are counted apart.") +
         "</p></div>";
  return out;
}

std::string report_page(const Report& r, const PageOptions& o) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"" + escape(o.language) + "\"><head><meta charset=\"utf-8\"/>";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>";
  out += "<title>" + escape(o.title) + "</title><style>\n" + report_stylesheet() + "</style></head>\n";
  out += "<body><main class=\"tp-report\"><header><h1>" + escape(o.title) + "</h1>";
  if (!o.note.empty()) out += "<p class=\"tp-note-line\">" + escape(o.note) + "</p>";
  out += report_header_fragment(r) + "</header>\n";
  if (r.questions.empty()) out += "<p>No questions match this selection.</p>";
  for (const auto& q : r.questions) {
    append_question_section(q, out);
    out += "\n";
  }
  out += "</main></body></html>\n";
  return out;
}

}  // namespace tp::report
