// Staff PINs are kept only as Argon2id hashes (libsodium's crypto_pwhash_str).
#pragma once
#include <optional>
#include <string>

namespace tp {

// Checks a typed staff PIN (Argon2id below; a fixed PIN in tests).
class PinChecker {
 public:
  virtual ~PinChecker() = default;
  virtual bool verify(const std::string& pin) = 0;
};

// An Argon2id string for `pin`, or nullopt when the PIN is not 4 to 8 digits
// or hashing failed (out of memory).
std::optional<std::string> hash_pin(const std::string& pin);
bool pin_is_well_formed(const std::string& pin);

class Argon2PinChecker final : public PinChecker {
 public:
  explicit Argon2PinChecker(std::string hash) : hash_(std::move(hash)) {}
  bool verify(const std::string& pin) override;
  bool configured() const { return !hash_.empty(); }
  // A config reload brings a new hash; the visit keeps a reference to this
  // checker, so the checker changes in place.
  void set_hash(std::string hash) { hash_ = std::move(hash); }

 private:
  std::string hash_;
};

}  // namespace tp
