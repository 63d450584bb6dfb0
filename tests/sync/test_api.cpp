// The server's rules through its route functions (no sockets), against the
// real SQLite store and against the in-memory one: a rule about the API must
// hold whatever keeps the data. Tests about SQLite itself run on SQLite only.
#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "api.h"
#include "fakes/memory_server_store.h"
#include "gzip.h"
#include "secrets.h"
#include "signed_set.h"
#include "sqlite_server_store.h"
#include "support.h"

using namespace tp;
using namespace tp::server;

namespace {

// Rows of a query as "a|b" lines, like the sqlite3 shell prints them.
std::string sqlite_lines(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK)
      while (sqlite3_step(s) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
          const unsigned char* text = sqlite3_column_text(s, i);
          out += (i ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "");
        }
        out += "\n";
      }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

// ---- The two backends ----
struct OnSqlite {
  static constexpr const char* name = "sqlite";
  std::string path;
  SqliteServerStore store;
  // A short busy timeout: the lock test waits it out on every request.
  explicit OnSqlite(const std::string& dir) : path(dir + "/server.db"), store(path, 300) {}
  // "seq|corrected_at" per answer, in arrival order.
  std::string corrected_times() { return sqlite_lines(path, "SELECT seq, corrected_at FROM answers ORDER BY id"); }
};

struct InMemory {
  static constexpr const char* name = "memory";
  test::MemoryServerStore store;
  explicit InMemory(const std::string&) {}
  std::string corrected_times() {
    std::string out;
    for (const auto* row : store.answers_in_order())
      out += std::to_string(row->answer.seq) + "|" + (row->corrected_at ? std::to_string(*row->corrected_at) : "") + "\n";
    return out;
  }
};

template <class Backend>
struct Rig {
  std::string dir;
  Backend backend;
  ServerStore& store;
  double now = 1764500400;
  CodeKey code_key = CodeKey::generate();
  Api api;
  // The folder is named after the backend too: ctest may run both at once.
  explicit Rig(const std::string& name, ApiOptions options = {})
      : dir(test::scratch_dir(name + "_" + Backend::name)),
        backend(dir),
        store(backend.store),
        api(store, code_key, options, [this] { return now; }) {}

  std::string code(const std::string& venue = "Central Library") {
    std::string c = new_enrol_code();
    REQUIRE(store.add_enrol_code(venue, code_key.code_hash(c), static_cast<std::int64_t>(now) + 86400));
    return c;
  }
  // Enrols and returns the bearer header for the token.
  std::string enrol(const std::string& token = "tp1.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
                    const std::string& venue = "Central Library") {
    ApiResponse r = api.enrol({wire::encode(wire::EnrolRequest{code(venue), "desk", token}), "", "", "127.0.0.1"});
    REQUIRE(r.status == 200);
    return "Bearer " + token;
  }
};

StoredAnswer answer(int i, int score = 5, const std::string& question = "library") {
  StoredAnswer s;
  s.seq = i;
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", i);
  s.answer.uuid = uuid;
  s.answer.set_id = "library-demo";
  s.answer.set_version = 1;
  s.answer.question_id = question;
  s.answer.session_id = "v" + std::to_string(i);
  s.answer.score = score;
  s.answer.language = "en";
  s.answer.stamp = {1764500400, true, "boot", 1000};
  return s;
}

wire::BatchReply reply_of(const ApiResponse& r) {
  REQUIRE(r.status == 200);
  return std::get<wire::BatchReply>(wire::decode_batch_reply(r.body));
}

