// The admin web under /admin: pages rendered here, a request in and a
// response out, like the Api (no sockets; the HTTP layer calls handle() on
// its handler threads through HttpOptions::admin).
//
// Rules every route keeps:
//   1. GET never changes anything. Every change is a POST whose form carries
//      the session's CSRF token (admin_auth.h), checked before anything else
//      is read; the sign-in form carries a token of its own, tied to a
//      short-lived cookie.
//   2. Every page except the sign-in form and the static assets needs a
//      session; a viewer sees only the results of their venues (checked
//      here, whatever the query asks) and changes nothing.
//   3. Every change, sign-in, sign-out and refusal is written to the audit
//      log: who, what, when and from which address.
//   4. Every response carries the security headers (kSecurityHeaders): a
//      Content-Security-Policy without inline script, no framing, no
//      sniffing, no referrer, no caching.
//   5. Text from question sets, residents, venues and kiosks passes through
//      report::escape() before it reaches a page.
//   6. A storage failure is 503 with Retry-After and a plain sentence; the
//      details go to the server's log, never to the page.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "admin_auth.h"
#include "admin_store.h"
#include "api.h"
#include "question_set.h"
#include "secrets.h"
#include "server_store.h"

namespace tp::server {

// Form fields or a query string, decoded (application/x-www-form-urlencoded).
class FormFields {
 public:
  static FormFields parse(std::string_view encoded);
  std::string get(const std::string& name) const;
  bool has(const std::string& name) const { return fields_.count(name) > 0; }
  const std::multimap<std::string, std::string>& all() const { return fields_; }

 private:
  std::multimap<std::string, std::string> fields_;
};
std::string url_decode(std::string_view text);
std::string url_encode(std::string_view text);
// The value of cookie `name` in a Cookie field, or "".
std::string cookie_value(std::string_view cookie_field, std::string_view name);

namespace admin_page {
struct QuotableNote;
}

class AdminWeb {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds
  AdminWeb(AdminStore& admin, ServerStore& store, CodeKey code_key, AdminOptions options, Clock clock);

  ApiResponse handle(const ApiRequest& request);

  // What the pages have in common, for the files that draw them.
  struct Context;

 private:
  ApiResponse route(const ApiRequest& request, Context& c);
  ApiResponse login_form(Context& c, int status, const std::string& message, const std::string& name = "");
  ApiResponse login(const ApiRequest& request, Context& c);
  ApiResponse logout(Context& c);
  ApiResponse overview(Context& c);
  ApiResponse kiosks(Context& c);
  ApiResponse make_code(Context& c);
  ApiResponse revoke_kiosk(Context& c);
  ApiResponse results(Context& c, bool csv);
  ApiResponse audit_page(Context& c);
  ApiResponse sets(Context& c);
  ApiResponse set_editor(Context& c);
  ApiResponse save_set(Context& c);
  ApiResponse publish_set(Context& c);
  ApiResponse rollback_set(Context& c);
  ApiResponse assign_set(Context& c);
  ApiResponse moderation(Context& c);
  ApiResponse moderate(Context& c);
  ApiResponse readback_page(Context& c);
  ApiResponse readback_action(Context& c);
  // The notes that may be quoted on a read-back card now (admin_readback_page.cpp).
  Status quotable(std::int64_t now, std::vector<admin_page::QuotableNote>& out);
  // Every stored version of every question set that parses.
  Status load_sets(std::vector<QuestionSet>& sets);

  ApiResponse unavailable(const Status& failure, const char* doing);
  ApiResponse refused(Context& c, int status, const std::string& why, const std::string& audit_detail);
  void audit(const Context& c, const std::string& action, const std::string& detail);

  AdminStore& admin_;
  ServerStore& store_;
  CodeKey code_key_;
  AdminAuth auth_;
  Clock clock_;
};

}  // namespace tp::server
