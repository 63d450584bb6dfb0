// SyncClient's rules with a scripted transport and an in-memory outbox: what
// it sends, when it marks answers sent, and which failures it gives up on.
// No sockets and no server; the credentials file is real, in a scratch folder.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "fakes/fake_transport.h"
#include "fakes/fakes.h"
#include "readback.h"
#include "signed_set.h"
#include "support.h"
#include "sync_client.h"

using namespace tp;
using tp::test::FakeTransport;
using tp::test::MemoryStore;

namespace {

const std::string kEnrol = "/api/v1/enrol";
const std::string kBatches = "/api/v1/batches";
const std::string kHeartbeat = "/api/v1/heartbeat";
const std::string kQuestionSet = "/api/v1/question-set";
const std::string kSetKey = "/api/v1/set-key";
const std::string kReadback = "/api/v1/readback";
const std::string kDevice = "kiosk-0123456789ab";

// What the server says when its storage fails (see Api::unavailable).
sync::HttpResult storage_failure(const char* doing) {
  return FakeTransport::error(503, "storage",
                              std::string("the server could not ") + doing + " just now; nothing was changed. Try again in 30 s", 30);
}

// The server's question-set key pair, made once for every test here.
const SetSigningKeys& server_keys() {
  static const SetSigningKeys keys = make_set_signing_keys();
  return keys;
}

sync::HttpResult working_server(const FakeTransport::Request& r) {
  if (r.path == kEnrol) return FakeTransport::enrolled(kDevice, "Central Library", encode_base64(server_keys().public_key));
  if (r.path == kQuestionSet) return FakeTransport::reply(204, "");  // no set published for the venue
  if (r.path == kBatches) return FakeTransport::acknowledge(r);
  if (r.path == kHeartbeat) return FakeTransport::reply(200, "{\"server_time\":1764500400}");
  return FakeTransport::error(404, "not_found", "no such endpoint: " + r.path);
}

// A kiosk folder: its outbox, its credentials file, and the server it talks to.
struct Kiosk {
  std::string dir;
  sync::SyncConfig config;
  MemoryStore store;
  FakeTransport transport;
  test::FixedStamps stamps;

  explicit Kiosk(const std::string& name) : dir(test::scratch_dir(name)) {
    config.server = "https://tenpoint.test";
    config.enrolment_code = "ABCD-EFGH-JKMN";
    config.kiosk_name = "desk";
    config.batch_max_answers = 2;
    transport.handler = working_server;
  }
  std::string credentials() const { return dir + "/device.json"; }
  std::string pending() const { return credentials() + ".pending"; }

  // A new client is what a new `tenpoint-sync --once` process starts with.
  sync::SyncClient client() { return sync::SyncClient(config, store, transport, credentials(), stamps, test::demo_set_path()); }
  sync::RoundResult round() { return client().round(); }

  // `n` answers of finished visits.
  void record(int n) {
    for (int i = 0; i < n; ++i) {
      Answer a;
      a.uuid = random_uuid();
      a.set_id = "library-demo";
      a.set_version = 1;
      a.question_id = "library";
      a.session_id = random_uuid();
      a.score = 7;
      a.language = "en";
      a.stamp = stamps.now();
      REQUIRE(store.commit(a));
      REQUIRE(store.close_session(a.session_id));
    }
  }
  std::set<std::int64_t> sent() const {
    std::set<std::int64_t> out;
    for (const auto& r : store.rows)
      if (r.sent_at) out.insert(r.seq);
    return out;
  }
  std::int64_t unsent() const {
    return std::count_if(store.rows.begin(), store.rows.end(), [](const MemoryStore::Row& r) { return !r.sent_at; });
  }
  // The sizes of the batches sent, in order.
  std::vector<std::size_t> batch_sizes() const {
    std::vector<std::size_t> out;
    for (const auto& r : transport.requests_to(kBatches)) out.push_back(FakeTransport::batch_of(r).answers.size());
    return out;
  }
};

int mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 0777);
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

