#include "http_request_parser.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace tp::server {

namespace http = boost::beast::http;

RequestParser::RequestParser(Admission& budget, std::size_t max_header_bytes, std::size_t max_fields, std::size_t max_body_bytes)
    : max_fields_(max_fields), body_bytes_(budget) {
  header_limit(static_cast<std::uint32_t>(max_header_bytes));
  body_limit(max_body_bytes);
  // put() returns after each element (the header, a chunk), so the
  // connection can look at the header before any of the body is stored.
  eager(false);
}

void RequestParser::on_request_impl(http::verb, string_view method, string_view target, int version, error_code&) {
  method_.assign(method.data(), method.size());
  target_.assign(target.data(), target.size());
  version_ = version;
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) { ec = http::error::bad_version; }

void RequestParser::on_field_impl(http::field name, string_view, string_view value, error_code& ec) {
  if (++fields_ > max_fields_) {
    ec = http::error::header_limit;
    return;
  }
  // The first of a repeated field counts, as with most servers; a kiosk
  // never repeats them.
  if (name == http::field::authorization && authorization_.empty()) authorization_.assign(value.data(), value.size());
  if (name == http::field::content_encoding && content_encoding_.empty()) content_encoding_.assign(value.data(), value.size());
  if (name == http::field::if_none_match && if_none_match_.empty()) if_none_match_.assign(value.data(), value.size());
  if (name == http::field::cookie && cookie_.empty()) cookie_.assign(value.data(), value.size());
}

std::size_t RequestParser::store(string_view body, error_code& ec) {
  if (!keep_body_) return body.size();
  if (!body_bytes_.take(body.size())) {
    over_budget_ = true;
    ec = boost::asio::error::no_buffer_space;
    return 0;
  }
  body_.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_body_impl(string_view body, error_code& ec) { return store(body, ec); }

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) { return store(body, ec); }

}  // namespace tp::server