std::string heartbeat_body() { return wire::encode(wire::Heartbeat{"0.1.0", "s", 1, 0, std::nullopt, 1, {true, 1, "boot", 1}}); }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A 503 tells the kiosk to wait; the why (file paths, SQLite's words) belongs
// in the server's log, not in a reply to anyone who can reach the port.
void check_unavailable(const ApiResponse& r, const std::string& data_dir) {
  INFO(r.body);
  CHECK(r.status == 503);
  CHECK(r.retry_after_s == Api::kStorageRetryAfterS);
  CHECK(r.retry_after_s > 0);
  CHECK(r.body.find("\"storage\"") != std::string::npos);
  std::string body = lower(r.body);
  for (const char* word : {"sqlite", "database is locked", "database or disk is full", "disk i/o", "server.db", "/var/lib"})
    CHECK(body.find(word) == std::string::npos);
  CHECK(r.body.find(data_dir) == std::string::npos);
  for (const auto& part : std::filesystem::path(data_dir))
    if (part.string() != "/" && !part.empty()) CHECK(r.body.find("/" + part.string()) == std::string::npos);
}

}  // namespace

TEMPLATE_TEST_CASE("enrolment: a code works once; the same kiosk retrying gets the same device", "[server]", OnSqlite, InMemory) {
  Rig<TestType> rig("api_enrol");
  std::string c = rig.code();
  std::string token = "tp1.0123456789012345678901234567890123456789abc";
  auto first = rig.api.enrol({wire::encode(wire::EnrolRequest{c, "desk", token}), "", "", "a"});
  REQUIRE(first.status == 200);
  auto again = rig.api.enrol({wire::encode(wire::EnrolRequest{c, "desk", token}), "", "", "a"});
  REQUIRE(again.status == 200);
  CHECK(std::get<wire::EnrolReply>(wire::decode_enrol_reply(first.body)).device_id ==
        std::get<wire::EnrolReply>(wire::decode_enrol_reply(again.body)).device_id);
  CHECK(std::get<wire::EnrolReply>(wire::decode_enrol_reply(first.body)).venue == "Central Library");
  auto thief = rig.api.enrol({wire::encode(wire::EnrolRequest{c, "x", "tp1.9999999999999999999999999999999999999999999"}), "", "", "b"});
  CHECK(thief.status == 403);
  CHECK(thief.body.find("code_used") != std::string::npos);
  auto unknown = rig.api.enrol({wire::encode(wire::EnrolRequest{"AAAA-BBBB-CCCC", "x", token}), "", "", "c"});
  CHECK(unknown.status == 403);
  CHECK(unknown.body.find("code_unknown") != std::string::npos);
  CHECK(rig.store.devices()->size() == 1);
  // Codes are typed by people: case and dashes do not matter.
  std::string c2 = rig.code();
  std::string sloppy = c2;
  for (auto& ch : sloppy) ch = static_cast<char>(std::tolower(ch));
  sloppy.erase(std::remove(sloppy.begin(), sloppy.end(), '-'), sloppy.end());
  CHECK(rig.api.enrol({wire::encode(wire::EnrolRequest{sloppy, "y", "tp1.8888888888888888888888888888888888888888888"}), "", "", "d"})
            .status == 200);
}

TEMPLATE_TEST_CASE("a kiosk's own key is kept once: at enrolment, or from a heartbeat of a kiosk enrolled before it had one", "[server]",
                   OnSqlite, InMemory) {
  Rig<TestType> rig("api_device_key");
  const std::string key_a = encode_base64(std::string(32, 'a')), key_b = encode_base64(std::string(32, 'b'));
  std::string token = "tp1.5555555555555555555555555555555555555555555";
  REQUIRE(rig.api.enrol({wire::encode(wire::EnrolRequest{rig.code(), "desk", token, key_a}), "", "", "a"}).status == 200);
  auto held = rig.store.device_by_key(key_a);
  REQUIRE(held);
  REQUIRE(held->has_value());
  // A second kiosk cannot take the same key; without one it enrols all the same.
  std::string other = "tp1.6666666666666666666666666666666666666666666";
  REQUIRE(rig.api.enrol({wire::encode(wire::EnrolRequest{rig.code(), "desk 2", other, key_a}), "", "", "b"}).status == 200);
  auto listed = rig.store.devices();
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK(std::count_if(listed->begin(), listed->end(), [](const DeviceStatus& d) { return d.has_device_key; }) == 1);
  // The keyless one sends a key in a heartbeat: kept. A later, different one is ignored.
  wire::Heartbeat hb{"0.1.0", "s", 1, 0, std::nullopt, 1, {true, 1, "boot", 1}, key_b};
  CHECK(rig.api.heartbeat({wire::encode(hb), "Bearer " + other, "", "b"}).status == 200);
  auto second = rig.store.device_by_key(key_b);
  REQUIRE(second);
  REQUIRE(second->has_value());
  hb.device_key = encode_base64(std::string(32, 'c'));
  CHECK(rig.api.heartbeat({wire::encode(hb), "Bearer " + other, "", "b"}).status == 200);
  CHECK(rig.store.device_by_key(hb.device_key)->has_value() == false);
  CHECK((*rig.store.device_by_key(key_b))->id == (*second)->id);
}

