// tenpoint-kiosk: the appliance residents use.
//
// Frame loop (event driven, so an idle kiosk costs next to nothing):
//   wait for input or the next timer -> Visit::tick -> (if anything changed)
//   NewFrame -> Ui::draw -> Visit::handle(taps) -> Render
#include <imgui.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "kiosk_config.h"
#include "data_paths.h"
#include "pin.h"
#include "question_set.h"
#include "kiosk_store.h"
#include "kiosk_strings.h"
#include "system_stamps.h"
#include "ui.h"
#include "visit.h"
#include "window.h"

#ifndef TENPOINT_VERSION
#define TENPOINT_VERSION "0.0.0"
#endif
#ifndef TENPOINT_SOURCE_CONFIG
#define TENPOINT_SOURCE_CONFIG "config"
#endif

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

void on_signal(int sig) {
  if (sig == SIGHUP) g_reload = true;
  else g_stop = true;
}

void log(const std::string& line) { std::fprintf(stderr, "tenpoint-kiosk: %s\n", line.c_str()); }

std::string default_config_path() {
  std::error_code ec;
  if (std::filesystem::exists("/etc/tenpoint/kiosk.json", ec)) return "/etc/tenpoint/kiosk.json";
  return std::string(TENPOINT_SOURCE_CONFIG) + "/kiosk.example.json";
}

// Loads the configured question set. A bad one is reported and the last good
// one (kept beside the database) is used instead, if there is one.
std::optional<tp::QuestionSet> load_questions(const std::string& path, const std::string& last_good_path) {
  tp::LoadResult r = tp::load_question_set(path);
  if (r.set) {
    std::error_code ec;
    std::filesystem::copy_file(path, last_good_path, std::filesystem::copy_options::overwrite_existing, ec);
    return r.set;
  }
  std::fputs(tp::format_problems(path, r.problems).c_str(), stderr);
  tp::LoadResult kept = tp::load_question_set(last_good_path);
  if (kept.set) {
    log("refusing the question set " + path + "; keeping the last good one (" + kept.set->id + " v" + std::to_string(kept.set->version) + ")");
    return kept.set;
  }
  return std::nullopt;
}

