#include "sync_words.h"

namespace tp {

std::string describe_age(std::int64_t s) {
  if (s < 60) return "just now";
  auto unit = [](std::int64_t n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); };
  if (s < 3600) return unit(s / 60, "minute");
  if (s < 86400) return unit(s / 3600, "hour");
  return unit(s / 86400, "day");
}

std::string describe_sync(std::int64_t now, std::int64_t waiting, std::optional<std::int64_t> oldest, std::optional<std::int64_t> last_attempt,
                          std::optional<std::int64_t> last_success, const std::string& last_error) {
  auto ago = [&](std::int64_t t) {
    std::string age = describe_age(now > t ? now - t : 0);
    return age == "just now" ? age : age + " ago";
  };
  if (waiting == 0) {
    if (last_success) return "All sent, " + ago(*last_success);
    return "Nothing to send yet";
  }
  std::string head = std::to_string(waiting) + (waiting == 1 ? " answer" : " answers") + " waiting";
  if (oldest) head += ", oldest " + describe_age(now > *oldest ? now - *oldest : 0);
  if (!last_attempt) return head + ": not sent yet (the sync service has not run)";
  if (!last_error.empty()) return head + ": " + last_error;
  return head + ": sending (last sent " + ago(*last_success) + ")";
}

}  // namespace tp
