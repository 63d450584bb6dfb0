// The kiosk app without a window: what a config reload changes, and that a
// broken config changes nothing. One case runs the real tenpoint-kiosk with
// SDL's offscreen driver (GL, no display) and sends it SIGHUP.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <thread>

#include "data_paths.h"
#include "kiosk_app.h"
#include "kiosk_store.h"
#include "process.h"
#include "set_delivery.h"
#include "signed_set_files.h"
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
  std::string extra_json;  // more members, each starting with a comma
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
         s.theme + "\"" + s.extra_json + "\n}\n";
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

  // A signed set delivered as tenpoint-sync does, with the server's key beside
  // it: taken on the attract screen, with a font atlas rebuilt for its Greek.
  SetSigningKeys keys = make_set_signing_keys();
  test::write_file(set_key_path(dir), encode_base64(keys.public_key) + "\n");
  REQUIRE(write_file_atomically(delivered_set_path(dir),
                                test::signed_file(test::small_set("greek", 1, "Πόσο καλά λειτουργεί η βιβλιοθήκη;"), 3, keys)));
  kiosk.signal(SIGHUP);
  CHECK(logs("question set greek v1 · serial 3 · signed by the server from " + delivered_set_path(dir) + " is in use", 10s));
  // The atlas is rebuilt after the switch, before the next frame: a second "font atlas" line.
  std::string text = test::wait_for_text(log, "is in use\ntenpoint-kiosk: font atlas", 10s);
  CHECK_FALSE(text.empty());

  kiosk.signal(SIGTERM);
  CHECK(kiosk.wait(20s) == 0);
  CHECK(logs("stopping", 1s));
}

// ---- signed question sets -----------------------------------------------------

namespace {

// Greek letters appear in no other text the kiosk shows: the atlas has them
// only when it was built for this set.
const char* const kGreekPrompt = "Πόσο καλά λειτουργεί η βιβλιοθήκη για εσάς;";
constexpr char32_t kGreekOnly = U'λ';

struct SignedPlace {
  std::string dir;
  SetSigningKeys keys = make_set_signing_keys();
  Settings settings;
  std::string delivered() const { return delivered_set_path(dir); }
  // Delivers a file as tenpoint-sync does: whole, by rename.
  void deliver(const std::string& text) const { REQUIRE(write_file_atomically(delivered(), text)); }
  std::string signed_set(const std::string& id, std::int64_t serial, const std::string& prompt = "How is the park?") const {
    return test::signed_file(test::small_set(id, 1, prompt), serial, keys);
  }
};

// A kiosk folder with the server's key in set-key.pub and a config with the demo set and a PIN.
SignedPlace signed_place(const std::string& name) {
  SignedPlace p;
  p.dir = test::scratch_dir(name);
  p.settings.pin_hash = hash_of("2468");
  test::write_file(p.dir + "/kiosk.json", config_json(p.settings));
  test::write_file(set_key_path(p.dir), encode_base64(p.keys.public_key) + "\n");
  return p;
}

std::int64_t recorded_serial(const std::string& dir) {
  KioskStore store({dir + "/kiosk.db", std::nullopt});
  Result<AcceptedSet> a = store.set_serials.highest_accepted();
  REQUIRE(a);
  return a->serial;
}

}  // namespace

