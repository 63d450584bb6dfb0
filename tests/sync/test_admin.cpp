// The admin web's rules (admin_web.h, admin_auth.h) through AdminWeb::handle
// on both backends: SQLite in a scratch file, PostgreSQL 15 in a throwaway
// cluster (a fresh database per case). Sign-in and its throttle, sessions
// and their idle end, CSRF tokens, roles, escaping, security headers, and
// the audit log. The clock is a variable: nothing here waits.
//
// Without PostgreSQL, a run that selects any PostgreSQL case exits with 77
// before running anything, so ctest shows it skipped, never passed.
#define CATCH_CONFIG_RUNNER
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <set>

#include "admin_auth.h"
#include "admin_store.h"
#include "admin_web.h"
#include "csv.h"
#include "html.h"
#include "http_routes.h"
#include "open_store.h"
#include "postgres.h"
#include "postgres_main.h"
#include "question_set.h"
#include "readback.h"
#include "readback_cards.h"
#include "secrets.h"
#include "signed_set.h"
#include "support.h"

using namespace tp;
using namespace tp::server;

namespace {

constexpr std::int64_t kNow = 1764500400;  // 2025-11-30 11:00 UTC
constexpr const char* kAlicePassword = "correct horse battery";
constexpr const char* kVeraPassword = "violet marble teapot";

std::unique_ptr<test::PostgresCluster> g_cluster;

std::string unique_name(const char* prefix) {
  static int serial = 0;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(++serial);
}

struct Backend {
  StoreLocation where;
  std::unique_ptr<ServerStore> store;
  std::unique_ptr<AdminStore> admin;
};

struct SQLite {
  static Backend make() {
    Backend b;
    b.where.data_dir = test::scratch_dir(unique_name("admin_"));
    b.store = open_store(b.where, {});
    b.admin = open_admin_store(b.where);
    return b;
  }
  // Test set-up only: SQL on the database behind `b`, beside its stores.
  static void exec(const Backend& b, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((b.where.data_dir + "/server.db").c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
};

struct PostgreSQL {
  static Backend make() {
    if (!g_cluster) g_cluster = std::make_unique<test::PostgresCluster>();
    Backend b;
    b.where.database_url = g_cluster->create_database(unique_name("a"));
    b.store = open_store(b.where, {});
    b.admin = open_admin_store(b.where, 2);
    return b;
  }
  static void exec(const Backend& b, const std::string& sql) { test::PgClient(b.where.database_url).query(sql); }
};

std::string header(const ApiResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

std::vector<std::string> headers(const ApiResponse& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [n, v] : r.headers)
    if (n == name) out.push_back(v);
  return out;
}

// "name=value" from a Set-Cookie field.
std::string cookie_pair(const std::string& set_cookie) { return set_cookie.substr(0, set_cookie.find(';')); }

std::string hidden_csrf(const std::string& page) {
  auto at = page.find("name=\"csrf\" value=\"");
  if (at == std::string::npos) return "";
  at += 19;
  return page.substr(at, page.find('"', at) - at);
}

// A browser against one AdminWeb: cookies kept, requests from one address.
struct Browser {
  AdminWeb& web;
  std::string address = "192.0.2.10";
  std::string cookies = {};  // "a=1; b=2"

  void keep(const ApiResponse& r) {
    for (const auto& c : headers(r, "Set-Cookie")) {
      std::string pair = cookie_pair(c);
      std::string name = pair.substr(0, pair.find('='));
      // Replace any earlier cookie of that name.
      std::string kept;
      std::size_t start = 0;
      while (start < cookies.size()) {
        std::size_t end = cookies.find("; ", start);
        std::string part = cookies.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (part.substr(0, part.find('=')) != name && !part.empty()) kept += (kept.empty() ? "" : "; ") + part;
        if (end == std::string::npos) break;
        start = end + 2;
      }
      if (c.find("Max-Age=0") == std::string::npos) kept += (kept.empty() ? "" : "; ") + pair;
      cookies = kept;
    }
  }
  ApiResponse get(const std::string& target) {
    ApiRequest r{"", "", "", address, "", "GET", target, cookies};
    ApiResponse out = web.handle(r);
    keep(out);
    return out;
  }
  ApiResponse post(const std::string& target, const std::string& body) {
    ApiRequest r{body, "", "", address, "", "POST", target, cookies};
    ApiResponse out = web.handle(r);
    keep(out);
    return out;
  }
  ApiResponse login(const std::string& name, const std::string& password) {
    ApiResponse form = get("/admin/login");
    return post("/admin/login", "csrf=" + hidden_csrf(form.body) + "&name=" + url_encode(name) + "&password=" + url_encode(password));
  }
  std::string csrf() { return hidden_csrf(get("/admin/").body); }
};

struct Fixture {
  Backend b;
  std::int64_t now = kNow;
  std::unique_ptr<AdminWeb> web;

  explicit Fixture(Backend backend) : b(std::move(backend)) {
    REQUIRE(b.admin->add_account({"alice", hash_password(kAlicePassword), AdminRole::admin, {}, kNow}));
    REQUIRE(b.admin->add_account({"vera", hash_password(kVeraPassword), AdminRole::viewer, {"North <Branch>"}, kNow}));
    REQUIRE(b.store->add_enrol_code("North <Branch>", "hash-north", kNow + 86400));
    REQUIRE(b.store->add_enrol_code("South", "hash-south", kNow + 86400));
    web = std::make_unique<AdminWeb>(*b.admin, *b.store, CodeKey::generate(), AdminOptions{}, [this] { return now; });
  }

  std::vector<AuditEntry> audit() {
    auto log = b.admin->audit_log(100);
    REQUIRE(log);
    return *log;
  }
  bool audited(const std::string& action, const std::string& detail_part = "") {
    auto log = audit();
    return std::any_of(log.begin(), log.end(),
                       [&](const AuditEntry& e) { return e.action == action && e.detail.find(detail_part) != std::string::npos; });
  }
};

// Enrols a kiosk with the code whose hash is `code_hash` and stores
// `visits` visits: a score of 7 and a note each.
void add_answers(ServerStore& store, const std::string& code_hash, int kiosk_no, const std::string& note, int visits) {
  auto enrolled = store.enrol({code_hash, "plain-" + code_hash}, "dev-" + code_hash, "token-" + code_hash, "desk", kNow);
  REQUIRE(enrolled);
  REQUIRE(enrolled->kind == EnrolOutcome::enrolled);
  wire::Batch batch{"b-" + code_hash, {}};
  for (int i = 0; i < visits; ++i) {
    for (int k = 0; k < 2; ++k) {
      StoredAnswer s;
      s.seq = i * 2 + k + 1;
      char uuid[48];
      std::snprintf(uuid, sizeof uuid, "%08d-0000-4000-8000-%012d", kiosk_no, i * 2 + k);
      s.answer.uuid = uuid;
      s.answer.set_id = "library-demo";
      s.answer.set_version = 1;
      s.answer.session_id = "visit-" + code_hash + std::to_string(i);
      s.answer.language = "en";
      s.answer.stamp = {kNow - 86400 - i * 3600, true, "boot", 1000 + i};
      if (k == 0) {
        s.answer.question_id = "library";
        s.answer.score = 7;
      } else {
        s.answer.question_id = "not_lower";
        s.answer.text = note;
      }
      batch.answers.push_back(s);
    }
  }
  auto reply = store.ingest("dev-" + code_hash, batch, kNow);
  REQUIRE(reply);
}

}  // namespace

TEMPLATE_TEST_CASE("admin: signing in makes a new session with a safe cookie, and signing out ends it", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  Browser br{*f.web};
  CHECK(br.get("/admin/").status == 303);  // not signed in: to the form
  ApiResponse in = br.login("alice", kAlicePassword);
  REQUIRE(in.status == 303);
  std::string cookie;
  for (const auto& c : headers(in, "Set-Cookie"))
    if (c.starts_with("tp_session=")) cookie = c;
  REQUIRE(!cookie.empty());
  for (const char* attribute : {"; HttpOnly", "; Secure", "; SameSite=Strict", "; Path=/admin"})
    CHECK(cookie.find(attribute) != std::string::npos);
  std::string id = cookie_pair(cookie).substr(11);
  CHECK(id.size() == 64);  // 256 bits in hex
  CHECK(br.get("/admin/").status == 200);
  // The store holds only its hash.
  CHECK(!f.b.admin->session(id).value().has_value());
  CHECK(f.b.admin->session(session_id_hash(id)).value().has_value());

  // A second sign-in gets another id.
  Browser other{*f.web};
  other.login("alice", kAlicePassword);
  CHECK(other.cookies != br.cookies);

  ApiResponse out = br.post("/admin/logout", "csrf=" + br.csrf());
  CHECK(out.status == 303);
  CHECK(!f.b.admin->session(session_id_hash(id)).value().has_value());
  CHECK(br.get("/admin/").status == 303);
  CHECK(f.audited("signed in"));
  CHECK(f.audited("signed out"));
}

TEMPLATE_TEST_CASE("admin: a session ends after the idle timeout, and lives while used", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  f.now += kDefaultIdleTimeoutS - 60;
  CHECK(br.get("/admin/").status == 200);
  f.now += kDefaultIdleTimeoutS - 60;  // idle again, but less than the timeout since the last request
  CHECK(br.get("/admin/").status == 200);
  f.now += kDefaultIdleTimeoutS + 1;
  CHECK(br.get("/admin/").status == 303);
  CHECK(br.get("/admin/").status == 303);  // ended, not only refused once
}

TEMPLATE_TEST_CASE("admin: five failed sign-ins lock the account out for a growing time, saying nothing of whether it exists", "", SQLite,
                   PostgreSQL) {
  Fixture f(TestType::make());
  for (const std::string name : {"alice", "nobody"}) {
    INFO(name);
    for (int i = 0; i < kFreeFailures; ++i) {
      Browser br{*f.web, "198.51.100." + std::to_string(i)};  // a new address each time: the account's count alone
      ApiResponse r = br.login(name, "wrong password " + std::to_string(i));
      CHECK(r.status == 401);
      CHECK(r.body.find("do not match an account") != std::string::npos);
    }
    Browser br{*f.web, "203.0.113.7"};
    ApiResponse locked = br.login(name, name == "alice" ? kAlicePassword : "anything at all");
    CHECK(locked.status == 429);
    CHECK(locked.retry_after_s == kFirstLockoutS);
    CHECK(locked.body.find("Too many failed sign-ins") != std::string::npos);
  }
  // After the lockout the right password works again, and the count starts over.
  f.now += kFirstLockoutS + 1;
  Browser br{*f.web, "203.0.113.8"};
  CHECK(br.login("alice", kAlicePassword).status == 303);
  CHECK(f.audited("sign-in throttled", "alice"));
  CHECK(f.audited("sign-in failed", "nobody"));

  CHECK(lockout_after(kFreeFailures - 1) == 0);
  CHECK(lockout_after(kFreeFailures) == kFirstLockoutS);
  CHECK(lockout_after(kFreeFailures + 1) == 2 * kFirstLockoutS);
  CHECK(lockout_after(1000) == kMaxLockoutS);
}

TEMPLATE_TEST_CASE("admin: failures from one address lock that address out, whatever names it tries", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  Browser br{*f.web, "192.0.2.99"};
  for (int i = 0; i < kFreeFailures; ++i) CHECK(br.login("guess" + std::to_string(i), "wrong password!").status == 401);
  CHECK(br.login("alice", kAlicePassword).status == 429);
  Browser elsewhere{*f.web, "192.0.2.100"};
  CHECK(elsewhere.login("alice", kAlicePassword).status == 303);
}

TEMPLATE_TEST_CASE("admin: a POST without the session's CSRF token changes nothing and is logged", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  std::string token = br.csrf();
  REQUIRE(token.size() == 64);
  CHECK(br.post("/admin/kiosks/code", "venue=East&days=7").status == 403);
  CHECK(br.post("/admin/kiosks/code", "venue=East&days=7&csrf=" + std::string(64, '0')).status == 403);
  // Another session's token is no good either.
  Browser other{*f.web};
  other.login("alice", kAlicePassword);
  CHECK(br.post("/admin/kiosks/code", "venue=East&days=7&csrf=" + other.csrf()).status == 403);
  CHECK(f.audited("refused", "CSRF"));
  auto venues = f.b.admin->venues();
  REQUIRE(venues);
  CHECK(std::find(venues->begin(), venues->end(), "East") == venues->end());
  // With it, the code is made and shown once; the log names the venue, never the code.
  ApiResponse made = br.post("/admin/kiosks/code", "venue=East&days=7&csrf=" + token);
  CHECK(made.status == 200);
  CHECK(made.body.find("shown only once") != std::string::npos);
  CHECK(f.audited("made an enrolment code", "East"));
  // The sign-in form needs its own token too.
  Browser stranger{*f.web};
  CHECK(stranger.post("/admin/login", "name=alice&password=" + url_encode(kAlicePassword)).status == 403);
  // And GET changes nothing: the revoke route does not answer GET.
  CHECK(br.get("/admin/kiosks/revoke?device=dev-x&csrf=" + token).status == 404);
}

TEMPLATE_TEST_CASE("admin: a viewer sees only their venues' results and changes nothing", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  add_answers(*f.b.store, "hash-north", 1, "north note", 6);
  add_answers(*f.b.store, "hash-south", 2, "south note", 6);
  Browser br{*f.web};
  REQUIRE(br.login("vera", kVeraPassword).status == 303);
  ApiResponse own = br.get("/admin/results?venue=" + url_encode("North <Branch>") + "&from=2025-11-01&to=2025-11-30");
  CHECK(own.status == 200);
  ApiResponse mine = br.get("/admin/results?from=2025-11-01&to=2025-11-30");
  CHECK(mine.body.find("All venues") == std::string::npos);  // the header names the viewer's venue
  CHECK(mine.body.find(report::escape("North <Branch>")) != std::string::npos);
  CHECK(own.body.find("South") == std::string::npos);  // not even in the venue list
  ApiResponse theirs = br.get("/admin/results?venue=South&from=2025-11-01&to=2025-11-30");
  CHECK(theirs.status == 403);
  CHECK(br.get("/admin/results.csv?venue=South").status == 403);
  // "All my venues" holds only North's answers: 6, not 12.
  ApiResponse all = br.get("/admin/results.csv?from=2025-11-01&to=2025-11-30");
  CHECK(all.status == 200);
  CHECK(all.body.find("South") == std::string::npos);
  CHECK(all.body.find("North <Branch>") != std::string::npos);
  std::string token = br.csrf();
  CHECK(br.post("/admin/kiosks/revoke", "device=dev-hash-south&csrf=" + token).status == 403);
  CHECK(br.post("/admin/sets/publish", "set=library-demo&csrf=" + token).status == 403);
  for (const char* page : {"/admin/kiosks", "/admin/sets", "/admin/audit"}) CHECK(br.get(page).status == 403);
  auto devices = f.b.store->devices();
  REQUIRE(devices);
  for (const auto& d : *devices) CHECK(!d.revoked);
  CHECK(f.audited("refused", "South"));
}

TEMPLATE_TEST_CASE("admin: notes, venue names and kiosk names are shown as text, never as markup", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  add_answers(*f.b.store, "hash-north", 1, "<script>alert(1)</script> & \"quotes\"", 10);
  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  ApiResponse results = br.get("/admin/results?from=2025-11-01&to=2025-11-30");
  REQUIRE(results.status == 200);
  CHECK(results.body.find(report::escape("<script>alert(1)</script>")) != std::string::npos);
  CHECK(results.body.find("<script>alert") == std::string::npos);
  ApiResponse kiosks = br.get("/admin/kiosks");
  CHECK(kiosks.body.find(report::escape("North <Branch>")) != std::string::npos);
  CHECK(kiosks.body.find("North <Branch>") == std::string::npos);
  for (char c : report::escape("<a href='x'>\"&")) CHECK(std::string("<>'\"").find(c) == std::string::npos);
}

TEMPLATE_TEST_CASE("admin: every response carries the security headers, and no script is inline", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  Browser br{*f.web};
  std::vector<ApiResponse> replies = {br.get("/admin/login"), br.get("/admin/nothing-here"), br.login("alice", "wrong one, twelve")};
  br.login("alice", kAlicePassword);
  for (const char* page : {"/admin/", "/admin/kiosks", "/admin/results", "/admin/sets", "/admin/sets/edit", "/admin/audit",
                           "/admin/assets/admin.css", "/admin/assets/admin.js"})
    replies.push_back(br.get(page));
  for (const auto& r : replies) {
    CHECK(header(r, "Content-Security-Policy").find("script-src 'self'") != std::string::npos);
    CHECK(header(r, "Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
    CHECK(header(r, "X-Frame-Options") == "DENY");
    CHECK(header(r, "X-Content-Type-Options") == "nosniff");
    CHECK(header(r, "Referrer-Policy") == "no-referrer");
    CHECK(header(r, "Cache-Control") == "no-store");
    if (r.content_type.starts_with("text/html")) {
      CHECK(r.body.find("<script>") == std::string::npos);
      CHECK(r.body.find(" style=\"") == std::string::npos);
    }
  }
}

TEMPLATE_TEST_CASE("admin: the accounts' rules: names, weak passwords, removal ends sessions", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  CHECK(!password_problem("alice", "").empty());
  CHECK(!password_problem("alice", "short").empty());
  CHECK(!password_problem("alice", "aaaaaaaaaaaaaaaa").empty());
  CHECK(!password_problem("alice", "alice-is-my-password").empty());
  CHECK(!password_problem("alice", "password1234").empty());
  CHECK(password_problem("alice", kAlicePassword).empty());
  CHECK(valid_account_name("ann.lee@council"));
  CHECK(!valid_account_name("ann lee"));
  CHECK(!valid_account_name(""));
  Status dup = f.b.admin->add_account({"alice", hash_password("another good password"), AdminRole::admin, {}, kNow});
  CHECK(dup.fault() == Fault::invalid_input);
  Browser br{*f.web};
  br.login("vera", kVeraPassword);
  CHECK(br.get("/admin/").status == 200);
  REQUIRE(f.b.admin->remove_account("vera").value());
  CHECK(br.get("/admin/").status == 303);
  CHECK(!f.b.admin->remove_account("vera").value());
  CHECK(same_token(csrf_token("a"), csrf_token("a")));
  CHECK(!same_token(csrf_token("a"), csrf_token("b")));
  CHECK(!same_token("", ""));
}

TEMPLATE_TEST_CASE("admin: the question-set editor shows the kiosk's problems next to the field, then saves and publishes", "", SQLite,
                   PostgreSQL) {
  Fixture f(TestType::make());
  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  std::string set = test::read_file(test::demo_set_path());
  std::string token = br.csrf();
  // An empty prompt in Welsh: the problem is shown beside that field.
  ApiResponse bad = br.post("/admin/sets/save",
                            "csrf=" + token + "&set=&json=" + url_encode(set) + "&prompt.en=" + url_encode("How is it?") + "&prompt.cy=");
  CHECK(bad.status == 422);
  auto field = bad.body.find("id=\"prompt-cy\"");
  auto problem = bad.body.find("id=\"prompt-cy-problem\"");
  CHECK(problem != std::string::npos);
  CHECK(problem < field);
  ApiResponse ok =
      br.post("/admin/sets/save", "csrf=" + token + "&set=&json=" + url_encode(set) + "&prompt.en=" + url_encode("How is the <library>?") +
                                      "&prompt.cy=" + url_encode("Sut mae'r llyfrgell?"));
  CHECK(ok.status == 303);
  auto body = f.b.store->set_body("library-demo", 1);
  REQUIRE(body);
  REQUIRE(body->has_value());
  CHECK((*body)->find("\"How is the <library>?\"") != std::string::npos);
  CHECK((*body)->find("\"comment\": \"Demo set") != std::string::npos);  // the rest kept byte for byte
  CHECK(br.post("/admin/sets/publish", "csrf=" + token + "&set=library-demo").status == 303);
  CHECK(br.post("/admin/sets/assign", "csrf=" + token + "&set=library-demo&venue=South").status == 303);
  // Dated: both days or neither, the last not before the first, not passed.
  CHECK(br.post("/admin/sets/assign", "csrf=" + token + "&set=library-demo&venue=South&from=2025-12-01").status == 400);
  CHECK(br.post("/admin/sets/assign", "csrf=" + token + "&set=library-demo&venue=South&from=2025-12-10&until=2025-12-01").status == 400);
  CHECK(br.post("/admin/sets/assign", "csrf=" + token + "&set=library-demo&venue=South&from=2025-01-01&until=2025-01-31").status == 400);
  CHECK(br.post("/admin/sets/assign", "csrf=" + token + "&set=library-demo&venue=South&from=31-12-2025&until=2026-01-31").status == 400);
  CHECK(br.post("/admin/sets/assign", "csrf=" + token + "&set=no-such-set&venue=South").status == 404);
  CHECK(br.post("/admin/sets/assign", "csrf=" + token + "&set=library-demo&venue=South&from=2025-12-01&until=2025-12-31").status == 303);
  auto assignments = f.b.store->set_assignments();
  REQUIRE(assignments);
  CHECK(std::count_if(assignments->begin(), assignments->end(), [](const SetAssignment& a) { return a.venue == "South" && a.starts_at; }) ==
        1);
  ApiResponse edit = br.get("/admin/sets/edit?set=library-demo");
  CHECK(edit.body.find(report::escape("How is the <library>?")) != std::string::npos);
  CHECK(edit.body.find("<svg") != std::string::npos);  // the follow-up flow
  CHECK(f.audited("published a set", "library-demo version 1"));
  CHECK(f.audited("assigned a set", "South"));

  // A second version with a new label at the low end, published, then rolled back to the first.
  ApiResponse v2 = br.post("/admin/sets/save", "csrf=" + token + "&set=library-demo&json=" + url_encode(**body) +
                                                   "&low_label.en=" + url_encode("Not at all well"));
  CHECK(v2.status == 303);
  CHECK(f.b.store->set_body("library-demo", 2).value().value().find("\"Not at all well\"") != std::string::npos);
  CHECK(br.post("/admin/sets/publish", "csrf=" + token + "&set=library-demo").status == 303);
  CHECK(br.post("/admin/sets/rollback", "csrf=" + token + "&set=library-demo&to=1").status == 303);
  auto versions = f.b.store->set_versions();
  REQUIRE(versions);
  REQUIRE(versions->size() == 3);
  CHECK(versions->back().rolled_back_from == 1);
  CHECK(f.audited("rolled back a set", "version 1"));
  // Another set's id in the editor of this one is refused, beside the JSON.
  std::string other = **body;
  other.replace(other.find("\"library-demo\""), 14, "\"other-set\"");
  ApiResponse renamed = br.post("/admin/sets/save", "csrf=" + token + "&set=library-demo&json=" + url_encode(other));
  CHECK(renamed.status == 422);
  CHECK(renamed.body.find("must stay library-demo") != std::string::npos);
}

TEMPLATE_TEST_CASE("admin: the scaling question's follow-up rules are rows of fields, applied on top of the JSON and checked per row", "",
                   SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  std::string set = test::read_file(test::demo_set_path());
  std::string token = br.csrf();
  // The demo's rules as the editor shows them, then what the form posts.
  const std::string was = "0,0,cope\n10,10,keep_ten\n,,not_lower\n";
  struct Row {
    std::string from, to, go;
  };
  auto post = [&](const std::string& json, const std::string& rows_were, const std::vector<Row>& rows) {
    std::string form = "csrf=" + token + "&set=" + (json == set ? "" : "library-demo") + "&json=" + url_encode(json) +
                       "&rules.count=" + std::to_string(rows.size()) + "&rules.was=" + url_encode(rows_were);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      std::string n = "&rule." + std::to_string(i) + ".";
      form += n + "from=" + url_encode(rows[i].from) + n + "to=" + url_encode(rows[i].to) + n + "go=" + url_encode(rows[i].go);
    }
    return br.post("/admin/sets/save", form);
  };
  auto problem_before_row = [](const ApiResponse& r, const std::string& row) {
    auto problem = r.body.find("id=\"" + row + "-problem\"");
    return problem != std::string::npos && problem < r.body.find("id=\"" + row + "-from\"");
  };

  // The new-set page has a labelled row per rule, each in its own fieldset, and empty rows to add one.
  ApiResponse fresh = br.get("/admin/sets/edit");
  CHECK(fresh.body.find("<legend>Rule 1</legend>") != std::string::npos);
  CHECK(fresh.body.find("<label for=\"rule-0-go\">") != std::string::npos);
  CHECK(fresh.body.find("<legend>New rule 2</legend>") != std::string::npos);

  // An overlapping band is refused beside its row; nothing is saved.
  ApiResponse overlap = post(set, was, {{"0", "3", "cope"}, {"2", "10", "keep_ten"}, {"", "", "not_lower"}, {"", "", ""}});
  CHECK(overlap.status == 422);
  CHECK(problem_before_row(overlap, "rule-1"));
  CHECK(overlap.body.find("overlap an earlier rule") != std::string::npos);
  CHECK(f.b.store->set_versions().value().empty());
  // A score outside the question's 0..10, beside its row.
  ApiResponse outside = post(set, was, {{"0", "11", "cope"}, {"", "", "not_lower"}});
  CHECK(outside.status == 422);
  CHECK(problem_before_row(outside, "rule-0"));
  CHECK(outside.body.find("outside this question") != std::string::npos);
  // An unknown question (escaped where it is shown), and a range with one end only.
  ApiResponse unknown = post(set, was, {{"0", "0", "<b>gone"}, {"", "", "not_lower"}});
  CHECK(unknown.status == 422);
  CHECK(problem_before_row(unknown, "rule-0"));
  CHECK(unknown.body.find("<b>gone") == std::string::npos);
  CHECK(unknown.body.find("&lt;b&gt;gone") != std::string::npos);
  ApiResponse half = post(set, was, {{"3", "", "cope"}, {"", "", "not_lower"}});
  CHECK(half.status == 422);
  CHECK(problem_before_row(half, "rule-0"));
  CHECK(f.b.store->set_versions().value().empty());

  // A band's target and range changed through the rows: the saved JSON says so, the rest kept.
  ApiResponse ok = post(set, was, {{"0", "3", "keep_ten"}, {"9", "10", "cope"}, {"", "", "not_lower"}, {"", "", ""}});
  CHECK(ok.status == 303);
  std::string v1 = f.b.store->set_body("library-demo", 1).value().value();
  CHECK(v1.find("{\"when_score\": [0, 3], \"go\": \"keep_ten\"}") != std::string::npos);
  CHECK(v1.find("{\"when_score\": [9, 10], \"go\": \"cope\"}") != std::string::npos);
  CHECK(v1.find("[10, 10]") == std::string::npos);
  CHECK(v1.find("\"comment\": \"Demo set") != std::string::npos);
  REQUIRE(parse_question_set(v1).set);
  // The diagram and the rows show the new rules.
  ApiResponse edit = br.get("/admin/sets/edit?set=library-demo");
  CHECK(edit.body.find("library after score 0–3 goes to keep_ten") != std::string::npos);
  CHECK(edit.body.find("library after score 9–10 goes to cope") != std::string::npos);
  CHECK(edit.body.find("id=\"rule-1-from\" name=\"rule.1.from\" min=\"0\" max=\"100\" value=\"9\"") != std::string::npos);

  // Emptying a row removes its rule (in a new version: drafts replace each other, a published one stays).
  REQUIRE(br.post("/admin/sets/publish", "csrf=" + token + "&set=library-demo").status == 303);
  const std::string was1 = "0,3,keep_ten\n9,10,cope\n,,not_lower\n";
  CHECK(post(v1, was1, {{"0", "3", "keep_ten"}, {"9", "10", ""}, {"", "", "not_lower"}}).status == 303);
  std::string v2 = f.b.store->set_body("library-demo", 2).value().value();
  CHECK(v2.find("[9, 10]") == std::string::npos);
  CHECK(v2.find("{\"when_score\": [0, 3], \"go\": \"keep_ten\"}") != std::string::npos);
  // Rows left as shown leave the JSON's own rule changes alone.
  REQUIRE(br.post("/admin/sets/publish", "csrf=" + token + "&set=library-demo").status == 303);
  std::string edited = v2;
  edited.replace(edited.find("[0, 3]"), 6, "[0, 4]");
  CHECK(post(edited, "0,3,keep_ten\n,,not_lower\n", {{"0", "3", "keep_ten"}, {"", "", "not_lower"}, {"", "", ""}}).status == 303);
  CHECK(f.b.store->set_body("library-demo", 3).value().value().find("[0, 4]") != std::string::npos);
}

TEMPLATE_TEST_CASE("admin: kiosks silent for a day stand out in words, and revoking one needs a POST with the token", "", SQLite,
                   PostgreSQL) {
  Fixture f(TestType::make());
  add_answers(*f.b.store, "hash-north", 1, "a note", 1);
  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  CHECK(br.get("/admin/kiosks").body.find("class=\"silent\"") == std::string::npos);
  f.now += 2 * 86400;
  br.login("alice", kAlicePassword);  // the first session has ended by now
  ApiResponse page = br.get("/admin/kiosks");
  CHECK(page.body.find("class=\"silent\"") != std::string::npos);
  CHECK(page.body.find("2 days ago <span class=\"tag warn\">Silent</span>") != std::string::npos);  // words, not colour alone
  // A kiosk that brings its answers on a USB stick says when it last did.
  CHECK(page.body.find("data-label=\"Last seen by USB\">\xE2\x80\x93<") != std::string::npos);  // no key: no bundles
  REQUIRE(*f.b.store->register_device_key("dev-hash-north", encode_base64(std::string(32, 'k'))) == KeyRegistration::registered);
  CHECK(br.get("/admin/kiosks").body.find("data-label=\"Last seen by USB\">never<") != std::string::npos);
  REQUIRE(f.b.store->record_usb_import("dev-hash-north", f.now - 3 * 3600));
  CHECK(br.get("/admin/kiosks").body.find("data-label=\"Last seen by USB\">3 hours ago<") != std::string::npos);
  ApiResponse revoked = br.post("/admin/kiosks/revoke", "device=dev-hash-north&csrf=" + br.csrf());
  CHECK(revoked.status == 303);
  auto devices = f.b.store->devices();
  REQUIRE(devices);
  REQUIRE(devices->size() == 1);
  CHECK(devices->front().revoked);
  CHECK(f.audited("revoked a kiosk", "dev-hash-north"));
  CHECK(br.post("/admin/kiosks/revoke", "device=dev-hash-north&csrf=" + br.csrf()).status == 404);  // once only
}

// Visits of `kiosk_no` every 10 minutes: a score (the same for an hour's) and, from
// every other visit, a note; some scores are rapid repeats. Returns the
// answers as stored, for rows of one answer each.
std::vector<Answer> add_visits(ServerStore& store, const std::string& code_hash, int kiosk_no, int visits) {
  auto enrolled = store.enrol({code_hash, "plain-" + code_hash}, "dev-" + code_hash, "token-" + code_hash, "desk", kNow);
  REQUIRE(enrolled);
  wire::Batch batch{"v-" + code_hash, {}};
  std::vector<Answer> out;
  for (int i = 0; i < visits; ++i) {
    for (int k = 0; k < (i % 2 == 0 ? 2 : 1); ++k) {
      StoredAnswer s;
      s.seq = static_cast<std::int64_t>(batch.answers.size()) + 1;
      char uuid[48];
      std::snprintf(uuid, sizeof uuid, "%08d-0000-4000-8000-%012zu", kiosk_no, batch.answers.size());
      s.answer.uuid = uuid;
      s.answer.set_id = "library-demo";
      s.answer.set_version = 1;
      s.answer.session_id = "visit-" + code_hash + "-" + std::to_string(i);
      s.answer.language = i % 3 == 0 ? "cy" : "en";
      s.answer.stamp = {kNow - 86400 * 2 - i * 600, true, "boot", 1000 + i};
      s.answer.rapid_repeat = i % 7 == 6;
      if (k == 0) {
        s.answer.question_id = "library";
        s.answer.score = i / 6 % 11;  // an hour's visits alike
      } else {
        s.answer.question_id = "not_lower";
        s.answer.text = "note " + std::to_string(i % 4);
      }
      out.push_back(s.answer);
      batch.answers.push_back(s);
    }
  }
  REQUIRE(store.ingest("dev-" + code_hash, batch, kNow));
  return out;
}

TEMPLATE_TEST_CASE("admin: answers come folded for a report, and the report reads as from one row per answer", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  std::vector<report::AnswerRow> one_each;
  for (const auto& a : add_visits(*f.b.store, "hash-north", 1, 120)) one_each.push_back(report::from_answer(a, "North <Branch>"));
  for (const auto& a : add_visits(*f.b.store, "hash-south", 2, 50)) one_each.push_back(report::from_answer(a, "South"));
  auto set = parse_question_set(test::read_file(test::demo_set_path()));
  REQUIRE(set.set);
  const std::vector<QuestionSet> sets = {*set.set};
  auto sum = [](const std::vector<report::AnswerRow>& rows) {
    std::int64_t n = 0;
    for (const auto& r : rows) n += r.count;
    return n;
  };
  // The same figures, page and CSV, from folded rows as from one row each.
  auto same_report = [&](const std::vector<report::AnswerRow>& folded, const report::ReportFilter& filter) {
    report::Report from_folded = report::build_report(folded, sets, filter, {});
    report::Report from_each = report::build_report(one_each, sets, filter, {});
    REQUIRE(from_folded.questions.size() == from_each.questions.size());
    for (std::size_t i = 0; i < from_each.questions.size(); ++i)
      CHECK(report::question_section_fragment(from_folded.questions[i]) == report::question_section_fragment(from_each.questions[i]));
    CHECK(report::report_csv(folded, sets, filter, {}) == report::report_csv(one_each, sets, filter, {}));
  };
  const std::int64_t from = kNow - 86400 * 30, until = kNow;

  SECTION("every question, every venue: notes one row each, their visits' scores beside them") {
    AnswerQuery q{std::nullopt, from, until, std::nullopt, std::nullopt};
    q.fold_seconds = 3600;
    auto rows = f.b.admin->answer_rows(q);
    REQUIRE(rows);
    CHECK(sum(*rows) == static_cast<std::int64_t>(one_each.size()));
    CHECK(std::count_if(rows->begin(), rows->end(), [](const report::AnswerRow& r) { return r.count > 1; }) > 20);  // folded
    std::set<std::string> note_visits, scored_visits;
    for (const auto& r : *rows) {
      if (r.text) {
        CHECK(r.count == 1);
        CHECK(!r.session_id.empty());
        note_visits.insert(r.session_id);
      }
      if (r.count == 0) {
        CHECK(r.score);
        scored_visits.insert(r.session_id);
      }
      if (r.count > 1) CHECK(r.recorded_at % 3600 == 0);
    }
    CHECK(note_visits.size() == 60 + 25);
    CHECK(scored_visits == note_visits);
    same_report(*rows, {});
  }
  SECTION("one venue, the note question: its notes and their scores only") {
    AnswerQuery q{std::string("North <Branch>"), from, until, std::string("library-demo"), std::string("not_lower")};
    auto rows = f.b.admin->answer_rows(q);
    REQUIRE(rows);
    CHECK(sum(*rows) == 60);
    for (const auto& r : *rows) {
      CHECK(r.venue == "North <Branch>");
      CHECK((r.question_id == "not_lower" ? r.count == 1 : r.count == 0));
    }
    report::ReportFilter filter;
    filter.venue = "North <Branch>";
    filter.set_id = "library-demo";
    filter.question_id = "not_lower";
    same_report(*rows, filter);
    report::Report rep = report::build_report(*rows, sets, filter, {});
    REQUIRE(rep.questions.size() == 1);
    CHECK(!rep.questions[0].note_groups.empty());
    for (const auto& g : rep.questions[0].note_groups) CHECK(g.band);  // every note found its visit's score
  }
  SECTION("the scale question without notes: no text read, a quarter hour at a time") {
    AnswerQuery q{std::nullopt, from, until, std::string("library-demo"), std::string("library")};
    q.notes = false;
    auto rows = f.b.admin->answer_rows(q);
    REQUIRE(rows);
    CHECK(sum(*rows) == 170);
    for (const auto& r : *rows) {
      CHECK(!r.text);
      CHECK(r.session_id.empty());
      CHECK(r.recorded_at % 900 == 0);
    }
    report::ReportFilter filter;
    filter.set_id = "library-demo";
    filter.question_id = "library";
    same_report(*rows, filter);
  }
}

// Enrols a kiosk and stores one visit per text in `notes`: a score of `score`
// and the note, the first the newest (an hour apart, from a day before kNow).
// Returns the notes' answer ids in the same order.
std::vector<std::string> add_notes(ServerStore& store, const std::string& code_hash, int kiosk_no, const std::vector<std::string>& notes,
                                   int score = 7) {
  auto enrolled = store.enrol({code_hash, "plain-" + code_hash}, "dev-" + code_hash, "token-" + code_hash, "desk", kNow);
  REQUIRE(enrolled);
  REQUIRE(enrolled->kind == EnrolOutcome::enrolled);
  wire::Batch batch{"n-" + code_hash, {}};
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < notes.size(); ++i) {
    for (int k = 0; k < 2; ++k) {
      StoredAnswer s;
      s.seq = static_cast<std::int64_t>(batch.answers.size()) + 1;
      char uuid[48];
      std::snprintf(uuid, sizeof uuid, "%08d-0000-4000-8000-%012zu", kiosk_no, batch.answers.size());
      s.answer.uuid = uuid;
      s.answer.set_id = "library-demo";
      s.answer.set_version = 1;
      s.answer.session_id = "visit-" + code_hash + "-" + std::to_string(i);
      s.answer.language = "en";
      s.answer.stamp = {kNow - 86400 - static_cast<std::int64_t>(i) * 3600, true, "boot", 1000 + static_cast<std::int64_t>(i)};
      if (k == 0) {
        s.answer.question_id = "library";
        s.answer.score = score;
      } else {
        s.answer.question_id = "not_lower";
        s.answer.text = notes[i];
        ids.push_back(uuid);
      }
      batch.answers.push_back(s);
    }
  }
  REQUIRE(store.ingest("dev-" + code_hash, batch, kNow));
  return ids;
}

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + (i < 10 ? " 0" : " ") + std::to_string(i));
  return out;
}

