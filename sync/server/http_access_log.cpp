#include "http_access_log.h"

#include <cstdio>

#include "http_routes.h"

namespace tp::server {

namespace {

// Request lines come from anyone: keep a log line one line, of printable
// ASCII, and short, whatever was sent.
std::string printable(std::string_view text, std::size_t max_chars) {
  std::string out;
  for (char c : text.substr(0, max_chars)) out += (c > ' ' && c < 0x7f && c != '"') ? c : '?';
  if (text.size() > max_chars) out += "...";
  return out.empty() ? "-" : out;
}

}  // namespace

std::string format_access_line(const AccessRecord& r) {
  constexpr std::size_t kMaxMethodChars = 16, kMaxPathChars = 100;
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, " in=%zu out=%zu %.1f ms", r.bytes_in, r.bytes_out, r.milliseconds);
  std::string line = "tenpoint-server: " + std::string(r.remote) + " " + printable(r.method, kMaxMethodChars) + " " +
                     printable(path_of(r.target), kMaxPathChars) + " " + (r.status ? std::to_string(r.status) : std::string("-")) + numbers;
  if (!r.note.empty()) line += " (" + std::string(r.note) + ")";
  return line;
}

void log_access(const AccessRecord& r) {
  std::string line = format_access_line(r) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace tp::server
