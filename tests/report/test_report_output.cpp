// What the report writes: escaped HTML and SVG, the CSV's quoting and
// protections, the same bytes every time, well-formed XML (xmllint) and a page
// a browser draws (headless Chromium).
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <random>

#include "csv.h"
#include "html.h"
#include "report.h"
#include "report/report_rows.h"
#include "support.h"
#include "svg.h"

using namespace tp;
using namespace tp::report;
using namespace tp::test;

namespace {

// The demo set with words a hostile or careless editor might write.
QuestionSet hostile_set() {
  QuestionSet set = demo_set();
  Question& q = *const_cast<Question*>(set.find("library"));
  q.prompt["en"] = "Is <script>alert(\"x\")</script> & 'this' OK?";
  q.low_label["en"] = "<b>Not</b> & \"none\"";
  q.high_label["en"] = "Fully' onload='x";
  Question& o = *const_cast<Question*>(set.find("often"));
  o.options[0].label["en"] = "First \"time\" <i>&</i>";
  return set;
}

std::vector<AnswerRow> hostile_rows() {
  std::vector<AnswerRow> rows;
  for (int i = 0; i < 8; ++i) {
    const std::string s = "h" + std::to_string(i);
    rows.push_back(scale_row(s, 5 + i % 3));
    auto note = text_row(s, "not_lower", "<script>alert('" + std::to_string(i) + "')</script> & \"quoted\"");
    note.language = "cy\" onclick=\"x";  // becomes a lang attribute
    rows.push_back(note);
    auto c = choice_row(s, "first");
    c.language = "en\" onclick=\"x";
    rows.push_back(c);
  }
  return rows;
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have(const std::string& program) { return run("command -v " + program + " >/dev/null 2>&1") == 0; }

std::vector<std::string> csv_lines(const std::string& csv) {
  std::vector<std::string> lines;
  std::size_t at = 3;  // after the byte-order mark
  while (at < csv.size()) {
    std::size_t end = csv.find("\r\n", at);
    lines.push_back(csv.substr(at, end - at));
    at = end + 2;
  }
  return lines;
}

}  // namespace

TEST_CASE("escape() makes markup, quotes and ampersands into text", "[report][html]") {
  CHECK(escape("<script>alert('x')</script> & \"q\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  CHECK(escape("Cymraeg ŵŷ") == "Cymraeg ŵŷ");
  CHECK(escape("bad \xff byte\x01") == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("the page and its charts show set and resident words only as text", "[report][html]") {
  Report r = build_report(hostile_rows(), {hostile_set()}, {});
  const std::string page = report_page(r);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<b>") == std::string::npos);
  CHECK(page.find("<i>") == std::string::npos);
  CHECK(page.find("Is &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;this&#39; OK?") != std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(&#39;3&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;") != std::string::npos);
  CHECK(page.find("First &quot;time&quot; &lt;i&gt;&amp;&lt;/i&gt;") != std::string::npos);
  // Attributes: a language code from a row never closes its quote.
  CHECK(page.find("onclick=\"") == std::string::npos);
  CHECK(page.find("<blockquote lang=\"cy&quot; onclick=&quot;x\">") != std::string::npos);
  CHECK(page.find("onload='") == std::string::npos);
  CHECK(page.find("<!DOCTYPE html>") == 0);
  CHECK(page.find("<html lang=\"en\">") != std::string::npos);
  CHECK(page.find("<meta charset=\"utf-8\"/>") != std::string::npos);
  // Nothing to fetch: no sources, links, CSS imports or URLs (the SVG namespace is a name, not a fetch).
  for (const char* reference : {"src=", "href", "url(", "@import", "<link", "<script"}) CHECK(page.find(reference) == std::string::npos);
}

TEST_CASE("SVG labels from the set are escaped and charts are accessible", "[report][svg]") {
  Report r = build_report(hostile_rows(), {hostile_set()}, {});
  const QuestionReport& q = r.questions.at(0);
  const std::string svg = svg_distribution_chart(q);
  CHECK(svg.find("&lt;b&gt;Not&lt;/b&gt; &amp; &quot;none&quot;") != std::string::npos);
  CHECK(svg.find("Fully&#39; onload=&#39;x") != std::string::npos);
  CHECK(svg.find("<b>") == std::string::npos);
  for (const std::string& chart : {svg, svg_weekly_chart(q), svg_hourly_chart(q)}) {
    CHECK(chart.find("role=\"img\"") != std::string::npos);
    CHECK(chart.find("<title>") != std::string::npos);
    CHECK(chart.find("<desc>") != std::string::npos);
    CHECK(chart.find("viewBox=\"0 0 480 ") != std::string::npos);
    CHECK(chart.find("<script") == std::string::npos);
    CHECK(chart.find("href") == std::string::npos);
    CHECK(chart.find(" id=") == std::string::npos);
  }
}

TEST_CASE("CSV cells: RFC 4180 quoting and no formulas", "[report][csv]") {
  CHECK(csv_cell("plain") == "plain");
  CHECK(csv_cell("a,b") == "\"a,b\"");
  CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_cell("two\nlines") == "\"two\nlines\"");
  CHECK(csv_cell("two\r\nlines") == "\"two\r\nlines\"");
  CHECK(csv_cell("Łódź ŵŷ 日本") == "Łódź ŵŷ 日本");
  CHECK(csv_cell("=SUM(A1:A9)") == "'=SUM(A1:A9)");
  CHECK(csv_cell("+1") == "'+1");
  CHECK(csv_cell("-1") == "'-1");
  CHECK(csv_cell("@cmd") == "'@cmd");
  CHECK(csv_cell("\tx") == "'\tx");
  CHECK(csv_cell("\rx") == "\"'\rx\"");
  CHECK(csv_cell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  CHECK(csv_cell("a=b") == "a=b");
  CHECK(csv_cell("") == "");
}

TEST_CASE("the CSV: byte-order mark, CRLF, stable columns, notes by the rule of 8", "[report][csv]") {
  auto rows = hostile_rows();
  // A second version of the set: same columns, its version in its own column.
  for (int i = 0; i < 3; ++i) {
    auto v2 = scale_row("v2-" + std::to_string(i), 9, kMonday + 11 * kHour + 15 * 60);
    v2.set_version = 2;
    v2.venue = "Riverside, East";
    rows.push_back(v2);
  }
  // Seven notes after a score of 0 (hidden), one rapid repeat (hidden).
  for (int i = 0; i < 7; ++i) {
    const std::string s = "z" + std::to_string(i);
    rows.push_back(scale_row(s, 0));
    rows.push_back(text_row(s, "cope", "hidden note " + std::to_string(i)));
  }
  rows.push_back(text_row("r", "not_lower", "rapid note", kMonday + 10 * kHour, true));

  const std::string csv = report_csv(rows, {hostile_set()}, {});
  REQUIRE(csv.starts_with("\xEF\xBB\xBF"));
  CHECK(csv.ends_with("\r\n"));
  // Every line break outside a quoted cell is CRLF.
  for (std::size_t i = 0; i < csv.size(); ++i)
    if (csv[i] == '\n') CHECK((i > 0 && csv[i - 1] == '\r'));
  const auto lines = csv_lines(csv);
  REQUIRE(lines.size() == 1 + rows.size());
  CHECK(lines[0] ==
        "set_id,set_version,venue,question_id,question_type,language,hour,score,choice,text,score_band,rapid_repeat,text_withheld");
  // The eight shown notes, quoted and escaped as CSV (no HTML escaping here).
  CHECK(csv.find(",\"<script>alert('0')</script> & \"\"quoted\"\"\",5\xE2\x80\x93"
                 "7,no,") == std::string::npos);
  CHECK(csv.find(",\"<script>alert('0')</script> & \"\"quoted\"\"\",1\xE2\x80\x93"
                 "9,no,\r\n") != std::string::npos);
  CHECK(csv.find("hidden note") == std::string::npos);
  CHECK(csv.find(",cope,text,en,2025-01-06 10:00,,,,0,no,fewer than 8 notes in its group\r\n") != std::string::npos);
  CHECK(csv.find("rapid note") == std::string::npos);
  CHECK(csv.find(",yes,rapid repeat\r\n") != std::string::npos);
  // Times to the hour; the second version in its own column; a venue with a comma quoted.
  CHECK(csv.find("library-demo,2,\"Riverside, East\",library,scale,en,2025-01-06 11:00,9,,,,no,\r\n") != std::string::npos);
  CHECK(csv.find(":15") == std::string::npos);
  // A language that is not a code stays one cell.
  CHECK(csv.find(",\"en\"\" onclick=\"\"x\",") != std::string::npos);
}

TEST_CASE("same input, same bytes, whatever the order of the rows", "[report][determinism]") {
  auto rows = sample_rows();
  const auto set = demo_set();
  ReportOptions options;
  options.utc_offset = [](std::int64_t) { return std::int64_t{0}; };
  const Report a = build_report(rows, {set}, {}, options);
  const std::string page = report_page(a);
  const std::string csv = report_csv(rows, {set}, {}, options);

  std::mt19937 shuffle(7);
  for (int round = 0; round < 3; ++round) {
    std::shuffle(rows.begin(), rows.end(), shuffle);
    const Report b = build_report(rows, {set}, {}, options);
    CHECK(report_page(b) == page);
    CHECK(report_csv(rows, {set}, {}, options) == csv);
    for (std::size_t i = 0; i < a.questions.size(); ++i) {
      CHECK(question_section_fragment(b.questions[i]) == question_section_fragment(a.questions[i]));
      CHECK(svg_weekly_chart(b.questions[i]) == svg_weekly_chart(a.questions[i]));
    }
  }
}

TEST_CASE("the page and every chart are well-formed XML (xmllint)", "[.][xmllint]") {
  if (!have("xmllint")) {
    WARN("xmllint is not installed (Debian: libxml2-utils); skipping");
    std::exit(77);
  }
  const std::string dir = scratch_dir("report-xml");
  auto well_formed = [&](const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    write_file(path, text);
    INFO(name);
    CHECK(run("xmllint --noout " + path) == 0);
  };
  for (const auto& [rows, set] : {std::pair{sample_rows(), demo_set()}, std::pair{hostile_rows(), hostile_set()}}) {
    const Report r = build_report(rows, {set}, {});
    well_formed("page.xhtml", report_page(r));
    for (const auto& q : r.questions) {
      well_formed(q.question_id + "-section.xml", question_section_fragment(q));
      for (const auto& [kind, svg] : {std::pair{"distribution", svg_distribution_chart(q)}, std::pair{"weekly", svg_weekly_chart(q)},
                                      std::pair{"hourly", svg_hourly_chart(q)}})
        if (!svg.empty()) well_formed(q.question_id + "-" + kind + ".svg", svg);
    }
  }
}

TEST_CASE("the page renders in headless Chromium at desktop and phone widths", "[.][chromium]") {
  const std::string chromium = "/usr/bin/chromium";
  if (!have(chromium)) {
    WARN("chromium is not installed; skipping");
    std::exit(77);
  }
  const std::string dir = scratch_dir("report-screenshot");
  ReportFilter filter;
  filter.venue = "Central";
  PageOptions page;
  page.note = "Central Library, from the kiosk by the entrance";
  write_file(dir + "/report.html", report_page(build_report(sample_rows(), {demo_set()}, filter), page));
  for (const auto& [name, size] : {std::pair{"desktop", "1280,4000"}, std::pair{"phone", "390,9000"}}) {
    const std::string png = dir + "/report-" + name + ".png";
    // A profile of its own in the scratch folder; --no-sandbox because CI runs as root.
    const std::string command = "timeout 120 " + chromium + " --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run" +
                                " --user-data-dir=" + dir + "/profile-" + name + " --window-size=" + size + " --screenshot=" + png +
                                " file://" + dir + "/report.html >" + dir + "/chromium-" + name + ".log 2>&1";
    INFO(command);
    CHECK(run(command) == 0);
    CHECK(std::filesystem::exists(png));
    CHECK(std::filesystem::file_size(png) > 0);
  }
}
