// Signed question sets on a kiosk. The design is in set_delivery.h and SIGNED.md.
#include "set_delivery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "data_paths.h"

namespace tp {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxKeyFileBytes = 1024;      // one line of base64 (44 characters) and a little room
constexpr std::size_t kMaxUsbEntriesSeen = 20'000;  // bounds a search through a stick full of files

std::string errno_words(int err) { return std::strerror(err); }

std::string free_space_words(const std::string& folder) {
  struct statvfs st {};
  if (::statvfs(folder.c_str(), &st) != 0) return "";
  auto free_kb = static_cast<unsigned long long>(st.f_bavail) * st.f_frsize / 1024;
  return " (" + std::to_string(free_kb) + " KB free)";
}

// Reads at most max_bytes; `too_large` tells a file over the cap apart from
// one that cannot be read. O_NONBLOCK: a FIFO named like a set file must not
// hang the kiosk (it is then refused as not a regular file).
Result<std::string> read_capped(const std::string& path, std::size_t max_bytes, bool& too_large) {
  too_large = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Status::failure(Fault::storage_unavailable, "Unable to read " + path + ": " + errno_words(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::failure(Fault::invalid_input, "Unable to read " + path + ": not a regular file");
  }
  std::string out;
  if (static_cast<unsigned long long>(st.st_size) <= max_bytes) {
    out.reserve(static_cast<std::size_t>(st.st_size));
    char chunk[64 * 1024];
    for (;;) {
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        ::close(fd);
        return Status::failure(Fault::storage_unavailable, "Unable to read " + path + ": " + errno_words(err));
      }
      if (n == 0) break;
      out.append(chunk, static_cast<std::size_t>(n));
      if (out.size() > max_bytes) break;  // it grew while being read
    }
  }
  ::close(fd);
  if (static_cast<unsigned long long>(st.st_size) > max_bytes || out.size() > max_bytes) {
    too_large = true;
    return Status::failure(Fault::invalid_input, path + " is larger than " + std::to_string(max_bytes / 1024) + " KiB");
  }
  return out;
}

// A file that could not be read, as a refusal.
OpenedSignedSet refused_unread(const Status& why, bool too_large) {
  OpenedSignedSet r;
  r.refusal = too_large ? SetRefusal::too_large : SetRefusal::unreadable;
  r.reason = why.message();
  return r;
}

std::string file_name(const std::string& path) { return fs::path(path).filename().string(); }

bool has_set_extension(const fs::path& p) {
  std::string name = p.filename().string();
  if (name.empty() || name[0] == '.') return false;  // hidden, or a macOS "._" shadow file on a FAT stick
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".tpset";
}

// The serial an install must exceed: the one the kiosk recorded, or the
// delivered file's if that one is newer and still checks out (so that two
// installs before the kiosk looks cannot step back).
std::int64_t serial_floor(const std::string& data_dir, std::string_view trusted_key, std::int64_t recorded_serial) {
  OpenedSignedSet in_place = open_signed_set_file(delivered_set_path(data_dir), trusted_key, recorded_serial, SerialRule::same_or_newer);
  return in_place ? std::max(recorded_serial, in_place.opened->serial) : recorded_serial;
}

}  // namespace

TrustedSetKey find_trusted_set_key(const KioskConfig& config, const std::string& data_dir) {
  TrustedSetKey t;
  if (!config.trusted_set_key.empty()) {
    t.key = config.trusted_set_key;
    t.source = "the config's trusted_set_key";
    return t;
  }
  std::string path = set_key_path(data_dir);
  t.source = path;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    t.problem = "no trusted key: neither \"trusted_set_key\" in the kiosk config nor " + path + " (written when tenpoint-sync enrols)";
    return t;
  }
  Result<std::string> text = read_file_capped(path, kMaxKeyFileBytes);
  if (!text) {
    t.problem = text.message();
    return t;
  }
  std::optional<std::string> key = decode_set_public_key(*text);
  if (!key) {
    t.problem = path + " does not hold the base64 of a 32-byte Ed25519 public key";
    return t;
  }
  t.key = *key;
  return t;
}

Result<std::string> read_file_capped(const std::string& path, std::size_t max_bytes) {
  bool too_large = false;
  return read_capped(path, max_bytes, too_large);
}

