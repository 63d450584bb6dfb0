// Signed question sets: the format's round trip, every refusal, and the
// kiosk-side installing of a file (real files in a scratch folder).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "data_paths.h"
#include "kiosk_config.h"
#include "set_delivery.h"
#include "signed_set.h"
#include "signed_set_files.h"
#include "support.h"

using namespace tp;

namespace {

const SetSigningKeys& server_keys() {
  static const SetSigningKeys keys = make_set_signing_keys();
  return keys;
}

const SetSigningKeys& other_keys() {
  static const SetSigningKeys keys = make_set_signing_keys();
  return keys;
}

std::string demo_file(std::int64_t serial, int version = 1) {
  return test::signed_file(test::small_set("park", version, "How well does this park work for you?"), serial, server_keys());
}

OpenedSignedSet open(const std::string& file, std::int64_t current = 0, SerialRule rule = SerialRule::newer) {
  return open_signed_set(file, server_keys().public_key, current, rule);
}

// The refusal's kind, checked with its words in the report when it differs.
SetRefusal refusal_of(const OpenedSignedSet& r) {
  INFO("reason: " << r.reason);
  REQUIRE_FALSE(r);
  return r.refusal;
}

}  // namespace

TEST_CASE("a signed set opens with its serial and the exact bytes that were signed", "[signed]") {
  std::string set = test::small_set("park", 3, "How well does this park work for you?");
  std::string file = test::signed_file(set, 42, server_keys());
  CHECK(file.find("\"format\": \"tenpoint-signed-set/1\"") != std::string::npos);
  CHECK(decode_base64(test::member(file, "key")) == server_keys().public_key);

  OpenedSignedSet r = open(file, 41);
  INFO(r.reason);
  REQUIRE(r);
  CHECK(r.opened->serial == 42);
  CHECK(r.opened->set_bytes == set);
  CHECK(r.opened->set.id == "park");
  CHECK(r.opened->set.version == 3);
  CHECK(r.opened->set.questions.size() == 1);
  // The first set a kiosk ever sees (current serial 0) opens too.
  CHECK(open(file, 0));
}

TEST_CASE("base64 is standard and padded, and nothing else is read as base64", "[signed]") {
  for (std::string bytes : {std::string(), std::string("f"), std::string("fo"), std::string("foo"), std::string("\0\xff\x10", 3)}) {
    std::string text = encode_base64(bytes);
    CHECK(text.size() % 4 == 0);
    CHECK(decode_base64(text) == bytes);
  }
  CHECK(encode_base64("\xfb\xff") == "+/8=");
  CHECK_FALSE(decode_base64("-_8="));  // URL-safe alphabet
  CHECK_FALSE(decode_base64("Zm9v!"));
  CHECK_FALSE(decode_base64("Zm8"));  // padding missing
  CHECK_FALSE(decode_base64("Zm9v Zm9v"));
  CHECK(decode_set_public_key(" " + encode_base64(server_keys().public_key) + "\n") == server_keys().public_key);
  CHECK_FALSE(decode_set_public_key(encode_base64("too short")));
}

TEST_CASE("sign_set refuses a serial out of range, a wrong key and an oversized set", "[signed]") {
  CHECK_FALSE(sign_set("{}", 0, server_keys().secret_key));
  CHECK_FALSE(sign_set("{}", -5, server_keys().secret_key));
  CHECK_FALSE(sign_set("{}", kMaxSetSerial + 1, server_keys().secret_key));
  CHECK(sign_set("{}", kMaxSetSerial, server_keys().secret_key));
  Result<std::string> short_key = sign_set("{}", 1, server_keys().public_key);
  REQUIRE_FALSE(short_key);
  CHECK(short_key.message().find("secret key is 64 bytes") != std::string::npos);
  CHECK_FALSE(sign_set(std::string(kMaxSetBytes + 1, ' '), 1, server_keys().secret_key));
}

