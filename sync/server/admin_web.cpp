// The admin web: routing, sign-in, and the kiosk, results and audit pages.
// The question-set pages are in admin_sets_page.cpp, the moderation view
// in admin_moderation_page.cpp. The rules are in admin_web.h.
//
// [SECTION] Forms, cookies and the page frame
// [SECTION] Routing and the session check
// [SECTION] Sign-in and sign-out
// [SECTION] Overview, kiosks and enrolment codes
// [SECTION] Results
// [SECTION] Audit log
#include "admin_web.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "admin_pages.h"
#include "csv.h"
#include "html.h"
#include "http_routes.h"
#include "question_set.h"
#include "question_set_versions.h"
#include "report.h"
#include "sync_words.h"
#include "web_assets.h"

namespace tp::server {

using admin_page::csrf_field;
using admin_page::escape;
using admin_page::frame;
using admin_page::html;
using admin_page::notice;
using admin_page::redirect;

namespace {

constexpr const char* kSessionCookie = "tp_session";
constexpr const char* kLoginCookie = "tp_login";
constexpr std::int64_t kSilentAfterS = 24 * 3600;  // a kiosk quiet this long stands out
constexpr int kAuditRows = 200;
constexpr int kDefaultResultDays = 90;

// Rule 4 of admin_web.h.
const std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
     "base-uri 'none'"},
    {"X-Frame-Options", "DENY"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string cookie(const AdminOptions& o, const char* name, const std::string& value, bool expire = false) {
  std::string out = std::string(name) + "=" + value + "; HttpOnly; SameSite=Strict; Path=/admin";
  if (o.secure_cookie) out += "; Secure";
  if (expire) out += "; Max-Age=0";
  return out;
}

std::string printable_name(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return "";
  return std::string(s);
}

std::string bytes_text(std::int64_t bytes) {
  if (bytes < 0) return "unknown";
  char buf[32];
  if (bytes >= 1024LL * 1024 * 1024)
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  else
    std::snprintf(buf, sizeof buf, "%lld MB", static_cast<long long>(bytes / (1024 * 1024)));
  return buf;
}

std::string when_text(std::int64_t at) {
  std::time_t t = static_cast<std::time_t>(at);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

report::UtcOffset local_offset() {
  return [](std::int64_t unix_seconds) -> std::int64_t {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
  };
}

// The local zone is a whole number of hours off UTC all through [from, until)
// (looked at daily, and at both ends).
bool whole_hours_off_utc(std::int64_t from, std::int64_t until) {
  const report::UtcOffset offset = local_offset();
  for (std::int64_t t = from; t < until; t += 86400)
    if (offset(t) % 3600 != 0) return false;
  return offset(until) % 3600 == 0;
}

std::string zone_name() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Z", &tm);
  return buf[0] ? buf : "local time";
}

}  // namespace

// [SECTION] Forms, cookies and the page frame

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() + 0 && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

FormFields FormFields::parse(std::string_view encoded) {
  FormFields f;
  while (!encoded.empty()) {
    std::size_t amp = encoded.find('&');
    std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string name = url_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1));
    f.fields_.emplace(std::move(name), std::move(value));
  }
  return f;
}

std::string FormFields::get(const std::string& name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? std::string() : it->second;
}

std::string cookie_value(std::string_view field, std::string_view name) {
  while (!field.empty()) {
    std::size_t semi = field.find(';');
    std::string_view part = field.substr(0, semi);
    field = semi == std::string_view::npos ? std::string_view() : field.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
  }
  return "";
}

