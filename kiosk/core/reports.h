// The read side of the kiosk's store: counts for the staff menu and the
// `tenpoint stats` command. Numbers only; the words people read are made
// from them in sync_words.h.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "outbox.h"
#include "status.h"

namespace tp {

struct StoreCounts {
  std::int64_t answers_total = 0;
  std::int64_t answers_today = 0;
  std::int64_t answers_unsent = 0;
  std::optional<std::int64_t> oldest_unsent_recorded_at;
  std::int64_t database_bytes = 0;
  std::int64_t free_disk_bytes = -1;  // -1 when unknown
  SyncState sync;
};

struct DayRow {
  std::string question_id;
  std::string day;  // YYYY-MM-DD, local time
  std::int64_t answers = 0;
  std::optional<double> mean_score;
  std::int64_t texts = 0;
};

class Reports {
 public:
  virtual ~Reports() = default;
  virtual Result<StoreCounts> counts(std::int64_t day_start_unix) = 0;
  virtual Result<std::vector<DayRow>> answers_by_question_and_day() = 0;
};

}  // namespace tp
