// The server store's rules, against both backends: SQLite in a scratch file,
// and PostgreSQL 15 in a throwaway cluster (one per test process, a fresh
// database per test case). The PostgreSQL-only cases play several servers on
// one database, a database that stops, and a statement stuck behind a lock.
//
// Without PostgreSQL, a run that selects any PostgreSQL case exits with 77
// before running anything: ctest reports it skipped (SKIP_RETURN_CODE), never
// passed. ctest runs one case per process, so the SQLite cases still run.
#define CATCH_CONFIG_RUNNER
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "pg_connection.h"
#include "pg_migrations.h"
#include "pg_server_store.h"
#include "postgres.h"
#include "postgres_main.h"
#include "question_set.h"
#include "secrets.h"
#include "sqlite_server_store.h"
#include "support.h"

using namespace tp;
using namespace tp::server;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kNow = 1764500400;  // 2025-11-30 11:00 UTC
constexpr std::int64_t kDay = 86400;       // s

std::unique_ptr<test::PostgresCluster> g_cluster;  // started by the first case that needs it

test::PostgresCluster& cluster() {
  if (!g_cluster) g_cluster = std::make_unique<test::PostgresCluster>();
  return *g_cluster;
}

// Unique within this process and across processes ctest runs side by side.
std::string unique_name(const char* prefix) {
  static int serial = 0;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(++serial);
}

std::string fresh_database() { return cluster().create_database(unique_name("t")); }

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
  s.answer.stamp = {kNow, true, "boot", 1000};
  return s;
}

std::vector<StoredAnswer> answers(int from, int to, int score = 5) {
  std::vector<StoredAnswer> out;
  for (int i = from; i < to; ++i) out.push_back(answer(i, score));
  return out;
}

wire::Batch batch(std::vector<StoredAnswer> answers) {
  static int serial = 0;
  return wire::Batch{"b" + std::to_string(++serial), std::move(answers)};
}

// A code as the API looks it up, when the store holds it under `hash`, keyed.
// Its plain hash matches nothing.
CodeHashes keyed(const std::string& hash) { return {hash, "plain-" + hash}; }
// A code from before keyed hashes, held under its plain `hash`.
CodeHashes unkeyed(const std::string& hash) { return {"keyed-" + hash, hash}; }

// Adds a code and enrols a kiosk with it; the token's hash names the device.
std::string enrol(ServerStore& store, const std::string& token_hash, const std::string& venue = "Central Library") {
  std::string code = "code-" + token_hash;
  REQUIRE(store.add_enrol_code(venue, code, kNow + kDay));
  auto out = store.enrol(keyed(code), "dev-" + token_hash, token_hash, "desk", kNow);
  REQUIRE(out);
  REQUIRE(out->kind == EnrolOutcome::enrolled);
  return out->device_id;
}

std::int64_t total_answers(ServerStore& store) {
  auto counts = store.answer_counts();
  REQUIRE(counts);
  std::int64_t total = 0;
  for (const auto& row : *counts) total += row.answers;
  return total;
}

const DeviceStatus& find_device(const std::vector<DeviceStatus>& devices, const std::string& id) {
  auto it = std::find_if(devices.begin(), devices.end(), [&](const DeviceStatus& d) { return d.id == id; });
  REQUIRE(it != devices.end());
  return *it;
}

// The first column of the first row, as text ("" for none).
std::string sqlite_text(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

// A database as a server from before keyed code hashes left it (schema 2)
// holds these two unused codes under their plain hashes, at "Old Library".
const std::string kOldCode = "ABCD-EFGH-JKMN", kLostOldCode = "WXYZ-2345-6789";

// What such a database must still do after the upgrade.
void check_codes_from_before_keyed_hashes(ServerStore& store) {
  CodeKey key = CodeKey::generate();
  auto lost = store.revoke_enrol_code(code_hashes(key, kLostOldCode), kNow);
  REQUIRE(lost);
  CHECK(*lost);
  auto refused = store.enrol(code_hashes(key, kLostOldCode), "dev-lost", "token-lost", "desk", kNow);
  REQUIRE(refused);
  CHECK(refused->kind == EnrolOutcome::revoked_code);

  auto enrolled = store.enrol(code_hashes(key, "abcd efgh jkmn"), "dev-old", "token-old", "desk", kNow);
  REQUIRE(enrolled);
  CHECK(enrolled->kind == EnrolOutcome::enrolled);
  CHECK(enrolled->device_id == "dev-old");
  CHECK(enrolled->venue == "Old Library");
  auto retry = store.enrol(code_hashes(key, kOldCode), "dev-retry", "token-old", "desk", kNow + 60);
  REQUIRE(retry);
  CHECK(retry->device_id == "dev-old");
  auto thief = store.enrol(code_hashes(key, kOldCode), "dev-thief", "token-thief", "desk", kNow + 60);
  REQUIRE(thief);
  CHECK(thief->kind == EnrolOutcome::used_code);

  // A plain hash finds only the codes marked unkeyed: a new code is not
  // found through its plain hash, only through its keyed one.
  std::string fresh = new_enrol_code();
  REQUIRE(store.add_enrol_code("Old Library", key.code_hash(fresh), kNow + kDay));
  auto plain = store.enrol(CodeHashes{"", secret_hash(normalise_code(fresh))}, "dev-plain", "token-plain", "desk", kNow);
  REQUIRE(plain);
  CHECK(plain->kind == EnrolOutcome::unknown_code);
  auto keyed_new = store.enrol(code_hashes(key, fresh), "dev-new", "token-new", "desk", kNow);
  REQUIRE(keyed_new);
  CHECK(keyed_new->kind == EnrolOutcome::enrolled);
}

// [SECTION] The backends, as template arguments: the type's name ends each test's name.

struct SQLite {
  std::string path = test::scratch_dir(unique_name("server_store_")) + "/server.db";
  SqliteServerStore store{path};

  std::optional<std::int64_t> corrected_at(const std::string& uuid) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT corrected_at FROM answers WHERE uuid = ?1", -1, &s, nullptr) == SQLITE_OK);
    sqlite3_bind_text(s, 1, uuid.c_str(), -1, SQLITE_TRANSIENT);
    std::optional<std::int64_t> out;
    bool found = sqlite3_step(s) == SQLITE_ROW;
    if (found && sqlite3_column_type(s, 0) != SQLITE_NULL) out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    REQUIRE(found);
    return out;
  }

  // The first column of the first row, as text ("" for none).
  std::string text(const std::string& sql) { return sqlite_text(path, sql); }

  // Whether the database refuses a statement run on a connection of its own.
  bool refuses(const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    bool refused = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK;
    sqlite3_close(db);
    return refused;
  }
};

struct PostgreSQL {
  std::string url = fresh_database();
  PgServerStore store{url};

  std::string text(const std::string& sql) { return test::PgClient(url).query(sql); }

  bool refuses(const std::string& sql) {
    try {
      test::PgClient(url).query(sql);
      return false;
    } catch (const std::exception&) {
      return true;
    }
  }

  std::optional<std::int64_t> corrected_at(const std::string& uuid) {
    test::PgClient client(url);
    std::string v = client.query("SELECT coalesce(corrected_at::text, 'null') FROM answers WHERE uuid = $1", {uuid});
    REQUIRE(!v.empty());
    if (v == "null") return std::nullopt;
    return std::stoll(v);
  }
};

}  // namespace

// [SECTION] Both backends

