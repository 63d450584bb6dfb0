// Sync end to end: real tenpoint-server over real TLS, real tenpoint-sync
// processes, a kiosk database made by `tenpoint simulate`.
#include <signal.h>
#include <sys/stat.h>

#include <random>
#include <thread>

#include "cluster.h"
#include "fault_proxy.h"
#include "signed_set.h"

using namespace tp::test;
using namespace std::chrono_literals;

TEST_CASE("end to end: the server holds exactly the kiosk's answers", "[sync][e2e]") {
  Cluster c("sync_e2e");
  c.start_server();
  std::string kiosk = c.kiosk("kiosk");
  Cluster::simulate(kiosk, 3000);
  std::string out;
  REQUIRE(Cluster::sync_once(kiosk, out) == 0);
  CHECK(out.find("all sent (3000 this round, ") != std::string::npos);
  auto sent = uuids_in(Cluster::kiosk_db(kiosk));
  CHECK(sent.size() == 3000);
  CHECK(uuids_in(c.server_db()) == sent);
  CHECK(scalar_in(Cluster::kiosk_db(kiosk), "SELECT count(*) FROM answers WHERE sent_at IS NULL") == 0);
  // A round with nothing to send is one heartbeat, the question set and the read-back cards asked for, and says so.
  REQUIRE(Cluster::sync_once(kiosk, out) == 0);
  CHECK(out.find("all sent (0 this round, 3 requests, ") != std::string::npos);
  // The admin's views.
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "status", "--data", c.server_data()}, out) == 0);
  CHECK(out.find("Central Library") != std::string::npos);
  CHECK(out.find("3000") != std::string::npos);
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "stats", "--data", c.server_data(), "--json"}, out) == 0);
  CHECK(out.find("\"total_answers\":3000") != std::string::npos);
  c.server->signal(SIGTERM);
  CHECK(c.server->wait(10s) == 0);
}

TEST_CASE("TLS: wrong names, expired, unpinned self-signed and wrong pins are refused with a clear message", "[sync][tls]") {
  Cluster c("sync_tls");
  std::string out;
  struct Case {
    const char* name;
    CertFiles cert;
    std::string extra;
    const char* expect;
  };
  CertFiles wrong_name = c.pki.server_cert("other", {"other.example"}, {});
  CertFiles expired = c.pki.server_cert("expired", {"localhost"}, {"127.0.0.1"}, -86400 * 10, -86400);
  CertFiles self = c.pki.self_signed("self", {"127.0.0.1"});
  CertFiles good = c.cert;
  std::string other_pin = TestPki::pin_of(wrong_name.cert);
  std::vector<Case> cases = {
      {"wrong host name", wrong_name, "", "server certificate refused"},
      {"expired", expired, "", "certificate has expired"},
      {"self-signed, not trusted", self, "", "self-signed certificate"},
      {"wrong pin", good, ", \"pinned_public_key\": \"" + other_pin + "\"", "does not match sync.pinned_public_key"},
  };
  for (auto& k : cases) {
    INFO(k.name);
    c.start_server(k.cert);
    std::string kiosk = c.kiosk(std::string("kiosk-") + std::to_string(c.starts), k.extra);
    Cluster::simulate(kiosk, 10);
    CHECK(Cluster::sync_once(kiosk, out) == 1);
    CHECK(out.find(k.expect) != std::string::npos);
    CHECK(out.find("10 answers left unsent") != std::string::npos);
    CHECK(scalar_in(Cluster::kiosk_db(kiosk), "SELECT count(*) FROM answers WHERE sent_at IS NOT NULL") == 0);
    c.server->signal(SIGKILL);
    c.server->wait();
  }
  // The right pin works (positive control), as does the name check with the right certificate.
  c.start_server(good);
  std::string pinned = c.kiosk("kiosk-pinned", ", \"pinned_public_key\": \"" + TestPki::pin_of(good.cert) + "\"");
  Cluster::simulate(pinned, 10);
  CHECK(Cluster::sync_once(pinned, out) == 0);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM answers") == 10);
}