// Words that would send someone to re-enrol a kiosk that only has to wait.
void check_no_reenrol_advice(const std::string& error) {
  INFO(error);
  CHECK(error.find("enrol again") == std::string::npos);
  CHECK(error.find("new enrolment") == std::string::npos);
  CHECK(error.find("new code") == std::string::npos);
  CHECK(error.find("refused") == std::string::npos);
}

// An outbox whose mark_sent can be made to fail, to see what happens to
// answers the server acknowledged but the kiosk could not mark.
class MarksCanFail final : public Outbox {
 public:
  explicit MarksCanFail(MemoryStore& inner) : inner_(inner) {}
  bool fail_marks = false;
  Result<std::vector<StoredAnswer>> unsent(int limit, std::int64_t after_seq) override { return inner_.unsent(limit, after_seq); }
  Status mark_sent(const std::vector<std::int64_t>& seqs, std::int64_t at) override {
    if (fail_marks) return Status::failure(Fault::storage_full, "Unable to mark answers sent: disk full (test)");
    return inner_.mark_sent(seqs, at);
  }
  Result<OutboxState> state() override { return inner_.state(); }
  Status record_sync_attempt(const std::string& server, std::int64_t at, const std::string& error) override {
    return inner_.record_sync_attempt(server, at, error);
  }

 private:
  MemoryStore& inner_;
};

}  // namespace

TEST_CASE("sync client: enrols, sends the backlog in batches, then reports a heartbeat", "[sync][client]") {
  Kiosk k("client_round");
  k.record(5);
  sync::RoundResult r = k.round();
  INFO(r.error);
  REQUIRE(r.ok);
  CHECK(r.sent == 5);
  CHECK(r.left == 0);
  CHECK(r.requests == 7);
  CHECK(k.transport.paths() == std::vector<std::string>{kEnrol, kBatches, kBatches, kBatches, kHeartbeat, kQuestionSet, kReadback});

  // Enrolment: no bearer token yet; the kiosk's own token travels in the body.
  const auto& enrol = k.transport.requests[0];
  CHECK(enrol.token.empty());
  CHECK_FALSE(enrol.gzip);
  wire::EnrolRequest e = FakeTransport::enrolment_of(enrol);
  CHECK(e.code == "ABCD-EFGH-JKMN");
  CHECK(e.kiosk_name == "desk");
  CHECK(e.token.rfind("tp1.", 0) == 0);
  CHECK(e.token.size() == 47);

  // Batches: gzip, the new token, the answers in kiosk order, each batch its own id.
  std::vector<std::int64_t> seqs;
  std::set<std::string> ids;
  for (const auto& req : k.transport.requests_to(kBatches)) {
    CHECK(req.gzip);
    CHECK(req.gzip_ok);
    CHECK(req.token == e.token);
    wire::Batch b = FakeTransport::batch_of(req);
    ids.insert(b.batch_id);
    for (const auto& a : b.answers) seqs.push_back(a.seq);
  }
  CHECK(seqs == std::vector<std::int64_t>{1, 2, 3, 4, 5});
  CHECK(ids.size() == 3);
  CHECK(k.batch_sizes() == std::vector<std::size_t>{2, 2, 1});

  // The heartbeat comes after the answers and says nothing is waiting.
  const auto hb_request = k.transport.requests_to(kHeartbeat).back();
  CHECK(hb_request.token == e.token);
  auto hb = std::get<wire::Heartbeat>(wire::decode_heartbeat(hb_request.body));
  CHECK(hb.answers_waiting == 0);
  CHECK(hb.set_id == "library-demo");
  CHECK(hb.app_version == TENPOINT_VERSION);

  // The credentials: the device id and token, readable by the kiosk's user only.
  REQUIRE(exists(k.credentials()));
  CHECK(mode_of(k.credentials()) == 0600);
  CHECK_FALSE(exists(k.pending()));
  std::string error;
  auto creds = sync::load_credentials(k.credentials(), &error);
  REQUIRE(creds);
  CHECK(creds->device_id == kDevice);
  CHECK(creds->token == e.token);
  CHECK(creds->venue == "Central Library");
  CHECK(creds->server == k.config.server);
  CHECK(k.store.sync.last_error.empty());
  CHECK(k.store.sync.last_success);

  // The next process finds device.json: no enrolment, nothing to send, one
  // heartbeat, and the question set asked for.
  k.transport.requests.clear();
  r = k.round();
  CHECK(r.ok);
  CHECK(k.transport.paths() == std::vector<std::string>{kHeartbeat, kQuestionSet, kReadback});
  CHECK(k.transport.requests[0].token == e.token);
  CHECK(k.transport.unscripted == 0);
}

