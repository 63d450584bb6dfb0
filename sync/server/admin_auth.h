// Who may use the admin web, and how they prove it: passwords, sessions,
// CSRF tokens and the throttle on failed sign-ins. The rules are here, the
// storage in AdminStore; no HTTP here.
//
// Rules:
//   1. A password is stored only as an Argon2id string (crypto_pwhash_str);
//      one shorter than kMinPasswordLength, or in the list of common ones,
//      or equal to the name, is refused when the account is made.
//   2. A session id is 256 random bits (64 hex digits), new at every sign-in;
//      the store keeps only its SHA-256. It ends at sign-out, after
//      idle_timeout_s without a request, and kMaxSessionS after sign-in.
//   3. A CSRF token is the keyed BLAKE2b of a fixed text under the session
//      id: tied to the session, unguessable without its cookie, needing no
//      storage. Compared in constant time.
//   4. After kFreeFailures failed sign-ins for an account name, or from one
//      address, sign-in is refused for a growing time (lockout_after),
//      whether or not the account exists and whatever the password: the
//      reply never tells whether an account exists. A success clears both.
//
//   (no session) --login ok--> signed in --each request--> signed in (last_seen moves)
//   signed in --logout / idle / max age / account removed--> (no session)
//   N failures --login--> throttled until locked_until [lockout_after]
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "admin_store.h"

namespace tp::server {

inline constexpr std::size_t kMinPasswordLength = 12;  // characters (bytes of UTF-8)
inline constexpr int kFreeFailures = 5;
inline constexpr std::int64_t kFirstLockoutS = 60;
inline constexpr std::int64_t kMaxLockoutS = 3600;
inline constexpr std::int64_t kMaxSessionS = 12 * 3600;  // a working day, then sign in again
inline constexpr int kDefaultIdleTimeoutS = 30 * 60;

// "" when the password may be used for `name`, else why not.
std::string password_problem(std::string_view name, std::string_view password);
// An Argon2id string; throws std::runtime_error when memory for it is lacking.
std::string hash_password(std::string_view password);
bool verify_password(const std::string& hash, std::string_view password);

std::string new_session_id();  // 64 hex digits from the system's CSPRNG
std::string session_id_hash(std::string_view session_id);
std::string csrf_token(std::string_view session_id);
bool same_token(std::string_view a, std::string_view b);  // constant time for equal lengths
// Seconds sign-in stays refused after `failures` failures in a row: none for
// the first kFreeFailures - 1, then 60 s, doubling up to an hour.
std::int64_t lockout_after(int failures);

// An admin name: 1 to 64 letters, digits, '.', '-', '_' or '@'.
bool valid_account_name(std::string_view name);

struct AdminOptions {
  int idle_timeout_s = kDefaultIdleTimeoutS;
  // Secure on the cookie; off only for --insecure-http (development).
  bool secure_cookie = true;
};

struct LoginOutcome {
  enum Kind { signed_in, refused, throttled, unavailable } kind = refused;
  std::string session_id;          // signed_in: for the cookie
  std::int64_t retry_after_s = 0;  // throttled
  std::string message;             // unavailable: for the server's log
};

struct SignedIn {
  AdminAccount account;
  std::string session_id;
  std::string csrf;
  bool may_change() const { return account.role == AdminRole::admin; }
  bool may_see(std::string_view venue) const;
};

class AdminAuth {
 public:
  AdminAuth(AdminStore& store, AdminOptions options) : store_(store), options_(options) {}

  LoginOutcome login(const std::string& name, std::string_view password, const std::string& address, std::int64_t now);
  // The signed-in account for a cookie's session id, its last_seen moved
  // to now; nullopt for no, an ended, an idle or an expired session.
  Result<std::optional<SignedIn>> session(const std::string& session_id, std::int64_t now);
  Status logout(const std::string& session_id);
  const AdminOptions& options() const { return options_; }

 private:
  AdminStore& store_;
  AdminOptions options_;
};

}  // namespace tp::server
