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
//      folder is fsync'd after the rename. write_file() is ok only once the
//      bytes were read back from the stick (its cached pages dropped first)
//      and compared with what was meant to be written.
//   4. A failed write removes its temporary file where the stick still lets
//      it; discard() removes everything the export made.
//
//   create() --mkdir, open(O_DIRECTORY|O_NOFOLLOW)--> OPEN
//   OPEN --write_file(): temp file, write, fsync, rename, fsync folder, read back--> OPEN
//   OPEN --discard()--> (folder and files removed, where possible)
#pragma once
#include <cstdint>
#include <functional>
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
  // The folder is still where it was made, on the same stick: not removed,
  // not replaced, the stick not unmounted.
  Status check_in_place() const;
  // Removes every file written and the folder (best effort: a pulled stick
  // cannot be cleaned).
  void discard();

  std::uint64_t max_file_bytes = kFatMaxFileBytes;

 private:
  ExportFolder(std::string stick, std::string name, int stick_fd, int dir_fd);
  Status fail(const std::string& what, int err) const;

  std::string stick_;
  std::string name_;
  std::string path_;
  int stick_fd_ = -1;
  int dir_fd_ = -1;
  std::vector<std::string> made_;  // file names in the folder, final or temporary
};

}  // namespace tp
