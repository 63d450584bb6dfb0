#include "drm_connectors.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <system_error>

namespace tp::platform {

namespace {

// A connector's folder: "card" + digits + "-" + its name; "card0" itself and
// "renderD128" are not connectors.
bool is_connector(const std::string& name) {
  if (name.rfind("card", 0) != 0) return false;
  std::size_t i = 4;
  while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
  return i > 4 && i + 1 < name.size() && name[i] == '-';
}

// The status file's word, or nothing when it cannot be read.
std::optional<std::string> status_of(const std::filesystem::path& folder) {
  std::ifstream in(folder / "status");
  std::string word;
  if (!in || !std::getline(in, word)) return std::nullopt;
  while (!word.empty() && std::isspace(static_cast<unsigned char>(word.back()))) word.pop_back();
  return word;
}

}  // namespace

DrmConnectorWatch::DrmConnectorWatch(std::filesystem::path sysfs) : sysfs_(std::move(sysfs)) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(sysfs_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (is_connector(name) && status_of(it->path()) == "connected") watched_.push_back(name);
  }
  std::sort(watched_.begin(), watched_.end());
}

std::string DrmConnectorWatch::lost() const {
  if (watched_.empty()) return {};
  std::string why;
  for (const auto& name : watched_) {
    std::optional<std::string> status = status_of(sysfs_ / name);
    if (status && *status != "disconnected") return {};  // connected, or "unknown"
    why += (why.empty() ? "" : ", ") + name + ": " + (status ? *status : "gone");
  }
  return "the screen was unplugged (" + why + ")";
}

}  // namespace tp::platform
