// The kiosk's memory of the signed question sets it has accepted: the
// highest serial, kept durably so that a set file replaced by an older
// signed one is refused even after a restart (signed_set.h, SIGNED.md).
#pragma once
#include <cstdint>
#include <string>

#include "status.h"

namespace tp {

struct AcceptedSet {
  std::int64_t serial = 0;  // 0: no signed set accepted yet
  std::string set_id;
  int set_version = 0;
  std::int64_t accepted_at = 0;  // unix seconds
};

class SetSerials {
 public:
  virtual ~SetSerials() = default;
  // The set with the highest serial accepted so far (serial 0 when none).
  virtual Result<AcceptedSet> highest_accepted() = 0;
  // Records an accepted set. The serial only ever rises: recording one at or
  // below the highest so far changes nothing and is not an error.
  virtual Status record_accepted(const AcceptedSet& set) = 0;
};

}  // namespace tp
