// Secrets the server hands out or checks: enrolment codes, device ids, and
// the hashes it keeps instead of the secrets themselves.
//
// Why codes are hashed with a key and tokens are not: a token carries 256
// random bits, so its plain hash cannot be searched. A code carries 60 bits
// (12 characters a person can type), and 2^60 BLAKE2b hashes are within
// reach of someone holding a copy of the database (a backup, a PostgreSQL
// dump). Keyed with a secret kept outside the database (code_key_file.h),
// a stored code hash tells nothing to someone without the key.
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tp::server {

std::string new_enrol_code();                          // "ABCD-EFGH-JKMN": no 0/O or 1/I to misread
std::string normalise_code(const std::string& typed);  // upper case, no dashes or spaces
// BLAKE2b-256 without a key, hex: for device tokens, and for enrolment codes
// made before code hashes were keyed (schema 2 and earlier).
std::string secret_hash(const std::string& secret);
std::string new_device_id();  // "kiosk-" and 12 hex digits

// The key enrolment-code hashes are made with: 32 random bytes.
class CodeKey {
 public:
  static constexpr std::size_t kBytes = 32;
  static CodeKey generate();
  // The key file's text: 64 hex digits. nullopt for anything else.
  static std::optional<CodeKey> from_hex(std::string_view hex);
  std::string hex() const;
  // BLAKE2b-256 keyed with this key, hex, of an enrolment code as typed.
  std::string code_hash(const std::string& typed_code) const;
  // What a database records to recognise this key later without holding
  // it: the keyed hash of a fixed text that no code hashes to.
  std::string check_value() const;

 private:
  std::string keyed_hash(std::string_view message) const;
  std::array<unsigned char, kBytes> bytes_{};
};

// An enrolment code as the stores look it up: by its keyed hash, and, for
// codes made before hashes were keyed (marked so by the schema 3
// migration), by its unkeyed hash, until they expire.
struct CodeHashes {
  std::string keyed;
  std::string unkeyed;
};
CodeHashes code_hashes(const CodeKey& key, const std::string& typed_code);

}  // namespace tp::server