TEST_CASE("sync client: answers are marked sent only after a 200 that acknowledges that very batch", "[sync][client]") {
  Kiosk k("client_ack");
  k.record(4);
  int batch_requests = 0;
  // The second batch gets the reply under test; the first is acknowledged properly.
  sync::HttpResult second_reply;
  SECTION("a reply for a different batch id") {
    second_reply = FakeTransport::reply(200, wire::encode(wire::BatchReply{"someone-elses-batch", 2, 2, 0, {}}));
  }
  SECTION("the right id with a different count") { second_reply = {}; }
  SECTION("a 200 whose body is not a batch reply") { second_reply = FakeTransport::reply(200, "<html>proxy login</html>"); }
  SECTION("a 500") { second_reply = FakeTransport::error(500, "internal", "the server failed on this request; it was not stored"); }
  SECTION("no reply at all") { second_reply = FakeTransport::no_reply("connection dropped during the request (test)"); }
  k.transport.handler = [&](const FakeTransport::Request& r) {
    if (r.path != kBatches || ++batch_requests == 1) return working_server(r);
    if (second_reply.reached || !second_reply.failure.empty()) return second_reply;
    // "the right id with a different count"
    wire::Batch b = FakeTransport::batch_of(r);
    return FakeTransport::reply(200, wire::encode(wire::BatchReply{b.batch_id, static_cast<std::int64_t>(b.answers.size()) - 1, 1, 0, {}}));
  };
  sync::RoundResult r = k.round();
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.permanent);
  CHECK(r.sent == 2);
  CHECK(r.left == 2);
  CHECK(k.sent() == std::set<std::int64_t>{1, 2});
  CHECK(k.transport.paths() == std::vector<std::string>{kEnrol, kBatches, kBatches});
  CHECK_FALSE(r.error.empty());
  CHECK(k.store.sync.last_error == r.error);

  // The next round sends the unacknowledged answers again, in the same order.
  k.transport.handler = working_server;
  k.transport.requests.clear();
  r = k.round();
  CHECK(r.ok);
  CHECK(k.unsent() == 0);
  REQUIRE(k.transport.requests_to(kBatches).size() == 1);
  auto resent = FakeTransport::batch_of(k.transport.requests_to(kBatches)[0]);
  REQUIRE(resent.answers.size() == 2);
  CHECK(resent.answers[0].seq == 3);
  CHECK(resent.answers[1].seq == 4);
}

TEST_CASE("sync client: a reply for a different batch marks nothing", "[sync][client]") {
  Kiosk k("client_other_batch");
  k.record(2);
  k.transport.handler = [](const FakeTransport::Request& r) {
    if (r.path != kBatches) return working_server(r);
    return FakeTransport::reply(200, wire::encode(wire::BatchReply{"another-batch", 2, 2, 0, {}}));
  };
  sync::RoundResult r = k.round();
  CHECK_FALSE(r.ok);
  CHECK(r.sent == 0);
  CHECK(r.left == 2);
  CHECK(k.sent().empty());
  CHECK(r.error.find("different batch") != std::string::npos);
}

