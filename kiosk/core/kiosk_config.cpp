#include "kiosk_config.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "json.h"
#include "signed_set.h"

namespace tp {

namespace {

using json::Value;

[[noreturn]] void fail(const std::string& file, const Value& at, const std::string& message) {
  throw ConfigError(file + ":" + std::to_string(at.where.line) + ":" + std::to_string(at.where.column) + ": " + message);
}

std::chrono::seconds seconds(const std::string& file, const Value& v, const std::string& key, int lo, int hi) {
  if (!v.is(Value::Type::number) || !v.is_integer || v.number < lo || v.number > hi)
    fail(file, v, "\"" + key + "\" must be a whole number of seconds from " + std::to_string(lo) + " to " + std::to_string(hi));
  return std::chrono::seconds(static_cast<long>(v.number));
}

std::string string(const std::string& file, const Value& v, const std::string& key) {
  if (!v.is(Value::Type::string)) fail(file, v, "\"" + key + "\" must be a string");
  return v.string;
}

// The config's names of the days, in std::tm's order (0 = Sunday).
constexpr std::array<const char*, 7> kDayKeys{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

// "H:MM" or "HH:MM" at `at`, moving past it; -1 when it is not one. 24:00 is
// read here and refused as a start by the caller.
int read_clock(const std::string& text, std::size_t& at) {
  auto digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  if (!digit(at)) return -1;
  int hours = text[at++] - '0';
  if (digit(at)) hours = hours * 10 + (text[at++] - '0');
  if (at >= text.size() || text[at] != ':' || !digit(at + 1) || !digit(at + 2)) return -1;
  int minutes = (text[at + 1] - '0') * 10 + (text[at + 2] - '0');
  at += 3;
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) return -1;
  return hours * 60 + minutes;
}

std::optional<OpeningHours::Range> read_range(const std::string& text) {
  std::size_t at = 0;
  auto spaces = [&] {
    while (at < text.size() && text[at] == ' ') ++at;
  };
  spaces();
  int from = read_clock(text, at);
  spaces();
  if (from < 0 || from >= OpeningHours::kMinutesPerDay || at >= text.size() || text[at] != '-') return std::nullopt;
  ++at;
  spaces();
  int to = read_clock(text, at);
  spaces();
  if (to < 0 || at != text.size()) return std::nullopt;
  return OpeningHours::Range{from, to};  // the caller refuses an empty one, then reads an end at 00:00 as 24:00
}

OpeningHours opening_hours(const std::string& file, const Value& v) {
  const std::string example = "such as {\"mon\": \"09:00-17:00\", ..., \"sun\": null}";
  if (!v.is(Value::Type::object)) fail(file, v, "\"opening_hours\" must list each day's hours, " + example);
  OpeningHours hours;
  hours.always_open = false;
  std::array<bool, 7> given{};
  for (const auto& [day, ranges] : v.members) {
    auto it = std::find_if(kDayKeys.begin(), kDayKeys.end(), [&](const char* k) { return day == k; });
    if (it == kDayKeys.end())
      fail(file, ranges, "unknown day \"" + day + "\" in \"opening_hours\" (the days are mon, tue, wed, thu, fri, sat, sun)");
    std::size_t index = static_cast<std::size_t>(it - kDayKeys.begin());
    given[index] = true;
    std::string where = "\"opening_hours\" \"" + day + "\"";
    std::vector<const Value*> texts;
    if (ranges.is(Value::Type::string)) {
      texts.push_back(&ranges);
    } else if (ranges.is(Value::Type::array)) {
      for (const auto& item : ranges.items) texts.push_back(&item);
    } else if (!ranges.is(Value::Type::null)) {
      fail(file, ranges, where + " must be a range such as \"09:00-17:00\", a list of them, or null (closed all day)");
    }
    for (const Value* t : texts) {
      if (!t->is(Value::Type::string))
        fail(file, *t, where + " must be a range such as \"09:00-17:00\", a list of them, or null (closed all day)");
      std::optional<OpeningHours::Range> r = read_range(t->string);
      if (!r) fail(file, *t, where + ": \"" + t->string + "\" is not a range of 24-hour times such as \"09:00-17:00\"");
      if (r->from_minute == r->to_minute)
        fail(file, *t, where + ": \"" + t->string + "\" opens and closes at the same time; the whole day is \"00:00-24:00\"");
      if (r->to_minute == 0) r->to_minute = OpeningHours::kMinutesPerDay;  // "22:00-00:00" ends at midnight
      hours.by_day[index].push_back(*r);
    }
  }
  for (std::size_t d = 0; d < kDayKeys.size(); ++d)
    if (!given[(d + 1) % 7])  // in the order people write them: mon first
      fail(file, v,
           std::string("\"opening_hours\" has no \"") + kDayKeys[(d + 1) % 7] +
               "\": give every day its hours, or null for a day the kiosk is closed");
  if (std::all_of(hours.by_day.begin(), hours.by_day.end(), [](const auto& day) { return day.empty(); }))
    fail(file, v, "\"opening_hours\" keeps the kiosk closed every day; leave it out for a kiosk that is always open");
  return hours;
}

bool local_time(std::int64_t unix_seconds, std::tm& local) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  return localtime_r(&t, &local) != nullptr;
}

}  // namespace