TEST_CASE("a new signed set is taken on the attract screen, never mid-visit, with an atlas that has its letters", "[app][signed]") {
  SignedPlace p = signed_place("app_signed_switch");
  Logged logged;
  KioskApp app(options_for(p.dir, logged));
  REQUIRE_FALSE(app.start_headless());
  REQUIRE(app.build_fonts_without_window(1280, 800));
  CHECK(app.visit().question_set().id == "library-demo");
  CHECK(app.question_set_status().signed_serial == 0);
  CHECK(app.atlas_has_glyph(U'ŵ'));  // Welsh, from the demo set
  CHECK_FALSE(app.atlas_has_glyph(kGreekOnly));

  TimePoint now = Clock::now();
  app.between_frames(now);
  app.handle(ev::Tap{}, now);  // a resident starts a visit
  REQUIRE(app.visit().screen() == Screen::scale);
  p.deliver(p.signed_set("greek", 5, kGreekPrompt));
  app.check_signed_set_soon();  // as SIGHUP does
  for (auto later : {6s, 12s, 30s}) app.between_frames(now + later);
  CHECK(app.visit().screen() == Screen::scale);
  CHECK(app.visit().question_set().id == "library-demo");
  CHECK_FALSE(app.visit().has_pending_question_set());  // not even looked at yet
  CHECK(recorded_serial(p.dir) == 0);

  // Nobody touches the screen: "Still there?", then back to the attract screen.
  app.between_frames(now + 46s);
  CHECK(app.visit().screen() == Screen::still_there);
  CHECK(app.visit().question_set().id == "library-demo");
  CHECK(app.between_frames(now + 62s));  // the set changed: draw again
  REQUIRE(app.visit().screen() == Screen::attract);
  CHECK(app.visit().question_set().id == "greek");
  CHECK(app.visit().prompt() == kGreekPrompt);
  CHECK(app.question_set_status().signed_serial == 5);
  CHECK(app.question_set_status().refused.empty());
  CHECK(app.atlas_has_glyph(kGreekOnly));
  CHECK(recorded_serial(p.dir) == 5);
  CHECK(test::read_file(accepted_set_path(p.dir)) == test::read_file(p.delivered()));
  CHECK(logged.has("question set greek v1 · serial 5 · signed by the server from " + p.delivered() + " is in use"));

  // A newer one is found by its time stamp alone, a few seconds later.
  p.deliver(p.signed_set("park", 6));
  app.between_frames(now + 63s);
  CHECK(app.visit().question_set().id == "greek");  // not yet: looked at every kSignedSetCheckEvery
  app.between_frames(now + 62s + KioskApp::kSignedSetCheckEvery);
  CHECK(app.visit().question_set().id == "park");
  CHECK(app.question_set_status().signed_serial == 6);
}

TEST_CASE("a refused signed set changes nothing on screen; the reason is logged and shown to staff", "[app][signed]") {
  SignedPlace p = signed_place("app_signed_refused");
  p.deliver(p.signed_set("park", 5));  // delivered while the kiosk was off
  Logged logged;
  auto app = std::make_unique<KioskApp>(options_for(p.dir, logged));
  REQUIRE_FALSE(app->start_headless());
  CHECK(app->visit().question_set().id == "park");
  CHECK(app->question_set_status().signed_serial == 5);
  CHECK(recorded_serial(p.dir) == 5);

  TimePoint now = Clock::now();
  SetSigningKeys other = make_set_signing_keys();
  std::string good6 = p.signed_set("park-six", 6);
  struct Case {
    std::string text, words, log_kind;
  };
  const Case cases[] = {
      {test::signed_file(test::small_set("theirs", 1, "Theirs"), 6, other), "Question set from the server refused: signed by another key",
       "(wrong_key)"},
      {test::replaced(good6, "\"serial\": 6", "\"serial\": 7"),
       "Question set from the server refused: the signature does not match: the file was changed after it was signed", "(tampered)"},
      {test::replaced(good6, ",\n \"signature\": \"" + test::member(good6, "signature") + "\"", ""),
       "Question set from the server refused: it is not signed", "(unsigned)"},
      {p.signed_set("old", 4), "Question set from the server refused: older than the set already accepted (serial 4, accepted 5)",
       "(not_newer)"},
      {test::signed_file("{\"id\": \"x\"}", 8, p.keys),
       "Question set from the server refused: the question set inside is invalid: 1:1: ", "(invalid_set)"},
      {"garbage", "Question set from the server refused: not a signed question set", "(malformed)"},
  };
  int step = 0;
  for (const auto& c : cases) {
    INFO(c.words);
    p.deliver(c.text);
    app->between_frames(now + KioskApp::kSignedSetCheckEvery * ++step);
    CHECK(app->visit().question_set().id == "park");
    CHECK(app->question_set_status().signed_serial == 5);
    CHECK(app->question_set_status().refused.rfind(c.words, 0) == 0);
    CHECK(logged.has("refusing the signed question set " + p.delivered() + " " + c.log_kind));
  }
  CHECK(recorded_serial(p.dir) == 5);
  // The set in use, delivered again: nothing to refuse any more.
  p.deliver(p.signed_set("park", 5));
  app->between_frames(now + KioskApp::kSignedSetCheckEvery * ++step);
  CHECK(app->question_set_status().refused.empty());

  // A restart with an older signed file in place: refused, and the kiosk's copy of serial 5 is used.
  app.reset();
  p.deliver(p.signed_set("old", 4));
  Logged after_restart;
  KioskApp again(options_for(p.dir, after_restart));
  REQUIRE_FALSE(again.start_headless());
  CHECK(again.visit().question_set().id == "park");
  CHECK(again.question_set_status().signed_serial == 5);
  CHECK(again.question_set_status().refused ==
        "Question set from the server refused: older than the set already accepted (serial 4, accepted 5)");
  CHECK(after_restart.has("using the signed question set " + accepted_set_path(p.dir) + " (serial 5)"));
}

