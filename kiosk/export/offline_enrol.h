// "Enrol from stick": a kiosk without network joins its venue from the
// enrolment file a server wrote (`tenpoint-server enrol-code --file`), and
// writes back the reply the server imports (`tenpoint-server import`).
// Shared by the staff menu and `tenpoint enrol-offline`.
//
//   enrol.json on the stick --enrol_from_stick--> device.key made (if none),
//   the server's question-set key trusted, the venue kept, enrol-reply.json
//   written beside enrol.json --(to the server)--> import: bundles trusted
//
// Invariants:
//   1. The enrolment file is read through no link and only up to
//      bundle::kMaxEnrolFileBytes, and checked before anything is changed.
//   2. A kiosk that already trusts another server's question-set key keeps
//      it, and the enrolment is refused in words: one kiosk, one server.
//   3. The reply is a new file (never replacing one), written whole, fsync'd
//      and read back; a reply already there for the same code and key is
//      taken as written. It holds no secret but the one-time code, which the
//      server uses up on import.
#pragma once
#include <cstdint>
#include <string>

namespace tp {

inline constexpr const char* kOfflineEnrolmentFile = "offline-enrolment.json";  // in the data folder: the venue

struct OfflineEnrolOutcome {
  bool ok = false;
  std::string message;  // words for the staff: what happened, what to do next
  std::string venue;
  std::string reply_path;
};

// `enrol_file`: enrol.json on the stick. `data_dir`: the kiosk's data folder.
OfflineEnrolOutcome enrol_from_stick(const std::string& enrol_file, const std::string& data_dir, const std::string& kiosk_name,
                                     std::int64_t now);

// The venue an offline enrolment named, or "" when there was none.
std::string offline_venue(const std::string& data_dir);

}  // namespace tp
