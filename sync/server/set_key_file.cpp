// The question-set signing key's file and its check against the database; see set_key_file.h.
#include "set_key_file.h"

#include <optional>
#include <stdexcept>

#include "private_file.h"

namespace tp::server {

namespace {

constexpr std::size_t kMaxKeyFileBytes = 512;  // the key takes 89; anything much longer is some other file

// A key pair from the file's secret key. libsodium's Ed25519 secret key is
// the seed followed by the public key; a test signature shows the two belong
// together (a damaged file does not pass).
std::optional<SetSigningKeys> keys_from_secret(const std::string& secret) {
  if (secret.size() != kSetSecretKeyBytes) return std::nullopt;
  SetSigningKeys keys{secret.substr(kSetSecretKeyBytes - kSetPublicKeyBytes), secret};
  auto probe = sign_set("{}", 1, keys.secret_key);
  if (!probe) return std::nullopt;
  OpenedSignedSet opened = open_signed_set(*probe, keys.public_key, 0);
  if (opened.refusal != SetRefusal::invalid_set) return std::nullopt;  // "{}" is no set: anything earlier is a bad key
  return keys;
}

SetSigningKeys parse_key(const std::string& text, const std::string& path) {
  std::optional<std::string> secret = decode_base64(text);
  std::optional<SetSigningKeys> keys = secret ? keys_from_secret(*secret) : std::nullopt;
  if (!keys)
    throw std::runtime_error("Unable to use the question-set signing key " + path +
                             ": it does not hold a key. Put back the file this server made, from where you keep a copy of it or from "
                             "another server that shares this database");
  return *keys;
}

// nullopt: there is no file. Throws when there is one that cannot be used.
std::optional<SetSigningKeys> read_key(const std::string& path) {
  auto text = read_private_file(path, "question-set signing key", kMaxKeyFileBytes);
  if (!text) return std::nullopt;
  return parse_key(*text, path);
}

// A new key in a new file (invariant 4), or the key of a process that made the file first.
SetSigningKeys make_key(const std::string& dir, const std::string& path) {
  SetSigningKeys keys = make_set_signing_keys();
  if (keys.secret_key.size() != kSetSecretKeyBytes)
    throw std::runtime_error("Unable to make a question-set signing key: libsodium did not start");
  return parse_key(
      create_private_file_once(dir, kSetKeyFileName, encode_base64(keys.secret_key) + "\n", "question-set signing key", kMaxKeyFileBytes),
      path);
}

std::string database_name(const StoreLocation& where) {
  return where.postgres() ? describe_store(where) : "the database " + where.data_dir + "/server.db";
}

}  // namespace

std::string set_signing_key_path(const std::string& secrets_dir) { return secrets_dir + "/" + kSetKeyFileName; }

SetSigningKeys open_set_signing_key(ServerStore& store, const StoreLocation& where) {
  if (where.secrets().empty())
    throw std::runtime_error(
        "Say where the server keeps its keys: --secrets DIR. Every server that shares this PostgreSQL database needs "
        "the same set-signing.key file there");
  const std::string path = set_signing_key_path(where.secrets());
  auto recorded = store.set_key_check();
  if (!recorded) throw std::runtime_error(recorded.message());
  std::optional<std::string> check = *recorded;
  std::optional<SetSigningKeys> keys = read_key(path);
  if (!keys && check)
    throw std::runtime_error("No question-set signing key at " + path + ", but kiosks of " + database_name(where) +
                             " trust one. Put that set-signing.key file back (mode 0600): from where you keep a copy of it, or from "
                             "another server that shares this database");
  if (!keys) keys = make_key(where.secrets(), path);
  const std::string public_key = encode_base64(keys->public_key);
  if (!check) {
    // Servers starting at once on a database without one: the first to record wins.
    auto now_recorded = store.record_set_key_check(public_key);
    if (!now_recorded) throw std::runtime_error(now_recorded.message());
    check = *now_recorded;
  }
  if (*check != public_key)
    throw std::runtime_error("The question-set signing key in " + path + " does not match " + database_name(where) +
                             ": its kiosks trust another key. Use the set-signing.key file of the server that made it (servers that "
                             "share a database share this file)");
  return *keys;
}

}  // namespace tp::server