std::optional<NoteModeration> moderation_of(AdminStore& admin, const std::string& answer_id) {
  auto all = admin.note_moderation();
  REQUIRE(all);
  for (const auto& m : *all)
    if (m.answer_id == answer_id) return m;
  return std::nullopt;
}

constexpr const char* kModerationDays = "from=2025-11-01&to=2025-11-30";

TEMPLATE_TEST_CASE("admin: a note's moderation is kept beside it, each field on its own, and the answer is never changed", "", SQLite,
                   PostgreSQL) {
  Fixture f(TestType::make());
  CHECK(f.b.admin->schema_version() == 3);
  auto ids = add_notes(*f.b.store, "hash-north", 1, {"the libary is grate"});
  const std::string id = ids.front();
  CHECK(f.b.admin->note_moderation().value().empty());
  CHECK(f.b.admin->note_text(id).value() == std::optional<std::string>("the libary is grate"));
  CHECK(!f.b.admin->note_text("no-such-answer").value().has_value());

  REQUIRE(f.b.admin->set_read_back(id, true, "alice", kNow));
  REQUIRE(f.b.admin->set_shown_text(id, std::string("The library is great"), "bob", kNow + 1));
  REQUIRE(f.b.admin->set_hidden(id, true, "names a member of staff", "carol", kNow + 2));
  auto m = moderation_of(*f.b.admin, id);
  REQUIRE(m);
  CHECK(m->read_back);  // each change left the others as they were
  CHECK(m->shown_text == std::optional<std::string>("The library is great"));
  CHECK(m->hidden);
  CHECK(m->hidden_reason == "names a member of staff");
  CHECK(m->changed_by == "carol");
  CHECK(m->changed_at == kNow + 2);

  REQUIRE(f.b.admin->set_hidden(id, false, "ignored", "alice", kNow + 3));
  REQUIRE(f.b.admin->set_shown_text(id, std::nullopt, "alice", kNow + 4));
  REQUIRE(f.b.admin->set_read_back(id, false, "alice", kNow + 5));
  m = moderation_of(*f.b.admin, id);
  REQUIRE(m);
  CHECK(!m->hidden);
  CHECK(m->hidden_reason.empty());
  CHECK(!m->shown_text);
  CHECK(!m->read_back);
  // The answer as stored, whatever was done to how it shows.
  CHECK(f.b.admin->note_text(id).value() == std::optional<std::string>("the libary is grate"));
}

