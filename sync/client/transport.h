// How tenpoint-sync talks to the server: one request at a time on each
// connection. The libcurl
// implementation is in curl_transport.cpp; tests may substitute their own.
#pragma once
#include <string>

namespace tp::sync {

struct HttpResult {
  bool reached = false;  // false: no HTTP answer at all (network, TLS, timeout)
  int status = 0;
  std::string body;
  std::string failure;  // in words, when !reached
  int retry_after_s = 0;
  std::string etag;  // the reply's ETag header, as sent (quotes included)
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResult post(const std::string& path, const std::string& body, const std::string& bearer_token, bool gzip) = 0;
  // `if_none_match`: sent as If-None-Match when not empty (a 304 then has no body).
  virtual HttpResult get(const std::string& path, const std::string& bearer_token, const std::string& if_none_match) = 0;
  // A second connection to the same server, owned by this one, for a
  // second request in flight on another thread; null when there is none
  // (the sync client then sends one batch at a time).
  virtual Transport* second() { return nullptr; }
};

}  // namespace tp::sync