TEST_CASE("a database started afresh does not let an older signed file back in: the kiosk's copy holds the serial",
          "[app][signed][faults]") {
  SignedPlace p = signed_place("app_signed_fresh_db");
  p.deliver(p.signed_set("park", 5));
  {
    Logged logged;
    KioskApp app(options_for(p.dir, logged));
    REQUIRE_FALSE(app.start_headless());
    REQUIRE(app.visit().question_set().id == "park");
  }
  for (const char* f : {"/kiosk.db", "/kiosk.db-wal", "/kiosk.db-shm"}) std::filesystem::remove(p.dir + f);
  p.deliver(p.signed_set("old", 4));
  Logged logged;
  KioskApp app(options_for(p.dir, logged));
  REQUIRE_FALSE(app.start_headless());
  CHECK(app.visit().question_set().id == "park");
  CHECK(app.question_set_status().refused ==
        "Question set from the server refused: older than the set already accepted (serial 4, accepted 5)");
  CHECK(recorded_serial(p.dir) == 5);
}

TEST_CASE("with neither signed file usable the kiosk falls back to its local set and says so", "[app][signed]") {
  SignedPlace p = signed_place("app_signed_fallback");
  p.deliver(p.signed_set("park", 5));
  {
    Logged logged;
    KioskApp app(options_for(p.dir, logged));
    REQUIRE_FALSE(app.start_headless());
    REQUIRE(app.visit().question_set().id == "park");
  }
  std::filesystem::remove(accepted_set_path(p.dir));
  p.deliver(p.signed_set("old", 3));
  Logged logged;
  KioskApp app(options_for(p.dir, logged));
  REQUIRE_FALSE(app.start_headless());
  CHECK(app.visit().question_set().id == "library-demo");
  CHECK(app.question_set_status().signed_serial == 0);
  CHECK_FALSE(app.question_set_status().refused.empty());
  CHECK(logged.has("no usable signed question set (serial 5 was accepted before); using the local one"));
}

TEST_CASE("a signed set in use wins over the config's local set on reload", "[app][signed]") {
  SignedPlace p = signed_place("app_signed_precedence");
  p.deliver(p.signed_set("park", 2));
  Logged logged;
  KioskApp app(options_for(p.dir, logged));
  REQUIRE_FALSE(app.start_headless());
  REQUIRE(app.visit().question_set().id == "park");
  p.settings.question_set = demo_set_version(p.dir, 7);
  p.settings.theme = "high-contrast";
  test::write_file(p.dir + "/kiosk.json", config_json(p.settings));
  KioskApp::ReloadResult r = app.reload();
  CHECK(r.applied);
  CHECK(app.palette_name() == "high-contrast");
  CHECK(app.visit().question_set().id == "park");
  CHECK(logged.has("the config's question set " + p.settings.question_set + " is not used: the signed set with serial 2 is in use"));
}

TEST_CASE("a local set deferred by a reload mid-visit comes with an atlas that has its letters", "[app]") {
  SignedPlace p = signed_place("app_deferred_atlas");
  Logged logged;
  KioskApp app(options_for(p.dir, logged));
  REQUIRE_FALSE(app.start_headless());
  REQUIRE(app.build_fonts_without_window(800, 480));
  TimePoint now = Clock::now();
  app.handle(ev::Tap{}, now);
  REQUIRE(app.visit().screen() == Screen::scale);

  p.settings.question_set = p.dir + "/greek.json";
  test::write_file(p.settings.question_set, test::small_set("greek-local", 1, kGreekPrompt));
  test::write_file(p.dir + "/kiosk.json", config_json(p.settings));
  REQUIRE(app.reload().question_set_waits);
  app.between_frames(now + 1s);
  CHECK_FALSE(app.atlas_has_glyph(kGreekOnly));
  // The resident answers and leaves through the thank-you screen.
  app.handle(ev::ChooseScore{10}, now + 2s);
  app.handle(ev::Skip{}, now + 3s);
  app.handle(ev::ChooseOption{"weekly"}, now + 4s);
  REQUIRE(app.visit().screen() == Screen::thanks);
  app.handle(ev::Tap{}, now + 5s);  // straight back to the attract screen: the set changes inside handle()
  REQUIRE(app.visit().screen() == Screen::attract);
  CHECK(app.visit().question_set().id == "greek-local");
  app.between_frames(now + 5s);  // before the next frame is drawn
  CHECK(app.atlas_has_glyph(kGreekOnly));
}