TEMPLATE_TEST_CASE("admin: admin tables of the first version gain the moderation table when opened, keeping what they hold", "", SQLite,
                   PostgreSQL) {
  Backend b = TestType::make();
  REQUIRE(b.admin->add_account({"alice", hash_password(kAlicePassword), AdminRole::admin, {}, kNow}));
  b.admin.reset();
  // Back to the first version's tables, as a server of before the moderation view left them.
  TestType::exec(b, "DROP TABLE note_moderation");
  TestType::exec(b, "DROP TABLE readback_cards");
  TestType::exec(b, "DROP TABLE card_deliveries");
  TestType::exec(b, "DELETE FROM admin_schema WHERE version >= 2");
  b.admin = open_admin_store(b.where);
  CHECK(b.admin->schema_version() == 3);
  CHECK(b.admin->cards().value().empty());
  CHECK(b.admin->account("alice").value().has_value());
  CHECK(b.admin->note_moderation().value().empty());
  REQUIRE(b.admin->set_read_back("some-answer", true, "alice", kNow));
  CHECK(moderation_of(*b.admin, "some-answer")->read_back);
}

TEMPLATE_TEST_CASE("admin: the moderation view shows notes of groups of 8 or more, newest first and paged, and counts smaller groups", "",
                   SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  add_notes(*f.b.store, "hash-north", 1, numbered("north <note>", 25));
  add_notes(*f.b.store, "hash-south", 2, numbered("south note", 3));
  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  ApiResponse first = br.get(std::string("/admin/moderation?") + kModerationDays);
  REQUIRE(first.status == 200);
  const std::string escaped = report::escape("north <note>");
  CHECK(first.body.find("north <note>") == std::string::npos);  // escaped, always
  // Newest first, 20 to a page.
  std::size_t last = 0;
  for (int i = 0; i < 20; ++i) {
    std::string text = escaped + (i < 10 ? " 0" : " ") + std::to_string(i);
    std::size_t at = first.body.find(text);
    INFO(text);
    REQUIRE(at != std::string::npos);
    CHECK(at > last);
    last = at;
  }
  CHECK(first.body.find(escaped + " 20") == std::string::npos);
  CHECK(first.body.find("Page 1 of 2 (25 notes)") != std::string::npos);
  ApiResponse second = br.get(std::string("/admin/moderation?") + kModerationDays + "&page=2");
  CHECK(second.body.find(escaped + " 24") != std::string::npos);
  CHECK(second.body.find(escaped + " 19") == std::string::npos);
  // South's three notes: a count in words, never their text.
  for (const auto& page : {first.body, second.body}) {
    CHECK(page.find("south note") == std::string::npos);
    CHECK(page.find("Groups too small to read") != std::string::npos);
    CHECK(page.find("<td data-label=\"Venue\">South</td>") != std::string::npos);
    CHECK(page.find(">fewer than 5</td>") != std::string::npos);
  }
  // By venue and by band: without a set, a score of 7 is in the default band 7-10.
  ApiResponse south = br.get(std::string("/admin/moderation?venue=South&") + kModerationDays);
  CHECK(south.body.find("No notes to show") != std::string::npos);
  ApiResponse band = br.get(std::string("/admin/moderation?band=7-10&") + kModerationDays);
  CHECK(band.body.find(escaped + " 00") != std::string::npos);
  CHECK(band.body.find("After a score of 7\xE2\x80\x93"
                       "10") != std::string::npos);
  ApiResponse other = br.get(std::string("/admin/moderation?band=0-3&") + kModerationDays);
  CHECK(other.body.find(escaped + " 00") == std::string::npos);
  // Dated to the week, never the hour, and the days widened to whole weeks
  // (2025-11-01 is a Saturday): a span a day shorter or longer reads the same groups.
  CHECK(first.body.find("week of 2025-11-24") != std::string::npos);
  CHECK(first.body.find("id=\"from\" name=\"from\" value=\"2025-10-27\"") != std::string::npos);
  ApiResponse one_day = br.get("/admin/moderation?from=2025-11-29&to=2025-11-29");
  CHECK(one_day.body.find("id=\"from\" name=\"from\" value=\"2025-11-24\"") != std::string::npos);
  CHECK(one_day.body.find("id=\"to\" name=\"to\" value=\"2025-11-30\"") != std::string::npos);
  CHECK(one_day.body.find("Page 1 of 2 (25 notes)") != std::string::npos);
}

