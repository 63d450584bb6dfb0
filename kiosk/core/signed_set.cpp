// Signed question sets. The format and the order of the checks are in signed_set.h.
#include "signed_set.h"

#include <sodium.h>

#include "json.h"

namespace tp {

namespace {

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// The bytes the signature covers: the format, the serial and the payload,
// so that a serial cannot be moved onto another payload or another format.
std::string signed_message(std::string_view format, std::int64_t serial, std::string_view payload) {
  std::string message;
  message.reserve(format.size() + 24 + payload.size());
  message.append(format);
  message += '\n';
  message += std::to_string(serial);
  message += '\n';
  message.append(payload);
  return message;
}

// The outer object is small and flat; only "set" holds a long string.
json::Limits outer_limits() {
  json::Limits l;
  l.max_depth = 2;
  l.max_string_bytes = kMaxSignedSetFileBytes;
  l.max_input_bytes = kMaxSignedSetFileBytes;
  l.max_members = 16;
  l.max_items = 16;
  l.max_nodes = 64;
  return l;
}

std::string at(const json::Value& v) { return "line " + std::to_string(v.where.line) + ", column " + std::to_string(v.where.column); }

std::string mib(std::size_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

OpenedPayload refuse(SetRefusal kind, std::string reason, std::int64_t serial = 0) {
  OpenedPayload r;
  r.refusal = kind;
  r.reason = std::move(reason);
  r.serial = serial;
  return r;
}

}  // namespace

std::string encode_base64(std::string_view bytes) {
  const int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), variant);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  if (end != text.data() + text.size()) return std::nullopt;  // stopped early: not base64 to the end
  out.resize(length);
  return out;
}

SetSigningKeys make_set_signing_keys() {
  SetSigningKeys keys;
  if (!sodium_ready()) return keys;
  keys.public_key.resize(crypto_sign_PUBLICKEYBYTES);
  keys.secret_key.resize(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(reinterpret_cast<unsigned char*>(keys.public_key.data()), reinterpret_cast<unsigned char*>(keys.secret_key.data()));
  return keys;
}

std::optional<std::string> decode_set_public_key(std::string_view base64) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!base64.empty() && blank(base64.front())) base64.remove_prefix(1);
  while (!base64.empty() && blank(base64.back())) base64.remove_suffix(1);
  std::optional<std::string> key = decode_base64(base64);
  if (!key || key->size() != kSetPublicKeyBytes) return std::nullopt;
  return key;
}

Result<std::string> sign_payload(const SignedKind& kind, std::string_view payload, std::int64_t serial, std::string_view secret_key) {
  static_assert(crypto_sign_PUBLICKEYBYTES == kSetPublicKeyBytes && crypto_sign_SECRETKEYBYTES == kSetSecretKeyBytes &&
                crypto_sign_BYTES == kSetSignatureBytes);
  if (serial < 1 || serial > kMaxSetSerial)
    return Status::failure(Fault::invalid_input, "Unable to sign: the serial must be from 1 to " + std::to_string(kMaxSetSerial));
  if (secret_key.size() != kSetSecretKeyBytes)
    return Status::failure(Fault::invalid_input,
                           "Unable to sign: an Ed25519 secret key is " + std::to_string(kSetSecretKeyBytes) + " bytes");
  if (payload.size() > kMaxSetBytes)
    return Status::failure(Fault::invalid_input, "Unable to sign: the " + std::string(kind.noun) + " is larger than " + mib(kMaxSetBytes));
  if (!sodium_ready()) return Status::failure(Fault::invalid_input, "Unable to sign: libsodium did not start");
  std::string message = signed_message(kind.format, serial, payload);
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr, bytes_of(message), message.size(),
                       bytes_of(secret_key));
  std::string public_key(crypto_sign_PUBLICKEYBYTES, '\0');
  crypto_sign_ed25519_sk_to_pk(reinterpret_cast<unsigned char*>(public_key.data()), bytes_of(secret_key));
  // One member per line: a person reading the file sees its serial at once.
  return "{\"format\": \"" + std::string(kind.format) + "\",\n \"serial\": " + std::to_string(serial) + ",\n \"" +
         std::string(kind.payload_key) + "\": \"" + encode_base64(payload) + "\",\n \"key\": \"" + encode_base64(public_key) +
         "\",\n \"signature\": \"" + encode_base64(signature) + "\"}\n";
}