TEMPLATE_TEST_CASE("store: an enrolment code works once and the same token retrying gets the same device", "[store]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  REQUIRE(store.add_enrol_code("Central Library", "code-1", kNow + kDay));

  auto first = store.enrol(keyed("code-1"), "dev-1", "token-1", "desk", kNow);
  REQUIRE(first);
  CHECK(first->kind == EnrolOutcome::enrolled);
  CHECK(first->device_id == "dev-1");
  CHECK(first->venue == "Central Library");

  // The reply was lost and the kiosk asks again: a new device id is offered, the first one comes back.
  auto retry = store.enrol(keyed("code-1"), "dev-2", "token-1", "desk", kNow + 60);
  REQUIRE(retry);
  CHECK(retry->kind == EnrolOutcome::enrolled);
  CHECK(retry->device_id == "dev-1");

  auto thief = store.enrol(keyed("code-1"), "dev-3", "token-other", "desk", kNow + 60);
  REQUIRE(thief);
  CHECK(thief->kind == EnrolOutcome::used_code);

  auto listed = store.devices();
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().id == "dev-1");
  CHECK(listed->front().name == "desk");

  auto found = store.device_by_token("token-1");
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->id == "dev-1");
  CHECK((*found)->venue == "Central Library");
  CHECK_FALSE((*found)->revoked);
  auto nobody = store.device_by_token("token-other");
  REQUIRE(nobody);
  CHECK_FALSE(nobody->has_value());
}

TEMPLATE_TEST_CASE("store: an enrolled token shown with a new code gets its device back and leaves the code unused", "[store]", SQLite,
                   PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  std::string device = enrol(store, "token-known");
  REQUIRE(store.add_enrol_code("Central Library", "fresh-code", kNow + kDay));
  auto again = store.enrol(keyed("fresh-code"), "dev-other", "token-known", "desk", kNow);
  REQUIRE(again);
  CHECK(again->kind == EnrolOutcome::enrolled);
  CHECK(again->device_id == device);
  auto other = store.enrol(keyed("fresh-code"), "dev-second", "token-second", "desk", kNow);  // still unused
  REQUIRE(other);
  CHECK(other->kind == EnrolOutcome::enrolled);
  REQUIRE(*store.revoke(device, kNow));
  REQUIRE(store.add_enrol_code("Central Library", "third-code", kNow + kDay));
  auto revoked = store.enrol(keyed("third-code"), "dev-third", "token-known", "desk", kNow);
  REQUIRE(revoked);
  CHECK(revoked->kind == EnrolOutcome::revoked_token);
}

TEMPLATE_TEST_CASE("store: a withdrawn code enrols nobody; a used one cannot be withdrawn", "[store]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  REQUIRE(store.add_enrol_code("Central Library", "lost-code", kNow + kDay));
  REQUIRE(*store.revoke_enrol_code(keyed("lost-code"), kNow));
  CHECK_FALSE(*store.revoke_enrol_code(keyed("lost-code"), kNow));  // once
  CHECK_FALSE(*store.revoke_enrol_code(keyed("no-such-code"), kNow));
  auto refused = store.enrol(keyed("lost-code"), "dev-x", "token-x", "desk", kNow);
  REQUIRE(refused);
  CHECK(refused->kind == EnrolOutcome::revoked_code);
  CHECK(store.devices()->empty());
  enrol(store, "token-used");  // uses "code-token-used"
  CHECK_FALSE(*store.revoke_enrol_code(keyed("code-token-used"), kNow));
}

TEMPLATE_TEST_CASE("store: unknown and expired codes are refused and make no device", "[store]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  auto unknown = store.enrol(keyed("no-such-code"), "dev-1", "token-1", "desk", kNow);
  REQUIRE(unknown);
  CHECK(unknown->kind == EnrolOutcome::unknown_code);

  REQUIRE(store.add_enrol_code("Central Library", "code-old", kNow - 1));
  auto expired = store.enrol(keyed("code-old"), "dev-1", "token-1", "desk", kNow);
  REQUIRE(expired);
  CHECK(expired->kind == EnrolOutcome::expired_code);

  // Valid up to and including its expiry second.
  REQUIRE(store.add_enrol_code("Central Library", "code-edge", kNow));
  auto edge = store.enrol(keyed("code-edge"), "dev-2", "token-2", "desk", kNow);
  REQUIRE(edge);
  CHECK(edge->kind == EnrolOutcome::enrolled);

  auto listed = store.devices();
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().id == "dev-2");
}

TEMPLATE_TEST_CASE("store: a code is kept under its keyed hash, never found by its plain hash or another key's", "[store][code-key]",
                   SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  CodeKey key = CodeKey::generate();
  std::string code = new_enrol_code();
  CodeHashes hashes = code_hashes(key, code);
  REQUIRE(store.add_enrol_code("Central Library", hashes.keyed, kNow + kDay));
  std::string kept = backend.text("SELECT code_hash FROM enrol_codes");
  CHECK(kept == hashes.keyed);
  CHECK(kept != secret_hash(normalise_code(code)));
  CHECK(backend.text("SELECT hash_kind FROM enrol_codes") == "keyed");

  // Someone who has the database and tries the plain hash of a guess, or a
  // server with another key: unknown code, and nothing changes.
  auto plain = store.enrol(CodeHashes{"", hashes.keyed}, "dev-1", "token-1", "desk", kNow);
  REQUIRE(plain);
  CHECK(plain->kind == EnrolOutcome::unknown_code);
  auto other_key = store.enrol(code_hashes(CodeKey::generate(), code), "dev-1", "token-1", "desk", kNow);
  REQUIRE(other_key);
  CHECK(other_key->kind == EnrolOutcome::unknown_code);
  CHECK_FALSE(*store.revoke_enrol_code(CodeHashes{"", hashes.keyed}, kNow));

  auto right = store.enrol(hashes, "dev-1", "token-1", "desk", kNow);
  REQUIRE(right);
  CHECK(right->kind == EnrolOutcome::enrolled);
}

TEMPLATE_TEST_CASE("store: the first code key check value recorded stays", "[store][code-key]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  auto none = store.code_key_check();
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  auto first = store.record_code_key_check("check-1");
  REQUIRE(first);
  CHECK(*first == "check-1");
  auto second = store.record_code_key_check("check-2");
  REQUIRE(second);
  CHECK(*second == "check-1");
  auto read = store.code_key_check();
  REQUIRE(read);
  CHECK(*read == std::optional<std::string>("check-1"));
}

TEMPLATE_TEST_CASE("store: an answer id is stored once with resends counted and conflicts quarantined", "[store]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  std::string kiosk = enrol(store, "token-a");
  std::string other = enrol(store, "token-b");

  auto first = store.ingest(kiosk, batch(answers(0, 3)), kNow);
  REQUIRE(first);
  CHECK(first->received == 3);
  CHECK(first->stored == 3);
  CHECK(first->duplicates == 0);
  CHECK(first->quarantined.empty());

  auto resend = store.ingest(kiosk, batch(answers(0, 3)), kNow + 10);
  REQUIRE(resend);
  CHECK(resend->stored == 0);
  CHECK(resend->duplicates == 3);
  CHECK(resend->quarantined.empty());

  // The same id with a different score, and the same content from another kiosk: kept aside.
  auto conflict = store.ingest(kiosk, batch({answer(1, 9), answer(3)}), kNow + 20);
  REQUIRE(conflict);
  CHECK(conflict->stored == 1);
  CHECK(conflict->quarantined == std::vector<std::string>{answer(1).answer.uuid});
  auto foreign = store.ingest(other, batch({answer(2)}), kNow + 30);
  REQUIRE(foreign);
  CHECK(foreign->stored == 0);
  CHECK(foreign->duplicates == 0);
  CHECK(foreign->quarantined == std::vector<std::string>{answer(2).answer.uuid});

  // An id twice in one batch: the first is stored, the second is a duplicate of it.
  auto twice = store.ingest(kiosk, batch({answer(7), answer(7)}), kNow + 40);
  REQUIRE(twice);
  CHECK(twice->stored == 1);
  CHECK(twice->duplicates == 1);
  // ... and with different content, the second is quarantined.
  auto clash = store.ingest(kiosk, batch({answer(8), answer(8, 2)}), kNow + 50);
  REQUIRE(clash);
  CHECK(clash->stored == 1);
  CHECK(clash->quarantined == std::vector<std::string>{answer(8).answer.uuid});

  // Every text field, the empty text and a quote survive the round trip unchanged.
  StoredAnswer written = answer(9);
  written.answer.score.reset();
  written.answer.text = "\"Quiet\" \\ {please}, NULL";
  written.answer.stamp.clock_trusted = false;
  written.answer.rapid_repeat = true;
  StoredAnswer chosen = answer(10);
  chosen.answer.score.reset();
  chosen.answer.choice = "";
  REQUIRE(store.ingest(kiosk, batch({written, chosen}), kNow + 60)->stored == 2);
  auto same = store.ingest(kiosk, batch({written, chosen}), kNow + 70);
  REQUIRE(same);
  CHECK(same->duplicates == 2);
  CHECK(same->quarantined.empty());

  CHECK(total_answers(store) == 8);  // 0-3, 7, 8, 9, 10
  auto listed = store.devices();
  REQUIRE(listed);
  CHECK(find_device(*listed, kiosk).answers_received == 8);
  CHECK(find_device(*listed, kiosk).quarantined == 2);
  CHECK(find_device(*listed, kiosk).last_contact == kNow + 70);
  CHECK(find_device(*listed, other).answers_received == 0);
  CHECK(find_device(*listed, other).quarantined == 1);
}