TEMPLATE_TEST_CASE("admin: moderating needs an admin and the CSRF token, and every action is in the audit log", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  auto ids = add_notes(*f.b.store, "hash-north", 1, numbered("the libary was grate", 9));
  const std::string id = ids[1];
  const std::string back = std::string("&") + kModerationDays;

  Browser viewer{*f.web};
  REQUIRE(viewer.login("vera", kVeraPassword).status == 303);
  CHECK(viewer.get("/admin/moderation").status == 403);
  CHECK(viewer.get("/admin/").body.find("/admin/moderation") == std::string::npos);  // not offered
  CHECK(viewer.post("/admin/moderation/read-back", "csrf=" + viewer.csrf() + "&on=1&answer=" + id).status == 403);
  CHECK(viewer.post("/admin/moderation/hide", "csrf=" + viewer.csrf() + "&reason=x&answer=" + id).status == 403);
  CHECK(f.audited("refused", "/admin/moderation/read-back: viewer"));

  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  CHECK(br.post("/admin/moderation/read-back", "on=1&answer=" + id).status == 403);
  CHECK(br.post("/admin/moderation/hide", "reason=spam&answer=" + id + "&csrf=" + std::string(64, '0')).status == 403);
  CHECK(f.b.admin->note_moderation().value().empty());
  CHECK(f.audited("refused", "CSRF"));
  const std::string token = br.csrf();

  ApiResponse marked = br.post("/admin/moderation/read-back", "csrf=" + token + "&on=1&answer=" + id + back);
  CHECK(marked.status == 303);
  CHECK(header(marked, "Location").starts_with("/admin/moderation?venue=&question=&band=&from=2025-11-01&to=2025-11-30"));
  CHECK(moderation_of(*f.b.admin, id)->read_back);
  CHECK(f.audited("marked a note read back", "answer " + id));
  CHECK(br.get(header(marked, "Location")).body.find("Marked as read back.") != std::string::npos);

  // Hiding needs a reason.
  CHECK(br.post("/admin/moderation/hide", "csrf=" + token + "&reason=++&answer=" + id).status == 400);
  CHECK(!moderation_of(*f.b.admin, id)->hidden);
  CHECK(br.post("/admin/moderation/hide", "csrf=" + token + "&reason=" + url_encode("gives a phone number") + "&answer=" + id).status ==
        303);
  CHECK(moderation_of(*f.b.admin, id)->hidden_reason == "gives a phone number");
  CHECK(f.audited("hid a note", "answer " + id + ": gives a phone number"));

  // A light edit: shown, with the text as typed beside it; the answer unchanged.
  CHECK(
      br.post("/admin/moderation/edit", "csrf=" + token + "&text=" + url_encode("  The library was great 01 ") + "&answer=" + id).status ==
      303);
  CHECK(moderation_of(*f.b.admin, id)->shown_text == std::optional<std::string>("The library was great 01"));
  CHECK(f.b.admin->note_text(id).value() == std::optional<std::string>("the libary was grate 01"));
  CHECK(f.audited("edited a note", "answer " + id + ": shows \"The library was great 01\""));
  ApiResponse page = br.get(std::string("/admin/moderation?") + kModerationDays);
  auto shown = page.body.find(">The library was great 01</blockquote>");
  auto typed = page.body.find("<q lang=\"en\">the libary was grate 01</q>");
  CHECK(shown != std::string::npos);
  CHECK(typed != std::string::npos);
  CHECK(page.body.find("New words") == std::string::npos);  // spelling only
  // Words the resident did not write are the admin's call, and named.
  CHECK(
      br.post("/admin/moderation/edit", "csrf=" + token + "&text=" + url_encode("The library was terrible 01") + "&answer=" + id).status ==
      303);
  page = br.get(std::string("/admin/moderation?") + kModerationDays);
  CHECK(page.body.find("The edit adds words the resident did not write: terrible.") != std::string::npos);
  CHECK(f.audited("edited a note", "adds words: terrible"));
  // An empty edit is refused; "show as typed" clears it.
  CHECK(br.post("/admin/moderation/edit", "csrf=" + token + "&text=+&answer=" + id).status == 400);
  CHECK(br.post("/admin/moderation/edit", "csrf=" + token + "&restore=1&text=&answer=" + id).status == 303);
  CHECK(!moderation_of(*f.b.admin, id)->shown_text);
  CHECK(f.audited("restored a note as typed", "answer " + id));

  CHECK(br.post("/admin/moderation/unhide", "csrf=" + token + "&answer=" + id).status == 303);
  CHECK(!moderation_of(*f.b.admin, id)->hidden);
  CHECK(f.audited("showed a hidden note again", "answer " + id));
  CHECK(br.post("/admin/moderation/read-back", "csrf=" + token + "&on=0&answer=" + id).status == 303);
  CHECK(!moderation_of(*f.b.admin, id)->read_back);
  CHECK(f.audited("unmarked a note read back", "answer " + id));

  // Only notes: an unknown id, or a score's, changes nothing.
  CHECK(br.post("/admin/moderation/hide", "csrf=" + token + "&reason=x&answer=no-such-answer").status == 404);
  CHECK(br.post("/admin/moderation/hide", "csrf=" + token + "&reason=x&answer=00000001-0000-4000-8000-000000000000").status == 404);
  CHECK(br.post("/admin/moderation/delete", "csrf=" + token + "&answer=" + id).status == 404);
  // GET never changes anything.
  CHECK(br.get("/admin/moderation/hide?csrf=" + token + "&reason=x&answer=" + id).status == 404);
  CHECK(!moderation_of(*f.b.admin, id)->hidden);
}