TEST_CASE("a revoked kiosk gets a clear message and nothing is marked sent", "[sync][e2e]") {
  Cluster c("sync_revoked");
  c.start_server();
  std::string kiosk = c.kiosk("kiosk");
  Cluster::simulate(kiosk, 50, 1);
  std::string out;
  REQUIRE(Cluster::sync_once(kiosk, out) == 0);
  std::string device = out.substr(out.find("enrolled as ") + 12, 18);
  REQUIRE(run_command({TENPOINT_SERVER_PATH, "revoke", "--data", c.server_data(), device}, out) == 0);
  Cluster::simulate(kiosk, 20, 2);
  CHECK(Cluster::sync_once(kiosk, out) == 1);
  CHECK(out.find("20 answers left unsent: server answered 401: this kiosk's token was revoked") != std::string::npos);
  CHECK(scalar_in(Cluster::kiosk_db(kiosk), "SELECT count(*) FROM answers WHERE sent_at IS NULL") == 20);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM answers") == 50);
}

TEST_CASE("the server unreachable: answers wait, the reason is recorded for the staff menu", "[sync][e2e]") {
  Cluster c("sync_unreachable");
  c.start_server();
  std::string kiosk = c.kiosk("kiosk");
  c.server->signal(SIGKILL);
  c.server->wait();
  Cluster::simulate(kiosk, 30);
  std::string out;
  CHECK(Cluster::sync_once(kiosk, out) == 1);
  CHECK(out.find("30 answers left unsent: server unreachable (connection refused)") != std::string::npos);
  std::string db = Cluster::kiosk_db(kiosk);
  CHECK(uuids_in(db, "SELECT last_error FROM sync_state") == std::set<std::string>{"server unreachable (connection refused)"});
  c.start_server();
  CHECK(Cluster::sync_once(kiosk, out) == 0);
}

