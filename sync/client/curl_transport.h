#pragma once
#include <memory>

#include "sync_config.h"
#include "transport.h"

namespace tp::sync {

// HTTPS with libcurl. The server certificate is always verified (peer and
// host name): against the system CA store, or the config's ca_file, and
// optionally a pinned public key. There is no switch to turn that off.
class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(const SyncConfig& config);
  ~CurlTransport() override;
  HttpResult post(const std::string& path, const std::string& body, const std::string& bearer_token, bool gzip) override;
  HttpResult get(const std::string& path, const std::string& bearer_token, const std::string& if_none_match) override;
  // Made on first use, with the same settings; it is not itself given a second.
  Transport* second() override;

 private:
  struct Impl;
  // A POST when `body` is given, else a GET.
  HttpResult perform(const std::string& path, const std::string* body, const std::string& bearer_token, bool gzip,
                     const std::string& if_none_match);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tp::sync
