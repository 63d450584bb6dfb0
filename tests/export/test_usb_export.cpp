// The USB export on real SQLite files and real folders: what the files hold
// (read back with Python's csv module and rendered in headless Chromium),
// FAT-safe names, and a hostile or failing stick: symbolic links planted, a
// read-only stick, a full one, one pulled mid-write, a real FAT image.
// Cases tagged [mount] need root and mount(8) (tmpfs), [vfat] also a kernel
// with vfat and loop devices; each tag runs as its own ctest entry and exits
// 77 where it cannot.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <variant>

#include "bundle.h"
#include "codebook.h"
#include "csv.h"
#include "device_key.h"
#include "html.h"
#include "json.h"
#include "kiosk_store.h"
#include "sqlite_answer_archive.h"
#include "support.h"
#include "usb_export.h"
#include "usb_sticks.h"
#include "wire.h"

using namespace tp;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kMonday = 1736121600;  // 6 January 2025, 00:00 UTC
constexpr std::int64_t kHour = 3600;

int run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
bool have(const std::string& program) { return run("command -v " + program + " >/dev/null 2>&1") == 0; }

// Times in the files are local: UTC here, so the expected hours are easy to write.
void use_utc() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

Answer answer(const std::string& visit, const std::string& question, std::int64_t at) {
  Answer a;
  a.uuid = answer_uuid();
  a.set_id = "library-demo";
  a.set_version = 1;
  a.question_id = question;
  a.session_id = visit;
  a.language = "en";
  a.stamp.unix_seconds = at;
  a.stamp.clock_trusted = true;
  a.stamp.boot_id = "0d4f7c9e-boot";
  a.stamp.monotonic_ms = 1000;
  return a;
}

// A database of known answers: scores, notes in groups both sides of the
// note threshold, choices, a rapid repeat, and notes written to hurt a
// spreadsheet or a CSV reader.
struct KnownDb {
  std::string path;
  std::vector<Answer> stored;
  std::vector<std::string> hidden_notes, shown_notes;
};

KnownDb make_known_db(const std::string& dir) {
  KnownDb k;
  k.path = dir + "/kiosk.db";
  KioskStore store({k.path, std::nullopt});
  const std::vector<std::string> hostile = {"=HYPERLINK(\"http://x\",\"click\")",
                                            "+1+2",
                                            "-3",
                                            "@SUM(A1)",
                                            "\ttabbed",
                                            "'=quoted already",
                                            "comma, \"quote\" and\r\nnew line",
                                            "Mae'r staff yn garedig \xE2\x80\x94 diolch",
                                            "'plain apostrophe"};
  std::vector<Answer> all;
  for (int i = 0; i < 40; ++i) {
    std::string visit = random_uuid();
    std::int64_t at = kMonday + (i % 5) * 86400 + (9 + i % 8) * kHour + (i % 4) * 900;
    Answer s = answer(visit, "library", at);
    // The demo set's bands are 0, 1-9 and 10: three notes after a 0 (under 8,
    // hidden), ten after a 10 (shown), the hostile ones after a 7.
    s.score = i < 3 ? 0 : i >= 20 && i < 30 ? 10 : i >= 11 && i < 20 ? 7 : 1 + i % 9;
    all.push_back(s);
    if (i < 3) {  // three notes after a low score: a group under 8, never in the report
      Answer t = answer(visit, "not_lower", at);
      t.text = "Hidden low note " + std::to_string(i);
      k.hidden_notes.push_back(*t.text);
      all.push_back(t);
    } else if (i >= 11 && i < 11 + static_cast<int>(hostile.size())) {
      Answer t = answer(visit, "not_lower", at);
      t.text = hostile[static_cast<std::size_t>(i - 11)];
      all.push_back(t);
    } else if (i >= 20 && i < 30) {
      Answer t = answer(visit, "not_lower", at);
      t.text = "Shown note " + std::to_string(i);
      k.shown_notes.push_back(*t.text);
      all.push_back(t);
    }
    if (i % 3 == 0) {
      Answer c = answer(visit, "often", at);
      c.choice = i % 2 ? "weekly" : "monthly";
      c.language = "cy";
      all.push_back(c);
    }
  }
  Answer rapid = answer(random_uuid(), "library", kMonday + 10 * kHour);
  rapid.score = 0;
  rapid.rapid_repeat = true;
  all.push_back(rapid);
  REQUIRE(store.answers.commit_many(all));
  k.stored = all;
  return k;
}

std::vector<Answer> read_all(const std::string& db) {
  SqliteAnswerArchive archive(db);
  Result<std::vector<Answer>> r = archive.all_answers(std::nullopt);
  REQUIRE(r);
  return *r;
}

// The database as it was: integrity_check ok and the very same answers.
void check_database_intact(const KnownDb& k) {
  CHECK(read_all(k.path) == read_all(k.path));  // readable twice, stable
  std::vector<Answer> now = read_all(k.path);
  REQUIRE(now.size() == k.stored.size());
  for (std::size_t i = 0; i < now.size(); ++i) CHECK(now[i] == k.stored[i]);
  SqliteDatabase db({k.path, std::nullopt});
  CHECK(db.integrity_check() == "ok");
}

// The same, for a database that also holds `extra` (an answer added after the known ones).
void check_database_intact_but(const KnownDb& k, const Answer& extra) {
  std::vector<Answer> now = read_all(k.path);
  REQUIRE(now.size() == k.stored.size() + 1);
  for (std::size_t i = 0; i < k.stored.size(); ++i) CHECK(now[i] == k.stored[i]);
  CHECK(now.back() == extra);
  SqliteDatabase db({k.path, std::nullopt});
  CHECK(db.integrity_check() == "ok");
}

