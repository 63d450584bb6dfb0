#include "data_paths.h"

#include <cstdlib>
#include <filesystem>

namespace tp {

std::string user_data_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::string(xdg) + "/tenpoint";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/share/tenpoint";
  return "/var/lib/tenpoint";
}

std::string assets_dir() {
  if (const char* env = std::getenv("TENPOINT_ASSETS"); env && *env) return env;
  std::error_code ec;
#ifdef TENPOINT_SOURCE_ASSETS
  // A build run from its source tree uses the tree's assets, even where a package is installed.
  if (std::filesystem::exists(TENPOINT_SOURCE_ASSETS "/translations", ec)) return TENPOINT_SOURCE_ASSETS;
#endif
  return "/usr/share/tenpoint";
}

std::string default_kiosk_config_path() {
  std::error_code ec;
  if (std::filesystem::exists("/etc/tenpoint/kiosk.json", ec)) return "/etc/tenpoint/kiosk.json";
#ifdef TENPOINT_SOURCE_CONFIG
  return TENPOINT_SOURCE_CONFIG "/kiosk.example.json";
#else
  return "config/kiosk.example.json";
#endif
}

std::string kiosk_data_dir(const std::string& db_path) {
  std::string dir = std::filesystem::path(db_path).parent_path().string();
  return dir.empty() ? std::string(".") : dir;
}

std::string delivered_set_path(const std::string& data_dir) { return data_dir + "/question-set.tpset"; }
std::string accepted_set_path(const std::string& data_dir) { return data_dir + "/question-set.accepted.tpset"; }
std::string set_key_path(const std::string& data_dir) { return data_dir + "/set-key.pub"; }

}  // namespace tp
