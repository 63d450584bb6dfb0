// The server's rules through its route functions and a real SQLite file (no sockets).
#include <catch2/catch.hpp>

#include "api.h"
#include "gzip.h"
#include "secrets.h"
#include "sqlite_server_store.h"
#include "support.h"

using namespace tp;
using namespace tp::server;

namespace {

struct Rig {
  std::string dir;
  SqliteServerStore store;
  double now = 1764500400;
  Api api;
  explicit Rig(const std::string& name, ApiOptions options = {})
      : dir(test::scratch_dir(name)), store(dir + "/server.db"), api(store, options, [this] { return now; }) {}

  std::string code(const std::string& venue = "Central Library") {
    std::string c = new_enrol_code();
    REQUIRE(store.add_enrol_code(venue, secret_hash(normalise_code(c)), static_cast<std::int64_t>(now) + 86400));
    return c;
  }
  // Enrols and returns the bearer header for the token.
  std::string enrol(const std::string& token = "tp1.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ") {
    ApiResponse r = api.enrol({wire::encode(wire::EnrolRequest{code(), "desk", token}), "", "", "127.0.0.1"});
    REQUIRE(r.status == 200);
    return "Bearer " + token;
  }
};

StoredAnswer answer(int i, int score = 5) {
  StoredAnswer s;
  s.seq = i;
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", i);
  s.answer.uuid = uuid;
  s.answer.set_id = "library-demo";
  s.answer.set_version = 1;
  s.answer.question_id = "library";
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

}  // namespace

TEST_CASE("enrolment: a code works once; the same kiosk retrying gets the same device", "[server]") {
  Rig rig("api_enrol");
  std::string c = rig.code();
  std::string token = "tp1.0123456789012345678901234567890123456789abc";
  auto first = rig.api.enrol({wire::encode(wire::EnrolRequest{c, "desk", token}), "", "", "a"});
  REQUIRE(first.status == 200);
  auto again = rig.api.enrol({wire::encode(wire::EnrolRequest{c, "desk", token}), "", "", "a"});
  REQUIRE(again.status == 200);
  CHECK(std::get<wire::EnrolReply>(wire::decode_enrol_reply(first.body)).device_id ==
        std::get<wire::EnrolReply>(wire::decode_enrol_reply(again.body)).device_id);
  auto thief = rig.api.enrol({wire::encode(wire::EnrolRequest{c, "x", "tp1.9999999999999999999999999999999999999999999"}), "", "", "b"});
  CHECK(thief.status == 403);
  CHECK(thief.body.find("code_used") != std::string::npos);
  auto unknown = rig.api.enrol({wire::encode(wire::EnrolRequest{"AAAA-BBBB-CCCC", "x", token}), "", "", "c"});
  CHECK(unknown.status == 403);
  CHECK(rig.store.devices()->size() == 1);
  // Codes are typed by people: case and dashes do not matter.
  std::string c2 = rig.code();
  std::string sloppy = c2;
  for (auto& ch : sloppy) ch = static_cast<char>(std::tolower(ch));
  sloppy.erase(std::remove(sloppy.begin(), sloppy.end(), '-'), sloppy.end());
  CHECK(rig.api.enrol({wire::encode(wire::EnrolRequest{sloppy, "y", "tp1.8888888888888888888888888888888888888888888"}), "", "", "d"}).status == 200);
}

TEST_CASE("expired codes are refused", "[server]") {
  Rig rig("api_expired");
  std::string c = rig.code();
  rig.now += 2 * 86400;
  auto r = rig.api.enrol({wire::encode(wire::EnrolRequest{c, "x", "tp1.7777777777777777777777777777777777777777777"}), "", "", "a"});
  CHECK(r.status == 403);
  CHECK(r.body.find("code_expired") != std::string::npos);
}

TEST_CASE("a resent batch is acknowledged again and stored once; a conflict is quarantined", "[server]") {
  Rig rig("api_ingest");
  std::string auth = rig.enrol();
  wire::Batch b{"b1", {answer(1), answer(2), answer(3)}};
  auto first = reply_of(rig.api.batches({wire::encode(b), auth, "", "a"}));
  CHECK(first.stored == 3);
  auto resend = reply_of(rig.api.batches({gzip_compress(wire::encode(b)), auth, "gzip", "a"}));
  CHECK(resend.stored == 0);
  CHECK(resend.duplicates == 3);
  wire::Batch conflict{"b2", {answer(2, 9), answer(4)}};
  auto c = reply_of(rig.api.batches({wire::encode(conflict), auth, "", "a"}));
  CHECK(c.stored == 1);
  CHECK(c.quarantined == std::vector<std::string>{answer(2).answer.uuid});
  auto devices = *rig.store.devices();
  REQUIRE(devices.size() == 1);
  CHECK(devices[0].answers_received == 4);
  CHECK(devices[0].quarantined == 1);
}

TEST_CASE("tokens: missing, unknown and revoked are refused and nothing is stored", "[server]") {
  Rig rig("api_tokens");
  std::string body = wire::encode(wire::Batch{"b", {answer(1)}});
  CHECK(rig.api.batches({body, "", "", "a"}).status == 401);
  CHECK(rig.api.batches({body, "Bearer tp1.nope", "", "a"}).status == 401);
  std::string auth = rig.enrol();
  REQUIRE(*rig.store.revoke((*rig.store.devices())[0].id, 1));
  auto r = rig.api.batches({body, auth, "", "a"});
  CHECK(r.status == 401);
  CHECK(r.body.find("revoked") != std::string::npos);
  CHECK(rig.store.answer_counts()->empty());
}

TEST_CASE("bad bodies get 400 with the reason; odd encodings 415", "[server][hostile]") {
  Rig rig("api_bad");
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
}

TEST_CASE("too many requests from one kiosk get 429 with a wait", "[server]") {
  ApiOptions tight;
  tight.device_requests_per_s = 1;
  tight.device_burst = 3;
  Rig rig("api_rate", tight);
  std::string auth = rig.enrol();
  std::string hb = wire::encode(wire::Heartbeat{"0.1.0", "s", 1, 0, std::nullopt, 1, {true, 1, "boot", 1}});
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

TEST_CASE("clocks: untrusted times are placed once the kiosk reports a trusted clock", "[server][clock]") {
  Rig rig("api_clock");
  std::string auth = rig.enrol();
  // Booted in 1970 (no RTC): the answer's wall time is nonsense, but it is 60 s after boot.
  StoredAnswer early = answer(1);
  early.answer.stamp = {900, false, "boot-7", 60000};
  REQUIRE(reply_of(rig.api.batches({wire::encode(wire::Batch{"b", {early}}), auth, "", "a"})).stored == 1);
  // Later the clock is set by NTP: at 600 s after boot it is 1764500400.
  wire::Heartbeat hb{"0.1.0", "s", 1, 0, std::nullopt, 1, {true, 1764500400, "boot-7", 600000}};
  REQUIRE(rig.api.heartbeat({wire::encode(hb), auth, "", "a"}).status == 200);
  // An answer of the same boot arriving after that is placed at once.
  StoredAnswer late = answer(2);
  late.answer.stamp = {1000, false, "boot-7", 300000};
  REQUIRE(reply_of(rig.api.batches({wire::encode(wire::Batch{"b2", {late}}), auth, "", "a"})).stored == 1);
  std::string out;
  REQUIRE(std::system(("sqlite3 " + rig.dir + "/server.db 'SELECT seq, corrected_at FROM answers ORDER BY seq' > " + rig.dir + "/c.txt").c_str()) == 0);
  CHECK(test::read_file(rig.dir + "/c.txt") == "1|" + std::to_string(1764500400 - 540) + "\n2|" + std::to_string(1764500400 - 300) + "\n");
}
