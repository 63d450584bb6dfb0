// The `tenpoint` command line, run as a real process.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "data_paths.h"
#include "kiosk_store.h"
#include "pin.h"
#include "scrub.h"
#include "signed_set_files.h"
#include "support.h"

namespace {

struct Run {
  int code = -1;
  std::string out;  // standard output and error together
};

Run run(const std::string& args) {
  Run r;
  std::string cmd = std::string(TENPOINT_CLI_PATH) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST_CASE("questions validate: ok for the demo, FILE:LINE:COLUMN for a broken set", "[cli]") {
  Run ok = run("questions validate " + tp::test::demo_set_path());
  CHECK(ok.code == 0);
  CHECK(ok.out.find("ok (library-demo v1") != std::string::npos);

  std::string dir = tp::test::scratch_dir("cli_validate");
  std::string bad = tp::test::read_file(tp::test::demo_set_path());
  bad.replace(bad.find("\"max\": 10"), 9, "\"max\": \"10\"");
  tp::test::write_file(dir + "/bad.json", bad);
  Run r = run("questions validate " + dir + "/bad.json");
  CHECK(r.code == 1);
  CHECK(r.out.find(dir + "/bad.json:21:14: \"max\" must be a number, not a string") != std::string::npos);

  Run missing = run("questions validate " + dir + "/nope.json");
  CHECK(missing.code == 1);
  CHECK(missing.out.find("unable to read the file") != std::string::npos);
}

TEST_CASE("simulate then stats, as a table and as JSON", "[cli]") {
  std::string dir = tp::test::scratch_dir("cli_stats");
  Run sim = run("simulate --db " + dir + "/k.db --answers 500 --seed 7 --days 3");
  REQUIRE(sim.code == 0);
  CHECK(sim.out == "added 500 answers to " + dir + "/k.db\n");
  Run table = run("stats --db " + dir + "/k.db");
  CHECK(table.code == 0);
  CHECK(table.out.find("500 answers in") != std::string::npos);
  CHECK(table.out.find("library") != std::string::npos);
  Run json = run("stats --db " + dir + "/k.db --json");
  CHECK(json.code == 0);
  CHECK(json.out.find("\"total_answers\":500") != std::string::npos);
  CHECK(json.out.find("\"question\":\"library\"") != std::string::npos);
}

TEST_CASE("every command explains itself and bad use says what to do", "[cli]") {
  for (const char* cmd : {"--help", "questions validate --help", "stats --help", "simulate --help", "pin-hash --help"}) {
    Run r = run(cmd);
    INFO(cmd);
    CHECK(r.code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
  Run none = run("");
  CHECK(none.code != 0);
  Run no_db = run("stats --db /nonexistent/k.db");
  CHECK(no_db.code == 1);
  CHECK(no_db.out.find("Unable to open /nonexistent/k.db: no such file") != std::string::npos);
  Run bad_pin = run("pin-hash 12");
  CHECK(bad_pin.code == 1);
  CHECK(bad_pin.out.find("6 to 8 digits") != std::string::npos);
}

TEST_CASE("pin-hash makes an Argon2id hash of 6 to 8 digits, and refuses shorter PINs", "[cli]") {
  Run r = run("pin-hash 135790");
  CHECK(r.code == 0);
  CHECK(r.out.rfind("$argon2id$", 0) == 0);
  CHECK(tp::Argon2PinChecker(r.out.substr(0, r.out.find('\n'))).verify("135790"));
  for (const char* refused : {"2468", "24680", "123456789", "12345a"}) {
    INFO(refused);
    Run no = run(std::string("pin-hash ") + refused);
    CHECK(no.code == 1);
    CHECK(no.out.find("A staff PIN is 6 to 8 digits") != std::string::npos);
    CHECK(no.out.find("$argon2id$") == std::string::npos);
  }
}

// ---- questions install ------------------------------------------------------

namespace {

struct InstallPlace {
  std::string dir, data, config, delivered;
  tp::SetSigningKeys keys = tp::make_set_signing_keys();
};

// A kiosk's data folder holding its database (serial `recorded` accepted) and
// the server's key in set-key.pub, and a config that names neither.
InstallPlace install_place(const std::string& name, std::int64_t recorded) {
  InstallPlace p;
  p.dir = tp::test::scratch_dir(name);
  p.data = p.dir + "/data";
  p.config = p.dir + "/kiosk.json";
  p.delivered = tp::delivered_set_path(p.data);
  std::filesystem::create_directories(p.data);
  tp::test::write_file(p.config, "{\"question_set\": \"" + tp::test::demo_set_path() + "\"}\n");
  tp::test::write_file(tp::set_key_path(p.data), tp::encode_base64(p.keys.public_key) + "\n");
  tp::KioskStore store({p.data + "/kiosk.db", std::nullopt});
  REQUIRE(store.set_serials.record_accepted({recorded, "park", 1, 1764500400}));
  return p;
}

std::string park(std::int64_t serial, const tp::SetSigningKeys& keys, int version = 1) {
  return tp::test::signed_file(tp::test::small_set("park", version, "How well does this park work for you?"), serial, keys);
}

}  // namespace

TEST_CASE("questions install: a good file goes in place; each bad one is refused with its reason and exit 1", "[cli][signed]") {
  InstallPlace p = install_place("cli_install", 10);
  std::string file = p.dir + "/incoming.tpset";
  std::string args = " --config " + p.config + " --data " + p.data;
  tp::test::write_file(file, park(11, p.keys));
  Run ok = run("questions install " + file + args);
  INFO(ok.out);
  REQUIRE(ok.code == 0);
  CHECK(ok.out.find("Installed park v1 (serial 11) from " + file + "; the kiosk starts it at its next attract screen") !=
        std::string::npos);
  CHECK(ok.out.find("(written to " + p.delivered + ")") != std::string::npos);
  const std::string installed = tp::test::read_file(p.delivered);
  CHECK(installed == tp::test::read_file(file));

  tp::SetSigningKeys other = tp::make_set_signing_keys();
  std::string newer = park(12, p.keys, 2);
  const std::pair<std::string, std::string> refusals[] = {
      {park(12, other), "signed by another key"},
      {tp::test::replaced(newer, "\"serial\": 12", "\"serial\": 13"),
       "the signature does not match: the file was changed after it was signed"},
      {tp::test::replaced(newer, ",\n \"signature\": \"" + tp::test::member(newer, "signature") + "\"", ""), "it is not signed"},
      {park(11, p.keys), "replayed: serial 11 is the set already accepted"},
      {park(9, p.keys), "older than the set already accepted (serial 9, accepted 11)"},
      {tp::test::signed_file("{\"id\": \"park\"}", 12, p.keys), "the question set inside is invalid: 1:1: "},
      {"{\"format\": \"tenpoint-questions/1\"}", "not a signed question set: \"format\" is not \"tenpoint-signed-set/1\""},
      {std::string(tp::kMaxSignedSetFileBytes + 1, ' '), "is larger than 6144 KiB"},
  };
  for (const auto& [text, reason] : refusals) {
    tp::test::write_file(file, text);
    Run r = run("questions install " + file + args);
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.out.find("Refused " + file + ": ") == 0);
    CHECK(r.out.find(reason) != std::string::npos);
    CHECK(tp::test::read_file(p.delivered) == installed);
  }
  Run missing = run("questions install " + p.dir + "/nope.tpset" + args);
  CHECK(missing.code == 1);
  CHECK(missing.out == "Refused " + p.dir + "/nope.tpset: Unable to read " + p.dir + "/nope.tpset: No such file or directory\n");

  // The newer one is taken, over the database's serial and the file in place.
  tp::test::write_file(file, newer);
  CHECK(run("questions install " + file + args).code == 0);
  CHECK(tp::test::read_file(p.delivered) == newer);
}

TEST_CASE("questions install: the recorded serial counts even with no file in place", "[cli][signed]") {
  InstallPlace p = install_place("cli_install_recorded", 30);
  std::string file = p.dir + "/incoming.tpset";
  tp::test::write_file(file, park(20, p.keys));
  Run r = run("questions install " + file + " --config " + p.config + " --db " + p.data + "/kiosk.db");
  CHECK(r.code == 1);
  CHECK(r.out.find("older than the set already accepted (serial 20, accepted 30)") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(p.delivered));
}

TEST_CASE("questions install: no trusted key, a key from the config, no data folder, a bad config", "[cli][signed]") {
  InstallPlace p = install_place("cli_install_keys", 0);
  std::string file = p.dir + "/incoming.tpset";
  tp::test::write_file(file, park(1, p.keys));
  std::filesystem::remove(tp::set_key_path(p.data));
  Run keyless = run("questions install " + file + " --config " + p.config + " --data " + p.data);
  CHECK(keyless.code == 2);
  CHECK(keyless.out.find("Unable to check " + file + ": no trusted key: neither \"trusted_set_key\" in the kiosk config nor " + p.data +
                         "/set-key.pub") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(p.delivered));

  // The config's key wins over set-key.pub; here it is another key.
  tp::test::write_file(tp::set_key_path(p.data), tp::encode_base64(p.keys.public_key) + "\n");
  tp::SetSigningKeys other = tp::make_set_signing_keys();
  tp::test::write_file(p.config, "{\"question_set\": \"" + tp::test::demo_set_path() + "\", \"trusted_set_key\": \"" +
                                     tp::encode_base64(other.public_key) + "\"}\n");
  Run wrong = run("questions install " + file + " --config " + p.config + " --data " + p.data);
  CHECK(wrong.code == 1);
  CHECK(wrong.out.find("signed by another key") != std::string::npos);

  Run no_folder = run("questions install " + file + " --config " + p.config + " --data " + p.dir + "/nowhere");
  CHECK(no_folder.code == 2);
  CHECK(no_folder.out.find("there is no kiosk data folder " + p.dir + "/nowhere") != std::string::npos);

  tp::test::write_file(p.config, "{\"question_set\": 5}");
  Run bad_config = run("questions install " + file + " --config " + p.config + " --data " + p.data);
  CHECK(bad_config.code == 2);
  CHECK(bad_config.out.find(p.config + ":1:") == 0);
  CHECK_FALSE(std::filesystem::exists(p.delivered));

  Run help = run("questions install --help");
  CHECK(help.code == 0);
  CHECK(help.out.find("Exit 1: refused") != std::string::npos);
}

TEST_CASE("questions install: root is turned away from a kiosk folder another user owns", "[cli][signed]") {
  if (::geteuid() != 0) {
    WARN("not run: only root can hand a folder to another user");  // CI runs as root
    return;
  }
  InstallPlace p = install_place("cli_install_as_root", 0);
  std::string file = p.dir + "/incoming.tpset";
  tp::test::write_file(file, park(1, p.keys));
  REQUIRE(::chown(p.data.c_str(), 65534, 65534) == 0);  // nobody
  Run r = run("questions install " + file + " --config " + p.config + " --data " + p.data);
  CHECK(r.code == 2);
  CHECK(r.out.find("Unable to install as root into " + p.data + ", which belongs to ") == 0);
  CHECK_FALSE(std::filesystem::exists(p.delivered));
}

TEST_CASE("export: the three files in a new folder, exit 0; bad arguments exit 2, a refused stick exit 1", "[cli][export]") {
  std::string dir = tp::test::scratch_dir("cli_export");
  REQUIRE(run("simulate --db " + dir + "/k.db --answers 400 --seed 5 --days 20").code == 0);
  std::filesystem::create_directories(dir + "/stick");
  Run ok = run("export --db " + dir + "/k.db --to " + dir + "/stick --venue 'Central: West?'");
  INFO(ok.out);
  CHECK(ok.code == 0);
  CHECK(ok.out.find("Safe to remove the USB stick: 400 answers in " + dir + "/stick/Central- West- ") != std::string::npos);
  std::vector<std::filesystem::path> made;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/stick")) made.push_back(e.path());
  REQUIRE(made.size() == 1);
  for (const char* f : {"answers.csv", "report.html", "codebook.txt"}) CHECK(std::filesystem::is_regular_file(made[0] / f));

  Run since = run("export --db " + dir + "/k.db --to " + dir + "/stick --since 2025-13-01");
  CHECK(since.code == 2);
  CHECK(since.out.find("--since takes a date as YYYY-MM-DD") != std::string::npos);
  Run no_folder = run("export --db " + dir + "/k.db --to " + dir + "/nowhere");
  CHECK(no_folder.code == 2);
  CHECK(no_folder.out.find("there is no folder " + dir + "/nowhere") != std::string::npos);
  Run no_db = run("export --db " + dir + "/none.db --to " + dir + "/stick");
  CHECK(no_db.code == 2);
  CHECK_FALSE(std::filesystem::exists(dir + "/none.db"));
  std::filesystem::create_directories(dir + "/elsewhere");
  std::filesystem::create_directory_symlink(dir + "/elsewhere", dir + "/link");
  Run link = run("export --db " + dir + "/k.db --to " + dir + "/link");
  CHECK(link.code == 1);
  CHECK(link.out.find("symbolic link") != std::string::npos);
  CHECK(std::filesystem::is_empty(dir + "/elsewhere"));
}

TEST_CASE("notes scrub: lines in, scrubbed lines out, markers in the language asked for", "[cli][scrub]") {
  std::string dir = tp::test::scratch_dir("cli_scrub");
  tp::test::write_file(dir + "/notes.txt",
                       "Please ring me on 07700 900123 about the job club\n"
                       "Open 9 to 5, room 101, a 7 out of 10, 2 buses an hour\r\n"
                       "My name is Sarah, jo.bloggs@gmail.com, 12 Acacia Avenue, CF10 3AT\n"
                       "\n"
                       "card 4547 2749 0458 7345 \xff\n");
  Run en = run("notes scrub < " + dir + "/notes.txt");
  CHECK(en.code == 0);
  CHECK(en.out ==
        "Please ring me on [phone] about the job club\n"
        "Open 9 to 5, room 101, a 7 out of 10, 2 buses an hour\n"
        "My name is [name], [email], [address], [postcode]\n"
        "\n"
        "card [number] \n");
  Run cy = run("notes scrub --language cy < " + dir + "/notes.txt");
  CHECK(cy.code == 0);
  CHECK(cy.out.find("Please ring me on [ffôn] about the job club\n") == 0);
  CHECK(cy.out.find("My name is [enw], [e-bost], [cyfeiriad], [cod post]\n") != std::string::npos);

  // The command and the kiosk share one function: the whole corpus agrees.
  std::ifstream corpus(tp::test::source_dir() + "/tests/data/scrub_corpus.tsv");
  std::string notes, expected;
  for (std::string line; std::getline(corpus, line);) {
    if (line.empty() || line[0] == '#' || line.rfind("en\t", 0) != 0) continue;
    std::string note = line.substr(3, line.find('\t', 3) - 3);
    notes += note + "\n";
    expected += tp::scrub_note(note, "en") + "\n";
  }
  tp::test::write_file(dir + "/corpus.txt", notes);
  Run all = run("notes scrub --language en < " + dir + "/corpus.txt");
  CHECK(all.code == 0);
  CHECK(all.out == expected);
  CHECK(all.out.find("07700") == std::string::npos);

  Run help = run("notes scrub --help");
  CHECK(help.code == 0);
  CHECK(help.out.find("[postcode]") != std::string::npos);
}
