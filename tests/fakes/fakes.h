// Test doubles for the visit state machine's and the sync client's
// surroundings. The storage tests use the real SQLite store; these serve
// the state-machine and sync-client tests, where the question is what is
// asked of storage, not how it is kept.
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "answer_store.h"
#include "outbox.h"
#include "pin.h"
#include "pin_lock.h"
#include "reports.h"

namespace tp::test {

// One list of rows behind all three kiosk storage roles, as one SQLite file is.
class MemoryStore final : public AnswerStore, public Outbox, public Reports {
 public:
  struct Row {
    std::int64_t seq = 0;
    Answer answer;
    bool closed = false;
    std::optional<std::int64_t> sent_at;
  };
  std::vector<Row> rows;
  SyncState sync;
  bool fail = false;  // every call fails as if the disk were full

  // ---- AnswerStore ----
  Status commit(const Answer& a) override {
    if (fail) return full();
    for (auto& r : rows)
      if (!r.closed && r.answer.session_id == a.session_id && r.answer.question_id == a.question_id) {
        std::string uuid = r.answer.uuid;
        r.answer = a;
        r.answer.uuid = uuid;
        return {};
      }
    rows.push_back({static_cast<std::int64_t>(rows.size()) + 1, a, false, std::nullopt});
    return {};
  }
  Status close_session(const std::string& session) override {
    if (fail) return full();
    for (auto& r : rows)
      if (r.answer.session_id == session) r.closed = true;
    return {};
  }
  Status probe() override { return fail ? full() : Status(); }

  // ---- Outbox ----
  Result<std::vector<StoredAnswer>> unsent(int limit, std::int64_t after_seq) override {
    if (fail) return full();
    std::vector<StoredAnswer> out;
    for (const auto& r : rows)
      if (r.closed && !r.sent_at && r.seq > after_seq && static_cast<int>(out.size()) < limit) out.push_back({r.seq, r.answer});
    return out;
  }
  Status mark_sent(const std::vector<std::int64_t>& seqs, std::int64_t at) override {
    if (fail) return full();
    for (auto& r : rows)
      if (std::find(seqs.begin(), seqs.end(), r.seq) != seqs.end()) r.sent_at = at;
    return {};
  }
  Result<OutboxState> state() override {
    if (fail) return full();
    OutboxState s;
    for (const auto& r : rows)
      if (r.closed && !r.sent_at) {
        if (!s.oldest_recorded_at) s.oldest_recorded_at = r.answer.stamp.unix_seconds;
        ++s.waiting;
      }
    return s;
  }
  Status record_sync_attempt(const std::string& server, std::int64_t at, const std::string& error) override {
    if (fail) return full();
    sync.server = server;
    sync.last_attempt = at;
    if (error.empty()) sync.last_success = at;
    sync.last_error = error;
    return {};
  }

  // ---- Reports ----
  Result<StoreCounts> counts(std::int64_t day_start) override {
    if (fail) return full();
    StoreCounts c;
    auto st = state();
    c.answers_total = static_cast<std::int64_t>(rows.size());
    c.answers_today = std::count_if(rows.begin(), rows.end(), [&](const Row& r) { return r.answer.stamp.unix_seconds >= day_start; });
    c.answers_unsent = st->waiting;
    c.oldest_unsent_recorded_at = st->oldest_recorded_at;
    c.sync = sync;
    return c;
  }
  Result<std::vector<DayRow>> answers_by_question_and_day() override {
    if (fail) return full();
    return std::vector<DayRow>{};
  }

  const Answer* find(const std::string& question_id) const {
    for (const auto& r : rows)
      if (r.answer.question_id == question_id) return &r.answer;
    return nullptr;
  }
  bool all_closed() const {
    return std::all_of(rows.begin(), rows.end(), [](const Row& r) { return r.closed; });
  }

 private:
  static Status full() { return Status::failure(Fault::storage_full, "disk full (test)"); }
};

class FixedStamps final : public StampSource {
 public:
  Stamp now() override { return {1764500400, true, "boot-test", 3600000}; }
  std::int64_t unix_now() override { return 1764500400; }
};

// The PIN lockout in memory; `fail` makes every call fail as a broken disk would.
class MemoryPinLock final : public PinLockLog {
 public:
  Result<PinLockState> load_pin_lock() override {
    if (fail) return Status::failure(Fault::storage_unavailable, "cannot read (test)");
    return state;
  }
  Status save_pin_lock(const PinLockState& s) override {
    if (fail) return Status::failure(Fault::storage_unavailable, "cannot write (test)");
    state = s;
    ++saves;
    return {};
  }
  PinLockState state;
  int saves = 0;
  bool fail = false;
};

class FixedPin final : public PinChecker {
 public:
  explicit FixedPin(std::string pin) : pin_(std::move(pin)) {}
  bool verify(const std::string& pin) override { return pin == pin_; }
  bool is_demo_pin() const override { return pin_ == kDemoPin; }

 private:
  std::string pin_;
};

}  // namespace tp::test