TEST_CASE("crash safety: sync and server killed at random moments while answers keep arriving, no loss, no duplicates",
          "[sync][crash][slow]") {
  // Each round starts tenpoint-sync, lets it work for a few milliseconds and
  // kills it (and, three times in four, the server). New answers are added
  // after each round so that the backlog always stays ahead of what one round
  // can send, whatever this machine's speed: every kill lands while answers
  // remain. A round counts as "mid-transfer" when the kill found answers
  // still waiting and the round had sent some: the assertion is on those.
  // On a slow or busy machine a short window may end before the first batch
  // (start-up and the TLS handshake); such a round widens the window.
  Cluster c("sync_crash");
  c.start_server();
  std::string kiosk = c.kiosk("kiosk", ", \"batch_max_answers\": 10, \"interval_s\": 1, \"backoff_cap_s\": 1");
  std::string db = Cluster::kiosk_db(kiosk);
  Cluster::simulate(kiosk, 2000, 7);
  std::mt19937 rng(20261130);
  int window_max_ms = 60;
  std::uniform_int_distribution<int> victim(0, 3);
  const int kRounds = 150;
  int server_kills = 0, sync_kills = 0, mid_transfer = 0, seed = 100;
  long long most_in_a_round = 0;
  for (int round = 0; round < kRounds; ++round) {
    if (!c.server || !c.server->running()) c.start_server();
    long long waiting_before = scalar_in(db, "SELECT count(*) FROM answers WHERE sent_at IS NULL");
    Process sync({TENPOINT_SYNC_PATH, "--config", kiosk}, c.dir + "/sync.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(window_max_ms / 12, window_max_ms)(rng)));
    int v = victim(rng);
    if (v != 1) {  // the sync process, three times in four
      sync.signal(SIGKILL);
      ++sync_kills;
    }
    if (v >= 1) {  // the server, three times in four
      c.server->signal(SIGKILL);
      c.server->wait();
      ++server_kills;
    }
    sync.signal(SIGKILL);
    sync.wait();
    long long waiting_after = scalar_in(db, "SELECT count(*) FROM answers WHERE sent_at IS NULL");
    long long sent = waiting_before - waiting_after;
    most_in_a_round = std::max(most_in_a_round, sent);
    if (sent > 0 && waiting_after > 0) ++mid_transfer;
    if (sent == 0)
      window_max_ms = std::min(window_max_ms * 3 / 2, 5000);
    else
      window_max_ms = std::max(window_max_ms * 9 / 10, 60);
    // Keep the backlog at least twice the most any round has sent.
    long long want = 2 * std::max(most_in_a_round, 200LL);
    if (waiting_after < want) Cluster::simulate(kiosk, static_cast<int>(want - waiting_after), ++seed);
  }
  INFO(kRounds << " rounds, " << mid_transfer << " killed mid-transfer (window up to " << window_max_ms << " ms), " << sync_kills
               << " sync kills, " << server_kills << " server kills, at most " << most_in_a_round << " answers sent in one round");
  CHECK(mid_transfer >= kRounds / 3);  // the upload really was cut short, many times
  if (!c.server || !c.server->running()) c.start_server();
  std::string out;
  int code = 1;
  for (int i = 0; i < 5 && code != 0; ++i) code = Cluster::sync_once(kiosk, out);
  REQUIRE(code == 0);
  auto kiosk_set = uuids_in(db);
  auto server_set = uuids_in(c.server_db());
  CHECK(kiosk_set.size() >= 2000);
  CHECK(server_set == kiosk_set);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM answers") == static_cast<long long>(kiosk_set.size()));
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM quarantine") == 0);
  CHECK(scalar_in(db, "SELECT count(*) FROM answers WHERE sent_at IS NULL") == 0);
  // Some batches were committed by the server but their acknowledgement never arrived: resent, stored once.
  CHECK(scalar_in(c.server_db(), "SELECT sum(duplicates) FROM batches") > 0);
  CHECK(uuids_in(c.server_db(), "PRAGMA integrity_check") == std::set<std::string>{"ok"});
}

TEST_CASE("network faults: drops, delays and cuts in both directions, still exactly once", "[sync][faults][slow]") {
  Cluster c("sync_faults");
  c.start_server();
  FaultProxy::Policy policy;
  // Every connection that is not refused dies somewhere within 3 KB, so the
  // upload needs many of them, and some cuts fall after the server committed.
  policy.drop = 0.1;
  policy.delay = 0.2;
  policy.cut = 1.0;
  policy.cut_bytes_max = 3000;
  FaultProxy proxy(c.port, policy, 7);
  std::string kiosk = c.kiosk("kiosk", ", \"batch_max_answers\": 20, \"connect_timeout_s\": 2, \"total_timeout_s\": 5",
                              "https://127.0.0.1:" + std::to_string(proxy.port()));
  Cluster::simulate(kiosk, 5000, 3);
  std::string out;
  int rounds = 0;
  while (rounds < 400 && Cluster::sync_once(kiosk, out) != 0) ++rounds;
  auto counts = proxy.counts();
  INFO(rounds << " failed rounds; proxy: " << counts.connections << " connections, " << counts.dropped << " dropped, " << counts.delayed
              << " delayed, " << counts.cut_to_server << " cut towards the server, " << counts.cut_to_client << " cut towards the kiosk");
  CHECK(rounds > 5);
  CHECK(counts.cut_to_client > 0);
  CHECK(uuids_in(c.server_db()) == uuids_in(Cluster::kiosk_db(kiosk)));
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM answers") == 5000);
  CHECK(scalar_in(c.server_db(), "SELECT count(*) FROM quarantine") == 0);
  CHECK(scalar_in(c.server_db(), "SELECT sum(duplicates) FROM batches") > 0);
}

TEST_CASE("question sets end to end: signed on the server, checked and written by tenpoint-sync, then 304; a tampered file is refused",
          "[sync][e2e][sets]") {
  Cluster c("sync_sets");
  c.start_server();
  std::string out;
  for (std::vector<std::string> args : {std::vector<std::string>{"add", demo_set_path()},
                                        {"publish", "library-demo"},
                                        {"assign", "library-demo", "--venue", "Central Library"}}) {
    std::vector<std::string> argv = {TENPOINT_SERVER_PATH, "sets"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data", c.server_data()});
    REQUIRE(run_command(argv, out) == 0);
  }
  // The signing key: made at the server's start, private.
  struct stat key_stat {};
  REQUIRE(::stat((c.server_data() + "/set-signing.key").c_str(), &key_stat) == 0);
  CHECK((key_stat.st_mode & 0777) == 0600);

  std::string kiosk = c.kiosk("kiosk");
  std::string kdir = std::filesystem::path(kiosk).parent_path().string();
  Cluster::simulate(kiosk, 20);
  REQUIRE(Cluster::sync_once(kiosk, out) == 0);
  INFO(out);
  CHECK(out.find("all sent (20 this round, ") != std::string::npos);
  CHECK(out.find("question set library-demo v1 (serial 1) delivered to " + kdir + "/question-set.tpset") != std::string::npos);
  struct stat key_file {};
  struct stat first {};
  struct stat second {};
  REQUIRE(::stat((kdir + "/set-key.pub").c_str(), &key_file) == 0);
  CHECK((key_file.st_mode & 0777) == 0644);
  auto key = tp::decode_set_public_key(read_file(kdir + "/set-key.pub"));
  REQUIRE(key);
  std::string delivered = read_file(kdir + "/question-set.tpset");
  tp::OpenedSignedSet opened = tp::open_signed_set(delivered, *key, 0);  // as the kiosk opens it
  INFO(opened.reason);
  REQUIRE(opened);
  CHECK(opened.opened->serial == 1);
  CHECK(opened.opened->set.id == "library-demo");
  REQUIRE(::stat((kdir + "/question-set.tpset").c_str(), &first) == 0);

  // The next round holds serial 1: 304, no body, the file untouched.
  REQUIRE(Cluster::sync_once(kiosk, out) == 0);
  CHECK(out.find("question set unchanged (serial 1)") != std::string::npos);
  REQUIRE(::stat((kdir + "/question-set.tpset").c_str(), &second) == 0);
  CHECK(second.st_ino == first.st_ino);
  CHECK(second.st_mtim.tv_sec == first.st_mtim.tv_sec);
  CHECK(second.st_mtim.tv_nsec == first.st_mtim.tv_nsec);
  CHECK(read_file(kdir + "/question-set.tpset") == delivered);
  std::string log = read_file(c.dir + "/server-1.log");
  CHECK(log.find("GET /api/v1/question-set 200") != std::string::npos);
  CHECK(log.find("GET /api/v1/question-set 304") != std::string::npos);

  // The server's stored file changed after signing: a second kiosk of the venue refuses it and writes nothing.
  std::string sql = "UPDATE set_deliveries SET signed_file = replace(signed_file, '\"set\": \"ewog', '\"set\": \"eWog')";
  REQUIRE(run_command({"/usr/bin/sqlite3", "-cmd", ".timeout 5000", c.server_db(), sql}, out) == 0);
  REQUIRE(scalar_in(c.server_db(), "SELECT count(*) FROM set_deliveries WHERE signed_file LIKE '%\"set\": \"eWog%'") == 1);
  std::string other = c.kiosk("other");
  std::string odir = std::filesystem::path(other).parent_path().string();
  Cluster::simulate(other, 5, 2);
  REQUIRE(Cluster::sync_once(other, out) == 0);  // the answers went: the set does not change the round's result
  CHECK(out.find("refusing the question set from the server (tampered)") != std::string::npos);
  CHECK(std::filesystem::exists(odir + "/set-key.pub"));
  CHECK_FALSE(std::filesystem::exists(odir + "/question-set.tpset"));
  c.server->signal(SIGTERM);
  CHECK(c.server->wait(10s) == 0);
}