TEST_CASE("staff install a question set from a USB stick; the kiosk takes it once the menu closes", "[app][signed]") {
  SignedPlace p = signed_place("app_signed_usb");
  std::string media = p.dir + "/media";
  std::filesystem::create_directories(media + "/kiosk/STICK");
  p.settings.extra_json = ",\n  \"usb_media_dirs\": [\"" + media + "\"]";
  test::write_file(p.dir + "/kiosk.json", config_json(p.settings));
  Logged logged;
  KioskApp app(options_for(p.dir, logged));
  REQUIRE_FALSE(app.start_headless());
  TimePoint now = Clock::now();
  app.handle(ev::StaffGesture{}, now);
  for (int d : {2, 4, 6, 8}) app.handle(ev::PinDigit{d}, now);
  app.handle(ev::PinSubmit{}, now);
  REQUIRE(app.visit().screen() == Screen::staff_menu);

  app.handle(ev::StaffInstallFromUsb{}, now);
  CHECK(app.question_set_status().usb == "No question-set file (*.tpset) on a USB stick (looked in " + media + ")");

  test::write_file(media + "/kiosk/STICK/park.tpset", p.signed_set("park", 3));
  test::write_file(media + "/kiosk/STICK/park-newer.tpset", p.signed_set("park-newer", 4));
  app.handle(ev::StaffInstallFromUsb{}, now);
  CHECK(app.question_set_status().usb == "Installed park-newer v1 (serial 4) from " + media +
                                             "/kiosk/STICK/park-newer.tpset; the kiosk starts it at its next attract screen");
  CHECK(logged.has("Installed park-newer v1 (serial 4)"));
  app.between_frames(now + 1s);
  CHECK(app.visit().question_set().id == "library-demo");  // still in the staff menu
  app.handle(ev::StaffClose{}, now + 2s);
  app.between_frames(now + 2s);
  CHECK(app.visit().question_set().id == "park-newer");
  CHECK(app.question_set_status().signed_serial == 4);

  // The stick again: nothing newer on it.
  app.handle(ev::StaffGesture{}, now + 3s);
  for (int d : {2, 4, 6, 8}) app.handle(ev::PinDigit{d}, now + 3s);
  app.handle(ev::PinSubmit{}, now + 3s);
  app.handle(ev::StaffInstallFromUsb{}, now + 3s);
  CHECK(app.question_set_status().usb.find("on the USB stick refused: ") != std::string::npos);
  CHECK(app.question_set_status().usb.find("(and 1 more file refused)") != std::string::npos);
}

namespace {

// A kiosk with the demo PIN, answers in its database and `media` as its USB folder, on the staff menu.
struct ExportPlace {
  std::string dir, media;
  Logged logged;
  std::unique_ptr<KioskApp> app;
  TimePoint now = Clock::now();
};

void open_staff_menu_for_export(ExportPlace& p, const std::string& name) {
  p.dir = test::scratch_dir(name);
  p.media = p.dir + "/media";
  std::filesystem::create_directories(p.media);
  Settings s;
  s.pin_hash = hash_of("2468");
  s.extra_json = ",\n  \"usb_media_dirs\": [\"" + p.media + "\"]";
  test::write_file(p.dir + "/kiosk.json", config_json(s));
  {
    KioskStore store({p.dir + "/kiosk.db", std::nullopt});
    std::vector<Answer> answers;
    for (int i = 0; i < 30; ++i) {
      Answer a;
      a.uuid = answer_uuid();
      a.set_id = "library-demo";
      a.set_version = 1;
      a.question_id = "library";
      a.session_id = random_uuid();
      a.language = "en";
      a.score = i % 11;
      a.stamp.unix_seconds = 1736121600 + i * 3600;
      answers.push_back(a);
    }
    REQUIRE(store.answers.commit_many(answers));
  }
  p.app = std::make_unique<KioskApp>(options_for(p.dir, p.logged));
  REQUIRE_FALSE(p.app->start_headless());
  p.app->handle(ev::StaffGesture{}, p.now);
  for (int d : {2, 4, 6, 8}) p.app->handle(ev::PinDigit{d}, p.now);
  p.app->handle(ev::PinSubmit{}, p.now);
  REQUIRE(p.app->visit().screen() == Screen::staff_menu);
}

}  // namespace