ExportRequest request_for(const std::string& stick) {
  ExportRequest r;
  r.stick = stick;
  r.venue = "Central Library";
  r.sets = {test::demo_set()};
  r.now = kMonday + 60 * 86400 + 14 * kHour;  // 7 March 2025, 14:00
  return r;
}

std::string hour_of(std::int64_t at) {
  std::time_t t = static_cast<std::time_t>(at - at % kHour);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:00", &tm);
  return buf;
}

// What each line of answers.csv must say, as JSON for the Python check.
std::string expected_json(const std::vector<Answer>& answers, const std::string& venue) {
  QuestionSet set = test::demo_set();
  std::string out = "[";
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const Answer& a = answers[i];
    const Question* q = set.find(a.question_id);
    std::string type = !q ? "" : q->type == QuestionType::scale ? "scale" : q->type == QuestionType::text ? "text" : "choice";
    auto field = [&](const char* name, const std::string& value, bool last = false) {
      return json::quote(name) + ":" + json::quote(value) + (last ? "" : ",");
    };
    out += std::string(i ? "," : "") + "{" + field("answer_id", a.uuid) + field("visit_id", a.session_id) + field("venue", venue) +
           field("set_id", a.set_id) + field("set_version", std::to_string(a.set_version)) + field("question_id", a.question_id) +
           field("question_type", type) + field("language", a.language) + field("hour", hour_of(a.stamp.unix_seconds)) +
           field("score", a.score ? std::to_string(*a.score) : "") + field("choice", a.choice.value_or("")) +
           field("text", a.text.value_or("")) + field("rapid_repeat", a.rapid_repeat ? "yes" : "no", true) + "}";
  }
  return out + "]";
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- mounts, for the [mount] cases ------------------------------------------
struct Mount {
  std::string point;
  bool mounted = false;
  ~Mount() {
    if (mounted) run("umount -l '" + point + "' 2>/dev/null");
  }
};

// Root and a working mount(8), or the whole [mount] run is skipped.
void require_mounting(const std::string& dir) {
  if (::geteuid() != 0) {
    WARN(
        "not root: a tmpfs or loop-mounted stick cannot be made (chmod does not stop root in CI, so these cases need real mounts); "
        "skipping");
    std::exit(77);
  }
  fs::create_directories(dir + "/probe");
  if (run("mount -t tmpfs -o size=64k tmpfs '" + dir + "/probe' 2>/dev/null") != 0) {
    WARN("mount -t tmpfs is not allowed here (a container without CAP_SYS_ADMIN?); skipping");
    std::exit(77);
  }
  run("umount '" + dir + "/probe'");
}

void mount_tmpfs(Mount& m, const std::string& point, const std::string& size, bool read_only = false) {
  fs::create_directories(point);
  m.point = point;
  REQUIRE(run("mount -t tmpfs -o size=" + size + (read_only ? ",ro" : "") + " tmpfs '" + point + "'") == 0);
  m.mounted = true;
}

}  // namespace

TEST_CASE("fat_safe_name: forbidden characters, trailing dots and spaces, reserved names, length", "[export]") {
  CHECK(fat_safe_name("Central Library") == "Central Library");
  CHECK(fat_safe_name("A\\B/C:D*E?F\"G<H>I|J") == "A-B-C-D-E-F-G-H-I-J");
  CHECK(fat_safe_name("  Branch. . ") == "Branch");
  CHECK(fat_safe_name("tab\there\x01") == "tab-here-");
  CHECK(fat_safe_name("...") == "Tenpoint");
  CHECK(fat_safe_name("") == "Tenpoint");
  CHECK(fat_safe_name("CON") == "_CON");
  CHECK(fat_safe_name("nul.txt") == "_nul.txt");
  CHECK(fat_safe_name("com7") == "_com7");
  CHECK(fat_safe_name("COM10") == "COM10");
  CHECK(fat_safe_name("Llyfrgell Caerdydd \xE2\x80\x94 Canolog") == "Llyfrgell Caerdydd \xE2\x80\x94 Canolog");
  CHECK(fat_safe_name("bad\xFF\xFEutf8") == "badutf8");
  std::string long_welsh;
  for (int i = 0; i < 200; ++i) long_welsh += "\xC5\xB5";  // ŵ, two bytes each
  std::string cut = fat_safe_name(long_welsh);
  CHECK(cut.size() <= kFatMaxNameBytes);
  CHECK(cut.size() % 2 == 0);  // never half a character
}

TEST_CASE("find_usb_sticks: mount points at or two levels below a media folder, read-only noted", "[export]") {
  std::string dir = test::scratch_dir("export_sticks");
  // A mount table in the kernel's own format (as /proc/self/mountinfo writes it).
  test::write_file(dir + "/mountinfo",
                   "22 1 0:21 / /proc rw,relatime - proc proc rw\n"
                   "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
                   "60 27 8:17 / " +
                       dir +
                       "/media/kiosk/MY\\040STICK rw,nosuid - vfat /dev/sdb1 rw\n"
                       "61 27 8:33 / " +
                       dir +
                       "/media/LOCKED ro,nosuid - vfat /dev/sdc1 ro\n"
                       "62 27 8:49 / " +
                       dir +
                       "/media/a/b/TOO-DEEP rw - vfat /dev/sdd1 rw\n"
                       "63 27 0:50 / " +
                       dir + "/elsewhere rw - tmpfs tmpfs rw\n");
  for (const char* d : {"/media/kiosk/MY STICK", "/media/LOCKED", "/media/a/b/TOO-DEEP", "/elsewhere"}) fs::create_directories(dir + d);
  std::vector<UsbStick> sticks = find_usb_sticks({dir + "/media/"}, dir + "/mountinfo");
  REQUIRE(sticks.size() == 2);
  CHECK(sticks[0] == UsbStick{dir + "/media/LOCKED", true});
  CHECK(sticks[1] == UsbStick{dir + "/media/kiosk/MY STICK", false});
  CHECK(find_usb_sticks({dir + "/nothing-here"}, dir + "/mountinfo").empty());
  // A plain folder is not a stick, in the real table either.
  CHECK(find_usb_sticks({dir + "/media"}).empty());
}

