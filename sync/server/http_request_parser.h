// An HTTP/1.1 request parser on Beast's incremental parser that keeps only
// what the routes use: the request line, three fields, and (when asked) the
// body. Internal to the HTTP layer: only the connection code includes it.
//
// Beast checks the header's size (header_limit), the body's size as declared
// by Content-Length and as chunks arrive (body_limit), and the framing
// (Content-Length together with chunked is refused). This class adds a cap
// on the number of fields and charges stored body bytes to the Admission's
// budget as they arrive. It never inflates anything.
#pragma once
#include <boost/beast/http/basic_parser.hpp>
#include <string>

#include "http_admission.h"

namespace tp::server {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser(Admission& budget, std::size_t max_header_bytes, std::size_t max_fields, std::size_t max_body_bytes);

  // Set once the header is known: a body the route does not read is counted
  // against the limits and dropped as it arrives.
  void keep_body(bool keep) { keep_body_ = keep; }

  const std::string& method() const { return method_; }
  const std::string& target() const { return target_; }
  int version() const { return version_; }
  const std::string& authorization() const { return authorization_; }
  const std::string& content_encoding() const { return content_encoding_; }
  const std::string& if_none_match() const { return if_none_match_; }
  const std::string& cookie() const { return cookie_; }
  std::string& body() { return body_; }
  Admission::BodyBytes& body_bytes() { return body_bytes_; }
  // The budget was full: the body was refused for lack of room, not for its size.
  bool over_budget() const { return over_budget_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_text, string_view value, error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  std::size_t store(string_view body, error_code& ec);

  const std::size_t max_fields_;
  std::size_t fields_ = 0;
  std::string method_, target_;
  int version_ = 11;
  std::string authorization_, content_encoding_, if_none_match_, cookie_;
  bool keep_body_ = false;
  std::string body_;
  Admission::BodyBytes body_bytes_;
  bool over_budget_ = false;
};

}  // namespace tp::server
