// The enrolment-code key: keyed code hashes (secrets.h), and the key file
// with its check against the database (code_key_file.h): made once and
// private, refused when others can read it, when it is missing beside a
// database that needs it, or when it is another database's.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <latch>
#include <thread>
#include <vector>

#include "code_key_file.h"
#include "fakes/memory_server_store.h"
#include "secrets.h"
#include "sqlite_server_store.h"
#include "support.h"

using namespace tp;
using namespace tp::server;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// A SQLite server's data folder, with the store open.
struct DataFolder {
  std::string dir;
  StoreLocation where;
  SqliteServerStore store;
  explicit DataFolder(const std::string& name) : dir(test::scratch_dir(name)), where{dir, "", ""}, store(dir + "/server.db") {}
  std::string key_path() const { return dir + "/code-key"; }
};

}  // namespace

TEST_CASE("code key: a code's keyed hash depends on the key and not on how the code was typed", "[server][code-key]") {
  // Known answers pin the format: hashes already in databases must keep matching.
  std::string key_hex;
  for (int i = 0; i < 32; ++i) key_hex += "0123456789abcdef"[i >> 4] + std::string(1, "0123456789abcdef"[i & 15]);
  auto fixed = CodeKey::from_hex(key_hex);
  REQUIRE(fixed);
  CHECK(fixed->hex() == key_hex);
  CHECK(fixed->code_hash("ABCD-EFGH-JKMN") == "93f6dffadf3c6cb54ce9f4dbe5c472c195dd22b1cea173dae47857eff29ed6ef");
  CHECK(fixed->check_value() == "a9a294633082bcc3d3dcd239041ab08c5e2311c6ff4072b7a8ec335f207a929f");
  CHECK(secret_hash("ABCDEFGHJKMN") == "aa3f52669327d2990382b98376d4ffcb039223987c59d9cd04cecffbeef646c2");  // as before keyed hashes

  CodeHashes hashes = code_hashes(*fixed, "abcd efgh-jkmn");
  CHECK(hashes.keyed == fixed->code_hash("ABCD-EFGH-JKMN"));
  CHECK(hashes.unkeyed == secret_hash("ABCDEFGHJKMN"));
  CHECK(hashes.keyed != hashes.unkeyed);

  CodeKey other = CodeKey::generate();
  CHECK(other.hex() != fixed->hex());
  CHECK(other.code_hash("ABCD-EFGH-JKMN") != fixed->code_hash("ABCD-EFGH-JKMN"));
  CHECK(other.check_value() != fixed->check_value());
  CHECK(CodeKey::from_hex(other.hex())->code_hash("X") == other.code_hash("X"));
  CHECK_FALSE(CodeKey::from_hex(key_hex.substr(1)));
  CHECK_FALSE(CodeKey::from_hex(key_hex + "0"));
  CHECK_FALSE(CodeKey::from_hex(std::string(64, 'g')));
}

TEST_CASE("code key: made 0600 on first use, the same key afterwards, and its check value recorded", "[server][code-key]") {
  DataFolder data("code_key_first_use");
  ::umask(022);  // a permissive umask must not widen the key's mode
  CodeKey key = open_code_key(data.store, data.where);
  CHECK(mode_of(data.key_path()) == 0600);
  CHECK(test::read_file(data.key_path()) == key.hex() + "\n");
  auto recorded = data.store.code_key_check();
  REQUIRE(recorded);
  CHECK(*recorded == std::optional<std::string>(key.check_value()));
  CHECK(open_code_key(data.store, data.where).hex() == key.hex());
  // Nothing else is left in the folder (the file is written aside, then linked into place).
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data.dir))
    if (entry.path().filename().string().find("code-key") != std::string::npos) ++files;
  CHECK(files == 1);
}

TEST_CASE("code key: --secrets puts the key in its own private folder", "[server][code-key]") {
  DataFolder data("code_key_secrets_dir");
  StoreLocation where = data.where;
  where.secrets_dir = data.dir + "/secrets/tenpoint";
  CodeKey key = open_code_key(data.store, where);
  CHECK(test::read_file(where.secrets_dir + "/code-key") == key.hex() + "\n");
  CHECK(mode_of(where.secrets_dir) == 0700);
  CHECK_FALSE(std::filesystem::exists(data.key_path()));
}

TEST_CASE("code key: a key file other users can read or change is refused, with how to fix it", "[server][code-key]") {
  DataFolder data("code_key_mode");
  CodeKey key = open_code_key(data.store, data.where);
  for (unsigned mode : {0640u, 0604u, 0620u, 0660u, 0644u}) {
    INFO("mode " << std::oct << mode);
    REQUIRE(::chmod(data.key_path().c_str(), mode) == 0);
    CHECK_THROWS_WITH(open_code_key(data.store, data.where), Catch::Contains("other users on this machine can read or change it") &&
                                                                 Catch::Contains("Make it private: chmod 600 " + data.key_path()));
  }
  REQUIRE(::chmod(data.key_path().c_str(), 0400) == 0);  // read-only for its owner is private too
  CHECK(open_code_key(data.store, data.where).hex() == key.hex());
}