TEST_CASE("sync client: a 413 halves the batch until the server takes it", "[sync][client]") {
  Kiosk k("client_413");
  k.config.batch_max_answers = 8;
  k.record(8);
  SECTION("the server takes two at a time") {
    k.transport.handler = [](const FakeTransport::Request& r) {
      if (r.path == kBatches && FakeTransport::batch_of(r).answers.size() > 2)
        return FakeTransport::error(413, "too_large", "the body is larger than the server accepts; send smaller batches");
      return working_server(r);
    };
    sync::RoundResult r = k.round();
    INFO(r.error);
    CHECK(r.ok);
    CHECK(r.sent == 8);
    CHECK(k.batch_sizes() == std::vector<std::size_t>{8, 4, 2, 2, 2, 2});
    CHECK(k.unsent() == 0);
  }
  SECTION("the server takes nothing: it stops at one answer, with the reason") {
    k.transport.handler = [](const FakeTransport::Request& r) {
      if (r.path == kBatches)
        return FakeTransport::error(413, "too_large", "the body is larger than the server accepts; send smaller batches");
      return working_server(r);
    };
    sync::RoundResult r = k.round();
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.permanent);
    CHECK(k.batch_sizes() == std::vector<std::size_t>{8, 4, 2, 1});
    CHECK(r.error.find("413") != std::string::npos);
    CHECK(k.sent().empty());
  }
}

TEST_CASE("sync client: a 429 with a short Retry-After waits and resends the same batch", "[sync][client]") {
  Kiosk k("client_429");
  k.record(3);
  int batch_requests = 0;
  k.transport.handler = [&](const FakeTransport::Request& r) {
    // One wait of 1 s: the shortest the protocol can ask for.
    if (r.path == kBatches && ++batch_requests == 1)
      return FakeTransport::error(429, "rate_limited", "too many requests; try again in 1 s", 1);
    return working_server(r);
  };
  sync::RoundResult r = k.round();
  INFO(r.error);
  CHECK(r.ok);
  CHECK(r.sent == 3);
  auto batches = k.transport.requests_to(kBatches);
  REQUIRE(batches.size() == 3);
  CHECK(FakeTransport::batch_of(batches[0]).batch_id == FakeTransport::batch_of(batches[1]).batch_id);
  CHECK(k.batch_sizes() == std::vector<std::size_t>{2, 2, 1});
}

TEST_CASE("sync client: a 429 asking for a long wait ends the round and passes the wait on", "[sync][client]") {
  // The daemon's back-off takes Retry-After as its floor; the round itself must not sleep that long.
  Kiosk k("client_429_long");
  k.record(3);
  int retry_after = GENERATE(0, 31, 120);
  k.transport.handler = [&](const FakeTransport::Request& r) {
    if (r.path == kBatches) return FakeTransport::error(429, "rate_limited", "too many requests", retry_after);
    return working_server(r);
  };
  sync::RoundResult r = k.round();
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.permanent);
  CHECK(r.retry_after_s == retry_after);
  CHECK(k.transport.requests_to(kBatches).size() == 1);
  CHECK(k.sent().empty());
}

TEST_CASE("sync client: 401 is permanent; the credentials stay for someone to look at", "[sync][client]") {
  Kiosk k("client_401");
  k.record(2);
  REQUIRE(k.round().ok);
  std::string credentials = test::read_file(k.credentials());
  k.record(2);
  std::string route = GENERATE(kBatches, kHeartbeat);
  k.transport.handler = [&](const FakeTransport::Request& r) {
    if (r.path == route) return FakeTransport::error(401, "revoked", "this kiosk's token was revoked: enrol it again with a new code");
    return working_server(r);
  };
  sync::RoundResult r = k.round();
  CHECK_FALSE(r.ok);
  CHECK(r.permanent);
  CHECK(r.error.find("401") != std::string::npos);
  CHECK(test::read_file(k.credentials()) == credentials);
  if (route == kBatches) CHECK(k.unsent() == 2);
}