Result<std::string> sign_set(std::string_view set_bytes, std::int64_t serial, std::string_view secret_key) {
  return sign_payload(kSignedSetKind, set_bytes, serial, secret_key);
}

const char* refusal_name(SetRefusal refusal) {
  switch (refusal) {
    case SetRefusal::unreadable:
      return "unreadable";
    case SetRefusal::malformed:
      return "malformed";
    case SetRefusal::too_large:
      return "too_large";
    case SetRefusal::unsigned_set:
      return "unsigned";
    case SetRefusal::no_trusted_key:
      return "no_trusted_key";
    case SetRefusal::wrong_key:
      return "wrong_key";
    case SetRefusal::tampered:
      return "tampered";
    case SetRefusal::not_newer:
      return "not_newer";
    case SetRefusal::invalid_set:
      return "invalid_set";
  }
  return "?";
}

OpenedPayload open_signed_payload(const SignedKind& kind, std::string_view file_text, std::string_view trusted_public_key,
                                  std::int64_t current_serial, SerialRule rule) {
  using json::Value;
  const std::string noun(kind.noun), short_noun(kind.short_noun), key_name(kind.payload_key);
  const std::string not_one = "not a signed " + noun + ": ";
  if (file_text.size() > kMaxSignedSetFileBytes)
    return refuse(SetRefusal::too_large,
                  "the file is larger than a signed " + short_noun + " may be (" + mib(kMaxSignedSetFileBytes) + ")");
  json::ParseResult parsed = json::parse(file_text, outer_limits());
  if (!parsed.ok)
    return refuse(SetRefusal::malformed, not_one + "line " + std::to_string(parsed.error_at.line) + ", column " +
                                             std::to_string(parsed.error_at.column) + ": " + parsed.error);
  const Value& root = parsed.value;
  if (!root.is(Value::Type::object)) return refuse(SetRefusal::malformed, not_one + "it is not a JSON object");
  const Value* format = root.find("format");
  if (!format || !format->is(Value::Type::string) || format->string != kind.format)
    return refuse(SetRefusal::malformed, not_one + "\"format\" is not \"" + std::string(kind.format) + "\"");
  for (const auto& [key, value] : root.members)
    if (key != "format" && key != "serial" && key != key_name && key != "key" && key != "signature")
      return refuse(SetRefusal::malformed, not_one + "unknown key \"" + key + "\" at " + at(value));

  const Value* serial_value = root.find("serial");
  if (!serial_value || !serial_value->is(Value::Type::number) || !serial_value->is_integer || serial_value->number < 1 ||
      serial_value->number > static_cast<double>(kMaxSetSerial))
    return refuse(SetRefusal::malformed, not_one + "\"serial\" must be a whole number from 1 to " + std::to_string(kMaxSetSerial));
  const std::int64_t serial = static_cast<std::int64_t>(serial_value->number);

  const Value* payload_value = root.find(key_name);
  if (!payload_value || !payload_value->is(Value::Type::string))
    return refuse(SetRefusal::malformed, not_one + "\"" + key_name + "\" (the " + noun + " in base64) is missing", serial);
  if (payload_value->string.size() > (kMaxSetBytes + 2) / 3 * 4)
    return refuse(SetRefusal::too_large, "the " + noun + " inside is larger than " + mib(kMaxSetBytes), serial);
  std::optional<std::string> payload = decode_base64(payload_value->string);
  if (!payload) return refuse(SetRefusal::malformed, not_one + "\"" + key_name + "\" is not base64 (" + at(*payload_value) + ")", serial);
  if (payload->size() > kMaxSetBytes)
    return refuse(SetRefusal::too_large, "the " + noun + " inside is larger than " + mib(kMaxSetBytes), serial);

  const Value* signature_value = root.find("signature");
  if (!signature_value || signature_value->is(Value::Type::null) ||
      (signature_value->is(Value::Type::string) && signature_value->string.empty()))
    return refuse(SetRefusal::unsigned_set, "it is not signed", serial);
  std::optional<std::string> signature;
  if (signature_value->is(Value::Type::string)) signature = decode_base64(signature_value->string);
  if (!signature || signature->size() != kSetSignatureBytes)
    return refuse(SetRefusal::malformed,
                  not_one + "\"signature\" is not the base64 of a " + std::to_string(kSetSignatureBytes) + "-byte signature", serial);
  const Value* key_value = root.find("key");
  std::optional<std::string> key;
  if (key_value && key_value->is(Value::Type::string)) key = decode_base64(key_value->string);
  if (!key || key->size() != kSetPublicKeyBytes)
    return refuse(SetRefusal::malformed,
                  not_one + "\"key\" is not the base64 of a " + std::to_string(kSetPublicKeyBytes) + "-byte public key", serial);

  if (trusted_public_key.size() != kSetPublicKeyBytes)
    return refuse(SetRefusal::no_trusted_key, "this kiosk has no key to check signatures with", serial);
  if (!sodium_ready()) return refuse(SetRefusal::no_trusted_key, "libsodium did not start, so no signature can be checked", serial);
  // Not secret, but compared in constant time all the same: it costs nothing.
  if (sodium_memcmp(key->data(), trusted_public_key.data(), kSetPublicKeyBytes) != 0)
    return refuse(SetRefusal::wrong_key, "signed by another key", serial);
  std::string message = signed_message(kind.format, serial, *payload);
  if (crypto_sign_verify_detached(bytes_of(*signature), bytes_of(message), message.size(), bytes_of(trusted_public_key)) != 0)
    return refuse(SetRefusal::tampered, "the signature does not match: the file was changed after it was signed", serial);

  if (serial == current_serial && rule == SerialRule::newer)
    return refuse(SetRefusal::not_newer, "replayed: serial " + std::to_string(serial) + " is the " + short_noun + " already accepted",
                  serial);
  if (serial < current_serial)
    return refuse(SetRefusal::not_newer,
                  "older than the " + short_noun + " already accepted (serial " + std::to_string(serial) + ", accepted " +
                      std::to_string(current_serial) + ")",
                  serial);
  OpenedPayload r;
  r.serial = serial;
  r.payload = std::move(*payload);
  return r;
}

