// One sync round: enrol if needed, send every unsent answer in batches,
// mark each batch sent only after the server acknowledged it, then report
// a heartbeat, then fetch the venue's signed question set. Safe to kill at
// any point: what was not marked sent is sent again, and the server stores
// every answer id once.
//
//   round(): [enrol] -> (unsent batch -> POST /batches -> mark_sent)* -> POST /heartbeat
//            (up to two batches in flight, on two connections, when the
//            transport offers a second; each marked when its own reply comes)
//            -> [GET /set-key] -> GET /question-set (If-None-Match: the serial held)
//
// The question set never changes the round's outcome: a failure there is
// logged and in `set_outcome`, and the answers' result stands. A set is
// written to the data folder's question-set.tpset only after it passed
// open_signed_set() against the trusted key with a serial above the file
// already there; the kiosk checks it again itself before using it.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "answer.h"
#include "outbox.h"
#include "sync_config.h"
#include "transport.h"

namespace tp::sync {

struct Credentials {
  std::string server, device_id, token, venue;
};

std::string new_device_token();

// device.json beside the kiosk database (mode 0600).
std::optional<Credentials> load_credentials(const std::string& path, std::string* error);
bool save_credentials(const std::string& path, const Credentials& c, std::string* error);

struct RoundResult {
  bool ok = false;               // everything sent and the heartbeat accepted
  std::int64_t sent = 0;         // answers acknowledged this round
  std::int64_t left = 0;         // answers still unsent
  std::int64_t quarantined = 0;  // answers the server kept aside (reported, not resent)
  std::string error;             // why not ok, in words
  int retry_after_s = 0;         // the server asked us to wait
  bool permanent = false;        // retrying will not help until someone acts (revoked, no code)
  int requests = 0;              // HTTP requests made
  std::int64_t bytes_sent = 0;   // request bodies, after gzip
  std::string set_outcome;       // what became of the question set this round, in words ("" when not asked)
  std::string readback_outcome;  // what became of the read-back cards ("" when none are published for the venue)
};

class SyncClient {
 public:
  SyncClient(const SyncConfig& config, Outbox& outbox, Transport& transport, std::string credentials_path, StampSource& stamps,
             std::string question_set_path);
  RoundResult round();
  // The kiosk config's "trusted_set_key" (32 raw bytes): question sets must
  // be signed with it. Without it, set-key.pub in the data folder is used.
  void use_trusted_set_key(std::string key) { trusted_set_key_ = std::move(key); }

 private:
  bool enrol(RoundResult& r);
  bool send_batches(RoundResult& r);
  bool heartbeat(RoundResult& r);
  void fetch_question_set(RoundResult& r);
  void fetch_readback(RoundResult& r);
  std::string set_key(RoundResult& r);
  HttpResult post(RoundResult& r, const std::string& path, const std::string& body, const std::string& token, bool gzip);

  SyncConfig config_;
  Outbox& outbox_;
  Transport& transport_;
  std::string credentials_path_;
  StampSource& stamps_;
  std::string question_set_path_;
  std::optional<Credentials> creds_;
  int batch_limit_;
  std::string data_dir_;  // the kiosk's data folder: the credentials file's folder
  std::string trusted_set_key_;
  bool single_connection_ = false;  // a second connection was refused: one batch in flight from now on
};

}  // namespace tp::sync
