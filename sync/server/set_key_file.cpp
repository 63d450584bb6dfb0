// The question-set signing key's file and its check against the database; see set_key_file.h.
#include "set_key_file.h"

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

constexpr std::size_t kMaxKeyFileBytes = 512;  // the key takes 89; anything much longer is some other file

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

// A key pair from the file's secret key. libsodium's Ed25519 secret key is
// the seed followed by the public key; a test signature shows the two belong
// together (a damaged file does not pass).
std::optional<SetSigningKeys> keys_from_secret(const std::string& secret) {
  if (secret.size() != kSetSecretKeyBytes) return std::nullopt;
  SetSigningKeys keys{secret.substr(kSetSecretKeyBytes - kSetPublicKeyBytes), secret};
  auto probe = sign_set("{}", 1, keys.secret_key);
  if (!probe) return std::nullopt;
  OpenedSignedSet opened = open_signed_set(*probe, keys.public_key, 0);
  if (opened.refusal != SetRefusal::invalid_set) return std::nullopt;  // "{}" is no set: anything earlier is a bad key
  return keys;
}

// nullopt: there is no file. Throws when there is one that cannot be used.
std::optional<SetSigningKeys> read_key(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error("Unable to read the question-set signing key " + path + ": " + why(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw std::runtime_error("Unable to read the question-set signing key " + path + ": " + why(errno));
  if (!S_ISREG(st.st_mode)) throw std::runtime_error("Unable to use the question-set signing key " + path + ": it is not a regular file");
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw std::runtime_error("Unable to use the question-set signing key " + path + ": its mode is " + mode +
                             ", so other users on this machine can read or change it. Make it private: chmod 600 " + path);
  }
  std::string text;
  char buf[kMaxKeyFileBytes + 1];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("Unable to read the question-set signing key " + path + ": " + why(errno));
    if (n == 0 || text.size() > kMaxKeyFileBytes) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  std::optional<std::string> secret = decode_base64(text);
  std::optional<SetSigningKeys> keys = secret ? keys_from_secret(*secret) : std::nullopt;
  if (!keys)
    throw std::runtime_error("Unable to use the question-set signing key " + path +
                             ": it does not hold a key. Put back the file this server made, from where you keep a copy of it or from "
                             "another server that shares this database");
  return keys;
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

// A new key in a new file (invariant 4), or the key of a process that made the file first.
SetSigningKeys make_key(const std::string& dir, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    // The folder holds the server's secrets only: its owner alone may enter.
    if (fs::create_directories(dir, ec)) fs::permissions(dir, fs::perms::owner_all, ec);
    if (!fs::is_directory(dir, ec))
      throw std::runtime_error("Unable to make the folder " + dir + " for the question-set signing key: " + ec.message());
  }
  SetSigningKeys keys = make_set_signing_keys();
  if (keys.secret_key.size() != kSetSecretKeyBytes)
    throw std::runtime_error("Unable to make a question-set signing key: libsodium did not start");
  std::string aside = dir + "/." + kSetKeyFileName + ".XXXXXX";
  Fd fd(::mkstemp(aside.data()));  // mode 0600
  if (fd.get() < 0) throw std::runtime_error("Unable to make the question-set signing key in " + dir + ": " + why(errno));
  if (!write_all(fd.get(), encode_base64(keys.secret_key) + "\n") || ::fsync(fd.get()) != 0) {
    int err = errno;
    ::unlink(aside.c_str());
    throw std::runtime_error("Unable to write the question-set signing key in " + dir + ": " + why(err));
  }
  // link() never replaces a file: when another process got there first, its key is the one every process uses.
  int linked = ::link(aside.c_str(), path.c_str());
  int err = errno;
  ::unlink(aside.c_str());
  if (linked != 0) {
    if (err == EEXIST)
      if (auto theirs = read_key(path)) return *theirs;
    throw std::runtime_error("Unable to make the question-set signing key " + path + ": " + why(err));
  }
  Fd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.get() < 0 || ::fsync(folder.get()) != 0)
    throw std::runtime_error("Unable to make the question-set signing key " + path + ": " + why(errno));
  return keys;
}

std::string database_name(const StoreLocation& where) {
  return where.postgres() ? describe_store(where) : "the database " + where.data_dir + "/server.db";
}

}  // namespace

std::string set_signing_key_path(const std::string& secrets_dir) { return secrets_dir + "/" + kSetKeyFileName; }

SetSigningKeys open_set_signing_key(ServerStore& store, const StoreLocation& where) {
  if (where.secrets().empty())
    throw std::runtime_error(
        "Say where the server keeps its keys: --secrets DIR. Every server that shares this PostgreSQL database needs "
        "the same set-signing.key file there");
  const std::string path = set_signing_key_path(where.secrets());
  auto recorded = store.set_key_check();
  if (!recorded) throw std::runtime_error(recorded.message());
  std::optional<std::string> check = *recorded;
  std::optional<SetSigningKeys> keys = read_key(path);
  if (!keys && check)
    throw std::runtime_error("No question-set signing key at " + path + ", but kiosks of " + database_name(where) +
                             " trust one. Put that set-signing.key file back (mode 0600): from where you keep a copy of it, or from "
                             "another server that shares this database");
  if (!keys) keys = make_key(where.secrets(), path);
  const std::string public_key = encode_base64(keys->public_key);
  if (!check) {
    // Servers starting at once on a database without one: the first to record wins.
    auto now_recorded = store.record_set_key_check(public_key);
    if (!now_recorded) throw std::runtime_error(now_recorded.message());
    check = *now_recorded;
  }
  if (*check != public_key)
    throw std::runtime_error("The question-set signing key in " + path + " does not match " + database_name(where) +
                             ": its kiosks trust another key. Use the set-signing.key file of the server that made it (servers that "
                             "share a database share this file)");
  return *keys;
}

}  // namespace tp::server
