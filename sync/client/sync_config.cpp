#include "sync_config.h"

#include <cstdio>
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

bool is_loopback_url(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  std::string rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);  // user@host
  std::string host;
  if (!rest.empty() && rest[0] == '[') {
    host = rest.substr(1, rest.find(']') == std::string::npos ? std::string::npos : rest.find(']') - 1);
  } else {
    host = rest.substr(0, rest.find(':'));
  }
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as four decimal parts.
  unsigned a, b, c, d;
  char tail;
  return std::sscanf(host.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 && c < 256 && d < 256;
}

SyncConfig load_sync_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("Unable to read the kiosk config " + path + " (missing, or no permission)");
  std::ostringstream buf;
  buf << in.rdbuf();
  auto parsed = json::parse(buf.str());
  if (!parsed.ok)
    throw std::runtime_error(path + ":" + std::to_string(parsed.error_at.line) + ":" + std::to_string(parsed.error_at.column) + ": " +
                             parsed.error);
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
  const Value* server_value = nullptr;
  for (const auto& member : sync->members) {
    const std::string& key = member.first;  // named, not a structured binding: lambdas capture it
    const Value& v = member.second;
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
      server_value = &v;
    } else if (key == "allow_insecure_http") {
      if (!v.is(Value::Type::boolean)) fail(path, v, "\"sync.allow_insecure_http\" must be true or false");
      c.allow_insecure_http = v.boolean;
    } else if (key == "ca_file") {
      str(c.ca_file);
      c.ca_file = resolve(c.ca_file);
    } else if (key == "pinned_public_key") {
      str(c.pinned_public_key);
      if (c.pinned_public_key.rfind("sha256//", 0) != 0) fail(path, v, "\"sync.pinned_public_key\" must look like sha256//BASE64");
    } else if (key == "enrolment_code")
      str(c.enrolment_code);
    else if (key == "kiosk_name")
      str(c.kiosk_name);
    else if (key == "batch_max_answers")
      num(c.batch_max_answers, 1, 5000);
    else if (key == "batch_max_bytes")
      num(c.batch_max_bytes, 4096, 8 * 1024 * 1024);
    else if (key == "interval_s")
      num(c.interval_s, 1, 86400);
    else if (key == "backoff_cap_s")
      num(c.backoff_cap_s, 1, 86400);
    else if (key == "connect_timeout_s")
      num(c.connect_timeout_s, 1, 300);
    else if (key == "total_timeout_s")
      num(c.total_timeout_s, 5, 3600);
    else if (key == "low_speed_bytes_per_s")
      num(c.low_speed_bytes_per_s, 1, 1000000);
    else if (key == "low_speed_time_s")
      num(c.low_speed_time_s, 1, 3600);
    else if (key == "comment") {
    } else
      fail(path, v, "unknown key \"sync." + key + "\"");
  }
  if (c.server.empty()) fail(path, *sync, "\"sync\" needs \"server\", such as \"https://tenpoint.example.org\"");
  // Over plain HTTP the device token and residents' words travel in the
  // clear: only to a development server on this machine, and only when asked.
  if (c.server.rfind("http://", 0) == 0) {
    if (!c.allow_insecure_http)
      fail(path, *server_value,
           "\"sync.server\" is plain http://: use https://, or for a development server on this machine set \"allow_insecure_http\": true");
    if (!is_loopback_url(c.server))
      fail(path, *server_value,
           "plain http:// is allowed only to this machine (127.0.0.1, ::1 or localhost); use https:// for " + c.server);
  }
  return c;
}

}  // namespace tp::sync