namespace admin_page {

std::string frame(const std::string& title, const std::optional<SignedIn>& who, std::string_view current, const std::string& body,
                  bool with_report_css) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
      "<title>" +
      escape(title) +
      " · Tenpoint admin</title>"
      "<link rel=\"stylesheet\" href=\"/admin/assets/admin.css\"/>";
  if (with_report_css) out += "<link rel=\"stylesheet\" href=\"/admin/assets/report.css\"/>";
  out += "<script src=\"/admin/assets/admin.js\" defer=\"defer\"></script></head><body>";
  out += "<a class=\"skip-link\" href=\"#main\">Skip to content</a>";
  out += "<header class=\"site-header\"><div class=\"bar\"><a class=\"brand\" href=\"/admin/\">Tenpoint <span>admin</span></a>";
  if (who) {
    struct Item {
      const char* path;
      const char* label;
      bool admin_only;
    };
    static constexpr Item kNav[] = {
        {"/admin/", "Overview", false},         {"/admin/results", "Results", false},      {"/admin/kiosks", "Venues and kiosks", true},
        {"/admin/sets", "Question sets", true}, {"/admin/moderation", "Moderation", true}, {"/admin/readback", "Read back", true},
        {"/admin/audit", "Audit log", true}};
    out += "<nav aria-label=\"Main\"><ul>";
    for (const Item& item : kNav) {
      if (item.admin_only && !who->may_change()) continue;
      out += "<li><a href=\"" + std::string(item.path) + "\"";
      if (current == item.path) out += " aria-current=\"page\"";
      out += ">" + std::string(item.label) + "</a></li>";
    }
    out += "</ul></nav><div class=\"who\"><span>Signed in as <strong>" + escape(who->account.name) + "</strong> (" +
           role_name(who->account.role) + ")</span><form method=\"post\" action=\"/admin/logout\">" + csrf_field(*who) +
           "<button class=\"secondary\" type=\"submit\">Sign out</button></form></div>";
  }
  out += "</div></header><main id=\"main\" tabindex=\"-1\">" + body + "</main></body></html>\n";
  return out;
}

ApiResponse html(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = "text/html; charset=utf-8";
  return r;
}

ApiResponse redirect(const std::string& location) {
  ApiResponse r = html(303, "<!DOCTYPE html><title>See other</title><a href=\"" + escape(location) + "\">Continue</a>");
  r.headers.emplace_back("Location", location);
  return r;
}

std::string csrf_field(const SignedIn& who) { return "<input type=\"hidden\" name=\"csrf\" value=\"" + who.csrf + "\"/>"; }

std::string notice(const std::string& text, const char* kind) {
  std::string cls = *kind ? std::string("notice ") + kind : "notice";
  return "<div class=\"" + cls + "\" role=\"status\">" + text + "</div>";
}

std::string date_of(std::int64_t unix_seconds) { return local_date(unix_seconds); }
std::optional<std::int64_t> date_start(std::string_view date) { return local_midnight(date); }

}  // namespace admin_page

// [SECTION] Routing and the session check

AdminWeb::AdminWeb(AdminStore& admin, ServerStore& store, CodeKey code_key, AdminOptions options, Clock clock)
    : admin_(admin), store_(store), code_key_(std::move(code_key)), auth_(admin, options), clock_(std::move(clock)) {}

ApiResponse AdminWeb::handle(const ApiRequest& request) {
  Context c{request, std::string(path_of(request.target)), {}, {}, clock_(), {}};
  std::size_t q = request.target.find('?');
  if (q != std::string::npos) c.query = FormFields::parse(std::string_view(request.target).substr(q + 1));
  if (c.post()) c.form = FormFields::parse(request.body);
  ApiResponse out;
  try {
    out = route(request, c);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tenpoint-server: admin %s %s failed: %s\n", request.method.c_str(), c.path.c_str(), e.what());
    out = html(500, frame("Something went wrong", c.who, "", "<h1>Something went wrong</h1><p>Nothing was changed. Try again.</p>"));
  }
  for (const auto& [name, value] : kSecurityHeaders) out.headers.emplace_back(name, value);
  if (c.who && out.log_note.empty()) out.log_note = "admin " + c.who->account.name;
  return out;
}

