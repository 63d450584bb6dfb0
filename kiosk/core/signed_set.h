// Signed question sets (`tenpoint-signed-set/1`): the one definition of the
// file the central server signs and every kiosk checks. The format is
// documented in config/questions/SIGNED.md.
//
// A .tpset file is a JSON object:
//   {"format": "tenpoint-signed-set/1", "serial": 42, "set": "<base64 of the set's bytes>",
//    "key": "<base64 of the signer's Ed25519 public key>", "signature": "<base64 of the signature>"}
// and the signed message is
//   "tenpoint-signed-set/1\n" + decimal(serial) + "\n" + set bytes
// so that neither the serial nor the set can be moved to another file.
//
// Invariants:
//   1. open_signed_set() returns a set only when every check passed, in this
//      order: size, JSON shape, a signature present, the signer's key is the
//      trusted one, the signature verifies with the trusted key, the serial
//      is newer than the one in use, the set inside is valid by the kiosk's
//      own rules. The first check that fails is the refusal reported.
//   2. Trust comes from the trusted key alone: the file's "key" only lets a
//      refusal say "signed by another key" rather than "changed after signing".
//   3. Nothing here throws or touches the file system; a refusal is a value
//      with a kind (for code) and words (for people).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "question_set.h"
#include "status.h"

namespace tp {

inline constexpr std::string_view kSignedSetFormat = "tenpoint-signed-set/1";
inline constexpr std::size_t kSetPublicKeyBytes = 32;  // Ed25519
inline constexpr std::size_t kSetSecretKeyBytes = 64;  // libsodium's Ed25519 secret key (seed and public key)
inline constexpr std::size_t kSetSignatureBytes = 64;
// The set inside may be as large as the JSON reader accepts a document.
inline constexpr std::size_t kMaxSetBytes = 4 * 1024 * 1024;  // 4 MiB
// Base64 makes the set a third larger; the rest of the file is under 1 KiB.
inline constexpr std::size_t kMaxSignedSetFileBytes = 6 * 1024 * 1024;  // 6 MiB
// Serials travel as JSON numbers: every whole number up to 2^53 - 1 is exact.
inline constexpr std::int64_t kMaxSetSerial = 9'007'199'254'740'991;

// Standard base64 with padding (RFC 4648 section 4), as libsodium's
// sodium_base64_VARIANT_ORIGINAL writes and reads it.
std::string encode_base64(std::string_view bytes);
// nullopt unless the whole text is standard, padded base64.
std::optional<std::string> decode_base64(std::string_view text);

struct SetSigningKeys {
  std::string public_key;  // kSetPublicKeyBytes raw bytes
  std::string secret_key;  // kSetSecretKeyBytes raw bytes
};
// A fresh Ed25519 key pair (the server makes one once; tests make their own).
SetSigningKeys make_set_signing_keys();
// The 32 raw bytes of a base64 public key ("trusted_set_key", set-key.pub),
// surrounding white space ignored; nullopt when it is not one.
std::optional<std::string> decode_set_public_key(std::string_view base64);

// The text of a .tpset file for `set_bytes` (the exact bytes of a question-set
// file) under `serial`. It does not check the set: the server validates it
// with parse_question_set() first. Fails on a serial outside 1..kMaxSetSerial,
// a secret key of the wrong size, or a set larger than kMaxSetBytes.
Result<std::string> sign_set(std::string_view set_bytes, std::int64_t serial, std::string_view secret_key);

enum class SetRefusal {
  unreadable,      // the file cannot be read (missing, no permission, an I/O error): said apart from a bad file
  malformed,       // not a signed set: not JSON, another format, a field missing or of the wrong kind, bad base64
  too_large,       // the file or the set inside is over its limit
  unsigned_set,    // no signature at all
  no_trusted_key,  // this kiosk has no key to check signatures with
  wrong_key,       // signed, but by another key than the trusted one
  tampered,        // the signature does not match the serial and set
  not_newer,       // the serial is not above the one in use: replayed or older
  invalid_set,     // signed and new, but the set inside breaks the question-set rules
};
// "malformed", "too_large", ...: for logs and tests.
const char* refusal_name(SetRefusal refusal);

struct SignedSet {
  QuestionSet set;
  std::int64_t serial = 0;
  std::string set_bytes;  // the question-set file exactly as signed
};

struct OpenedSignedSet {
  std::optional<SignedSet> opened;
  SetRefusal refusal = SetRefusal::malformed;  // when not opened
  std::string reason;                          // when not opened: words a person can act on
  std::vector<Problem> problems;               // invalid_set: the validator's messages, LINE:COLUMN within the set
  std::int64_t serial = 0;                     // the file's serial once it was read (0 before)

  explicit operator bool() const { return opened.has_value(); }
};

// How the serial is compared with the current one.
enum class SerialRule {
  newer,          // a delivery: above the current serial (equal is a replay)
  same_or_newer,  // the kiosk re-opening the set it has already accepted
};

// ---- the envelope, for any signed document ----
// The same signed envelope carries other documents the server signs with the
// same key (read-back cards, readback.h). Each kind has its own format
// string, which the signature covers, so no signed file of one kind is ever
// accepted as another.
struct SignedKind {
  std::string_view format;       // "tenpoint-signed-set/1"
  std::string_view payload_key;  // the member holding the payload: "set"
  std::string_view noun;         // in refusals: "question set"
  std::string_view short_noun;   // "set"
};
inline constexpr SignedKind kSignedSetKind{kSignedSetFormat, "set", "question set", "set"};

// The file text of `payload` (at most kMaxSetBytes) signed under `serial`.
Result<std::string> sign_payload(const SignedKind& kind, std::string_view payload, std::int64_t serial, std::string_view secret_key);

struct OpenedPayload {
  std::optional<std::string> payload;  // the signed bytes, when every check passed
  SetRefusal refusal = SetRefusal::malformed;
  std::string reason;
  std::int64_t serial = 0;
};
// Every check of open_signed_set() but the last (what the payload says).
OpenedPayload open_signed_payload(const SignedKind& kind, std::string_view file_text, std::string_view trusted_public_key,
                                  std::int64_t current_serial, SerialRule rule = SerialRule::newer);

// Checks `file_text` against `trusted_public_key` (32 raw bytes; empty when
// the kiosk has none) and returns the set, or the first refusal (invariant 1).
// `current_serial` is the highest serial accepted so far (0: none yet).
OpenedSignedSet open_signed_set(std::string_view file_text, std::string_view trusted_public_key, std::int64_t current_serial,
                                SerialRule rule = SerialRule::newer);

}  // namespace tp