TEST_CASE("the codebook describes every column of answers.csv and the texts of each set version in the data", "[export]") {
  for (const char* column : report::kAnswersCsvColumns) {
    INFO(column);
    CHECK_FALSE(codebook_column_description(column).empty());
  }
  std::vector<Answer> answers = {answer("v1", "library", kMonday), answer("v1", "gone", kMonday)};
  answers[1].set_id = "old-set";
  answers[1].set_version = 3;
  std::vector<QuestionSet> sets = {test::demo_set()};
  CodebookTally tally;
  for (const auto& a : answers) tally.add(a);
  std::string text = codebook_text({"Central", "2025-03-07 14:00", "UTC", "all answers", &tally, &sets});
  CHECK(contains(text, "library-demo version 1 (1 answer)"));
  CHECK(contains(text, "question [en]: On 0 to 10, how well"));
  CHECK(contains(text, "question [cy]:"));
  CHECK(contains(text, "option weekly [en]: Every week"));
  CHECK(contains(text, "old-set version 3 (1 answer)\n  The texts of this version are not on this kiosk. Questions answered: gone"));
}

TEST_CASE("python: every line of answers.csv parses back with Python's csv module to exactly the stored answers", "[.][python]") {
  if (!have("python3")) {
    WARN("python3 is not installed; skipping");
    std::exit(77);
  }
  use_utc();
  std::string dir = test::scratch_dir("export_python");
  KnownDb k = make_known_db(dir);
  fs::create_directories(dir + "/stick");
  SqliteAnswerArchive archive(k.path);
  ExportOutcome out = export_results(archive, request_for(dir + "/stick"));
  INFO(out.message);
  REQUIRE(out.ok);
  CHECK(out.folder == dir + "/stick/Central Library 2025-03-07");
  test::write_file(dir + "/expected.json", expected_json(k.stored, "Central Library"));
  CHECK(run("python3 " + test::source_dir() + "/tests/export/check_answers_csv.py '" + out.folder + "/answers.csv' '" + dir +
            "/expected.json'") == 0);
  // The spreadsheet never sees a formula: the raw bytes carry the apostrophe.
  std::string csv = test::read_file(out.folder + "/answers.csv");
  CHECK(contains(csv, ",\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\","));
  CHECK(contains(csv, ",'+1+2,"));
  CHECK(contains(csv, ",''=quoted already,"));
  check_database_intact(k);
}

TEST_CASE("export: three files in a new folder named by venue and date; a second export goes to \"(2)\"; the report keeps its rules",
          "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_files");
  KnownDb k = make_known_db(dir);
  fs::create_directories(dir + "/stick");
  std::vector<ExportProgress> steps;
  ExportRequest req = request_for(dir + "/stick");
  req.on_progress = [&](const ExportProgress& p) { steps.push_back(p); };
  SqliteAnswerArchive archive(k.path);
  ExportOutcome out = export_results(archive, req);
  INFO(out.message);
  REQUIRE(out.ok);
  CHECK(out.answers == static_cast<std::int64_t>(k.stored.size()));
  CHECK(contains(out.message, "Safe to remove the USB stick"));
  CHECK(entries(out.folder) == std::vector<std::string>{"answers.csv", "codebook.txt", "report.html"});
  // Progress only goes forward and ends at the whole.
  REQUIRE(steps.size() > 3);
  for (std::size_t i = 1; i < steps.size(); ++i)
    if (steps[i].total > 0 && steps[i - 1].total > 0) CHECK(steps[i].done >= steps[i - 1].done);
  CHECK(steps.back().done == steps.back().total);
  CHECK(steps.back().step == "Done");

  // The report page: small groups hidden, notes only from groups of 8 or more, A4 print rules.
  std::string html = test::read_file(out.folder + "/report.html");
  for (const auto& n : k.hidden_notes) CHECK_FALSE(contains(html, n));
  for (const auto& n : k.shown_notes) CHECK(contains(html, n));
  CHECK(contains(html, "fewer than 5"));
  CHECK(contains(html, "@page{size:A4 portrait;margin:15mm}"));
  CHECK_FALSE(contains(html, "<script"));
  // The staff's CSV carries every note; the codebook names the set's texts.
  std::string csv = test::read_file(out.folder + "/answers.csv");
  for (const auto& n : k.hidden_notes) CHECK(contains(csv, n));
  CHECK(contains(test::read_file(out.folder + "/codebook.txt"), "library-demo version 1 ("));

  // The same day again: a new folder, nothing overwritten.
  std::string first_csv = csv;
  ExportOutcome again = export_results(archive, request_for(dir + "/stick"));
  REQUIRE(again.ok);
  CHECK(again.folder == dir + "/stick/Central Library 2025-03-07 (2)");
  CHECK(test::read_file(out.folder + "/answers.csv") == first_csv);

  // --since: only answers from that local day on.
  ExportRequest since = request_for(dir + "/stick");
  since.since = parse_local_date("2025-01-09");
  REQUIRE(since.since);
  ExportOutcome later = export_results(archive, since);
  REQUIRE(later.ok);
  std::int64_t expected =
      std::count_if(k.stored.begin(), k.stored.end(), [](const Answer& a) { return a.stamp.unix_seconds >= kMonday + 3 * 86400; });
  CHECK(later.answers == expected);
  CHECK(contains(test::read_file(later.folder + "/codebook.txt"), "Period:    answers from 2025-01-09"));
  check_database_intact(k);
}

