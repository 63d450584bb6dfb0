// Checkpoints of the server's SQLite database, kept off the path of a
// commit.
//
// In WAL mode every commit appends pages to server.db-wal; a checkpoint
// copies them back into server.db so that the WAL can start over. SQLite's
// own automatic checkpoint runs inside the COMMIT that crosses its
// threshold, on the committing thread: at 16 KiB pages, 10,000 frames
// (160 MiB) took about 60 ms under load, and every kiosk waiting for the
// next group commit waited that long too. Here the bulk of that copy runs
// on a thread of its own, with its own connection, beside the commits
// (SQLite allows a checkpoint and a writer at once); the committing thread
// then copies only the few frames written since, between two
// transactions, so that the next one starts the WAL over.
//
//   commit --wal hook--> committed(frames)
//       frames >= start_frames and a chunk not yet copied: wake the thread,
//       which copies what is there (a PASSIVE checkpoint: it waits for
//       nobody, and copies what no reader still needs)
//   between transactions, finish(writer):
//       frames >= start_frames and at most finish_frames not yet copied:
//       copy those on the writer's connection (no statement may be active)
//
// A checkpoint that cannot proceed (another process checkpointing, a reader
// holding an old snapshot) is tried again after a later commit; nothing is
// lost by waiting, the WAL only grows meanwhile.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace tp::server {

struct CheckpointLimits {
  // WAL frames (pages) before a checkpoint starts: 64 MiB at 16 KiB pages.
  int start_frames = 4000;
  // What the committing thread copies itself, at most: 8 MiB at 16 KiB pages.
  int finish_frames = 512;
};

struct CheckpointStats {
  std::uint64_t background = 0;  // checkpoints run on the checkpointer's thread
  std::uint64_t finished = 0;    // checkpoints finished by the committing thread
  int wal_frames = 0;            // frames in the WAL after the last commit
};

class WalCheckpointer {
 public:
  // Opens its own connection to `path` (a database already in WAL mode) and
  // hooks itself to `writer`, whose automatic checkpoint it replaces.
  // Throws std::runtime_error naming the file when it cannot open it.
  WalCheckpointer(const std::string& path, sqlite3* writer, CheckpointLimits limits, int busy_timeout_ms);
  // Unhooks from the writer, stops the thread and closes its connection.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // On the writer's thread, with no statement of the writer's active and no
  // transaction open: copies the last few frames when the thread has copied
  // the rest. Cheap when there is nothing to do.
  void finish();
  CheckpointStats stats() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int frames);
  void run();

  sqlite3* writer_;
  sqlite3* own_ = nullptr;
  CheckpointLimits limits_;
  std::atomic<int> frames_{0};      // in the WAL after the writer's last commit
  std::atomic<int> backfilled_{0};  // frames copied by the last checkpoint, of the WAL it saw
  std::atomic<std::uint64_t> background_{0}, finished_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false, stop_ = false;
  std::thread thread_;
};

}  // namespace tp::server