TEMPLATE_TEST_CASE("store: untrusted answer times are placed once the clock of their boot is trusted", "[store]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  std::string kiosk = enrol(store, "token-a");

  auto untrusted = [](int i, const std::string& boot, std::int64_t monotonic_ms) {
    StoredAnswer s = answer(i);
    s.answer.stamp = {0, false, boot, monotonic_ms};
    return s;
  };
  REQUIRE(store.ingest(kiosk, batch({untrusted(1, "boot-1", 5'000), untrusted(2, "boot-0", 5'000), answer(3)}), kNow));
  CHECK_FALSE(backend.corrected_at(answer(1).answer.uuid));

  wire::Heartbeat hb;
  hb.app_version = "1.2.3";
  hb.set_id = "library-demo";
  hb.set_version = 4;
  hb.answers_waiting = 12;
  hb.oldest_unsent_age_s = 300;
  hb.free_disk_bytes = 1'000'000;
  hb.clock = {true, kNow + 100, "boot-1", 65'000};
  REQUIRE(store.heartbeat(kiosk, hb, kNow + 100));

  // U - (M - monotonic_ms) / 1000, as PROTOCOL.md says.
  CHECK(backend.corrected_at(answer(1).answer.uuid) == kNow + 100 - 60);
  CHECK_FALSE(backend.corrected_at(answer(2).answer.uuid));  // another boot: its time stays unknown
  CHECK_FALSE(backend.corrected_at(answer(3).answer.uuid));  // trusted already

  // Stamped later in the same boot and arriving now: placed as it is stored.
  // (65'000 - 66'500) / 1000 is -1: division truncates towards zero in both backends.
  REQUIRE(store.ingest(kiosk, batch({untrusted(4, "boot-1", 66'500)}), kNow + 200));
  CHECK(backend.corrected_at(answer(4).answer.uuid) == kNow + 100 + 1);

  auto listed = store.devices();
  REQUIRE(listed);
  const DeviceStatus& d = find_device(*listed, kiosk);
  CHECK(d.app_version == "1.2.3");
  CHECK(d.set_id == "library-demo");
  CHECK(d.set_version == 4);
  CHECK(d.answers_waiting == 12);
  CHECK(d.oldest_unsent_age_s == 300);
  CHECK(d.free_disk_bytes == 1'000'000);
  CHECK(d.clock_trusted);
  CHECK(d.last_contact == kNow + 200);

  // A heartbeat without a trusted clock changes no answer.
  hb.clock = {false, 5, "boot-0", 999'999};
  hb.oldest_unsent_age_s.reset();
  REQUIRE(store.heartbeat(kiosk, hb, kNow + 300));
  CHECK_FALSE(backend.corrected_at(answer(2).answer.uuid));
  listed = store.devices();
  REQUIRE(listed);
  CHECK_FALSE(find_device(*listed, kiosk).clock_trusted);
  CHECK_FALSE(find_device(*listed, kiosk).oldest_unsent_age_s);
}

TEMPLATE_TEST_CASE("store: a revoked device is marked and revoking again says there is none", "[store]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  std::string kiosk = enrol(store, "token-a");
  auto revoked = store.revoke(kiosk, kNow);
  REQUIRE(revoked);
  CHECK(*revoked);
  auto found = store.device_by_token("token-a");
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->revoked);
  auto again = store.revoke(kiosk, kNow + 1);
  REQUIRE(again);
  CHECK_FALSE(*again);
  auto nobody = store.revoke("no-such-device", kNow);
  REQUIRE(nobody);
  CHECK_FALSE(*nobody);
  auto listed = store.devices();
  REQUIRE(listed);
  CHECK(find_device(*listed, kiosk).revoked);
}

TEMPLATE_TEST_CASE("store: devices and answer counts cover every venue device and question in order", "[store]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  std::string a = enrol(store, "a", "Central Library");
  std::string b = enrol(store, "b", "Central Library");
  std::string c = enrol(store, "c", "Branch B");
  REQUIRE(store.ingest(a, batch({answer(1), answer(2), answer(3, 5, "staff")}), kNow));
  REQUIRE(store.ingest(c, batch({answer(4)}), kNow));
  REQUIRE(store.ingest(b, batch({answer(1, 1)}), kNow));  // quarantined: a holds that id

  auto listed = store.devices();
  REQUIRE(listed);
  REQUIRE(listed->size() == 3);
  CHECK((*listed)[0].id == c);  // "Branch B" sorts first
  CHECK((*listed)[0].venue == "Branch B");
  CHECK((*listed)[1].id == a);
  CHECK((*listed)[2].id == b);
  CHECK((*listed)[1].answers_received == 3);
  CHECK((*listed)[2].answers_received == 0);
  CHECK((*listed)[2].quarantined == 1);
  CHECK_FALSE((*listed)[2].last_contact == std::nullopt);

  auto counts = store.answer_counts();
  REQUIRE(counts);
  REQUIRE(counts->size() == 3);
  CHECK((*counts)[0].venue == "Branch B");
  CHECK((*counts)[0].device == c);
  CHECK((*counts)[0].question == "library");
  CHECK((*counts)[0].answers == 1);
  CHECK((*counts)[1].device == a);
  CHECK((*counts)[1].question == "library");
  CHECK((*counts)[1].answers == 2);
  CHECK((*counts)[2].question == "staff");
  CHECK((*counts)[2].answers == 1);
}

// [SECTION] PostgreSQL only

// [SECTION] Question sets, both backends

namespace {

// The demo set, as another set id when asked.
std::string set_file(const std::string& id = "library-demo") {
  std::string text = test::read_file(test::demo_set_path());
  std::string from = "\"id\": \"library-demo\"";
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), "\"id\": \"" + id + "\"");
}

// The "version" inside a stored set.
int version_inside(const std::string& body) {
  LoadResult loaded = parse_question_set(body);
  REQUIRE(loaded.set);
  return loaded.set->version;
}

// Signs as the server does, but readably: "serial:set id:version".
SetSigner test_signer(int* calls = nullptr) {
  return [calls](std::string_view set_bytes, std::int64_t serial) -> Result<std::string> {
    if (calls) ++*calls;
    LoadResult loaded = parse_question_set(set_bytes);
    if (!loaded.set) return Status::failure(Fault::invalid_input, "not a set");
    return std::to_string(serial) + ":" + loaded.set->id + ":" + std::to_string(loaded.set->version);
  };
}

// The venue's delivery at `now`: "serial:set id:version", or "none".
std::string delivered(ServerStore& store, const std::string& venue, std::int64_t now, int* calls = nullptr) {
  auto d = store.set_delivery(venue, now, test_signer(calls));
  REQUIRE(d);
  if (!*d) return "none";
  CHECK((*d)->signed_file == std::to_string((*d)->serial) + ":" + (*d)->set_id + ":" + std::to_string((*d)->version));
  return (*d)->signed_file;
}

}  // namespace

TEMPLATE_TEST_CASE("store: set versions: a draft is replaced until published; a published version never changes", "[store][sets]", SQLite,
                   PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  auto first = store.add_set_draft(set_file(), kNow);
  REQUIRE(first);
  CHECK(first->set_id == "library-demo");
  CHECK(first->version == 1);
  CHECK_FALSE(first->published);
  std::string edited = set_file();
  edited.replace(edited.find("Demo set"), 8, "Branch Library!");
  auto again = store.add_set_draft(edited, kNow + 10);  // still a draft: replaced, same number
  REQUIRE(again);
  CHECK(again->version == 1);
  CHECK(store.set_body("library-demo", 1)->value().find("Branch Library!") != std::string::npos);

  auto published = store.publish_set("library-demo", kNow + 20);
  REQUIRE(published);
  CHECK(published->kind == SetChange::done);
  CHECK(published->version == 1);
  auto twice = store.publish_set("library-demo", kNow + 30);
  REQUIRE(twice);
  CHECK(twice->kind == SetChange::nothing_to_publish);
  auto unknown = store.publish_set("no-such-set", kNow);
  REQUIRE(unknown);
  CHECK(unknown->kind == SetChange::no_such_set);

  // After publishing, an edit is a new version; version 1 stays as it was.
  const std::string v1 = store.set_body("library-demo", 1)->value();
  auto second = store.add_set_draft(set_file(), kNow + 40);
  REQUIRE(second);
  CHECK(second->version == 2);
  CHECK(store.set_body("library-demo", 1)->value() == v1);
  CHECK(version_inside(store.set_body("library-demo", 2)->value()) == 2);  // the server's number, written into the file

  // Whatever asks: the database itself refuses to change or delete a published version.
  CHECK(backend.refuses("UPDATE question_sets SET body = 'x' WHERE set_id = 'library-demo' AND version = 1"));
  CHECK(backend.refuses("UPDATE question_sets SET published_at = NULL WHERE set_id = 'library-demo' AND version = 1"));
  CHECK(backend.refuses("DELETE FROM question_sets WHERE set_id = 'library-demo' AND version = 1"));
  CHECK(store.set_body("library-demo", 1)->value() == v1);
  CHECK_FALSE(backend.refuses("UPDATE question_sets SET body = body WHERE set_id = 'library-demo' AND version = 2"));  // a draft may change

  // An invalid set is refused with the validator's words and stores nothing.
  auto invalid = store.add_set_draft("{\"format\": \"tenpoint-questions/1\", \"id\": \"library-demo\"}", kNow);
  REQUIRE_FALSE(invalid);
  CHECK(invalid.status().fault() == Fault::invalid_input);
  CHECK(invalid.message().find("needs \"version\"") != std::string::npos);
  auto listed = store.set_versions();
  REQUIRE(listed);
  REQUIRE(listed->size() == 2);
  CHECK(listed->at(0).published);
  CHECK(listed->at(0).published_at == kNow + 20);
  CHECK_FALSE(listed->at(1).published);
}

TEMPLATE_TEST_CASE("store: a rollback publishes an earlier version's content as the next version", "[store][sets]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  REQUIRE(store.add_set_draft(set_file(), kNow));
  REQUIRE(store.publish_set("library-demo", kNow)->version == 1);
  std::string edited = set_file();
  edited.replace(edited.find("Demo set"), 8, "Branch Library!");
  REQUIRE(store.add_set_draft(edited, kNow + 1)->version == 2);
  // A draft in the way: refused, naming it.
  auto blocked = store.rollback_set("library-demo", 1, kNow + 2);
  REQUIRE(blocked);
  CHECK(blocked->kind == SetChange::draft_pending);
  CHECK(blocked->version == 2);
  REQUIRE(store.publish_set("library-demo", kNow + 3)->version == 2);

  auto back = store.rollback_set("library-demo", 1, kNow + 4);
  REQUIRE(back);
  CHECK(back->kind == SetChange::done);
  CHECK(back->version == 3);
  std::string v1 = store.set_body("library-demo", 1)->value(), v3 = store.set_body("library-demo", 3)->value();
  CHECK(version_inside(v3) == 3);
  CHECK(v3.find("Branch Library!") == std::string::npos);
  // The same content but for its version number.
  std::string v1_as_3 = v1;
  v1_as_3.replace(v1_as_3.find("\"version\": 1"), 12, "\"version\": 3");
  CHECK(v3 == v1_as_3);
  auto listed = store.set_versions();
  REQUIRE(listed);
  REQUIRE(listed->size() == 3);
  CHECK(listed->at(2).published);
  CHECK(listed->at(2).rolled_back_from == 1);

  CHECK(store.rollback_set("library-demo", 9, kNow)->kind == SetChange::no_such_version);
  CHECK(store.rollback_set("other", 1, kNow)->kind == SetChange::no_such_set);
  REQUIRE(store.add_set_draft(set_file(), kNow)->version == 4);
  REQUIRE(store.publish_set("library-demo", kNow)->version == 4);
  REQUIRE(store.add_set_draft(set_file("drafts-only"), kNow));
  CHECK(store.rollback_set("drafts-only", 1, kNow)->kind == SetChange::draft_pending);
}

TEMPLATE_TEST_CASE("store: a dated assignment wins inside its dates; outside, the venue's standing set", "[store][sets]", SQLite,
                   PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  for (const char* id : {"library-demo", "consultation"}) {
    REQUIRE(store.add_set_draft(set_file(id), kNow));
    REQUIRE(store.publish_set(id, kNow)->kind == SetChange::done);
  }
  CHECK(store.assign_set({"Central Library", "unknown-set", std::nullopt, std::nullopt}, kNow)->kind == SetChange::no_such_set);
  CHECK(delivered(store, "Central Library", kNow) == "none");  // no assignment yet
  REQUIRE(store.assign_set({"Central Library", "library-demo", std::nullopt, std::nullopt}, kNow)->kind == SetChange::done);
  const std::int64_t from = kNow + 7 * kDay, until = kNow + 21 * kDay;  // a two-week consultation
  REQUIRE(store.assign_set({"Central Library", "consultation", from, until}, kNow)->kind == SetChange::done);

  CHECK(delivered(store, "Central Library", from - 1) == "1:library-demo:1");
  CHECK(delivered(store, "Central Library", from) == "2:consultation:1");
  CHECK(delivered(store, "Central Library", until - 1) == "2:consultation:1");
  CHECK(delivered(store, "Central Library", until) == "3:library-demo:1");
  CHECK(delivered(store, "Other Venue", from) == "none");  // a venue nobody assigned

  // A new standing set replaces the old; a dated set with nothing published is passed over.
  REQUIRE(store.assign_set({"Central Library", "consultation", std::nullopt, std::nullopt}, kNow)->kind == SetChange::done);
  REQUIRE(store.add_set_draft(set_file("draft-only"), kNow));
  REQUIRE(store.assign_set({"Central Library", "draft-only", from, until}, kNow)->kind == SetChange::done);
  CHECK(delivered(store, "Central Library", from) == "4:consultation:1");
  auto assignments = store.set_assignments();
  REQUIRE(assignments);
  REQUIRE(assignments->size() == 3);
  CHECK(assignments->at(0).set_id == "consultation");
  CHECK_FALSE(assignments->at(0).starts_at);
  CHECK(assignments->at(1).starts_at == from);
  CHECK(assignments->at(1).ends_at == until);
}

TEMPLATE_TEST_CASE("store: the serial rises only when a venue's set or version changes", "[store][sets]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  REQUIRE(store.add_set_draft(set_file(), kNow));
  REQUIRE(store.publish_set("library-demo", kNow));
  REQUIRE(store.assign_set({"Central Library", "library-demo", std::nullopt, std::nullopt}, kNow));
  REQUIRE(store.assign_set({"Branch", "library-demo", std::nullopt, std::nullopt}, kNow));
  int signatures = 0;
  CHECK(delivered(store, "Central Library", kNow, &signatures) == "1:library-demo:1");
  for (int i = 0; i < 3; ++i) CHECK(delivered(store, "Central Library", kNow + i, &signatures) == "1:library-demo:1");
  CHECK(signatures == 1);  // made once, then the same file
  CHECK(delivered(store, "Branch", kNow, &signatures) == "2:library-demo:1");
  // A draft changes nothing; publishing it does.
  REQUIRE(store.add_set_draft(set_file(), kNow));
  CHECK(delivered(store, "Central Library", kNow, &signatures) == "1:library-demo:1");
  REQUIRE(store.publish_set("library-demo", kNow));
  CHECK(delivered(store, "Central Library", kNow, &signatures) == "3:library-demo:2");
  CHECK(delivered(store, "Branch", kNow, &signatures) == "4:library-demo:2");
  // A rollback is a new version, so a new serial: above every one before.
  REQUIRE(store.rollback_set("library-demo", 1, kNow));
  CHECK(delivered(store, "Central Library", kNow, &signatures) == "5:library-demo:3");
  CHECK(signatures == 5);
  // Signing failing stores nothing; the next call signs afresh.
  REQUIRE(store.assign_set({"Annex", "library-demo", std::nullopt, std::nullopt}, kNow));
  auto failed = store.set_delivery(
      "Annex", kNow, [](std::string_view, std::int64_t) -> Result<std::string> { return Status::failure(Fault::invalid_input, "no key"); });
  CHECK_FALSE(failed);
  std::string annex = delivered(store, "Annex", kNow);
  CHECK(annex.substr(annex.find(':')) == ":library-demo:3");
  CHECK(std::stoll(annex) > 5);
}

TEMPLATE_TEST_CASE("store: the first question-set public key recorded stays", "[store][sets]", SQLite, PostgreSQL) {
  TestType backend;
  ServerStore& store = backend.store;
  CHECK_FALSE(store.set_key_check()->has_value());
  CHECK(store.record_set_key_check("key-A").value() == "key-A");
  CHECK(store.record_set_key_check("key-B").value() == "key-A");
  CHECK(store.set_key_check()->value() == "key-A");
}

TEST_CASE("sqlite: a server database from before versioning is migrated in place, keeping its rows", "[store][migration]") {
  std::string dir = test::scratch_dir("server_store_old_file");
  std::string path = dir + "/server.db";
  // The first release's enrolment table, at user_version 0, with one code in it.
  std::string sql =
      "CREATE TABLE venues(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL DEFAULT (unixepoch()));"
      "CREATE TABLE enrol_codes(code_hash TEXT PRIMARY KEY, venue_id INTEGER NOT NULL REFERENCES venues(id),"
      " created_at INTEGER NOT NULL DEFAULT (unixepoch()), expires_at INTEGER NOT NULL, used_at INTEGER, device_id TEXT);"
      "INSERT INTO venues(name) VALUES('Old Library');"
      "INSERT INTO enrol_codes(code_hash, venue_id, expires_at) VALUES('old-code', 1, 4000000000);";
  REQUIRE(std::system(("sqlite3 " + path + " \"" + sql + "\"").c_str()) == 0);
  {
    SqliteServerStore store(path);
    CHECK(store.schema_version() == SqliteServerStore::kSchemaVersion);
    REQUIRE(*store.revoke_enrol_code(unkeyed("old-code"), kNow));
  }
  SqliteServerStore again(path);  // opening a current file changes nothing
  auto refused = again.enrol(unkeyed("old-code"), "dev", "token", "desk", kNow);
  REQUIRE(refused);
  CHECK(refused->kind == EnrolOutcome::revoked_code);
  CHECK(refused->venue == "Old Library");
}

TEST_CASE("sqlite: a schema 2 file's codes are marked unkeyed, and enrol and withdraw after the upgrade", "[store][migration]") {
  std::string path = test::scratch_dir(unique_name("server_store_v2_")) + "/server.db";
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK);
    auto exec = [&](const std::string& sql) {
      INFO(sql << ": " << sqlite3_errmsg(db));
      REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    };
    for (int v = 0; v < 2; ++v) exec(SqliteServerStore::migrations()[static_cast<std::size_t>(v)]);
    exec("PRAGMA user_version=2");
    exec("INSERT INTO venues(name) VALUES('Old Library')");
    for (const std::string& code : {kOldCode, kLostOldCode})
      exec("INSERT INTO enrol_codes(code_hash, venue_id, expires_at) VALUES('" + secret_hash(normalise_code(code)) + "', 1, " +
           std::to_string(kNow + kDay) + ")");
    sqlite3_close(db);
  }
  SqliteServerStore store(path);
  CHECK(store.schema_version() == SqliteServerStore::kSchemaVersion);
  CHECK(sqlite_text(path, "SELECT group_concat(DISTINCT hash_kind) FROM enrol_codes") == "unkeyed");
  check_codes_from_before_keyed_hashes(store);
}

TEST_CASE("sqlite: batches arriving together share commits, and each is stored exactly once", "[store][group-commit]") {
  // Eight kiosks' worth of threads send at once through one store; every
  // other batch resends one before it, so duplicates meet inside a group.
  SQLite backend;
  SqliteServerStore& store = backend.store;
  constexpr int kThreads = 8, kBatches = 40, kChunk = 20;
  std::vector<std::string> devices;
  for (int t = 0; t < kThreads; ++t) devices.push_back(enrol(store, "group-" + std::to_string(t)));
  std::latch go(kThreads);
  std::atomic<long long> stored{0}, duplicates{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      go.arrive_and_wait();
      for (int b = 0; b < kBatches; ++b) {
        int first = (t * kBatches + b / 2 * 2) * kChunk;  // batches 2k and 2k+1 carry the same answers
        auto reply = store.ingest(devices[t], batch(answers(first, first + kChunk)), kNow);
        if (!reply) {
          ++failed;
          continue;
        }
        stored += reply->stored;
        duplicates += reply->duplicates;
      }
    });
  for (auto& t : threads) t.join();
  REQUIRE(failed == 0);
  CHECK(stored == kThreads * kBatches / 2 * kChunk);
  CHECK(duplicates == kThreads * kBatches / 2 * kChunk);
  CHECK(total_answers(store) == kThreads * kBatches / 2 * kChunk);
  IngestStats stats = store.ingest_stats();
  CHECK(stats.batches == static_cast<std::uint64_t>(kThreads * kBatches));
  CHECK(stats.commits >= 1);
  CHECK(stats.commits <= stats.batches);
}

TEST_CASE("sqlite: batches queued during a commit join the next one, and each hears only once it is durable", "[store][group-commit]") {
  // Another connection holds the write lock, so the first batch's commit
  // (led by its own thread) cannot begin. Everything queued meanwhile, from
  // one thread that never waits, must go in exactly one more commit.
  std::string path = test::scratch_dir(unique_name("server_store_async_")) + "/server.db";
  SqliteServerStore store(path, 120'000);
  std::string kiosk = enrol(store, "token-a");
  sqlite3* blocker = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &blocker) == SQLITE_OK);
  REQUIRE(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

  constexpr int kBatches = 30, kChunk = 10;
  std::latch all_replied(kBatches + 1);
  std::atomic<int> replies{0}, stored{0}, duplicates{0}, failed{0};
  auto count = [&](Result<wire::BatchReply> reply) {
    ++replies;
    if (reply) {
      stored += static_cast<int>(reply->stored);
      duplicates += static_cast<int>(reply->duplicates);
    } else {
      ++failed;
    }
    all_replied.count_down();
  };
  std::jthread leader([&] { store.ingest_async(kiosk, batch(answers(0, kChunk)), kNow, count); });
  while (store.ingest_stats().waiting < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int b = 1; b < kBatches; ++b) {
    int first = b / 2 * kChunk;  // batch 2k+1 resends batch 2k
    store.ingest_async(kiosk, batch(answers(first, first + kChunk)), kNow, count);
  }
  wire::Heartbeat hb;
  hb.app_version = "async";
  store.heartbeat_async(kiosk, hb, kNow, [&](Status s) {
    ++replies;
    if (!s) ++failed;
    all_replied.count_down();
  });
  CHECK(store.ingest_stats().waiting == kBatches + 1);
  CHECK(replies == 0);  // nothing can be durable while the lock is held
  REQUIRE(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(blocker);
  all_replied.wait();
  leader.join();

  CHECK(failed == 0);
  CHECK(stored == kBatches / 2 * kChunk);
  CHECK(duplicates == kBatches / 2 * kChunk);
  CHECK(total_answers(store) == kBatches / 2 * kChunk);
  IngestStats stats = store.ingest_stats();
  CHECK(stats.batches == kBatches);
  CHECK(stats.heartbeats == 1);
  CHECK(stats.commits == 2);
  CHECK(stats.waiting == 0);
}

TEST_CASE("sqlite: a group commit takes a bounded number of answers, and a full queue refuses at once", "[store][group-commit]") {
  std::string path = test::scratch_dir(unique_name("server_store_bounds_")) + "/server.db";
  GroupCommitLimits limits;
  limits.max_group_answers = 25;
  SqliteServerStore store(path, 120'000, limits);
  std::string kiosk = enrol(store, "token-a");
  sqlite3* blocker = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &blocker) == SQLITE_OK);
  REQUIRE(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

  constexpr int kBatches = 10, kChunk = 10;
  std::latch all_replied(kBatches);
  std::atomic<int> stored{0}, failed{0};
  auto count = [&](Result<wire::BatchReply> reply) {
    if (reply)
      stored += static_cast<int>(reply->stored);
    else
      ++failed;
    all_replied.count_down();
  };
  std::jthread leader([&] { store.ingest_async(kiosk, batch(answers(0, kChunk)), kNow, count); });
  while (store.ingest_stats().waiting < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int b = 1; b < kBatches; ++b) store.ingest_async(kiosk, batch(answers(b * kChunk, (b + 1) * kChunk)), kNow, count);
  REQUIRE(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(blocker);
  all_replied.wait();
  leader.join();
  CHECK(failed == 0);
  CHECK(stored == kBatches * kChunk);
  // The leader's own batch, then the nine queued behind it two by two
  // (a third would be 30 answers, over 25): 1 + 5 commits.
  CHECK(store.ingest_stats().commits == 6);

  // With room for almost nothing, a batch arriving while another waits is
  // refused at once, and stored later when sent again.
  std::string tight_path = test::scratch_dir(unique_name("server_store_tight_")) + "/server.db";
  GroupCommitLimits tight;
  tight.max_queued_bytes = 1;
  SqliteServerStore small(tight_path, 120'000, tight);
  std::string other = enrol(small, "token-b");
  REQUIRE(sqlite3_open(tight_path.c_str(), &blocker) == SQLITE_OK);
  REQUIRE(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  std::latch first_done(1);
  std::atomic<bool> first_ok{false};
  std::jthread first([&] {
    small.ingest_async(other, batch(answers(0, 5)), kNow, [&](Result<wire::BatchReply> reply) {
      first_ok = static_cast<bool>(reply);
      first_done.count_down();
    });
  });
  while (small.ingest_stats().waiting < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::optional<Result<wire::BatchReply>> refused;
  small.ingest_async(other, batch(answers(5, 10)), kNow, [&](Result<wire::BatchReply> reply) { refused = std::move(reply); });
  REQUIRE(refused);  // answered before this call returned, while the lock is still held
  CHECK_FALSE(*refused);
  CHECK(refused->status().message().find("waiting for the disk") != std::string::npos);
  REQUIRE(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(blocker);
  first_done.wait();
  first.join();
  CHECK(first_ok);
  auto again = small.ingest(other, batch(answers(5, 10)), kNow);
  REQUIRE(again);
  CHECK(again->stored == 5);
  CHECK(total_answers(small) == 10);
}

TEST_CASE("sqlite: every batch handed to the store asynchronously is answered and stored before the store goes away",
          "[store][group-commit]") {
  std::string path = test::scratch_dir(unique_name("server_store_drain_")) + "/server.db";
  constexpr int kBatches = 20, kChunk = 5;
  std::atomic<int> stored{0}, replies{0};
  {
    SqliteServerStore store(path);
    std::string kiosk = enrol(store, "token-a");
    for (int b = 0; b < kBatches; ++b)
      store.ingest_async(kiosk, batch(answers(b * kChunk, (b + 1) * kChunk)), kNow, [&](Result<wire::BatchReply> reply) {
        ++replies;
        if (reply) stored += static_cast<int>(reply->stored);
      });
  }
  CHECK(replies == kBatches);
  CHECK(stored == kBatches * kChunk);
  SqliteServerStore reopened(path);
  CHECK(total_answers(reopened) == kBatches * kChunk);
}

TEST_CASE("sqlite: checkpoints run beside the commits, the WAL starts over, and a reader's old snapshot only delays that",
          "[store][checkpoint]") {
  std::string path = test::scratch_dir(unique_name("server_store_checkpoint_")) + "/server.db";
  CheckpointLimits limits;
  limits.start_frames = 40;
  limits.finish_frames = 32;  // batches of 10 answers write a few pages each: many commits' slack
  SqliteServerStore store(path, 120'000, {}, limits);
  std::string kiosk = enrol(store, "token-a");
  int sent = 0;
  auto send = [&] {
    auto reply = store.ingest(kiosk, batch(answers(sent, sent + 10)), kNow);
    REQUIRE(reply);
    REQUIRE(reply->stored == 10);
    sent += 10;
  };
  // Whether the thread keeps up is the scheduler's business; a bound on the
  // rounds only stops a test that would otherwise never end.
  constexpr int kMostRounds = 20'000;
  auto send_until = [&](auto done) {
    for (int round = 0; !done(store.ingest_stats()); ++round) {
      REQUIRE(round < kMostRounds);
      send();
    }
  };

  // The thread copies the bulk, the committing thread the rest; a later
  // commit then writes at the WAL's start (the WAL passed start_frames
  // before any checkpoint, so fewer frames now means it started over).
  send_until([&](const IngestStats& s) { return s.checkpoints_finished >= 1 && s.wal_frames < limits.start_frames; });
  IngestStats after = store.ingest_stats();
  CHECK(after.has_wal);
  CHECK(after.checkpoints_background >= 1);

  // A reader's snapshot (of a WAL with frames not yet copied) pins the WAL:
  // commits go on, and the WAL grows past the point where it would have
  // started over.
  sqlite3* reader = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &reader) == SQLITE_OK);
  REQUIRE(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM answers;", nullptr, nullptr, nullptr) == SQLITE_OK);
  send_until([&](const IngestStats& s) { return s.wal_frames >= 3 * limits.start_frames; });
  // Once it lets go, the WAL starts over again.
  REQUIRE(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(reader);
  send_until([&](const IngestStats& s) { return s.wal_frames < limits.start_frames; });

  CHECK(total_answers(store) == sent);
  sqlite3* check = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &check) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(check, "PRAGMA integrity_check", -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) == "ok");
  sqlite3_finalize(s);
  sqlite3_close(check);
}

TEST_CASE("postgresql: an answer with a NUL character is quarantined rather than refused", "[postgresql]") {
  PostgreSQL backend;
  std::string kiosk = enrol(backend.store, "token-a");
  StoredAnswer odd = answer(1);
  odd.answer.score.reset();
  odd.answer.text = std::string("before\0after", 12);
  auto reply = backend.store.ingest(kiosk, batch({odd, answer(2)}), kNow);
  REQUIRE(reply);
  CHECK(reply->stored == 1);
  CHECK(reply->quarantined == std::vector<std::string>{odd.answer.uuid});
  test::PgClient client(backend.url);
  CHECK(client.query("SELECT answer_json FROM quarantine WHERE uuid = $1", {odd.answer.uuid}).find("before\\u0000after") !=
        std::string::npos);
}

TEST_CASE("postgresql: two servers ingesting overlapping batches at once store every answer once", "[postgresql]") {
  std::string url = fresh_database();
  PgServerStore one(url), two(url);
  std::string kiosk = enrol(one, "token-a");
  std::string rival = enrol(two, "token-b");

  // Per round: the kiosk sends [0, 400) through both servers (a resend that
  // went to the other one); the rival sends [300, 450) with other content,
  // also through both. [300, 400) is contested.
  constexpr int kRounds = 3, kPerRound = 1000, kChunk = 25;
  std::mutex mutex;
  std::vector<wire::BatchReply> replies;
  std::vector<std::string> failures;
  for (int round = 0; round < kRounds; ++round) {
    int base = round * kPerRound;
    auto chunks = [&](int from, int to, int score, bool backwards) {
      std::vector<wire::Batch> out;
      for (int i = from; i < to; i += kChunk) out.push_back(batch(answers(base + i, base + std::min(i + kChunk, to), score)));
      if (backwards) std::reverse(out.begin(), out.end());
      return out;
    };
    struct Sender {
      ServerStore* store;
      std::string device;
      std::vector<wire::Batch> batches;
    };
    std::vector<Sender> senders = {{&one, kiosk, chunks(0, 400, 5, false)},
                                   {&two, kiosk, chunks(0, 400, 5, true)},
                                   {&two, rival, chunks(300, 450, 9, false)},
                                   {&one, rival, chunks(300, 450, 9, true)}};
    std::latch go(static_cast<std::ptrdiff_t>(senders.size()));
    std::vector<std::thread> threads;
    for (const Sender& s : senders)
      threads.emplace_back([&, s] {
        go.arrive_and_wait();
        for (const wire::Batch& b : s.batches) {
          auto reply = s.store->ingest(s.device, b, kNow);
          std::lock_guard lock(mutex);
          if (reply)
            replies.push_back(*reply);
          else
            failures.push_back(reply.message());
        }
      });
    for (auto& t : threads) t.join();
  }
  INFO((failures.empty() ? "" : failures.front()));
  REQUIRE(failures.empty());

  std::int64_t stored = 0, duplicates = 0;
  std::map<std::string, int> quarantined;
  for (const auto& r : replies) {
    stored += r.stored;
    duplicates += r.duplicates;
    for (const auto& id : r.quarantined) ++quarantined[id];
  }
  constexpr int kDistinct = 450, kContested = 100, kSent = 2 * 400 + 2 * 150;
  CHECK(stored == kRounds * kDistinct);
  CHECK(total_answers(one) == kRounds * kDistinct);
  // A contested id is held by one device; both sends of the other are quarantined.
  CHECK(quarantined.size() == static_cast<std::size_t>(kRounds * kContested));
  CHECK(std::all_of(quarantined.begin(), quarantined.end(), [](const auto& q) { return q.second == 2; }));
  CHECK(duplicates == kRounds * (kSent - kDistinct - 2 * kContested));

  test::PgClient client(url);
  CHECK(client.number("SELECT count(*) FROM quarantine") == kRounds * 2 * kContested);
  // Nothing was quarantined that its own holder had sent.
  CHECK(client.number("SELECT count(*) FROM quarantine q JOIN answers a USING (uuid) WHERE q.device_id = a.device_id") == 0);
  CHECK(client.number("SELECT count(*) FROM batches") == static_cast<long long>(replies.size()));
}

TEST_CASE("postgresql: an enrolment code used through two servers at once enrols one kiosk", "[postgresql]") {
  std::string url = fresh_database();
  PgServerStore one(url), two(url);
  constexpr int kCodes = 20;
  for (int i = 0; i < 2 * kCodes; ++i) REQUIRE(one.add_enrol_code("Central Library", "code-" + std::to_string(i), kNow + kDay));

  auto race = [&](int code, const std::string& token_one, const std::string& token_two) {
    std::optional<Result<EnrolOutcome>> a, b;
    std::latch go(2);
    std::string c = "code-" + std::to_string(code);
    std::thread ta([&] {
      go.arrive_and_wait();
      a.emplace(one.enrol(keyed(c), "one-" + std::to_string(code), token_one, "desk", kNow));
    });
    std::thread tb([&] {
      go.arrive_and_wait();
      b.emplace(two.enrol(keyed(c), "two-" + std::to_string(code), token_two, "desk", kNow));
    });
    ta.join();
    tb.join();
    REQUIRE(*a);
    REQUIRE(*b);
    return std::make_pair(**a, **b);
  };
  for (int i = 0; i < kCodes; ++i) {
    auto [a, b] = race(i, "token-one-" + std::to_string(i), "token-two-" + std::to_string(i));
    CHECK((a.kind == EnrolOutcome::enrolled) != (b.kind == EnrolOutcome::enrolled));
    CHECK((a.kind == EnrolOutcome::used_code || b.kind == EnrolOutcome::used_code));
  }
  // The same kiosk retrying through the other server while its first try runs: one device.
  for (int i = kCodes; i < 2 * kCodes; ++i) {
    std::string token = "token-same-" + std::to_string(i);
    auto [a, b] = race(i, token, token);
    CHECK(a.kind == EnrolOutcome::enrolled);
    CHECK(b.kind == EnrolOutcome::enrolled);
    CHECK(a.device_id == b.device_id);
  }
  auto listed = two.devices();
  REQUIRE(listed);
  CHECK(listed->size() == 2 * kCodes);
}

TEST_CASE("postgresql: a schema 2 database's codes are marked unkeyed, and enrol and withdraw after the upgrade", "[postgresql]") {
  std::string url = fresh_database();
  {
    pg::Pool pool(url, {});
    auto lease = pool.acquire("build a schema 2 database");
    REQUIRE(lease);
    auto built = pg::apply_migrations(*lease, 2);
    INFO((built ? "" : built.message()));
    REQUIRE(built);
    REQUIRE(built->to_version == 2);
  }
  {
    test::PgClient client(url);
    client.query("INSERT INTO venues(name) VALUES('Old Library')");
    for (const std::string& code : {kOldCode, kLostOldCode})
      client.query("INSERT INTO enrol_codes(code_hash, venue_id, expires_at) SELECT $1, id, $2::bigint FROM venues",
                   {secret_hash(normalise_code(code)), std::to_string(kNow + kDay)});
  }
  PgServerStore store(url);
  test::PgClient client(url);
  CHECK(client.number("SELECT max(version) FROM schema_migrations") == postgres_schema_version());
  CHECK(client.query("SELECT string_agg(DISTINCT hash_kind, ',') FROM enrol_codes") == "unkeyed");
  check_codes_from_before_keyed_hashes(store);
  // Every code added since says what it is: the column has no default to fall back on.
  CHECK(client.number("SELECT count(*) FROM enrol_codes WHERE hash_kind = 'keyed'") == 1);
  CHECK(client.query("SELECT column_default IS NULL FROM information_schema.columns WHERE table_name = 'enrol_codes' AND column_name = "
                     "'hash_kind'") == "t");
}

TEST_CASE("postgresql: servers recording a code key check value at once agree on the first", "[postgresql]") {
  std::string url = fresh_database();
  constexpr int kServers = 4;
  std::vector<std::unique_ptr<PgServerStore>> servers;
  for (int i = 0; i < kServers; ++i) servers.push_back(std::make_unique<PgServerStore>(url));
  std::latch go(kServers);
  std::vector<std::string> recorded(kServers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i)
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      auto r = servers[static_cast<std::size_t>(i)]->record_code_key_check("check-" + std::to_string(i));
      recorded[static_cast<std::size_t>(i)] = r ? *r : "failed: " + r.message();
    });
  for (auto& t : threads) t.join();
  for (const auto& r : recorded) CHECK(r == recorded.front());
  CHECK(recorded.front().rfind("check-", 0) == 0);
  CHECK(test::PgClient(url).number("SELECT count(*) FROM code_key") == 1);
}

TEST_CASE("postgresql: a revocation through one server holds on the other at once", "[postgresql]") {
  std::string url = fresh_database();
  PgServerStore one(url), two(url);
  std::string kiosk = enrol(one, "token-a");
  auto before = two.device_by_token("token-a");
  REQUIRE(before);
  REQUIRE(before->has_value());
  CHECK_FALSE((*before)->revoked);
  REQUIRE(*one.revoke(kiosk, kNow));
  auto after = two.device_by_token("token-a");
  REQUIRE(after);
  REQUIRE(after->has_value());
  CHECK((*after)->revoked);
  CHECK_FALSE(*two.revoke(kiosk, kNow));  // already revoked, whichever server is asked
}

TEST_CASE("postgresql: servers migrating at the same moment apply each migration once", "[postgresql]") {
  std::string url = fresh_database();
  {
    // status, stats and revoke do not migrate: a bare database is refused with the remedy.
    PgStoreOptions read_only;
    read_only.apply_migrations = false;
    try {
      PgServerStore refused(url, read_only);
      FAIL("a store that must not migrate opened a database without tables");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()).find("tenpoint-server migrate") != std::string::npos);
    }
  }
  constexpr int kServers = 4;
  std::latch go(kServers);
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i)
    threads.emplace_back([&] {
      go.arrive_and_wait();
      try {
        PgServerStore store(url);
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        failures.push_back(e.what());
      }
    });
  for (auto& t : threads) t.join();
  INFO((failures.empty() ? "" : failures.front()));
  CHECK(failures.empty());

  test::PgClient client(url);
  CHECK(client.number("SELECT max(version) FROM schema_migrations") == postgres_schema_version());
  CHECK(client.number("SELECT count(*) FROM schema_migrations") == postgres_schema_version());
  auto again = migrate_postgres(url);
  REQUIRE(again);
  CHECK(again->from_version == postgres_schema_version());
  CHECK(again->to_version == postgres_schema_version());

  // A database migrated by a newer server is refused, not misread.
  client.query("INSERT INTO schema_migrations(version, description) VALUES(999, 'from the future')");
  auto newer = migrate_postgres(url);
  REQUIRE_FALSE(newer);
  CHECK(newer.message().find("upgrade tenpoint-server") != std::string::npos);
  CHECK_THROWS_WITH(PgServerStore(url), Catch::Contains("upgrade tenpoint-server"));
}

TEST_CASE("postgresql: a stopped database fails calls within seconds and the store recovers when it returns", "[postgresql][faults]") {
  std::string url = fresh_database();
  PgStoreOptions options;
  options.connections = 2;
  options.connect_timeout = 2s;
  options.statement_timeout = 5s;
  PgServerStore store(url, options);
  std::string kiosk = enrol(store, "token-a");
  REQUIRE(store.add_enrol_code("Central Library", "code-later", kNow + kDay));
  REQUIRE(store.ingest(kiosk, batch(answers(0, 10)), kNow)->stored == 10);

  cluster().crash();
  // Later cases in this process need the server back even if a check below stops this one.
  struct RestartOnExit {
    bool needed = true;
    ~RestartOnExit() {
      if (needed) cluster().start();
    }
  } restart;
  auto started = std::chrono::steady_clock::now();
  auto reply = store.ingest(kiosk, batch(answers(10, 20)), kNow);
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(reply);
  INFO(reply.message());
  CHECK(took < 5s);
  CHECK(reply.status().fault() == Fault::storage_unavailable);
  CHECK(reply.message().find("Unable to store a batch in " + store.description()) == 0);
  // Storage failing is never an answer: not "no such token", not "unknown code".
  CHECK_FALSE(store.device_by_token("token-a"));
  CHECK_FALSE(store.enrol(keyed("code-later"), "dev-2", "token-2", "desk", kNow));
  CHECK_FALSE(store.heartbeat(kiosk, wire::Heartbeat{}, kNow));
  CHECK_FALSE(store.revoke(kiosk, kNow));
  CHECK_FALSE(store.devices());
  CHECK_FALSE(store.answer_counts());

  restart.needed = false;
  cluster().start();
  auto recovered = store.ingest(kiosk, batch(answers(10, 20)), kNow);
  INFO((recovered ? "" : recovered.message()));
  REQUIRE(recovered);
  CHECK(recovered->stored == 10);
  auto found = store.device_by_token("token-a");
  REQUIRE(found);
  CHECK(found->has_value());
  CHECK(total_answers(store) == 20);
}

TEST_CASE("postgresql: a statement stuck behind a lock fails after the statement timeout", "[postgresql][faults]") {
  std::string url = fresh_database();
  PgStoreOptions options;
  options.statement_timeout = 1s;
  PgServerStore store(url, options);
  std::string kiosk = enrol(store, "token-a");

  test::PgClient locker(url);
  locker.query("BEGIN");
  locker.query("LOCK TABLE answers IN ACCESS EXCLUSIVE MODE");
  auto started = std::chrono::steady_clock::now();
  auto reply = store.ingest(kiosk, batch(answers(0, 5)), kNow);
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(reply);
  INFO(reply.message());
  CHECK(reply.message().find("statement timeout") != std::string::npos);
  CHECK(took >= 1s);
  CHECK(took < 5s);
  locker.query("ROLLBACK");

  auto later = store.ingest(kiosk, batch(answers(0, 5)), kNow);
  REQUIRE(later);
  CHECK(later->stored == 5);
}

TEST_CASE("postgresql URL: messages name the database and never the password", "[postgresql-url]") {
  auto described = describe_postgres_url("postgresql://kiosk:s3cret@db.example.org:5433/tenpoint?sslmode=require");
  REQUIRE(described);
  CHECK(*described == "PostgreSQL database tenpoint on db.example.org:5433");
  CHECK_FALSE(describe_postgres_url("postgresql://db.example.org/tenpoint?no_such_option=1"));
  try {
    PgStoreOptions options;
    options.connect_timeout = 2s;
    PgServerStore store("postgresql://kiosk:s3cret@/tenpoint?host=/nonexistent-tenpoint-socket-dir", options);
    FAIL("connected to a server that does not exist");
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    INFO(message);
    CHECK(message.find("s3cret") == std::string::npos);
    CHECK(message.find("PostgreSQL database tenpoint on /nonexistent-tenpoint-socket-dir") != std::string::npos);
    CHECK(message.find("cannot connect") != std::string::npos);
  }
}

// [SECTION] main: skip, rather than pass, when PostgreSQL cannot run here

int main(int argc, char* argv[]) {
  return test::run_with_postgres(argc, argv, [] { g_cluster.reset(); });
}