bool OpeningHours::open_at(int weekday, int minute) const {
  if (always_open) return true;
  for (const Range& r : by_day[static_cast<std::size_t>(weekday % 7)]) {
    bool overnight = r.to_minute <= r.from_minute;
    if (minute >= r.from_minute && (overnight || minute < r.to_minute)) return true;
  }
  // Yesterday's ranges that run past midnight (rule 2).
  for (const Range& r : by_day[static_cast<std::size_t>((weekday + 6) % 7)])
    if (r.to_minute <= r.from_minute && minute < r.to_minute) return true;
  return false;
}

bool OpeningHours::open_at_unix(std::int64_t unix_seconds) const {
  if (always_open) return true;
  std::tm local{};
  if (!local_time(unix_seconds, local)) return true;  // no local time: as without opening hours
  return open_at(local.tm_wday, local.tm_hour * 60 + local.tm_min);
}

std::optional<OpeningHours::Opening> OpeningHours::next_opening(int weekday, int minute) const {
  if (always_open || open_at(weekday, minute)) return std::nullopt;
  // Minute by minute through the coming week: at most 10,080 cheap checks,
  // and right by construction for ranges that run past midnight.
  for (int ahead = 1; ahead <= 7 * kMinutesPerDay; ++ahead) {
    int total = minute + ahead;
    int days = total / kMinutesPerDay;
    int day = (weekday + days) % 7;
    int at = total % kMinutesPerDay;
    if (open_at(day, at)) return Opening{days, day, at};
  }
  return std::nullopt;
}

std::optional<OpeningHours::Opening> OpeningHours::next_opening_unix(std::int64_t unix_seconds) const {
  if (always_open) return std::nullopt;
  std::tm local{};
  if (!local_time(unix_seconds, local)) return std::nullopt;
  return next_opening(local.tm_wday, local.tm_hour * 60 + local.tm_min);
}

std::string clock_text(int minute) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", (minute / 60) % 100, minute % 60);
  return text;
}

