// `tenpoint-server import` (import_command.h) on both backends: offline
// enrolment from a signed reply, a kiosk's USB bundle imported exactly once
// (twice over, and on top of the same answers sent over the network), and
// the refusals: a changed answers file, a changed manifest, a kiosk the
// server does not know, a revoked one. Files are made with the same code
// the kiosk uses (bundle.h, device_key.h), in scratch folders.
//
// Without PostgreSQL, a run that selects any PostgreSQL case exits with 77
// before running anything, so ctest shows it skipped, never passed.
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

#include "bundle.h"
#include "code_key_file.h"
#include "device_key.h"
#include "import_command.h"
#include "open_store.h"
#include "postgres.h"
#include "postgres_main.h"
#include "secrets.h"
#include "server_store.h"
#include "signed_set.h"
#include "support.h"

using namespace tp;
using namespace tp::server;

namespace {

std::unique_ptr<test::PostgresCluster> g_cluster;

std::string unique_name(const char* prefix) {
  static int serial = 0;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(++serial);
}

struct SQLite {
  static StoreLocation make() {
    StoreLocation where;
    where.data_dir = test::scratch_dir(unique_name("import_"));
    return where;
  }
};

struct PostgreSQL {
  static StoreLocation make() {
    if (!g_cluster) g_cluster = std::make_unique<test::PostgresCluster>();
    StoreLocation where;
    where.database_url = g_cluster->create_database(unique_name("i"));
    where.secrets_dir = test::scratch_dir(unique_name("import_secrets_"));
    return where;
  }
};

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

StoredAnswer answer(int kiosk, int i) {
  StoredAnswer s;
  s.seq = i + 1;
  char uuid[48];
  std::snprintf(uuid, sizeof uuid, "%08d-0000-4000-8000-%012d", kiosk, i);
  s.answer.uuid = uuid;
  s.answer.set_id = "library-demo";
  s.answer.set_version = 1;
  s.answer.question_id = "library";
  s.answer.session_id = "visit-" + std::to_string(i);
  s.answer.language = "en";
  s.answer.score = i % 11;
  s.answer.stamp = {1764500400 - i * 60, true, "boot", 1000 + i};
  return s;
}

// A kiosk's bundle folder holding `answers`, signed by `key`.
void make_bundle(const std::string& dir, const std::vector<StoredAnswer>& answers, const DeviceKey& key, std::int64_t made_at) {
  std::filesystem::create_directories(dir);
  bundle::Manifest m;
  m.device_key = key.public_base64();
  m.venue = "Hill Top";
  m.made_at = made_at;
  m.answers = static_cast<std::int64_t>(answers.size());
  std::string lines;
  for (std::size_t i = 0; i < answers.size(); i += bundle::kBundleBatchAnswers) {
    wire::Batch b{bundle::bundle_batch_id(m, m.batches++), {}};
    for (std::size_t k = i; k < std::min(answers.size(), i + bundle::kBundleBatchAnswers); ++k) b.answers.push_back(answers[k]);
    lines += wire::encode(b) + "\n";
  }
  m.first_seq = answers.empty() ? 0 : answers.front().seq;
  m.last_seq = answers.empty() ? 0 : answers.back().seq;
  bundle::Sha256 h;
  h.update(lines);
  m.files.push_back({bundle::kAnswersFile, lines.size(), h.hex()});
  write(dir + "/" + bundle::kAnswersFile, lines);
  const std::string manifest = bundle::encode_manifest(m);
  write(dir + "/" + bundle::kManifestFile, manifest);
  write(dir + "/" + bundle::kSignatureFile, bundle::sign_manifest(manifest, key));
}

std::int64_t answers_held(ServerStore& store) {
  auto counts = store.answer_counts();
  REQUIRE(counts);
  std::int64_t n = 0;
  for (const auto& c : *counts) n += c.answers;
  return n;
}

// Enrols a kiosk offline: enrol.json from the server, the reply signed by the
// kiosk's key, imported. Returns the kiosk's key.
DeviceKey enrol_offline(const StoreLocation& where, const std::string& dir) {
  auto store = open_store(where, {.apply_migrations = true});
  const std::string code = new_enrol_code();
  REQUIRE(store->add_enrol_code("Hill Top", open_code_key(*store, where).code_hash(code), std::int64_t{std::time(nullptr)} + 86400 * 30));
  REQUIRE(write_enrol_file(dir + "/enrol.json", "Hill Top", code, 1764500400, "").empty());
  CHECK(write_enrol_file(dir + "/enrol.json", "Hill Top", code, 1764500400, "") != "");  // never replaced
  auto file = bundle::decode_enrol_file(read(dir + "/enrol.json"));
  REQUIRE(std::holds_alternative<bundle::EnrolFile>(file));
  CHECK(std::get<bundle::EnrolFile>(file).code == code);
  CHECK((std::filesystem::status(dir + "/enrol.json").permissions() & std::filesystem::perms::others_read) == std::filesystem::perms::none);
  auto key = load_or_make_device_key(test::scratch_dir(unique_name("kiosk_data_")));
  REQUIRE(key);
  write(dir + "/enrol-reply.json", bundle::encode_enrol_reply({code, "desk by the door", "", 1764500400}, *key));
  REQUIRE(import_from_stick(where, dir + "/enrol-reply.json") == 0);
  CHECK(import_from_stick(where, dir + "/enrol-reply.json") == 0);  // again: enrolled already, nothing changes
  auto devices = store->devices();
  REQUIRE(devices);
  REQUIRE(devices->size() == 1);
  CHECK(devices->front().has_device_key);
  CHECK(devices->front().venue == "Hill Top");
  CHECK(devices->front().name == "desk by the door");
  return *key;
}

}  // namespace

