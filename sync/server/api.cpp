// Route handlers. Error bodies are {"error": code, "message": words}; the
// codes and statuses are listed in sync/protocol/PROTOCOL.md.
#include "api.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>

#include "gzip.h"

namespace tp::server {

int RateLimiter::take(const std::string& key, double now) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + (now - b.at) * rate_);
  b.at = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  // Keep the map from growing without bound under many keys.
  if (buckets_.size() > 100000) buckets_.clear();
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate_)));
}

namespace {

ApiResponse error(int status, std::string_view code, std::string_view message, int retry_after = 0) {
  return {status, wire::error_body(code, message), retry_after};
}

std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

std::string new_enrol_code() {
  sodium_ready();
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // 32 letters: 60 bits in 12
  std::string code;
  for (int i = 0; i < 12; ++i) {
    if (i && i % 4 == 0) code += '-';
    code += alphabet[randombytes_uniform(32)];
  }
  return code;
}

std::string normalise_code(const std::string& typed) {
  std::string out;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

std::string secret_hash(const std::string& secret) {
  sodium_ready();
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr, 0);
  return hex(h, sizeof h);
}

std::string new_device_id() {
  sodium_ready();
  unsigned char raw[6];
  randombytes_buf(raw, sizeof raw);
  return "kiosk-" + hex(raw, sizeof raw);
}

Api::Api(ServerStore& store, ApiOptions options, Clock clock)
    : store_(store),
      clock_(std::move(clock)),
      device_limits_(options.device_requests_per_s, options.device_burst),
      enrol_limits_(options.enrol_requests_per_s, options.enrol_burst) {}

std::optional<std::string> Api::body_text(const ApiRequest& r, ApiResponse& refusal) const {
  if (r.content_encoding.empty() || r.content_encoding == "identity") return r.body;
  if (r.content_encoding != "gzip") {
    refusal = error(415, "unsupported_encoding", "Content-Encoding must be gzip or absent, not " + r.content_encoding);
    return std::nullopt;
  }
  auto plain = gzip_decompress(r.body, wire::kMaxBodyBytes);
  if (!plain) {
    refusal = error(400, "bad_gzip", "the body is not valid gzip, or unpacks to more than 8 MiB");
    return std::nullopt;
  }
  return plain;
}

Api::Auth Api::authenticate(const ApiRequest& r) {
  Auth a;
  const std::string prefix = "Bearer ";
  if (r.authorization.rfind(prefix, 0) != 0) {
    a.refusal = error(401, "unauthorized", "no device token: send Authorization: Bearer <token> (enrol first)");
    return a;
  }
  auto device = store_.device_by_token(secret_hash(r.authorization.substr(prefix.size())));
  if (!device) {
    a.refusal = error(401, "unauthorized", "unknown device token: enrol this kiosk with a new code");
    return a;
  }
  if (device->revoked) {
    a.refusal = error(401, "revoked", "this kiosk's token was revoked: enrol it again with a new code");
    return a;
  }
  if (int wait = device_limits_.take(device->id, clock_()); wait > 0) {
    a.refusal = error(429, "rate_limited", "too many requests from this kiosk; try again in " + std::to_string(wait) + " s", wait);
    return a;
  }
  a.device = std::move(device);
  return a;
}

ApiResponse Api::enrol(const ApiRequest& r) {
  if (int wait = enrol_limits_.take(r.remote, clock_()); wait > 0)
    return error(429, "rate_limited", "too many enrolment attempts; try again in " + std::to_string(wait) + " s", wait);
  ApiResponse refusal;
  auto body = body_text(r, refusal);
  if (!body) return refusal;
  auto req = wire::decode_enrol_request(*body);
  if (auto* msg = std::get_if<std::string>(&req)) return error(400, "bad_request", *msg);
  auto& e = std::get<wire::EnrolRequest>(req);
  auto outcome = store_.enrol(secret_hash(normalise_code(e.code)), new_device_id(), secret_hash(e.token), e.kiosk_name,
                              static_cast<std::int64_t>(clock_()));
  switch (outcome.kind) {
    case EnrolOutcome::enrolled: return {200, wire::encode(wire::EnrolReply{outcome.device_id, outcome.venue})};
    case EnrolOutcome::used_code: return error(403, "code_used", "this enrolment code was used already; ask for a new one");
    case EnrolOutcome::expired_code: return error(403, "code_expired", "this enrolment code has expired; ask for a new one");
    case EnrolOutcome::unknown_code: break;
  }
  return error(403, "code_unknown", "unknown enrolment code; check it, or ask for a new one");
}

Api::Checked Api::check(const ApiRequest& r) {
  Checked c;
  Auth auth = authenticate(r);
  if (!auth.device) {
    c.refusal = auth.refusal;
    return c;
  }
  auto body = body_text(r, c.refusal);
  if (!body) return c;
  c.device = std::move(auth.device);
  c.body = std::move(*body);
  return c;
}

ApiResponse Api::batches(const ApiRequest& r) {
  Checked c = check(r);
  if (!c.device) return c.refusal;
  auto decoded = wire::decode_batch(c.body);
  if (auto* msg = std::get_if<std::string>(&decoded)) return error(400, "bad_request", *msg);
  std::string failure;
  auto reply = store_.ingest(c.device->id, std::get<wire::Batch>(decoded), static_cast<std::int64_t>(clock_()), &failure);
  if (!reply) return error(503, "storage", "the server could not store the batch; nothing was kept: " + failure, 30);
  return {200, wire::encode(*reply)};
}

ApiResponse Api::heartbeat(const ApiRequest& r) {
  Checked c = check(r);
  if (!c.device) return c.refusal;
  auto decoded = wire::decode_heartbeat(c.body);
  if (auto* msg = std::get_if<std::string>(&decoded)) return error(400, "bad_request", *msg);
  if (Status s = store_.heartbeat(c.device->id, std::get<wire::Heartbeat>(decoded), static_cast<std::int64_t>(clock_())); !s)
    return error(503, "storage", s.message(), 30);
  return {200, "{\"server_time\":" + std::to_string(static_cast<std::int64_t>(clock_())) + "}"};
}

ApiResponse Api::health() const { return {200, "{\"status\":\"ok\",\"api\":\"v1\"}"}; }

}  // namespace tp::server
