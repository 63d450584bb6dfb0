#include "private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tp {

namespace {

std::string why(int err) { return std::strerror(err); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void trim_end(std::string& text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
}

}  // namespace

std::optional<std::string> read_private_file(const std::string& path, const std::string& what, std::size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error("Unable to read the " + what + " " + path + ": " + why(errno));
  }
  // The open file's own mode, so that it cannot change between check and read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw std::runtime_error("Unable to read the " + what + " " + path + ": " + why(errno));
  if (!S_ISREG(st.st_mode)) throw std::runtime_error("Unable to use the " + what + " " + path + ": it is not a regular file");
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw std::runtime_error("Unable to use the " + what + " " + path + ": its mode is " + mode +
                             ", so other users on this machine can read or change it. Make it private: chmod 600 " + path);
  }
  std::string text;
  std::string buf(max_bytes + 1, '\0');
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("Unable to read the " + what + " " + path + ": " + why(errno));
    if (n == 0 || text.size() > max_bytes) break;
    text.append(buf.data(), static_cast<std::size_t>(n));
  }
  if (text.size() > max_bytes)
    throw std::runtime_error("Unable to use the " + what + " " + path + ": it is larger than such a key can be, so it is some other file");
  trim_end(text);
  return text;
}

std::string create_private_file_once(const std::string& dir, const std::string& name, const std::string& text, const std::string& what,
                                     std::size_t max_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    // The folder holds the server's secrets only: its owner alone may enter.
    if (fs::create_directories(dir, ec)) fs::permissions(dir, fs::perms::owner_all, ec);
    if (!fs::is_directory(dir, ec)) throw std::runtime_error("Unable to make the folder " + dir + " for the " + what + ": " + ec.message());
  }
  const std::string path = dir + "/" + name;
  std::string aside = dir + "/." + name + ".XXXXXX";
  Fd fd(::mkstemp(aside.data()));  // mode 0600
  if (fd.get() < 0) throw std::runtime_error("Unable to make the " + what + " in " + dir + ": " + why(errno));
  if (!write_all(fd.get(), text) || ::fsync(fd.get()) != 0) {
    int err = errno;
    ::unlink(aside.c_str());
    throw std::runtime_error("Unable to write the " + what + " in " + dir + ": " + why(err));
  }
  // link() never replaces a file: when another process got there first,
  // its content is the one every process uses.
  int linked = ::link(aside.c_str(), path.c_str());
  int err = errno;
  ::unlink(aside.c_str());
  if (linked != 0) {
    if (err == EEXIST)
      if (auto theirs = read_private_file(path, what, max_bytes)) return *theirs;
    throw std::runtime_error("Unable to make the " + what + " " + path + ": " + why(err));
  }
  // The folder's entry on disk too, before anything is made with the key.
  Fd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.get() < 0 || ::fsync(folder.get()) != 0)
    throw std::runtime_error("Unable to make the " + what + " " + path + ": " + why(errno));
  std::string made = text;
  trim_end(made);
  return made;
}

}  // namespace tp