TEMPLATE_TEST_CASE("an enrolled token shown with a new code gets its own device back; a revoked one is refused", "[server]", OnSqlite,
                   InMemory) {
  // The kiosk's first reply was lost, and staff made a new code meanwhile:
  // the kiosk still holds its pending token and tries again with the new code.
  Rig<TestType> rig("api_enrol_known_token");
  std::string token = "tp1.4444444444444444444444444444444444444444444";
  auto first = rig.api.enrol({wire::encode(wire::EnrolRequest{rig.code(), "desk", token}), "", "", "a"});
  REQUIRE(first.status == 200);
  std::string fresh = rig.code();
  auto again = rig.api.enrol({wire::encode(wire::EnrolRequest{fresh, "desk", token}), "", "", "a"});
  REQUIRE(again.status == 200);
  CHECK(std::get<wire::EnrolReply>(wire::decode_enrol_reply(again.body)).device_id ==
        std::get<wire::EnrolReply>(wire::decode_enrol_reply(first.body)).device_id);
  CHECK(rig.store.devices()->size() == 1);
  // The new code was not used up: another kiosk can still take it.
  CHECK(rig.api.enrol({wire::encode(wire::EnrolRequest{fresh, "other", "tp1.3333333333333333333333333333333333333333333"}), "", "", "b"})
            .status == 200);
  REQUIRE(*rig.store.revoke(std::get<wire::EnrolReply>(wire::decode_enrol_reply(first.body)).device_id, 1));
  auto revoked = rig.api.enrol({wire::encode(wire::EnrolRequest{rig.code(), "desk", token}), "", "", "a"});
  CHECK(revoked.status == 403);
  CHECK(revoked.body.find("token_revoked") != std::string::npos);
}

TEMPLATE_TEST_CASE("expired codes are refused; a used code says used even after it expired", "[server]", OnSqlite, InMemory) {
  Rig<TestType> rig("api_expired");
  std::string c = rig.code();
  std::string used = rig.code();
  REQUIRE(
      rig.api.enrol({wire::encode(wire::EnrolRequest{used, "x", "tp1.6666666666666666666666666666666666666666666"}), "", "", "a"}).status ==
      200);
  rig.now += 2 * 86400;
  auto r = rig.api.enrol({wire::encode(wire::EnrolRequest{c, "x", "tp1.7777777777777777777777777777777777777777777"}), "", "", "a"});
  CHECK(r.status == 403);
  CHECK(r.body.find("code_expired") != std::string::npos);
  auto u = rig.api.enrol({wire::encode(wire::EnrolRequest{used, "x", "tp1.5555555555555555555555555555555555555555555"}), "", "", "a"});
  CHECK(u.status == 403);
  CHECK(u.body.find("code_used") != std::string::npos);
  // The kiosk that used it, retrying late, still gets its device.
  CHECK(
      rig.api.enrol({wire::encode(wire::EnrolRequest{used, "x", "tp1.6666666666666666666666666666666666666666666"}), "", "", "a"}).status ==
      200);
}

