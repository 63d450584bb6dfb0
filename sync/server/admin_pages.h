// What the admin web's page files share: the request's context, the page
// frame, and small builders of escaped HTML. Internal to admin_web.cpp and
// admin_sets_page.cpp.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin_web.h"
#include "html.h"
#include "question_set.h"

namespace tp::server {

struct AdminWeb::Context {
  const ApiRequest& request;
  std::string path;
  FormFields query, form;
  std::int64_t now = 0;
  std::optional<SignedIn> who;
  bool post() const { return request.method == "POST"; }
  const std::string& address() const { return request.remote; }
};

namespace admin_page {

using report::escape;

// A whole page: header with navigation (`current` is the path of the
// section shown), skip link, main, the shared CSS and script.
std::string frame(const std::string& title, const std::optional<SignedIn>& who, std::string_view current, const std::string& body,
                  bool with_report_css = false);
ApiResponse html(int status, std::string body);
ApiResponse redirect(const std::string& location);  // 303 See Other
// The hidden field every POST form carries.
std::string csrf_field(const SignedIn& who);
std::string notice(const std::string& text, const char* kind = "");  // kind: "", "warn", "bad"
// "YYYY-MM-DD" of local time, and back (midnight local time); nullopt when not a date.
std::string date_of(std::int64_t unix_seconds);
std::optional<std::int64_t> date_start(std::string_view date);
// Note moderation applied to answer rows for a report: a hidden note loses
// its text (the answer still counts), an edited one takes its shown text.
// (admin_moderation_page.cpp)
void apply_note_moderation(std::vector<report::AnswerRow>& rows, const std::vector<NoteModeration>& moderation);

// A note that may be quoted on a read-back card: marked read back, not
// hidden, its text as moderated, and from a group (venue, question, score
// band over the rows given) of at least report::kMinAnswersForNotes notes.
// Newest first. (admin_moderation_page.cpp)
struct QuotableNote {
  std::string answer_id, venue, text, language, prompt, band;
  std::int64_t recorded_at = 0;
};
std::vector<QuotableNote> quotable_notes(const std::vector<report::AnswerRow>& rows, const std::vector<NoteModeration>& moderation,
                                         const std::vector<QuestionSet>& sets);
}  // namespace admin_page

}  // namespace tp::server
