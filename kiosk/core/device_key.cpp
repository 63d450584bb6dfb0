// The kiosk's Ed25519 key (device_key.h).
#include "device_key.h"

#include <sodium.h>

#include <stdexcept>

#include "private_file.h"
#include "signed_set.h"

namespace tp {

namespace {

constexpr std::size_t kMaxKeyFileBytes = 1024;

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

Result<DeviceKey> parse_key(const std::string& text, const std::string& path) {
  auto secret = decode_base64(text);
  if (!secret || secret->size() != crypto_sign_SECRETKEYBYTES)
    return Status::failure(Fault::invalid_input, path +
                                                     " is not a device key (the base64 of a 64-byte Ed25519 secret key). It is left as it "
                                                     "is: move it aside only if this kiosk may be enrolled again as a new kiosk.");
  DeviceKey key;
  key.secret_key = *secret;
  key.public_key.assign(crypto_sign_PUBLICKEYBYTES, '\0');
  crypto_sign_ed25519_sk_to_pk(reinterpret_cast<unsigned char*>(key.public_key.data()), bytes_of(key.secret_key));
  return key;
}

std::string key_path(const std::string& data_dir) { return data_dir + "/" + kDeviceKeyFile; }

}  // namespace

std::string DeviceKey::public_base64() const { return encode_base64(public_key); }

std::string DeviceKey::sign(std::string_view message) const {
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr, bytes_of(message), message.size(),
                       bytes_of(secret_key));
  return signature;
}

Result<std::optional<DeviceKey>> load_device_key(const std::string& data_dir) {
  if (sodium_init() < 0) return Status::failure(Fault::storage_unavailable, "libsodium could not start");
  try {
    auto text = read_private_file(key_path(data_dir), "device key", kMaxKeyFileBytes);
    if (!text) return std::optional<DeviceKey>();
    auto key = parse_key(*text, key_path(data_dir));
    if (!key) return key.status();
    return std::optional<DeviceKey>(std::move(*key));
  } catch (const std::exception& e) {
    return Status::failure(Fault::storage_unavailable, e.what());
  }
}

Result<DeviceKey> load_or_make_device_key(const std::string& data_dir) {
  auto existing = load_device_key(data_dir);
  if (!existing) return existing.status();
  if (*existing) return std::move(**existing);
  try {
    std::string secret(crypto_sign_SECRETKEYBYTES, '\0'), pub(crypto_sign_PUBLICKEYBYTES, '\0');
    crypto_sign_keypair(reinterpret_cast<unsigned char*>(pub.data()), reinterpret_cast<unsigned char*>(secret.data()));
    std::string text = create_private_file_once(data_dir, kDeviceKeyFile, encode_base64(secret) + "\n", "device key", kMaxKeyFileBytes);
    sodium_memzero(secret.data(), secret.size());
    return parse_key(text, key_path(data_dir));  // another process's key, when it made one first
  } catch (const std::exception& e) {
    return Status::failure(Fault::storage_unavailable, e.what());
  }
}

bool verify_signature(std::string_view message, std::string_view signature, std::string_view public_key) {
  if (sodium_init() < 0 || signature.size() != crypto_sign_BYTES || public_key.size() != crypto_sign_PUBLICKEYBYTES) return false;
  return crypto_sign_verify_detached(bytes_of(signature), bytes_of(message), message.size(), bytes_of(public_key)) == 0;
}

}  // namespace tp