TEST_CASE("sync client: a 503 during enrolment is not permanent, and the retry presents the same token", "[sync][client][enrol]") {
  Kiosk k("client_enrol_503");
  k.record(3);
  k.transport.handler = [](const FakeTransport::Request& r) {
    if (r.path == kEnrol) return storage_failure("enrol a kiosk");
    return working_server(r);
  };
  // Either the daemon tries again with the same client, or a new --once process does.
  bool same_process = GENERATE(true, false);
  INFO((same_process ? "the same process retries" : "a new process retries"));
  sync::SyncClient daemon = k.client();
  auto next_round = [&] { return same_process ? daemon.round() : k.round(); };

  std::string token;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    INFO("attempt " << attempt);
    sync::RoundResult r = next_round();
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.permanent);
    CHECK(r.retry_after_s == 30);
    CHECK(r.error.find("temporarily unavailable (503)") != std::string::npos);
    check_no_reenrol_advice(r.error);
    // The token made for this enrolment is kept, private, for the retry.
    REQUIRE(exists(k.pending()));
    CHECK(mode_of(k.pending()) == 0600);
    CHECK_FALSE(exists(k.credentials()));
    std::string sent = FakeTransport::enrolment_of(k.transport.requests.back()).token;
    if (token.empty()) token = sent;
    CHECK(sent == token);
    auto pending = sync::load_credentials(k.pending(), nullptr);
    REQUIRE(pending);
    CHECK(pending->token == token);
  }
  CHECK(k.transport.requests_to(kBatches).empty());
  CHECK(k.sent().empty());

  // The server is back: the same token is enrolled, and everything goes.
  k.transport.handler = working_server;
  sync::RoundResult r = next_round();
  INFO(r.error);
  CHECK(r.ok);
  CHECK(r.sent == 3);
  auto enrolments = k.transport.requests_to(kEnrol);
  REQUIRE(enrolments.size() == 4);
  for (const auto& e : enrolments) CHECK(FakeTransport::enrolment_of(e).token == token);
  auto creds = sync::load_credentials(k.credentials(), nullptr);
  REQUIRE(creds);
  CHECK(creds->token == token);
  CHECK(mode_of(k.credentials()) == 0600);
  CHECK_FALSE(exists(k.pending()));
  CHECK(k.transport.requests_to(kBatches).back().token == token);
}

TEST_CASE("sync client: enrolment refused (403) is permanent; no reply keeps the pending token", "[sync][client][enrol]") {
  Kiosk k("client_enrol_other");
  k.record(1);
  SECTION("403: the code is used up") {
    k.transport.handler = [](const FakeTransport::Request& r) {
      if (r.path == kEnrol) return FakeTransport::error(403, "code_used", "this enrolment code was used already; ask for a new one");
      return working_server(r);
    };
    sync::RoundResult r = k.round();
    CHECK_FALSE(r.ok);
    CHECK(r.permanent);
    CHECK(r.error.find("enrolment refused") != std::string::npos);
    CHECK_FALSE(exists(k.credentials()));
  }
  SECTION("no reply: the reply may have been lost after the server enrolled us") {
    k.transport.handler = [](const FakeTransport::Request& r) {
      if (r.path == kEnrol) return FakeTransport::no_reply("connection dropped during the request (test)");
      return working_server(r);
    };
    sync::RoundResult r = k.round();
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.permanent);
    CHECK(r.error == "connection dropped during the request (test)");
    REQUIRE(exists(k.pending()));
    std::string token = FakeTransport::enrolment_of(k.transport.requests.back()).token;
    k.transport.handler = working_server;
    REQUIRE(k.round().ok);
    CHECK(FakeTransport::enrolment_of(k.transport.requests_to(kEnrol).back()).token == token);
    CHECK(sync::load_credentials(k.credentials(), nullptr)->token == token);
  }
  SECTION("no code and no credentials: permanent, and says what to do") {
    k.config.enrolment_code.clear();
    sync::RoundResult r = k.round();
    CHECK_FALSE(r.ok);
    CHECK(r.permanent);
    CHECK(r.error.find("enrol-code") != std::string::npos);
    CHECK(k.transport.requests.empty());
  }
}

