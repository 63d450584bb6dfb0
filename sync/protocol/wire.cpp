// Encoding and strict decoding of API v1 bodies.
#include "wire.h"

#include <algorithm>
#include <stdexcept>

#include "json.h"
#include "text.h"

namespace tp::wire {

namespace {

using json::Value;
using Type = Value::Type;

// ---- writing ----

class Writer {
 public:
  Writer& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  Writer& key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += json::quote(k);
    out_ += ':';
    return *this;
  }
  Writer& str(std::string_view k, std::string_view v) { return key(k).raw(json::quote(v)); }
  Writer& num(std::string_view k, std::int64_t v) { return key(k).raw(std::to_string(v)); }
  Writer& boolean(std::string_view k, bool v) { return key(k).raw(v ? "true" : "false"); }
  Writer& null(std::string_view k) { return key(k).raw("null"); }
  Writer& open(std::string_view k = {}) {
    if (!k.empty()) key(k);
    out_ += '{';
    first_ = true;
    return *this;
  }
  Writer& close() {
    out_ += '}';
    first_ = false;
    return *this;
  }
  std::string& out() { return out_; }
  void reset_first() { first_ = true; }

 private:
  std::string out_;
  bool first_ = true;
};

void write_answer(Writer& w, const StoredAnswer& s) {
  const Answer& a = s.answer;
  w.open();
  w.str("uuid", a.uuid).num("seq", s.seq).str("set_id", a.set_id).num("set_version", a.set_version);
  w.str("question_id", a.question_id).str("session_id", a.session_id);
  if (a.score)
    w.num("score", *a.score);
  else
    w.null("score");
  if (a.text)
    w.str("text", *a.text);
  else
    w.null("text");
  if (a.choice)
    w.str("choice", *a.choice);
  else
    w.null("choice");
  w.str("language", a.language).num("recorded_at", a.stamp.unix_seconds).boolean("clock_trusted", a.stamp.clock_trusted);
  w.str("boot_id", a.stamp.boot_id).num("monotonic_ms", a.stamp.monotonic_ms).boolean("rapid_repeat", a.rapid_repeat);
  w.close();
}

// ---- reading ----

struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const Value& field(const Value& obj, const std::string& path, std::string_view key, Type type) {
  const Value* v = obj.find(key);
  std::string name = path.empty() ? std::string(key) : path + "." + std::string(key);
  if (!v) throw Bad(name + " is missing");
  if (v->type != type) throw Bad(name + " must be " + json::type_name(type) + ", not " + json::type_name(v->type));
  return *v;
}

// Control characters (C0, DEL and C1) in an identifier would reach logs,
// terminals (`tenpoint-server status`) and web pages: refused outright.
bool has_control_character(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    // U+0080..U+009F are C2 80 .. C2 9F in UTF-8 (the parser has checked the encoding).
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

enum class Kind { identifier, free_text };

std::string text_field(const Value& obj, const std::string& path, std::string_view key, std::size_t max_chars, bool allow_empty = false,
                       Kind kind = Kind::identifier) {
  const Value& v = field(obj, path, key, Type::string);
  std::size_t n = count_code_points(v.string);
  std::string name = (path.empty() ? "" : path + ".") + std::string(key);
  if ((!allow_empty && n == 0) || n > max_chars)
    throw Bad(name + " must be " + (allow_empty ? "0" : "1") + " to " + std::to_string(max_chars) + " characters");
  if (kind == Kind::identifier && has_control_character(v.string)) throw Bad(name + " must not contain control characters");
  return v.string;
}

std::int64_t int_field(const Value& obj, const std::string& path, std::string_view key, std::int64_t lo, std::int64_t hi) {
  const Value& v = field(obj, path, key, Type::number);
  if (!v.is_integer || v.number < static_cast<double>(lo) || v.number > static_cast<double>(hi))
    throw Bad((path.empty() ? "" : path + ".") + std::string(key) + " must be a whole number from " + std::to_string(lo) + " to " +
              std::to_string(hi));
  return static_cast<std::int64_t>(v.number);
}

bool bool_field(const Value& obj, const std::string& path, std::string_view key) { return field(obj, path, key, Type::boolean).boolean; }

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

constexpr std::int64_t kMaxTime = 253402300799;  // 9999-12-31

StoredAnswer read_answer(const Value& v, const std::string& path) {
  if (v.type != Type::object) throw Bad(path + " must be an object");
  StoredAnswer s;
  Answer& a = s.answer;
  a.uuid = text_field(v, path, "uuid", 36);
  if (!is_uuid(a.uuid)) throw Bad(path + ".uuid must be a lower-case UUID such as 0f8c2d3e-...");
  s.seq = int_field(v, path, "seq", 0, INT64_MAX / 2);
  a.set_id = text_field(v, path, "set_id", 64);
  a.set_version = static_cast<int>(int_field(v, path, "set_version", 1, 1000000000));
  a.question_id = text_field(v, path, "question_id", 64);
  a.session_id = text_field(v, path, "session_id", 64);
  int values = 0;
  if (const Value* score = v.find("score"); score && score->type != Type::null) {
    a.score = static_cast<int>(int_field(v, path, "score", 0, 100));
    ++values;
  }
  if (const Value* text = v.find("text"); text && text->type != Type::null) {
    a.text = text_field(v, path, "text", kMaxTextChars, false, Kind::free_text);
    ++values;
  }
  if (const Value* choice = v.find("choice"); choice && choice->type != Type::null) {
    a.choice = text_field(v, path, "choice", 64);
    ++values;
  }
  if (values != 1) throw Bad(path + " must carry exactly one of score, text or choice");
  a.language = text_field(v, path, "language", 8);
  if (a.language.size() < 2 ||
      !std::all_of(a.language.begin(), a.language.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; }))
    throw Bad(path + ".language must be a language code such as \"en\" or \"cy\"");
  a.stamp.unix_seconds = int_field(v, path, "recorded_at", 0, kMaxTime);
  a.stamp.clock_trusted = bool_field(v, path, "clock_trusted");
  a.stamp.boot_id = text_field(v, path, "boot_id", 64);
  a.stamp.monotonic_ms = int_field(v, path, "monotonic_ms", 0, kMaxTime * 1000);
  a.rapid_repeat = bool_field(v, path, "rapid_repeat");
  return s;
}

template <class T, class F>
std::variant<T, std::string> decode(std::string_view body, F&& read) {
  json::Limits limits;
  limits.max_input_bytes = kMaxBodyBytes;
  limits.max_depth = 8;
  json::ParseResult parsed = json::parse(body, limits);
  if (!parsed.ok)
    return "malformed JSON at line " + std::to_string(parsed.error_at.line) + ", column " + std::to_string(parsed.error_at.column) + ": " +
           parsed.error;
  if (parsed.value.type != Type::object) return std::string("the body must be a JSON object");
  try {
    return read(parsed.value);
  } catch (const Bad& b) {
    return std::string(b.what());
  }
}

}  // namespace

