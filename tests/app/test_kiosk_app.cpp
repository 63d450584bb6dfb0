// The kiosk app without a window: what a config reload changes, and that a
// broken config changes nothing. One case runs the real tenpoint-kiosk with
// SDL's offscreen driver (GL, no display) and sends it SIGHUP.
#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>

#include "kiosk_app.h"
#include "process.h"
#include "support.h"

using namespace tp;
using namespace std::chrono_literals;

namespace {

struct Settings {
  std::string question_set = test::demo_set_path();
  std::string pin_hash;
  int granularity_min = 15;
  std::string theme = "standard";
  int greeting_every_s = 4;
};

std::string config_json(const Settings& s) {
  return "{\n"
         "  \"question_set\": \"" +
         s.question_set +
         "\",\n"
         "  \"time_granularity_min\": " +
         std::to_string(s.granularity_min) +
         ",\n"
         "  \"greeting_every_s\": " +
         std::to_string(s.greeting_every_s) +
         ",\n"
         "  \"staff_pin_hash\": \"" +
         s.pin_hash +
         "\",\n"
         "  \"theme\": \"" +
         s.theme + "\"\n}\n";
}

std::string hash_of(const std::string& pin) {
  std::optional<std::string> hash = hash_pin(pin);
  REQUIRE(hash);
  return *hash;
}

// The demo set under a new version number, to tell the reloaded set apart.
std::string demo_set_version(const std::string& dir, int version) {
  std::string text = test::read_file(test::demo_set_path());
  const std::string from = "\"version\": 1,";
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), "\"version\": " + std::to_string(version) + ",");
  std::string path = dir + "/set-v" + std::to_string(version) + ".json";
  test::write_file(path, text);
  return path;
}

struct Logged {
  std::vector<std::string> lines;
  bool has(const std::string& part) const {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
  }
};

KioskApp::Options options_for(const std::string& dir, Logged& logged) {
  KioskApp::Options o;
  o.config_path = dir + "/kiosk.json";
  o.db_path = dir + "/kiosk.db";
  o.translations_dir = test::source_dir() + "/assets/translations";
  o.log = [&logged](const std::string& line) { logged.lines.push_back(line); };
  return o;
}

}  // namespace

TEST_CASE("a reload applies the new PIN, time rounding, theme and question set; a broken config changes nothing", "[app]") {
  std::string dir = test::scratch_dir("app_reload");
  // Argon2 takes a moment: hash before the app starts, so that the greeting
  // timer checked below has not moved on by the time it is read.
  Settings before;
  before.pin_hash = hash_of("2468");
  Settings after;
  after.pin_hash = hash_of("1357");
  // A day: under the old 15 minutes a stamp is a whole day only in the first
  // quarter hour after midnight UTC, so the rounding check below can fail if
  // the old granularity were still in force.
  after.granularity_min = 1440;
  after.theme = "high-contrast";
  after.greeting_every_s = 20;
  after.question_set = demo_set_version(dir, 2);

  test::write_file(dir + "/kiosk.json", config_json(before));
  Logged logged;
  KioskApp app(options_for(dir, logged));
  auto error = app.start_headless();
  INFO((error ? error->message : std::string()));
  REQUIRE_FALSE(error);
  REQUIRE(app.visit().screen() == Screen::attract);
  CHECK(app.pin_verifies("2468"));
  CHECK(app.time_granularity_minutes() == 15);
  CHECK(app.palette_name() == "standard");
  CHECK(app.visit().question_set().version == 1);

  test::write_file(dir + "/kiosk.json", config_json(after));
  KioskApp::ReloadResult r = app.reload();
  INFO(r.message);
  REQUIRE(r.applied);
  CHECK_FALSE(r.question_set_waits);  // on the attract screen a new set starts at once

  CHECK(app.pin_verifies("1357"));
  CHECK_FALSE(app.pin_verifies("2468"));
  CHECK(app.time_granularity_minutes() == 1440);
  Stamp stamp = app.stamps().now();
  CHECK(stamp.unix_seconds % (1440 * 60) == 0);
  CHECK(app.palette_name() == "high-contrast");
  CHECK(app.visit().question_set().version == 2);
  // The visit reads its timers from the config the app reassigned in place.
  auto now = Clock::now();
  CHECK(app.visit().next_deadline(now) - now > 4s);

  SECTION("a config that is not JSON keeps every setting") { test::write_file(dir + "/kiosk.json", "{ \"theme\": "); }
  SECTION("a config with a bad value keeps every setting") {
    Settings bad = after;
    bad.pin_hash = hash_of("9999");
    bad.granularity_min = 60;
    bad.theme = "neon";  // refused: the whole file is, not only this key
    test::write_file(dir + "/kiosk.json", config_json(bad));
  }
  SECTION("a missing config keeps every setting") { std::filesystem::remove(dir + "/kiosk.json"); }

  KioskApp::ReloadResult refused = app.reload();
  CHECK_FALSE(refused.applied);
  CHECK(refused.message.find("keeping the current settings") != std::string::npos);
  CHECK(logged.has("keeping the current settings"));
  CHECK(app.pin_verifies("1357"));
  CHECK(app.time_granularity_minutes() == 1440);
  CHECK(app.palette_name() == "high-contrast");
  CHECK(app.visit().question_set().version == 2);
}

