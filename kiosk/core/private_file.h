// Small secrets kept in files of their own: the server's code key and
// question-set signing key (in its secrets folder), the kiosk's device key
// (in its data folder).
//
// Invariants:
//   1. Such a file is made once and never replaced: it is written aside
//      (mode 0600), fsync'd, then linked into place; when another process
//      got there first, its content is the one every process uses.
//   2. A file that other users could read or change (any group or other
//      mode bit), or that is not a regular file, is refused with words that
//      say how to fix it; so is one larger than the caller's limit.
//   3. A folder made for them is the owner's only (0700).
#pragma once
#include <cstddef>
#include <optional>
#include <string>

namespace tp {

// The file's text without trailing white space; nullopt when there is no
// file. `what` names it in messages ("code key"). Throws std::runtime_error.
std::optional<std::string> read_private_file(const std::string& path, const std::string& what, std::size_t max_bytes);

// Makes DIR/NAME holding `text` (invariant 1) and returns the text now in
// place: `text`, or another process's (without trailing white space, as
// read_private_file gives it). Throws std::runtime_error.
std::string create_private_file_once(const std::string& dir, const std::string& name, const std::string& text, const std::string& what,
                                     std::size_t max_bytes);

}  // namespace tp