TEST_CASE("a changed byte of the set, or a changed serial, breaks the signature", "[signed]") {
  std::string file = demo_file(42);
  SECTION("one byte of the set") {
    std::string set = *decode_base64(test::member(file, "set"));
    set = test::replaced(set, "park work", "park wORk");
    std::string tampered = test::replaced(file, test::member(file, "set"), encode_base64(set));
    OpenedSignedSet r = open(tampered, 0);
    CHECK(refusal_of(r) == SetRefusal::tampered);
    CHECK(r.reason == "the signature does not match: the file was changed after it was signed");
  }
  SECTION("the serial") {
    // Raising the serial of an old set is the obvious way to replay it.
    CHECK(refusal_of(open(test::replaced(file, "\"serial\": 42", "\"serial\": 43"), 42)) == SetRefusal::tampered);
  }
  SECTION("a signature by another key under the trusted key's name") {
    std::string forged = test::signed_file(test::small_set("park", 9, "Forged"), 50, other_keys());
    forged = test::replaced(forged, test::member(forged, "key"), encode_base64(server_keys().public_key));
    CHECK(refusal_of(open(forged, 0)) == SetRefusal::tampered);
  }
}

TEST_CASE("an unsigned file, another key and no trusted key are each refused in their own words", "[signed]") {
  std::string file = demo_file(7);
  std::string signature_member = ",\n \"signature\": \"" + test::member(file, "signature") + "\"";
  OpenedSignedSet no_signature = open(test::replaced(file, signature_member, ""), 0);
  CHECK(refusal_of(no_signature) == SetRefusal::unsigned_set);
  CHECK(no_signature.reason == "it is not signed");
  CHECK(refusal_of(open(test::replaced(file, signature_member, ",\n \"signature\": \"\""), 0)) == SetRefusal::unsigned_set);
  CHECK(refusal_of(open(test::replaced(file, signature_member, ",\n \"signature\": null"), 0)) == SetRefusal::unsigned_set);

  std::string theirs = test::signed_file(test::small_set("park", 1, "Theirs"), 7, other_keys());
  OpenedSignedSet wrong = open(theirs, 0);
  CHECK(refusal_of(wrong) == SetRefusal::wrong_key);
  CHECK(describe_set_refusal(wrong.reason) == "Question set from the server refused: signed by another key");

  OpenedSignedSet keyless = open_signed_set(file, "", 0);
  CHECK(refusal_of(keyless) == SetRefusal::no_trusted_key);
}

TEST_CASE("a serial not above the current one is a replay or older, unless the kiosk re-opens its own", "[signed]") {
  std::string file = demo_file(42);
  OpenedSignedSet replay = open(file, 42);
  CHECK(refusal_of(replay) == SetRefusal::not_newer);
  CHECK(replay.reason == "replayed: serial 42 is the set already accepted");
  OpenedSignedSet older = open(file, 43);
  CHECK(refusal_of(older) == SetRefusal::not_newer);
  CHECK(older.reason == "older than the set already accepted (serial 42, accepted 43)");
  CHECK(open(file, 42, SerialRule::same_or_newer));
  CHECK(refusal_of(open(file, 43, SerialRule::same_or_newer)) == SetRefusal::not_newer);
}

TEST_CASE("a signed set whose question set is invalid is refused with the validator's messages", "[signed]") {
  std::string bad = test::replaced(test::small_set("park", 1, "How is it?"), "\"max\": 10", "\"max\": 50");
  OpenedSignedSet r = open(test::signed_file(bad, 5, server_keys()), 0);
  CHECK(refusal_of(r) == SetRefusal::invalid_set);
  REQUIRE_FALSE(r.problems.empty());
  CHECK(format_problems("set.json", r.problems) == "set.json:9:51: a scale has at most 11 steps (such as 0 to 10)\n");
  CHECK(r.reason == "the question set inside is invalid: 9:51: a scale has at most 11 steps (such as 0 to 10)");
  CHECK(r.serial == 5);
}