std::string encode(const Batch& b) {
  Writer w;
  w.open().str("batch_id", b.batch_id).key("answers").raw("[");
  for (std::size_t i = 0; i < b.answers.size(); ++i) {
    if (i) w.raw(",");
    write_answer(w, b.answers[i]);
  }
  w.raw("]");
  w.reset_first();
  w.raw("}");
  return std::move(w.out());
}

std::string encode(const BatchReply& r) {
  Writer w;
  w.open()
      .str("batch_id", r.batch_id)
      .num("received", r.received)
      .num("stored", r.stored)
      .num("duplicates", r.duplicates)
      .key("quarantined")
      .raw("[");
  for (std::size_t i = 0; i < r.quarantined.size(); ++i) w.raw(i ? "," : "").raw(json::quote(r.quarantined[i]));
  w.raw("]}");
  return std::move(w.out());
}

std::string encode(const Heartbeat& h) {
  Writer w;
  w.open().str("app_version", h.app_version).str("set_id", h.set_id).num("set_version", h.set_version);
  w.num("answers_waiting", h.answers_waiting);
  if (h.oldest_unsent_age_s)
    w.num("oldest_unsent_age_s", *h.oldest_unsent_age_s);
  else
    w.null("oldest_unsent_age_s");
  w.num("free_disk_bytes", h.free_disk_bytes);
  w.open("clock").boolean("trusted", h.clock.trusted).num("unix_time", h.clock.unix_time).str("boot_id", h.clock.boot_id);
  w.num("monotonic_ms", h.clock.monotonic_ms).close();
  if (!h.device_key.empty()) w.str("device_key", h.device_key);
  w.raw("}");
  return std::move(w.out());
}

std::string encode(const EnrolRequest& e) {
  Writer w;
  w.open().str("code", e.code).str("kiosk_name", e.kiosk_name).str("token", e.token);
  if (!e.device_key.empty()) w.str("device_key", e.device_key);
  w.close();
  return std::move(w.out());
}

std::string encode(const EnrolReply& e) {
  Writer w;
  w.open().str("device_id", e.device_id).str("venue", e.venue);
  if (!e.set_key.empty()) w.str("set_key", e.set_key);
  w.close();
  return std::move(w.out());
}

std::string error_body(std::string_view code, std::string_view message) {
  Writer w;
  w.open().str("error", code).str("message", message).close();
  return std::move(w.out());
}

