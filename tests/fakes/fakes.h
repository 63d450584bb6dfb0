// Test doubles for the visit state machine's surroundings. The storage
// tests use the real SQLite store; these serve the state-machine tests,
// where the question is what the machine asks to store, not how.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "answer.h"

namespace tp::test {

class MemoryStore final : public AnswerStore {
 public:
  struct Row {
    Answer answer;
    bool closed = false;
  };
  std::vector<Row> rows;
  bool fail = false;  // every write fails as if the disk were full

  Status commit(const Answer& a) override {
    if (fail) return Status::failure(Fault::storage_full, "disk full (test)");
    for (auto& r : rows)
      if (!r.closed && r.answer.session_id == a.session_id && r.answer.question_id == a.question_id) {
        std::string uuid = r.answer.uuid;
        r.answer = a;
        r.answer.uuid = uuid;
        return {};
      }
    rows.push_back({a, false});
    return {};
  }
  Status close_session(const std::string& session) override {
    if (fail) return Status::failure(Fault::storage_full, "disk full (test)");
    for (auto& r : rows)
      if (r.answer.session_id == session) r.closed = true;
    return {};
  }
  StoreSummary summary(std::int64_t) override {
    StoreSummary s;
    s.healthy = !fail;
    s.health_message = std::string(fail ? "disk full (test)" : "ok");
    s.answers_total = static_cast<std::int64_t>(rows.size());
    return s;
  }
  const Answer* find(const std::string& question_id) const {
    for (const auto& r : rows)
      if (r.answer.question_id == question_id) return &r.answer;
    return nullptr;
  }
  bool all_closed() const {
    return std::all_of(rows.begin(), rows.end(), [](const Row& r) { return r.closed; });
  }
};

class FixedStamps final : public StampSource {
 public:
  Stamp now() override { return {1764500400, true, "boot-test", 3600000}; }
  std::int64_t unix_now() override { return 1764500400; }
};

class FixedPin final : public PinChecker {
 public:
  explicit FixedPin(std::string pin) : pin_(std::move(pin)) {}
  bool verify(const std::string& pin) override { return pin == pin_; }

 private:
  std::string pin_;
};

}  // namespace tp::test
