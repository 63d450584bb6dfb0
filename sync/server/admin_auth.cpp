#include "admin_auth.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace tp::server {

namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
  std::string out(n * 2, '\0');
  sodium_bin2hex(out.data(), out.size() + 1, bytes, n);  // writes the NUL into the string's own terminator
  return out;
}

// Failures older than this no longer count towards a lockout.
constexpr std::int64_t kFailureMemoryS = 24 * 3600;

// Passwords that appear at the top of every leaked list; the length rule
// catches most others.
constexpr std::array kCommonPasswords = {"password1234",  "123456789012",  "qwertyuiopas", "passwordpassword", "letmeinletmein",
                                         "administrator", "tenpointadmin", "welcome12345", "iloveyou1234",     "000000000000"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The hash a sign-in with an unknown name is checked against, so that it
// takes as long as one with a known name.
const std::string& decoy_hash() {
  static const std::string hash = hash_password(new_session_id());
  return hash;
}

}  // namespace

std::string password_problem(std::string_view name, std::string_view password) {
  if (password.empty()) return "The password is empty";
  if (password.size() < kMinPasswordLength)
    return "The password is too short: use at least " + std::to_string(kMinPasswordLength) + " characters (a few words make a good one)";
  if (password.size() > 1024) return "The password is over 1024 characters";
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password.front(); }))
    return "The password repeats one character";
  std::string low = lower(password);
  if (low == lower(name) || low.find(lower(name)) != std::string::npos) return "The password contains the account's name";
  for (const char* common : kCommonPasswords)
    if (low == common) return "The password is one of the most common ones";
  return "";
}

std::string hash_password(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("Unable to hash a password: not enough memory for Argon2id (64 MiB)");
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string new_session_id() {
  unsigned char bytes[32];  // 256 bits
  randombytes_buf(bytes, sizeof bytes);
  return hex(bytes, sizeof bytes);
}

std::string session_id_hash(std::string_view session_id) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(session_id.data()), session_id.size());
  return hex(digest, sizeof digest);
}

std::string csrf_token(std::string_view session_id) {
  static constexpr std::string_view kPurpose = "tenpoint admin csrf v1";
  unsigned char key[crypto_generichash_KEYBYTES];
  crypto_generichash(key, sizeof key, reinterpret_cast<const unsigned char*>(session_id.data()), session_id.size(), nullptr, 0);
  unsigned char mac[32];
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(kPurpose.data()), kPurpose.size(), key, sizeof key);
  return hex(mac, sizeof mac);
}

bool same_token(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::int64_t lockout_after(int failures) {
  if (failures < kFreeFailures) return 0;
  int doublings = std::min(failures - kFreeFailures, 16);
  return std::min(kFirstLockoutS << doublings, kMaxLockoutS);
}

bool valid_account_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '@'; });
}

bool SignedIn::may_see(std::string_view venue) const {
  if (account.role == AdminRole::admin) return true;
  return std::find(account.venues.begin(), account.venues.end(), venue) != account.venues.end();
}

LoginOutcome AdminAuth::login(const std::string& name, std::string_view password, const std::string& address, std::int64_t now) {
  auto unavailable = [](const Status& s) { return LoginOutcome{LoginOutcome::unavailable, {}, 0, s.message()}; };
  const std::string keys[] = {"account:" + lower(name), "address:" + address};
  LoginThrottle states[2];
  std::int64_t locked_until = 0;
  for (int i = 0; i < 2; ++i) {
    auto t = store_.throttle(keys[i]);
    if (!t) return unavailable(t.status());
    if (now - t->last_failure > kFailureMemoryS) *t = {};
    states[i] = *t;
    locked_until = std::max(locked_until, t->locked_until);
  }
  if (locked_until > now) return {LoginOutcome::throttled, {}, locked_until - now, {}};

  auto found = store_.account(name);
  if (!found) return unavailable(found.status());
  bool ok = verify_password(*found ? (*found)->password_hash : decoy_hash(), password) && found->has_value();
  if (!ok) {
    for (int i = 0; i < 2; ++i) {
      LoginThrottle next{states[i].failures + 1, now, 0};
      if (std::int64_t lock = lockout_after(next.failures); lock > 0) next.locked_until = now + lock;
      if (Status s = store_.set_throttle(keys[i], next); !s) return unavailable(s);
    }
    return {LoginOutcome::refused, {}, 0, {}};
  }
  for (const auto& key : keys)
    if (Status s = store_.clear_throttle(key); !s) return unavailable(s);
  // Housekeeping: sessions nobody can use any more go when someone signs in.
  if (Status s = store_.end_stale_sessions(now - options_.idle_timeout_s, now - kMaxSessionS); !s) return unavailable(s);
  std::string id = new_session_id();
  if (Status s = store_.add_session({session_id_hash(id), (*found)->name, address, now, now}); !s) return unavailable(s);
  return {LoginOutcome::signed_in, id, 0, {}};
}

Result<std::optional<SignedIn>> AdminAuth::session(const std::string& session_id, std::int64_t now) {
  if (session_id.size() != 64) return std::optional<SignedIn>();
  std::string id_hash = session_id_hash(session_id);
  auto s = store_.session(id_hash);
  if (!s) return s.status();
  if (!*s) return std::optional<SignedIn>();
  if (now - (*s)->last_seen > options_.idle_timeout_s || now - (*s)->created_at > kMaxSessionS) {
    if (Status ended = store_.end_session(id_hash); !ended) return ended;
    return std::optional<SignedIn>();
  }
  auto account = store_.account((*s)->account);
  if (!account) return account.status();
  if (!*account) {
    if (Status ended = store_.end_session(id_hash); !ended) return ended;
    return std::optional<SignedIn>();
  }
  if (Status touched = store_.touch_session(id_hash, now); !touched) return touched;
  return std::optional<SignedIn>(SignedIn{std::move(**account), session_id, csrf_token(session_id)});
}

Status AdminAuth::logout(const std::string& session_id) { return store_.end_session(session_id_hash(session_id)); }

}  // namespace tp::server