ApiResponse AdminWeb::route(const ApiRequest& request, Context& c) {
  const std::string& p = c.path;
  // Static assets: the same for everyone, no session needed.
  if (p == "/admin/assets/admin.css" || p == "/admin/assets/admin.js" || p == "/admin/assets/report.css") {
    if (c.post()) return html(405, "");
    ApiResponse r;
    if (p.ends_with(".js")) {
      r.body = std::string(web_assets::admin_js);
      r.content_type = "text/javascript; charset=utf-8";
    } else {
      r.body = p == "/admin/assets/report.css" ? report::report_stylesheet() : std::string(web_assets::admin_css);
      r.content_type = "text/css; charset=utf-8";
    }
    return r;
  }
  if (p == "/admin/login") return c.post() ? login(request, c) : login_form(c, 200, "");

  std::string session_id = cookie_value(request.cookie, kSessionCookie);
  if (!session_id.empty()) {
    auto who = auth_.session(session_id, c.now);
    if (!who) return unavailable(who.status(), "check a session");
    c.who = std::move(*who);
  }
  if (!c.who) return redirect("/admin/login");
  if (c.post()) {
    // Rule 1: the token before anything else is read or done.
    if (!same_token(c.form.get("csrf"), c.who->csrf))
      return refused(c, 403,
                     "This form did not come from this site, or it is from an earlier sign-in. Go back, reload the page and try again.",
                     "refused " + p + ": missing or wrong CSRF token");
    if (p == "/admin/logout") return logout(c);
    if (!c.who->may_change())
      return refused(c, 403, "Your account can see results only; it cannot change anything.", "refused " + p + ": viewer");
    if (p == "/admin/kiosks/code") return make_code(c);
    if (p == "/admin/kiosks/revoke") return revoke_kiosk(c);
    if (p == "/admin/sets/save") return save_set(c);
    if (p == "/admin/sets/publish") return publish_set(c);
    if (p == "/admin/sets/rollback") return rollback_set(c);
    if (p == "/admin/sets/assign") return assign_set(c);
    if (p.starts_with("/admin/moderation/")) return moderate(c);
    if (p.starts_with("/admin/readback/")) return readback_action(c);
    return html(404, frame("Not found", c.who, "", "<h1>Not found</h1>"));
  }
  if (p == "/admin" || p == "/admin/") return overview(c);
  if (p == "/admin/results") return results(c, false);
  if (p == "/admin/results.csv") return results(c, true);
  if (p == "/admin/kiosks" || p == "/admin/sets" || p == "/admin/sets/edit" || p == "/admin/audit" || p == "/admin/moderation" ||
      p == "/admin/readback") {
    if (!c.who->may_change())
      return refused(c, 403, "This page is for administrators. Your account can see results.", "refused " + p + ": viewer");
    if (p == "/admin/kiosks") return kiosks(c);
    if (p == "/admin/sets") return sets(c);
    if (p == "/admin/sets/edit") return set_editor(c);
    if (p == "/admin/moderation") return moderation(c);
    if (p == "/admin/readback") return readback_page(c);
    return audit_page(c);
  }
  return html(404,
              frame("Not found", c.who, "", "<h1>Not found</h1><p>There is no such page. <a href=\"/admin/\">Go to the overview</a>.</p>"));
}

ApiResponse AdminWeb::unavailable(const Status& failure, const char* doing) {
  std::fprintf(stderr, "tenpoint-server: admin web: unable to %s: %s\n", doing, failure.message().c_str());
  ApiResponse r = html(503, frame("Try again shortly", std::nullopt, "",
                                  "<h1>The database is not answering</h1><p>Nothing was changed. Try again in a minute.</p>"));
  r.retry_after_s = Api::kStorageRetryAfterS;
  return r;
}

ApiResponse AdminWeb::refused(Context& c, int status, const std::string& why, const std::string& audit_detail) {
  audit(c, "refused", audit_detail);
  return html(status, frame("Not allowed", c.who, "",
                            "<h1>Not allowed</h1>" + notice(escape(why), "bad") + "<p><a href=\"/admin/\">Go to the overview</a></p>"));
}

void AdminWeb::audit(const Context& c, const std::string& action, const std::string& detail) {
  std::string who = c.who ? c.who->account.name : std::string("(not signed in)");
  if (Status s = admin_.audit({0, c.now, who, c.address(), action, detail}); !s)
    std::fprintf(stderr, "tenpoint-server: admin web: unable to write the audit log (%s %s by %s): %s\n", action.c_str(), detail.c_str(),
                 who.c_str(), s.message().c_str());
}

// [SECTION] Sign-in and sign-out

