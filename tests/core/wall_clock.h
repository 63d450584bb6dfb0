// A wall clock a test sets by hand, and a local time zone for the length of
// a test: what the opening hours are read against.
#pragma once
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "answer.h"

namespace tp::test {

// Stamps answers as FixedStamps does, at whatever time the test sets.
class WallClock final : public StampSource {
 public:
  explicit WallClock(std::int64_t unix_seconds) : unix(unix_seconds) {}
  Stamp now() override { return {unix, true, "boot-test", 3600000}; }
  std::int64_t unix_now() override { return unix; }
  std::int64_t unix = 0;
};

// Sets TZ for as long as it lives, then puts back what was there.
class LocalZone {
 public:
  explicit LocalZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~LocalZone() {
    if (old_)
      setenv("TZ", old_->c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
  LocalZone(const LocalZone&) = delete;
  LocalZone& operator=(const LocalZone&) = delete;

 private:
  std::optional<std::string> old_;
};

// The moment a local wall clock shows this date and time, in the zone in force.
inline std::int64_t local_time(int year, int month, int day, int hour, int minute) {
  std::tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&t));
}

// The moment a UTC clock shows this date and time.
inline std::int64_t utc_time(int year, int month, int day, int hour, int minute) {
  std::tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  return static_cast<std::int64_t>(timegm(&t));
}

}  // namespace tp::test