TEST_CASE("sync client: a 503 while storing a batch keeps device.json and is not permanent", "[sync][client]") {
  Kiosk k("client_ingest_503");
  k.record(2);
  REQUIRE(k.round().ok);
  std::string credentials = test::read_file(k.credentials());
  std::string token = sync::load_credentials(k.credentials(), nullptr)->token;
  k.record(3);
  k.transport.requests.clear();
  std::string route = GENERATE(kBatches, kHeartbeat);
  k.transport.handler = [&](const FakeTransport::Request& r) {
    if (r.path == route) return storage_failure(route == kBatches ? "store a batch" : "record a heartbeat");
    return working_server(r);
  };
  sync::RoundResult r = k.round();
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.permanent);
  CHECK(r.retry_after_s == 30);
  CHECK(r.error.find("temporarily unavailable (503)") != std::string::npos);
  check_no_reenrol_advice(r.error);
  CHECK(test::read_file(k.credentials()) == credentials);
  CHECK(k.transport.requests_to(kEnrol).empty());
  if (route == kBatches) CHECK(k.unsent() == 3);

  k.transport.handler = working_server;
  k.transport.requests.clear();
  r = k.round();
  INFO(r.error);
  CHECK(r.ok);
  CHECK(k.unsent() == 0);
  CHECK(k.transport.requests_to(kEnrol).empty());
  for (const auto& req : k.transport.requests) CHECK(req.token == token);
}

TEST_CASE("sync client: the outbox failing is reported, not a crash", "[sync][client][faults]") {
  Kiosk k("client_outbox_fails");
  k.record(2);
  REQUIRE(k.round().ok);
  k.record(2);
  k.transport.requests.clear();
  k.store.fail = true;
  sync::RoundResult r = k.round();
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.permanent);
  CHECK(r.error.find("disk full (test)") != std::string::npos);
  CHECK(r.left == -1);  // unknown: the outbox could not be read
  CHECK(k.transport.requests_to(kBatches).empty());
  k.store.fail = false;
  CHECK(k.unsent() == 2);
  r = k.round();
  CHECK(r.ok);
  CHECK(k.unsent() == 0);
}

TEST_CASE("sync client: answers acknowledged but not marked (disk full) are sent again next round", "[sync][client][faults]") {
  Kiosk k("client_marks_fail");
  k.record(4);
  MarksCanFail outbox(k.store);
  auto client = [&] { return sync::SyncClient(k.config, outbox, k.transport, k.credentials(), k.stamps, test::demo_set_path()); };
  outbox.fail_marks = true;
  sync::RoundResult r = client().round();
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("disk full (test)") != std::string::npos);
  CHECK(r.sent == 0);
  CHECK(k.unsent() == 4);
  outbox.fail_marks = false;
  k.transport.requests.clear();
  r = client().round();
  CHECK(r.ok);
  CHECK(r.sent == 4);
  // Batch [1, 2] goes again: the server counts it as a duplicate and keeps it once.
  REQUIRE_FALSE(k.transport.requests_to(kBatches).empty());
  CHECK(FakeTransport::batch_of(k.transport.requests_to(kBatches)[0]).answers.front().seq == 1);
}

TEST_CASE("sync client: no reply at all leaves everything unsent and says why", "[sync][client]") {
  Kiosk k("client_no_reply");
  k.record(2);
  REQUIRE(k.round().ok);
  k.record(3);
  k.transport.handler = [](const FakeTransport::Request&) { return FakeTransport::no_reply("server unreachable (connection refused)"); };
  sync::RoundResult r = k.round();
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.permanent);
  CHECK(r.error == "server unreachable (connection refused)");
  CHECK(r.left == 3);
  CHECK(k.unsent() == 3);
  CHECK(k.store.sync.last_error == "server unreachable (connection refused)");
  CHECK(exists(k.credentials()));
}

// [SECTION] Question sets after the heartbeat