TEMPLATE_TEST_CASE("a resent batch is acknowledged again and stored once; a conflict is quarantined", "[server]", OnSqlite, InMemory) {
  Rig<TestType> rig("api_ingest");
  std::string auth = rig.enrol();
  wire::Batch b{"b1", {answer(1), answer(2), answer(3)}};
  auto first = reply_of(rig.api.batches({wire::encode(b), auth, "", "a"}));
  CHECK(first.batch_id == "b1");
  CHECK(first.received == 3);
  CHECK(first.stored == 3);
  auto resend = reply_of(rig.api.batches({gzip_compress(wire::encode(b)), auth, "gzip", "a"}));
  CHECK(resend.received == 3);
  CHECK(resend.stored == 0);
  CHECK(resend.duplicates == 3);
  wire::Batch conflict{"b2", {answer(2, 9), answer(4)}};
  auto c = reply_of(rig.api.batches({wire::encode(conflict), auth, "", "a"}));
  CHECK(c.stored == 1);
  CHECK(c.quarantined == std::vector<std::string>{answer(2).answer.uuid});
  // The same answer id from another kiosk, even with identical content, is not that kiosk's to resend.
  std::string other = rig.enrol("tp1.OTHERKIOSKOTHERKIOSKOTHERKIOSKOTHERKIOSKOTH");
  auto from_other = reply_of(rig.api.batches({wire::encode(wire::Batch{"b3", {answer(1)}}), other, "", "a"}));
  CHECK(from_other.stored == 0);
  CHECK(from_other.duplicates == 0);
  CHECK(from_other.quarantined == std::vector<std::string>{answer(1).answer.uuid});
  auto devices = *rig.store.devices();
  REQUIRE(devices.size() == 2);
  std::int64_t received = 0, quarantined = 0;
  for (const auto& d : devices) {
    received += d.answers_received;
    quarantined += d.quarantined;
  }
  CHECK(received == 4);
  CHECK(quarantined == 2);
  // The first content of answer 2 is the one kept.
  auto counts = *rig.store.answer_counts();
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].answers == 4);
}

TEMPLATE_TEST_CASE("tokens: missing, unknown and revoked are refused and nothing is stored", "[server]", OnSqlite, InMemory) {
  Rig<TestType> rig("api_tokens");
  std::string body = wire::encode(wire::Batch{"b", {answer(1)}});
  CHECK(rig.api.batches({body, "", "", "a"}).status == 401);
  CHECK(rig.api.batches({body, "Bearer tp1.nope", "", "a"}).status == 401);
  std::string auth = rig.enrol();
  std::string id = (*rig.store.devices())[0].id;
  REQUIRE(*rig.store.revoke(id, 1));
  CHECK_FALSE(*rig.store.revoke(id, 2));  // already revoked
  CHECK_FALSE(*rig.store.revoke("kiosk-000000000000", 2));
  auto r = rig.api.batches({body, auth, "", "a"});
  CHECK(r.status == 401);
  CHECK(r.body.find("revoked") != std::string::npos);
  CHECK(rig.api.heartbeat({heartbeat_body(), auth, "", "a"}).status == 401);
  CHECK(rig.store.answer_counts()->empty());
  CHECK((*rig.store.devices())[0].revoked);
}

