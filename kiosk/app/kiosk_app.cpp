// The kiosk app: start-up, reload, and the frame loop.
//
// Frame loop (event driven, so an idle kiosk costs next to nothing):
//   wait for input or the next timer -> reload on SIGHUP -> between_frames
//   (Visit::tick, a new signed set on the attract screen, the font atlas) ->
//   (if anything changed) NewFrame -> Ui::draw -> handle(taps) -> Render
// Outside opening hours the visit shows CLOSED: one black frame, then the
// loop only wakes once a second to look at the clock and the signals, and
// the display's screen saver may act (Window::allow_screen_saver).
#include "kiosk_app.h"

#include <imgui.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "bundle.h"
#include "data_paths.h"
#include "gl_textures.h"
#include "glyph_atlas.h"
#include "json.h"
#include "offline_enrol.h"
#include "question_set.h"
#include "service_notify.h"
#include "shaped_text.h"
#include "signed_set.h"
#include "speech.h"
#include "sqlite_answer_archive.h"
#include "ui.h"
#include "usb_export.h"
#include "usb_sticks.h"
#include "window.h"

namespace tp {

namespace {

// Set from signal handlers, read by the frame loop: the only state shared
// with them, and lock-free so that a handler may touch it.
std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

void on_signal(int sig) {
  if (sig == SIGHUP)
    g_reload = true;
  else
    g_stop = true;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

constexpr int kMinWindowWidthPx = 320;
constexpr int kMinWindowHeightPx = 240;
// A few frames after each input let pressed states and layout settle.
constexpr int kFramesAfterInput = 3;
constexpr int kFramesAfterChange = 2;
// While speech sounds, how often the frame loop looks whether it has ended.
constexpr auto kSpeechCheckEvery = std::chrono::milliseconds(100);
// Wake at least this often so that SIGTERM and SIGHUP are noticed promptly.
constexpr long kLongestWaitMs = 1000;

bool parse_window_size(const std::string& text, int& width, int& height) {
  return std::sscanf(text.c_str(), "%dx%d", &width, &height) == 2 && width >= kMinWindowWidthPx && height >= kMinWindowHeightPx;
}

// Writes the screen and the position of each touch target, for automated
// checks and accessibility audits (--hits-file). Written atomically. The
// targets are in the logical picture, of size "display"; with a "rotation"
// the panel shows it turned (rotation.h).
void write_hits(const std::string& path, const char* screen, ImVec2 display, int rotation, const std::map<std::string, ui::Rect>& hits) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"screen\":\"" << screen << "\",\"display\":[" << display.x << "," << display.y << "],\"rotation\":" << rotation
        << ",\"hits\":{";
    bool first = true;
    for (const auto& [id, r] : hits) {
      // Quoted: the symbols layer has a key named key." (and others JSON escapes).
      out << (first ? "" : ",") << json::quote(id) << ":[" << r.min.x << "," << r.min.y << "," << r.max.x << "," << r.max.y << "]";
      first = false;
    }
    out << "}}\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace

// What only a kiosk with a screen has. The ImGui context is made before the
// window (the backends need it) and outlives it.
namespace {

// The glyph atlas's textures (glyph_atlas.h) on the window's GL context.
class GlGlyphTextures final : public ui::GlyphTextures {
 public:
  bool ok() const { return gl_.ok(); }
  ImTextureID create(int width, int height) override { return gl_.create(width, height); }
  void update_rows(ImTextureID texture, int width, int y, int rows, const std::uint32_t* rgba) override {
    gl_.update_rows(texture, width, y, rows, rgba);
  }
  void destroy(ImTextureID texture) override { gl_.destroy(texture); }

 private:
  platform::GlTextures gl_;
};

}  // namespace

struct KioskApp::Display {
  Display() {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // else imgui.ini appears in the working folder
    io.LogFilename = nullptr;
    // Else the SDL backend shows the hidden cursor again on the next frame.
    io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
    io.ConfigInputTextCursorBlink = false;  // a blinking caret would keep an idle kiosk drawing
  }
  ~Display() {
    // The atlas frees its texture while the window's GL context still exists.
    speech.reset();
    ui.reset();
    atlas.reset();
    glyph_textures.reset();
    window.reset();
    ImGui::DestroyContext();
  }
  Display(const Display&) = delete;
  Display& operator=(const Display&) = delete;

  std::unique_ptr<platform::Window> window;
  ui::FontFiles font_files;
  ui::FontBuilder font_builder;
  ui::Fonts fonts;
  ui::Fonts large_fonts;  // large-text mode's faces, in the same atlas
  ui::Metrics metrics;
  std::unique_ptr<ui::Ui> ui;
  // Shaped text: Arabic, Bengali and right-to-left runs (shaped_text.h).
  std::unique_ptr<ui::TextShaper> shaper;
  std::unique_ptr<GlGlyphTextures> glyph_textures;
  std::unique_ptr<ui::GlyphAtlas> atlas;
  std::string atlas_text;  // the characters the atlas was last built for
  // Read aloud (speech.h); null: off.
  std::unique_ptr<platform::Speech> speech;
  Screen spoken_screen = Screen::attract;  // what the speech under way reads
  const Question* spoken_question = nullptr;
  std::string spoken_language;
  bool was_speaking = false;
};

KioskApp::KioskApp(Options options) : options_(std::move(options)) {
  if (!options_.log) options_.log = [](const std::string& line) { std::fprintf(stderr, "tenpoint-kiosk: %s\n", line.c_str()); };
  if (options_.translations_dir.empty()) options_.translations_dir = assets_dir() + "/translations";
}

// An export on its worker thread. The thread writes `progress` and
// `outcome` under the mutex; the frame loop reads them in follow_export()
// and joins the thread once `outcome` is set.
struct KioskApp::ExportJob {
  std::mutex mutex;
  ExportProgress progress;
  std::optional<ExportOutcome> outcome;
  std::thread worker;

  ~ExportJob() {
    if (worker.joinable()) worker.join();  // an export in flight is finished, never cut off
  }
};

// Out of line: Display and ExportJob are complete only here. The export
// (if one runs) is waited for before anything it could touch goes away.
KioskApp::~KioskApp() { export_job_.reset(); }

void KioskApp::log(const std::string& line) const { options_.log(line); }

// Loads the configured question set. A bad one is reported and the last good
// one (kept beside the database) is used instead, if there is one.
std::optional<QuestionSet> KioskApp::load_questions(const std::string& path) {
  LoadResult r = load_question_set(path);
  if (r.set) {
    std::error_code ec;
    std::filesystem::copy_file(path, last_good_set_path_, std::filesystem::copy_options::overwrite_existing, ec);
    return r.set;
  }
  std::istringstream problems(format_problems(path, r.problems));
  for (std::string line; std::getline(problems, line);) log(line);
  LoadResult kept = load_question_set(last_good_set_path_);
  if (kept.set) {
    log("refusing the question set " + path + "; keeping the last good one (" + kept.set->id + " v" + std::to_string(kept.set->version) +
        ")");
    return kept.set;
  }
  return std::nullopt;
}

std::optional<KioskApp::StartError> KioskApp::start_headless() {
  if (visit_) return std::nullopt;
  started_ = Clock::now();
  try {
    config_ = load_kiosk_config(options_.config_path);
    strings_ = Strings::load_dir(options_.translations_dir);
  } catch (const std::exception& e) {
    log(e.what());
    return StartError{2, e.what()};
  }
  db_path_ = !options_.db_path.empty()        ? options_.db_path
             : !config_.database_path.empty() ? config_.database_path
                                              : user_data_dir() + "/kiosk.db";
  data_dir_ = kiosk_data_dir(db_path_);
  std::error_code ec;
  // Residents' words live here: a folder the kiosk makes is for its own user only.
  if (!std::filesystem::exists(data_dir_, ec) && std::filesystem::create_directories(data_dir_, ec))
    std::filesystem::permissions(data_dir_, std::filesystem::perms::owner_all, ec);
  last_good_set_path_ = data_dir_ + "/question-set.last-good.json";
  // Opened before the question set: the serial of the last signed set accepted lives in it.
  store_ = std::make_unique<KioskStore>(SqliteDatabase::Options{db_path_, std::nullopt});
  std::optional<QuestionSet> questions = load_signed_set_at_start();
  if (!questions) questions = load_questions(config_.question_set_path);
  if (!questions) {
    std::string message = "no usable question set: fix " + config_.question_set_path + " (problems above) and start again";
    log(message);
    return StartError{2, message};
  }

  stamps_.set_granularity_minutes(config_.time_granularity_minutes);
  pins_.set_hash(config_.staff_pin_hash);
  if (!pins_.configured()) log("no staff_pin_hash in " + options_.config_path + ": the staff menu cannot be opened");
  if (pins_.is_demo_pin())
    log("warning: the staff PIN in " + options_.config_path + " is the demo PIN " + kDemoPin +
        ", which anyone can read in the documentation; set staff_pin_hash from `tenpoint pin-hash`");
  palette_name_ = config_.theme;
  auto now = Clock::now();
  visit_ = std::make_unique<Visit>(std::move(*questions), config_, strings_, store_->answers, store_->reports, stamps_, pins_, now);
  visit_->keep_pin_lock_in(store_->pin_lock, now);  // wrong PINs before a restart still count
  if (Status s = store_->answers.probe(); !s) {     // opens, and closes visits a power cut interrupted
    log(s.message());
    visit_->storage_failed(s.message(), now);
  }
  if (!store_->database.moved_aside().empty())
    log("the database was damaged; moved it aside to " + store_->database.moved_aside() + " and started a new one");
  log("database " + db_path_ + (stamps_.clock_trusted() ? "" : " (clock not trusted yet: answers carry boot id and uptime)"));
  const QuestionSet& in_use = visit_->question_set();
  log("question set " + describe_set_in_use(in_use.id, in_use.version, set_status_.signed_serial));
  return std::nullopt;
}

KioskApp::FileStamp KioskApp::stamp_of(const std::string& path) {
  FileStamp f;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return f;
  f.exists = true;
  f.device = st.st_dev;
  f.inode = st.st_ino;
  f.size = static_cast<unsigned long long>(st.st_size);
  f.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec;
  return f;
}

std::optional<QuestionSet> KioskApp::load_signed_set_at_start() {
  std::string delivered = delivered_set_path(data_dir_);
  std::string copy = accepted_set_path(data_dir_);
  delivered_stamp_ = stamp_of(delivered);
  std::error_code ec;
  bool have_copy = std::filesystem::exists(copy, ec);
  if (!delivered_stamp_.exists && !have_copy) return std::nullopt;  // never had a signed set
  Result<AcceptedSet> accepted = store_->set_serials.highest_accepted();
  if (!accepted) {
    // Without the recorded serial an older file cannot be told from the newest.
    log("not using a signed question set: " + accepted.message());
    return std::nullopt;
  }
  TrustedSetKey key = find_trusted_set_key(config_, data_dir_);
  // The kiosk's own copy counts as accepted too: a database that was damaged
  // and started afresh must not let an older delivered file back in.
  std::string copy_text;
  OpenedSignedSet kept;
  if (have_copy) kept = open_signed_set_file(copy, key.key, accepted->serial, SerialRule::same_or_newer, &copy_text);
  std::int64_t floor = kept ? std::max(accepted->serial, kept.opened->serial) : accepted->serial;

  if (delivered_stamp_.exists) {
    std::string text;
    // The set accepted before may be opened again, but nothing older.
    OpenedSignedSet opened = open_signed_set_file(delivered, key.key, floor, SerialRule::same_or_newer, &text);
    if (opened) {
      accept_signed_set(*opened.opened, text, delivered, accepted->serial);
      set_status_.signed_serial = opened.opened->serial;
      log("using the signed question set " + delivered + " (serial " + std::to_string(opened.opened->serial) + ")");
      return std::move(opened.opened->set);
    }
    note_refusal(opened, delivered, key);
  }
  if (kept) {
    accept_signed_set(*kept.opened, copy_text, copy, accepted->serial);
    set_status_.signed_serial = kept.opened->serial;
    log("using the signed question set " + copy + " (serial " + std::to_string(kept.opened->serial) + ")");
    return std::move(kept.opened->set);
  }
  if (have_copy) log("the kiosk's copy of the last accepted set, " + copy + ", is refused too: " + kept.reason);
  if (accepted->serial > 0)
    log("no usable signed question set (serial " + std::to_string(accepted->serial) + " was accepted before); using the local one, " +
        config_.question_set_path);
  return std::nullopt;
}

bool KioskApp::accept_signed_set(const SignedSet& signed_set, const std::string& file_text, const std::string& path,
                                 std::int64_t recorded) {
  if (signed_set.serial > recorded) {
    AcceptedSet a{signed_set.serial, signed_set.set.id, signed_set.set.version, stamps_.unix_now()};
    if (Status s = store_->set_serials.record_accepted(a); !s) {
      log("Unable to record the serial of the signed question set " + path + ": " + s.message());
      return false;
    }
  }
  // The copy serves when the delivered file is later refused or removed.
  std::string copy = accepted_set_path(data_dir_);
  Result<std::string> kept = read_file_capped(copy, kMaxSignedSetFileBytes);
  if (!kept || *kept != file_text)
    if (Status s = write_file_atomically(copy, file_text); !s) log(s.message());
  return true;
}

void KioskApp::note_refusal(const OpenedSignedSet& refused, const std::string& path, const TrustedSetKey& key) {
  std::string reason = refused.refusal == SetRefusal::no_trusted_key && !key.problem.empty() ? key.problem : refused.reason;
  set_status_.refused = describe_set_refusal(reason);
  log("refusing the signed question set " + path + " (" + refusal_name(refused.refusal) + "): " + reason);
  if (!refused.problems.empty()) {
    std::istringstream problems(format_problems(path + " (the set inside)", refused.problems));
    for (std::string line; std::getline(problems, line);) log(line);
  }
  publish_set_status();
}

bool KioskApp::check_readback(TimePoint now) {
  bool& cards_looked = cards_looked_;
  if (visit_->screen() != Screen::attract && visit_->screen() != Screen::closed) return false;  // cards never interrupt a visit
  if (now < next_cards_check_) return false;
  next_cards_check_ = now + kSignedSetCheckEvery;
  std::string delivered = delivered_readback_path(data_dir_);
  FileStamp stamp = stamp_of(delivered);
  std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char day[16];
  std::strftime(day, sizeof day, "%Y-%m-%d", &local);
  if (cards_looked && stamp == cards_stamp_ && cards_day_ == day) return false;
  const bool file_changed = !cards_looked || !(stamp == cards_stamp_);
  cards_looked = true;
  cards_stamp_ = stamp;
  cards_day_ = day;
  if (file_changed) {
    std::error_code ec;
    if (!stamp.exists && !std::filesystem::exists(accepted_readback_path(data_dir_), ec)) {
      if (!cards_) return false;  // never had cards
    }
    TrustedSetKey key = find_trusted_set_key(config_, data_dir_);
    // Cards for this kiosk's venue only; a kiosk not enrolled takes any.
    std::string venue = kiosk_venue(data_dir_);
    if (venue == kUnenrolledVenue) venue.clear();
    KioskCards loaded = load_kiosk_cards(data_dir_, key.key, venue);
    if (!loaded.problem.empty()) log(loaded.problem);
    if (loaded.readback) {
      log("read-back cards: " + std::to_string(loaded.readback->cards.size()) + " (serial " + std::to_string(loaded.serial) + ")");
      cards_ = std::make_shared<const Readback>(std::move(*loaded.readback));
    } else {
      cards_.reset();
    }
  }
  if (display_ && display_->ui) {
    display_->ui->set_readback(cards_, cards_day_);
    if (cards_) log("read-back cards showing today: " + std::to_string(display_->ui->live_cards()));
  }
  return true;
}

void KioskApp::check_delivered_set(TimePoint now) {
  // Never mid-visit, nor under staff (invariant 5); while closed no visit is under way either.
  if (visit_->screen() != Screen::attract && visit_->screen() != Screen::closed) return;
  if (!set_check_requested_ && now < next_set_check_) return;
  next_set_check_ = now + kSignedSetCheckEvery;
  std::string delivered = delivered_set_path(data_dir_);
  FileStamp stamp = stamp_of(delivered);
  if (!set_check_requested_ && stamp == delivered_stamp_) return;
  set_check_requested_ = false;
  delivered_stamp_ = stamp;
  if (!stamp.exists) return;  // nothing delivered, or taken away: the set in use stays

  Result<AcceptedSet> accepted = store_->set_serials.highest_accepted();
  if (!accepted) {
    log("not looking at " + delivered + " yet: " + accepted.message());
    delivered_stamp_ = {};  // look again next time
    return;
  }
  std::int64_t current = std::max(accepted->serial, set_status_.signed_serial);
  TrustedSetKey key = find_trusted_set_key(config_, data_dir_);
  std::string text;
  // Same or newer: the set on screen written again is not a replay to complain about.
  OpenedSignedSet opened = open_signed_set_file(delivered, key.key, current, SerialRule::same_or_newer, &text);
  if (!opened) {
    note_refusal(opened, delivered, key);
    return;
  }
  SignedSet& fresh = *opened.opened;
  if (fresh.serial == set_status_.signed_serial) {  // the set already on screen, written again
    if (!set_status_.refused.empty()) {
      set_status_.refused.clear();
      publish_set_status();
    }
    return;
  }
  if (!accept_signed_set(fresh, text, delivered, accepted->serial)) {
    delivered_stamp_ = {};  // the serial must be on disk before the set goes on screen: try again later
    return;
  }
  std::string words = describe_set_in_use(fresh.set.id, fresh.set.version, fresh.serial);
  visit_->offer_question_set(std::move(fresh.set));  // on the attract screen: on screen at once
  set_status_.signed_serial = opened.serial;
  set_status_.refused.clear();
  publish_set_status();
  log("question set " + words + " from " + delivered + " is in use");
}

void KioskApp::install_from_usb() {
  TrustedSetKey key = find_trusted_set_key(config_, data_dir_);
  Result<AcceptedSet> accepted = store_->set_serials.highest_accepted();
  if (!accepted) {
    set_status_.usb = "Unable to install: " + accepted.message();
  } else {
    SetInstallResult r =
        install_set_from_usb(config_.usb_media_dirs, data_dir_, key.key, std::max(accepted->serial, set_status_.signed_serial));
    set_status_.usb = r.refusal == SetRefusal::no_trusted_key && !key.problem.empty() ? "Unable to install: " + key.problem : r.message;
    if (r.installed) check_signed_set_soon();  // taken when the staff menu closes
  }
  log(set_status_.usb);
  publish_set_status();
}

void KioskApp::publish_set_status() {
  if (display_ && display_->ui) display_->ui->set_question_set_status(set_status_);
}

void KioskApp::start_export(TimePoint now) {
  if (export_job_) return;  // one at a time
  std::vector<UsbStick> sticks = find_usb_sticks(config_.usb_media_dirs);
  ExportStatus& st = export_status_;
  st.sticks.clear();
  for (const auto& s : sticks) st.sticks.push_back(s.path);
  st.stick_read_only = !sticks.empty() && sticks.front().read_only;
  st.folder.clear();
  st.progress = 0;
  st.step.clear();
  if (sticks.empty()) {
    std::string where;
    for (const auto& root : config_.usb_media_dirs) where += (where.empty() ? "" : ", ") + root;
    st.stage = ExportStatus::Stage::failed;
    st.message = "No USB stick found: plug one in and wait a moment (looked for a mounted stick in " + where + ")";
    log(st.message);
    publish_export_status();
    return;
  }
  ExportRequest request;
  request.stick = sticks.front().path;
  request.venue = kiosk_venue(data_dir_);
  request.sets = kiosk_question_sets(config_, data_dir_);
  const QuestionSet& in_use = visit_->question_set();
  if (std::none_of(request.sets.begin(), request.sets.end(),
                   [&](const QuestionSet& s) { return s.id == in_use.id && s.version == in_use.version; }))
    request.sets.push_back(in_use);
  request.now = stamps_.unix_now();
  request.data_dir = data_dir_;  // the device key, for the server bundle

  st.stage = ExportStatus::Stage::running;
  st.step = "Starting";
  st.message.clear();
  visit_->set_staff_busy(true, now);
  log("exporting results to " + request.stick);
  export_job_ = std::make_unique<ExportJob>();
  ExportJob* job = export_job_.get();
  request.on_progress = [job](const ExportProgress& p) {
    std::lock_guard<std::mutex> lock(job->mutex);
    job->progress = p;
  };
  // The worker has its own read-only connection; nothing else of the app is shared (invariant 7).
  job->worker = std::thread([job, request = std::move(request), db = db_path_]() {
    SqliteAnswerArchive archive(db);
    ExportOutcome outcome = export_results(archive, request);
    std::lock_guard<std::mutex> lock(job->mutex);
    job->outcome = std::move(outcome);
  });
  publish_export_status();
}

bool KioskApp::follow_export(TimePoint now) {
  ExportStatus before = export_status_;
  ExportStatus& st = export_status_;
  if (export_job_) {
    std::optional<ExportOutcome> outcome;
    {
      std::lock_guard<std::mutex> lock(export_job_->mutex);
      const ExportProgress& p = export_job_->progress;
      st.step = p.step;
      st.progress = p.total > 0 ? static_cast<double>(p.done) / static_cast<double>(p.total) : 0.0;
      outcome = std::move(export_job_->outcome);
    }
    if (outcome) {
      export_job_.reset();  // joins the finished thread
      st.stage = outcome->ok ? ExportStatus::Stage::done : ExportStatus::Stage::failed;
      st.message = outcome->message;
      st.folder = outcome->folder;
      st.progress = outcome->ok ? 1.0 : st.progress;
      st.step.clear();
      visit_->set_staff_busy(false, now);
      log(st.message);
      next_stick_check_.reset();
    }
  }
  if (visit_->screen() != Screen::staff_menu) {
    // A fresh look, and no old outcome, the next time the menu opens.
    next_stick_check_.reset();
    if (!export_job_) st = ExportStatus{};
  } else if (std::error_code ec; !export_job_ && (!next_stick_check_ || now >= *next_stick_check_)) {
    next_stick_check_ = now + kStickCheckEvery;
    std::vector<UsbStick> sticks = find_usb_sticks(config_.usb_media_dirs);
    st.sticks.clear();
    for (const auto& s : sticks) st.sticks.push_back(s.path);
    st.stick_read_only = !sticks.empty() && sticks.front().read_only;
    st.enrol_file.clear();
    if (!sticks.empty() && std::filesystem::is_regular_file(sticks.front().path + "/" + bundle::kEnrolFile, ec))
      st.enrol_file = sticks.front().path + "/" + bundle::kEnrolFile;
  }
  if (st == before) return false;
  publish_export_status();
  return true;
}

// "Enrol from stick" (offline_enrol.h): quick, so it runs here; its words go
// where the staff menu shows what a USB install did.
void KioskApp::enrol_from_usb() {
  const std::string file = export_status_.enrol_file;
  if (file.empty()) {
    set_status_.usb = "No enrolment file (enrol.json) on the USB stick.";
  } else {
    OfflineEnrolOutcome done = enrol_from_stick(file, data_dir_, "kiosk", stamps_.unix_now());
    set_status_.usb = done.message;
    if (done.ok) set_status_.refused.clear();
  }
  log(set_status_.usb);
  publish_set_status();
}

void KioskApp::publish_export_status() {
  if (display_ && display_->ui) display_->ui->set_export_status(export_status_);
}

void KioskApp::open_speech() {
  Display& d = *display_;
  if (config_.speech_volume == 0) {
    log("read aloud is off (speech_volume is 0)");
    return;
  }
  std::string error;
  const std::string wav_dir = options_.speech_wav_dir;
  d.speech = platform::Speech::open(
      config_.speech_volume,
      [&](int rate, std::string& e) {
        return wav_dir.empty() ? platform::open_sdl_audio(rate, e) : platform::open_wav_files(wav_dir, rate, e);
      },
      error);
  if (!d.speech) {
    log("read aloud is off: " + error);
    return;
  }
  log("read aloud: espeak-ng at " + std::to_string(d.speech->sample_rate()) + " Hz, volume " + std::to_string(config_.speech_volume) + "%" +
      (wav_dir.empty() ? std::string() : ", into WAV files in " + wav_dir));
  // The button only where the voice is, and while the config wants it.
  d.ui->set_read_aloud([this](const std::string& language) {
    return config_.speech_volume > 0 && display_ && display_->speech && display_->speech->has_voice(language);
  });
}

void KioskApp::read_aloud() {
  Display& d = *display_;
  if (!d.speech) return;
  if (d.speech->speaking()) {
    d.speech->stop();
    log("read aloud: stopped by a second tap");
    return;
  }
  const std::string words = ui::Ui::words_to_read(*visit_);
  if (words.empty() || config_.speech_volume == 0) return;
  d.spoken_screen = visit_->screen();
  d.spoken_question = visit_->question();
  d.spoken_language = visit_->language();
  d.speech->say(words, visit_->language());
  log("read aloud: the " + std::string(screen_name(visit_->screen())) + " screen in " + visit_->language());
}

bool KioskApp::follow_speech() {
  if (!display_ || !display_->speech) return false;
  Display& d = *display_;
  bool speaking = d.speech->speaking();
  // Another screen, question or language: what was being read no longer is there.
  if (speaking &&
      (visit_->screen() != d.spoken_screen || visit_->question() != d.spoken_question || visit_->language() != d.spoken_language)) {
    d.speech->stop();
    speaking = d.speech->speaking();
    log("read aloud: stopped, the screen changed");
  }
  const bool changed = speaking != d.was_speaking;
  if (changed && !speaking) log("read aloud: silent");
  // A long question read aloud is the resident being served: no "Still there?" meanwhile.
  if (speaking || changed) visit_->keep_alive(Clock::now());
  d.was_speaking = speaking;
  d.ui->set_speaking(speaking);
  return changed;
}

void KioskApp::handle(const Event& event, TimePoint now) {
  bool on_menu = visit_->screen() == Screen::staff_menu;
  bool usb = std::holds_alternative<ev::StaffInstallFromUsb>(event) && on_menu && !visit_->staff_busy();
  bool export_usb = std::holds_alternative<ev::StaffExportToUsb>(event) && on_menu && !visit_->staff_busy();
  bool enrol_usb = std::holds_alternative<ev::StaffEnrolFromUsb>(event) && on_menu && !visit_->staff_busy();
  const bool read = std::holds_alternative<ev::ReadAloud>(event) && display_;
  visit_->handle(event, now);
  if (read) read_aloud();
  follow_speech();
  if (usb) install_from_usb();
  if (export_usb) start_export(now);
  if (enrol_usb) enrol_from_usb();
}

bool KioskApp::between_frames(TimePoint now) {
  visit_->tick(now);
  check_delivered_set(now);
  bool export_changed = follow_export(now);
  if (check_readback(now)) {
    if (display_) refresh_fonts();
    export_changed = true;
  }
  // Another set on screen, from the attract screen at once or from a visit
  // that deferred it: its words may need glyphs the atlas lacks (invariant 4).
  // Here, between frames, never while a frame's draw lists point at the old texture.
  if (visit_->question_set_generation() == atlas_generation_) return export_changed;
  atlas_generation_ = visit_->question_set_generation();
  if (display_) refresh_fonts();
  return true;
}

KioskApp::ReloadResult KioskApp::reload() {
  ReloadResult result;
  if (!visit_) {
    result.message = "nothing to reload: the kiosk has not started";
    return result;
  }
  // Read and check everything before changing anything (invariant 2).
  KioskConfig fresh;
  try {
    fresh = load_kiosk_config(options_.config_path);
  } catch (const std::exception& e) {
    result.message = std::string("keeping the current settings: ") + e.what();
    log(result.message);
    return result;
  }
  // A signed set in use wins over the config's local one (invariant 5).
  bool signed_in_use = set_status_.signed_serial > 0;
  std::optional<QuestionSet> questions = signed_in_use ? std::nullopt : load_questions(fresh.question_set_path);
  bool database_moved = options_.db_path.empty() && fresh.database_path != config_.database_path;

  config_ = std::move(fresh);  // in place: the visit reads its timers from it
  pins_.set_hash(config_.staff_pin_hash);
  if (!pins_.configured()) log("no staff_pin_hash in " + options_.config_path + ": the staff menu cannot be opened");
  if (pins_.is_demo_pin())
    log("warning: the staff PIN in " + options_.config_path + " is the demo PIN " + kDemoPin +
        ", which anyone can read in the documentation; set staff_pin_hash from `tenpoint pin-hash`");
  stamps_.set_granularity_minutes(config_.time_granularity_minutes);
  apply_theme(config_.theme);
  if (display_ && display_->speech) {
    if (config_.speech_volume > 0)
      display_->speech->set_volume(config_.speech_volume);
    else
      display_->speech->stop();
  }
  // The store stays open on its file: moving residents' answers under a
  // running kiosk could split one visit across two files.
  if (database_moved) log("the \"database\" setting changed; the kiosk keeps using " + db_path_ + " until it is restarted");
  check_signed_set_soon();
  if (signed_in_use) {
    log("the config's question set " + config_.question_set_path + " is not used: the signed set with serial " +
        std::to_string(set_status_.signed_serial) + " is in use");
  } else if (questions) {
    // The atlas follows in between_frames(), at once or when the visit ends.
    result.question_set_waits = visit_->offer_question_set(std::move(*questions)) == Offer::deferred;
    log(result.question_set_waits ? "question set reloaded; it starts when the current visit ends" : "question set reloaded");
  } else {
    log("keeping the question set in use: neither " + config_.question_set_path + " nor the last good copy could be loaded");
  }
  result.applied = true;
  result.message = "settings reloaded from " + options_.config_path + " (theme " + palette_name_ + ", answer times rounded to " +
                   std::to_string(config_.time_granularity_minutes) + " min)";
  log(result.message);
  return result;
}

void KioskApp::apply_theme(const std::string& name) {
  palette_name_ = name;
  if (display_ && display_->ui) display_->ui->set_palette(ui::palette_named(name));
}

std::optional<KioskApp::StartError> KioskApp::open_display() {
  display_ = std::make_unique<Display>();
  Display& d = *display_;
  platform::WindowOptions wo;
  if (!options_.windowed.empty()) {
    if (!parse_window_size(options_.windowed, wo.width, wo.height)) {
      std::string message = "--windowed takes WIDTHxHEIGHT, such as 1280x800 (at least 320x240)";
      log(message);
      return StartError{2, message};
    }
    wo.fullscreen = false;
  }
  wo.rotation = config_.display_rotation;
  std::string error;
  d.window = platform::Window::open(wo, error);
  if (!d.window) {
    log(error);
    return StartError{1, error};
  }
  log("drawing with " + d.window->gl_description() +
      (wo.rotation ? ", the picture turned " + std::to_string(wo.rotation) + " degrees clockwise" : ""));

  auto font_files = ui::find_font_files();
  if (!font_files) {
    std::string message = "Unable to find Noto Sans or DejaVu Sans: install fonts-noto-core or fonts-dejavu-core";
    log(message);
    return StartError{1, message};
  }
  d.font_files = *font_files;
  float w = 0, h = 0;
  d.window->logical_size(w, h);
  d.metrics = ui::Metrics::for_display({w, h});
  if (!build_fonts()) return StartError{1, "Unable to build the font atlas (see the message above)"};
  d.ui = std::make_unique<ui::Ui>(d.fonts, ui::palette_named(palette_name_), d.metrics);
  d.ui->set_large_fonts(&d.large_fonts);
  open_speech();
  // Without the script fonts or GL textures, ImGui draws every text itself:
  // Latin, Greek and Cyrillic as ever, other scripts unjoined.
  if (auto script_files = ui::find_script_font_files()) {
    std::string shaper_error;
    d.shaper = ui::TextShaper::open(*script_files, shaper_error);
    d.glyph_textures = std::make_unique<GlGlyphTextures>();
    if (!d.shaper)
      log("shaped text is off: " + shaper_error);
    else if (!d.glyph_textures->ok())
      log("shaped text is off: the GL context has no texture functions");
    else {
      d.atlas = std::make_unique<ui::GlyphAtlas>(*d.shaper, d.glyph_textures.get());
      d.ui->set_shaped_text(d.shaper.get(), d.atlas.get());
    }
  } else {
    log("shaped text is off: no font files for it (fonts-noto-core)");
  }
  publish_set_status();
  publish_export_status();
  return std::nullopt;
}

bool KioskApp::build_fonts() {
  Display& d = *display_;
  std::string text = ui::text_in_use(visit_->question_set(), strings_);
  if (cards_) text += ui::text_in_use(*cards_);
  std::string error;
  if (!d.font_builder.build(ImGui::GetIO().Fonts, d.font_files, d.metrics, text, d.fonts, error, &d.large_fonts)) {
    log(error);
    return false;
  }
  d.atlas_text = std::move(text);
  atlas_generation_ = visit_->question_set_generation();
  if (d.window) d.window->upload_fonts();
  log("font atlas " + std::to_string(d.fonts.atlas_width) + "x" + std::to_string(d.fonts.atlas_height));
  return true;
}

void KioskApp::refresh_fonts() {
  std::string text = ui::text_in_use(visit_->question_set(), strings_);
  if (cards_) text += ui::text_in_use(*cards_);
  if (text != display_->atlas_text) build_fonts();
}

bool KioskApp::build_fonts_without_window(int width_px, int height_px) {
  if (!visit_) return false;
  display_.reset();  // the old ImGui context goes before the new one is made
  display_ = std::make_unique<Display>();
  auto files = ui::find_font_files();
  if (!files) {
    log("Unable to find Noto Sans or DejaVu Sans: install fonts-noto-core or fonts-dejavu-core");
    return false;
  }
  display_->font_files = *files;
  display_->metrics = ui::Metrics::for_display({static_cast<float>(width_px), static_cast<float>(height_px)});
  ImGui::GetIO().DisplaySize = display_->metrics.display;
  return build_fonts();
}

bool KioskApp::atlas_has_glyph(char32_t c) const {
  if (!display_ || !display_->fonts.question || c > 0xFFFF) return false;  // ImWchar is 16-bit here
  return display_->fonts.question->FindGlyphNoFallback(static_cast<ImWchar>(c)) != nullptr;
}

int KioskApp::run() {
  // Before anything slow, so that a SIGTERM during start-up still ends in an orderly stop.
  install_signal_handlers();
  if (auto error = start_headless()) return error->exit_code;
  if (auto error = open_display()) return error->exit_code;
  return frame_loop();
}

int KioskApp::frame_loop() {
  Display& d = *display_;
  Visit& visit = *visit_;
  int frames_to_draw = kFramesAfterChange;
  int frames_drawn = 0;
  Screen last_screen = visit.screen();
  std::size_t last_greeting = SIZE_MAX;
  int last_turn = -1;
  bool last_notice = false;
  std::map<std::string, ui::Rect> last_hits;
  std::optional<Screen> hits_screen;  // the screen and rotation last written to the hits file
  int hits_rotation = 0;
  log(std::string("screen ") + screen_name(last_screen));
  ServiceNotifier service;
  if (service.watchdog_period().count() > 0)
    log("watchdog: systemd restarts the kiosk if its frame loop stops for " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(service.watchdog_period()).count()) + " s");

  while (!g_stop && !visit.wants_quit()) {
    auto now = Clock::now();
    service.alive(now);
    auto deadline = visit.next_deadline(now);
    if (auto wake = d.ui->wake_at()) deadline = std::min(deadline, *wake);
    if (export_status_.running()) deadline = std::min<TimePoint>(deadline, now + kExportRedrawEvery);
    if (d.was_speaking) deadline = std::min<TimePoint>(deadline, now + kSpeechCheckEvery);  // to show when it ends
    if (visit.screen() == Screen::attract && d.ui->live_cards() > 0)                        // the next turn of the cards
      deadline = std::min<TimePoint>(deadline, visit.attract_since() + std::chrono::seconds(next_turn_at(visit.seconds_on_attract(now))));
    long wait_ms = frames_to_draw > 0 ? 0 : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    wait_ms = std::clamp(wait_ms, 0L, kLongestWaitMs);
    platform::Input input = d.window->wait(static_cast<int>(wait_ms));
    now = Clock::now();
    if (!input.display_lost.empty()) {
      // Every answer is committed before the screen moves on, so there is nothing to save.
      log(input.display_lost + ": stopping, so that the service starts the kiosk again with its display");
      service.stopping();
      display_.reset();
      return 1;
    }
    if (input.quit_shortcut) visit.handle(ev::QuitShortcut{}, now);
    for (platform::NavKey key : input.keys) {
      static constexpr ui::NavKey kAs[] = {ui::NavKey::left, ui::NavKey::right,    ui::NavKey::up,    ui::NavKey::down,
                                           ui::NavKey::next, ui::NavKey::previous, ui::NavKey::select};
      d.ui->navigate(kAs[static_cast<int>(key)]);
    }
    if (input.any) frames_to_draw = std::max(frames_to_draw, kFramesAfterInput);
    bool relayout = input.resized;
    if (g_reload.exchange(false)) {
      reload();  // also asks for the delivered signed set to be looked at again
      frames_to_draw = std::max(frames_to_draw, kFramesAfterChange);
      if (config_.display_rotation != d.window->rotation()) {
        d.window->set_rotation(config_.display_rotation);
        log(config_.display_rotation ? "the picture is now turned " + std::to_string(config_.display_rotation) + " degrees clockwise"
                                     : std::string("the picture is no longer turned"));
        relayout = true;
      }
    }
    if (relayout) {
      float w = 0, h = 0;
      d.window->logical_size(w, h);
      d.metrics = ui::Metrics::for_display({w, h});
      d.ui->set_metrics(d.metrics);
      build_fonts();
      frames_to_draw = std::max(frames_to_draw, kFramesAfterChange);
    }

    Screen before = visit.screen();
    if (between_frames(now) || visit.screen() != before) frames_to_draw = std::max(frames_to_draw, kFramesAfterChange);
    if (follow_speech()) frames_to_draw = std::max(frames_to_draw, 1);
    d.window->allow_screen_saver(visit.screen() == Screen::closed);
    std::size_t greeting = visit.screen() == Screen::attract ? visit.greeting_index(now) : 0;
    // Read-back cards take turns with the invitation: a new turn is a new frame.
    int turn = visit.screen() == Screen::attract ? attract_turn(visit.seconds_on_attract(now), d.ui->live_cards()) : -1;
    if (turn != last_turn) frames_to_draw = std::max(frames_to_draw, 1);
    last_turn = turn;
    // Closed, the black frame stays as it is: only the notice coming and going,
    // or a finger resting on the staff corner, draws again.
    bool closed = visit.screen() == Screen::closed;
    bool notice = closed && visit.closed_notice_shown(now);
    bool timer_fired = (now >= deadline && (!closed || d.ui->wake_at())) || greeting != last_greeting || notice != last_notice ||
                       visit.screen() == Screen::still_there || visit.screen() == Screen::staff_pin;
    if (timer_fired) frames_to_draw = std::max(frames_to_draw, 1);
    last_greeting = greeting;
    last_notice = notice;
    if (frames_to_draw == 0) continue;

    d.window->new_frame();
    ImGui::NewFrame();
    Screen screen_drawn = visit.screen();
    std::vector<Event> taps = d.ui->draw(visit, now);
    if (d.atlas) d.atlas->upload();  // glyphs first drawn in this frame, before it is rendered
    ImGui::EndFrame();
    for (const auto& e : taps) handle(e, now);
    d.window->render();
    --frames_to_draw;
    ++frames_drawn;
    service.ready();  // the first frame is on screen

    if (visit.screen() != last_screen) {
      log(std::string("screen ") + screen_name(last_screen) + " -> " + screen_name(visit.screen()));
      last_screen = visit.screen();
      frames_to_draw = std::max(frames_to_draw, kFramesAfterChange);
    }
    // Also a screen with no targets at all (CLOSED) is written once, and a
    // turn by 180 degrees, which moves no target in the logical picture.
    if (!options_.hits_file.empty() && screen_drawn == visit.screen() &&
        (d.ui->hits() != last_hits || screen_drawn != hits_screen || d.window->rotation() != hits_rotation)) {
      last_hits = d.ui->hits();
      hits_screen = screen_drawn;
      hits_rotation = d.window->rotation();
      write_hits(options_.hits_file, screen_name(screen_drawn), d.metrics.display, d.window->rotation(), last_hits);
    }
    if (options_.exit_after_frames > 0 && frames_drawn >= options_.exit_after_frames) break;
  }
  double ran_s = std::chrono::duration<double>(Clock::now() - started_).count();
  log("drew " + std::to_string(frames_drawn) + " frames in " + std::to_string(static_cast<long>(ran_s)) + " s");
  if (d.atlas)
    log("shaped text: " + std::to_string(d.atlas->glyph_count()) + " glyphs in a " + std::to_string(d.atlas->side()) + " px atlas");
  log(visit.wants_quit() ? "closed from the staff menu" : "stopping");
  service.stopping();
  display_.reset();  // closes the window before the process reports its exit
  return 0;
}

}  // namespace tp
