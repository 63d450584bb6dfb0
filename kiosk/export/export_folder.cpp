// The new folder on a stick and its files; the rules are in export_folder.h.
#include "export_folder.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

namespace tp {

namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;  // 256 KiB: progress moves often, writes stay large
// Bytes written between two hand-overs to the read-back thread.
constexpr std::uint64_t kReadBackStep = 8 * 1024 * 1024;  // 8 MiB
constexpr int kMaxFolderSuffix = 999;                     // "Name (999)": past that, something is wrong with the stick

bool is_reserved_device_name(std::string_view name) {
  // Windows (and so every FAT tool) treats these as devices, with any extension.
  std::string base(name.substr(0, name.find('.')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  std::transform(base.begin(), base.end(), base.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  static constexpr std::array<const char*, 4> kFixed = {"CON", "PRN", "AUX", "NUL"};
  if (std::find(kFixed.begin(), kFixed.end(), base) != kFixed.end()) return true;
  return base.size() == 4 && (base.compare(0, 3, "COM") == 0 || base.compare(0, 3, "LPT") == 0) && base[3] >= '1' && base[3] <= '9';
}

// The length of the UTF-8 sequence starting at s[i], or 0 when it is invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  if (n == 2 && c < 0xC2) return 0;  // overlong
  return n;
}

std::string free_space_words(int fd) {
  struct statvfs st {};
  if (::fstatvfs(fd, &st) != 0) return "";
  auto free_bytes = static_cast<unsigned long long>(st.f_bavail) * st.f_frsize;
  char buf[64];
  if (free_bytes < 1024ULL * 1024)
    std::snprintf(buf, sizeof buf, " (%llu KB free)", free_bytes / 1024);
  else
    std::snprintf(buf, sizeof buf, " (%.1f MB free)", static_cast<double>(free_bytes) / (1024.0 * 1024.0));
  return buf;
}

Fault fault_of(int err) { return err == ENOSPC || err == EDQUOT || err == EFBIG ? Fault::storage_full : Fault::storage_unavailable; }

bool write_all(int fd, const char* data, std::size_t size, int& err) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      return false;
    }
    if (n == 0) {
      err = EIO;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

}  // namespace

std::string fat_safe_name(std::string_view wanted, std::string_view fallback, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < wanted.size();) {
    std::size_t n = utf8_length(wanted, i);
    if (n == 0) {  // invalid UTF-8: dropped
      ++i;
      continue;
    }
    auto c = static_cast<unsigned char>(wanted[i]);
    if (n == 1 && (c < 0x20 || c == 0x7F || std::strchr("\\/:*?\"<>|", c)))
      out += '-';
    else
      out.append(wanted.substr(i, n));
    i += n;
  }
  auto trim = [&] {
    std::size_t start = out.find_first_not_of(' ');
    out.erase(0, start == std::string::npos ? out.size() : start);
    while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
  };
  trim();
  if (out.empty()) out = std::string(fallback);
  if (is_reserved_device_name(out)) out.insert(out.begin(), '_');
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // never inside a character
    out.resize(cut);
    trim();
  }
  return out;
}

std::string stick_error_words(int err) {
  switch (err) {
    case EROFS:
      return "the USB stick is read-only (is its write-protect switch on?)";
    case EACCES:
    case EPERM:
      return "the USB stick does not let the kiosk write to it (permission denied)";
    case ENOSPC:
    case EDQUOT:
      return "the USB stick is full";
    case EFBIG:
      return "the file is too large for the USB stick (FAT holds at most 4 GB in one file)";
    case EIO:
    case ENODEV:
    case ENXIO:
    case ENOENT:
    case ESTALE:
    case ENOTCONN:
    case ESHUTDOWN:
      return std::string("the USB stick was removed or stopped answering (") + std::strerror(err) + ")";
    case ELOOP:
      return "a symbolic link is in the way on the USB stick (refused: nothing is written through a link)";
    case EEXIST:
      return "a file of that name is already on the USB stick (nothing is overwritten)";
    default:
      return std::strerror(err);
  }
}

ExportFolder::ExportFolder(std::string stick, std::string name, int stick_fd, int dir_fd)
    : stick_(std::move(stick)), name_(std::move(name)), path_(stick_ + "/" + name_), stick_fd_(stick_fd), dir_fd_(dir_fd) {}

