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

}  // namespace tp