TEMPLATE_TEST_CASE("answer counts and the device list, per venue, device and question", "[server]", OnSqlite, InMemory) {
  Rig<TestType> rig("api_counts");
  std::string library = rig.enrol("tp1.LIBRARYLIBRARYLIBRARYLIBRARYLIBRARYLIBRARY", "Library");
  std::string museum = rig.enrol("tp1.MUSEUMMUSEUMMUSEUMMUSEUMMUSEUMMUSEUMMUSEUM", "Museum");
  REQUIRE(
      reply_of(rig.api.batches({wire::encode(wire::Batch{"l", {answer(1), answer(2), answer(3, 5, "staff")}}), library, "", "a"})).stored ==
      3);
  REQUIRE(reply_of(rig.api.batches({wire::encode(wire::Batch{"m", {answer(4)}}), museum, "", "a"})).stored == 1);
  wire::Heartbeat hb{"0.1.0", "library-demo", 3, 12, 600, 1000000, {true, 1764500400, "boot", 1}};
  REQUIRE(rig.api.heartbeat({wire::encode(hb), library, "", "a"}).status == 200);
  auto devices = *rig.store.devices();
  REQUIRE(devices.size() == 2);
  CHECK(devices[0].venue == "Library");
  CHECK(devices[1].venue == "Museum");
  CHECK(devices[0].name == "desk");
  CHECK(devices[0].answers_received == 3);
  CHECK(devices[0].answers_waiting == 12);
  CHECK(devices[0].oldest_unsent_age_s == 600);
  CHECK(devices[0].set_id == "library-demo");
  CHECK(devices[0].set_version == 3);
  CHECK(devices[0].clock_trusted);
  CHECK(devices[0].last_contact == static_cast<std::int64_t>(rig.now));
  CHECK(devices[1].answers_received == 1);
  CHECK(devices[1].last_contact);  // a batch is contact too
  CHECK_FALSE(devices[1].clock_trusted);
  auto counts = *rig.store.answer_counts();
  REQUIRE(counts.size() == 3);
  CHECK(counts[0].venue == "Library");
  CHECK(counts[0].question == "library");
  CHECK(counts[0].answers == 2);
  CHECK(counts[1].question == "staff");
  CHECK(counts[1].answers == 1);
  CHECK(counts[2].venue == "Museum");
  CHECK(counts[2].answers == 1);
}

TEMPLATE_TEST_CASE("bad bodies get 400 with the reason; odd encodings 415", "[server][hostile]", OnSqlite, InMemory) {
  Rig<TestType> rig("api_bad");
  std::string auth = rig.enrol();
  auto r = rig.api.batches({"{\"batch_id\": \"b\", \"answers\": [{}]}", auth, "", "a"});
  CHECK(r.status == 400);
  CHECK(wire::error_message(r.body) == "answers[0].uuid is missing");
  CHECK(rig.api.batches({"not gzip", auth, "gzip", "a"}).status == 400);
  CHECK(rig.api.batches({"{}", auth, "br", "a"}).status == 415);
  std::string bomb = gzip_compress(std::string(64 * 1024 * 1024, ' '));
  auto b = rig.api.batches({bomb, auth, "gzip", "a"});
  CHECK(b.status == 400);
  CHECK(b.body.find("bad_gzip") != std::string::npos);
  CHECK(rig.store.answer_counts()->empty());
}

TEMPLATE_TEST_CASE("too many requests from one kiosk get 429 with a wait", "[server]", OnSqlite, InMemory) {
  ApiOptions tight;
  tight.device_requests_per_s = 1;
  tight.device_burst = 3;
  Rig<TestType> rig("api_rate", tight);
  std::string auth = rig.enrol();
  std::string hb = heartbeat_body();
  int limited = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = rig.api.heartbeat({hb, auth, "", "a"});
    if (r.status == 429) {
      ++limited;
      CHECK(r.retry_after_s >= 1);
    }
  }
  CHECK(limited == 7);
  rig.now += 2;
  CHECK(rig.api.heartbeat({hb, auth, "", "a"}).status == 200);
}

TEMPLATE_TEST_CASE("clocks: untrusted times are placed once the kiosk reports a trusted clock", "[server][clock]", OnSqlite, InMemory) {
  Rig<TestType> rig("api_clock");
  std::string auth = rig.enrol();
  // Booted in 1970 (no RTC): the answer's wall time is nonsense, but it is 60 s after boot.
  StoredAnswer early = answer(1);
  early.answer.stamp = {900, false, "boot-7", 60000};
  REQUIRE(reply_of(rig.api.batches({wire::encode(wire::Batch{"b", {early}}), auth, "", "a"})).stored == 1);
  CHECK(rig.backend.corrected_times() == "1|\n");
  // Later the clock is set by NTP: at 600 s after boot it is 1764500400.
  wire::Heartbeat hb{"0.1.0", "s", 1, 0, std::nullopt, 1, {true, 1764500400, "boot-7", 600000}};
  REQUIRE(rig.api.heartbeat({wire::encode(hb), auth, "", "a"}).status == 200);
  // An answer of the same boot arriving after that is placed at once; one of another boot is not.
  StoredAnswer late = answer(2);
  late.answer.stamp = {1000, false, "boot-7", 300000};
  StoredAnswer other_boot = answer(3);
  other_boot.answer.stamp = {1000, false, "boot-8", 300000};
  REQUIRE(reply_of(rig.api.batches({wire::encode(wire::Batch{"b2", {late, other_boot}}), auth, "", "a"})).stored == 2);
  CHECK(rig.backend.corrected_times() == "1|" + std::to_string(1764500400 - 540) + "\n2|" + std::to_string(1764500400 - 300) + "\n3|\n");
}

