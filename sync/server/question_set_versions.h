// Question sets kept on the central server in numbered versions, and how a
// venue's set is chosen. The storage is ServerStore's (server_store.h); the
// rules that do not depend on a backend are here.
//
// Invariants:
//   1. A set is stored only if the kiosk's own parse_question_set() accepts
//      it: the server never delivers a set a kiosk would refuse as invalid.
//   2. The "version" inside a stored set always equals its stored number.
//      The server numbers versions itself (1, 2, 3, ... per set id) and
//      writes the number into the file's "version" when it stores it
//      (with_set_version); the rest of the file is kept byte for byte.
//   3. A published version never changes and is never deleted: the stores
//      refuse it (a trigger in each schema), whatever code asks.
//   4. A venue's set is the latest published version of: the set of its
//      most recent dated assignment whose dates cover now, else the set of
//      its standing assignment. Assignments of sets with nothing published
//      yet are passed over.
//   5. A delivery (a signed file) is made only when a venue's (set id,
//      version) differs from its last delivery's; its serial is above every
//      serial made before, for any venue.
//
//   (none) --add_set_draft--> draft v1 --add_set_draft--> draft v1 (replaced)
//   draft vN --publish_set--> published vN (frozen)
//   published vN --add_set_draft--> draft vN+1
//   published vN --rollback_set(to K)--> published vN+1 (K's content, "version": N+1)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "question_set.h"
#include "status.h"

namespace tp::server {

// `set_bytes` with the number of its top-level "version" replaced by
// `version`, every other byte kept; checked with parse_question_set().
// Fails (Fault::invalid_input) with the validator's first problem.
Result<std::string> with_set_version(std::string_view set_bytes, int version);

// The validator's verdict as one line: "LINE:COLUMN: message (and 2 more)".
std::string first_problem(const LoadResult& loaded);

// A set id as the stores and the command line accept it: what FORMAT.md allows.
bool valid_set_id(std::string_view id);

// Unix seconds of 00:00 local time `add_days` days after `date`
// (YYYY-MM-DD); nullopt when `date` is not a real date.
std::optional<std::int64_t> local_midnight(std::string_view date, int add_days = 0);
// YYYY-MM-DD in local time.
std::string local_date(std::int64_t unix_seconds);

}  // namespace tp::server
