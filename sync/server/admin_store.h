// What the admin web keeps: accounts, sessions, failed sign-ins and the
// audit log, plus the two reads of the server's own tables it needs (venue
// names and answer rows for reports). Behind an interface with a SQLite and
// a PostgreSQL implementation, each opening the same database the server
// uses, so several servers on one PostgreSQL share sessions and the log.
//
// Invariants:
//   1. Only hashes are stored: Argon2id strings for passwords, SHA-256 of
//      session ids. A copy of the database signs nobody in.
//   2. Each backend keeps its own schema version (table admin_schema) and
//      applies its migrations in one transaction (PostgreSQL: under an
//      advisory lock), apart from the server store's migrations.
//   3. The audit log is only ever appended to.
//   4. Answers are never changed here: a note's moderation (shown text,
//      read back, hidden) is a row of its own beside it (note_moderation).
//   5. Every method reports a storage failure as a failed Status or Result,
//      kept apart from "no such account" or "no such session".
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "open_store.h"
#include "report.h"
#include "status.h"

namespace tp::server {

enum class AdminRole { admin, viewer };
const char* role_name(AdminRole role);
std::optional<AdminRole> parse_role(std::string_view text);

struct AdminAccount {
  std::string name;
  std::string password_hash;  // crypto_pwhash_str (Argon2id)
  AdminRole role = AdminRole::viewer;
  std::vector<std::string> venues;  // a viewer's venues; an admin sees all
  std::int64_t created_at = 0;
};

struct AdminSession {
  std::string id_hash;  // hex SHA-256 of the cookie's id
  std::string account;
  std::string address;
  std::int64_t created_at = 0, last_seen = 0;
};

// Failed sign-ins under one key ("account:NAME" or "address:IP").
struct LoginThrottle {
  int failures = 0;
  std::int64_t last_failure = 0;
  std::int64_t locked_until = 0;
};

struct AuditEntry {
  std::int64_t id = 0;
  std::int64_t at = 0;
  std::string account, address, action, detail;
};

// What a moderator decided about one note (a text answer), keyed by the
// answer's id. The answer itself is never changed: `shown_text` is kept
// beside it and used in its place wherever results show notes.
struct NoteModeration {
  std::string answer_id;
  bool read_back = false;                 // chosen to be read back to residents
  std::optional<std::string> shown_text;  // a light edit (trimmed, spelling fixed); empty: as typed
  bool hidden = false;                    // left out of the results page and its CSV
  std::string hidden_reason;              // why, while hidden
  std::string changed_by;                 // the account that made the last change
  std::int64_t changed_at = 0;
};

// A read-back card as stored (readback_page.cpp). `body` is the card as
// readback.h writes one (write_card); its "id" is the row's.
struct StoredCard {
  std::int64_t id = 0;
  std::string venue;
  std::string body;
  std::string notes;  // the answer ids quoted, space-separated
  std::string made_by;
  std::int64_t made_at = 0;
  std::int64_t withdrawn_at = 0;  // 0: live
  std::string withdrawn_by;
};

// The signed card file a venue's kiosks get: remade only when what it says
// (`content_hash`) differs from the last one made for the venue.
struct CardDelivery {
  std::int64_t serial = 0;
  std::string content_hash;
  std::string signed_file;
};
using CardSigner = std::function<Result<std::string>(std::int64_t serial)>;

// Answers for a report: every answer of `venue` (all venues when empty)
// whose time is in [from, until), to question `question_id` of set `set_id`
// (every one when empty).
//
// The rows come folded (report::AnswerRow::count): answers that are alike in
// all a report shows are one row, its time the start of its span of
// `fold_seconds`, so a results page over a million scores reads thousands of
// rows, not a million. With `notes`, an answer with text stays a row of its
// own, and the scores of the visits that left one come too, as rows of
// count 0 (a note's band needs its visit's score, which the question filter
// left out or the fold merged). Without, text is not read at all: for a
// question that has no notes to show.
struct AnswerQuery {
  std::optional<std::string> venue;
  std::int64_t from = 0, until = 0;
  std::optional<std::string> set_id, question_id;
  bool notes = true;
  // Must divide every local midnight: 3600 where the zone is whole hours off
  // UTC across the span, else 900 (zones a half or three quarters off).
  std::int64_t fold_seconds = 900;
};

class AdminStore {
 public:
  virtual ~AdminStore() = default;
  virtual int schema_version() = 0;