// ---- Storage failures -------------------------------------------------------

TEST_CASE("storage failing: enrolment, batches and heartbeat answer 503 with Retry-After, never a refusal", "[server][faults]") {
  Rig<InMemory> rig("api_store_fails");
  std::string auth = rig.enrol();
  std::string waiting_code = rig.code();
  const std::string token = "tp1.WAITINGWAITINGWAITINGWAITINGWAITINGWAITING";
  std::string enrol_body = wire::encode(wire::EnrolRequest{waiting_code, "desk 2", token});
  std::string batch_body = gzip_compress(wire::encode(wire::Batch{"b1", {answer(1)}}));
  rig.backend.store.fail = true;
  struct Case {
    const char* what;
    ApiResponse reply;
  };
  // Even a code or token the store would not know gets 503: with the store
  // down, the server cannot tell, and a refusal would make a kiosk give up.
  std::vector<Case> cases = {
      {"enrol", rig.api.enrol({enrol_body, "", "", "b"})},
      {"enrol with an unknown code", rig.api.enrol({wire::encode(wire::EnrolRequest{"AAAA-BBBB-CCCC", "x", token}), "", "", "c"})},
      {"batches", rig.api.batches({batch_body, auth, "gzip", "a"})},
      {"heartbeat", rig.api.heartbeat({heartbeat_body(), auth, "", "a"})},
      {"batches with an unknown token", rig.api.batches({batch_body, "Bearer tp1.nope", "gzip", "a"})},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    check_unavailable(c.reply, rig.dir);
  }
  // Nothing was changed: with the storage back, the same code and token enrol, and the batch is stored.
  rig.backend.store.fail = false;
  ApiResponse enrolled = rig.api.enrol({enrol_body, "", "", "b"});
  CHECK(enrolled.status == 200);
  CHECK(reply_of(rig.api.batches({batch_body, auth, "gzip", "a"})).stored == 1);
  CHECK(rig.api.heartbeat({heartbeat_body(), auth, "", "a"}).status == 200);
  CHECK(rig.store.devices()->size() == 2);
}

