// The HTTP API's routes as plain functions: a request in, a response out.
// No sockets here, so every rule (auth, limits, idempotency) is testable
// without a network; http_server.cpp only moves bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "server_store.h"

namespace tp::server {

struct ApiRequest {
  std::string body;
  std::string authorization;     // "Bearer <token>"
  std::string content_encoding;  // "" or "gzip"
  std::string remote;            // client address, for limits on enrolment
};

struct ApiResponse {
  int status = 200;
  std::string body;
  int retry_after_s = 0;  // sent as Retry-After with 429 and 503
};

// A token bucket per key (device id, or address for enrolment).
class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
  // 0 when allowed, else whole seconds to wait.
  int take(const std::string& key, double now_s);

 private:
  struct Bucket {
    double tokens;
    double at;
  };
  double rate_, burst_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

struct ApiOptions {
  // A kiosk back from weeks offline sends its backlog batch after batch:
  // allow that, but not a runaway loop.
  double device_requests_per_s = 50;
  double device_burst = 200;
  double enrol_requests_per_s = 0.5;  // guessing codes is slow work
  double enrol_burst = 5;
};

class Api {
 public:
  using Clock = std::function<double()>;  // seconds since the epoch
  Api(ServerStore& store, ApiOptions options, Clock clock);

  ApiResponse enrol(const ApiRequest& r);
  ApiResponse batches(const ApiRequest& r);
  ApiResponse heartbeat(const ApiRequest& r);
  ApiResponse health() const;

 private:
  struct Auth {
    std::optional<Device> device;
    ApiResponse refusal;
  };
  Auth authenticate(const ApiRequest& r);
  // The device and the request's body text, or the refusal to send back.
  struct Checked {
    std::optional<Device> device;
    std::string body;
    ApiResponse refusal;
  };
  Checked check(const ApiRequest& r);
  std::optional<std::string> body_text(const ApiRequest& r, ApiResponse& refusal) const;

  ServerStore& store_;
  Clock clock_;
  RateLimiter device_limits_, enrol_limits_;
};

// Secrets: random tokens and enrolment codes, and the hashes kept of them.
std::string new_enrol_code();          // "ABCD-EFGH-JKMN": no 0/O or 1/I to misread
std::string normalise_code(const std::string& typed);  // upper case, no dashes or spaces
std::string secret_hash(const std::string& secret);    // BLAKE2b-256, hex
std::string new_device_id();

}  // namespace tp::server
