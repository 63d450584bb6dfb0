// One line per request on stderr, for an admin reading the journal:
//
//   tenpoint-server: 203.0.113.7:51234 POST /api/v1/batches 200 in=5123 out=91 3.2 ms
//
// The address carries the client's port, so the lines of one kept-alive
// connection can be told apart from others from the same address. Only the
// path of the target is printed (never its query), and never a header: the
// Authorization header carries the device's token.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace tp::server {

struct AccessRecord {
  std::string_view remote;  // address:port
  std::string_view method;  // as sent; empty when the request line never arrived
  std::string_view target;  // as sent; only its path is printed
  int status = 0;           // 0: no reply was sent
  std::size_t bytes_in = 0, bytes_out = 0;
  double milliseconds = 0;
  std::string_view note;  // why it ended without a reply, or other words for the admin
};

std::string format_access_line(const AccessRecord& r);
// Writes the line with one call, so lines from several threads never mix.
void log_access(const AccessRecord& r);

}  // namespace tp::server
