// The files a kiosk and a server hand each other by hand (bundle.h).
#include "bundle.h"

#include <stdexcept>

#include "json.h"
#include "signed_set.h"

namespace tp::bundle {

namespace {

using json::Value;
using Type = Value::Type;

struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const Value& field(const Value& obj, std::string_view key, Type type) {
  const Value* v = obj.find(key);
  if (!v) throw Bad(std::string(key) + " is missing");
  if (v->type != type) throw Bad(std::string(key) + " must be " + json::type_name(type) + ", not " + json::type_name(v->type));
  return *v;
}

std::string text(const Value& obj, std::string_view key, std::size_t max_bytes, bool allow_empty = false) {
  const std::string& s = field(obj, key, Type::string).string;
  if ((!allow_empty && s.empty()) || s.size() > max_bytes)
    throw Bad(std::string(key) + " must be " + (allow_empty ? "0" : "1") + " to " + std::to_string(max_bytes) + " bytes");
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) throw Bad(std::string(key) + " must not contain control characters");
  return s;
}

std::int64_t number(const Value& obj, std::string_view key, std::int64_t lo = 0, std::int64_t hi = (std::int64_t{1} << 53) - 1) {
  const Value& v = field(obj, key, Type::number);
  if (!v.is_integer || v.number < static_cast<double>(lo) || v.number > static_cast<double>(hi))
    throw Bad(std::string(key) + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<std::int64_t>(v.number);
}

std::string public_key(const Value& obj, std::string_view key) {
  std::string k = text(obj, key, 44);
  if (!wire::is_public_key_base64(k)) throw Bad(std::string(key) + " must be the base64 of a 32-byte Ed25519 public key");
  return k;
}

void check_format(const Value& root, const char* format) {
  if (text(root, "format", 64) != format)
    throw Bad(std::string("this is not a ") + format + " file (format is \"" + root.find("format")->string + "\")");
}

template <class T, class F>
std::variant<T, std::string> decode(std::string_view body, std::size_t max_bytes, F&& read) {
  if (body.size() > max_bytes) return "the file is larger than " + std::to_string(max_bytes) + " bytes";
  json::Limits limits;
  limits.max_input_bytes = max_bytes;
  limits.max_depth = 4;
  json::ParseResult parsed = json::parse(body, limits);
  if (!parsed.ok)
    return "not JSON: line " + std::to_string(parsed.error_at.line) + ", column " + std::to_string(parsed.error_at.column) + ": " +
           parsed.error;
  if (parsed.value.type != Type::object) return std::string("the file must hold a JSON object");
  try {
    return read(parsed.value);
  } catch (const Bad& b) {
    return std::string(b.what());
  }
}

std::string enrol_reply_body(const EnrolReply& r) {
  return "{\"code\":" + json::quote(r.code) + ",\"kiosk_name\":" + json::quote(r.kiosk_name) +
         ",\"device_key\":" + json::quote(r.device_key) + ",\"made_at\":" + std::to_string(r.made_at) + "}";
}

std::string enrol_reply_message(std::string_view body) { return std::string(kEnrolReplyFormat) + "\n" + std::string(body); }

}  // namespace

// ---- SHA-256 ----

Sha256::Sha256() { crypto_hash_sha256_init(&state_); }

void Sha256::update(std::string_view bytes) {
  crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string Sha256::hex() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_, digest);
  char out[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(out, sizeof out, digest, sizeof digest);
  return out;
}

// ---- The answers bundle ----

std::string encode_manifest(const Manifest& m) {
  std::string out = "{\n  \"format\": " + json::quote(kBundleFormat) + ",\n  \"device_key\": " + json::quote(m.device_key) +
                    ",\n  \"venue\": " + json::quote(m.venue) + ",\n  \"made_at\": " + std::to_string(m.made_at) +
                    ",\n  \"answers\": " + std::to_string(m.answers) + ",\n  \"batches\": " + std::to_string(m.batches) +
                    ",\n  \"first_seq\": " + std::to_string(m.first_seq) + ",\n  \"last_seq\": " + std::to_string(m.last_seq) +
                    ",\n  \"files\": [";
  for (std::size_t i = 0; i < m.files.size(); ++i) {
    const FileEntry& f = m.files[i];
    out += (i ? ",\n" : "\n");
    out += "    {\"name\": " + json::quote(f.name) + ", \"bytes\": " + std::to_string(f.bytes) + ", \"sha256\": " + json::quote(f.sha256) +
           "}";
  }
  out += "\n  ]\n}\n";
  return out;
}

std::variant<Manifest, std::string> decode_manifest(std::string_view text_in) {
  return decode<Manifest>(text_in, kMaxManifestBytes, [](const Value& root) {
    check_format(root, kBundleFormat);
    Manifest m;
    m.device_key = public_key(root, "device_key");
    m.venue = text(root, "venue", 256, true);
    m.made_at = number(root, "made_at");
    m.answers = number(root, "answers");
    m.batches = number(root, "batches");
    m.first_seq = number(root, "first_seq");
    m.last_seq = number(root, "last_seq");
    for (const Value& f : field(root, "files", Type::array).items) {
      if (f.type != Type::object) throw Bad("files must list objects");
      FileEntry e;
      e.name = text(f, "name", 64);
      if (e.name.find('/') != std::string::npos || e.name.find('\\') != std::string::npos || e.name == "." || e.name == "..")
        throw Bad("a file name in files must be a plain name: " + e.name);
      e.bytes = static_cast<std::uint64_t>(number(f, "bytes"));
      e.sha256 = text(f, "sha256", 64);
      if (e.sha256.size() != 64 || e.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
        throw Bad("the sha256 of " + e.name + " must be 64 lowercase hex digits");
      m.files.push_back(std::move(e));
    }
    return m;
  });
}

std::string manifest_message(std::string_view manifest_text) { return std::string(kBundleFormat) + "\n" + std::string(manifest_text); }

std::string sign_manifest(std::string_view manifest_text, const DeviceKey& key) {
  return encode_base64(key.sign(manifest_message(manifest_text))) + "\n";
}

bool manifest_signed_by(std::string_view manifest_text, std::string_view signature_text, std::string_view public_key_raw) {
  while (!signature_text.empty() && (signature_text.back() == '\n' || signature_text.back() == '\r' || signature_text.back() == ' '))
    signature_text.remove_suffix(1);
  auto signature = decode_base64(signature_text);
  return signature && verify_signature(manifest_message(manifest_text), *signature, public_key_raw);
}

std::string bundle_batch_id(const Manifest& m, std::int64_t index) {
  Sha256 h;
  h.update(m.device_key);
  return "usb-" + h.hex().substr(0, 16) + "-" + std::to_string(m.made_at) + "-" + std::to_string(index);
}

// ---- Offline enrolment ----

std::string encode_enrol_file(const EnrolFile& e) {
  return "{\n  \"format\": " + json::quote(kEnrolFormat) + ",\n  \"venue\": " + json::quote(e.venue) +
         ",\n  \"code\": " + json::quote(e.code) + ",\n  \"expires_at\": " + std::to_string(e.expires_at) +
         ",\n  \"set_key\": " + json::quote(e.set_key) + "\n}\n";
}

std::variant<EnrolFile, std::string> decode_enrol_file(std::string_view text_in) {
  return decode<EnrolFile>(text_in, kMaxEnrolFileBytes, [](const Value& root) {
    check_format(root, kEnrolFormat);
    EnrolFile e;
    e.venue = text(root, "venue", 128);
    e.code = text(root, "code", 64);
    e.expires_at = number(root, "expires_at");
    e.set_key = text(root, "set_key", 44, true);
    if (!e.set_key.empty() && !wire::is_public_key_base64(e.set_key))
      throw Bad("set_key must be the base64 of a 32-byte Ed25519 public key, or empty");
    return e;
  });
}

std::string encode_enrol_reply(const EnrolReply& reply, const DeviceKey& key) {
  EnrolReply r = reply;
  r.device_key = key.public_base64();
  const std::string body = enrol_reply_body(r);
  return "{\n  \"format\": " + json::quote(kEnrolReplyFormat) + ",\n  \"body\": " + json::quote(encode_base64(body)) +
         ",\n  \"signature\": " + json::quote(encode_base64(key.sign(enrol_reply_message(body)))) + "\n}\n";
}

std::variant<EnrolReply, std::string> open_enrol_reply(std::string_view text_in) {
  return decode<EnrolReply>(text_in, kMaxEnrolFileBytes, [](const Value& root) {
    check_format(root, kEnrolReplyFormat);
    auto body = decode_base64(text(root, "body", kMaxEnrolFileBytes));
    auto signature = decode_base64(text(root, "signature", 128));
    if (!body || !signature) throw Bad("body and signature must be base64");
    auto inner = decode<EnrolReply>(*body, kMaxEnrolFileBytes, [](const Value& b) {
      EnrolReply r;
      r.code = text(b, "code", 64);
      r.kiosk_name = text(b, "kiosk_name", 64, true);
      r.device_key = public_key(b, "device_key");
      r.made_at = number(b, "made_at");
      return r;
    });
    if (auto* why = std::get_if<std::string>(&inner)) throw Bad("the reply's body: " + *why);
    EnrolReply r = std::get<EnrolReply>(std::move(inner));
    if (!verify_signature(enrol_reply_message(*body), *signature, *decode_base64(r.device_key)))
      throw Bad("the reply's signature does not match its body and key: it was changed after the kiosk wrote it");
    return r;
  });
}

}  // namespace tp::bundle
