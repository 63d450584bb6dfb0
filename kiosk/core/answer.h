// The data model every part of Tenpoint shares: one answer as the kiosk
// records it, and as it travels to the server and is stored there. Plain
// structs and the std library only, so the kiosk, the sync daemon, the
// server and the command line can all include it.
//
// The storage roles that hold answers are interfaces beside this file:
// answer_store.h (the visit writes), outbox.h (sync and export read and
// mark), reports.h (counts for people).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace tp {

// When an answer happened, as much as the kiosk can honestly say.
struct Stamp {
  std::int64_t unix_seconds = 0;  // already rounded down to the privacy granularity
  bool clock_trusted = false;     // false: the wall clock may be wrong (no RTC, no network time yet)
  std::string boot_id;            // lets the server correct untrusted times later
  std::int64_t monotonic_ms = 0;  // since boot, rounded like unix_seconds

  bool operator==(const Stamp&) const = default;
};

struct Answer {
  std::string uuid;  // random, version 4
  std::string set_id;
  int set_version = 0;
  std::string question_id;
  std::string session_id;  // random per visit; links one visit's answers, never a person
  std::optional<int> score;
  std::optional<std::string> text;
  std::optional<std::string> choice;
  std::string language;
  Stamp stamp;
  bool rapid_repeat = false;  // the visit began moments after the previous one ended

  // Every field: the server quarantines an answer id that comes back with
  // different content, so "the same" must mean all of it.
  bool operator==(const Answer&) const = default;
};

// An answer with its place in the kiosk's own order (the sync cursor).
struct StoredAnswer {
  std::int64_t seq = 0;
  Answer answer;

  bool operator==(const StoredAnswer&) const = default;
};

// Where answer times come from (the system clock, or a fixed one in tests).
class StampSource {
 public:
  virtual ~StampSource() = default;
  virtual Stamp now() = 0;
  virtual std::int64_t unix_now() = 0;  // unrounded, for "today"
};

// A version-4 UUID: 122 random bits (sessions, batches).
std::string random_uuid();
// An answer's id: a version-8 UUID whose first 60 bits are drawn at random
// once per process and whose last 62 count up from a random start. Ids from
// one run of one kiosk sort together and in order, so the server's index of
// answer ids grows at a few places instead of at a random page for every
// answer (the write cost of a batch then no longer grows with the whole
// table). Unique as long as two processes never draw the same 60 bits.
std::string answer_uuid();

}  // namespace tp
