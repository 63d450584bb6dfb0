// The admin store in the server's SQLite file (admin_store.h). One
// connection of its own, used by one thread at a time; its schema version
// lives in its own table (admin_schema), never in PRAGMA user_version, which
// belongs to the server store's migrations.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "admin_store.h"
#include "sqlite_util.h"

namespace tp::server {

namespace {

using sql::Stmt;

// An answer stamped by an untrusted clock counts at its placed time when the
// kiosk's clock could be placed later (PROTOCOL.md, "Clocks").
constexpr const char* kAnswerTime = "coalesce(a.corrected_at, a.recorded_at)";
// The answers an AnswerQuery picks; parameters 1 to 5 are its venue, from,
// until, set and question. SQLite tests the terms in this order: the
// cheapest and most selective first, the kiosk's venue (a lookup) last.
constexpr const char* kPicked =
    "(?5 IS NULL OR a.question_id = ?5) AND (?4 IS NULL OR a.set_id = ?4) AND coalesce(a.corrected_at, a.recorded_at) >= ?2 "
    "AND coalesce(a.corrected_at, a.recorded_at) < ?3 AND (?1 IS NULL OR a.device_id IN (SELECT d.id FROM devices d JOIN venues v "
    "ON v.id = d.venue_id WHERE v.name = ?1))";

// A text column without a copy; valid until the next step.
std::string_view column_view(sqlite3_stmt* s, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(s, col))) : std::string_view();
}

// Lets a map keyed by std::string be searched with a std::string_view.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// The start of the span of `seconds` a time falls in.
std::int64_t fold_time(std::int64_t t, std::int64_t seconds) {
  std::int64_t q = t / seconds;
  if (t % seconds < 0) --q;
  return q * seconds;
}