TEST_CASE("parse_local_date takes real dates as YYYY-MM-DD only", "[export]") {
  use_utc();
  CHECK(parse_local_date("2025-01-06") == kMonday);
  CHECK_FALSE(parse_local_date("2025-02-30"));
  CHECK_FALSE(parse_local_date("2025-1-6"));
  CHECK_FALSE(parse_local_date("06/01/2025"));
  CHECK_FALSE(parse_local_date("2025-01-06x"));
}

TEST_CASE("hostile stick: symbolic links at the stick, the folder name and a file name are never written through", "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_links");
  KnownDb k = make_known_db(dir);
  SqliteAnswerArchive archive(k.path);
  fs::create_directories(dir + "/stick");
  fs::create_directories(dir + "/outside");
  test::write_file(dir + "/outside/precious.txt", "keep me");

  SECTION("the stick's folder is itself a link: refused") {
    fs::create_directory_symlink(dir + "/outside", dir + "/link-stick");
    ExportOutcome out = export_results(archive, request_for(dir + "/link-stick"));
    CHECK_FALSE(out.ok);
    CHECK(contains(out.message, "symbolic link"));
    CHECK(entries(dir + "/outside") == std::vector<std::string>{"precious.txt"});
  }
  SECTION("a link planted at the folder's name: passed over, the export goes to \"(2)\"") {
    fs::create_directory_symlink(dir + "/outside", dir + "/stick/Central Library 2025-03-07");
    ExportOutcome out = export_results(archive, request_for(dir + "/stick"));
    REQUIRE(out.ok);
    CHECK(out.folder == dir + "/stick/Central Library 2025-03-07 (2)");
    CHECK(entries(dir + "/outside") == std::vector<std::string>{"precious.txt"});
    CHECK(fs::is_symlink(dir + "/stick/Central Library 2025-03-07"));
  }
  SECTION("a link planted at a file's final name while the export runs: refused, nothing written through it") {
    ExportRequest req = request_for(dir + "/stick");
    bool planted = false;
    req.on_progress = [&](const ExportProgress& p) {
      if (!planted && p.step.rfind("Writing report.html", 0) == 0) {
        fs::create_symlink(dir + "/outside/precious.txt", dir + "/stick/Central Library 2025-03-07/report.html");
        planted = true;
      }
    };
    ExportOutcome out = export_results(archive, req);
    CHECK(planted);
    CHECK_FALSE(out.ok);
    CHECK(contains(out.message, "report.html"));
    CHECK(contains(out.message, "already on the USB stick"));
    CHECK(test::read_file(dir + "/outside/precious.txt") == "keep me");
    // What the export made is gone; only the planted link is left.
    CHECK(entries(dir + "/stick/Central Library 2025-03-07") == std::vector<std::string>{"report.html"});
    CHECK(fs::is_symlink(dir + "/stick/Central Library 2025-03-07/report.html"));
  }
  check_database_intact(k);
}

TEST_CASE("pulled mid-write (the folder removed while report.html is written): a message, no file left, the database intact", "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_pulled");
  KnownDb k = make_known_db(dir);
  SqliteAnswerArchive archive(k.path);
  fs::create_directories(dir + "/stick");
  ExportRequest req = request_for(dir + "/stick");
  bool pulled = false;
  req.on_progress = [&](const ExportProgress& p) {
    if (!pulled && p.step == "Writing report.html") {
      fs::remove_all(dir + "/stick/Central Library 2025-03-07");
      pulled = true;
    }
  };
  ExportOutcome out = export_results(archive, req);
  CHECK(pulled);
  CHECK_FALSE(out.ok);
  CHECK(contains(out.message, "the USB stick was removed or stopped answering"));
  CHECK(contains(out.message, "The kiosk's answers are safe and unchanged."));
  CHECK_FALSE(contains(out.message, "Safe to remove"));
  CHECK(entries(dir + "/stick").empty());
  check_database_intact(k);
}

TEST_CASE("a file over the FAT limit is refused before the stick is touched", "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_fat_limit");
  KnownDb k = make_known_db(dir);
  SqliteAnswerArchive archive(k.path);
  fs::create_directories(dir + "/stick");
  ExportRequest req = request_for(dir + "/stick");
  req.max_file_bytes = 4096;  // stands in for 4 GiB: the same check, without writing 4 GiB
  ExportOutcome out = export_results(archive, req);
  CHECK_FALSE(out.ok);
  CHECK(contains(out.message, "answers.csv would be"));
  CHECK(contains(out.message, "more than a FAT USB stick holds in one file"));
  CHECK(entries(dir + "/stick").empty());
  check_database_intact(k);
}

