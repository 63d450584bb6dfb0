// Answers on their way off the kiosk. The sync daemon reads unsent answers
// in kiosk order and marks them once the server has acknowledged them; the
// USB export reads the same way. Another process may be recording answers
// at the same time.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "answer.h"
#include "status.h"

namespace tp {

struct OutboxState {
  std::int64_t waiting = 0;  // answers of finished visits not yet acknowledged
  std::optional<std::int64_t> oldest_recorded_at;
  std::int64_t free_disk_bytes = -1;  // on the store's filesystem; -1 when unknown
};

// The last sync attempt, written by the sync daemon and read by the staff menu.
struct SyncState {
  std::string server;
  std::optional<std::int64_t> last_attempt, last_success;
  std::string last_error;  // empty after a success
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Up to `limit` answers of finished visits, not yet acknowledged, with
  // seq > after_seq, oldest first.
  virtual Result<std::vector<StoredAnswer>> unsent(int limit, std::int64_t after_seq) = 0;
  // Marks answers as acknowledged, all or none.
  virtual Status mark_sent(const std::vector<std::int64_t>& seqs, std::int64_t sent_at) = 0;
  virtual Result<OutboxState> state() = 0;
  // An empty error records a success.
  virtual Status record_sync_attempt(const std::string& server, std::int64_t at, const std::string& error) = 0;
};

}  // namespace tp
