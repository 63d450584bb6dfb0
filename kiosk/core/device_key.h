// The kiosk's own Ed25519 key. It signs what the kiosk hands the server by
// hand: the answers bundle of a USB export (bundle.h) and the reply to an
// offline enrolment. The server learns its public half at enrolment (over
// the network, or in that reply) and trusts a bundle only under it.
//
// Invariants:
//   1. Made once, as DATA_DIR/device.key: the base64 of libsodium's 64-byte
//      Ed25519 secret key (which holds the public half) and a newline, mode
//      0600, written aside and linked into place (private_file.h). It is
//      never replaced: a new key would orphan the kiosk at the server.
//   2. A file that others can read, or that is not such a key, is refused
//      with words that say what is wrong; it is never overwritten.
//   3. The secret never leaves the file but as signatures.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "status.h"

namespace tp {

inline constexpr const char* kDeviceKeyFile = "device.key";

struct DeviceKey {
  std::string public_key;  // 32 raw bytes
  std::string secret_key;  // 64 raw bytes

  std::string public_base64() const;
  // The detached signature (64 raw bytes) of `message`.
  std::string sign(std::string_view message) const;
};

// The kiosk's key in `data_dir`, or nullopt when it has none yet.
Result<std::optional<DeviceKey>> load_device_key(const std::string& data_dir);
// The kiosk's key, made first when it has none (invariant 1).
Result<DeviceKey> load_or_make_device_key(const std::string& data_dir);

// `signature` (64 raw bytes) is `message` signed by `public_key` (32 raw bytes).
bool verify_signature(std::string_view message, std::string_view signature, std::string_view public_key);

}  // namespace tp
