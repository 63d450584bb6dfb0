// The "sync" section of the kiosk config, read by tenpoint-sync:
//   "sync": {"server": "https://tenpoint.example.org", "enrolment_code": "ABCD-EFGH-JKMN", ...}
// Keys and defaults are listed in README.md, "Sync".
#pragma once
#include <string>

namespace tp::sync {

struct SyncConfig {
  std::string database_path;      // from the kiosk config's "database" (or --db)
  std::string server;             // https://host[:port]
  std::string ca_file;            // trust this CA instead of the system store
  std::string pinned_public_key;  // "sha256//BASE64": also require this server key
  std::string enrolment_code;
  std::string kiosk_name;
  // 2000 answers is about 0.9 MiB of JSON and 100 KiB on the wire. Half as
  // many per batch made a 100,000-answer backlog 1.5x slower (tests/bench).
  int batch_max_answers = 2000;
  int batch_max_bytes = 2 * 1024 * 1024;
  int interval_s = 60;      // between rounds when all is well
  int backoff_cap_s = 300;  // longest wait after failures
  int connect_timeout_s = 10;
  int total_timeout_s = 120;
  int low_speed_bytes_per_s = 64;  // slower than this for low_speed_time_s: give up
  int low_speed_time_s = 30;
  bool allow_insecure_http = false;  // http:// only with this, and only to a loopback address
};

// Whether the URL's host is this machine: localhost, ::1 or 127.0.0.0/8.
bool is_loopback_url(const std::string& url);

// Throws std::runtime_error with a FILE:LINE:COLUMN message.
SyncConfig load_sync_config(const std::string& kiosk_config_path);

}  // namespace tp::sync
