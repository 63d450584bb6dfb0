// The admin store in the server's PostgreSQL database (admin_store.h). Its
// own pool of connections and its own schema version (admin_schema),
// migrated in one transaction under an advisory lock of its own, so servers
// starting together apply each migration once.
#include <algorithm>
#include <stdexcept>

#include "admin_store.h"
#include "pg_connection.h"

namespace tp::server {

namespace {

using pg::Lease;
using pg::Params;
using pg::Res;

// The answers an AnswerQuery picks (`a` joined to its kiosk `d`);
// parameters 1 to 5 are its venue, from, until, set and question.
constexpr const char* kPicked =
    "($1::text IS NULL OR d.venue_id = (SELECT id FROM venues WHERE name = $1)) AND coalesce(a.corrected_at, a.recorded_at) "
    ">= $2::bigint AND coalesce(a.corrected_at, a.recorded_at) < $3::bigint AND ($4::text IS NULL OR a.set_id = $4) AND "
    "($5::text IS NULL OR a.question_id = $5)";

struct Migration {
  int version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE admin_accounts(
  name text PRIMARY KEY,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'viewer')),
  created_at bigint NOT NULL
);
CREATE TABLE admin_account_venues(
  account text NOT NULL REFERENCES admin_accounts(name) ON DELETE CASCADE,
  venue text NOT NULL,
  PRIMARY KEY (account, venue)
);
CREATE TABLE admin_sessions(
  id_hash text PRIMARY KEY,
  account text NOT NULL,
  address text NOT NULL,
  created_at bigint NOT NULL,
  last_seen bigint NOT NULL
);
CREATE INDEX admin_sessions_account ON admin_sessions(account);
CREATE TABLE admin_login_throttle(
  key text PRIMARY KEY,
  failures integer NOT NULL,
  last_failure bigint NOT NULL,
  locked_until bigint NOT NULL
);
CREATE TABLE admin_audit(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at bigint NOT NULL,
  account text NOT NULL,
  address text NOT NULL,
  action text NOT NULL,
  detail text NOT NULL
);
-- Appended to only.
CREATE FUNCTION admin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER admin_audit_append_only BEFORE UPDATE OR DELETE ON admin_audit
  FOR EACH ROW EXECUTE FUNCTION admin_audit_append_only();
)sql"},
    // Moderation of notes: one row per moderated answer (answers.uuid),
    // beside the answer, which is never changed.
    {2, R"sql(
CREATE TABLE note_moderation(
  answer_id text PRIMARY KEY,
  read_back boolean NOT NULL DEFAULT false,
  shown_text text,
  hidden boolean NOT NULL DEFAULT false,
  hidden_reason text NOT NULL DEFAULT '',
  changed_by text NOT NULL,
  changed_at bigint NOT NULL
);
)sql"},
    // Read-back cards, and the signed file last made for each venue.
    {3, R"sql(
CREATE TABLE readback_cards(
  id bigserial PRIMARY KEY,
  venue text NOT NULL,
  body text NOT NULL,
  notes text NOT NULL,
  made_by text NOT NULL,
  made_at bigint NOT NULL,
  withdrawn_at bigint NOT NULL DEFAULT 0,
  withdrawn_by text NOT NULL DEFAULT ''
);
CREATE TABLE card_deliveries(
  venue text PRIMARY KEY,
  serial bigint NOT NULL,
  content_hash text NOT NULL,
  signed_file text NOT NULL
);
)sql"},
};

constexpr int kLatest = 3;
// Makes card files one at a time across servers: "tpcards" in ASCII.
constexpr const char* kCardSerialLockKey = "32774669437396083";  // 0x74706361726473
// Apart from the server store's lock: the bytes of "tpadmin" in ASCII.
constexpr const char* kAdminMigrationLockKey = "32774660897466734";  // 0x747061646D696E

