// The kiosk's answer store: one SQLite file, WAL, synchronous=FULL.
//
// Invariants:
//   1. commit() returns ok only after the answer is durable (fsync'd WAL).
//   2. A file that is not a valid SQLite database is moved aside to
//      <path>.corrupt-<time> and reported, never overwritten.
//   3. The store never throws: failures come back as Status with a message
//      that names the file and the cause (disk full: how much is free).
//   4. Visits left open by a crash or power cut are closed at open(): the
//      resident has long gone, so their answers are final.
//   5. The schema version is PRAGMA user_version; migrations only go forward.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "answer.h"

namespace tp {

struct StoredAnswer {
  std::int64_t seq = 0;  // order on this kiosk
  Answer answer;
};

struct SyncState {
  std::string server;
  std::optional<std::int64_t> last_attempt, last_success;
  std::string last_error;  // empty after a success
};

class SqliteStore final : public AnswerStore {
 public:
  struct Options {
    std::string path;
    std::optional<int> max_page_count;  // caps the file size (tests use it to fill the "disk")
  };
  static constexpr int kSchemaVersion = 2;

  explicit SqliteStore(Options options);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Status open();
  bool is_open() const;
  const std::string& path() const { return options_.path; }
  // Where a corrupt file was moved to at open(), if it was.
  const std::string& moved_aside() const { return moved_aside_; }

  Status commit(const Answer& answer) override;
  Status close_session(const std::string& session_id) override;
  StoreSummary summary(std::int64_t day_start_unix) override;

  // Many closed answers in one transaction (synthetic data, imports).
  Status commit_many(const std::vector<Answer>& answers);

  struct DayRow {
    std::string question_id;
    std::string day;  // YYYY-MM-DD, local time
    std::int64_t answers = 0;
    std::optional<double> mean_score;
    std::int64_t texts = 0;
  };
  std::optional<std::vector<DayRow>> answers_by_question_and_day(std::string* error);
  // ---- for tenpoint-sync (another process sharing the file) ----
  // Answers of finished visits not yet acknowledged by the server, oldest first.
  std::optional<std::vector<StoredAnswer>> unsent(int limit, std::string* error, std::int64_t after_seq = 0);
  // Marks answers as acknowledged, in one transaction.
  Status mark_sent(const std::vector<std::int64_t>& seqs, std::int64_t sent_at);
  std::optional<std::int64_t> oldest_unsent_recorded_at();
  std::int64_t count_unsent();  // -1 when the database cannot be read
  SyncState sync_state();
  // An empty error records a success.
  Status record_sync_attempt(const std::string& server, std::int64_t at, const std::string& error);

  // "ok" or SQLite's list of problems.
  std::string integrity_check();
  int schema_version();
  std::int64_t count_answers();
  void set_max_page_count(int pages);

 private:
  struct Impl;
  Options options_;
  std::string moved_aside_;
  std::unique_ptr<Impl> impl_;
};

// Free space on the filesystem holding `path`, in bytes, or -1.
std::int64_t free_disk_bytes(const std::string& path);

}  // namespace tp