TEST_CASE("staff export with no stick mounted: no Export offered, and asking says so in words", "[app][export]") {
  ExportPlace p;
  open_staff_menu_for_export(p, "app_export_no_stick");
  std::filesystem::create_directories(p.media + "/STICK");  // a plain folder is not a mounted stick
  p.app->between_frames(p.now);
  CHECK(p.app->export_status().sticks.empty());
  p.app->handle(ev::StaffExportToUsb{}, p.now);
  CHECK(p.app->export_status().stage == ExportStatus::Stage::failed);
  CHECK(p.app->export_status().message.find("No USB stick found") == 0);
  CHECK_FALSE(p.app->visit().staff_busy());
  CHECK(std::filesystem::is_empty(p.media + "/STICK"));
}

TEST_CASE("mount: staff export to a mounted stick: progress, the menu held, then Safe to remove and the files", "[.][mount]") {
  if (::geteuid() != 0) {
    WARN("not root: a stick cannot be mounted for the staff menu to find; skipping");
    std::exit(77);
  }
  ExportPlace p;
  open_staff_menu_for_export(p, "app_export_stick");
  std::string stick = p.media + "/STICK";
  std::filesystem::create_directories(stick);
  if (std::system(("mount -t tmpfs -o size=8m tmpfs '" + stick + "' 2>/dev/null").c_str()) != 0) {
    WARN("mount -t tmpfs is not allowed here; skipping");
    std::exit(77);
  }
  struct Unmount {
    std::string point;
    ~Unmount() { std::system(("umount -l '" + point + "'").c_str()); }
  } unmount{stick};

  // The menu looks for sticks as it opens, then every kStickCheckEvery.
  CHECK(p.app->between_frames(p.now));
  REQUIRE(p.app->export_status().sticks == std::vector<std::string>{stick});
  p.app->handle(ev::StaffExportToUsb{}, p.now);
  CHECK(p.app->export_status().stage == ExportStatus::Stage::running);
  CHECK(p.app->visit().staff_busy());
  // Residents cannot be let in, nor the kiosk closed, until it is done.
  p.app->handle(ev::StaffClose{}, p.now);
  p.app->handle(ev::QuitShortcut{}, p.now);
  CHECK(p.app->visit().screen() == Screen::staff_menu);
  CHECK_FALSE(p.app->visit().wants_quit());

  // Follow it as the frame loop does; long past the staff time-out, it still holds.
  TimePoint t = p.now + Visit::kStaffIdle + 1s;
  double last_progress = 0;
  for (int i = 0; i < 6000 && p.app->export_status().running(); ++i) {
    p.app->between_frames(t);
    CHECK(p.app->visit().screen() == Screen::staff_menu);
    CHECK(p.app->export_status().progress >= last_progress);
    last_progress = p.app->export_status().progress;
    std::this_thread::sleep_for(10ms);
  }
  const ExportStatus& st = p.app->export_status();
  INFO(st.message);
  REQUIRE(st.stage == ExportStatus::Stage::done);
  CHECK(st.progress == 1.0);
  CHECK(st.message.rfind("Safe to remove the USB stick: 30 answers in " + stick + "/Tenpoint kiosk ", 0) == 0);
  CHECK_FALSE(p.app->visit().staff_busy());
  for (const char* f : {"answers.csv", "report.html", "codebook.txt"}) CHECK(std::filesystem::is_regular_file(st.folder + "/" + f));
  CHECK(p.logged.has("Safe to remove the USB stick"));
  // The menu closes normally again, and the outcome is gone next time.
  p.app->handle(ev::StaffClose{}, t);
  CHECK(p.app->visit().screen() == Screen::attract);
  p.app->between_frames(t);
  CHECK(p.app->export_status().stage == ExportStatus::Stage::idle);
}

TEST_CASE("a kiosk on the demo PIN says so in its log and staff menu; its own PIN does not", "[app][pin]") {
  std::string dir = test::scratch_dir("app_demo_pin");
  Settings demo;
  demo.pin_hash = hash_of("2468");
  test::write_file(dir + "/kiosk.json", config_json(demo));
  Logged logged;
  KioskApp app(options_for(dir, logged));
  REQUIRE_FALSE(app.start_headless());
  CHECK(logged.has("the staff PIN in " + dir + "/kiosk.json is the demo PIN 2468"));
  CHECK(app.visit().staff_pin_is_demo());

  Settings own = demo;
  own.pin_hash = hash_of("13579024");
  test::write_file(dir + "/kiosk.json", config_json(own));
  logged.lines.clear();
  REQUIRE(app.reload().applied);
  CHECK_FALSE(logged.has("demo PIN"));
  CHECK_FALSE(app.visit().staff_pin_is_demo());
}