TEMPLATE_TEST_CASE("admin: read-back cards quote only notes marked read back from groups of 8, are signed, and leave when withdrawn", "",
                   SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  auto north = add_notes(*f.b.store, "hash-north", 1, numbered("north <note>", 9));
  auto south = add_notes(*f.b.store, "hash-south", 2, numbered("south note", 3));
  const SetSigningKeys keys = make_set_signing_keys();
  ReadbackFiles files(*f.b.admin, keys);
  auto none = files.venue_file("North <Branch>", f.now);
  REQUIRE(none);
  CHECK_FALSE(*none);  // never had a card: no file, the kiosks as they were

  Browser viewer{*f.web};
  REQUIRE(viewer.login("vera", kVeraPassword).status == 303);
  CHECK(viewer.get("/admin/readback").status == 403);
  CHECK(viewer.post("/admin/readback/publish", "csrf=" + viewer.csrf() + "&note=" + north[0] + "&we=did&answer=x").status == 403);

  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  const std::string token = br.csrf();
  CHECK(br.get("/admin/readback").body.find("No notes can be quoted yet") != std::string::npos);
  REQUIRE(f.b.admin->set_read_back(north[2], true, "alice", kNow));
  REQUIRE(f.b.admin->set_read_back(north[3], true, "alice", kNow));
  REQUIRE(f.b.admin->set_hidden(north[3], true, "names a person", "alice", kNow));
  REQUIRE(f.b.admin->set_shown_text(north[2], std::string("The north <note>, trimmed"), "alice", kNow));
  REQUIRE(f.b.admin->set_read_back(south[0], true, "alice", kNow));
  ApiResponse page = br.get("/admin/readback");
  REQUIRE(page.status == 200);
  CHECK(page.body.find("The north &lt;note&gt;, trimmed") != std::string::npos);  // as moderated, escaped
  CHECK(page.body.find("value=\"" + north[3] + "\"") == std::string::npos);       // hidden
  CHECK(page.body.find("south note") == std::string::npos);                       // a group of 3

  const std::string dates = "&from=2025-11-30&until=2025-12-31&language=en";
  // Whatever the form sends, a note that may not be quoted is refused.
  for (const std::string& id : {south[0], north[3], north[4], std::string("no-such-note")})
    CHECK(br.post("/admin/readback/publish", "csrf=" + token + "&note=" + id + "&we=did&answer=x" + dates).status == 400);
  CHECK(br.post("/admin/readback/publish", "csrf=" + token + "&we=did&answer=x" + dates).status == 400);  // no quote
  CHECK(br.post("/admin/readback/publish", "csrf=" + token + "&note=" + north[2] + "&we=did&answer=" + dates).status == 400);
  CHECK(br.post("/admin/readback/publish", "note=" + north[2] + "&we=did&answer=x" + dates).status == 403);  // no token
  CHECK(br.post("/admin/readback/publish",
                "csrf=" + token + "&note=" + north[2] + "&we=did&answer=x&from=2025-11-01&until=2025-11-29&language=en")
            .status == 400);  // over already
  CHECK(f.b.admin->cards().value().empty());

  ApiResponse published =
      br.post("/admin/readback/publish", "csrf=" + token + "&note=" + north[2] + "&we=did&answer=" + url_encode("We added two radiators.") +
                                             dates + "&tr_language=cy&tr_said=" + url_encode("Y nodyn o'r gogledd") +
                                             "&tr_answer=" + url_encode("Fe wnaethon ni ychwanegu dau reiddiadur."));
  REQUIRE(published.status == 303);
  CHECK(header(published, "Location") == "/admin/readback?done=published");
  auto stored = f.b.admin->cards();
  REQUIRE(stored);
  REQUIRE(stored->size() == 1);
  CHECK(stored->front().venue == "North <Branch>");
  CHECK(stored->front().notes == north[2]);
  CHECK(f.audited("published a read-back card", "for North <Branch>, 2025-11-30 to 2025-12-31, quoting " + north[2]));

  auto file = files.venue_file("North <Branch>", f.now);
  REQUIRE(file);
  REQUIRE(*file);
  auto opened = open_signed_readback((*file)->signed_file, keys.public_key, 0);
  REQUIRE(opened);
  REQUIRE(opened.readback->cards.size() == 1);
  const ReadbackCard& card = opened.readback->cards[0];
  CHECK(card.texts.at("en").said == std::vector<std::string>{"The north <note>, trimmed"});
  CHECK(card.texts.at("en").we == "did");
  CHECK(card.texts.at("cy").answer == "Fe wnaethon ni ychwanegu dau reiddiadur.");
  CHECK_FALSE(opened.readback->count);  // October, the last whole month, had no notes
  // In December, November's nine visits with a note are read back.
  auto december = files.venue_file("North <Branch>", kNow + 5 * 86400);
  REQUIRE(december);
  REQUIRE(*december);
  auto counted = open_signed_readback((*december)->signed_file, keys.public_key, 0);
  REQUIRE(counted);
  REQUIRE(counted.readback->count);
  CHECK(counted.readback->count->people == 9);
  CHECK(counted.readback->count->month == "2025-11");
  CHECK((*december)->serial > (*file)->serial);
  file = december;
  // Nothing changed: the same file and serial, so the kiosk's ETag holds.
  auto again = files.venue_file("North <Branch>", kNow + 5 * 86400 + 60);
  REQUIRE(again);
  CHECK((*again)->serial == (*file)->serial);
  CHECK((*again)->signed_file == (*file)->signed_file);
  CHECK_FALSE(files.venue_file("South", f.now).value().has_value());  // another venue has none

  // A card at a venue with fewer than 5 people this month: no count (the k rule).
  StoredCard small{0, "South", write_card(card), south[0], "alice", kNow, 0, ""};
  REQUIRE(f.b.admin->add_card(small));
  auto south_file = files.venue_file("South", f.now);
  REQUIRE(south_file);
  REQUIRE(*south_file);
  auto south_cards = open_signed_readback((*south_file)->signed_file, keys.public_key, 0);
  REQUIRE(south_cards);
  CHECK_FALSE(south_cards.readback->count);
  CHECK((*south_file)->serial > (*file)->serial);  // serials rise across venues

  // A quoted note hidden after publishing takes its card off the screens; shown again, the card is back.
  REQUIRE(f.b.admin->set_hidden(south[0], true, "names a person", "alice", kNow));
  auto hidden = files.venue_file("South", f.now);
  REQUIRE(hidden);
  CHECK(open_signed_readback((*hidden)->signed_file, keys.public_key, 0).readback->cards.empty());
  REQUIRE(f.b.admin->set_hidden(south[0], false, "", "alice", kNow));
  auto shown = files.venue_file("South", f.now);
  CHECK(open_signed_readback((*shown)->signed_file, keys.public_key, 0).readback->cards.size() == 1);
  CHECK((*shown)->serial > (*hidden)->serial);

  // Withdrawn: the next file is newer and empty, and the older one is refused against it.
  CHECK(br.post("/admin/readback/withdraw", "csrf=" + token + "&card=" + std::to_string(stored->front().id)).status == 303);
  CHECK(br.post("/admin/readback/withdraw", "csrf=" + token + "&card=" + std::to_string(stored->front().id)).status == 404);
  CHECK(f.audited("withdrew a read-back card", "card " + std::to_string(stored->front().id)));
  auto after = files.venue_file("North <Branch>", f.now);
  REQUIRE(after);
  REQUIRE(*after);
  CHECK((*after)->serial > (*south_file)->serial);
  auto emptied = open_signed_readback((*after)->signed_file, keys.public_key, (*file)->serial);
  REQUIRE(emptied);
  CHECK(emptied.readback->cards.empty());
  CHECK_FALSE(emptied.readback->count);  // a count only beside a card
  CHECK(open_signed_readback((*file)->signed_file, keys.public_key, (*after)->serial).refusal == SetRefusal::not_newer);
  // A card whose last day has passed is left out too.
  auto later = files.venue_file("South", kNow + 40 * 86400);
  REQUIRE(later);
  auto later_cards = open_signed_readback((*later)->signed_file, keys.public_key, 0);
  REQUIRE(later_cards);
  CHECK(later_cards.readback->cards.empty());
  CHECK(br.get("/admin/readback").body.find("Withdrawn by alice") != std::string::npos);
}

