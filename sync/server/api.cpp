// Route handlers. Error bodies are {"error": code, "message": words}; the
// codes and statuses are listed in sync/protocol/PROTOCOL.md.
#include "api.h"

#include <cstdio>

#include "await_reply.h"
#include "gzip.h"
#include "json.h"
#include "secrets.h"

namespace tp::server {

namespace {

ApiResponse error(int status, std::string_view code, std::string_view message, int retry_after = 0) {
  return {status, wire::error_body(code, message), retry_after, {}};
}

}  // namespace

Api::Api(ServerStore& store, CodeKey code_key, ApiOptions options, Clock clock)
    : store_(store),
      code_key_(code_key),
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
    refusal = error(400, "bad_gzip",
                    "the body is not valid gzip, or unpacks to more than " + std::to_string(wire::kMaxBodyBytes / (1024 * 1024)) + " MiB");
    return std::nullopt;
  }
  return plain;
}

Api::Auth Api::authenticate(const ApiRequest& r) {
  Auth a;
  const std::string prefix = "Bearer ";
  if (r.authorization.rfind(prefix, 0) != 0) {
    a.refusal = error(401, "unauthorized", "no device token: send Authorization: Bearer <token> (enrol first)");
    a.refusal.log_note = "authentication failed: no token";
    return a;
  }
  // Tokens are hashed without a key: each carries 256 random bits, so even
  // someone holding the database cannot search for one (codes, with 60, are keyed).
  auto found = store_.device_by_token(secret_hash(r.authorization.substr(prefix.size())));
  if (!found) {
    a.refusal = unavailable(found.status(), "check a device token");
    return a;
  }
  std::optional<Device>& device = *found;
  if (!device) {
    a.refusal = error(401, "unauthorized", "unknown device token: enrol this kiosk with a new code");
    a.refusal.log_note = "authentication failed: unknown token";
    return a;
  }
  if (device->revoked) {
    a.refusal = error(401, "revoked", "this kiosk's token was revoked: enrol it again with a new code");
    a.refusal.log_note = "authentication failed: device " + device->id + " is revoked";
    return a;
  }
  if (int wait = device_limits_.take(device->id, clock_()); wait > 0) {
    a.refusal = error(429, "rate_limited", "too many requests from this kiosk; try again in " + std::to_string(wait) + " s", wait);
    a.refusal.log_note = "device " + device->id;
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
  auto outcome = store_.enrol(code_hashes(code_key_, e.code), new_device_id(), secret_hash(e.token), e.kiosk_name,
                              static_cast<std::int64_t>(clock_()));
  if (!outcome) return unavailable(outcome.status(), "enrol a kiosk");
  auto refuse = [](const char* code, const char* message) {
    ApiResponse out = error(403, code, message);
    out.log_note = std::string("enrolment refused: ") + code;
    return out;
  };
  switch (outcome->kind) {
    case EnrolOutcome::enrolled: {
      // The kiosk's own key, for its USB bundles: kept once. A retried
      // enrolment finds it kept already.
      std::string key_note;
      if (!e.device_key.empty()) {
        auto kept = store_.register_device_key(outcome->device_id, e.device_key);
        if (!kept) return unavailable(kept.status(), "record a kiosk's key");
        if (*kept == KeyRegistration::conflict) key_note = "; its key was not kept (the device or another one holds a key already)";
      }
      std::string set_key = set_keys_.public_key.empty() ? "" : encode_base64(set_keys_.public_key);
      ApiResponse out{200, wire::encode(wire::EnrolReply{outcome->device_id, outcome->venue, set_key}), 0, {}};
      out.log_note = "enrolled device " + outcome->device_id + " at " + outcome->venue + key_note;
      return out;
    }
    case EnrolOutcome::used_code:
      return refuse("code_used", "this enrolment code was used already; ask for a new one");
    case EnrolOutcome::expired_code:
      return refuse("code_expired", "this enrolment code has expired; ask for a new one");
    case EnrolOutcome::revoked_token:
      return refuse("token_revoked", "this kiosk's token was revoked; delete its device.json.pending and enrol with a new code");
    case EnrolOutcome::revoked_code:
      return refuse("code_revoked", "this enrolment code was withdrawn; ask for a new one");
    case EnrolOutcome::unknown_code:
      break;
  }
  return refuse("code_unknown", "unknown enrolment code; check it, or ask for a new one");
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

void Api::batches_async(ApiRequest r, Reply done) {
  Checked c = check(r);
  r = {};  // the body as sent: not kept while the batch waits for its commit
  if (!c.device) return done(std::move(c.refusal));
  auto decoded = wire::decode_batch(c.body);
  c.body = {};
  if (auto* msg = std::get_if<std::string>(&decoded)) return done(error(400, "bad_request", *msg));
  std::string note = "device " + c.device->id;
  store_.ingest_async(std::move(c.device->id), std::move(std::get<wire::Batch>(decoded)), static_cast<std::int64_t>(clock_()),
                      [this, note = std::move(note), done = std::move(done)](Result<wire::BatchReply> reply) {
                        if (!reply) return done(unavailable(reply.status(), "store a batch"));
                        answers_stored_.fetch_add(static_cast<std::uint64_t>(reply->stored), std::memory_order_relaxed);
                        answers_duplicate_.fetch_add(static_cast<std::uint64_t>(reply->duplicates), std::memory_order_relaxed);
                        answers_quarantined_.fetch_add(reply->quarantined.size(), std::memory_order_relaxed);
                        ApiResponse out{200, wire::encode(*reply), 0, {}};
                        out.log_note = note;
                        done(std::move(out));
                      });
}

void Api::heartbeat_async(ApiRequest r, Reply done) {
  Checked c = check(r);
  r = {};
  if (!c.device) return done(std::move(c.refusal));
  auto decoded = wire::decode_heartbeat(c.body);
  if (auto* msg = std::get_if<std::string>(&decoded)) return done(error(400, "bad_request", *msg));
  wire::Heartbeat& hb = std::get<wire::Heartbeat>(decoded);
  // A kiosk enrolled before it had a key of its own sends it here; the
  // first one kept stays (register_device_key). Kept before the heartbeat
  // is queued, so a group's commit never waits on it.
  if (!hb.device_key.empty() && !c.device->has_device_key) {
    auto kept = store_.register_device_key(c.device->id, hb.device_key);
    if (!kept) return done(unavailable(kept.status(), "record a kiosk's key"));
  }
  std::string note = "device " + c.device->id;
  store_.heartbeat_async(std::move(c.device->id), std::move(hb), static_cast<std::int64_t>(clock_()),
                         [this, note = std::move(note), done = std::move(done)](Status s) {
                           if (!s) return done(unavailable(s, "record a heartbeat"));
                           ApiResponse out{200, "{\"server_time\":" + std::to_string(static_cast<std::int64_t>(clock_())) + "}", 0, {}};
                           out.log_note = note;
                           done(std::move(out));
                         });
}

ApiResponse Api::batches(const ApiRequest& r) {
  return await_reply<ApiResponse>([&](Reply done) { batches_async(r, std::move(done)); });
}

ApiResponse Api::heartbeat(const ApiRequest& r) {
  return await_reply<ApiResponse>([&](Reply done) { heartbeat_async(r, std::move(done)); });
}

namespace {

// Whether an If-None-Match header names `etag`: one entity tag or a list,
// weak ones (W/"...") compared by their text, "*" matching any.
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view one = header.substr(0, comma);
    while (!one.empty() && (one.front() == ' ' || one.front() == '\t')) one.remove_prefix(1);
    while (!one.empty() && (one.back() == ' ' || one.back() == '\t')) one.remove_suffix(1);
    if (one.substr(0, 2) == "W/") one.remove_prefix(2);
    if (one == "*" || one == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

ApiResponse Api::question_set(const ApiRequest& r) {
  Auth auth = authenticate(r);
  if (!auth.device) return auth.refusal;
  if (set_keys_.secret_key.empty())
    return unavailable(Status::failure(Fault::invalid_input, "no question-set signing key"), "sign a question set");
  const std::string& secret = set_keys_.secret_key;
  auto delivery =
      store_.set_delivery(auth.device->venue, static_cast<std::int64_t>(clock_()),
                          [&secret](std::string_view set_bytes, std::int64_t serial) { return sign_set(set_bytes, serial, secret); });
  if (!delivery) return unavailable(delivery.status(), "find this kiosk's question set");
  ApiResponse out;
  out.log_note = "device " + auth.device->id;
  if (!*delivery) {
    out.status = 204;  // no set published for this venue: the kiosk keeps what it has
    out.log_note += ", no question set";
    return out;
  }
  const SetDelivery& d = **delivery;
  out.etag = "\"" + std::to_string(d.serial) + "\"";
  out.log_note += ", set " + d.set_id + " v" + std::to_string(d.version) + " serial " + std::to_string(d.serial);
  if (etag_matches(r.if_none_match, out.etag)) {
    out.status = 304;
    return out;
  }
  out.body = d.signed_file;
  return out;
}

ApiResponse Api::readback(const ApiRequest& r) {
  Auth auth = authenticate(r);
  if (!auth.device) return auth.refusal;
  ApiResponse out;
  out.log_note = "device " + auth.device->id;
  if (!readback_) {
    out.status = 204;
    out.log_note += ", no read-back cards";
    return out;
  }
  auto file = readback_(auth.device->venue, static_cast<std::int64_t>(clock_()));
  if (!file) return unavailable(file.status(), "make this kiosk's read-back cards");
  if (!*file) {
    out.status = 204;  // the venue has never had a card: the kiosk shows what it always showed
    out.log_note += ", no read-back cards";
    return out;
  }
  out.etag = "\"" + std::to_string((*file)->serial) + "\"";
  out.log_note += ", read-back cards serial " + std::to_string((*file)->serial);
  if (etag_matches(r.if_none_match, out.etag)) {
    out.status = 304;
    return out;
  }
  out.body = (*file)->signed_file;
  return out;
}

ApiResponse Api::set_key(const ApiRequest& r) {
  Auth auth = authenticate(r);
  if (!auth.device) return auth.refusal;
  if (set_keys_.public_key.empty())
    return unavailable(Status::failure(Fault::invalid_input, "no question-set signing key"), "sign question sets");
  ApiResponse out{200, "{\"set_key\":" + json::quote(encode_base64(set_keys_.public_key)) + "}", 0, {}};
  out.log_note = "device " + auth.device->id;
  return out;
}

ApiResponse Api::unavailable(const Status& failure, const char* doing) const {
  std::fprintf(stderr, "tenpoint-server: storage failure (%s): %s\n", doing, failure.message().c_str());
  return error(503, "storage",
               std::string("the server could not ") + doing + " just now; nothing was changed. Try again in " +
                   std::to_string(kStorageRetryAfterS) + " s",
               kStorageRetryAfterS);
}

Api::AnswerCounts Api::answer_counts() const {
  return {answers_stored_.load(std::memory_order_relaxed), answers_duplicate_.load(std::memory_order_relaxed),
          answers_quarantined_.load(std::memory_order_relaxed)};
}

ApiResponse Api::health() const { return {200, "{\"status\":\"ok\",\"api\":\"v1\"}", 0, {}}; }

}  // namespace tp::server