ExportFolder::ExportFolder(ExportFolder&& o) noexcept
    : max_file_bytes(o.max_file_bytes),
      stick_(std::move(o.stick_)),
      name_(std::move(o.name_)),
      path_(std::move(o.path_)),
      stick_fd_(std::exchange(o.stick_fd_, -1)),
      dir_fd_(std::exchange(o.dir_fd_, -1)),
      made_(std::move(o.made_)),
      made_folders_(std::move(o.made_folders_)) {}

ExportFolder::~ExportFolder() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
  if (stick_fd_ >= 0) ::close(stick_fd_);
}

Result<ExportFolder> ExportFolder::create(const std::string& stick, const std::string& wanted) {
  int stick_fd = ::open(stick.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (stick_fd < 0) {
    int err = errno;
    std::string why = err == ELOOP || err == ENOTDIR ? "it is a symbolic link or not a folder (refused)" : stick_error_words(err);
    return Status::failure(err == ELOOP || err == ENOTDIR ? Fault::invalid_input : fault_of(err), "Unable to use " + stick + ": " + why);
  }
  struct statvfs vfs {};
  if (::fstatvfs(stick_fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
    ::close(stick_fd);
    return Status::failure(Fault::storage_unavailable, "Unable to write to " + stick + ": " + stick_error_words(EROFS));
  }
  std::string name;
  for (int n = 1; n <= kMaxFolderSuffix; ++n) {
    std::string suffix = n == 1 ? "" : " (" + std::to_string(n) + ")";
    std::string candidate = fat_safe_name(wanted, "Tenpoint", kFatMaxNameBytes - suffix.size()) + suffix;
    if (::mkdirat(stick_fd, candidate.c_str(), 0755) == 0) {
      name = candidate;
      break;
    }
    int err = errno;
    if (err == EEXIST) continue;  // a folder, a file or a link of that name: never used, the next number is tried
    ::close(stick_fd);
    return Status::failure(fault_of(err), "Unable to make the folder " + candidate + " on " + stick + ": " + stick_error_words(err));
  }
  if (name.empty()) {
    ::close(stick_fd);
    return Status::failure(Fault::invalid_input, "Unable to make a folder on " + stick + ": " + std::to_string(kMaxFolderSuffix) +
                                                     " folders named " + wanted + " exist");
  }
  // The folder just made, through the descriptor from now on; a link swapped in meanwhile is refused.
  int dir_fd = ::openat(stick_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0) {
    int err = errno;
    ::close(stick_fd);
    return Status::failure(err == ELOOP ? Fault::invalid_input : fault_of(err),
                           "Unable to open the folder " + name + " just made on " + stick + ": " + stick_error_words(err));
  }
  ExportFolder folder(stick, name, stick_fd, dir_fd);
  // The new folder's name is durable before anything goes in it.
  if (::fsync(stick_fd) != 0 && errno != EINVAL) {
    int err = errno;
    folder.discard();
    return folder.fail("make the folder", err);
  }
  return folder;
}

Status ExportFolder::fail(const std::string& what, int err) const {
  std::string words = stick_error_words(err);
  if (err == ENOSPC || err == EDQUOT) words += free_space_words(stick_fd_);
  return Status::failure(fault_of(err), "Unable to " + what + " in " + path_ + ": " + words);
}

// What a file's bytes are checked with when read back: XXH3's 128 bits
// (libxxhash, which Debian's apt itself depends on), at memory speed on
// every CPU (a Raspberry Pi 4 has no SHA instructions, and SHA-256 there
// runs near 150 MB/s, slower than a good stick). Files whose SHA-256 goes
// into the signed bundle manifest also get it, once, as they are written;
// the read-back check then ties the stick's bytes to that SHA-256.
struct ExportFile::Digest {
  XXH3_state_t* state = XXH3_createState();
  EVP_MD_CTX* sha = nullptr;  // only for a file whose SHA-256 is asked for
  explicit Digest(bool with_sha256) {
    XXH3_128bits_reset(state);
    if (with_sha256) {
      sha = EVP_MD_CTX_new();
      EVP_DigestInit_ex(sha, EVP_sha256(), nullptr);
    }
  }
  ~Digest() {
    XXH3_freeState(state);
    EVP_MD_CTX_free(sha);
  }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void update(const char* data, std::size_t size) {
    XXH3_128bits_update(state, data, size);
    if (sha) EVP_DigestUpdate(sha, data, size);
  }
  XXH128_hash_t check() const { return XXH3_128bits_digest(state); }
  std::string sha256_hex() {
    if (!sha) return {};
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(sha, digest, &size);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0xF];
    }
    return out;
  }
};