TEST_CASE("malformed files are refused as not a signed set, whatever is wrong with them", "[signed]") {
  std::string file = demo_file(42);
  const std::pair<const char*, std::string> cases[] = {
      {"empty", ""},
      {"not JSON", "tenpoint"},
      {"truncated", file.substr(0, file.size() / 2)},
      {"a list", "[1, 2]"},
      {"a question set, unsigned and unwrapped", test::small_set("park", 1, "Hi")},
      {"another format", test::replaced(file, "tenpoint-signed-set/1", "tenpoint-signed-set/2")},
      {"an unknown key", test::replaced(file, "\"serial\": 42", "\"serial\": 42, \"signed_at\": 1")},
      {"serial 0", test::replaced(file, "\"serial\": 42", "\"serial\": 0")},
      {"a negative serial", test::replaced(file, "\"serial\": 42", "\"serial\": -42")},
      {"a fractional serial", test::replaced(file, "\"serial\": 42", "\"serial\": 42.5")},
      {"a serial in quotes", test::replaced(file, "\"serial\": 42", "\"serial\": \"42\"")},
      {"a serial past 2^53", test::replaced(file, "\"serial\": 42", "\"serial\": 9007199254740993")},
      {"the set not base64", test::replaced(file, test::member(file, "set"), "not$base64")},
      {"the set missing", test::replaced(file, "\"set\": \"" + test::member(file, "set") + "\",", "")},
      {"a short signature", test::replaced(file, test::member(file, "signature"), encode_base64("short"))},
      {"a signature that is a number", test::replaced(file, "\"" + test::member(file, "signature") + "\"", "7")},
      {"the key missing", test::replaced(file, "\"key\": \"" + test::member(file, "key") + "\",", "")},
      {"a short key", test::replaced(file, test::member(file, "key"), encode_base64("short"))},
      {"invalid UTF-8", test::replaced(file, "tenpoint-signed-set/1", "tenpoint-signed-set/1\xff")},
  };
  for (const auto& [name, text] : cases) {
    INFO(name);
    OpenedSignedSet r = open(text, 0);
    INFO(r.reason);
    REQUIRE_FALSE(r);
    CHECK(r.refusal == SetRefusal::malformed);
    CHECK(r.reason.rfind("not a signed question set", 0) == 0);
  }
}

TEST_CASE("oversized files and sets are refused before they cost anything", "[signed]") {
  std::string file = demo_file(42);
  std::string huge = file;
  huge.insert(huge.size() - 2, std::string(kMaxSignedSetFileBytes, ' '));
  CHECK(refusal_of(open(huge, 0)) == SetRefusal::too_large);
  // A set just over its own limit inside a file under the file's limit.
  std::string big_set = encode_base64(std::string(kMaxSetBytes + 1, 'x'));
  REQUIRE(big_set.size() < kMaxSignedSetFileBytes - 1024);
  CHECK(refusal_of(open(test::replaced(file, test::member(file, "set"), big_set), 0)) == SetRefusal::too_large);
}

TEST_CASE("the config holds a trusted key and the folders searched for USB sticks", "[signed][config]") {
  std::string key = encode_base64(server_keys().public_key);
  KioskConfig c = parse_kiosk_config("{\"question_set\": \"q.json\", \"trusted_set_key\": \"" + key + "\"}", "k.json", "/etc/tenpoint");
  CHECK(c.trusted_set_key == server_keys().public_key);
  CHECK(c.usb_media_dirs == std::vector<std::string>{"/media", "/run/media", "/mnt"});
  c = parse_kiosk_config(R"({"question_set": "q.json", "usb_media_dirs": ["/srv/usb"]})", "k.json", "/etc/tenpoint");
  CHECK(c.trusted_set_key.empty());
  CHECK(c.usb_media_dirs == std::vector<std::string>{"/srv/usb"});
  CHECK_THROWS_WITH(parse_kiosk_config(R"({"question_set": "q.json", "trusted_set_key": "abc"})", "k.json", "/"),
                    "k.json:1:47: \"trusted_set_key\" must be the base64 of a 32-byte Ed25519 public key");
  CHECK_THROWS_WITH(parse_kiosk_config(R"({"question_set": "q.json", "usb_media_dirs": ["media"]})", "k.json", "/"),
                    "k.json:1:47: each of \"usb_media_dirs\" must be an absolute path, such as /media");
}

