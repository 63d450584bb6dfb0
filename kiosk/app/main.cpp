// tenpoint-kiosk: the appliance residents use. This file only reads the
// command line; KioskApp (kiosk_app.h) owns the parts and runs the frame loop.
#include <CLI/CLI.hpp>
#include <string>

#include "data_paths.h"
#include "kiosk_app.h"
#include "version.h"

int main(int argc, char** argv) {
  CLI::App cli{"Tenpoint kiosk: asks residents one question at a time and stores every answer durably."};
  tp::KioskApp::Options o;
  o.config_path = tp::default_kiosk_config_path();  // an installed kiosk's, else the checkout's example
  cli.add_option("--config", o.config_path, "Kiosk config file (JSON)")->capture_default_str();
  cli.add_option("--db", o.db_path, "Answer database (SQLite); default: the config's, else the per-user data folder");
  cli.add_option("--windowed", o.windowed, "Run in a window of WxH pixels instead of fullscreen, e.g. 1280x800");
  cli.add_option("--hits-file", o.hits_file, "Keep the current screen and its touch targets in this JSON file");
  cli.add_option("--speech-wav-dir", o.speech_wav_dir,
                 "Keep each spoken prompt as a WAV file in this folder (speech-N.wav, paced as heard) instead of playing it");
  cli.add_option("--exit-after-frames", o.exit_after_frames, "Quit after drawing this many frames (start-up measurements)");
  cli.set_version_flag("--version", tp::version_line("tenpoint-kiosk"));
  CLI11_PARSE(cli, argc, argv);

  tp::KioskApp app(std::move(o));
  return app.run();
}