ApiResponse AdminWeb::login_form(Context&, int status, const std::string& message, const std::string& name) {
  // The form's own token, tied to a cookie only this site can set
  // (SameSite=Strict): a page elsewhere cannot sign a browser in to an
  // account of its choosing.
  std::string token = new_session_id();
  std::string body = "<div class=\"login\"><h1>Sign in</h1>";
  if (!message.empty()) body += notice(message, "bad");
  body +=
      "<form class=\"stack card\" method=\"post\" action=\"/admin/login\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"" +
      token +
      "\"/>"
      "<div class=\"field\"><label for=\"name\">Name</label><input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"username\" "
      "required=\"required\" value=\"" +
      escape(name) +
      "\"/></div>"
      "<div class=\"field\"><label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\" "
      "autocomplete=\"current-password\" required=\"required\"/></div>"
      "<div><button type=\"submit\">Sign in</button></div></form>"
      "<p class=\"hint\">Accounts are made on the server: <code>tenpoint-server admin add NAME</code>.</p></div>";
  ApiResponse r = html(status, frame("Sign in", std::nullopt, "", body));
  r.headers.emplace_back("Set-Cookie", cookie(auth_.options(), kLoginCookie, token));
  return r;
}

ApiResponse AdminWeb::login(const ApiRequest& request, Context& c) {
  std::string name = c.form.get("name");
  std::string shown = printable_name(name).substr(0, 64);
  if (!same_token(c.form.get("csrf"), cookie_value(request.cookie, kLoginCookie))) {
    audit(c, "refused", "sign-in form without its token (name " + shown + ")");
    return login_form(c, 403, "The sign-in form had expired. Please sign in again.", shown);
  }
  LoginOutcome outcome = auth_.login(name, c.form.get("password"), c.address(), c.now);
  switch (outcome.kind) {
    case LoginOutcome::signed_in: {
      c.who = SignedIn{AdminAccount{name, {}, AdminRole::viewer, {}, 0}, outcome.session_id, ""};
      audit(c, "signed in", "");
      ApiResponse r = redirect("/admin/");
      r.headers.emplace_back("Set-Cookie", cookie(auth_.options(), kSessionCookie, outcome.session_id));
      r.headers.emplace_back("Set-Cookie", cookie(auth_.options(), kLoginCookie, "", true));
      return r;
    }
    case LoginOutcome::throttled: {
      audit(c, "sign-in throttled", "name " + shown);
      std::int64_t minutes = (outcome.retry_after_s + 59) / 60;
      ApiResponse r = login_form(c, 429,
                                 "Too many failed sign-ins for this name or from this address. Try again in " + std::to_string(minutes) +
                                     (minutes == 1 ? " minute." : " minutes."),
                                 shown);
      r.retry_after_s = static_cast<int>(outcome.retry_after_s);
      return r;
    }
    case LoginOutcome::refused:
      audit(c, "sign-in failed", "name " + shown);
      return login_form(c, 401, "That name and password do not match an account.", shown);
    case LoginOutcome::unavailable:
      return unavailable(Status::failure(Fault::storage_unavailable, outcome.message), "sign in");
  }
  return login_form(c, 500, "Something went wrong; try again.", shown);
}

ApiResponse AdminWeb::logout(Context& c) {
  if (Status s = auth_.logout(c.who->session_id); !s) return unavailable(s, "sign out");
  audit(c, "signed out", "");
  ApiResponse r = redirect("/admin/login");
  r.headers.emplace_back("Set-Cookie", cookie(auth_.options(), kSessionCookie, "", true));
  return r;
}

// [SECTION] Overview, kiosks and enrolment codes

ApiResponse AdminWeb::overview(Context& c) {
  std::string body = "<h1>Overview</h1><div class=\"cards\">";
  body +=
      "<section class=\"card\"><h2><a href=\"/admin/results\">Results</a></h2><p>What residents answered, by venue, question and "
      "dates, with a CSV download.</p></section>";
  if (c.who->may_change()) {
    auto devices = store_.devices();
    if (!devices) return unavailable(devices.status(), "list kiosks");
    int active = 0, silent = 0;
    for (const auto& d : *devices) {
      if (d.revoked) continue;
      ++active;
      if (!d.last_contact || c.now - *d.last_contact > kSilentAfterS) ++silent;
    }
    body += "<section class=\"card\"><h2><a href=\"/admin/kiosks\">Venues and kiosks</a></h2><p>" + std::to_string(active) +
            (active == 1 ? " active kiosk" : " active kiosks");
    if (silent > 0) body += "; <strong>" + std::to_string(silent) + " silent for more than a day</strong>";
    body += ".</p></section>";
    body +=
        "<section class=\"card\"><h2><a href=\"/admin/sets\">Question sets</a></h2><p>Edit, publish and assign what the kiosks "
        "ask.</p></section>"
        "<section class=\"card\"><h2><a href=\"/admin/audit\">Audit log</a></h2><p>Who did what, and when.</p></section>";
  } else {
    std::string venues;
    for (const auto& v : c.who->account.venues) venues += (venues.empty() ? "" : ", ") + escape(v);
    body += "<section class=\"card\"><h2>Your venues</h2><p>" + (venues.empty() ? std::string("None yet: ask an administrator.") : venues) +
            "</p></section>";
  }
  body += "</div>";
  return html(200, frame("Overview", c.who, "/admin/", body));
}

