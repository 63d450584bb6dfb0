// The store's numbers in words, for the staff menu:
//   "All sent, 2 minutes ago"
//   "312 answers waiting, oldest 3 days: server unreachable (connection refused)"
//   "ok, but only 40 MB of disk left"
// Storage returns numbers (reports.h); only this file turns them into words.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "reports.h"

namespace tp {

std::string describe_age(std::int64_t seconds);  // "just now", "1 minute", "3 days"
std::string describe_bytes(std::int64_t bytes);  // "812 bytes", "40 KB", "12 MB", "unknown"

std::string describe_sync(std::int64_t now, std::int64_t waiting, std::optional<std::int64_t> oldest_recorded_at,
                          std::optional<std::int64_t> last_attempt, std::optional<std::int64_t> last_success,
                          const std::string& last_error);

// What the staff menu shows about the store.
struct StaffStatus {
  bool healthy = false;
  std::string health_message;  // "ok", a low-disk warning, or what is wrong
  std::int64_t answers_total = 0;
  std::int64_t answers_today = 0;
  std::int64_t answers_unsent = 0;
  std::int64_t database_bytes = -1;
  std::int64_t free_disk_bytes = -1;
  std::string sync_line;
};

// Below this much free disk the staff menu warns.
constexpr std::int64_t kLowDiskBytes = 50LL * 1024 * 1024;  // 50 MiB

StaffStatus describe_store(const Result<StoreCounts>& counts, std::int64_t now);

}  // namespace tp
