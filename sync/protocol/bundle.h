// What a kiosk carries to the server on a USB stick, and what a server
// gives a kiosk that has no network to enrol by. PROTOCOL.md, "By hand",
// documents the files; this is their one reader and writer.
//
// The answers bundle: the folder kBundleFolder in a USB export.
//   answers.jsonl  one sync batch per line, exactly the body of POST
//                  /api/v1/batches (wire.h), at most kBundleBatchAnswers answers each
//   manifest.json  what the bundle holds: the kiosk's public key, its venue,
//                  when it was made, counts, the range of the kiosk's answer
//                  numbers, and each file's size and SHA-256
//   manifest.sig   base64 of the Ed25519 signature, by the kiosk's device
//                  key, of kBundleFormat + "\n" + the bytes of manifest.json
//
// The enrolment file (server to kiosk), enrol.json: the venue, a one-time
// code, when it expires, and the server's question-set key. The enrolment
// reply (kiosk to server), enrol-reply.json: the code, the kiosk's name and
// public key, signed by that key to show the kiosk holds it.
//
// Invariants:
//   1. Nothing in a bundle is believed before its signature checks out
//      under a key the server registered for a kiosk; then each file's size
//      and SHA-256; then each line as strictly as a batch off the network.
//      The answers go in by the network's exactly-once rule (answer ids).
//   2. Sizes are capped before anything is read whole: the manifest at
//      kMaxManifestBytes, a line at wire::kMaxBodyBytes, an enrolment file
//      or reply at kMaxEnrolFileBytes.
#pragma once
#include <sodium.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "device_key.h"
#include "wire.h"

namespace tp::bundle {

inline constexpr const char* kBundleFormat = "tenpoint-bundle/1";
inline constexpr const char* kBundleFolder = "server-bundle";
inline constexpr const char* kManifestFile = "manifest.json";
inline constexpr const char* kSignatureFile = "manifest.sig";
inline constexpr const char* kAnswersFile = "answers.jsonl";
inline constexpr std::size_t kBundleBatchAnswers = 1000;
inline constexpr std::size_t kMaxManifestBytes = 64 * 1024;

inline constexpr const char* kEnrolFormat = "tenpoint-enrol/1";
inline constexpr const char* kEnrolReplyFormat = "tenpoint-enrol-reply/1";
inline constexpr const char* kEnrolFile = "enrol.json";
inline constexpr const char* kEnrolReplyFile = "enrol-reply.json";
inline constexpr std::size_t kMaxEnrolFileBytes = 16 * 1024;

// ---- SHA-256 as the bytes go by ----------------------------------------------
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  std::string hex();  // 64 lowercase hex digits; ends the hash

 private:
  crypto_hash_sha256_state state_;
};

// ---- The answers bundle -----------------------------------------------------------
struct FileEntry {
  std::string name;
  std::uint64_t bytes = 0;
  std::string sha256;  // hex
};

struct Manifest {
  std::string device_key;  // base64 of the kiosk's Ed25519 public key
  std::string venue;       // as the kiosk knows it: for people; the server goes by the key
  std::int64_t made_at = 0;
  std::int64_t answers = 0;
  std::int64_t batches = 0;                  // lines of answers.jsonl
  std::int64_t first_seq = 0, last_seq = 0;  // the kiosk's answer numbers (0 and 0: no answers)
  std::vector<FileEntry> files;
};

std::string encode_manifest(const Manifest& m);
std::variant<Manifest, std::string> decode_manifest(std::string_view text);
// What manifest.sig signs.
std::string manifest_message(std::string_view manifest_text);
// manifest.sig's text for `manifest_text`.
std::string sign_manifest(std::string_view manifest_text, const DeviceKey& key);
// The signature in `signature_text` (manifest.sig) is by `public_key` (32 raw bytes).
bool manifest_signed_by(std::string_view manifest_text, std::string_view signature_text, std::string_view public_key);
// The id of line `index` (from 0) of a bundle: unique per kiosk and bundle.
std::string bundle_batch_id(const Manifest& m, std::int64_t index);

// ---- Offline enrolment ------------------------------------------------------------
struct EnrolFile {
  std::string venue;
  std::string code;
  std::int64_t expires_at = 0;
  std::string set_key;  // base64 of the server's question-set key; empty: it signs none
};
std::string encode_enrol_file(const EnrolFile& e);
std::variant<EnrolFile, std::string> decode_enrol_file(std::string_view text);

struct EnrolReply {
  std::string code;
  std::string kiosk_name;
  std::string device_key;  // base64
  std::int64_t made_at = 0;
};
// The reply file's text, signed by `key` (whose public half it names).
std::string encode_enrol_reply(const EnrolReply& reply, const DeviceKey& key);
// The reply, once its signature checks out under the key it names.
std::variant<EnrolReply, std::string> open_enrol_reply(std::string_view text);

}  // namespace tp::bundle