// Reads back what was written, in order, as it is handed over: each range
// is written out to the stick (sync_file_range), dropped from the page
// cache and read again from the stick through a descriptor of its own.
struct ExportFile::ReadBack {
  int write_fd = -1;  // the file's, for sync_file_range; owned by ExportFile
  int read_fd = -1;
  Digest digest{false};
  std::mutex m;
  std::condition_variable cv;
  std::uint64_t to = 0, done = 0;  // handed over, read back
  bool closing = false;
  int err = 0;  // the first failure
  std::thread thread;

  ReadBack(int write, int read) : write_fd(write), read_fd(read), thread([this] { run(); }) {}
  ~ReadBack() {
    {
      std::lock_guard lock(m);
      closing = true;
    }
    cv.notify_one();
    thread.join();
    ::close(read_fd);
  }
  ReadBack(const ReadBack&) = delete;
  ReadBack& operator=(const ReadBack&) = delete;

  void hand(std::uint64_t until) {
    {
      std::lock_guard lock(m);
      to = until;
    }
    cv.notify_one();
  }
  // Everything handed over read back (or a failure); the errno, or 0.
  int wait() {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done == to || err != 0; });
    return err;
  }

  void run() {
    std::string chunk(kChunkBytes, '\0');
    std::unique_lock lock(m);
    for (;;) {
      cv.wait(lock, [&] { return closing || err != 0 || done < to; });
      if (closing || err != 0) return;
      const std::uint64_t from = done, until = to;
      lock.unlock();
      int e = read_range(from, until, chunk);
      lock.lock();
      if (e != 0)
        err = e;
      else
        done = until;
      cv.notify_all();
    }
  }

  int read_range(std::uint64_t from, std::uint64_t until, std::string& chunk) {
    const auto off = static_cast<off_t>(from), len = static_cast<off_t>(until - from);
    if (::sync_file_range(write_fd, off, len, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0) {
      if (errno != EINVAL && errno != ENOSYS && errno != ESPIPE) return errno;
      if (::fdatasync(write_fd) != 0) return errno;  // a filesystem without it: the whole file, then
    }
    ::posix_fadvise(read_fd, off, len, POSIX_FADV_DONTNEED);  // the pages are clean now: read the stick, not the cache
    for (std::uint64_t at = from; at < until;) {
      ssize_t n = ::pread(read_fd, chunk.data(), static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), until - at)),
                          static_cast<off_t>(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return n < 0 ? errno : EIO;
      digest.update(chunk.data(), static_cast<std::size_t>(n));
      at += static_cast<std::uint64_t>(n);
    }
    return 0;
  }
};

ExportFile::ExportFile(ExportFolder& folder, std::string name, std::string temp, int fd, bool with_sha256)
    : folder_(&folder), name_(std::move(name)), temp_(std::move(temp)), fd_(fd), digest_(std::make_unique<Digest>(with_sha256)) {
  buffer_.reserve(kChunkBytes);
}

ExportFile::ExportFile(ExportFile&& o) noexcept
    : folder_(o.folder_),
      name_(std::move(o.name_)),
      temp_(std::move(o.temp_)),
      fd_(std::exchange(o.fd_, -1)),
      buffer_(std::move(o.buffer_)),
      size_(o.size_),
      on_file_(o.on_file_),
      handed_(o.handed_),
      digest_(std::move(o.digest_)),
      read_back_(std::move(o.read_back_)),
      sha256_(std::move(o.sha256_)),
      failed_(std::move(o.failed_)) {
  o.temp_.clear();
}

ExportFile::~ExportFile() {
  read_back_.reset();  // its thread ends before the descriptors close
  // Not finished: the temporary file goes (invariant 5).
  if (fd_ >= 0) ::close(fd_);
  if (!temp_.empty() && ::unlinkat(folder_->dir_fd_, temp_.c_str(), 0) == 0) folder_->forget(temp_);
}

Status ExportFile::abandon(const std::string& what, int err) {
  read_back_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty() && ::unlinkat(folder_->dir_fd_, temp_.c_str(), 0) == 0) folder_->forget(temp_);
  temp_.clear();
  failed_ = folder_->fail(what, err);
  return failed_;
}

