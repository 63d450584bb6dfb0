#include "wal_checkpointer.h"

#include <sqlite3.h>

#include <stdexcept>

namespace tp::server {

WalCheckpointer::WalCheckpointer(const std::string& path, sqlite3* writer, CheckpointLimits limits, int busy_timeout_ms)
    : writer_(writer), limits_(limits) {
  if (sqlite3_open_v2(path.c_str(), &own_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string why = own_ ? sqlite3_errmsg(own_) : "out of memory";
    sqlite3_close_v2(own_);
    throw std::runtime_error("Unable to open " + path + " for its checkpoints: " + why);
  }
  sqlite3_extended_result_codes(own_, 1);
  sqlite3_busy_timeout(own_, busy_timeout_ms);
  // A connection finds the WAL when it first reads the file; until then its
  // checkpoints do nothing (and say so only by a log size of -1).
  if (sqlite3_exec(own_, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string why = sqlite3_errmsg(own_);
    sqlite3_close_v2(own_);
    throw std::runtime_error("Unable to read " + path + " for its checkpoints: " + why);
  }
  thread_ = std::thread([this] { run(); });
  // Replaces the automatic checkpoint (PRAGMA wal_autocheckpoint) too.
  sqlite3_wal_hook(writer_, &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close_v2(own_);
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int frames) {
  auto* c = static_cast<WalCheckpointer*>(self);
  c->frames_.store(frames);
  int copied = c->backfilled_.load();
  if (frames < copied) c->backfilled_.store(copied = 0);  // the WAL started over
  if (frames >= c->limits_.start_frames && frames - copied > c->limits_.finish_frames) {
    {
      std::lock_guard lock(c->mutex_);
      c->wanted_ = true;
    }
    c->wake_.notify_one();
  }
  return SQLITE_OK;  // what the hook returns is the COMMIT's result: a checkpoint's trouble is not the commit's
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return wanted_ || stop_; });
    if (stop_) return;
    wanted_ = false;
    lock.unlock();
    int log = 0, copied = 0;
    // PASSIVE: copies what no reader still needs, waits for nobody, and
    // leaves the WAL to the writer, which goes on committing meanwhile.
    if (sqlite3_wal_checkpoint_v2(own_, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK && copied >= 0) {
      backfilled_.store(copied);
      background_.fetch_add(1);
    }
    lock.lock();
  }
}

void WalCheckpointer::finish() {
  int frames = frames_.load(), copied = backfilled_.load();
  if (frames < limits_.start_frames || copied > frames || frames - copied > limits_.finish_frames) return;
  int log = 0, now_copied = 0;
  // SQLITE_BUSY while the thread is still at it: the next transaction's turn.
  if (sqlite3_wal_checkpoint_v2(writer_, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &now_copied) == SQLITE_OK && now_copied >= 0) {
    backfilled_.store(now_copied);
    finished_.fetch_add(1);
  }
}

CheckpointStats WalCheckpointer::stats() const { return {background_.load(), finished_.load(), frames_.load()}; }

}  // namespace tp::server
