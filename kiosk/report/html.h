// HTML from a Report: a complete, self-contained page (the USB export and a
// printable page of the admin web) and the fragments the admin web embeds in
// its own pages. Every string that comes from a question set or a resident
// passes through escape(); nothing is ever inserted as markup.
//
// The markup is also well-formed XML (every element closed, every attribute
// quoted, no named entities), so it can be checked with an XML parser and
// embedded in XHTML. No script, no external reference: the page's CSS is
// inline, its fonts are the system's (Noto Sans, else DejaVu Sans).
//
// The page prints on A4 portrait with 15 mm margins, one question per page,
// and reads at phone width (charts scale, tables stack under them).
#pragma once
#include <string>
#include <string_view>

#include "report.h"

namespace tp::report {

// For element text and attribute values alike: & < > " ' become character
// references; invalid UTF-8 becomes U+FFFD and control characters (other than
// tab and line breaks) are dropped, so the result is always well-formed.
std::string escape(std::string_view text);

// The CSS the fragments rely on (class names start with "tp-"), for the admin
// web's <style> or stylesheet. report_page() inlines it.
std::string report_stylesheet();

// The filter in words and how to read the figures: "All venues · 6 Jan 2025
// to 30 Mar 2025 · Times in UTC", then the anonymity rules.
std::string report_header_fragment(const Report& report);

// One question: its prompt, the count, median and mean, the charts each
// with its table, the option counts or the notes by score band, and the
// rapid repeats apart. A <section> with class "tp-question".
std::string question_section_fragment(const QuestionReport& question);

struct PageOptions {
  std::string title = "Tenpoint report";
  std::string language = "en";  // the page's own words are English
  std::string note;             // a line under the title from the caller, such as where and when it was made
};

// A complete page: <!DOCTYPE html>, <meta charset="utf-8">, lang, viewport,
// inline CSS; the header, then every question.
std::string report_page(const Report& report, const PageOptions& options = {});

}  // namespace tp::report