Status ExportFile::flush() {
  if (buffer_.empty()) return {};
  digest_->update(buffer_.data(), buffer_.size());
  int err = 0;
  if (!write_all(fd_, buffer_.data(), buffer_.size(), err)) return abandon("write " + name_, err);
  on_file_ += buffer_.size();
  buffer_.clear();
  if (on_file_ >= handed_ + kReadBackStep) return check_read_back();
  return {};
}

Status ExportFile::write(std::string_view bytes) {
  if (!failed_) return failed_;
  if (fd_ < 0) return Status::failure(Fault::invalid_input, name_ + " is already finished");
  if (size_ + bytes.size() > folder_->max_file_bytes) {
    (void)abandon("write " + name_, EFBIG);  // the temporary file goes; the message below says why
    failed_ = Status::failure(Fault::storage_full,
                              "Unable to export: " + name_ + " would be more than " +
                                  std::to_string((folder_->max_file_bytes + 1) / (1024 * 1024)) +
                                  " MB, more than a FAT USB stick holds in one file; export a shorter period with a start date");
    return failed_;
  }
  size_ += bytes.size();
  while (!bytes.empty()) {
    std::size_t n = std::min(bytes.size(), kChunkBytes - buffer_.size());
    buffer_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (buffer_.size() >= kChunkBytes)
      if (Status s = flush(); !s) return s;
  }
  return {};
}

// Hands what is on the file to the read-back thread (started at the first
// call); a failure it met so far ends the file.
Status ExportFile::check_read_back() {
  if (!read_back_) {
    int in = ::openat(folder_->dir_fd_, temp_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0) return abandon("read back " + name_, errno);
    read_back_ = std::make_unique<ReadBack>(fd_, in);
  }
  handed_ = on_file_;
  read_back_->hand(handed_);
  int err = 0;
  {
    std::lock_guard lock(read_back_->m);
    err = read_back_->err;
  }
  if (err != 0) return abandon("read back " + name_, err);
  return {};
}

Status ExportFile::finish(const std::function<void(std::uint64_t done)>& progress) {
  if (!failed_) return failed_;
  if (fd_ < 0) return Status::failure(Fault::invalid_input, name_ + " is already finished");
  if (Status s = flush(); !s) return s;
  if (::fsync(fd_) != 0) return abandon("write " + name_, errno);
  // The last bytes read back, and the whole compared, before the file gets its name.
  if (Status s = check_read_back(); !s) return s;
  if (int err = read_back_->wait(); err != 0) return abandon("read back " + name_, err);
  if (!XXH128_isEqual(read_back_->digest.check(), digest_->check())) {
    (void)abandon("read back " + name_, EIO);
    failed_ = Status::failure(Fault::storage_unavailable, "Unable to check " + name_ + " in " + folder_->path_ +
                                                              ": the USB stick gave back different bytes than were written"
                                                              " (the stick may be failing)");
    return failed_;
  }
  struct stat read_back {};
  if (::fstat(read_back_->read_fd, &read_back) != 0) return abandon("read back " + name_, errno);
  read_back_.reset();
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
  int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) return abandon("write " + name_, errno);
  const int dir = folder_->dir_fd_;
  if (::renameat2(dir, temp_.c_str(), dir, name_.c_str(), RENAME_NOREPLACE) != 0) {
    int e = errno;
    if (e != EINVAL && e != ENOSYS) return abandon("name " + name_, e);
    // A filesystem without RENAME_NOREPLACE: the folder is new and ours, so looking first is enough.
    struct stat there {};
    if (::fstatat(dir, name_.c_str(), &there, AT_SYMLINK_NOFOLLOW) == 0) return abandon("name " + name_, EEXIST);
    if (::renameat(dir, temp_.c_str(), dir, name_.c_str()) != 0) return abandon("name " + name_, errno);
  }
  for (auto& f : folder_->made_)
    if (f == temp_) f = name_;
  temp_.clear();
  if (::fsync(dir) != 0 && errno != EINVAL) return failed_ = folder_->fail("write " + name_, errno);

  // The name now holds the file that was read back, whole.
  struct stat named {};
  if (::fstatat(dir, name_.c_str(), &named, AT_SYMLINK_NOFOLLOW) != 0) return failed_ = folder_->fail("read back " + name_, errno);
  if (!S_ISREG(named.st_mode) || named.st_ino != read_back.st_ino || named.st_dev != read_back.st_dev ||
      static_cast<std::uint64_t>(named.st_size) != size_) {
    failed_ = Status::failure(Fault::storage_unavailable, "Unable to check " + name_ + " in " + folder_->path_ +
                                                              ": the USB stick holds a different file than was written"
                                                              " (the stick may be failing)");
    return failed_;
  }
  if (progress) progress(size_);
  sha256_ = digest_->sha256_hex();
  return failed_ = folder_->check_in_place();
}