Status write_file_atomically(const std::string& path, std::string_view bytes) {
  std::string folder = fs::path(path).parent_path().string();
  if (folder.empty()) folder = ".";
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  auto fail = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    return Status::failure(err == ENOSPC || err == EDQUOT ? Fault::storage_full : Fault::storage_unavailable,
                           "Unable to " + what + " " + path + ": " + errno_words(err) + (err == ENOSPC ? free_space_words(folder) : ""));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return fail("write", errno);
  ::fchmod(fd, 0644);  // whatever the umask: the kiosk and tenpoint-sync may run as different users
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fail("write", err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    return fail("write", err);
  }
  if (::close(fd) != 0) return fail("write", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("replace", errno);
  // The rename is durable only once the folder is on disk too.
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

OpenedSignedSet open_signed_set_file(const std::string& path, std::string_view trusted_key, std::int64_t current_serial, SerialRule rule,
                                     std::string* file_text) {
  bool too_large = false;
  Result<std::string> text = read_capped(path, kMaxSignedSetFileBytes, too_large);
  if (!text) return refused_unread(text.status(), too_large);
  OpenedSignedSet opened = open_signed_set(*text, trusted_key, current_serial, rule);
  if (file_text) *file_text = std::move(*text);
  return opened;
}

SetInstallResult install_signed_set(const std::string& source_path, const std::string& data_dir, std::string_view trusted_key,
                                    std::int64_t recorded_serial) {
  SetInstallResult r;
  r.source = source_path;
  std::int64_t floor = serial_floor(data_dir, trusted_key, recorded_serial);
  bool too_large = false;
  Result<std::string> text = read_capped(source_path, kMaxSignedSetFileBytes, too_large);
  OpenedSignedSet opened = text ? open_signed_set(*text, trusted_key, floor) : refused_unread(text.status(), too_large);
  if (!opened) {
    r.refusal = opened.refusal;
    r.message = "Refused " + source_path + ": " + opened.reason;
    return r;
  }
  const SignedSet& s = *opened.opened;
  if (Status w = write_file_atomically(delivered_set_path(data_dir), *text); !w) {
    r.message = w.message();
    return r;
  }
  r.installed = true;
  r.serial = s.serial;
  r.set_id = s.set.id;
  r.set_version = s.set.version;
  r.message = "Installed " + s.set.id + " v" + std::to_string(s.set.version) + " (serial " + std::to_string(s.serial) + ") from " +
              source_path + "; the kiosk starts it at its next attract screen";
  return r;
}

std::vector<std::string> find_set_files(const std::vector<std::string>& roots) {
  std::vector<std::string> found;
  std::size_t seen = 0;
  for (const auto& root : roots) {
    std::error_code ec;
    // Symbolic links to folders are not followed: a stick cannot send the search round in circles.
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (++seen > kMaxUsbEntriesSeen) break;
      std::error_code type_ec;
      if (it->is_directory(type_ec)) {
        if (it.depth() + 1 >= kUsbSearchDepth) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(type_ec) && has_set_extension(it->path())) found.push_back(it->path().string());
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

SetInstallResult install_set_from_usb(const std::vector<std::string>& roots, const std::string& data_dir, std::string_view trusted_key,
                                      std::int64_t recorded_serial) {
  SetInstallResult r;
  std::vector<std::string> files = find_set_files(roots);
  std::string where;
  for (const auto& root : roots) where += (where.empty() ? "" : ", ") + root;
  if (files.empty()) {
    r.message = "No question-set file (*.tpset) on a USB stick (looked in " + where + ")";
    return r;
  }
  // The newest valid file wins; the others are only counted.
  std::int64_t floor = serial_floor(data_dir, trusted_key, recorded_serial);
  std::string best;
  std::int64_t best_serial = 0;
  std::optional<std::pair<std::string, OpenedSignedSet>> first_refused;
  std::size_t refused = 0;
  for (const auto& f : files) {
    OpenedSignedSet o = open_signed_set_file(f, trusted_key, floor);
    if (o && o.opened->serial > best_serial) {
      best = f;
      best_serial = o.opened->serial;
    } else if (!o) {
      ++refused;
      if (!first_refused) first_refused.emplace(f, std::move(o));
    }
  }
  if (best.empty()) {
    r.source = first_refused->first;
    r.refusal = first_refused->second.refusal;
    r.message = file_name(first_refused->first) + " on the USB stick refused: " + first_refused->second.reason;
    if (refused > 1) r.message += " (and " + std::to_string(refused - 1) + " more file" + (refused > 2 ? "s" : "") + " refused)";
    return r;
  }
  return install_signed_set(best, data_dir, trusted_key, recorded_serial);
}

std::string describe_set_in_use(const std::string& set_id, int version, std::int64_t signed_serial) {
  std::string words = set_id + " v" + std::to_string(version);
  if (signed_serial > 0) return words + " · serial " + std::to_string(signed_serial) + " · signed by the server";
  return words + " · local file";
}

std::string describe_set_refusal(const std::string& reason) { return "Question set from the server refused: " + reason; }

}  // namespace tp