TEST_CASE("a missing database is a message, and is not created", "[export]") {
  std::string dir = test::scratch_dir("export_no_db");
  fs::create_directories(dir + "/stick");
  SqliteAnswerArchive archive(dir + "/nope.db");
  ExportOutcome out = export_results(archive, request_for(dir + "/stick"));
  CHECK_FALSE(out.ok);
  CHECK(contains(out.message, "Unable to read the answers in " + dir + "/nope.db"));
  CHECK_FALSE(fs::exists(dir + "/nope.db"));
  CHECK(entries(dir + "/stick").empty());
}

TEST_CASE("chromium: the exported report renders in headless Chromium (screenshot kept)", "[.][chromium]") {
  const std::string chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) {
    WARN("chromium is not installed; skipping");
    std::exit(77);
  }
  use_utc();
  std::string dir = test::scratch_dir("export_chromium");
  KnownDb k = make_known_db(dir);
  fs::create_directories(dir + "/stick");
  SqliteAnswerArchive archive(k.path);
  ExportOutcome out = export_results(archive, request_for(dir + "/stick"));
  REQUIRE(out.ok);
  std::string shot = std::string(TENPOINT_TEST_OUTPUT) + "/export-report.png";
  fs::remove(shot);
  std::string command = "timeout 120 " + chromium + " --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run" +
                        " --user-data-dir=" + dir + "/profile --window-size=1000,2400 --screenshot=" + shot + " 'file://" + out.folder +
                        "/report.html' >" + dir + "/chromium.log 2>&1";
  CHECK(run(command) == 0);
  REQUIRE(fs::exists(shot));
  CHECK(fs::file_size(shot) > 20'000);  // a page with charts, not a blank one
  std::string pdf = std::string(TENPOINT_TEST_OUTPUT) + "/export-report.pdf";
  fs::remove(pdf);
  CHECK(run("timeout 120 " + chromium + " --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=" + dir +
            "/profile --print-to-pdf=" + pdf + " 'file://" + out.folder + "/report.html' >>" + dir + "/chromium.log 2>&1") == 0);
  CHECK(fs::exists(pdf));
}

// ---- [mount]: real read-only, full and unmounted sticks ---------------------

TEST_CASE("mount: a read-only stick is refused in words and nothing is written", "[.][mount]") {
  use_utc();
  std::string dir = test::scratch_dir("export_ro");
  require_mounting(dir);
  KnownDb k = make_known_db(dir);
  Mount stick;
  mount_tmpfs(stick, dir + "/media/STICK", "4m", true);
  CHECK(find_usb_sticks({dir + "/media"}) == std::vector<UsbStick>{{dir + "/media/STICK", true}});
  SqliteAnswerArchive archive(k.path);
  ExportOutcome out = export_results(archive, request_for(dir + "/media/STICK"));
  CHECK_FALSE(out.ok);
  CHECK(contains(out.message, "the USB stick is read-only"));
  CHECK(entries(dir + "/media/STICK").empty());
  check_database_intact(k);
}

TEST_CASE("mount: a full stick is refused before writing, and a stick that fills up mid-write leaves no file", "[.][mount]") {
  use_utc();
  std::string dir = test::scratch_dir("export_full");
  require_mounting(dir);
  KnownDb k = make_known_db(dir);
  SqliteAnswerArchive archive(k.path);
  {
    Mount tiny;
    mount_tmpfs(tiny, dir + "/tiny", "16k");
    ExportOutcome out = export_results(archive, request_for(dir + "/tiny"));
    CHECK_FALSE(out.ok);
    CHECK(contains(out.message, "the USB stick is full (the export needs"));
    CHECK(entries(dir + "/tiny").empty());
  }
  {
    Mount stick;
    mount_tmpfs(stick, dir + "/fills", "2m");
    ExportRequest req = request_for(dir + "/fills");
    bool filled = false;
    req.on_progress = [&](const ExportProgress& p) {
      if (!filled && p.step.rfind("Writing report.html", 0) == 0) {
        run("dd if=/dev/zero of='" + dir + "/fills/filler' bs=64k 2>/dev/null");  // until the stick is full
        filled = true;
      }
    };
    ExportOutcome out = export_results(archive, req);
    CHECK(filled);
    CHECK_FALSE(out.ok);
    CHECK(contains(out.message, "the USB stick is full"));
    CHECK(entries(dir + "/fills") == std::vector<std::string>{"filler"});
  }
  check_database_intact(k);
}

TEST_CASE("mount: a stick unmounted mid-write is noticed; nothing is said to be safe", "[.][mount]") {
  use_utc();
  std::string dir = test::scratch_dir("export_unmounted");
  require_mounting(dir);
  KnownDb k = make_known_db(dir);
  SqliteAnswerArchive archive(k.path);
  Mount stick;
  mount_tmpfs(stick, dir + "/media/STICK", "8m");
  ExportRequest req = request_for(dir + "/media/STICK");
  bool pulled = false;
  req.on_progress = [&](const ExportProgress& p) {
    // Lazily, as the kernel does when a busy stick is yanked: open files still take writes, the path is gone.
    if (!pulled && p.step.rfind("Writing codebook.txt", 0) == 0) {
      pulled = run("umount -l '" + dir + "/media/STICK'") == 0;
      stick.mounted = !pulled;
    }
  };
  ExportOutcome out = export_results(archive, req);
  CHECK(pulled);
  CHECK_FALSE(out.ok);
  CHECK(contains(out.message, "the folder is gone"));
  CHECK(entries(dir + "/media/STICK").empty());
  check_database_intact(k);
}

