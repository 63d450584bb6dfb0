// One answer as it is stored, and the small interfaces the visit state
// machine needs from the world around it (storage, clock, staff PIN).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "status.h"

namespace tp {

// When an answer happened, as much as the kiosk can honestly say.
struct Stamp {
  std::int64_t unix_seconds = 0;  // already rounded down to the privacy granularity
  bool clock_trusted = false;     // false: the wall clock may be wrong (no RTC, no network time yet)
  std::string boot_id;            // lets the server correct untrusted times later
  std::int64_t monotonic_ms = 0;  // since boot, rounded like unix_seconds
};

struct Answer {
  std::string uuid;        // random, version 4
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
};

struct StoreSummary {
  bool healthy = false;
  std::string health_message;  // "ok" or what is wrong, in words
  std::int64_t answers_total = 0;
  std::int64_t answers_today = 0;
  std::int64_t answers_unsent = 0;
  std::int64_t database_bytes = 0;
  std::int64_t free_disk_bytes = -1;
  std::string sync_line;  // "All sent, 2 minutes ago", or what is waiting and why
};

class AnswerStore {
 public:
  virtual ~AnswerStore() = default;
  // Durable on return when ok. Within an open session, a second answer to
  // the same question replaces the first (a resident changed their mind).
  virtual Status commit(const Answer& answer) = 0;
  // Ends a visit: its answers can no longer change and may be sent.
  virtual Status close_session(const std::string& session_id) = 0;
  virtual StoreSummary summary(std::int64_t day_start_unix) = 0;
};

class StampSource {
 public:
  virtual ~StampSource() = default;
  virtual Stamp now() = 0;
  virtual std::int64_t unix_now() = 0;  // unrounded, for "today"
};

class PinChecker {
 public:
  virtual ~PinChecker() = default;
  virtual bool verify(const std::string& pin) = 0;
};

std::string random_uuid();

}  // namespace tp