std::variant<Batch, std::string> decode_batch(std::string_view body) {
  return decode<Batch>(body, [](const Value& root) {
    Batch b;
    b.batch_id = text_field(root, "", "batch_id", 64);
    const Value& list = field(root, "", "answers", Type::array);
    if (list.items.size() > kMaxAnswersPerBatch) throw Bad("a batch holds at most " + std::to_string(kMaxAnswersPerBatch) + " answers");
    b.answers.reserve(list.items.size());
    for (std::size_t i = 0; i < list.items.size(); ++i)
      b.answers.push_back(read_answer(list.items[i], "answers[" + std::to_string(i) + "]"));
    return b;
  });
}

std::variant<BatchReply, std::string> decode_batch_reply(std::string_view body) {
  return decode<BatchReply>(body, [](const Value& root) {
    BatchReply r;
    r.batch_id = text_field(root, "", "batch_id", 64);
    r.received = int_field(root, "", "received", 0, INT32_MAX);
    r.stored = int_field(root, "", "stored", 0, INT32_MAX);
    r.duplicates = int_field(root, "", "duplicates", 0, INT32_MAX);
    for (const auto& q : field(root, "", "quarantined", Type::array).items) {
      if (q.type != Type::string) throw Bad("quarantined must list answer ids");
      r.quarantined.push_back(q.string);
    }
    return r;
  });
}

std::variant<Heartbeat, std::string> decode_heartbeat(std::string_view body) {
  return decode<Heartbeat>(body, [](const Value& root) {
    Heartbeat h;
    h.app_version = text_field(root, "", "app_version", 32);
    h.set_id = text_field(root, "", "set_id", 64, true);
    h.set_version = static_cast<int>(int_field(root, "", "set_version", 0, 1000000000));
    h.answers_waiting = int_field(root, "", "answers_waiting", 0, INT64_MAX / 2);
    if (const Value* age = root.find("oldest_unsent_age_s"); age && age->type != Type::null)
      h.oldest_unsent_age_s = int_field(root, "", "oldest_unsent_age_s", 0, kMaxTime);
    h.free_disk_bytes = int_field(root, "", "free_disk_bytes", -1, INT64_MAX / 2);
    const Value& clock = field(root, "", "clock", Type::object);
    h.clock.trusted = bool_field(clock, "clock", "trusted");
    h.clock.unix_time = int_field(clock, "clock", "unix_time", 0, kMaxTime);
    h.clock.boot_id = text_field(clock, "clock", "boot_id", 64);
    h.clock.monotonic_ms = int_field(clock, "clock", "monotonic_ms", 0, kMaxTime * 1000);
    if (root.find("device_key")) {
      h.device_key = text_field(root, "", "device_key", 44);
      if (!is_public_key_base64(h.device_key)) throw Bad("device_key must be the base64 of a 32-byte Ed25519 public key");
    }
    return h;
  });
}

std::variant<EnrolRequest, std::string> decode_enrol_request(std::string_view body) {
  return decode<EnrolRequest>(body, [](const Value& root) {
    EnrolRequest e;
    e.code = text_field(root, "", "code", 64);
    if (root.find("kiosk_name")) e.kiosk_name = text_field(root, "", "kiosk_name", 64, true);
    e.token = text_field(root, "", "token", 128);
    if (e.token.rfind("tp1.", 0) != 0 || e.token.size() < 40)
      throw Bad("token must be a fresh random token (tp1. and at least 36 more characters)");
    if (root.find("device_key")) {
      e.device_key = text_field(root, "", "device_key", 44);
      if (!is_public_key_base64(e.device_key)) throw Bad("device_key must be the base64 of a 32-byte Ed25519 public key");
    }
    return e;
  });
}

std::variant<EnrolReply, std::string> decode_enrol_reply(std::string_view body) {
  return decode<EnrolReply>(body, [](const Value& root) {
    EnrolReply e;
    e.device_id = text_field(root, "", "device_id", 64);
    e.venue = text_field(root, "", "venue", 128);
    if (root.find("set_key")) e.set_key = text_field(root, "", "set_key", 64);
    return e;
  });
}

bool is_public_key_base64(std::string_view text) {
  // 32 bytes are 43 base64 digits and one '='; the last digit carries 2
  // bits past the key, which must be zero (canonical form). By hand, so
  // that the wire format needs no crypto library.
  static constexpr std::string_view kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() != 44 || text[43] != '=') return false;
  for (std::size_t i = 0; i < 43; ++i)
    if (kDigits.find(text[i]) == std::string_view::npos) return false;
  return kDigits.find(text[42]) % 4 == 0;
}

std::string error_message(std::string_view body) {
  json::ParseResult parsed = json::parse(body);
  if (parsed.ok && parsed.value.type == Type::object)
    if (const Value* m = parsed.value.find("message"); m && m->type == Type::string) return m->string;
  std::string s(body.substr(0, 200));
  return s.empty() ? "no details given" : s;
}

}  // namespace tp::wire