TEST_CASE("mount: a real FAT stick (loop-mounted vfat image): FAT-safe folder, verified files, then write-protected", "[.][vfat]") {
  use_utc();
  std::string dir = test::scratch_dir("export_vfat");
  require_mounting(dir);
  if (!have("mkfs.vfat")) {
    WARN("mkfs.vfat is not installed (Debian: dosfstools); skipping");
    std::exit(77);
  }
  KnownDb k = make_known_db(dir);
  REQUIRE(run("mkfs.vfat -C -n TENPOINT '" + dir + "/stick.img' 8192 >/dev/null") == 0);
  fs::create_directories(dir + "/media/TENPOINT");
  Mount stick;
  stick.point = dir + "/media/TENPOINT";
  if (run("mount -o loop '" + dir + "/stick.img' '" + stick.point + "' 2>/dev/null") != 0) {
    WARN("the FAT image cannot be loop-mounted here (no vfat in this kernel, or no loop devices); skipping");
    std::exit(77);
  }
  stick.mounted = true;
  SqliteAnswerArchive archive(k.path);
  ExportRequest req = request_for(stick.point);
  req.venue = "Caf\xC3\xA9: Main/Branch?.";
  ExportOutcome out = export_results(archive, req);
  INFO(out.message);
  REQUIRE(out.ok);
  CHECK(out.folder == stick.point + "/Caf\xC3\xA9- Main-Branch-. 2025-03-07");
  CHECK(entries(out.folder) == std::vector<std::string>{"answers.csv", "codebook.txt", "report.html"});
  std::string csv = test::read_file(out.folder + "/answers.csv");
  // Unmounted and mounted again: the stick itself holds the files.
  REQUIRE(run("umount '" + stick.point + "' && mount -o loop,ro '" + dir + "/stick.img' '" + stick.point + "'") == 0);
  CHECK(test::read_file(out.folder + "/answers.csv") == csv);
  ExportOutcome ro = export_results(archive, req);
  CHECK_FALSE(ro.ok);
  CHECK(contains(ro.message, "the USB stick is read-only"));
  check_database_intact(k);
}

// ---- streaming: the same bytes as the whole-file functions ------------------

TEST_CASE("streaming: answers.csv and report.html are the bytes the report library makes from every answer at once", "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_streaming_same");
  KnownDb k = make_known_db(dir);
  fs::create_directories(dir + "/stick");
  SqliteAnswerArchive archive(k.path);
  ExportRequest req = request_for(dir + "/stick");
  ExportOutcome out = export_results(archive, req);
  INFO(out.message);
  REQUIRE(out.ok);

  // Every answer as a row of its own, as the export made them before it streamed.
  std::vector<report::AnswerRow> rows;
  for (const auto& a : k.stored) rows.push_back(report::from_answer(a, req.venue));
  report::ReportFilter filter;
  filter.venue = req.venue;
  report::ReportOptions options;
  options.time_zone_name = "UTC";
  CHECK(test::read_file(out.folder + "/answers.csv") == report::report_csv(rows, req.sets, filter, options, report::CsvForm::answers));
  // Folded rows (and the scores of visits with notes) give the very same page.
  report::PageOptions page;
  page.title = "Tenpoint results: " + req.venue;
  page.note = "Exported from the kiosk on 2025-03-07 14:00 (UTC), all answers.";
  CHECK(test::read_file(out.folder + "/report.html") == report::report_page(report::build_report(rows, req.sets, filter, options), page));
}

TEST_CASE("streaming: a report of many notes prints the newest 200 per group, as the report library does from every answer at once",
          "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_streaming_notes");
  fs::create_directories(dir + "/stick");
  std::vector<Answer> all;
  // 260 visits scoring 5 (the band 1-9), each with a note, over ten weeks.
  for (int i = 0; i < 260; ++i) {
    const std::int64_t at = kMonday + (i % 10) * 7 * 86400 + (9 + i % 8) * kHour + (i % 4) * 900;
    std::string visit = random_uuid();
    Answer s = answer(visit, "library", at);
    s.score = 5;
    Answer t = answer(visit, "not_lower", at);
    t.text = "Note " + std::to_string(i % 97) + " about the staff";
    all.push_back(s);
    all.push_back(t);
  }
  // Twelve visits that span two quarter hours (the score in one, the note in
  // the next), with other visits of both times between their answers in the
  // export's order, and three that give their note before their score: the
  // score of 0 places each note in the band "0" all the same.
  for (int i = 0; i < 15; ++i) {
    const std::int64_t at = kMonday + 3 * 86400 + 10 * kHour + (i % 4) * 900;
    std::string visit = random_uuid();
    Answer s = answer(visit, "library", at);
    s.score = 0;
    Answer t = answer(visit, "not_lower", i < 12 ? at + 900 : at);
    t.text = "Spanning note " + std::to_string(i);
    if (i < 12) {
      all.push_back(s);
      all.push_back(t);
    } else {
      all.push_back(t);
      all.push_back(s);
    }
  }
  {
    KioskStore store({dir + "/kiosk.db", std::nullopt});
    REQUIRE(store.answers.commit_many(all));
  }
  SqliteAnswerArchive archive(dir + "/kiosk.db");
  ExportRequest req = request_for(dir + "/stick");
  ExportOutcome out = export_results(archive, req);
  INFO(out.message);
  REQUIRE(out.ok);

  std::vector<report::AnswerRow> rows;
  for (const auto& a : all) rows.push_back(report::from_answer(a, req.venue));
  report::ReportFilter filter;
  filter.venue = req.venue;
  report::ReportOptions options;
  options.time_zone_name = "UTC";
  options.all_notes_are_in = "Every note is in answers.csv.";
  report::PageOptions page;
  page.title = "Tenpoint results: " + req.venue;
  page.note = "Exported from the kiosk on 2025-03-07 14:00 (UTC), all answers.";
  const std::string html = test::read_file(out.folder + "/report.html");
  CHECK(html == report::report_page(report::build_report(rows, req.sets, filter, options), page));
  CHECK(contains(html, "Showing the newest 200 of 260 notes. Every note is in answers.csv."));
  CHECK(contains(html, "After a score of 0</h4><p>15 notes, dated to the week."));
  for (int i = 0; i < 15; ++i) CHECK(contains(html, "Spanning note " + std::to_string(i) + "<"));
  // answers.csv holds every note.
  const std::string csv = test::read_file(out.folder + "/answers.csv");
  for (int i = 0; i < 97; ++i) CHECK(contains(csv, "Note " + std::to_string(i) + " about the staff"));

  SECTION("a file of the schema before the note indexes (which a read-only export cannot add) gives the same files") {
    REQUIRE(run("sqlite3 '" + dir + "/kiosk.db' 'DROP INDEX answers_noted; DROP INDEX answers_note_visits; PRAGMA user_version=4'") == 0);
    fs::create_directories(dir + "/stick-old");
    ExportOutcome old = export_results(archive, request_for(dir + "/stick-old"));
    INFO(old.message);
    REQUIRE(old.ok);
    CHECK(test::read_file(old.folder + "/report.html") == html);
    CHECK(test::read_file(old.folder + "/answers.csv") == csv);
  }
}

