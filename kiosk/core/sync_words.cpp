#include "sync_words.h"

namespace tp {

std::string describe_age(std::int64_t s) {
  if (s < 60) return "just now";
  auto unit = [](std::int64_t n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); };
  if (s < 3600) return unit(s / 60, "minute");
  if (s < 86400) return unit(s / 3600, "hour");
  return unit(s / 86400, "day");
}

std::string describe_bytes(std::int64_t b) {
  if (b < 0) return "unknown";
  if (b < 10 * 1024) return std::to_string(b) + " bytes";
  if (b < 10 * 1024 * 1024) return std::to_string(b / 1024) + " KB";
  return std::to_string(b / (1024 * 1024)) + " MB";
}

std::string describe_sync(std::int64_t now, std::int64_t waiting, std::optional<std::int64_t> oldest,
                          std::optional<std::int64_t> last_attempt, std::optional<std::int64_t> last_success,
                          const std::string& last_error) {
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
  if (!last_success) return head + ": sending";
  return head + ": sending (last sent " + ago(*last_success) + ")";
}

StaffStatus describe_store(const Result<StoreCounts>& counts, std::int64_t now) {
  StaffStatus out;
  if (!counts) {
    out.health_message = counts.message();
    out.sync_line = "unknown: the store cannot be read";
    return out;
  }
  const StoreCounts& c = *counts;
  out.healthy = true;
  out.answers_total = c.answers_total;
  out.answers_today = c.answers_today;
  out.answers_unsent = c.answers_unsent;
  out.database_bytes = c.database_bytes;
  out.free_disk_bytes = c.free_disk_bytes;
  out.sync_line =
      describe_sync(now, c.answers_unsent, c.oldest_unsent_recorded_at, c.sync.last_attempt, c.sync.last_success, c.sync.last_error);
  if (c.free_disk_bytes >= 0 && c.free_disk_bytes < kLowDiskBytes)
    out.health_message = "ok, but only " + describe_bytes(c.free_disk_bytes) + " of disk left";
  else
    out.health_message = "ok";
  return out;
}

}  // namespace tp