class PgAdminStore final : public AdminStore {
 public:
  PgAdminStore(const std::string& url, int connections) : pool_(url, pg::PoolOptions{.connections = connections}) {
    auto migrated = pool_.run("update the admin tables", [](Lease& db) { return migrate(db); });
    if (!migrated) throw std::runtime_error(migrated.message());
    version_ = *migrated;
  }

  int schema_version() override { return version_; }

  Status add_account(const AdminAccount& a) override {
    return pool_.run("add an admin account", [&](Lease& db) -> Status {
      if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "add an admin account");
      Res r =
          db.exec("INSERT INTO admin_accounts(name, password_hash, role, created_at) VALUES($1, $2, $3, $4::bigint) ON CONFLICT DO NOTHING",
                  Params().text(a.name).text(a.password_hash).text(role_name(a.role)).int64(a.created_at));
      if (!r.ok()) return rollback(db, r, "add an admin account");
      if (r.affected() == 0) {
        db.exec("ROLLBACK");
        return Status::failure(Fault::invalid_input, "An admin account named " + a.name + " exists already");
      }
      for (const auto& venue : a.venues)
        if (Res v = db.exec("INSERT INTO admin_account_venues(account, venue) VALUES($1, $2) ON CONFLICT DO NOTHING",
                            Params().text(a.name).text(venue));
            !v.ok())
          return rollback(db, v, "add an admin account");
      if (Res c = db.exec("COMMIT"); !c.ok()) return db.fail(c, "add an admin account");
      return {};
    });
  }

  Result<bool> remove_account(const std::string& name) override {
    return pool_.run("remove an admin account", [&](Lease& db) -> Result<bool> {
      if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "remove an admin account");
      Res r = db.exec("DELETE FROM admin_accounts WHERE name = $1", Params().text(name));
      if (!r.ok()) return rollback(db, r, "remove an admin account");
      bool removed = r.affected() > 0;
      if (Res e = db.exec("DELETE FROM admin_sessions WHERE account = $1", Params().text(name)); !e.ok())
        return rollback(db, e, "remove an admin account");
      if (Res c = db.exec("COMMIT"); !c.ok()) return db.fail(c, "remove an admin account");
      return removed;
    });
  }

  Result<std::vector<AdminAccount>> accounts() override { return read_accounts(nullptr); }

  Result<std::optional<AdminAccount>> account(const std::string& name) override {
    auto all = read_accounts(&name);
    if (!all) return all.status();
    if (all->empty()) return std::optional<AdminAccount>();
    return std::optional<AdminAccount>(std::move(all->front()));
  }

  Status add_session(const AdminSession& s) override {
    return write("start an admin session",
                 "INSERT INTO admin_sessions(id_hash, account, address, created_at, last_seen) VALUES($1, $2, $3, $4::bigint, $5::bigint)",
                 Params().text(s.id_hash).text(s.account).text(s.address).int64(s.created_at).int64(s.last_seen));
  }

  Result<std::optional<AdminSession>> session(const std::string& id_hash) override {
    return pool_.run("read an admin session", [&](Lease& db) -> Result<std::optional<AdminSession>> {
      Res r =
          db.exec("SELECT id_hash, account, address, created_at, last_seen FROM admin_sessions WHERE id_hash = $1", Params().text(id_hash));
      if (!r.ok()) return db.fail(r, "read an admin session");
      if (r.rows() == 0) return std::optional<AdminSession>();
      return std::optional<AdminSession>(AdminSession{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.int64(0, 3), r.int64(0, 4)});
    });
  }

  Status touch_session(const std::string& id_hash, std::int64_t now) override {
    return write("keep an admin session", "UPDATE admin_sessions SET last_seen = greatest(last_seen, $2::bigint) WHERE id_hash = $1",
                 Params().text(id_hash).int64(now));
  }

  Status end_session(const std::string& id_hash) override {
    return write("end an admin session", "DELETE FROM admin_sessions WHERE id_hash = $1", Params().text(id_hash));
  }

  Status end_stale_sessions(std::int64_t idle_before, std::int64_t made_before) override {
    return write("end old admin sessions", "DELETE FROM admin_sessions WHERE last_seen < $1::bigint OR created_at < $2::bigint",
                 Params().int64(idle_before).int64(made_before));
  }

  Result<LoginThrottle> throttle(const std::string& key) override {
    return pool_.run("read failed sign-ins", [&](Lease& db) -> Result<LoginThrottle> {
      Res r = db.exec("SELECT failures, last_failure, locked_until FROM admin_login_throttle WHERE key = $1", Params().text(key));
      if (!r.ok()) return db.fail(r, "read failed sign-ins");
      if (r.rows() == 0) return LoginThrottle{};
      return LoginThrottle{static_cast<int>(r.int64(0, 0)), r.int64(0, 1), r.int64(0, 2)};
    });
  }

  Status set_throttle(const std::string& key, const LoginThrottle& t) override {
    return write(
        "record a failed sign-in",
        "INSERT INTO admin_login_throttle(key, failures, last_failure, locked_until) VALUES($1, $2::integer, $3::bigint, $4::bigint) "
        "ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, last_failure = EXCLUDED.last_failure, "
        "locked_until = EXCLUDED.locked_until",
        Params().text(key).int64(t.failures).int64(t.last_failure).int64(t.locked_until));
  }

  Status clear_throttle(const std::string& key) override {
    return write("clear failed sign-ins", "DELETE FROM admin_login_throttle WHERE key = $1", Params().text(key));
  }

  Status audit(const AuditEntry& e) override {
    return write("write the audit log", "INSERT INTO admin_audit(at, account, address, action, detail) VALUES($1::bigint, $2, $3, $4, $5)",
                 Params().int64(e.at).text(e.account).text(e.address).text(e.action).text(e.detail));
  }

  Result<std::vector<AuditEntry>> audit_log(int limit) override {
    return pool_.run("read the audit log", [&](Lease& db) -> Result<std::vector<AuditEntry>> {
      Res r = db.exec("SELECT id, at, account, address, action, detail FROM admin_audit ORDER BY id DESC LIMIT $1::integer",
                      Params().int64(limit));
      if (!r.ok()) return db.fail(r, "read the audit log");
      std::vector<AuditEntry> out;
      for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), r.int64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5)});
      return out;
    });
  }

  Result<std::vector<std::string>> venues() override {
    return pool_.run("read the venues", [&](Lease& db) -> Result<std::vector<std::string>> {
      Res r = db.exec("SELECT name FROM venues ORDER BY name");
      if (!r.ok()) return db.fail(r, "read the venues");
      std::vector<std::string> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
      return out;
    });
  }

  Result<std::vector<report::AnswerRow>> answer_rows(const AnswerQuery& query) override {
    return pool_.run("read answers for a report", [&](Lease& db) -> Result<std::vector<report::AnswerRow>> {
      auto params = [&] {
        return Params()
            .text_or_null(query.venue)
            .int64(query.from)
            .int64(query.until)
            .text_or_null(query.set_id)
            .text_or_null(query.question_id);
      };
      // One snapshot for both reads. The planner cannot tell how many
      // answers the range on the computed time keeps, guesses few and sorts
      // to group them, several times slower here than hashing; the hash
      // table gets the memory to stay off disk.
      if (Res r = db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !r.ok()) return db.fail(r, "read answers for a report");
      if (Res r = db.exec("SET LOCAL enable_sort = off"); !r.ok()) return rollback(db, r, "read answers for a report");
      if (Res r = db.exec("SET LOCAL work_mem = '64MB'"); !r.ok()) return rollback(db, r, "read answers for a report");

      // A note keeps a row of its own: its id is in the key.
      static const std::string kWithNotes =
          std::string(
              "SELECT p.set_id, p.set_version, p.question_id, v.name, p.language, p.score, p.choice, p.rapid_repeat, p.note, "
              "p.session_id, p.uuid, p.at, count(*) FROM (SELECT a.set_id, a.set_version, a.question_id, d.venue_id, a.language, "
              "a.score, a.choice, a.rapid_repeat, CASE WHEN a.text <> '' THEN a.text END AS note, CASE WHEN a.text <> '' THEN "
              "a.session_id END AS session_id, CASE WHEN a.text <> '' THEN a.uuid END AS uuid, CASE WHEN a.text <> '' THEN "
              "coalesce(a.corrected_at, a.recorded_at) ELSE coalesce(a.corrected_at, a.recorded_at) - mod(coalesce(a.corrected_at, "
              "a.recorded_at), $6::bigint) END AS at FROM answers a JOIN devices d ON d.id = a.device_id WHERE ") +
          kPicked +
          ") AS p JOIN venues v ON v.id = p.venue_id GROUP BY p.set_id, p.set_version, p.question_id, v.name, p.language, p.score, "
          "p.choice, p.rapid_repeat, p.note, p.session_id, p.uuid, p.at";
      static const std::string kWithoutNotes =
          std::string(
              "SELECT p.set_id, p.set_version, p.question_id, v.name, p.language, p.score, p.choice, p.rapid_repeat, NULL, NULL, "
              "NULL, p.at, p.n FROM (SELECT a.set_id, a.set_version, a.question_id, d.venue_id, a.language, a.score, a.choice, "
              "a.rapid_repeat, coalesce(a.corrected_at, a.recorded_at) - mod(coalesce(a.corrected_at, a.recorded_at), $6::bigint) AS "
              "at, count(*) AS n FROM answers a JOIN devices d ON d.id = a.device_id WHERE ") +
          kPicked +
          " GROUP BY a.set_id, a.set_version, a.question_id, d.venue_id, a.language, a.score, a.choice, a.rapid_repeat, at) AS p "
          "JOIN venues v ON v.id = p.venue_id";
      Res r = db.exec((query.notes ? kWithNotes : kWithoutNotes).c_str(), params().int64(std::max<std::int64_t>(query.fold_seconds, 1)));
      if (!r.ok()) return rollback(db, r, "read answers for a report");
      std::vector<report::AnswerRow> out;
      out.reserve(static_cast<std::size_t>(r.rows()));
      bool notes = false;
      for (int i = 0; i < r.rows(); ++i) {
        report::AnswerRow row;
        row.set_id = r.text(i, 0);
        row.set_version = static_cast<int>(r.int64(i, 1));
        row.question_id = r.text(i, 2);
        row.venue = r.text(i, 3);
        row.language = r.text(i, 4);
        if (!r.is_null(i, 5)) row.score = static_cast<int>(r.int64(i, 5));
        if (!r.is_null(i, 6)) row.choice = r.text(i, 6);
        row.rapid_repeat = r.boolean(i, 7);
        if (!r.is_null(i, 8)) {
          row.text = r.text(i, 8);
          row.session_id = r.text(i, 9);
          row.answer_id = r.text(i, 10);
          notes = true;
        }
        row.recorded_at = r.int64(i, 11);
        row.count = r.int64(i, 12);
        out.push_back(std::move(row));
      }

      // The scores of the visits that left a note, for the notes' bands.
      if (notes) {
        static const std::string kVisits =
            std::string(
                "SELECT a.set_id, a.question_id, a.session_id, a.score, vn.name, coalesce(a.corrected_at, a.recorded_at) "
                "FROM answers a JOIN devices d ON d.id = a.device_id JOIN venues vn ON vn.id = d.venue_id "
                "WHERE a.score IS NOT NULL AND ($1::text IS NULL OR vn.name = $1) AND coalesce(a.corrected_at, a.recorded_at) >= "
                "$2::bigint "
                "AND coalesce(a.corrected_at, a.recorded_at) < $3::bigint AND a.session_id IN (SELECT a.session_id FROM answers a JOIN "
                "devices d ON d.id = a.device_id WHERE ") +
            kPicked + " AND a.text <> '')";
        Res v = db.exec(kVisits.c_str(), params());
        if (!v.ok()) return rollback(db, v, "read answers for a report");
        for (int i = 0; i < v.rows(); ++i) {
          report::AnswerRow row;
          row.set_id = v.text(i, 0);
          row.question_id = v.text(i, 1);
          row.session_id = v.text(i, 2);
          row.score = static_cast<int>(v.int64(i, 3));
          row.venue = v.text(i, 4);
          row.recorded_at = v.int64(i, 5);
          row.count = 0;
          out.push_back(std::move(row));
        }
      }
      if (Res c = db.exec("COMMIT"); !c.ok()) return db.fail(c, "read answers for a report");
      return out;
    });
  }

  Result<std::vector<NoteModeration>> note_moderation() override {
    return pool_.run("read the moderation of notes", [&](Lease& db) -> Result<std::vector<NoteModeration>> {
      Res r = db.exec("SELECT answer_id, read_back, shown_text, hidden, hidden_reason, changed_by, changed_at FROM note_moderation");
      if (!r.ok()) return db.fail(r, "read the moderation of notes");
      std::vector<NoteModeration> out;
      for (int i = 0; i < r.rows(); ++i) {
        NoteModeration m;
        m.answer_id = r.text(i, 0);
        m.read_back = r.boolean(i, 1);
        if (!r.is_null(i, 2)) m.shown_text = r.text(i, 2);
        m.hidden = r.boolean(i, 3);
        m.hidden_reason = r.text(i, 4);
        m.changed_by = r.text(i, 5);
        m.changed_at = r.int64(i, 6);
        out.push_back(std::move(m));
      }
      return out;
    });
  }

  Status set_read_back(const std::string& answer_id, bool read_back, const std::string& by, std::int64_t at) override {
    return write("mark a note read back",
                 "INSERT INTO note_moderation(answer_id, read_back, changed_by, changed_at) VALUES($1, $2::boolean, $3, $4::bigint) "
                 "ON CONFLICT (answer_id) DO UPDATE SET read_back = EXCLUDED.read_back, changed_by = EXCLUDED.changed_by, "
                 "changed_at = EXCLUDED.changed_at",
                 Params().text(answer_id).boolean(read_back).text(by).int64(at));
  }

  Status set_shown_text(const std::string& answer_id, const std::optional<std::string>& text, const std::string& by,
                        std::int64_t at) override {
    return write("edit a note",
                 "INSERT INTO note_moderation(answer_id, shown_text, changed_by, changed_at) VALUES($1, $2, $3, $4::bigint) "
                 "ON CONFLICT (answer_id) DO UPDATE SET shown_text = EXCLUDED.shown_text, changed_by = EXCLUDED.changed_by, "
                 "changed_at = EXCLUDED.changed_at",
                 Params().text(answer_id).text_or_null(text).text(by).int64(at));
  }

  Status set_hidden(const std::string& answer_id, bool hidden, const std::string& reason, const std::string& by, std::int64_t at) override {
    return write(hidden ? "hide a note" : "show a hidden note",
                 "INSERT INTO note_moderation(answer_id, hidden, hidden_reason, changed_by, changed_at) "
                 "VALUES($1, $2::boolean, $3, $4, $5::bigint) ON CONFLICT (answer_id) DO UPDATE SET hidden = EXCLUDED.hidden, "
                 "hidden_reason = EXCLUDED.hidden_reason, changed_by = EXCLUDED.changed_by, changed_at = EXCLUDED.changed_at",
                 Params().text(answer_id).boolean(hidden).text(hidden ? reason : std::string()).text(by).int64(at));
  }

  Result<std::optional<std::string>> note_text(const std::string& answer_id) override {
    return pool_.run("read a note", [&](Lease& db) -> Result<std::optional<std::string>> {
      Res r = db.exec("SELECT text FROM answers WHERE uuid = $1 AND text <> ''", Params().text(answer_id));
      if (!r.ok()) return db.fail(r, "read a note");
      if (r.rows() == 0) return std::optional<std::string>();
      return std::optional<std::string>(r.text(0, 0));
    });
  }

  Result<std::int64_t> add_card(const StoredCard& c) override {
    return pool_.run("add a read-back card", [&](Lease& db) -> Result<std::int64_t> {
      Res r = db.exec("INSERT INTO readback_cards(venue, body, notes, made_by, made_at) VALUES($1, $2, $3, $4, $5::bigint) RETURNING id",
                      Params().text(c.venue).text(c.body).text(c.notes).text(c.made_by).int64(c.made_at));
      if (!r.ok()) return db.fail(r, "add a read-back card");
      return r.int64(0, 0);
    });
  }

  Result<bool> withdraw_card(std::int64_t id, const std::string& by, std::int64_t at) override {
    return pool_.run("withdraw a read-back card", [&](Lease& db) -> Result<bool> {
      Res r = db.exec("UPDATE readback_cards SET withdrawn_at = $2::bigint, withdrawn_by = $3 WHERE id = $1::bigint AND withdrawn_at = 0",
                      Params().int64(id).int64(at).text(by));
      if (!r.ok()) return db.fail(r, "withdraw a read-back card");
      return r.affected() > 0;
    });
  }

  Result<std::vector<StoredCard>> cards() override {
    return pool_.run("read the read-back cards", [&](Lease& db) -> Result<std::vector<StoredCard>> {
      Res r = db.exec(
          "SELECT id, venue, body, notes, made_by, made_at, withdrawn_at, withdrawn_by FROM readback_cards ORDER BY made_at DESC, id DESC");
      if (!r.ok()) return db.fail(r, "read the read-back cards");
      std::vector<StoredCard> out;
      for (int i = 0; i < r.rows(); ++i) {
        StoredCard c;
        c.id = r.int64(i, 0);
        c.venue = r.text(i, 1);
        c.body = r.text(i, 2);
        c.notes = r.text(i, 3);
        c.made_by = r.text(i, 4);
        c.made_at = r.int64(i, 5);
        c.withdrawn_at = r.int64(i, 6);
        c.withdrawn_by = r.text(i, 7);
        out.push_back(std::move(c));
      }
      return out;
    });
  }

  Result<CardDelivery> card_delivery(const std::string& venue, const std::string& content_hash, const CardSigner& sign) override {
    const char* what = "make a venue's card file";
    return pool_.run(what, [&](Lease& db) -> Result<CardDelivery> {
      if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, what);
      if (Res r = db.exec("SELECT pg_advisory_xact_lock($1::bigint)", Params().text(kCardSerialLockKey)); !r.ok())
        return rollback(db, r, what);
      Res held = db.exec("SELECT serial, content_hash, signed_file FROM card_deliveries WHERE venue = $1", Params().text(venue));
      if (!held.ok()) return rollback(db, held, what);
      if (held.rows() == 1 && held.text(0, 1) == content_hash) {
        CardDelivery d{held.int64(0, 0), content_hash, held.text(0, 2)};
        db.exec("ROLLBACK");
        return d;
      }
      Res last = db.exec("SELECT coalesce(max(serial), 0) FROM card_deliveries");
      if (!last.ok()) return rollback(db, last, what);
      const std::int64_t serial = last.int64(0, 0) + 1;
      auto file = sign(serial);
      if (!file) {
        db.exec("ROLLBACK");
        return file.status();
      }
      Res w = db.exec(
          "INSERT INTO card_deliveries(venue, serial, content_hash, signed_file) VALUES($1, $2::bigint, $3, $4) "
          "ON CONFLICT (venue) DO UPDATE SET serial = EXCLUDED.serial, content_hash = EXCLUDED.content_hash, "
          "signed_file = EXCLUDED.signed_file",
          Params().text(venue).int64(serial).text(content_hash).text(*file));
      if (!w.ok()) return rollback(db, w, what);
      if (Res c = db.exec("COMMIT"); !c.ok()) return db.fail(c, what);
      return CardDelivery{serial, content_hash, *file};
    });
  }

 private:
  static Status rollback(Lease& db, const Res& r, std::string_view what) {
    Status failed = db.fail(r, what);
    db.exec("ROLLBACK");
    return failed;
  }

  static Result<int> migrate(Lease& db) {
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "update the admin tables");
    // Held until COMMIT or ROLLBACK; a second server waits here, then finds the work done.
    if (Res r = db.exec("SELECT pg_advisory_xact_lock($1::bigint)", Params().text(kAdminMigrationLockKey)); !r.ok())
      return rollback(db, r, "take the admin migration lock");
    if (Res r =
            db.exec("CREATE TABLE IF NOT EXISTS admin_schema(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        !r.ok())
      return rollback(db, r, "create the admin_schema table");
    Res current = db.exec("SELECT coalesce(max(version), 0) FROM admin_schema");
    if (!current.ok()) return rollback(db, current, "read the admin schema version");
    int from = static_cast<int>(current.int64(0, 0));
    if (from > kLatest) {
      db.exec("ROLLBACK");
      return db.fail("update the admin tables", "they are at version " + std::to_string(from) +
                                                    ", newer than this tenpoint-server knows (" + std::to_string(kLatest) +
                                                    "); upgrade tenpoint-server");
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= from) continue;
      if (Res r = db.exec_script(m.sql); !r.ok()) return rollback(db, r, "apply admin migration " + std::to_string(m.version));
      if (Res r = db.exec("INSERT INTO admin_schema(version) VALUES($1::integer)", Params().int64(m.version)); !r.ok())
        return rollback(db, r, "record admin migration " + std::to_string(m.version));
    }
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "commit the admin migrations");
    return kLatest;
  }

  Status write(std::string_view what, const char* sql, const Params& params) {
    return pool_.run(what, [&](Lease& db) -> Status {
      if (Res r = db.exec(sql, params); !r.ok()) return db.fail(r, what);
      return {};
    });
  }

  Result<std::vector<AdminAccount>> read_accounts(const std::string* only) {
    return pool_.run("read the admin accounts", [&](Lease& db) -> Result<std::vector<AdminAccount>> {
      Params p;
      if (only)
        p.text(*only);
      else
        p.null();
      Res r = db.exec(
          "SELECT a.name, a.password_hash, a.role, a.created_at, v.venue FROM admin_accounts a "
          "LEFT JOIN admin_account_venues v ON v.account = a.name WHERE $1::text IS NULL OR a.name = $1 ORDER BY a.name, v.venue",
          p);
      if (!r.ok()) return db.fail(r, "read the admin accounts");
      std::vector<AdminAccount> out;
      for (int i = 0; i < r.rows(); ++i) {
        std::string name = r.text(i, 0);
        if (out.empty() || out.back().name != name) {
          AdminAccount a;
          a.name = name;
          a.password_hash = r.text(i, 1);
          a.role = parse_role(r.text(i, 2)).value_or(AdminRole::viewer);
          a.created_at = r.int64(i, 3);
          out.push_back(std::move(a));
        }
        if (!r.is_null(i, 4)) out.back().venues.push_back(r.text(i, 4));
      }
      return out;
    });
  }

  pg::Pool pool_;
  int version_ = 0;
};

}  // namespace

std::unique_ptr<AdminStore> open_pg_admin_store(const std::string& url, int connections) {
  return std::make_unique<PgAdminStore>(url, connections);
}

}  // namespace tp::server