TEST_CASE("streaming: more answers at one time than are put in order in memory (a clock that stood still) keep the same order",
          "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_streaming_one_time");
  fs::create_directories(dir + "/stick");
  std::vector<Answer> all;
  // 2,600 visits of two answers at one time (past the archive's 4,096 sorted
  // in memory), committed in an order unlike visit order, between two
  // ordinary times.
  for (int i = 0; i < 2600; ++i) {
    const std::int64_t at = i < 50 ? kMonday + 9 * kHour : i >= 2550 ? kMonday + 11 * kHour : kMonday + 10 * kHour;
    std::string visit = random_uuid();
    Answer s = answer(visit, "library", at);
    s.score = i % 11;
    Answer c = answer(visit, "often", at);
    c.choice = i % 2 ? "weekly" : "monthly";
    all.push_back(s);
    all.push_back(c);
  }
  {
    KioskStore store({dir + "/kiosk.db", std::nullopt});
    REQUIRE(store.answers.commit_many(all));
  }
  SqliteAnswerArchive archive(dir + "/kiosk.db");
  ExportRequest req = request_for(dir + "/stick");
  ExportOutcome out = export_results(archive, req);
  INFO(out.message);
  REQUIRE(out.ok);
  CHECK(out.answers == 5200);
  std::vector<report::AnswerRow> rows;
  for (const auto& a : all) rows.push_back(report::from_answer(a, req.venue));
  report::ReportFilter filter;
  filter.venue = req.venue;
  report::ReportOptions options;
  options.time_zone_name = "UTC";
  CHECK(test::read_file(out.folder + "/answers.csv") == report::report_csv(rows, req.sets, filter, options, report::CsvForm::answers));
}

TEST_CASE("streaming: a file that grows past the FAT limit mid-write is refused, and nothing is left on the stick", "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_fat_midway");
  KnownDb k = make_known_db(dir);
  SqliteAnswerArchive archive(k.path);
  fs::create_directories(dir + "/stick");
  ExportRequest req = request_for(dir + "/stick");
  // Above the least the answers could take (100 bytes each), below what they take.
  req.max_file_bytes = k.stored.size() * 100 + 2000;
  bool writing = false;
  req.on_progress = [&](const ExportProgress& p) { writing = writing || p.step.rfind("Writing answers.csv", 0) == 0; };
  ExportOutcome out = export_results(archive, req);
  CHECK(writing);  // the stick was written to: the size was found on the way
  CHECK_FALSE(out.ok);
  CHECK(contains(out.message, "answers.csv would be more than"));
  CHECK(contains(out.message, "more than a FAT USB stick holds in one file"));
  CHECK(entries(dir + "/stick").empty());
  check_database_intact(k);
}

// ---- the server bundle --------------------------------------------------------

