// Encoding and strict decoding of API v1 bodies.
#include "wire.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <unordered_set>

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
    json::append_quoted(out_, k);
    out_ += ':';
    return *this;
  }
  Writer& str(std::string_view k, std::string_view v) {
    key(k);
    json::append_quoted(out_, v);
    return *this;
  }
  Writer& num(std::string_view k, std::int64_t v) {
    key(k);
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out_.append(digits, end);
    return *this;
  }
  void reserve(std::size_t bytes) { out_.reserve(bytes); }
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

std::string field_name(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

[[noreturn]] void wrong_type(const std::string& name, Type wanted, Type found) {
  throw Bad(name + " must be " + json::type_name(wanted) + ", not " + json::type_name(found));
}

const Value& field(const Value& obj, const std::string& path, std::string_view key, Type type) {
  const Value* v = obj.find(key);
  if (!v) throw Bad(field_name(path, key) + " is missing");
  if (v->type != type) wrong_type(field_name(path, key), type, v->type);
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

// The checks on a value once read, from a tree or a Cursor. `name()` makes
// the field's name for a message, and only then: most values pass.
template <class Name>
std::string checked_text(std::string&& text, const Name& name, std::size_t max_chars, bool allow_empty = false,
                         Kind kind = Kind::identifier) {
  // At most max_chars bytes are at most max_chars characters: counted only when longer.
  if ((!allow_empty && text.empty()) || (text.size() > max_chars && count_code_points(text) > max_chars))
    throw Bad(name() + " must be " + (allow_empty ? "0" : "1") + " to " + std::to_string(max_chars) + " characters");
  if (kind == Kind::identifier && has_control_character(text)) throw Bad(name() + " must not contain control characters");
  return std::move(text);
}

template <class Name>
std::int64_t checked_int(double number, bool is_integer, const Name& name, std::int64_t lo, std::int64_t hi) {
  if (!is_integer || number < static_cast<double>(lo) || number > static_cast<double>(hi))
    throw Bad(name() + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<std::int64_t>(number);
}

std::string text_field(const Value& obj, const std::string& path, std::string_view key, std::size_t max_chars, bool allow_empty = false,
                       Kind kind = Kind::identifier) {
  const Value& v = field(obj, path, key, Type::string);
  return checked_text(
      std::string(v.string), [&] { return field_name(path, key); }, max_chars, allow_empty, kind);
}

std::int64_t int_field(const Value& obj, const std::string& path, std::string_view key, std::int64_t lo, std::int64_t hi) {
  const Value& v = field(obj, path, key, Type::number);
  return checked_int(
      v.number, v.is_integer, [&] { return field_name(path, key); }, lo, hi);
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

// An answer's members, in the order encode() writes them.
enum Member : int {
  m_uuid,
  m_seq,
  m_set_id,
  m_set_version,
  m_question_id,
  m_session_id,
  m_score,
  m_text,
  m_choice,
  m_language,
  m_recorded_at,
  m_clock_trusted,
  m_boot_id,
  m_monotonic_ms,
  m_rapid_repeat,
  kMemberCount
};
constexpr std::string_view kMemberKeys[kMemberCount] = {"uuid",        "seq",           "set_id",  "set_version",  "question_id",
                                                        "session_id",  "score",         "text",    "choice",       "language",
                                                        "recorded_at", "clock_trusted", "boot_id", "monotonic_ms", "rapid_repeat"};

// Keys a reader does not take are skipped, but may not repeat, as parse()
// has it; kept here only when one turns up.
class OtherKeys {
 public:
  bool repeats(const std::string& key) {
    if (!seen_) seen_.emplace();
    return !seen_->insert(key).second;
  }

 private:
  std::optional<std::unordered_set<std::string>> seen_;
};

[[noreturn]] void repeated_key(const json::Cursor& c, const std::string& key) {
  throw json::ParseError{c.key_location(), "the key \"" + key + "\" appears twice in this object"};
}

// One answer of a batch, straight from the cursor into the answer: no tree
// of Values, and the checks of every field as it arrives.
StoredAnswer read_answer(json::Cursor& c, std::size_t index) {
  auto path = [index] { return "answers[" + std::to_string(index) + "]"; };
  if (Type t = c.next_type(); t != Type::object) throw Bad(path() + " must be an object");
  StoredAnswer s;
  Answer& a = s.answer;
  std::uint32_t seen = 0;
  int values = 0;  // of score, text and choice, those not null
  OtherKeys others;
  std::string key;
  int expected = 0;  // the member encode() writes next: tried first
  c.begin_object();
  while (c.next_key(key)) {
    int m = expected < kMemberCount && key == kMemberKeys[expected] ? expected : -1;
    for (int i = 0; m < 0 && i < kMemberCount; ++i)
      if (key == kMemberKeys[i]) m = i;
    if (m < 0) {
      if (others.repeats(key)) repeated_key(c, key);
      c.skip();
      continue;
    }
    if (seen & (1u << m)) repeated_key(c, key);
    seen |= 1u << m;
    expected = m + 1;
    auto name = [&path, m] { return path() + "." + std::string(kMemberKeys[m]); };
    Type type = c.next_type();
    if ((m == m_score || m == m_text || m == m_choice) && type == Type::null) {
      c.null();
      continue;
    }
    Type wanted = (m == m_seq || m == m_set_version || m == m_score || m == m_recorded_at || m == m_monotonic_ms) ? Type::number
                  : (m == m_clock_trusted || m == m_rapid_repeat)                                                 ? Type::boolean
                                                                                                                  : Type::string;
    if (type != wanted) wrong_type(name(), wanted, type);
    // The number first, then whether it was whole: two arguments of one
    // call are evaluated in no set order.
    auto whole = [&c, &name](std::int64_t lo, std::int64_t hi) {
      bool integer = false;
      double number = c.number(integer);
      return checked_int(number, integer, name, lo, hi);
    };
    switch (m) {
      case m_uuid:
        a.uuid = checked_text(c.string(), name, 36);
        if (!is_uuid(a.uuid)) throw Bad(path() + ".uuid must be a lower-case UUID such as 0f8c2d3e-...");
        break;
      case m_seq:
        s.seq = whole(0, INT64_MAX / 2);
        break;
      case m_set_id:
        a.set_id = checked_text(c.string(), name, 64);
        break;
      case m_set_version:
        a.set_version = static_cast<int>(whole(1, 1000000000));
        break;
      case m_question_id:
        a.question_id = checked_text(c.string(), name, 64);
        break;
      case m_session_id:
        a.session_id = checked_text(c.string(), name, 64);
        break;
      case m_score:
        a.score = static_cast<int>(whole(0, 100));
        ++values;
        break;
      case m_text:
        a.text = checked_text(c.string(), name, kMaxTextChars, false, Kind::free_text);
        ++values;
        break;
      case m_choice:
        a.choice = checked_text(c.string(), name, 64);
        ++values;
        break;
      case m_language:
        a.language = checked_text(c.string(), name, 8);
        if (a.language.size() < 2 ||
            !std::all_of(a.language.begin(), a.language.end(), [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '-'; }))
          throw Bad(path() + ".language must be a language code such as \"en\" or \"cy\"");
        break;
      case m_recorded_at:
        a.stamp.unix_seconds = whole(0, kMaxTime);
        break;
      case m_clock_trusted:
        a.stamp.clock_trusted = c.boolean();
        break;
      case m_boot_id:
        a.stamp.boot_id = checked_text(c.string(), name, 64);
        break;
      case m_monotonic_ms:
        a.stamp.monotonic_ms = whole(0, kMaxTime * 1000);
        break;
      case m_rapid_repeat:
        a.rapid_repeat = c.boolean();
        break;
    }
  }
  // Missing members, in the order they are written.
  constexpr std::uint32_t kOptional = (1u << m_score) | (1u << m_text) | (1u << m_choice);
  for (int m = 0; m < kMemberCount; ++m)
    if (!(seen & (1u << m)) && !(kOptional & (1u << m))) throw Bad(path() + "." + std::string(kMemberKeys[m]) + " is missing");
  if (values != 1) throw Bad(path() + " must carry exactly one of score, text or choice");
  return s;
}

// The limits every body is read with.
json::Limits body_limits() {
  json::Limits limits;
  limits.max_input_bytes = kMaxBodyBytes;
  limits.max_depth = 8;
  return limits;
}

std::string malformed(const json::Location& at, const std::string& error) {
  return "malformed JSON at line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ": " + error;
}

template <class T, class F>
std::variant<T, std::string> decode(std::string_view body, F&& read) {
  json::ParseResult parsed = json::parse(body, body_limits());
  if (!parsed.ok) return malformed(parsed.error_at, parsed.error);
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
  w.reserve(64 + b.answers.size() * 400);  // an answer with a score is about 350 bytes
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
  // Read with a Cursor, not parse(): a batch of 2,000 answers is 30,000
  // values, and a tree of them cost more than storing the answers.
  const json::Limits limits = body_limits();
  try {
    json::Cursor c(body, limits);
    if (c.next_type() != Type::object) return std::string("the body must be a JSON object");
    Batch b;
    bool have_id = false, have_answers = false;
    OtherKeys others;
    std::string key;
    c.begin_object();
    while (c.next_key(key)) {
      if (key == "batch_id") {
        if (have_id) repeated_key(c, key);
        have_id = true;
        if (Type t = c.next_type(); t != Type::string) wrong_type(key, Type::string, t);
        b.batch_id = checked_text(
            c.string(), [] { return std::string("batch_id"); }, 64);
      } else if (key == "answers") {
        if (have_answers) repeated_key(c, key);
        have_answers = true;
        if (Type t = c.next_type(); t != Type::array) wrong_type(key, Type::array, t);
        // An answer takes 300 bytes or more: room for those the body can hold, so none is moved as the list grows.
        b.answers.reserve(std::min(kMaxAnswersPerBatch, body.size() / 300));
        c.begin_array();
        while (c.next_item()) {
          if (b.answers.size() == kMaxAnswersPerBatch)
            throw Bad("a batch holds at most " + std::to_string(kMaxAnswersPerBatch) + " answers");
          b.answers.push_back(read_answer(c, b.answers.size()));
        }
      } else {
        if (others.repeats(key)) repeated_key(c, key);
        c.skip();
      }
    }
    c.finish();
    if (!have_id) return std::string("batch_id is missing");
    if (!have_answers) return std::string("answers is missing");
    return b;
  } catch (const json::ParseError& e) {
    return malformed(e.where, e.message);
  } catch (const Bad& bad) {
    return std::string(bad.what());
  }
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