OpenedSignedSet open_signed_set(std::string_view file_text, std::string_view trusted_public_key, std::int64_t current_serial,
                                SerialRule rule) {
  OpenedPayload p = open_signed_payload(kSignedSetKind, file_text, trusted_public_key, current_serial, rule);
  if (!p.payload) {
    OpenedSignedSet r;
    r.refusal = p.refusal;
    r.reason = std::move(p.reason);
    r.serial = p.serial;
    return r;
  }
  const std::int64_t serial = p.serial;
  std::optional<std::string> set_bytes = std::move(p.payload);
  LoadResult loaded = parse_question_set(*set_bytes);
  if (!loaded.set) {
    if (loaded.problems.empty()) loaded.problems.push_back({0, 0, "it could not be read"});
    OpenedSignedSet r;
    r.refusal = SetRefusal::invalid_set;
    r.serial = serial;
    const Problem& first = loaded.problems.front();
    r.reason = "the question set inside is invalid: ";
    if (first.line > 0) r.reason += std::to_string(first.line) + ":" + std::to_string(first.column) + ": ";
    r.reason += first.message;
    if (loaded.problems.size() > 1) r.reason += " (and " + std::to_string(loaded.problems.size() - 1) + " more)";
    r.problems = std::move(loaded.problems);
    return r;
  }
  OpenedSignedSet r;
  r.serial = serial;
  r.opened = SignedSet{std::move(*loaded.set), serial, std::move(*set_bytes)};
  return r;
}

}  // namespace tp
