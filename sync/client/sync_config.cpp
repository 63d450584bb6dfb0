#include "sync_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "json.h"

namespace tp::sync {

namespace {

using json::Value;

[[noreturn]] void fail(const std::string& file, const Value& at, const std::string& message) {
  throw std::runtime_error(file + ":" + std::to_string(at.where.line) + ":" + std::to_string(at.where.column) + ": " + message);
}

}  // namespace

SyncConfig load_sync_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("Unable to read the kiosk config " + path + " (missing, or no permission)");
  std::ostringstream buf;
  buf << in.rdbuf();
  auto parsed = json::parse(buf.str());
  if (!parsed.ok)
    throw std::runtime_error(path + ":" + std::to_string(parsed.error_at.line) + ":" + std::to_string(parsed.error_at.column) + ": " + parsed.error);
  const Value& root = parsed.value;
  if (!root.is(Value::Type::object)) fail(path, root, "the kiosk config must be a JSON object");
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  auto resolve = [&](const std::string& p) {
    if (p.empty() || std::filesystem::path(p).is_absolute()) return p;
    return (base / p).lexically_normal().string();
  };
  SyncConfig c;
  if (const Value* db = root.find("database")) {
    if (!db->is(Value::Type::string)) fail(path, *db, "\"database\" must be a string");
    c.database_path = resolve(db->string);
  }
  const Value* sync = root.find("sync");
  if (!sync) fail(path, root, "no \"sync\" section: add {\"sync\": {\"server\": \"https://...\", \"enrolment_code\": \"...\"}}");
  if (!sync->is(Value::Type::object)) fail(path, *sync, "\"sync\" must be an object");
  for (const auto& [key, v] : sync->members) {
    auto str = [&](std::string& out) {
      if (!v.is(Value::Type::string)) fail(path, v, "\"sync." + key + "\" must be a string");
      out = v.string;
    };
    auto num = [&](int& out, int lo, int hi) {
      if (!v.is(Value::Type::number) || !v.is_integer || v.number < lo || v.number > hi)
        fail(path, v, "\"sync." + key + "\" must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
      out = static_cast<int>(v.number);
    };
    if (key == "server") {
      str(c.server);
      if (c.server.rfind("https://", 0) != 0 && c.server.rfind("http://", 0) != 0)
        fail(path, v, "\"sync.server\" must start with https:// (or http:// for a development server)");
      while (!c.server.empty() && c.server.back() == '/') c.server.pop_back();
    } else if (key == "ca_file") {
      str(c.ca_file);
      c.ca_file = resolve(c.ca_file);
    } else if (key == "pinned_public_key") {
      str(c.pinned_public_key);
      if (c.pinned_public_key.rfind("sha256//", 0) != 0) fail(path, v, "\"sync.pinned_public_key\" must look like sha256//BASE64");
    } else if (key == "enrolment_code") str(c.enrolment_code);
    else if (key == "kiosk_name") str(c.kiosk_name);
    else if (key == "batch_max_answers") num(c.batch_max_answers, 1, 5000);
    else if (key == "batch_max_bytes") num(c.batch_max_bytes, 4096, 8 * 1024 * 1024);
    else if (key == "interval_s") num(c.interval_s, 1, 86400);
    else if (key == "backoff_cap_s") num(c.backoff_cap_s, 1, 86400);
    else if (key == "connect_timeout_s") num(c.connect_timeout_s, 1, 300);
    else if (key == "total_timeout_s") num(c.total_timeout_s, 5, 3600);
    else if (key == "low_speed_bytes_per_s") num(c.low_speed_bytes_per_s, 1, 1000000);
    else if (key == "low_speed_time_s") num(c.low_speed_time_s, 1, 3600);
    else if (key == "comment") {
    } else fail(path, v, "unknown key \"sync." + key + "\"");
  }
  if (c.server.empty()) fail(path, *sync, "\"sync\" needs \"server\", such as \"https://tenpoint.example.org\"");
  return c;
}

}  // namespace tp::sync