KioskConfig parse_kiosk_config(const std::string& text, const std::string& file, const std::string& base_dir) {
  auto parsed = json::parse(text);
  if (!parsed.ok)
    throw ConfigError(file + ":" + std::to_string(parsed.error_at.line) + ":" + std::to_string(parsed.error_at.column) + ": " +
                      parsed.error);
  const Value& root = parsed.value;
  if (!root.is(Value::Type::object)) fail(file, root, "the kiosk config must be a JSON object");
  KioskConfig c;
  auto resolve = [&](const std::string& p) {
    if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
    return (std::filesystem::path(base_dir) / p).lexically_normal().string();
  };
  for (const auto& [key, v] : root.members) {
    if (key == "question_set")
      c.question_set_path = resolve(string(file, v, key));
    else if (key == "database")
      c.database_path = resolve(string(file, v, key));
    else if (key == "idle_timeout_s")
      c.idle_timeout = seconds(file, v, key, 10, 600);
    else if (key == "still_there_s")
      c.still_there = seconds(file, v, key, 5, 120);
    else if (key == "thanks_s")
      c.thanks = seconds(file, v, key, 2, 60);
    else if (key == "rapid_repeat_s")
      c.rapid_repeat = seconds(file, v, key, 0, 600);
    else if (key == "greeting_every_s")
      c.greeting_every = seconds(file, v, key, 2, 60);
    else if (key == "time_granularity_min") {
      if (!v.is(Value::Type::number) || !v.is_integer || v.number < 1 || v.number > 1440 || 1440 % static_cast<int>(v.number) != 0)
        fail(file, v, "\"time_granularity_min\" must divide a day evenly (1, 5, 15, 30, 60, ... 1440)");
      c.time_granularity_minutes = static_cast<int>(v.number);
    } else if (key == "staff_pin_hash") {
      c.staff_pin_hash = string(file, v, key);
      if (c.staff_pin_hash.rfind("$argon2id$", 0) != 0)
        fail(file, v, "\"staff_pin_hash\" must be an Argon2id hash made with `tenpoint pin-hash`");
    } else if (key == "pin_attempts_before_lock") {
      if (!v.is(Value::Type::number) || !v.is_integer || v.number < 1 || v.number > 20)
        fail(file, v, "\"pin_attempts_before_lock\" must be 1 to 20");
      c.pin_attempts_before_lock = static_cast<int>(v.number);
    } else if (key == "pin_lock_s")
      c.pin_lock = seconds(file, v, key, 5, 3600);
    else if (key == "theme") {
      c.theme = string(file, v, key);
      if (c.theme != "standard" && c.theme != "high-contrast") fail(file, v, "\"theme\" is \"standard\" or \"high-contrast\"");
    } else if (key == "trusted_set_key") {
      std::optional<std::string> k = decode_set_public_key(string(file, v, key));
      if (!k) fail(file, v, "\"trusted_set_key\" must be the base64 of a 32-byte Ed25519 public key");
      c.trusted_set_key = *k;
    } else if (key == "usb_media_dirs") {
      if (!v.is(Value::Type::array)) fail(file, v, "\"usb_media_dirs\" must be a list of folders");
      c.usb_media_dirs.clear();
      for (const auto& dir : v.items) {
        std::string d = string(file, dir, key);
        if (!std::filesystem::path(d).is_absolute()) fail(file, dir, "each of \"usb_media_dirs\" must be an absolute path, such as /media");
        c.usb_media_dirs.push_back(d);
      }
    } else if (key == "display_rotation") {
      if (!v.is(Value::Type::number) || !v.is_integer || (v.number != 0 && v.number != 90 && v.number != 180 && v.number != 270))
        fail(file, v, "\"display_rotation\" must be 0, 90, 180 or 270 (degrees clockwise)");
      c.display_rotation = static_cast<int>(v.number);
    } else if (key == "speech_volume") {
      if (!v.is(Value::Type::number) || !v.is_integer || v.number < 0 || v.number > 100)
        fail(file, v, "\"speech_volume\" must be 0 to 100 (percent; 0 turns Read aloud off)");
      c.speech_volume = static_cast<int>(v.number);
    } else if (key == "opening_hours") {
      c.opening_hours = opening_hours(file, v);
    } else if (key == "comment" || key == "server" || key == "sync") {
      // "comment" is for people; "server" and "sync" are read by tenpoint-sync.
    } else {
      fail(file, v, "unknown key \"" + key + "\"");
    }
  }
  if (c.question_set_path.empty()) fail(file, root, "the kiosk config needs \"question_set\" (the path of a question-set file)");
  return c;
}

KioskConfig load_kiosk_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("Unable to read the kiosk config " + path + " (missing, or no permission)");
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string base = std::filesystem::path(path).parent_path().string();
  return parse_kiosk_config(buf.str(), path, base.empty() ? "." : base);
}

}  // namespace tp