// ---- on the kiosk's disk ---------------------------------------------------

TEST_CASE("the trusted key comes from the config, else from set-key.pub in the data folder", "[signed][delivery]") {
  std::string dir = test::scratch_dir("signed_trusted_key");
  KioskConfig config;
  TrustedSetKey none = find_trusted_set_key(config, dir);
  CHECK(none.key.empty());
  CHECK(none.problem.find(dir + "/set-key.pub") != std::string::npos);

  test::write_file(set_key_path(dir), "not a key\n");
  TrustedSetKey bad = find_trusted_set_key(config, dir);
  CHECK(bad.key.empty());
  CHECK(bad.problem == dir + "/set-key.pub does not hold the base64 of a 32-byte Ed25519 public key");

  test::write_file(set_key_path(dir), encode_base64(server_keys().public_key) + "\n");
  CHECK(find_trusted_set_key(config, dir).key == server_keys().public_key);
  config.trusted_set_key = other_keys().public_key;
  TrustedSetKey from_config = find_trusted_set_key(config, dir);
  CHECK(from_config.key == other_keys().public_key);
  CHECK(from_config.source == "the config's trusted_set_key");
}

TEST_CASE("install writes a good file in place and leaves the current one untouched on every refusal", "[signed][delivery]") {
  std::string dir = test::scratch_dir("signed_install");
  std::string source = dir + "/incoming.tpset";
  std::string delivered = delivered_set_path(dir);
  test::write_file(source, demo_file(10));
  SetInstallResult first = install_signed_set(source, dir, server_keys().public_key, 0);
  INFO(first.message);
  REQUIRE(first.installed);
  CHECK(first.serial == 10);
  CHECK(test::read_file(delivered) == test::read_file(source));
  CHECK(first.message == "Installed park v1 (serial 10) from " + source + "; the kiosk starts it at its next attract screen");
  const std::string installed = test::read_file(delivered);

  struct Case {
    const char* name;
    std::string text;
    std::int64_t recorded;
    SetRefusal kind;
  };
  std::string valid = demo_file(20, 2);
  const Case cases[] = {
      {"another key", test::signed_file(test::small_set("park", 2, "Theirs"), 20, other_keys()), 0, SetRefusal::wrong_key},
      {"tampered", test::replaced(valid, "\"serial\": 20", "\"serial\": 21"), 0, SetRefusal::tampered},
      {"unsigned", test::replaced(valid, ",\n \"signature\": \"" + test::member(valid, "signature") + "\"", ""), 0,
       SetRefusal::unsigned_set},
      {"the serial already in place", demo_file(10), 0, SetRefusal::not_newer},
      {"older than the file in place", demo_file(9), 0, SetRefusal::not_newer},
      {"older than the recorded serial", valid, 25, SetRefusal::not_newer},
      {"an invalid set", test::signed_file("{}", 30, server_keys()), 0, SetRefusal::invalid_set},
      {"not a signed set", "{\"id\": 1}", 0, SetRefusal::malformed},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    test::write_file(source, c.text);
    SetInstallResult r = install_signed_set(source, dir, server_keys().public_key, c.recorded);
    INFO(r.message);
    CHECK_FALSE(r.installed);
    REQUIRE(r.refusal);
    CHECK(*r.refusal == c.kind);
    CHECK(r.message.rfind("Refused " + source + ": ", 0) == 0);
    CHECK(test::read_file(delivered) == installed);
  }
  SetInstallResult missing = install_signed_set(dir + "/nope.tpset", dir, server_keys().public_key, 0);
  REQUIRE(missing.refusal);
  CHECK(*missing.refusal == SetRefusal::unreadable);
  CHECK(missing.message.find("No such file or directory") != std::string::npos);
  CHECK(test::read_file(delivered) == installed);

  // A newer one replaces it, with no temporary file left behind.
  test::write_file(source, valid);
  REQUIRE(install_signed_set(source, dir, server_keys().public_key, 0).installed);
  CHECK(test::read_file(delivered) == valid);
  for (const auto& e : std::filesystem::directory_iterator(dir)) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("install into a folder that cannot take the file fails as a write, not as a refusal", "[signed][delivery][faults]") {
  std::string dir = test::scratch_dir("signed_install_unwritable");
  test::write_file(dir + "/incoming.tpset", demo_file(3));
  SetInstallResult r = install_signed_set(dir + "/incoming.tpset", dir + "/no-such-folder", server_keys().public_key, 0);
  CHECK_FALSE(r.installed);
  CHECK_FALSE(r.refusal);
  CHECK(r.message.rfind("Unable to write " + dir + "/no-such-folder/question-set.tpset: ", 0) == 0);
}

TEST_CASE("a FIFO or a folder named like a set file is refused at once, never waited on", "[signed][delivery][faults]") {
  std::string dir = test::scratch_dir("signed_fifo");
  REQUIRE(::mkfifo((dir + "/pipe.tpset").c_str(), 0600) == 0);
  OpenedSignedSet r = open_signed_set_file(dir + "/pipe.tpset", server_keys().public_key, 0);
  CHECK(refusal_of(r) == SetRefusal::unreadable);
  CHECK(r.reason.find("not a regular file") != std::string::npos);
  std::filesystem::create_directories(dir + "/folder.tpset");
  CHECK(refusal_of(open_signed_set_file(dir + "/folder.tpset", server_keys().public_key, 0)) == SetRefusal::unreadable);
}

TEST_CASE("a USB stick: the newest valid set is installed, the others counted, hidden files passed over", "[signed][delivery]") {
  std::string dir = test::scratch_dir("signed_usb");
  std::string data = dir + "/data";
  std::string media = dir + "/media", run_media = dir + "/run-media";
  std::filesystem::create_directories(data);
  std::filesystem::create_directories(media + "/pi/STICK/sets");
  std::filesystem::create_directories(run_media + "/pi/OTHER/a/b/c");
  std::vector<std::string> roots{media, run_media, dir + "/mnt-missing"};

  SetInstallResult nothing = install_set_from_usb(roots, data, server_keys().public_key, 0);
  CHECK_FALSE(nothing.installed);
  CHECK(nothing.message ==
        "No question-set file (*.tpset) on a USB stick (looked in " + media + ", " + run_media + ", " + dir + "/mnt-missing)");

  test::write_file(media + "/pi/STICK/theirs.tpset", test::signed_file(test::small_set("park", 9, "Theirs"), 99, other_keys()));
  SetInstallResult refused = install_set_from_usb(roots, data, server_keys().public_key, 0);
  CHECK_FALSE(refused.installed);
  REQUIRE(refused.refusal);
  CHECK(*refused.refusal == SetRefusal::wrong_key);
  CHECK(refused.message == "theirs.tpset on the USB stick refused: signed by another key");

  test::write_file(media + "/pi/STICK/sets/old.tpset", demo_file(5));
  test::write_file(media + "/pi/STICK/NEW.TPSET", demo_file(8, 3));
  test::write_file(media + "/pi/STICK/._NEW.TPSET", "macOS resource fork");
  test::write_file(run_media + "/pi/OTHER/a/b/c/too-deep.tpset", demo_file(50));
  CHECK(find_set_files(roots) ==
        std::vector<std::string>{media + "/pi/STICK/NEW.TPSET", media + "/pi/STICK/sets/old.tpset", media + "/pi/STICK/theirs.tpset"});
  SetInstallResult r = install_set_from_usb(roots, data, server_keys().public_key, 0);
  INFO(r.message);
  REQUIRE(r.installed);
  CHECK(r.serial == 8);
  CHECK(r.source == media + "/pi/STICK/NEW.TPSET");
  CHECK(test::read_file(delivered_set_path(data)) == demo_file(8, 3));

  // Everything on the stick is now old news.
  SetInstallResult again = install_set_from_usb(roots, data, server_keys().public_key, 8);
  CHECK_FALSE(again.installed);
  CHECK(again.message.find("(and 2 more files refused)") != std::string::npos);
}