ApiResponse AdminWeb::kiosks(Context& c) {
  auto devices = store_.devices();
  if (!devices) return unavailable(devices.status(), "list kiosks");
  auto venues = admin_.venues();
  if (!venues) return unavailable(venues.status(), "list venues");
  std::string body = "<h1>Venues and kiosks</h1>";
  if (std::string revoked = c.query.get("revoked"); !revoked.empty())
    body += notice("Kiosk <strong>" + escape(revoked) + "</strong> is revoked: its token no longer works.");
  body += "<h2>Kiosks</h2>";
  if (devices->empty()) {
    body += "<p>No kiosk has enrolled yet. Make an enrolment code below and put it in the kiosk's configuration.</p>";
  } else {
    body +=
        "<div class=\"table-wrap\"><table class=\"data stack\"><caption class=\"hint\">Kiosks silent for more than a day are marked "
        "<span class=\"tag warn\">Silent</span>.</caption><thead><tr><th scope=\"col\">Kiosk</th><th scope=\"col\">Venue</th>"
        "<th scope=\"col\">Last contact</th><th scope=\"col\">Last seen by USB</th><th scope=\"col\" class=\"num\">Answers waiting</th><th "
        "scope=\"col\">Oldest waiting</th>"
        "<th scope=\"col\">App</th><th scope=\"col\">Question set</th><th scope=\"col\">Clock</th><th scope=\"col\">Free disk</th>"
        "<th scope=\"col\">Action</th></tr></thead><tbody>";
    for (const auto& d : *devices) {
      bool silent = !d.revoked && (!d.last_contact || c.now - *d.last_contact > kSilentAfterS);
      std::string contact = d.last_contact ? describe_age(c.now - *d.last_contact) : "never";
      if (d.last_contact && contact != "just now") contact += " ago";
      body += std::string("<tr") + (silent ? " class=\"silent\"" : "") + "><td data-label=\"Kiosk\"><strong>" +
              escape(d.name.empty() ? d.id : d.name) + "</strong>";
      if (!d.name.empty() && d.name != d.id) body += "<br/><span class=\"hint\">" + escape(d.id) + "</span>";
      if (d.revoked) body += " <span class=\"tag off\">Revoked</span>";
      body += "</td><td data-label=\"Venue\">" + escape(d.venue) + "</td><td data-label=\"Last contact\">" + escape(contact);
      if (silent) body += " <span class=\"tag warn\">Silent</span>";
      // A bundle imported from a USB stick (tenpoint-server import).
      std::string usb = d.usb_seen_at ? describe_age(c.now - *d.usb_seen_at) : (d.has_device_key ? "never" : "–");
      if (d.usb_seen_at && usb != "just now") usb += " ago";
      body += "</td><td data-label=\"Last seen by USB\">" + escape(usb);
      body += "</td><td data-label=\"Answers waiting\" class=\"num\">" + std::to_string(d.answers_waiting) + "</td>";
      body += "<td data-label=\"Oldest waiting\">" + (d.oldest_unsent_age_s ? escape(describe_age(*d.oldest_unsent_age_s)) : "–") + "</td>";
      body += "<td data-label=\"App\">" + (d.app_version.empty() ? "–" : escape(d.app_version)) + "</td>";
      body +=
          "<td data-label=\"Question set\">" + (d.set_id.empty() ? "–" : escape(d.set_id) + " v" + std::to_string(d.set_version)) + "</td>";
      body += std::string("<td data-label=\"Clock\">") +
              (!d.last_contact   ? "–"
               : d.clock_trusted ? "trusted"
                                 : "<span class=\"tag warn\">Not trusted</span>") +
              "</td>";
      body += "<td data-label=\"Free disk\">" + bytes_text(d.free_disk_bytes) + "</td><td data-label=\"Action\">";
      if (!d.revoked)
        body += "<form method=\"post\" action=\"/admin/kiosks/revoke\" data-confirm=\"Revoke this kiosk? It stops syncing at once.\">" +
                csrf_field(*c.who) + "<input type=\"hidden\" name=\"device\" value=\"" + escape(d.id) +
                "\"/><button class=\"danger\" type=\"submit\">Revoke<span class=\"visually-hidden\"> " + escape(d.id) +
                "</span></button></form>";
      body += "</td></tr>";
    }
    body += "</tbody></table></div>";
  }
  body +=
      "<h2>Enrol a kiosk</h2><p>A one-time code lets one kiosk join a venue. The venue is made if it is new.</p>"
      "<form class=\"inline card\" method=\"post\" action=\"/admin/kiosks/code\">" +
      csrf_field(*c.who) +
      "<div class=\"field\"><label for=\"venue\">Venue</label><input type=\"text\" id=\"venue\" name=\"venue\" list=\"venue-names\" "
      "required=\"required\" maxlength=\"128\"/></div>"
      "<div class=\"field\"><label for=\"days\">Valid for (days)</label><input type=\"number\" id=\"days\" name=\"days\" min=\"1\" "
      "max=\"365\" value=\"7\"/></div><div><button type=\"submit\">Make a code</button></div></form><datalist id=\"venue-names\">";
  for (const auto& v : *venues) body += "<option value=\"" + escape(v) + "\"></option>";
  body += "</datalist><h2>Venues</h2>";
  if (venues->empty()) {
    body += "<p>No venues yet.</p>";
  } else {
    body += "<ul>";
    for (const auto& v : *venues) body += "<li>" + escape(v) + "</li>";
    body += "</ul>";
  }
  return html(200, frame("Venues and kiosks", c.who, "/admin/kiosks", body));
}

