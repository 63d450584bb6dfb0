// The visit's side of storage: it records answers and closes visits.
#pragma once
#include <string>

#include "answer.h"
#include "status.h"

namespace tp {

class AnswerStore {
 public:
  virtual ~AnswerStore() = default;
  // Durable on return when ok. Within an open visit, a second answer to
  // the same question replaces the first (a resident changed their mind).
  virtual Status commit(const Answer& answer) = 0;
  // Ends a visit: its answers can no longer change and may be sent.
  virtual Status close_session(const std::string& session_id) = 0;
  // Whether the store can be used now: the out-of-service screen asks this
  // before it lets residents in again.
  virtual Status probe() = 0;
};

}  // namespace tp
