// Every stored answer, for the USB export: the one reader that sees the
// answers of all visits, sent or not. It only reads; the kiosk and
// tenpoint-sync may write at the same time.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "answer.h"
#include "status.h"

namespace tp {

class AnswerArchive {
 public:
  virtual ~AnswerArchive() = default;
  // Every answer recorded at or after `since` (unix seconds; all when empty),
  // in the kiosk's order, read in one read transaction so that the result is
  // one moment of the store, never half of a visit being written.
  virtual Result<std::vector<Answer>> all_answers(std::optional<std::int64_t> since) = 0;
};

}  // namespace tp