TEST_CASE("a restarted kiosk keeps the staff PIN lockout from its database", "[app][pin]") {
  std::string dir = test::scratch_dir("app_pin_lock");
  Settings s;
  s.pin_hash = hash_of("13579024");
  test::write_file(dir + "/kiosk.json", config_json(s));
  auto type_pin = [](KioskApp& app, const std::string& pin) {
    for (char c : pin) app.handle(ev::PinDigit{c - '0'}, Clock::now());
    app.handle(ev::PinSubmit{}, Clock::now());
  };
  Logged logged;
  {
    KioskApp app(options_for(dir, logged));
    REQUIRE_FALSE(app.start_headless());
    app.handle(ev::StaffGesture{}, Clock::now());
    for (int i = 0; i < app.config().pin_attempts_before_lock; ++i) type_pin(app, "11111111");
    REQUIRE(app.visit().pin_locked_seconds(Clock::now()) > 0);
  }
  KioskApp app(options_for(dir, logged));
  REQUIRE_FALSE(app.start_headless());
  int left = app.visit().pin_locked_seconds(Clock::now());
  CHECK(left > 0);
  CHECK(left <= 60);
  app.handle(ev::StaffGesture{}, Clock::now());
  type_pin(app, "13579024");  // the right PIN, refused while the lock lasts
  CHECK(app.visit().screen() == Screen::staff_pin);
}

// ---- opening hours and the display rotation ----------------------------------------

namespace {

// Every day open for an hour, from two hours after now: closed now, by the machine's own clock.
std::string hours_excluding_now() {
  std::time_t later = std::time(nullptr) + 2 * 3600;
  std::tm local{};
  localtime_r(&later, &local);
  int from = local.tm_hour * 60 + local.tm_min;
  std::string range = clock_text(from) + "-" + clock_text((from + 60) % OpeningHours::kMinutesPerDay);
  std::string days;
  for (const char* day : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
    days += std::string(days.empty() ? "" : ", ") + "\"" + day + "\": \"" + range + "\"";
  return "{" + days + "}";
}

}  // namespace

TEST_CASE("the app takes the opening hours and the rotation from its config, and both follow a reload", "[app][hours]") {
  std::string dir = test::scratch_dir("app_hours");
  Settings s;
  s.pin_hash = hash_of("2468");
  s.extra_json = ",\n  \"display_rotation\": 270,\n  \"opening_hours\": " + hours_excluding_now();
  test::write_file(dir + "/kiosk.json", config_json(s));
  Logged logged;
  KioskApp app(options_for(dir, logged));
  REQUIRE_FALSE(app.start_headless());
  CHECK(app.config().display_rotation == 270);
  CHECK(app.visit().screen() == Screen::closed);

  // Open all day: awake at the next look between frames.
  s.extra_json =
      ",\n  \"display_rotation\": 90,\n  \"opening_hours\": {\"mon\": \"00:00-24:00\", \"tue\": \"00:00-24:00\", "
      "\"wed\": \"00:00-24:00\", \"thu\": \"00:00-24:00\", \"fri\": \"00:00-24:00\", \"sat\": \"00:00-24:00\", "
      "\"sun\": \"00:00-24:00\"}";
  test::write_file(dir + "/kiosk.json", config_json(s));
  REQUIRE(app.reload().applied);
  app.between_frames(Clock::now());
  CHECK(app.visit().screen() == Screen::attract);
  CHECK(app.config().display_rotation == 90);

  // A bad rotation refuses the whole file, hours and all.
  s.extra_json = ",\n  \"display_rotation\": 45,\n  \"opening_hours\": " + hours_excluding_now();
  test::write_file(dir + "/kiosk.json", config_json(s));
  KioskApp::ReloadResult refused = app.reload();
  CHECK_FALSE(refused.applied);
  CHECK(refused.message.find("\"display_rotation\" must be 0, 90, 180 or 270 (degrees clockwise)") != std::string::npos);
  app.between_frames(Clock::now());
  CHECK(app.visit().screen() == Screen::attract);
  CHECK(app.config().display_rotation == 90);
}
