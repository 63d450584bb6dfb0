#include "kiosk_config.h"

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

}  // namespace

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