TEST_CASE("a real SQLite failure: the database write-locked by another connection gives 503", "[server][faults][sqlite]") {
  Rig<OnSqlite> rig("api_sqlite_locked");
  std::string auth = rig.enrol();
  std::string waiting_code = rig.code();
  const std::string token = "tp1.LOCKEDLOCKEDLOCKEDLOCKEDLOCKEDLOCKEDLOCKEDL";
  std::string enrol_body = wire::encode(wire::EnrolRequest{waiting_code, "desk 2", token});
  std::string batch_body = wire::encode(wire::Batch{"b1", {answer(1)}});

  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open_v2(rig.backend.path.c_str(), &other, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  // Each request waits out the store's busy timeout before failing: an
  // enrolment and a batch (whose token check still reads, as WAL readers
  // may, and whose write is refused).
  ApiResponse enrol = rig.api.enrol({enrol_body, "", "", "b"});
  ApiResponse batch = rig.api.batches({batch_body, auth, "", "a"});
  CHECK(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(other);
  {
    INFO("enrol");
    check_unavailable(enrol, rig.dir);
  }
  {
    INFO("batches");
    check_unavailable(batch, rig.dir);
  }
  // Released: the same enrolment and batch now succeed, each stored once.
  CHECK(rig.api.enrol({enrol_body, "", "", "b"}).status == 200);
  CHECK(reply_of(rig.api.batches({batch_body, auth, "", "a"})).stored == 1);
  CHECK(rig.store.devices()->size() == 2);
}

// [SECTION] Question sets

TEMPLATE_TEST_CASE("question sets: 200 with the signed set and its ETag, 304 with no body, 204 with none", "[server][sets]", OnSqlite,
                   InMemory) {
  Rig<TestType> rig("api_sets");
  SetSigningKeys keys = make_set_signing_keys();
  rig.api.use_set_signing_key(keys);
  const std::string token = "tp1.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
  ApiResponse enrolled = rig.api.enrol({wire::encode(wire::EnrolRequest{rig.code(), "desk", token}), "", "", "127.0.0.1"});
  REQUIRE(enrolled.status == 200);
  // The enrolment reply carries the public key the kiosk will trust.
  auto reply = std::get<wire::EnrolReply>(wire::decode_enrol_reply(enrolled.body));
  auto trusted = decode_set_public_key(reply.set_key);
  REQUIRE(trusted);
  CHECK(*trusted == keys.public_key);
  const std::string bearer = "Bearer " + token;
  ApiResponse key = rig.api.set_key({"", bearer, "", "127.0.0.1"});
  CHECK(key.status == 200);
  CHECK(key.body == "{\"set_key\":\"" + reply.set_key + "\"}");

  ApiResponse none = rig.api.question_set({"", bearer, "", "127.0.0.1"});
  CHECK(none.status == 204);
  CHECK(none.body.empty());
  CHECK(none.etag.empty());

  REQUIRE(rig.store.add_set_draft(test::read_file(test::demo_set_path()), 1));
  REQUIRE(rig.store.publish_set("library-demo", 1)->kind == SetChange::done);
  REQUIRE(rig.store.assign_set({"Central Library", "library-demo", std::nullopt, std::nullopt}, 1)->kind == SetChange::done);
  ApiResponse got = rig.api.question_set({"", bearer, "", "127.0.0.1"});
  REQUIRE(got.status == 200);
  CHECK(got.etag == "\"1\"");
  OpenedSignedSet opened = open_signed_set(got.body, *trusted, 0);
  INFO(opened.reason);
  REQUIRE(opened);
  CHECK(opened.opened->serial == 1);
  CHECK(opened.opened->set.id == "library-demo");
  CHECK(opened.opened->set.version == 1);
  CHECK(got.log_note.find("serial 1") != std::string::npos);

  for (const char* held : {"\"1\"", "W/\"1\"", "\"0\", \"1\"", "*"}) {
    INFO(held);
    ApiRequest conditional{"", bearer, "", "127.0.0.1", held};
    ApiResponse same = rig.api.question_set(conditional);
    CHECK(same.status == 304);
    CHECK(same.body.empty());
    CHECK(same.etag == "\"1\"");
  }
  ApiResponse older = rig.api.question_set({"", bearer, "", "127.0.0.1", "\"0\""});
  CHECK(older.status == 200);
  CHECK(older.body == got.body);

  // Without a token, or with an unknown one: nothing is given away.
  CHECK(rig.api.question_set({"", "", "", "127.0.0.1"}).status == 401);
  CHECK(rig.api.question_set({"", "Bearer tp1.unknown", "", "127.0.0.1"}).status == 401);
  CHECK(rig.api.set_key({"", "", "", "127.0.0.1"}).status == 401);
}

TEST_CASE("question sets: storage failing gives 503 with Retry-After, never a refusal", "[server][sets][faults]") {
  Rig<InMemory> rig("api_sets_fault");
  rig.api.use_set_signing_key(make_set_signing_keys());
  std::string bearer = rig.enrol();
  rig.backend.store.fail = true;
  ApiResponse r = rig.api.question_set({"", bearer, "", "127.0.0.1"});
  CHECK(r.status == 503);
  CHECK(r.retry_after_s > 0);
}
