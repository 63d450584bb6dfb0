// The sync state in words, for the staff menu:
//   "All sent, 2 minutes ago"
//   "312 answers waiting, oldest 3 days: server unreachable (connection refused)"
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace tp {

std::string describe_age(std::int64_t seconds);  // "just now", "1 minute", "3 days"

std::string describe_sync(std::int64_t now, std::int64_t waiting, std::optional<std::int64_t> oldest_recorded_at,
                          std::optional<std::int64_t> last_attempt, std::optional<std::int64_t> last_success, const std::string& last_error);

}  // namespace tp
