#include "usb_sticks.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace tp {

namespace {

// mountinfo writes space, tab, newline and backslash in a path as \ooo.
std::string unescape_octal(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    bool octal = field[i] == '\\' && i + 3 < field.size();
    for (std::size_t k = 1; octal && k <= 3; ++k) octal = field[i + k] >= '0' && field[i + k] <= '7';
    if (octal) {
      out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

std::string normal(const std::string& path) {
  std::string p = std::filesystem::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// How many folders `path` lies below `root`; -1 when it is not at or below it.
int depth_below(const std::string& path, const std::string& root) {
  if (path == root) return 0;
  std::string prefix = root == "/" ? root : root + "/";
  if (path.compare(0, prefix.size(), prefix) != 0) return -1;
  return 1 + static_cast<int>(std::count(path.begin() + static_cast<std::ptrdiff_t>(prefix.size()), path.end(), '/'));
}

}  // namespace

std::vector<UsbStick> find_usb_sticks(const std::vector<std::string>& roots, const std::string& mountinfo) {
  std::ifstream in(mountinfo);
  // A later line for the same mount point is a mount on top of the earlier one: it is the one in use.
  std::map<std::string, bool> mounted;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point, options;
    if (!(fields >> id >> parent >> device >> root >> point >> options)) continue;
    std::istringstream opts(options);
    bool read_only = false;
    for (std::string o; std::getline(opts, o, ',');) read_only = read_only || o == "ro";
    mounted[normal(unescape_octal(point))] = read_only;
  }
  std::vector<UsbStick> found;
  for (const auto& [point, read_only] : mounted) {
    bool under_a_root = std::any_of(roots.begin(), roots.end(), [&](const std::string& r) {
      int d = depth_below(point, normal(r));
      return d >= 0 && d <= kStickMountDepth;
    });
    struct stat st {};
    if (under_a_root && ::stat(point.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) found.push_back({point, read_only});
  }
  return found;  // std::map keeps them sorted by path
}

}  // namespace tp