TEST_CASE("code key: another database's key is refused, naming the file and the database", "[server][code-key]") {
  DataFolder data("code_key_wrong");
  CodeKey key = open_code_key(data.store, data.where);
  std::string other = CodeKey::generate().hex();
  test::write_file(data.key_path(), other + "\n");
  CHECK_THROWS_WITH(open_code_key(data.store, data.where),
                    Catch::Contains("The code key in " + data.key_path() + " does not match the database " + data.dir + "/server.db"));
  // Nothing was replaced: the wrong file stays as it was, and the database still knows the right key.
  CHECK(test::read_file(data.key_path()) == other + "\n");
  test::write_file(data.key_path(), key.hex() + "\n");
  CHECK(open_code_key(data.store, data.where).hex() == key.hex());
}

TEST_CASE("code key: a missing key file beside a database that has one recorded is refused, and no new key is made", "[server][code-key]") {
  DataFolder data("code_key_missing");
  open_code_key(data.store, data.where);
  std::filesystem::remove(data.key_path());
  CHECK_THROWS_WITH(open_code_key(data.store, data.where),
                    Catch::Contains("No code key at " + data.key_path()) && Catch::Contains("were made with one"));
  CHECK_FALSE(std::filesystem::exists(data.key_path()));
}

TEST_CASE("code key: a file that holds no key is refused", "[server][code-key]") {
  DataFolder data("code_key_damaged");
  open_code_key(data.store, data.where);
  for (const std::string& text : std::vector<std::string>{"", "not a key\n", std::string(64, 'z'), CodeKey::generate().hex().substr(2)}) {
    test::write_file(data.key_path(), text);
    CHECK_THROWS_WITH(open_code_key(data.store, data.where), Catch::Contains("does not hold a key (64 hex digits)"));
  }
}

TEST_CASE("code key: PostgreSQL without --secrets is refused before anything is made", "[server][code-key]") {
  StoreLocation where{"", "postgresql://tenpoint@db.example.org/tenpoint", ""};
  CHECK(check_secrets_location(where).find("--secrets DIR") != std::string::npos);
  test::MemoryServerStore store;
  CHECK_THROWS_WITH(open_code_key(store, where), Catch::Contains("--secrets DIR"));
  where.secrets_dir = "/etc/tenpoint-server";
  CHECK(check_secrets_location(where).empty());
  CHECK(check_secrets_location(StoreLocation{"/var/lib/tenpoint", "", ""}).empty());  // SQLite: the data folder
}

TEST_CASE("code key: processes starting at once on a new folder end up with one key", "[server][code-key]") {
  std::string dir = test::scratch_dir("code_key_race");
  StoreLocation where{dir, "", ""};
  { SqliteServerStore make(dir + "/server.db"); }
  constexpr int kProcesses = 6;
  std::latch go(kProcesses);
  std::vector<std::string> keys(kProcesses);
  std::vector<std::thread> threads;
  for (int i = 0; i < kProcesses; ++i)
    threads.emplace_back([&, i] {
      SqliteServerStore store(dir + "/server.db");
      go.arrive_and_wait();
      try {
        keys[static_cast<std::size_t>(i)] = open_code_key(store, where).hex();
      } catch (const std::exception& e) {
        keys[static_cast<std::size_t>(i)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& k : keys) CHECK(k == keys.front());
  CHECK(keys.front().size() == 64);
}

TEST_CASE("code key: a second server on the same database with its own folder and no key is refused", "[server][code-key]") {
  // Two servers sharing one database, the second set up without copying the
  // key: it must not make its own and turn away every code the first made.
  test::MemoryServerStore shared;
  std::string first = test::scratch_dir("code_key_shared_first"), second = test::scratch_dir("code_key_shared_second");
  StoreLocation one{"", "postgresql://tenpoint@db.example.org/tenpoint", first};
  StoreLocation two{"", "postgresql://tenpoint@db.example.org/tenpoint", second};
  CodeKey key = open_code_key(shared, one);
  CHECK_THROWS_WITH(open_code_key(shared, two), Catch::Contains("No code key at " + second + "/code-key") &&
                                                    Catch::Contains("PostgreSQL database tenpoint on db.example.org"));
  CHECK_FALSE(std::filesystem::exists(second + "/code-key"));
  std::filesystem::copy_file(first + "/code-key", second + "/code-key");
  CHECK(open_code_key(shared, two).hex() == key.hex());
}