TEMPLATE_TEST_CASE("import: a kiosk enrolled from a stick, its bundle imported exactly once", "", SQLite, PostgreSQL) {
  StoreLocation where = TestType::make();
  const std::string stick = test::scratch_dir(unique_name("stick_"));
  DeviceKey key = enrol_offline(where, stick);
  auto store = open_store(where, {.apply_migrations = false});

  std::vector<StoredAnswer> answers;
  for (int i = 0; i < 2500; ++i) answers.push_back(answer(7, i));
  const std::string export_folder = stick + "/Hill Top 2025-11-30";
  make_bundle(export_folder + "/" + bundle::kBundleFolder, answers, key, 1764500000);

  SECTION("twice over: the second import stores nothing") {
    REQUIRE(import_from_stick(where, export_folder) == 0);
    CHECK(answers_held(*store) == 2500);
    REQUIRE(import_from_stick(where, export_folder + "/" + bundle::kBundleFolder) == 0);
    CHECK(answers_held(*store) == 2500);
    auto devices = store->devices();
    REQUIRE(devices);
    CHECK(devices->front().usb_seen_at);
    CHECK(devices->front().quarantined == 0);
  }
  SECTION("on top of answers that came over the network") {
    auto device = store->device_by_key(key.public_base64());
    REQUIRE(device);
    REQUIRE(*device);
    wire::Batch network{"net-1", {answers.begin(), answers.begin() + 700}};
    REQUIRE(store->ingest((*device)->id, network, 1764500400));
    REQUIRE(import_from_stick(where, export_folder) == 0);
    CHECK(answers_held(*store) == 2500);
    auto devices = store->devices();
    REQUIRE(devices);
    CHECK(devices->front().quarantined == 0);
  }
  SECTION("a changed answers file is refused, and nothing is stored") {
    std::string lines = read(export_folder + "/server-bundle/answers.jsonl");
    lines[lines.find("\"score\":3") + 8] = '4';
    write(export_folder + "/server-bundle/answers.jsonl", lines);
    CHECK(import_from_stick(where, export_folder) == 1);
    CHECK(answers_held(*store) == 0);
  }
  SECTION("a changed manifest is refused") {
    std::string manifest = read(export_folder + "/server-bundle/manifest.json");
    manifest.replace(manifest.find("\"answers\": 2500"), 15, "\"answers\": 2400");
    write(export_folder + "/server-bundle/manifest.json", manifest);
    CHECK(import_from_stick(where, export_folder) == 1);
    CHECK(answers_held(*store) == 0);
  }
  SECTION("a bundle from a kiosk the server does not know is refused") {
    auto stranger = load_or_make_device_key(test::scratch_dir(unique_name("stranger_")));
    REQUIRE(stranger);
    make_bundle(stick + "/other/server-bundle", answers, *stranger, 1764500000);
    CHECK(import_from_stick(where, stick + "/other") == 1);
    CHECK(answers_held(*store) == 0);
  }
  SECTION("a revoked kiosk's bundle is refused") {
    auto device = store->device_by_key(key.public_base64());
    REQUIRE(device);
    REQUIRE(*device);
    REQUIRE(store->revoke((*device)->id, 1764500400));
    CHECK(import_from_stick(where, export_folder) == 1);
    CHECK(answers_held(*store) == 0);
  }
}

TEMPLATE_TEST_CASE("import: a reply whose signature does not match its body is refused", "", SQLite, PostgreSQL) {
  StoreLocation where = TestType::make();
  auto store = open_store(where, {.apply_migrations = true});
  const std::string code = new_enrol_code();
  REQUIRE(store->add_enrol_code("Hill Top", open_code_key(*store, where).code_hash(code), std::int64_t{std::time(nullptr)} + 86400 * 30));
  auto key = load_or_make_device_key(test::scratch_dir(unique_name("kiosk_data_")));
  REQUIRE(key);
  const std::string dir = test::scratch_dir(unique_name("stick_"));
  // Another kiosk's name put into a reply signed for the first.
  std::string reply = bundle::encode_enrol_reply({code, "desk", "", 1764500400}, *key);
  auto other = bundle::encode_enrol_reply({code, "evil", "", 1764500400}, *key);
  const auto body_at = reply.find("\"body\": ");
  const auto other_at = other.find("\"body\": ");
  reply.replace(body_at, reply.find(',', body_at) - body_at, other.substr(other_at, other.find(',', other_at) - other_at));
  write(dir + "/enrol-reply.json", reply);
  CHECK(import_from_stick(where, dir + "/enrol-reply.json") == 1);
  auto devices = store->devices();
  REQUIRE(devices);
  CHECK(devices->empty());
}

TEST_CASE("import: the network registers a kiosk's key once, and the wire carries it") {
  wire::EnrolRequest e{"ABCD-EFGH-JKMN", "desk", "tp1." + std::string(40, 'a'), encode_base64(std::string(32, 'k'))};
  auto back = wire::decode_enrol_request(wire::encode(e));
  REQUIRE(std::holds_alternative<wire::EnrolRequest>(back));
  CHECK(std::get<wire::EnrolRequest>(back).device_key == e.device_key);
  e.device_key = "not a key";
  CHECK(std::holds_alternative<std::string>(wire::decode_enrol_request(wire::encode(e))));
}

int main(int argc, char* argv[]) {
  return test::run_with_postgres(argc, argv, [] { g_cluster.reset(); });
}