TEMPLATE_TEST_CASE("admin: hidden notes leave the results page and its CSV, edited ones show their edit", "", SQLite, PostgreSQL) {
  Fixture f(TestType::make());
  auto ids = add_notes(*f.b.store, "hash-north", 1, numbered("the libary note", 10));
  Browser br{*f.web};
  br.login("alice", kAlicePassword);
  const std::string token = br.csrf();
  const std::string results = std::string("/admin/results?") + kModerationDays;
  const std::string csv = std::string("/admin/results.csv?") + kModerationDays;
  for (const auto& target : {results, csv}) {
    ApiResponse r = br.get(target);
    CHECK(r.body.find("the libary note 03") != std::string::npos);
    CHECK(r.body.find("the libary note 05") != std::string::npos);
  }
  REQUIRE(br.post("/admin/moderation/hide", "csrf=" + token + "&reason=" + url_encode("names a person") + "&answer=" + ids[3]).status ==
          303);
  REQUIRE(br.post("/admin/moderation/edit", "csrf=" + token + "&text=" + url_encode("The library note 05") + "&answer=" + ids[5]).status ==
          303);
  for (const auto& target : {results, csv}) {
    INFO(target);
    ApiResponse r = br.get(target);
    CHECK(r.status == 200);
    CHECK(r.body.find("the libary note 03") == std::string::npos);  // hidden
    CHECK(r.body.find("the libary note 05") == std::string::npos);  // edited: the edit shows instead
    CHECK(r.body.find("The library note 05") != std::string::npos);
    CHECK(r.body.find("the libary note 04") != std::string::npos);  // the rest as typed
  }
  // Shown again once unhidden.
  REQUIRE(br.post("/admin/moderation/unhide", "csrf=" + token + "&answer=" + ids[3]).status == 303);
  CHECK(br.get(csv).body.find("the libary note 03") != std::string::npos);
  // With a group below 8 after hiding, the results show no text at all, as for any small group.
  for (int i = 0; i < 3; ++i) REQUIRE(br.post("/admin/moderation/hide", "csrf=" + token + "&reason=test&answer=" + ids[i]).status == 303);
  CHECK(br.get(results).body.find("the libary note 04") == std::string::npos);
}