Result<ExportFile> ExportFolder::begin_file(const std::string& file_name, bool with_sha256) {
  if (Status s = check_in_place(); !s) return s;
  // A hidden temporary name, FAT-safe, unique to this process.
  std::string temp = "." + file_name + ".part-" + std::to_string(::getpid());
  int fd = ::openat(dir_fd_, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return fail("write " + file_name, errno);
  made_.push_back(temp);
  return ExportFile(*this, file_name, std::move(temp), fd, with_sha256);
}

Status ExportFolder::write_file(const std::string& file_name, std::string_view bytes, const Progress& progress) {
  if (bytes.size() > max_file_bytes)
    return Status::failure(Fault::storage_full, "Unable to write " + file_name + " (" + std::to_string(bytes.size() / (1024 * 1024)) +
                                                    " MB): a FAT USB stick holds at most " +
                                                    std::to_string((max_file_bytes + 1) / (1024 * 1024)) + " MB in one file");
  Result<ExportFile> file = begin_file(file_name);
  if (!file) return file.status();
  for (std::size_t done = 0; done < bytes.size();) {
    std::size_t n = std::min(kChunkBytes, bytes.size() - done);
    if (Status s = file->write(bytes.substr(done, n)); !s) return s;
    done += n;
    if (progress) progress(done);
  }
  return file->finish([&](std::uint64_t done) {
    if (progress) progress(bytes.size() + done);
  });
}

Result<ExportFolder> ExportFolder::make_folder(const std::string& folder_name) {
  if (Status s = check_in_place(); !s) return s;
  if (::mkdirat(dir_fd_, folder_name.c_str(), 0755) != 0) return fail("make the folder " + folder_name, errno);
  made_folders_.push_back(folder_name);
  int sub = ::openat(dir_fd_, folder_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0) return fail("open the folder " + folder_name, errno);
  int parent = ::fcntl(dir_fd_, F_DUPFD_CLOEXEC, 0);
  if (parent < 0) {
    int err = errno;
    ::close(sub);
    return fail("open the folder " + folder_name, err);
  }
  ExportFolder folder(path_, folder_name, parent, sub);
  folder.max_file_bytes = max_file_bytes;
  if (::fsync(dir_fd_) != 0 && errno != EINVAL) return fail("make the folder " + folder_name, errno);
  return folder;
}

void ExportFolder::forget(const std::string& file_name) {
  auto it = std::find(made_.begin(), made_.end(), file_name);
  if (it != made_.end()) made_.erase(it);
}

Status ExportFolder::check_in_place() const {
  struct stat by_fd {
  }, by_name{}, stick_by_fd{}, stick_by_path{};
  bool ok = ::fstat(dir_fd_, &by_fd) == 0 && by_fd.st_nlink > 0 &&
            ::fstatat(stick_fd_, name_.c_str(), &by_name, AT_SYMLINK_NOFOLLOW) == 0 && same_file(by_fd, by_name) &&
            ::fstat(stick_fd_, &stick_by_fd) == 0 && ::stat(stick_.c_str(), &stick_by_path) == 0 && same_file(stick_by_fd, stick_by_path);
  if (ok) return {};
  return Status::failure(Fault::storage_unavailable,
                         "Unable to finish the export in " + path_ + ": the folder is gone (" + stick_error_words(ENOENT) + ")");
}

void ExportFolder::discard() {
  for (const auto& f : made_) ::unlinkat(dir_fd_, f.c_str(), 0);
  made_.clear();
  // Folders made within, once empty (their own discard() empties them).
  for (const auto& f : made_folders_) ::unlinkat(dir_fd_, f.c_str(), AT_REMOVEDIR);
  made_folders_.clear();
  if (stick_fd_ >= 0) {
    // Only the folder this export made, and only while it is still that folder.
    struct stat by_fd {
    }, by_name{};
    if (::fstat(dir_fd_, &by_fd) == 0 && ::fstatat(stick_fd_, name_.c_str(), &by_name, AT_SYMLINK_NOFOLLOW) == 0 &&
        same_file(by_fd, by_name))
      ::unlinkat(stick_fd_, name_.c_str(), AT_REMOVEDIR);
    ::fsync(stick_fd_);
  }
}

}  // namespace tp