TEST_CASE("bundle: with a device key, server-bundle holds every ended visit's answer, signed, with true counts and hashes", "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_bundle");
  KnownDb k = make_known_db(dir);
  // One visit still going on: in answers.csv, never in the bundle (it may still change).
  Answer open = answer(random_uuid(), "library", kMonday + 20 * kHour);
  open.score = 6;
  {
    KioskStore store({k.path, std::nullopt});
    REQUIRE(store.answers.commit(open));
  }
  Result<DeviceKey> key = load_or_make_device_key(dir);
  REQUIRE(key);
  fs::create_directories(dir + "/stick");
  SqliteAnswerArchive archive(k.path);
  ExportRequest req = request_for(dir + "/stick");
  req.data_dir = dir;
  ExportOutcome out = export_results(archive, req);
  INFO(out.message);
  REQUIRE(out.ok);
  CHECK(out.answers == static_cast<std::int64_t>(k.stored.size()) + 1);
  CHECK(out.bundle_answers == static_cast<std::int64_t>(k.stored.size()));
  CHECK_FALSE(contains(out.message, "No server bundle"));
  CHECK(entries(out.folder) == std::vector<std::string>{"answers.csv", "codebook.txt", "report.html", "server-bundle"});
  const std::string b = out.folder + "/server-bundle";
  CHECK(entries(b) == std::vector<std::string>{"answers.jsonl", "manifest.json", "manifest.sig"});
  CHECK(contains(test::read_file(out.folder + "/codebook.txt"), "server-bundle/"));

  // The manifest: signed by this kiosk's key, and true to the files.
  const std::string manifest_text = test::read_file(b + "/manifest.json");
  const std::string signature = test::read_file(b + "/manifest.sig");
  CHECK(bundle::manifest_signed_by(manifest_text, signature, key->public_key));
  Result<DeviceKey> other = load_or_make_device_key(test::scratch_dir("export_bundle_other_key"));
  REQUIRE(other);
  CHECK_FALSE(bundle::manifest_signed_by(manifest_text, signature, other->public_key));
  CHECK_FALSE(bundle::manifest_signed_by(manifest_text + " ", signature, key->public_key));
  auto decoded = bundle::decode_manifest(manifest_text);
  REQUIRE(std::holds_alternative<bundle::Manifest>(decoded));
  const bundle::Manifest& m = std::get<bundle::Manifest>(decoded);
  CHECK(m.device_key == key->public_base64());
  CHECK(m.venue == "Central Library");
  CHECK(m.made_at == req.now);
  CHECK(m.answers == static_cast<std::int64_t>(k.stored.size()));
  const std::string jsonl = test::read_file(b + "/answers.jsonl");
  REQUIRE(m.files.size() == 1);
  CHECK(m.files[0].name == "answers.jsonl");
  CHECK(m.files[0].bytes == jsonl.size());
  bundle::Sha256 sha;
  sha.update(jsonl);
  CHECK(m.files[0].sha256 == sha.hex());

  // Every line a sync batch; together exactly the stored answers of ended
  // visits, with the seq tenpoint-sync would send.
  KioskStore store({k.path, std::nullopt});
  Result<std::vector<StoredAnswer>> unsent = store.outbox.unsent(100000, 0);
  REQUIRE(unsent);
  REQUIRE(unsent->size() == k.stored.size());
  std::map<std::string, StoredAnswer> expected;
  for (const auto& s : *unsent) expected[s.answer.uuid] = s;
  std::map<std::string, StoredAnswer> got;
  std::int64_t lines = 0;
  std::size_t at = 0;
  while (at < jsonl.size()) {
    std::size_t end = jsonl.find('\n', at);
    REQUIRE(end != std::string::npos);
    auto batch = wire::decode_batch(std::string_view(jsonl).substr(at, end - at));
    if (auto* why = std::get_if<std::string>(&batch)) FAIL("line " << lines + 1 << ": " << *why);
    const wire::Batch& wb = std::get<wire::Batch>(batch);
    CHECK(wb.batch_id == bundle::bundle_batch_id(m, lines));
    CHECK(wb.answers.size() <= bundle::kBundleBatchAnswers);
    for (const auto& s : wb.answers) CHECK(got.emplace(s.answer.uuid, s).second);
    ++lines;
    at = end + 1;
  }
  CHECK(lines == m.batches);
  CHECK(got == expected);
  CHECK(got.count(open.uuid) == 0);
  CHECK(m.first_seq == unsent->front().seq);
  CHECK(m.last_seq == unsent->back().seq);
  check_database_intact_but(k, open);
}

TEST_CASE("bundle: a kiosk without a device key exports the rest and says in one sentence that no bundle was written", "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_no_key");
  KnownDb k = make_known_db(dir);
  fs::create_directories(dir + "/stick");
  SqliteAnswerArchive archive(k.path);
  ExportRequest req = request_for(dir + "/stick");
  req.data_dir = dir;  // a data folder without device.key
  ExportOutcome out = export_results(archive, req);
  INFO(out.message);
  REQUIRE(out.ok);
  CHECK(entries(out.folder) == std::vector<std::string>{"answers.csv", "codebook.txt", "report.html"});
  CHECK(contains(out.message, "Safe to remove the USB stick"));
  CHECK(contains(out.message, " No server bundle was written because this kiosk is not enrolled."));
  CHECK_FALSE(contains(test::read_file(out.folder + "/codebook.txt"), "server-bundle"));
  CHECK_FALSE(fs::exists(dir + "/device.key"));  // the export never makes a key
  check_database_intact(k);
}

TEST_CASE("bundle: a failure after the bundle was begun removes the bundle's folder too", "[export]") {
  use_utc();
  std::string dir = test::scratch_dir("export_bundle_fails");
  KnownDb k = make_known_db(dir);
  REQUIRE(load_or_make_device_key(dir));
  fs::create_directories(dir + "/stick");
  SqliteAnswerArchive archive(k.path);
  ExportRequest req = request_for(dir + "/stick");
  req.data_dir = dir;
  bool pulled = false;
  req.on_progress = [&](const ExportProgress& p) {
    if (!pulled && p.step == "Writing server-bundle/manifest.json") {
      fs::create_symlink(dir + "/elsewhere", dir + "/stick/Central Library 2025-03-07/server-bundle/manifest.json");
      pulled = true;
    }
  };
  ExportOutcome out = export_results(archive, req);
  CHECK(pulled);
  CHECK_FALSE(out.ok);
  CHECK(contains(out.message, "manifest.json"));
  // Only the planted link is left.
  CHECK(entries(dir + "/stick/Central Library 2025-03-07") == std::vector<std::string>{"server-bundle"});
  CHECK(entries(dir + "/stick/Central Library 2025-03-07/server-bundle") == std::vector<std::string>{"manifest.json"});
  check_database_intact(k);
}
