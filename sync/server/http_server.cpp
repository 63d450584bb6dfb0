#include "http_server.h"

#include <httplib.h>

namespace tp::server {

struct HttpServer::Impl {
  std::unique_ptr<httplib::Server> http;
};

HttpServer::HttpServer(Api& api, HttpOptions options) : impl_(std::make_unique<Impl>()), options_(std::move(options)) {
  if (options_.plain_http) impl_->http = std::make_unique<httplib::Server>();
  else impl_->http = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
  httplib::Server& s = *impl_->http;
  // Without TCP_NODELAY every response waits ~40 ms for a delayed ACK.
  s.set_tcp_nodelay(true);
  int workers = options_.workers;
  s.new_task_queue = [workers] { return new httplib::ThreadPool(static_cast<std::size_t>(workers)); };
  s.set_read_timeout(options_.read_timeout_s, 0);
  s.set_write_timeout(options_.write_timeout_s, 0);
  s.set_keep_alive_timeout(2);  // a kiosk makes a few requests per round; idle connections must not hold workers
  s.set_keep_alive_max_count(100);
  s.set_payload_max_length(options_.max_body_bytes);

  auto route = [&api](ApiResponse (Api::*fn)(const ApiRequest&)) {
    return [&api, fn](const httplib::Request& req, httplib::Response& res) {
      ApiRequest r{req.body, req.get_header_value("Authorization"), req.get_header_value("Content-Encoding"), req.remote_addr};
      // cpp-httplib may already have undone the gzip; then the body is plain JSON.
      if (r.content_encoding == "gzip" && (r.body.size() < 2 || static_cast<unsigned char>(r.body[0]) != 0x1f)) r.content_encoding.clear();
      ApiResponse out = (api.*fn)(r);
      res.status = out.status;
      if (out.retry_after_s > 0) res.set_header("Retry-After", std::to_string(out.retry_after_s));
      res.set_content(out.body, "application/json");
    };
  };
  s.Post("/api/v1/enrol", route(&Api::enrol));
  s.Post("/api/v1/batches", route(&Api::batches));
  s.Post("/api/v1/heartbeat", route(&Api::heartbeat));
  s.Get("/api/v1/health", [&api](const httplib::Request&, httplib::Response& res) {
    ApiResponse out = api.health();
    res.status = out.status;
    res.set_content(out.body, "application/json");
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string code = res.status == 413 ? "too_large" : res.status == 404 ? "not_found" : "http_error";
    std::string message = res.status == 413   ? "the body is larger than the server accepts; send smaller batches"
                          : res.status == 404 ? "no such endpoint: " + req.path + " (see /api/v1/)"
                                              : "the request could not be handled";
    res.set_content(wire::error_body(code, message), "application/json");
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(wire::error_body("internal", "the server failed on this request; it was not stored"), "application/json");
  });
}

HttpServer::~HttpServer() = default;

bool HttpServer::bind(std::string& error) {
  if (!impl_->http->is_valid()) {
    error = "Unable to load the TLS certificate " + options_.tls_cert + " or key " + options_.tls_key + " (missing, unreadable or not PEM)";
    return false;
  }
  if (options_.port == 0) {
    port_ = impl_->http->bind_to_any_port(options_.host);
  } else {
    port_ = impl_->http->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    error = "Unable to listen on " + options_.host + ":" + std::to_string(options_.port) + " (in use, or not an address of this machine)";
    return false;
  }
  return true;
}

void HttpServer::run() { impl_->http->listen_after_bind(); }

void HttpServer::stop() { impl_->http->stop(); }

}  // namespace tp::server