ApiResponse AdminWeb::make_code(Context& c) {
  std::string venue = c.form.get("venue");
  std::string days_text = c.form.get("days");
  int days = days_text.empty() ? 7 : std::atoi(days_text.c_str());
  if (venue.empty() || venue.size() > 128 || printable_name(venue) != venue || days < 1 || days > 365) {
    return html(400, frame("Enrol a kiosk", c.who, "/admin/kiosks",
                           "<h1>Enrol a kiosk</h1>" +
                               notice("A venue name is 1 to 128 characters with no control characters, and a code is valid for 1 to 365 "
                                      "days. Nothing was made.",
                                      "bad") +
                               "<p><a href=\"/admin/kiosks\">Back to venues and kiosks</a></p>"));
  }
  std::string code = new_enrol_code();
  if (Status s = store_.add_enrol_code(venue, code_key_.code_hash(code), c.now + std::int64_t{days} * 86400); !s)
    return unavailable(s, "make an enrolment code");
  audit(c, "made an enrolment code", "venue " + venue + ", valid " + std::to_string(days) + " days");
  std::string body = "<h1>Enrolment code for " + escape(venue) + "</h1>" +
                     notice(
                         "<strong>Write this code down now: it is shown only once.</strong>Put it in the kiosk's configuration "
                         "(sync.enrolment_code). It works once, for " +
                             std::to_string(days) + " days.",
                         "warn") +
                     "<p class=\"code-once\">" + escape(code) + "</p><p><a href=\"/admin/kiosks\">Back to venues and kiosks</a></p>";
  return html(200, frame("Enrolment code", c.who, "/admin/kiosks", body));
}

ApiResponse AdminWeb::revoke_kiosk(Context& c) {
  std::string device = c.form.get("device");
  auto revoked = store_.revoke(device, c.now);
  if (!revoked) return unavailable(revoked.status(), "revoke a kiosk");
  if (!*revoked)
    return html(404,
                frame("Revoke a kiosk", c.who, "/admin/kiosks",
                      "<h1>Revoke a kiosk</h1>" + notice("There is no active kiosk " + escape(device) + ". Nothing was changed.", "bad") +
                          "<p><a href=\"/admin/kiosks\">Back to venues and kiosks</a></p>"));
  audit(c, "revoked a kiosk", "device " + device);
  return redirect("/admin/kiosks?revoked=" + url_encode(device));
}

// [SECTION] Results