// Writes the screen and the position of each touch target, for automated
// checks and accessibility audits (--hits-file). Written atomically.
void write_hits(const std::string& path, const char* screen, const std::map<std::string, tp::ui::Rect>& hits) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"screen\":\"" << screen << "\",\"hits\":{";
    bool first = true;
    for (const auto& [id, r] : hits) {
      out << (first ? "" : ",") << "\"" << id << "\":[" << r.min.x << "," << r.min.y << "," << r.max.x << "," << r.max.y << "]";
      first = false;
    }
    out << "}}\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Tenpoint kiosk: asks residents one question at a time and stores every answer durably."};
  std::string config_path = default_config_path();
  std::string db_path, windowed, hits_file;
  int exit_after_frames = 0;
  cli.add_option("--config", config_path, "Kiosk config file (JSON)")->capture_default_str();
  cli.add_option("--db", db_path, "Answer database (SQLite); default: the config's, else the per-user data folder");
  cli.add_option("--windowed", windowed, "Run in a window of WxH pixels instead of fullscreen, e.g. 1280x800");
  cli.add_option("--hits-file", hits_file, "Keep the current screen and its touch targets in this JSON file");
  cli.add_option("--exit-after-frames", exit_after_frames, "Quit after drawing this many frames (start-up measurements)");
  cli.set_version_flag("--version", TENPOINT_VERSION);
  CLI11_PARSE(cli, argc, argv);

  tp::KioskConfig config;
  tp::Strings strings;
  try {
    config = tp::load_kiosk_config(config_path);
    strings = tp::Strings::load_dir(tp::assets_dir() + "/translations");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  if (db_path.empty()) db_path = config.database_path.empty() ? tp::user_data_dir() + "/kiosk.db" : config.database_path;
  std::string data_dir = std::filesystem::path(db_path).parent_path().string();
  std::error_code ec;
  // Residents' words live here: a folder the kiosk makes is for its own user only.
  if (!data_dir.empty() && !std::filesystem::exists(data_dir, ec) && std::filesystem::create_directories(data_dir, ec))
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, ec);
  std::string last_good = (data_dir.empty() ? std::string(".") : data_dir) + "/question-set.last-good.json";
  std::optional<tp::QuestionSet> questions = load_questions(config.question_set_path, last_good);
  if (!questions) {
    log("no usable question set: fix " + config.question_set_path + " (problems above) and start again");
    return 2;
  }

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);

  tp::KioskStore store({db_path, std::nullopt});
  tp::SystemStamps stamps(config.time_granularity_minutes);
  tp::Argon2PinChecker pins(config.staff_pin_hash);
  if (!pins.configured()) log("no staff_pin_hash in " + config_path + ": the staff menu cannot be opened");
  auto now = tp::Clock::now();
  const auto started = now;
  tp::Visit visit(*questions, config, strings, store.answers, store.reports, stamps, pins, now);
  if (tp::Status s = store.answers.probe(); !s) {  // opens, and closes visits a power cut interrupted
    log(s.message());
    visit.storage_failed(s.message(), now);
  }
  if (!store.database.moved_aside().empty())
    log("the database was damaged; moved it aside to " + store.database.moved_aside() + " and started a new one");
  log("database " + db_path + (stamps.clock_trusted() ? "" : " (clock not trusted yet: answers carry boot id and uptime)"));

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
  io.ConfigInputTextCursorBlink = false;

  tp::platform::WindowOptions wo;
  if (!windowed.empty()) {
    if (std::sscanf(windowed.c_str(), "%dx%d", &wo.width, &wo.height) != 2 || wo.width < 320 || wo.height < 240) {
      std::fprintf(stderr, "--windowed takes WIDTHxHEIGHT, such as 1280x800 (at least 320x240)\n");
      return 2;
    }
    wo.fullscreen = false;
  }
  std::string error;
  auto window = tp::platform::Window::open(wo, error);
  if (!window) {
    log(error);
    return 1;
  }
  log("drawing with " + window->gl_description());

  auto font_files = tp::ui::find_font_files();
  if (!font_files) {
    log("Unable to find Noto Sans or DejaVu Sans: install fonts-noto-core or fonts-dejavu-core");
    return 1;
  }
  tp::ui::Fonts fonts;
  tp::ui::FontBuilder font_builder;
  float w = 0, h = 0;
  window->drawable_size(w, h);
  auto metrics = tp::ui::Metrics::for_display({w, h});
  auto build_fonts = [&]() {
    if (!font_builder.build(io.Fonts, *font_files, metrics, tp::ui::text_in_use(visit.question_set(), strings), fonts, error)) {
      log(error);
      return false;
    }
    window->upload_fonts();
    log("font atlas " + std::to_string(fonts.atlas_width) + "x" + std::to_string(fonts.atlas_height));
    return true;
  };
  if (!build_fonts()) return 1;
  tp::ui::Ui ui(fonts, tp::ui::palette_named(config.theme), metrics);

  int frames_to_draw = 2;  // a few frames after each input let pressed states and layout settle
  int frames_drawn = 0;
  tp::Screen last_screen = visit.screen();
  std::size_t last_greeting = SIZE_MAX;
  std::map<std::string, tp::ui::Rect> last_hits;
  log(std::string("screen ") + tp::screen_name(last_screen));

  while (!g_stop && !visit.wants_quit()) {
    now = tp::Clock::now();
    auto deadline = visit.next_deadline(now);
    if (auto wake = ui.wake_at()) deadline = std::min(deadline, *wake);
    long wait_ms = frames_to_draw > 0 ? 0 : std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    // Wake at least once a second so that SIGTERM/SIGHUP are noticed promptly.
    wait_ms = std::clamp(wait_ms, 0L, 1000L);
    tp::platform::Input input = window->wait(static_cast<int>(wait_ms));
    now = tp::Clock::now();
    if (input.quit_shortcut) visit.handle(tp::ev::QuitShortcut{}, now);
    if (input.any) frames_to_draw = std::max(frames_to_draw, 3);
    if (g_reload.exchange(false)) {
      try {
        config = tp::load_kiosk_config(config_path);
        if (auto set = load_questions(config.question_set_path, last_good)) {
          bool applied = visit.offer_question_set(std::move(*set)) == tp::Offer::applied;
          log(applied ? "question set reloaded" : "question set reloaded; it starts when the current visit ends");
          build_fonts();
          frames_to_draw = std::max(frames_to_draw, 2);
        }
      } catch (const std::exception& e) {
        log(std::string("keeping the current settings: ") + e.what());
      }
    }
    if (input.resized) {
      window->drawable_size(w, h);
      metrics = tp::ui::Metrics::for_display({w, h});
      ui.set_metrics(metrics);
      build_fonts();
      frames_to_draw = std::max(frames_to_draw, 2);
    }

    visit.tick(now);
    std::size_t greeting = visit.screen() == tp::Screen::attract ? visit.greeting_index(now) : 0;
    bool timer_fired = now >= deadline || greeting != last_greeting || visit.screen() == tp::Screen::still_there ||
                       visit.screen() == tp::Screen::staff_pin;
    if (timer_fired) frames_to_draw = std::max(frames_to_draw, 1);
    last_greeting = greeting;
    if (frames_to_draw == 0) continue;

    window->new_frame();
    ImGui::NewFrame();
    tp::Screen screen_drawn = visit.screen();
    std::vector<tp::Event> taps = ui.draw(visit, now);
    ImGui::EndFrame();
    for (const auto& e : taps) visit.handle(e, now);
    window->render();
    --frames_to_draw;
    ++frames_drawn;

    if (visit.screen() != last_screen) {
      log(std::string("screen ") + tp::screen_name(last_screen) + " -> " + tp::screen_name(visit.screen()));
      last_screen = visit.screen();
      frames_to_draw = std::max(frames_to_draw, 2);
    }
    if (!hits_file.empty() && screen_drawn == visit.screen() && ui.hits() != last_hits) {
      last_hits = ui.hits();
      write_hits(hits_file, tp::screen_name(screen_drawn), last_hits);
    }
    if (exit_after_frames > 0 && frames_drawn >= exit_after_frames) break;
  }
  double ran_s = std::chrono::duration<double>(tp::Clock::now() - started).count();
  log("drew " + std::to_string(frames_drawn) + " frames in " + std::to_string(static_cast<long>(ran_s)) + " s");
  log(visit.wants_quit() ? "closed from the staff menu" : "stopping");
  window.reset();
  ImGui::DestroyContext();
  return 0;
}