struct Migration {
  int version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE admin_accounts(
  name TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
  created_at INTEGER NOT NULL
);
CREATE TABLE admin_account_venues(
  account TEXT NOT NULL REFERENCES admin_accounts(name) ON DELETE CASCADE,
  venue TEXT NOT NULL,
  PRIMARY KEY (account, venue)
);
CREATE TABLE admin_sessions(
  id_hash TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE TABLE admin_login_throttle(
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_failure INTEGER NOT NULL,
  locked_until INTEGER NOT NULL
);
CREATE TABLE admin_audit(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
-- Appended to only.
CREATE TRIGGER admin_audit_no_update BEFORE UPDATE ON admin_audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER admin_audit_no_delete BEFORE DELETE ON admin_audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql"},
    // Moderation of notes: one row per moderated answer (answers.uuid),
    // beside the answer, which is never changed.
    {2, R"sql(
CREATE TABLE note_moderation(
  answer_id TEXT PRIMARY KEY,
  read_back INTEGER NOT NULL DEFAULT 0,
  shown_text TEXT,
  hidden INTEGER NOT NULL DEFAULT 0,
  hidden_reason TEXT NOT NULL DEFAULT '',
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL
);
)sql"},
    // Read-back cards, and the signed file last made for each venue.
    {3, R"sql(
CREATE TABLE readback_cards(
  id INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  body TEXT NOT NULL,
  notes TEXT NOT NULL,
  made_by TEXT NOT NULL,
  made_at INTEGER NOT NULL,
  withdrawn_at INTEGER NOT NULL DEFAULT 0,
  withdrawn_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE card_deliveries(
  venue TEXT PRIMARY KEY,
  serial INTEGER NOT NULL,
  content_hash TEXT NOT NULL,
  signed_file TEXT NOT NULL
);
)sql"},
};

constexpr int kLatest = 3;

class SqliteAdminStore final : public AdminStore {
 public:
  explicit SqliteAdminStore(const std::string& path) : path_(path) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw std::runtime_error("Unable to open the admin tables in " + path + ": " + why);
    }
    sqlite3_busy_timeout(db_, 5000);
    sql::exec(db_, "PRAGMA foreign_keys = ON");
    migrate();
  }
  ~SqliteAdminStore() override { sqlite3_close(db_); }

  int schema_version() override {
    std::lock_guard lock(mutex_);
    return version_locked();
  }

  Status add_account(const AdminAccount& a) override {
    std::lock_guard lock(mutex_);
    sql::Transaction tx(db_);
    if (!tx.ok()) return fail(tx.begin_rc(), "add an admin account");
    Stmt s(db_, "INSERT INTO admin_accounts(name, password_hash, role, created_at) VALUES(?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING");
    sql::bind_text(s.get(), 1, a.name);
    sql::bind_text(s.get(), 2, a.password_hash);
    sql::bind_text(s.get(), 3, role_name(a.role));
    sqlite3_bind_int64(s.get(), 4, a.created_at);
    if (int rc = sql::run(s.get()); rc != SQLITE_OK) return fail(rc, "add an admin account");
    if (sqlite3_changes(db_) == 0) return Status::failure(Fault::invalid_input, "An admin account named " + a.name + " exists already");
    Stmt v(db_, "INSERT OR IGNORE INTO admin_account_venues(account, venue) VALUES(?1, ?2)");
    for (const auto& venue : a.venues) {
      sql::bind_text(v.get(), 1, a.name);
      sql::bind_text(v.get(), 2, venue);
      if (int rc = sql::run(v.get()); rc != SQLITE_OK) return fail(rc, "add an admin account");
    }
    if (int rc = tx.commit(); rc != SQLITE_OK) return fail(rc, "add an admin account");
    return {};
  }

  Result<bool> remove_account(const std::string& name) override {
    std::lock_guard lock(mutex_);
    sql::Transaction tx(db_);
    if (!tx.ok()) return fail(tx.begin_rc(), "remove an admin account");
    Stmt s(db_, "DELETE FROM admin_accounts WHERE name = ?1");
    sql::bind_text(s.get(), 1, name);
    if (int rc = sql::run(s.get()); rc != SQLITE_OK) return fail(rc, "remove an admin account");
    bool removed = sqlite3_changes(db_) > 0;
    Stmt e(db_, "DELETE FROM admin_sessions WHERE account = ?1");
    sql::bind_text(e.get(), 1, name);
    if (int rc = sql::run(e.get()); rc != SQLITE_OK) return fail(rc, "remove an admin account");
    if (int rc = tx.commit(); rc != SQLITE_OK) return fail(rc, "remove an admin account");
    return removed;
  }

  Result<std::vector<AdminAccount>> accounts() override {
    std::lock_guard lock(mutex_);
    return read_accounts(nullptr);
  }

  Result<std::optional<AdminAccount>> account(const std::string& name) override {
    std::lock_guard lock(mutex_);
    auto all = read_accounts(&name);
    if (!all) return all.status();
    if (all->empty()) return std::optional<AdminAccount>();
    return std::optional<AdminAccount>(std::move(all->front()));
  }

  Status add_session(const AdminSession& s) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "INSERT INTO admin_sessions(id_hash, account, address, created_at, last_seen) VALUES(?1, ?2, ?3, ?4, ?5)");
    sql::bind_text(q.get(), 1, s.id_hash);
    sql::bind_text(q.get(), 2, s.account);
    sql::bind_text(q.get(), 3, s.address);
    sqlite3_bind_int64(q.get(), 4, s.created_at);
    sqlite3_bind_int64(q.get(), 5, s.last_seen);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "start an admin session");
    return {};
  }

  Result<std::optional<AdminSession>> session(const std::string& id_hash) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "SELECT id_hash, account, address, created_at, last_seen FROM admin_sessions WHERE id_hash = ?1");
    sql::bind_text(q.get(), 1, id_hash);
    int rc = sqlite3_step(q.get());
    if (rc == SQLITE_DONE) return std::optional<AdminSession>();
    if (rc != SQLITE_ROW) return fail(rc, "read an admin session");
    AdminSession s{sql::column_text(q.get(), 0), sql::column_text(q.get(), 1), sql::column_text(q.get(), 2),
                   sqlite3_column_int64(q.get(), 3), sqlite3_column_int64(q.get(), 4)};
    return std::optional<AdminSession>(std::move(s));
  }

  Status touch_session(const std::string& id_hash, std::int64_t now) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "UPDATE admin_sessions SET last_seen = max(last_seen, ?2) WHERE id_hash = ?1");
    sql::bind_text(q.get(), 1, id_hash);
    sqlite3_bind_int64(q.get(), 2, now);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "keep an admin session");
    return {};
  }

  Status end_session(const std::string& id_hash) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "DELETE FROM admin_sessions WHERE id_hash = ?1");
    sql::bind_text(q.get(), 1, id_hash);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "end an admin session");
    return {};
  }

  Status end_stale_sessions(std::int64_t idle_before, std::int64_t made_before) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "DELETE FROM admin_sessions WHERE last_seen < ?1 OR created_at < ?2");
    sqlite3_bind_int64(q.get(), 1, idle_before);
    sqlite3_bind_int64(q.get(), 2, made_before);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "end old admin sessions");
    return {};
  }

  Result<LoginThrottle> throttle(const std::string& key) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "SELECT failures, last_failure, locked_until FROM admin_login_throttle WHERE key = ?1");
    sql::bind_text(q.get(), 1, key);
    int rc = sqlite3_step(q.get());
    if (rc == SQLITE_DONE) return LoginThrottle{};
    if (rc != SQLITE_ROW) return fail(rc, "read failed sign-ins");
    return LoginThrottle{sqlite3_column_int(q.get(), 0), sqlite3_column_int64(q.get(), 1), sqlite3_column_int64(q.get(), 2)};
  }

  Status set_throttle(const std::string& key, const LoginThrottle& t) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_,
           "INSERT INTO admin_login_throttle(key, failures, last_failure, locked_until) VALUES(?1, ?2, ?3, ?4) "
           "ON CONFLICT(key) DO UPDATE SET failures = ?2, last_failure = ?3, locked_until = ?4");
    sql::bind_text(q.get(), 1, key);
    sqlite3_bind_int(q.get(), 2, t.failures);
    sqlite3_bind_int64(q.get(), 3, t.last_failure);
    sqlite3_bind_int64(q.get(), 4, t.locked_until);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "record a failed sign-in");
    return {};
  }

  Status clear_throttle(const std::string& key) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "DELETE FROM admin_login_throttle WHERE key = ?1");
    sql::bind_text(q.get(), 1, key);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "clear failed sign-ins");
    return {};
  }

  Status audit(const AuditEntry& e) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "INSERT INTO admin_audit(at, account, address, action, detail) VALUES(?1, ?2, ?3, ?4, ?5)");
    sqlite3_bind_int64(q.get(), 1, e.at);
    sql::bind_text(q.get(), 2, e.account);
    sql::bind_text(q.get(), 3, e.address);
    sql::bind_text(q.get(), 4, e.action);
    sql::bind_text(q.get(), 5, e.detail);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "write the audit log");
    return {};
  }

  Result<std::vector<AuditEntry>> audit_log(int limit) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "SELECT id, at, account, address, action, detail FROM admin_audit ORDER BY id DESC LIMIT ?1");
    sqlite3_bind_int(q.get(), 1, limit);
    std::vector<AuditEntry> out;
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW)
      out.push_back({sqlite3_column_int64(q.get(), 0), sqlite3_column_int64(q.get(), 1), sql::column_text(q.get(), 2),
                     sql::column_text(q.get(), 3), sql::column_text(q.get(), 4), sql::column_text(q.get(), 5)});
    if (rc != SQLITE_DONE) return fail(rc, "read the audit log");
    return out;
  }

  Result<std::vector<std::string>> venues() override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "SELECT name FROM venues ORDER BY name");
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) out.push_back(sql::column_text(q.get(), 0));
    if (rc != SQLITE_DONE) return fail(rc, "read the venues");
    return out;
  }

  Result<std::vector<report::AnswerRow>> answer_rows(const AnswerQuery& query) override {
    std::lock_guard lock(mutex_);
    // Venues by kiosk: an answer names only its kiosk.
    std::vector<std::string> venue_names;
    std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> venue_of;  // kiosk -> venue_names
    {
      Stmt d(db_, "SELECT d.id, v.name FROM devices d JOIN venues v ON v.id = d.venue_id ORDER BY v.name");
      int rc;
      while ((rc = sqlite3_step(d.get())) == SQLITE_ROW) {
        std::string name = sql::column_text(d.get(), 1);
        if (venue_names.empty() || venue_names.back() != name) venue_names.push_back(std::move(name));
        venue_of[sql::column_text(d.get(), 0)] = static_cast<std::uint32_t>(venue_names.size() - 1);
      }
      if (rc != SQLITE_DONE) return fail(rc, "read answers for a report");
    }
    auto bind = [&](sqlite3_stmt* s) {
      if (query.venue) sql::bind_text(s, 1, *query.venue);
      sqlite3_bind_int64(s, 2, query.from);
      sqlite3_bind_int64(s, 3, query.until);
      if (query.set_id) sql::bind_text(s, 4, *query.set_id);
      if (query.question_id) sql::bind_text(s, 5, *query.question_id);
    };

    // One pass over the answers, folded here rather than by GROUP BY, whose
    // sort costs SQLite several times the scan. Text, visit and answer id are
    // read only when notes are wanted.
    Stmt q(db_, (std::string("SELECT a.device_id, ") + kAnswerTime +
                 ", a.score, a.set_version, a.rapid_repeat, a.set_id, a.question_id, a.language, a.choice" +
                 (query.notes ? ", a.text, a.session_id, a.uuid" : "") + " FROM answers a WHERE " + kPicked)
                    .c_str());
    bind(q.get());
    const std::int64_t fold = std::max<std::int64_t>(query.fold_seconds, 1);
    std::vector<report::AnswerRow> out;
    std::unordered_map<std::string, std::size_t> folded;  // key -> row in out
    std::string key;
    auto add_int = [&](std::int64_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
    bool notes = false;
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      sqlite3_stmt* s = q.get();
      auto device = venue_of.find(column_view(s, 0));
      if (device == venue_of.end()) continue;  // a kiosk removed since
      const std::uint32_t venue = device->second;
      const std::int64_t t = sqlite3_column_int64(s, 1);
      const bool note = query.notes && sqlite3_column_type(s, 9) != SQLITE_NULL && sqlite3_column_bytes(s, 9) > 0;
      if (!note) {
        key.clear();
        add_int(venue);
        add_int(fold_time(t, fold));
        add_int(sqlite3_column_type(s, 2) == SQLITE_NULL ? std::numeric_limits<std::int64_t>::min() : sqlite3_column_int64(s, 2));
        add_int(sqlite3_column_int64(s, 3));
        add_int(sqlite3_column_int64(s, 4));
        for (int col = 5; col <= 8; ++col) {
          // A null and an empty value differ: the type comes first.
          key += static_cast<char>('0' + sqlite3_column_type(s, col));
          key += column_view(s, col);
          key += '\0';
        }
        auto [it, made] = folded.try_emplace(key, out.size());
        if (!made) {
          out[it->second].count += 1;
          continue;
        }
      }
      report::AnswerRow r;
      r.venue = venue_names[venue];
      if (sqlite3_column_type(s, 2) != SQLITE_NULL) r.score = sqlite3_column_int(s, 2);
      r.set_version = sqlite3_column_int(s, 3);
      r.rapid_repeat = sqlite3_column_int(s, 4) != 0;
      r.set_id = sql::column_text(s, 5);
      r.question_id = sql::column_text(s, 6);
      r.language = sql::column_text(s, 7);
      if (sqlite3_column_type(s, 8) != SQLITE_NULL) r.choice = sql::column_text(s, 8);
      if (note) {
        r.text = sql::column_text(s, 9);
        r.session_id = sql::column_text(s, 10);
        r.answer_id = sql::column_text(s, 11);
        r.recorded_at = t;
        notes = true;
      } else {
        r.recorded_at = fold_time(t, fold);
      }
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return fail(rc, "read answers for a report");
    if (!notes) return out;

    // The scores of the visits that left a note, for the notes' bands.
    Stmt v(db_, (std::string("SELECT a.set_id, a.question_id, a.session_id, a.score, a.device_id, ") + kAnswerTime +
                 " AS t FROM answers a WHERE a.score IS NOT NULL AND (?1 IS NULL OR a.device_id IN (SELECT d.id FROM devices d JOIN "
                 "venues v ON v.id = d.venue_id WHERE v.name = ?1)) AND t >= ?2 AND t < ?3 AND a.session_id IN (SELECT a.session_id "
                 "FROM answers a WHERE " +
                 kPicked + " AND a.text <> '')")
                    .c_str());
    bind(v.get());
    while ((rc = sqlite3_step(v.get())) == SQLITE_ROW) {
      sqlite3_stmt* s = v.get();
      auto device = venue_of.find(column_view(s, 4));
      if (device == venue_of.end()) continue;
      report::AnswerRow r;
      r.set_id = sql::column_text(s, 0);
      r.question_id = sql::column_text(s, 1);
      r.session_id = sql::column_text(s, 2);
      r.score = sqlite3_column_int(s, 3);
      r.venue = venue_names[device->second];
      r.recorded_at = sqlite3_column_int64(s, 5);
      r.count = 0;
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return fail(rc, "read answers for a report");
    return out;
  }

  Result<std::vector<NoteModeration>> note_moderation() override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "SELECT answer_id, read_back, shown_text, hidden, hidden_reason, changed_by, changed_at FROM note_moderation");
    std::vector<NoteModeration> out;
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      NoteModeration m;
      m.answer_id = sql::column_text(q.get(), 0);
      m.read_back = sqlite3_column_int(q.get(), 1) != 0;
      if (sqlite3_column_type(q.get(), 2) != SQLITE_NULL) m.shown_text = sql::column_text(q.get(), 2);
      m.hidden = sqlite3_column_int(q.get(), 3) != 0;
      m.hidden_reason = sql::column_text(q.get(), 4);
      m.changed_by = sql::column_text(q.get(), 5);
      m.changed_at = sqlite3_column_int64(q.get(), 6);
      out.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) return fail(rc, "read the moderation of notes");
    return out;
  }

  Status set_read_back(const std::string& answer_id, bool read_back, const std::string& by, std::int64_t at) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_,
           "INSERT INTO note_moderation(answer_id, read_back, changed_by, changed_at) VALUES(?1, ?2, ?3, ?4) "
           "ON CONFLICT(answer_id) DO UPDATE SET read_back = ?2, changed_by = ?3, changed_at = ?4");
    sql::bind_text(q.get(), 1, answer_id);
    sqlite3_bind_int(q.get(), 2, read_back ? 1 : 0);
    sql::bind_text(q.get(), 3, by);
    sqlite3_bind_int64(q.get(), 4, at);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "mark a note read back");
    return {};
  }

  Status set_shown_text(const std::string& answer_id, const std::optional<std::string>& text, const std::string& by,
                        std::int64_t at) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_,
           "INSERT INTO note_moderation(answer_id, shown_text, changed_by, changed_at) VALUES(?1, ?2, ?3, ?4) "
           "ON CONFLICT(answer_id) DO UPDATE SET shown_text = ?2, changed_by = ?3, changed_at = ?4");
    sql::bind_text(q.get(), 1, answer_id);
    if (text) sql::bind_text(q.get(), 2, *text);  // else NULL
    sql::bind_text(q.get(), 3, by);
    sqlite3_bind_int64(q.get(), 4, at);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "edit a note");
    return {};
  }

  Status set_hidden(const std::string& answer_id, bool hidden, const std::string& reason, const std::string& by, std::int64_t at) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_,
           "INSERT INTO note_moderation(answer_id, hidden, hidden_reason, changed_by, changed_at) VALUES(?1, ?2, ?3, ?4, ?5) "
           "ON CONFLICT(answer_id) DO UPDATE SET hidden = ?2, hidden_reason = ?3, changed_by = ?4, changed_at = ?5");
    sql::bind_text(q.get(), 1, answer_id);
    sqlite3_bind_int(q.get(), 2, hidden ? 1 : 0);
    sql::bind_text(q.get(), 3, hidden ? reason : std::string());
    sql::bind_text(q.get(), 4, by);
    sqlite3_bind_int64(q.get(), 5, at);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, hidden ? "hide a note" : "show a hidden note");
    return {};
  }

  Result<std::optional<std::string>> note_text(const std::string& answer_id) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "SELECT text FROM answers WHERE uuid = ?1 AND text <> ''");
    sql::bind_text(q.get(), 1, answer_id);
    int rc = sqlite3_step(q.get());
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return fail(rc, "read a note");
    return std::optional<std::string>(sql::column_text(q.get(), 0));
  }

  Result<std::int64_t> add_card(const StoredCard& c) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "INSERT INTO readback_cards(venue, body, notes, made_by, made_at) VALUES(?1, ?2, ?3, ?4, ?5)");
    sql::bind_text(q.get(), 1, c.venue);
    sql::bind_text(q.get(), 2, c.body);
    sql::bind_text(q.get(), 3, c.notes);
    sql::bind_text(q.get(), 4, c.made_by);
    sqlite3_bind_int64(q.get(), 5, c.made_at);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "add a read-back card");
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
  }

  Result<bool> withdraw_card(std::int64_t id, const std::string& by, std::int64_t at) override {
    std::lock_guard lock(mutex_);
    Stmt q(db_, "UPDATE readback_cards SET withdrawn_at = ?2, withdrawn_by = ?3 WHERE id = ?1 AND withdrawn_at = 0");
    sqlite3_bind_int64(q.get(), 1, id);
    sqlite3_bind_int64(q.get(), 2, at);
    sql::bind_text(q.get(), 3, by);
    if (int rc = sql::run(q.get()); rc != SQLITE_OK) return fail(rc, "withdraw a read-back card");
    return sqlite3_changes(db_) > 0;
  }

  Result<std::vector<StoredCard>> cards() override {
    std::lock_guard lock(mutex_);
    Stmt q(
        db_,
        "SELECT id, venue, body, notes, made_by, made_at, withdrawn_at, withdrawn_by FROM readback_cards ORDER BY made_at DESC, id DESC");
    std::vector<StoredCard> out;
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      StoredCard c;
      c.id = sqlite3_column_int64(q.get(), 0);
      c.venue = sql::column_text(q.get(), 1);
      c.body = sql::column_text(q.get(), 2);
      c.notes = sql::column_text(q.get(), 3);
      c.made_by = sql::column_text(q.get(), 4);
      c.made_at = sqlite3_column_int64(q.get(), 5);
      c.withdrawn_at = sqlite3_column_int64(q.get(), 6);
      c.withdrawn_by = sql::column_text(q.get(), 7);
      out.push_back(std::move(c));
    }
    if (rc != SQLITE_DONE) return fail(rc, "read the read-back cards");
    return out;
  }

  Result<CardDelivery> card_delivery(const std::string& venue, const std::string& content_hash, const CardSigner& sign) override {
    std::lock_guard lock(mutex_);
    sql::Transaction tx(db_);
    if (!tx.ok()) return fail(tx.begin_rc(), "make a venue's card file");
    {
      Stmt q(db_, "SELECT serial, content_hash, signed_file FROM card_deliveries WHERE venue = ?1");
      sql::bind_text(q.get(), 1, venue);
      int rc = sqlite3_step(q.get());
      if (rc == SQLITE_ROW && sql::column_text(q.get(), 1) == content_hash)
        return CardDelivery{sqlite3_column_int64(q.get(), 0), content_hash, sql::column_text(q.get(), 2)};
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(rc, "make a venue's card file");
    }
    auto last = sql::scalar(db_, "SELECT coalesce(max(serial), 0) FROM card_deliveries");
    if (!last) return fail(SQLITE_ERROR, "make a venue's card file");
    const std::int64_t serial = *last + 1;
    auto file = sign(serial);
    if (!file) return file.status();
    Stmt w(db_,
           "INSERT INTO card_deliveries(venue, serial, content_hash, signed_file) VALUES(?1, ?2, ?3, ?4) "
           "ON CONFLICT(venue) DO UPDATE SET serial = ?2, content_hash = ?3, signed_file = ?4");
    sql::bind_text(w.get(), 1, venue);
    sqlite3_bind_int64(w.get(), 2, serial);
    sql::bind_text(w.get(), 3, content_hash);
    sql::bind_text(w.get(), 4, *file);
    if (int rc = sql::run(w.get()); rc != SQLITE_OK) return fail(rc, "make a venue's card file");
    if (int rc = tx.commit(); rc != SQLITE_OK) return fail(rc, "make a venue's card file");
    return CardDelivery{serial, content_hash, *file};
  }

 private:
  Status fail(int rc, std::string_view what) const { return sql::failure(db_, rc, what, path_); }

  int version_locked() {
    auto v = sql::scalar(db_, "SELECT coalesce(max(version), 0) FROM admin_schema");
    return v ? static_cast<int>(*v) : 0;
  }

  void migrate() {
    sql::Transaction tx(db_);
    if (!tx.ok()) throw std::runtime_error(fail(tx.begin_rc(), "update the admin tables").message());
    if (int rc = sql::exec(db_, "CREATE TABLE IF NOT EXISTS admin_schema(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        rc != SQLITE_OK)
      throw std::runtime_error(fail(rc, "update the admin tables").message());
    int from = version_locked();  // read inside the transaction: a second process finds the work done
    if (from > kLatest)
      throw std::runtime_error("The admin tables in " + path_ + " are at version " + std::to_string(from) +
                               ", newer than this tenpoint-server knows (" + std::to_string(kLatest) + "): upgrade it");
    for (const Migration& m : kMigrations) {
      if (m.version <= from) continue;
      if (int rc = sql::exec(db_, m.sql); rc != SQLITE_OK)
        throw std::runtime_error(fail(rc, "apply admin migration " + std::to_string(m.version)).message());
      if (int rc = sql::exec(db_, "INSERT INTO admin_schema(version, applied_at) VALUES(" + std::to_string(m.version) + ", unixepoch())");
          rc != SQLITE_OK)
        throw std::runtime_error(fail(rc, "update the admin tables").message());
    }
    if (int rc = tx.commit(); rc != SQLITE_OK) throw std::runtime_error(fail(rc, "update the admin tables").message());
  }

  Result<std::vector<AdminAccount>> read_accounts(const std::string* only) {
    Stmt q(db_,
           "SELECT a.name, a.password_hash, a.role, a.created_at, v.venue FROM admin_accounts a "
           "LEFT JOIN admin_account_venues v ON v.account = a.name WHERE ?1 IS NULL OR a.name = ?1 ORDER BY a.name, v.venue");
    if (only) sql::bind_text(q.get(), 1, *only);
    std::vector<AdminAccount> out;
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
      std::string name = sql::column_text(q.get(), 0);
      if (out.empty() || out.back().name != name) {
        AdminAccount a;
        a.name = name;
        a.password_hash = sql::column_text(q.get(), 1);
        a.role = parse_role(sql::column_text(q.get(), 2)).value_or(AdminRole::viewer);
        a.created_at = sqlite3_column_int64(q.get(), 3);
        out.push_back(std::move(a));
      }
      if (sqlite3_column_type(q.get(), 4) != SQLITE_NULL) out.back().venues.push_back(sql::column_text(q.get(), 4));
    }
    if (rc != SQLITE_DONE) return fail(rc, "read the admin accounts");
    return out;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<AdminStore> open_sqlite_admin_store(const std::string& path) { return std::make_unique<SqliteAdminStore>(path); }

}  // namespace tp::server