TEST_CASE("a reload with a broken question set keeps the set in use and applies the rest", "[app]") {
  std::string dir = test::scratch_dir("app_reload_broken_set");
  Settings s;
  s.pin_hash = hash_of("2468");
  s.question_set = demo_set_version(dir, 3);
  test::write_file(dir + "/kiosk.json", config_json(s));
  Logged logged;
  KioskApp app(options_for(dir, logged));
  REQUIRE_FALSE(app.start_headless());
  REQUIRE(app.visit().question_set().version == 3);

  std::string broken = dir + "/broken.json";
  test::write_file(broken, "{ \"id\": \"library-demo\", ");
  s.question_set = broken;
  s.theme = "high-contrast";
  test::write_file(dir + "/kiosk.json", config_json(s));
  KioskApp::ReloadResult r = app.reload();
  CHECK(r.applied);
  CHECK(logged.has("refusing the question set " + broken));
  CHECK(app.visit().question_set().version == 3);  // the last good copy
  CHECK(app.palette_name() == "high-contrast");
}

TEST_CASE("a start with an unreadable config fails with exit code 2 and says which file", "[app]") {
  std::string dir = test::scratch_dir("app_no_config");
  Logged logged;
  KioskApp app(options_for(dir, logged));
  auto error = app.start_headless();
  REQUIRE(error);
  CHECK(error->exit_code == 2);
  CHECK(error->message.find(dir + "/kiosk.json") != std::string::npos);
}

TEST_CASE("process: a running tenpoint-kiosk re-reads its config on SIGHUP (offscreen GL, no display)", "[app][process]") {
  std::string dir = test::scratch_dir("app_sighup");
  Settings s;
  s.pin_hash = hash_of("2468");
  test::write_file(dir + "/kiosk.json", config_json(s));
  std::string log = dir + "/kiosk.log";
  // In the sanitizer build, Mesa's drivers (loaded and unloaded at run time,
  // so their frames have no names to suppress) leak a few KiB at exit: not
  // ours to fix, so leak checking is off for this one child process.
  test::Process kiosk({"/usr/bin/env", "SDL_VIDEODRIVER=offscreen", "ASAN_OPTIONS=detect_leaks=0", TENPOINT_KIOSK_PATH, "--config",
                       dir + "/kiosk.json", "--db", dir + "/kiosk.db", "--windowed", "800x480", "--hits-file", dir + "/hits.json"},
                      log);
  // Waits for a line in the kiosk's log; on a timeout the log goes into the report.
  auto logs = [&](const std::string& text, std::chrono::seconds timeout) {
    bool seen = !test::wait_for_text(log, text, timeout).empty();
    if (!seen) UNSCOPED_INFO("no \"" << text << "\" in the kiosk's log:\n" << test::read_file(log));
    return seen;
  };
  REQUIRE(logs("screen attract", 30s));

  s.theme = "high-contrast";
  s.granularity_min = 60;
  test::write_file(dir + "/kiosk.json", config_json(s));
  kiosk.signal(SIGHUP);
  CHECK(logs("(theme high-contrast, answer times rounded to 60 min)", 10s));

  test::write_file(dir + "/kiosk.json", "not a config");
  kiosk.signal(SIGHUP);
  CHECK(logs("keeping the current settings: " + dir + "/kiosk.json:1:", 10s));

  kiosk.signal(SIGTERM);
  CHECK(kiosk.wait(20s) == 0);
  CHECK(logs("stopping", 1s));
}