TEST_CASE("admin: /admin and everything under it is the admin web's, on the API's address only, GET and POST") {
  CHECK(match_route("GET", "/admin", Site::api).route == Route::admin);
  CHECK(match_route("POST", "/admin/login", Site::api).route == Route::admin);
  CHECK(match_route("GET", "/admin/results?venue=x", Site::api).route == Route::admin);
  CHECK(match_route("DELETE", "/admin/kiosks", Site::api).refusal == 405);
  CHECK(match_route("GET", "/administrator", Site::api).refusal == 404);
  CHECK(match_route("GET", "/admin/", Site::metrics).refusal == 404);
  CHECK(route_label(Route::admin) == "/admin");
  CHECK(route_takes_body(Route::admin));
  FormFields form = FormFields::parse("a=1+2&b=%3Cx%3E&a=3&empty=&bad=%zz");
  CHECK(form.get("a") == "1 2");
  CHECK(form.get("b") == "<x>");
  CHECK(form.get("bad") == "%zz");
  CHECK(form.has("empty"));
  CHECK(url_decode(url_encode("Ł ó/&=?")) == "Ł ó/&=?");
  CHECK(cookie_value("a=1; tp_session=abc; b=2", "tp_session") == "abc");
  CHECK(cookie_value("xtp_session=abc", "tp_session").empty());
}

int main(int argc, char* argv[]) {
  return test::run_with_postgres(argc, argv, [] { g_cluster.reset(); });
}