  // Fault::invalid_input when the name is taken.
  virtual Status add_account(const AdminAccount& account) = 0;
  // false: no such account. Its sessions end with it.
  virtual Result<bool> remove_account(const std::string& name) = 0;
  virtual Result<std::vector<AdminAccount>> accounts() = 0;
  virtual Result<std::optional<AdminAccount>> account(const std::string& name) = 0;

  virtual Status add_session(const AdminSession& session) = 0;
  virtual Result<std::optional<AdminSession>> session(const std::string& id_hash) = 0;
  virtual Status touch_session(const std::string& id_hash, std::int64_t now) = 0;
  virtual Status end_session(const std::string& id_hash) = 0;
  // Sessions idle since before `idle_before`, or made before `made_before`.
  virtual Status end_stale_sessions(std::int64_t idle_before, std::int64_t made_before) = 0;

  virtual Result<LoginThrottle> throttle(const std::string& key) = 0;
  virtual Status set_throttle(const std::string& key, const LoginThrottle& state) = 0;
  virtual Status clear_throttle(const std::string& key) = 0;

  virtual Status audit(const AuditEntry& entry) = 0;
  // The newest `limit` entries, newest first.
  virtual Result<std::vector<AuditEntry>> audit_log(int limit) = 0;

  // Every venue name the server knows, sorted.
  virtual Result<std::vector<std::string>> venues() = 0;
  virtual Result<std::vector<report::AnswerRow>> answer_rows(const AnswerQuery& query) = 0;

  // Note moderation (admin_moderation_page.cpp). Each change sets one field
  // and leaves the others as they were, so two moderators changing one note
  // at once lose neither change. A row is made on the first change.
  virtual Result<std::vector<NoteModeration>> note_moderation() = 0;  // every note ever moderated
  virtual Status set_read_back(const std::string& answer_id, bool read_back, const std::string& by, std::int64_t at) = 0;
  // nullopt: show the note as typed again.
  virtual Status set_shown_text(const std::string& answer_id, const std::optional<std::string>& text, const std::string& by,
                                std::int64_t at) = 0;
  // `reason` is kept while hidden; unhiding clears it.
  virtual Status set_hidden(const std::string& answer_id, bool hidden, const std::string& reason, const std::string& by,
                            std::int64_t at) = 0;
  // Read-back cards. A card is never changed: it is withdrawn, and a new one
  // made. The audit log says who did which.
  virtual Result<std::int64_t> add_card(const StoredCard& card) = 0;                                // the new card's id
  virtual Result<bool> withdraw_card(std::int64_t id, const std::string& by, std::int64_t at) = 0;  // false: no such live card
  virtual Result<std::vector<StoredCard>> cards() = 0;                                              // newest first
  // The venue's card file for `content_hash`: the one made last when its
  // hash is the same, else a new one from `sign` under a serial above every
  // card serial made before, for any venue (the kiosk refuses older ones).
  virtual Result<CardDelivery> card_delivery(const std::string& venue, const std::string& content_hash, const CardSigner& sign) = 0;

  // The text of the note with answer id `answer_id` as stored; nullopt when
  // there is no such answer or it has no text.
  virtual Result<std::optional<std::string>> note_text(const std::string& answer_id) = 0;
};

// The admin store beside the server's store at `where` (the same SQLite file
// or PostgreSQL database), its tables made or brought up to date. Open the
// server's store first: it makes the file and the tables read here.
// Throws std::runtime_error with a message a person can act on (start-up only).
std::unique_ptr<AdminStore> open_admin_store(const StoreLocation& where, int connections = 1);
// The two backends (admin_sqlite_store.cpp, admin_pg_store.cpp); same rules.
std::unique_ptr<AdminStore> open_sqlite_admin_store(const std::string& path);
std::unique_ptr<AdminStore> open_pg_admin_store(const std::string& url, int connections = 1);

}  // namespace tp::server