TEST_CASE("sync client: a signed set is checked with the enrolment's key, then written; 304 keeps it; bad ones are refused",
          "[sync][client][sets]") {
  Kiosk k("client_sets");
  k.record(3);
  const std::string set_bytes = test::read_file(test::demo_set_path());
  auto signed_by = [&](const std::string& secret, std::int64_t serial) {
    auto file = sign_set(set_bytes, serial, secret);
    REQUIRE(file);
    return *file;
  };
  const std::string good = signed_by(server_keys().secret_key, 1);
  std::string next_reply = good;  // what GET /question-set answers with 200
  k.transport.handler = [&](const FakeTransport::Request& r) {
    if (r.path != kQuestionSet) return working_server(r);
    if (r.if_none_match == "\"1\"" && next_reply == good) return FakeTransport::reply(304, "");
    return FakeTransport::reply(200, next_reply);
  };
  const std::string key_file = k.dir + "/set-key.pub";
  const std::string set_file = k.dir + "/question-set.tpset";

  sync::RoundResult r = k.round();
  INFO(r.set_outcome);
  REQUIRE(r.ok);
  CHECK(r.sent == 3);
  // The key from the enrolment reply, readable by the kiosk's user (0644); the set as sent.
  CHECK(test::read_file(key_file) == encode_base64(server_keys().public_key) + "\n");
  CHECK(mode_of(key_file) == 0644);
  CHECK(test::read_file(set_file) == good);
  CHECK(r.set_outcome.find("delivered to " + set_file) != std::string::npos);
  CHECK(k.transport.requests_to(kQuestionSet).back().if_none_match.empty());

  // The next round names the serial it holds and gets 304: nothing is written.
  r = k.round();
  REQUIRE(r.ok);
  CHECK(k.transport.requests_to(kQuestionSet).back().if_none_match == "\"1\"");
  CHECK(k.transport.requests_to(kQuestionSet).back().method == "GET");
  CHECK(r.set_outcome == "question set unchanged (serial 1)");
  CHECK(test::read_file(set_file) == good);

  // Changed after signing, signed by another key, or older: refused, the file in place stays, the answers go.
  std::string tampered = signed_by(server_keys().secret_key, 2);
  tampered[tampered.find("\"set\": \"") + 20] ^= 1;
  SetSigningKeys other = make_set_signing_keys();
  struct Bad {
    std::string file;
    const char* kind;
  };
  for (const Bad& bad :
       {Bad{tampered, "(tampered)"}, Bad{signed_by(other.secret_key, 3), "(wrong_key)"}, Bad{"not a signed set", "(malformed)"}}) {
    INFO(bad.kind);
    next_reply = bad.file;
    k.record(1);
    r = k.round();
    CHECK(r.ok);
    CHECK(r.sent == 1);
    CHECK(r.set_outcome.find(std::string("refusing the question set from the server ") + bad.kind) != std::string::npos);
    CHECK(test::read_file(set_file) == good);
  }

  // The server unreachable for the set alone: the round's result is the answers'.
  k.transport.handler = [&](const FakeTransport::Request& r) {
    if (r.path == kQuestionSet) return FakeTransport::no_reply("connection dropped during the request");
    return working_server(r);
  };
  k.record(2);
  r = k.round();
  CHECK(r.ok);
  CHECK(r.sent == 2);
  CHECK(r.set_outcome == "question set not fetched: connection dropped during the request");
  CHECK(test::read_file(set_file) == good);
}

