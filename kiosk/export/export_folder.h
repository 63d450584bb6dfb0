// A new folder on a USB stick, and files written into it so that a file
// with its final name is always whole, on the stick, and checked.
//
// Invariants:
//   1. Nothing is written through a symbolic link: the stick's folder, the
//      new folder and every file are opened with O_NOFOLLOW, and the new
//      folder is used only through the descriptor it was opened with.
//   2. Nothing on the stick is replaced: the folder is new (mkdir; a name in
//      use gets " (2)", " (3)" ...), each file is created with
//      O_CREAT|O_EXCL under a temporary name and renamed with
//      RENAME_NOREPLACE.
//   3. A final name appears only after the file's bytes are fsync'd, and the
//      folder is fsync'd after the rename. A file is done (write_file() or
//      ExportFile::finish() ok) only once it was read back from the stick
//      (each range written out and its cached pages dropped first) and its
//      XXH3-128 matched that of the bytes meant to be written, before the
//      rename; after it, the name must hold that same file (inode, size).
//   4. A file is written as it is made, a chunk at a time (ExportFile), so
//      a file of gigabytes needs no memory of its size; one that would pass
//      max_file_bytes (FAT's 4 GiB) is refused before those bytes are
//      written, and its temporary file removed.
//   5. A failed write removes its temporary file where the stick still lets
//      it; discard() removes everything the export made, folders within it
//      included.
//
//   create() --mkdir, open(O_DIRECTORY|O_NOFOLLOW)--> OPEN
//   OPEN --make_folder(): mkdir, open(O_DIRECTORY|O_NOFOLLOW)--> OPEN (and a new OPEN folder within)
//   OPEN --begin_file(): temp file (O_CREAT|O_EXCL|O_NOFOLLOW)--> WRITING
//   WRITING --ExportFile::write() x N--> WRITING
//   WRITING --ExportFile::write() past each 8 MiB: that range read back beside--> WRITING
//   WRITING --ExportFile::finish(): fsync, the rest read back and compared, rename, fsync folder--> OPEN
//   WRITING --failure, or the ExportFile dropped--> OPEN (temporary file removed)
//   OPEN --write_file() = begin_file + write + finish--> OPEN
//   OPEN --discard()--> (folder and files removed, where possible)
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace tp {

// FAT32 holds at most 4 GiB - 1 byte in one file.
constexpr std::uint64_t kFatMaxFileBytes = 0xFFFFFFFFULL;
// FAT's long names hold 255 characters; counting bytes is stricter.
constexpr std::size_t kFatMaxNameBytes = 255;

// A name FAT (and every desktop) accepts: \ / : * ? " < > | and control
// characters become "-", invalid UTF-8 is dropped, leading and trailing
// spaces and trailing dots go, reserved device names (CON, PRN, AUX, NUL,
// COM1-9, LPT1-9, with or without an extension) get a "_" in front, and
// the name is cut to `max_bytes` on a character boundary. An empty result
// becomes `fallback`.
std::string fat_safe_name(std::string_view wanted, std::string_view fallback = "Tenpoint", std::size_t max_bytes = kFatMaxNameBytes);

// What an errno from a write to a stick means, in words: "the USB stick is
// full", "the USB stick is read-only (is its write-protect switch on?)",
// "the USB stick was removed or stopped answering" ...
std::string stick_error_words(int err);

class ExportFolder;

// A file being written into an ExportFolder (invariants 3 and 4). Dropped
// before finish(), it is removed.
class ExportFile {
 public:
  ExportFile(ExportFile&& other) noexcept;
  ExportFile& operator=(ExportFile&&) = delete;
  ExportFile(const ExportFile&) = delete;
  ExportFile& operator=(const ExportFile&) = delete;
  ~ExportFile();

  // More bytes of the file; written to the stick in chunks as they come.
  // A failure leaves no file behind; later calls fail the same way.
  Status write(std::string_view bytes);
  // Writes what is left, fsyncs, names the file, and compares what was
  // read back. Reading back runs beside the writing: every few MiB written
  // are flushed to the stick, dropped from the page cache and read again
  // on a thread of the file's own, so the check costs little time at the
  // end. `progress` counts the bytes read back, of size().
  Status finish(const std::function<void(std::uint64_t done)>& progress = {});

  const std::string& name() const { return name_; }
  std::uint64_t size() const { return size_; }  // bytes given so far
  // Hex, once finish() is ok, for a file begun with `with_sha256`; else empty.
  const std::string& sha256() const { return sha256_; }

 private:
  friend class ExportFolder;
  struct Digest;
  ExportFile(ExportFolder& folder, std::string name, std::string temp, int fd, bool with_sha256);
  Status flush();
  Status abandon(const std::string& what, int err);

  struct ReadBack;
  Status check_read_back();

  ExportFolder* folder_;
  std::string name_, temp_;
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t size_ = 0;
  std::uint64_t on_file_ = 0;  // bytes written to the file
  std::uint64_t handed_ = 0;   // bytes given to the read-back thread
  std::unique_ptr<Digest> digest_;
  std::unique_ptr<ReadBack> read_back_;  // on the heap: its thread must not see it move
  std::string sha256_;
  Status failed_;
};

class ExportFolder {
 public:
  // Called as a file is written and then read back: bytes done of 2 x its size.
  using Progress = std::function<void(std::uint64_t done)>;

  // Opens the stick's folder `stick` (a real folder: a symbolic link is
  // refused) and makes a new folder in it named `wanted` (already safe for
  // FAT), or "wanted (2)" and so on when that name is in use.
  static Result<ExportFolder> create(const std::string& stick, const std::string& wanted);

  ExportFolder(ExportFolder&& other) noexcept;
  ExportFolder& operator=(ExportFolder&&) = delete;
  ExportFolder(const ExportFolder&) = delete;
  ExportFolder& operator=(const ExportFolder&) = delete;
  ~ExportFolder();

  const std::string& path() const { return path_; }  // stick/name
  const std::string& name() const { return name_; }

  // Writes one new file (invariants 2 and 3). A file over `max_file_bytes`
  // is refused before anything is written.
  Status write_file(const std::string& file_name, std::string_view bytes, const Progress& progress = {});
  // Starts a new file to be written as it is made (invariant 4).
  Result<ExportFile> begin_file(const std::string& file_name, bool with_sha256 = false);
  // A new folder `folder_name` in this one, with the same rules; discard()
  // here removes it too.
  Result<ExportFolder> make_folder(const std::string& folder_name);
  // The folder is still where it was made, on the same stick: not removed,
  // not replaced, the stick not unmounted.
  Status check_in_place() const;
  // Removes every file written and the folder (best effort: a pulled stick
  // cannot be cleaned).
  void discard();

  std::uint64_t max_file_bytes = kFatMaxFileBytes;

 private:
  friend class ExportFile;
  ExportFolder(std::string stick, std::string name, int stick_fd, int dir_fd);
  Status fail(const std::string& what, int err) const;
  void forget(const std::string& file_name);

  std::string stick_;
  std::string name_;
  std::string path_;
  int stick_fd_ = -1;
  int dir_fd_ = -1;
  std::vector<std::string> made_;  // file names in the folder, final or temporary
  std::vector<std::string> made_folders_;
};

}  // namespace tp
