// The server bundle of a USB export: the export's answers for a central
// server the kiosk cannot reach, in the folder bundle::kBundleFolder
// (sync/protocol/bundle.h has the format, PROTOCOL.md "By hand" the rules).
//
//   server-bundle/answers.jsonl   one sync batch a line (wire::encode), as tenpoint-sync would send it
//   server-bundle/manifest.json   counts, the range of seq, each file's size and SHA-256, venue, device key
//   server-bundle/manifest.sig    the manifest signed with the kiosk's device key
//
// Invariants:
//   1. An answer goes in as tenpoint-sync sends it: the same fields and the
//      same seq (the answers table's own, the sync cursor), so the server's
//      exactly-once rule sees a bundle and the network as one source.
//   2. Only answers whose visit has ended (closed): an open visit may still
//      change its answers, and a changed answer under a known id is
//      quarantined by the server. tenpoint-sync holds them back likewise.
//   3. Every file follows export_folder.h (temporary name, fsync, rename,
//      read back); the manifest is written only after answers.jsonl was
//      read back, and its signature last: a bundle cut short has no
//      manifest.sig, and a server refuses it.
//
//   start() -> add() x N -> finish_answers() -> finish() -> ok
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "answer.h"
#include "device_key.h"
#include "export_folder.h"

namespace tp {

class ServerBundleWriter {
 public:
  // Makes the bundle's folder in `folder` and starts answers.jsonl.
  static Result<ServerBundleWriter> start(ExportFolder& folder, const DeviceKey& key, std::string venue, std::int64_t made_at);

  // One answer (invariant 2: the caller passes closed answers only).
  Status add(StoredAnswer answer);
  std::int64_t answers() const { return answers_; }
  std::uint64_t bytes() const;  // of answers.jsonl so far
  // The last line, then answers.jsonl named and read back; `progress` counts its bytes read back.
  Status finish_answers(const std::function<void(std::uint64_t done)>& progress);
  // manifest.json, then manifest.sig.
  Status finish();
  // Removes what the bundle made (best effort).
  void discard();

 private:
  ServerBundleWriter(std::unique_ptr<ExportFolder> folder, ExportFile answers, DeviceKey key);
  Status write_batch();

  std::unique_ptr<ExportFolder> folder_;  // before the file, which refers to it
  ExportFile answers_file_;
  DeviceKey key_;
  std::string venue_;
  std::int64_t made_at_ = 0;
  std::vector<StoredAnswer> batch_;
  std::int64_t answers_ = 0, batches_ = 0;
  std::optional<std::int64_t> first_seq_, last_seq_;
};

}  // namespace tp
