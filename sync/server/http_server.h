// HTTPS (or, for development only, plain HTTP) in front of the Api.
#pragma once
#include <memory>
#include <string>

#include "api.h"

namespace tp::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8443;  // 0: any free port (see HttpServer::port)
  std::string tls_cert, tls_key;
  bool plain_http = false;  // development only
  int workers = 8;
  int read_timeout_s = 10;   // a client that sends nothing for this long is dropped
  int write_timeout_s = 10;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
};

class HttpServer {
 public:
  HttpServer(Api& api, HttpOptions options);
  ~HttpServer();
  // Binds the socket; false with `error` set when it cannot.
  bool bind(std::string& error);
  int port() const { return port_; }
  void run();   // serves until stop()
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  HttpOptions options_;
  int port_ = 0;
};

}  // namespace tp::server