ApiResponse AdminWeb::results(Context& c, bool csv) {
  // Which venues this account may see (rule 2), whatever the query asks.
  std::vector<std::string> allowed;
  if (c.who->may_change()) {
    auto venues = admin_.venues();
    if (!venues) return unavailable(venues.status(), "list venues");
    allowed = std::move(*venues);
  } else {
    allowed = c.who->account.venues;
  }
  std::string venue = c.query.get("venue");
  if (!venue.empty() && !c.who->may_see(venue))
    return refused(c, 403, "You can see only the results of your own venues.", "refused results of venue " + venue);

  std::string from_text = c.query.get("from"), to_text = c.query.get("to");
  if (to_text.empty()) to_text = local_date(c.now);
  if (from_text.empty()) from_text = local_date(c.now - std::int64_t{kDefaultResultDays} * 86400);
  auto from = local_midnight(from_text), until = local_midnight(to_text, 1);
  std::string problem;
  if (!from || !until) {
    problem = "Dates are written YYYY-MM-DD, such as 2025-01-31.";
    from = local_midnight(local_date(c.now - std::int64_t{kDefaultResultDays} * 86400));
    until = local_midnight(local_date(c.now), 1);
  } else if (*from >= *until) {
    problem = "The first day comes after the last one.";
  }

  // The question: "SET_ID/QUESTION_ID", or every question.
  std::string question = c.query.get("question");
  std::optional<std::string> set_id, question_id;
  if (auto slash = question.find('/'); slash != std::string::npos) {
    set_id = question.substr(0, slash);
    question_id = question.substr(slash + 1);
  }

  // The words of every stored version, so prompts and labels read as the kiosk showed them.
  std::vector<QuestionSet> sets;
  auto versions = store_.set_versions();
  if (!versions) return unavailable(versions.status(), "list question sets");
  for (const auto& v : *versions) {
    auto body = store_.set_body(v.set_id, v.version);
    if (!body) return unavailable(body.status(), "read a question set");
    if (!*body) continue;
    LoadResult loaded = parse_question_set(**body);
    if (loaded.set) sets.push_back(std::move(*loaded.set));
  }

  // Notes to show only where a text question is shown: every question, or
  // one whose type no stored version gives as scale or choice.
  bool notes = true;
  if (question_id) {
    for (const auto& s : sets)
      if (s.id == *set_id)
        for (const auto& qn : s.questions)
          if (qn.id == *question_id && qn.type != QuestionType::text) notes = false;
  }
  std::vector<report::AnswerRow> rows;
  if (problem.empty() && !allowed.empty()) {
    AnswerQuery q{venue.empty() ? std::nullopt : std::optional<std::string>(venue), *from, *until, set_id, question_id};
    q.notes = notes;
    q.fold_seconds = whole_hours_off_utc(*from, *until) ? 3600 : 900;
    auto got = admin_.answer_rows(q);
    if (!got) return unavailable(got.status(), "read answers");
    std::set<std::string> may(allowed.begin(), allowed.end());
    for (auto& r : *got)
      if (c.who->may_change() || may.count(r.venue)) rows.push_back(std::move(r));
    // Hidden notes leave the page and the CSV; edited ones show their edit.
    if (notes) {
      auto moderation = admin_.note_moderation();
      if (!moderation) return unavailable(moderation.status(), "read the moderation of notes");
      admin_page::apply_note_moderation(rows, *moderation);
    }
  }

  report::ReportFilter filter;
  if (!venue.empty()) filter.venue = venue;
  // A viewer's "all my venues" is not "all venues": the header says which.
  if (venue.empty() && !c.who->may_change() && allowed.size() == 1) filter.venue = allowed.front();
  filter.set_id = set_id;
  filter.question_id = question_id;
  filter.from = from;
  filter.until = until;
  report::ReportOptions options;
  options.utc_offset = local_offset();
  options.time_zone_name = zone_name();
  // A group prints its newest notes only (report::kMaxNotesShown); the CSV holds all of them.
  options.all_notes_are_in = "Every note is in the CSV download.";

  if (csv) {
    if (!problem.empty()) return html(400, frame("Results", c.who, "/admin/results", "<h1>Results</h1>" + notice(escape(problem), "bad")));
    audit(c, "downloaded results", "venue " + (venue.empty() ? std::string("(all)") : venue) + ", " + from_text + " to " + to_text);
    ApiResponse r;
    r.body = report::report_csv(rows, sets, filter, options);
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"tenpoint-results-" + local_date(c.now) + ".csv\"");
    return r;
  }

  std::string body = "<h1>Results</h1>";
  body +=
      "<form class=\"inline card\" method=\"get\" action=\"/admin/results\"><div class=\"field\"><label for=\"venue\">Venue</label>"
      "<select id=\"venue\" name=\"venue\"><option value=\"\">";
  body += c.who->may_change() ? "All venues" : "All my venues";
  body += "</option>";
  for (const auto& v : allowed)
    body += "<option value=\"" + escape(v) + "\"" + (v == venue ? " selected=\"selected\"" : "") + ">" + escape(v) + "</option>";
  body +=
      "</select></div><div class=\"field\"><label for=\"question\">Question</label><select id=\"question\" name=\"question\">"
      "<option value=\"\">Every question</option>";
  std::set<std::string> listed;
  for (auto it = sets.rbegin(); it != sets.rend(); ++it)  // the newest version's words first
    for (const auto& qn : it->questions) {
      std::string key = it->id + "/" + qn.id;
      if (!listed.insert(key).second) continue;
      std::string prompt = qn.prompt.count(it->default_language) ? qn.prompt.at(it->default_language) : qn.id;
      if (prompt.size() > 70) prompt = prompt.substr(0, 67) + "...";
      body += "<option value=\"" + escape(key) + "\"" + (key == question ? " selected=\"selected\"" : "") + ">" + escape(it->id) + ": " +
              escape(prompt) + "</option>";
    }
  body += "</select></div><div class=\"field\"><label for=\"from\">From</label><input type=\"date\" id=\"from\" name=\"from\" value=\"" +
          escape(from_text) +
          "\"/></div><div class=\"field\"><label for=\"to\">To (included)</label><input type=\"date\" id=\"to\" name=\"to\" value=\"" +
          escape(to_text) + "\"/></div><div><button type=\"submit\">Show</button></div></form>";
  if (!problem.empty()) {
    body += notice(escape(problem), "bad");
    return html(400, frame("Results", c.who, "/admin/results", body, true));
  }
  if (allowed.empty()) {
    body += notice("No venue yet: there is nothing to show.", "warn");
    return html(200, frame("Results", c.who, "/admin/results", body, true));
  }
  std::string query =
      "venue=" + url_encode(venue) + "&question=" + url_encode(question) + "&from=" + url_encode(from_text) + "&to=" + url_encode(to_text);
  body += "<p><a class=\"button secondary\" href=\"/admin/results.csv?" + escape(query) + "\" download=\"download\">Download CSV</a></p>";
  report::Report rep = report::build_report(rows, sets, filter, options);
  if (!filter.venue && !c.who->may_change()) {
    std::string names;
    for (const auto& v : allowed) names += (names.empty() ? "" : ", ") + escape(v);
    body += "<p class=\"lead\">Your venues: " + names + ".</p>";
  }
  body += report::report_header_fragment(rep);
  int shown = 0;
  for (const auto& qr : rep.questions) {
    body += report::question_section_fragment(qr);
    ++shown;
  }
  if (shown == 0) body += "<p>No answers for this choice.</p>";
  return html(200, frame("Results", c.who, "/admin/results", body, true));
}

// [SECTION] Audit log

ApiResponse AdminWeb::audit_page(Context& c) {
  auto entries = admin_.audit_log(kAuditRows);
  if (!entries) return unavailable(entries.status(), "read the audit log");
  std::string body = "<h1>Audit log</h1><p class=\"lead\">The newest " + std::to_string(kAuditRows) + " entries, newest first. Times in " +
                     escape(zone_name()) + ".</p>";
  body +=
      "<div class=\"table-wrap\"><table class=\"data stack\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th>"
      "<th scope=\"col\">From</th><th scope=\"col\">What</th><th scope=\"col\">Details</th></tr></thead><tbody>";
  for (const auto& e : *entries)
    body += "<tr><td data-label=\"When\">" + when_text(e.at) + "</td><td data-label=\"Who\">" + escape(e.account) +
            "</td><td data-label=\"From\">" + escape(e.address) + "</td><td data-label=\"What\">" + escape(e.action) +
            "</td><td data-label=\"Details\">" + escape(e.detail) + "</td></tr>";
  body += "</tbody></table></div>";
  return html(200, frame("Audit log", c.who, "/admin/audit", body));
}

}  // namespace tp::server
