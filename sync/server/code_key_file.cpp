// The code key's file and its check against the database; see code_key_file.h.
#include "code_key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>

namespace tp::server {

namespace {

constexpr std::size_t kMaxKeyFileBytes = 256;  // the key takes 65; anything much longer is some other file

std::string why(int err) { return std::strerror(err); }

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// "the database /var/lib/tenpoint/server.db", "PostgreSQL database tenpoint on db.example.org".
std::string database_name(const StoreLocation& where) {
  return where.postgres() ? describe_store(where) : "the database " + where.data_dir + "/server.db";
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// nullopt: there is no file. Throws when there is one that cannot be used.
std::optional<CodeKey> read_key(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error("Unable to read the code key " + path + ": " + why(errno));
  }
  // The open file's own mode, so that it cannot change between check and read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw std::runtime_error("Unable to read the code key " + path + ": " + why(errno));
  if (!S_ISREG(st.st_mode)) throw std::runtime_error("Unable to use the code key " + path + ": it is not a regular file");
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    throw std::runtime_error("Unable to use the code key " + path + ": its mode is " + mode_text(st.st_mode) +
                             ", so other users on this machine can read or change it. Make it private: chmod 600 " + path);
  std::string text;
  char buf[kMaxKeyFileBytes + 1];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("Unable to read the code key " + path + ": " + why(errno));
    if (n == 0 || text.size() > kMaxKeyFileBytes) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  auto key = CodeKey::from_hex(text);
  if (!key)
    throw std::runtime_error("Unable to use the code key " + path +
                             ": it does not hold a key (64 hex digits). Put back the file this server made, from where you keep a "
                             "copy of it or from another server that shares this database");
  return key;
}

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

// A new key in a new file (invariant 4), or the key of a process that made
// the file first.
CodeKey make_key(const std::string& dir, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    // The folder holds the server's secrets only: its owner alone may enter.
    if (fs::create_directories(dir, ec)) fs::permissions(dir, fs::perms::owner_all, ec);
    if (!fs::is_directory(dir, ec)) throw std::runtime_error("Unable to make the folder " + dir + " for the code key: " + ec.message());
  }
  std::string aside = dir + "/." + kCodeKeyFileName + ".XXXXXX";
  FileDescriptor fd(::mkstemp(aside.data()));  // mode 0600
  if (fd.get() < 0) throw std::runtime_error("Unable to make the code key in " + dir + ": " + why(errno));
  CodeKey key = CodeKey::generate();
  if (!write_all(fd.get(), key.hex() + "\n") || ::fsync(fd.get()) != 0) {
    int err = errno;
    ::unlink(aside.c_str());
    throw std::runtime_error("Unable to write the code key in " + dir + ": " + why(err));
  }
  // link() never replaces a file: when another process got there first,
  // its key is the one every process uses.
  int linked = ::link(aside.c_str(), path.c_str());
  int err = errno;
  ::unlink(aside.c_str());
  if (linked != 0) {
    if (err == EEXIST)
      if (auto theirs = read_key(path)) return *theirs;
    throw std::runtime_error("Unable to make the code key " + path + ": " + why(err));
  }
  // The folder's entry on disk too, before any code is hashed with the key.
  FileDescriptor folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.get() < 0 || ::fsync(folder.get()) != 0) throw std::runtime_error("Unable to make the code key " + path + ": " + why(errno));
  return key;
}

}  // namespace

std::string code_key_path(const std::string& secrets_dir) { return secrets_dir + "/" + kCodeKeyFileName; }

std::string check_secrets_location(const StoreLocation& where) {
  if (!where.secrets().empty()) return "";
  return "Say where the server keeps its code key: --secrets DIR. Every server that shares this PostgreSQL database needs the same "
         "code-key file there; keep it out of the database's backups";
}

CodeKey open_code_key(ServerStore& store, const StoreLocation& where) {
  if (std::string problem = check_secrets_location(where); !problem.empty()) throw std::runtime_error(problem);
  const std::string path = code_key_path(where.secrets());
  auto recorded = store.code_key_check();
  if (!recorded) throw std::runtime_error(recorded.message());
  std::optional<std::string> check = *recorded;
  std::optional<CodeKey> key = read_key(path);
  if (!key && check)
    throw std::runtime_error("No code key at " + path + ", but the enrolment codes in " + database_name(where) +
                             " were made with one. Put that code-key file back (mode 0600): from where you keep a copy of it, or from "
                             "another server that shares this database");
  if (!key) key = make_key(where.secrets(), path);
  if (!check) {
    // Servers starting at once on a database without one: the first to record wins.
    auto now_recorded = store.record_code_key_check(key->check_value());
    if (!now_recorded) throw std::runtime_error(now_recorded.message());
    check = *now_recorded;
  }
  if (*check != key->check_value())
    throw std::runtime_error("The code key in " + path + " does not match " + database_name(where) +
                             ": its enrolment codes were made with another key. Use the code-key file of the server that made them "
                             "(servers that share a database share this file)");
  return *key;
}

}  // namespace tp::server