TEST_CASE("sync client: read-back cards are checked like a set: written when newer, 304 keeps them, older or altered refused",
          "[sync][client][readback]") {
  Kiosk k("client_readback");
  k.record(2);
  Readback doc;
  doc.venue = "Central Library";
  ReadbackCard card;
  card.id = "1";
  card.language = "en";
  card.from = "2026-12-01";
  card.until = "2026-12-31";
  card.texts["en"] = CardText{{"More seats, please."}, "did", "We added ten chairs."};
  doc.cards.push_back(card);
  auto signed_cards = [&](std::int64_t serial, const std::string& secret) {
    auto file = sign_readback(write_readback(doc), serial, secret);
    REQUIRE(file);
    return *file;
  };
  const std::string newest = signed_cards(5, server_keys().secret_key);
  std::string next_reply = newest;
  int status = 200;
  k.transport.handler = [&](const FakeTransport::Request& r) {
    if (r.path != kReadback) return working_server(r);
    if (status != 200) return FakeTransport::reply(status, "");
    if (r.if_none_match == "\"5\"" && next_reply == newest) return FakeTransport::reply(304, "");
    return FakeTransport::reply(200, next_reply);
  };
  const std::string cards_file = k.dir + "/readback.tpcards";

  // A venue with no cards: nothing written, nothing said.
  status = 204;
  sync::RoundResult r = k.round();
  REQUIRE(r.ok);
  CHECK(r.readback_outcome.empty());
  CHECK_FALSE(std::filesystem::exists(cards_file));

  status = 200;
  r = k.round();
  REQUIRE(r.ok);
  CHECK(test::read_file(cards_file) == newest);
  CHECK(r.readback_outcome.find("1 read-back card(s) (serial 5) delivered to " + cards_file) != std::string::npos);
  CHECK(k.transport.requests_to(kReadback).back().if_none_match.empty());

  r = k.round();
  CHECK(k.transport.requests_to(kReadback).back().if_none_match == "\"5\"");
  CHECK(r.readback_outcome == "read-back cards unchanged (serial 5)");

  std::string tampered = signed_cards(6, server_keys().secret_key);
  tampered[tampered.find("\"cards\": \"") + 20] ^= 1;
  struct Bad {
    std::string file;
    const char* kind;
  };
  for (const Bad& bad : {Bad{signed_cards(4, server_keys().secret_key), "(not_newer)"}, Bad{tampered, "(tampered)"},
                         Bad{signed_cards(7, make_set_signing_keys().secret_key), "(wrong_key)"}}) {
    INFO(bad.kind);
    next_reply = bad.file;
    k.record(1);
    r = k.round();
    CHECK(r.ok);  // the answers' round stands
    CHECK(r.sent == 1);
    CHECK(r.readback_outcome.find(std::string("refusing the read-back cards from the server ") + bad.kind) != std::string::npos);
    CHECK(test::read_file(cards_file) == newest);
  }
  // A newer file replaces it; cards withdrawn arrive as an empty, newer file.
  doc.cards.clear();
  next_reply = signed_cards(8, server_keys().secret_key);
  r = k.round();
  CHECK(test::read_file(cards_file) == next_reply);
  CHECK(r.readback_outcome.find("0 read-back card(s) (serial 8)") != std::string::npos);
  const std::string central = next_reply;
  // Signed and newer, but another venue's: refused.
  doc.venue = "North Branch";
  next_reply = signed_cards(9, server_keys().secret_key);
  r = k.round();
  CHECK(r.readback_outcome == "refusing the read-back cards from the server: they are for North Branch, this kiosk is at Central Library");
  CHECK(test::read_file(cards_file) == central);
  // No cards for the venue (the kiosk enrolled elsewhere since): the files go.
  status = 204;
  r = k.round();
  CHECK(r.readback_outcome == "read-back cards removed: none are published for this venue");
  CHECK_FALSE(std::filesystem::exists(cards_file));
}

TEST_CASE("sync client: a kiosk enrolled without a set key asks for it once over its token", "[sync][client][sets]") {
  Kiosk k("client_set_key");
  k.transport.handler = [](const FakeTransport::Request& r) {
    if (r.path == kEnrol) return FakeTransport::enrolled(kDevice, "Central Library");  // a server from before signed sets
    if (r.path == kSetKey) return FakeTransport::reply(200, "{\"set_key\":\"" + encode_base64(server_keys().public_key) + "\"}");
    return working_server(r);
  };
  sync::RoundResult r = k.round();
  REQUIRE(r.ok);
  CHECK(k.transport.paths() == std::vector<std::string>{kEnrol, kHeartbeat, kSetKey, kQuestionSet, kReadback});
  CHECK(k.transport.requests_to(kSetKey).front().token == FakeTransport::enrolment_of(k.transport.requests[0]).token);
  CHECK(test::read_file(k.dir + "/set-key.pub") == encode_base64(server_keys().public_key) + "\n");
  k.transport.requests.clear();
  r = k.round();
  CHECK(k.transport.paths() == std::vector<std::string>{kHeartbeat, kQuestionSet, kReadback});

  // A set-key.pub someone damaged is reported, never replaced by what a server says.
  test::write_file(k.dir + "/set-key.pub", "not a key\n");
  k.transport.requests.clear();
  r = k.round();
  CHECK(r.ok);
  CHECK(k.transport.paths() == std::vector<std::string>{kHeartbeat});
  CHECK(r.set_outcome.find("does not hold the base64 of a 32-byte Ed25519 public key") != std::string::npos);
  CHECK(test::read_file(k.dir + "/set-key.pub") == "not a key\n");
}
