// The server's SQLite store. Invariants are listed in sqlite_server_store.h.
#include "sqlite_server_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "await_reply.h"
#include "question_set_versions.h"
#include "sqlite_util.h"

namespace tp::server {

using namespace sql;

namespace {

// Forward-only migrations; entry i takes the schema from version i to i+1.
// The first uses IF NOT EXISTS because files from before versioning hold
// these tables at user_version 0.
const char* const kInitialSchema = R"sql(
CREATE TABLE IF NOT EXISTS venues(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL DEFAULT (unixepoch())
);
CREATE TABLE IF NOT EXISTS enrol_codes(
  code_hash TEXT PRIMARY KEY,
  venue_id INTEGER NOT NULL REFERENCES venues(id),
  created_at INTEGER NOT NULL DEFAULT (unixepoch()),
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  device_id TEXT
);
CREATE TABLE IF NOT EXISTS devices(
  id TEXT PRIMARY KEY,
  venue_id INTEGER NOT NULL REFERENCES venues(id),
  name TEXT NOT NULL DEFAULT '',
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_contact INTEGER,
  app_version TEXT NOT NULL DEFAULT '',
  set_id TEXT NOT NULL DEFAULT '',
  set_version INTEGER NOT NULL DEFAULT 0,
  answers_waiting INTEGER NOT NULL DEFAULT 0,
  oldest_unsent_age_s INTEGER,
  free_disk_bytes INTEGER NOT NULL DEFAULT -1,
  clock_trusted INTEGER NOT NULL DEFAULT 0,
  clock_unix INTEGER,
  clock_boot_id TEXT,
  clock_monotonic_ms INTEGER
);
-- Rows go in arrival order (rowid); the random answer id has its own index.
-- Keying the table itself on random ids made every batch rewrite pages all
-- over the file: 1.7x slower in tests/bench.
CREATE TABLE IF NOT EXISTS answers(
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  set_id TEXT NOT NULL,
  set_version INTEGER NOT NULL,
  question_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  score INTEGER,
  text TEXT,
  choice TEXT,
  language TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  clock_trusted INTEGER NOT NULL,
  boot_id TEXT NOT NULL,
  monotonic_ms INTEGER NOT NULL,
  rapid_repeat INTEGER NOT NULL,
  corrected_at INTEGER,            -- set when an untrusted time could be placed (see PROTOCOL.md, "Clocks")
  batch_id TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_device_boot ON answers(device_id, boot_id) WHERE clock_trusted = 0;
-- One row per batch received: resends show up as duplicates here.
CREATE TABLE IF NOT EXISTS batches(
  id INTEGER PRIMARY KEY,
  batch_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  received INTEGER NOT NULL,
  stored INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  quarantined INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine(
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL,
  device_id TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  answer_json TEXT NOT NULL
);
)sql";

// Codes made before code hashes were keyed keep their plain hash, marked
// 'unkeyed', and work until they expire; every code added since says
// 'keyed' (add_enrol_code). SQLite cannot change a column's default later,
// so the default stays the one that describes the old rows.
const char* const kKeyedCodeHashes = R"sql(
ALTER TABLE enrol_codes ADD COLUMN hash_kind TEXT NOT NULL DEFAULT 'unkeyed' CHECK (hash_kind IN ('unkeyed', 'keyed'));
-- The check value of the key code hashes are made with (code_key_file.h), never the key: one row at most.
CREATE TABLE code_key(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  check_value TEXT NOT NULL,
  recorded_at INTEGER NOT NULL DEFAULT (unixepoch())
);
)sql";

// Question sets in numbered versions, their assignment to venues, the signed
// files made for venues, and the public key they are signed with
// (question_set_versions.h, set_key_file.h).
const char* const kQuestionSets = R"sql(
CREATE TABLE question_sets(
  set_id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  body TEXT NOT NULL,              -- the set file's bytes, its "version" equal to `version`
  created_at INTEGER NOT NULL,
  published_at INTEGER,            -- NULL: a draft
  rolled_back_from INTEGER,        -- a rollback: the version whose content this publishes again
  PRIMARY KEY (set_id, version)
);
-- A published version never changes and is never deleted, whatever asks.
CREATE TRIGGER question_sets_published_frozen BEFORE UPDATE ON question_sets WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a published question-set version never changes'); END;
CREATE TRIGGER question_sets_published_kept BEFORE DELETE ON question_sets WHEN OLD.published_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a published question-set version is never deleted'); END;
-- starts_at and ends_at both NULL: the venue's standing set (one at most).
CREATE TABLE set_assignments(
  id INTEGER PRIMARY KEY,
  venue_id INTEGER NOT NULL REFERENCES venues(id),
  set_id TEXT NOT NULL,
  starts_at INTEGER,
  ends_at INTEGER,
  created_at INTEGER NOT NULL,
  CHECK ((starts_at IS NULL) = (ends_at IS NULL) AND (starts_at IS NULL OR starts_at < ends_at))
);
CREATE UNIQUE INDEX set_assignments_standing ON set_assignments(venue_id) WHERE starts_at IS NULL;
-- Serials rise across all venues: a kiosk refuses a serial at or below one it accepted.
CREATE TABLE set_deliveries(
  serial INTEGER PRIMARY KEY,
  venue_id INTEGER NOT NULL REFERENCES venues(id),
  set_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  signed_file TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX set_deliveries_venue ON set_deliveries(venue_id, serial);
-- The public key (base64) of the key sets are signed with, never the secret key: one row at most.
CREATE TABLE set_signing_key(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  public_key TEXT NOT NULL,
  recorded_at INTEGER NOT NULL DEFAULT (unixepoch())
);
)sql";

// Each kiosk's own Ed25519 public key, under which its USB bundles are
// trusted (bundle.h), and when one was last imported.
const char* const kDeviceKeys = R"sql(
ALTER TABLE devices ADD COLUMN device_key TEXT;    -- base64; set once
ALTER TABLE devices ADD COLUMN usb_seen_at INTEGER;
CREATE UNIQUE INDEX devices_key ON devices(device_key) WHERE device_key IS NOT NULL;
)sql";

const char* const kMigrations[] = {
    kInitialSchema,   "ALTER TABLE enrol_codes ADD COLUMN revoked_at INTEGER;  -- set by revoke-code on a code nobody used",
    kKeyedCodeHashes, kQuestionSets,
    kDeviceKeys,
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == SqliteServerStore::kSchemaVersion);

}  // namespace

struct SqliteServerStore::Impl {
  sqlite3* db = nullptr;
  sqlite3* reader = nullptr;  // device_by_token only
  std::string path;
  Stmt insert_answer, find_answer, insert_quarantine, device_clock, log_batch, note_contact, heartbeat, place_answers, device_by_token,
      unchanged_delivery;
  // A group commit's savepoint around each batch, prepared once: compiled
  // anew, three per batch cost about as much as storing its answers.
  Stmt savepoint, release, rollback_to;
  std::unique_ptr<WalCheckpointer> checkpointer;  // hooked to `db`: gone before it closes
  ~Impl() {
    checkpointer.reset();
    // Statements first: a connection with live statements does not close.
    insert_answer = Stmt();
    find_answer = Stmt();
    insert_quarantine = Stmt();
    device_clock = Stmt();
    log_batch = Stmt();
    note_contact = Stmt();
    heartbeat = Stmt();
    place_answers = Stmt();
    savepoint = Stmt();
    release = Stmt();
    rollback_to = Stmt();
    device_by_token = Stmt();
    unchanged_delivery = Stmt();
    if (reader) sqlite3_close_v2(reader);
    if (db) sqlite3_close_v2(db);
  }
  std::string error(const std::string& what) const { return "Unable to " + what + " in " + path + ": " + sqlite3_errmsg(db); }
  Status fail(int rc, const std::string& what) const { return failure(db, rc, what, path); }
  Status fail(const std::string& what) const { return failure(db, sqlite3_errcode(db), what, path); }
};

SqliteServerStore::SqliteServerStore(const std::string& path, int busy_timeout_ms, GroupCommitLimits limits, CheckpointLimits checkpoints)
    : impl_(std::make_unique<Impl>()), limits_(limits) {
  impl_->path = path;
  namespace fs = std::filesystem;
  std::error_code ec;
  // Residents' words live here: the folder and the file are the server's only.
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent, ec) && fs::create_directories(parent, ec)) fs::permissions(parent, fs::perms::owner_all, ec);
  if (int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600); fd >= 0) ::close(fd);
  sql::tune_library();
  if (sqlite3_open_v2(path.c_str(), &impl_->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
    throw std::runtime_error(impl_->error("open the server database"));
  sqlite3_extended_result_codes(impl_->db, 1);
  sqlite3_busy_timeout(impl_->db, busy_timeout_ms);
  // 16 KiB pages (for a new file; an existing one keeps its own): fewer,
  // larger writes when a batch lands all over the answer-id index.
  exec(impl_->db, "PRAGMA page_size=16384");
  if (exec(impl_->db, "PRAGMA journal_mode=WAL") != SQLITE_OK || exec(impl_->db, "PRAGMA synchronous=FULL") != SQLITE_OK ||
      exec(impl_->db, "PRAGMA foreign_keys=ON") != SQLITE_OK || exec(impl_->db, "PRAGMA cache_size=-65536") != SQLITE_OK)  // 64 MiB
    throw std::runtime_error(impl_->error("set up the server database"));
  {
    // The version is read inside the write transaction: two processes
    // opening one file (serve, and enrol-code beside it) migrate it once.
    Transaction tx(impl_->db);
    if (!tx.ok()) throw std::runtime_error(impl_->error("upgrade the server database"));
    int version = static_cast<int>(scalar(impl_->db, "PRAGMA user_version").value_or(-1));
    if (version > kSchemaVersion)
      throw std::runtime_error("Unable to use " + path + ": it was written by a newer tenpoint-server (schema " + std::to_string(version) +
                               ", this one knows up to " + std::to_string(kSchemaVersion) + ")");
    if (version < kSchemaVersion) {
      int rc = SQLITE_OK;
      for (int v = std::max(version, 0); rc == SQLITE_OK && v < kSchemaVersion; ++v) rc = exec(impl_->db, kMigrations[v]);
      if (rc == SQLITE_OK) rc = exec(impl_->db, "PRAGMA user_version=" + std::to_string(kSchemaVersion));
      if (rc == SQLITE_OK) rc = tx.commit();
      if (rc != SQLITE_OK) throw std::runtime_error(impl_->error("upgrade the server database"));
    }
  }
  // Answer parameters ?1..?14 are numbered as in bind_answer().
  impl_->insert_answer = Stmt(impl_->db, (std::string("INSERT OR IGNORE INTO answers(") + kAnswerColumns +
                                          ", seq, device_id, corrected_at, batch_id, received_at) "
                                          "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19)")
                                             .c_str());
  impl_->find_answer = Stmt(impl_->db, (std::string("SELECT ") + kAnswerColumns + ", seq, device_id FROM answers WHERE uuid = ?1").c_str());
  impl_->insert_quarantine =
      Stmt(impl_->db, "INSERT INTO quarantine(uuid, device_id, batch_id, received_at, answer_json) VALUES(?1, ?2, ?3, ?4, ?5)");
  impl_->device_clock =
      Stmt(impl_->db, "SELECT clock_unix, clock_monotonic_ms FROM devices WHERE id = ?1 AND clock_trusted = 1 AND clock_boot_id = ?2");
  impl_->log_batch = Stmt(impl_->db,
                          "INSERT INTO batches(batch_id, device_id, received_at, received, stored, duplicates, quarantined) "
                          "VALUES(?1,?2,?3,?4,?5,?6,?7)");
  impl_->note_contact = Stmt(impl_->db, "UPDATE devices SET last_contact = ?2 WHERE id = ?1");
  impl_->heartbeat = Stmt(impl_->db,
                          "UPDATE devices SET last_contact = ?2, app_version = ?3, set_id = ?4, set_version = ?5, answers_waiting = ?6, "
                          "oldest_unsent_age_s = ?7, free_disk_bytes = ?8, clock_trusted = ?9, clock_unix = ?10, clock_boot_id = ?11, "
                          "clock_monotonic_ms = ?12 WHERE id = ?1");
  // Once the clock is trusted, answers stamped earlier in the same boot can be placed.
  impl_->place_answers = Stmt(impl_->db,
                              "UPDATE answers SET corrected_at = ?3 - (?4 - monotonic_ms) / 1000 "
                              "WHERE device_id = ?1 AND boot_id = ?2 AND clock_trusted = 0 AND corrected_at IS NULL");
  impl_->savepoint = Stmt(impl_->db, "SAVEPOINT one");
  impl_->release = Stmt(impl_->db, "RELEASE one");
  impl_->rollback_to = Stmt(impl_->db, "ROLLBACK TO one");
  // Checkpoints from here on run beside the commits (wal_checkpointer.h).
  impl_->checkpointer = std::make_unique<WalCheckpointer>(path, impl_->db, checkpoints, busy_timeout_ms);
  // Every request from a kiosk starts here.
  if (sqlite3_open_v2(path.c_str(), &impl_->reader, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
    throw std::runtime_error("Unable to open " + path + " for reading: " + sqlite3_errmsg(impl_->reader));
  sqlite3_extended_result_codes(impl_->reader, 1);
  sqlite3_busy_timeout(impl_->reader, busy_timeout_ms);
  impl_->device_by_token =
      Stmt(impl_->reader,
           "SELECT d.id, v.name, d.revoked_at IS NOT NULL, d.device_key IS NOT NULL FROM devices d JOIN venues v ON v.id = d.venue_id "
           "WHERE d.token_hash = ?1");
  // A kiosk's poll for its question set, when nothing changed since its
  // venue's last delivery (the same rules as set_delivery, in one read).
  impl_->unchanged_delivery =
      Stmt(impl_->reader,
           "WITH pick AS (SELECT a.set_id FROM set_assignments a JOIN venues v ON v.id = a.venue_id WHERE v.name = ?1 "
           "  AND (a.starts_at IS NULL OR (a.starts_at <= ?2 AND ?2 < a.ends_at)) "
           "  AND EXISTS (SELECT 1 FROM question_sets q WHERE q.set_id = a.set_id AND q.published_at IS NOT NULL) "
           "  ORDER BY a.starts_at IS NULL, a.id DESC LIMIT 1), "
           "latest AS (SELECT q.set_id, max(q.version) AS version FROM question_sets q JOIN pick ON pick.set_id = q.set_id "
           "  WHERE q.published_at IS NOT NULL GROUP BY q.set_id), "
           "last AS (SELECT d.serial, d.set_id, d.version, d.signed_file FROM set_deliveries d JOIN venues v ON v.id = d.venue_id "
           "  WHERE v.name = ?1 ORDER BY d.serial DESC LIMIT 1) "
           "SELECT last.serial, last.set_id, last.version, last.signed_file FROM last JOIN latest "
           "  ON last.set_id = latest.set_id AND last.version = latest.version");
  if (!impl_->insert_answer || !impl_->find_answer || !impl_->insert_quarantine || !impl_->device_clock || !impl_->log_batch ||
      !impl_->note_contact || !impl_->heartbeat || !impl_->place_answers || !impl_->device_by_token || !impl_->unchanged_delivery ||
      !impl_->savepoint || !impl_->release || !impl_->rollback_to)
    throw std::runtime_error(impl_->error("prepare statements"));
}

SqliteServerStore::~SqliteServerStore() {
  // A leader may still be answering others' batches after its own caller
  // has returned; it leaves nothing queued.
  std::unique_lock lock(queue_mutex_);
  idle_.wait(lock, [this] { return !committing_; });
}

std::span<const char* const> SqliteServerStore::migrations() { return kMigrations; }

Result<std::optional<std::string>> SqliteServerStore::code_key_check() {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db, "SELECT check_value FROM code_key WHERE id = 1");
  if (!s) return impl_->fail("read the code key's check value");
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return impl_->fail(rc, "read the code key's check value");
  return std::optional<std::string>(column_text(s.get(), 0));
}

Result<std::string> SqliteServerStore::record_code_key_check(const std::string& check) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  // In one write transaction: a second process finds the first one's row.
  Stmt add(db, "INSERT INTO code_key(id, check_value) VALUES(1, ?1) ON CONFLICT(id) DO NOTHING");
  bind_text(add.get(), 1, check);
  Stmt read(db, "SELECT check_value FROM code_key WHERE id = 1");
  Transaction tx(db);
  int rc = tx.begin_rc();
  if (rc == SQLITE_OK) rc = run(add.get());
  std::string recorded;
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(read.get());
    if (rc == SQLITE_ROW) {
      recorded = column_text(read.get(), 0);
      rc = SQLITE_OK;
    }
    sqlite3_reset(read.get());
  }
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "record the code key's check value");
  return recorded;
}

Status SqliteServerStore::add_enrol_code(const std::string& venue, const std::string& keyed_code_hash, std::int64_t expires_at) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  Stmt v(db, "INSERT INTO venues(name) VALUES(?1) ON CONFLICT(name) DO NOTHING");
  bind_text(v.get(), 1, venue);
  Stmt c(db, "INSERT INTO enrol_codes(code_hash, venue_id, expires_at, hash_kind) SELECT ?1, id, ?2, 'keyed' FROM venues WHERE name = ?3");
  bind_text(c.get(), 1, keyed_code_hash);
  sqlite3_bind_int64(c.get(), 2, expires_at);
  bind_text(c.get(), 3, venue);
  Transaction tx(db);
  int rc = tx.begin_rc();
  if (rc == SQLITE_OK) rc = run(v.get());
  if (rc == SQLITE_OK) rc = run(c.get());
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "add an enrolment code");
  return {};
}

Result<bool> SqliteServerStore::revoke_enrol_code(const CodeHashes& code, std::int64_t now) {
  std::lock_guard lock(mutex_);
  // By its keyed hash, or by its plain hash if it was made before code hashes were keyed.
  Stmt s(impl_->db,
         "UPDATE enrol_codes SET revoked_at = ?3 WHERE ((code_hash = ?1 AND hash_kind = 'keyed') OR (code_hash = ?2 AND hash_kind = "
         "'unkeyed')) AND used_at IS NULL AND revoked_at IS NULL");
  bind_text(s.get(), 1, code.keyed);
  bind_text(s.get(), 2, code.unkeyed);
  sqlite3_bind_int64(s.get(), 3, now);
  if (int rc = run(s.get()); rc != SQLITE_OK) return impl_->fail(rc, "withdraw an enrolment code");
  return sqlite3_changes(impl_->db) >= 1;
}

int SqliteServerStore::schema_version() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(scalar(impl_->db, "PRAGMA user_version").value_or(-1));
}

Result<EnrolOutcome> SqliteServerStore::enrol(const CodeHashes& code, const std::string& device_id, const std::string& token_hash,
                                              const std::string& kiosk_name, std::int64_t now) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  EnrolOutcome out;
  Transaction tx(db);
  if (!tx.ok()) return impl_->fail(tx.begin_rc(), "start an enrolment");
  // By its keyed hash, or by its plain hash if it was made before code
  // hashes were keyed. The keyed row first, should an old code and a new
  // one ever be the same 60 bits.
  Stmt find(db,
            "SELECT c.venue_id, v.name, c.expires_at, c.used_at, c.device_id, (SELECT token_hash FROM devices WHERE id = c.device_id), "
            "c.revoked_at IS NOT NULL, c.code_hash FROM enrol_codes c JOIN venues v ON v.id = c.venue_id "
            "WHERE (c.code_hash = ?1 AND c.hash_kind = 'keyed') OR (c.code_hash = ?2 AND c.hash_kind = 'unkeyed') "
            "ORDER BY c.hash_kind = 'keyed' DESC LIMIT 1");
  bind_text(find.get(), 1, code.keyed);
  bind_text(find.get(), 2, code.unkeyed);
  int rc = sqlite3_step(find.get());
  if (rc == SQLITE_DONE) return out;  // unknown_code
  if (rc != SQLITE_ROW) return impl_->fail(rc, "look up an enrolment code");
  std::int64_t venue_id = sqlite3_column_int64(find.get(), 0);
  std::string code_hash = column_text(find.get(), 7);
  out.venue = column_text(find.get(), 1);
  // A token enrolled before (maybe with another code whose reply was lost):
  // the kiosk holds that device's secret, so it gets that device back.
  Stmt known(db, "SELECT d.id, v.name, d.revoked_at IS NOT NULL FROM devices d JOIN venues v ON v.id = d.venue_id WHERE d.token_hash = ?1");
  bind_text(known.get(), 1, token_hash);
  rc = sqlite3_step(known.get());
  if (rc == SQLITE_ROW) {
    out.kind = sqlite3_column_int(known.get(), 2) ? EnrolOutcome::revoked_token : EnrolOutcome::enrolled;
    out.device_id = column_text(known.get(), 0);
    out.venue = column_text(known.get(), 1);
    return out;
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "look up a device");
  std::int64_t expires = sqlite3_column_int64(find.get(), 2);
  bool used = sqlite3_column_type(find.get(), 3) != SQLITE_NULL;
  if (used && column_text(find.get(), 5) == token_hash) {
    // The same kiosk again: its first reply was lost. Same device, same token.
    out.kind = EnrolOutcome::enrolled;
    out.device_id = column_text(find.get(), 4);
    return out;
  }
  bool withdrawn = sqlite3_column_int(find.get(), 6) != 0;
  if (used || withdrawn || expires < now) {
    out.kind = used ? EnrolOutcome::used_code : withdrawn ? EnrolOutcome::revoked_code : EnrolOutcome::expired_code;
    return out;
  }
  Stmt mark(db, "UPDATE enrol_codes SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1");
  bind_text(mark.get(), 1, code_hash);
  sqlite3_bind_int64(mark.get(), 2, now);
  bind_text(mark.get(), 3, device_id);
  Stmt add(db, "INSERT INTO devices(id, venue_id, name, token_hash, created_at) VALUES(?1, ?2, ?3, ?4, ?5)");
  bind_text(add.get(), 1, device_id);
  sqlite3_bind_int64(add.get(), 2, venue_id);
  bind_text(add.get(), 3, kiosk_name);
  bind_text(add.get(), 4, token_hash);
  sqlite3_bind_int64(add.get(), 5, now);
  rc = run(mark.get());
  if (rc == SQLITE_OK) rc = run(add.get());
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "enrol a kiosk");
  out.kind = EnrolOutcome::enrolled;
  out.device_id = device_id;
  return out;
}

Result<std::optional<Device>> SqliteServerStore::device_by_token(const std::string& token_hash) {
  // Its own connection: in WAL mode a reader does not wait for the writer,
  // so a request is not held up by another group's commit and fsync.
  std::lock_guard lock(reader_mutex_);
  sqlite3_stmt* s = impl_->device_by_token.get();
  std::optional<Device> device;
  int rc = SQLITE_OK;
  {
    ResetOnExit reset(s);
    bind_text(s, 1, token_hash);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
      device = Device{column_text(s, 0), column_text(s, 1), sqlite3_column_int(s, 2) != 0, sqlite3_column_int(s, 3) != 0};
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failure(impl_->reader, rc, "look up a device", impl_->path);
  return device;
}

namespace {

// Roughly what a decoded batch holds in memory.
std::size_t heap_bytes(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }
std::size_t footprint(const wire::Batch& b) {
  std::size_t n = sizeof(wire::Batch) + heap_bytes(b.batch_id) + b.answers.capacity() * sizeof(StoredAnswer);
  for (const StoredAnswer& s : b.answers) {
    const Answer& a = s.answer;
    n += heap_bytes(a.uuid) + heap_bytes(a.set_id) + heap_bytes(a.question_id) + heap_bytes(a.session_id) + heap_bytes(a.language) +
         heap_bytes(a.stamp.boot_id) + (a.text ? heap_bytes(*a.text) : 0) + (a.choice ? heap_bytes(*a.choice) : 0);
  }
  return n;
}

}  // namespace

// One request waiting for the next group transaction: a batch, or a
// heartbeat (which changes the device's row on every round, so it would
// otherwise cost a commit and an fsync of its own). An asynchronous caller's
// batch is moved in and kept here; a synchronous caller's is pointed to.
// While queued or being committed it is counted in waiting_ and held_bytes_.
struct SqliteServerStore::Pending {
  Pending() = default;
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;
  ~Pending() {
    if (!counted_in) return;
    counted_in->waiting_.fetch_sub(1);
    counted_in->held_bytes_.fetch_sub(bytes);
  }
  std::size_t answers() const { return batch ? std::max<std::size_t>(batch->answers.size(), 1) : 1; }

  std::string device_id;
  std::optional<wire::Batch> owned_batch;
  const wire::Batch* batch = nullptr;
  std::optional<wire::Heartbeat> heartbeat;
  std::int64_t now = 0;
  std::optional<Result<wire::BatchReply>> result;
  IngestDone done;
  std::size_t bytes = 0;                    // footprint of what it holds
  SqliteServerStore* counted_in = nullptr;  // set once counted
};

void SqliteServerStore::submit(std::unique_ptr<Pending> p) {
  // Whoever finds no commit under way leads: it commits what is queued, as
  // one transaction, and again for what arrived meanwhile, until nothing is
  // left. Everyone else only queues and returns; their `done` is called by
  // the leader. Alone, a caller commits its own batch on its own thread,
  // with no thread to wake; under load, one transaction takes all that came
  // during the last one.
  std::unique_lock lock(queue_mutex_);
  std::size_t held = held_bytes_.load();
  if (committing_ && held > 0 && held + p->bytes > limits_.max_queued_bytes) {
    // Batches arrive faster than the disk takes them: the kiosk is told to
    // come back later (503), and nothing waits in memory without bound.
    lock.unlock();
    p->done(Status::failure(Fault::storage_unavailable, "more batches are waiting for the disk than the server keeps in memory (" +
                                                            std::to_string(limits_.max_queued_bytes / (1024 * 1024)) +
                                                            " MiB); try again later"));
    return;
  }
  queue_.push_back(std::move(p));
  waiting_.fetch_add(1);
  held_bytes_.fetch_add(queue_.back()->bytes);
  queue_.back()->counted_in = this;
  if (committing_) return;
  committing_ = true;
  // lead() answers every batch it takes, stored or failed; only a lock
  // that cannot be taken again could throw out of it. Nothing queued is
  // left without a leader.
  for (;;) {
    try {
      lead(lock);
      break;
    } catch (...) {
      std::fputs("tenpoint-server: leading a group commit failed; trying again\n", stderr);
      if (!lock.owns_lock()) lock.lock();
    }
  }
  committing_ = false;
  idle_.notify_all();
}

void SqliteServerStore::lead(std::unique_lock<std::mutex>& lock) {
  while (!queue_.empty()) {
    std::vector<std::unique_ptr<Pending>> group;
    try {
      group = take_group();
    } catch (...) {
      group.swap(queue_);  // no room to split the queue: all of it, then
    }
    lock.unlock();
    try {
      commit_group(group);
    } catch (...) {
      // Out of memory, most likely: the transaction was rolled back as it
      // unwound, so nothing of the group is stored. A message short enough
      // to need no allocation.
      for (auto& one : group) one->result = Status::failure(Fault::storage_unavailable, "out of memory");
    }
    for (auto& one : group) {
      try {
        one->done(std::move(*one->result));
      } catch (...) {
        // The caller could not take its reply (out of memory): what was
        // stored stays stored, and a kiosk's resend finds it.
        std::fputs("tenpoint-server: the reply to a stored batch was lost; the kiosk will send it again\n", stderr);
      }
    }
    group.clear();
    {
      // Between two transactions: the moment to finish a checkpoint, so
      // that the next one starts the WAL over.
      std::lock_guard db_lock(mutex_);
      impl_->checkpointer->finish();
    }
    lock.lock();
  }
}

std::vector<std::unique_ptr<SqliteServerStore::Pending>> SqliteServerStore::take_group() {
  // From the front of the queue, up to max_group_answers answers, and at
  // least one entry: one transaction stays a bounded piece of work.
  std::size_t answers = 0, n = 0;
  while (n < queue_.size()) {
    answers += queue_[n]->answers();
    if (n > 0 && answers > limits_.max_group_answers) break;
    ++n;
  }
  std::vector<std::unique_ptr<Pending>> group;
  if (n == queue_.size()) {
    group.swap(queue_);
    return group;
  }
  group.reserve(n);
  auto end = queue_.begin() + static_cast<std::ptrdiff_t>(n);
  std::move(queue_.begin(), end, std::back_inserter(group));
  queue_.erase(queue_.begin(), end);
  return group;
}

void SqliteServerStore::ingest_async(std::string device_id, wire::Batch batch, std::int64_t now, IngestDone done) {
  auto p = std::make_unique<Pending>();
  p->device_id = std::move(device_id);
  p->owned_batch = std::move(batch);
  p->batch = &*p->owned_batch;
  p->now = now;
  p->done = std::move(done);
  p->bytes = sizeof(Pending) + footprint(*p->batch);
  submit(std::move(p));
}

void SqliteServerStore::heartbeat_async(std::string device_id, wire::Heartbeat hb, std::int64_t now, HeartbeatDone done) {
  auto p = std::make_unique<Pending>();
  p->device_id = std::move(device_id);
  p->heartbeat = std::move(hb);
  p->now = now;
  p->done = [done = std::move(done)](Result<wire::BatchReply> r) { done(r ? Status{} : r.status()); };
  p->bytes = sizeof(Pending);
  submit(std::move(p));
}

Result<wire::BatchReply> SqliteServerStore::ingest(const std::string& device_id, const wire::Batch& batch, std::int64_t now) {
  return await_reply<Result<wire::BatchReply>>([&](IngestDone done) {
    auto p = std::make_unique<Pending>();
    p->device_id = device_id;
    p->batch = &batch;  // the caller waits for the reply, so its batch outlives the commit
    p->now = now;
    p->done = std::move(done);
    p->bytes = sizeof(Pending) + footprint(batch);
    submit(std::move(p));
  });
}

Status SqliteServerStore::heartbeat(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now) {
  return await_reply<Status>([&](HeartbeatDone done) { heartbeat_async(device_id, hb, now, std::move(done)); });
}

IngestStats SqliteServerStore::ingest_stats() const {
  IngestStats s{commits_.load(), batches_.load(), heartbeats_.load(), waiting_.load()};
  CheckpointStats c = impl_->checkpointer->stats();
  s.has_wal = true;
  s.checkpoints_background = c.background;
  s.checkpoints_finished = c.finished;
  s.wal_frames = c.wal_frames;
  return s;
}

void SqliteServerStore::commit_group(std::vector<std::unique_ptr<Pending>>& group) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  Transaction tx(db);
  if (!tx.ok()) {
    Status failed = impl_->fail(tx.begin_rc(), "start a batch");
    for (auto& p : group) p->result = failed;
    return;
  }
  // Declared after `tx`, so it runs first when an exception unwinds: a
  // statement left mid-step would keep the connection on an old snapshot
  // after the rollback, and every later BEGIN would fail.
  struct ResetStatements {
    Impl& impl;
    ~ResetStatements() {
      for (Stmt* s : {&impl.insert_answer, &impl.find_answer, &impl.insert_quarantine, &impl.device_clock, &impl.log_batch,
                      &impl.note_contact, &impl.heartbeat, &impl.place_answers, &impl.savepoint, &impl.release, &impl.rollback_to})
        sqlite3_reset(s->get());
    }
  } reset{*impl_};
  // The whole group fails: SQLite undid the transaction (disk full, I/O
  // error, out of memory) with what it had stored so far, or a savepoint
  // could not be undone or released. Nothing of it is acknowledged.
  auto fail_all = [&](const Status& why) {
    for (auto& q : group) q->result = why;
  };
  std::size_t stored = 0, batches = 0, heartbeats = 0;
  for (auto& p : group) {
    // A savepoint each: a batch or heartbeat that fails is undone alone.
    if (int rc = run(impl_->savepoint.get()); rc != SQLITE_OK) return fail_all(impl_->fail(rc, "start a batch"));
    if (p->batch) {
      p->result = ingest_one(p->device_id, *p->batch, p->now);
    } else {
      Status s = heartbeat_one(p->device_id, *p->heartbeat, p->now);
      p->result = s ? Result<wire::BatchReply>(wire::BatchReply{}) : Result<wire::BatchReply>(s);
    }
    if (sqlite3_get_autocommit(db)) return fail_all(*p->result ? impl_->fail("store a batch") : p->result->status());
    if (!*p->result) {
      if (int rc = run(impl_->rollback_to.get()); rc != SQLITE_OK) return fail_all(impl_->fail(rc, "undo a failed batch"));
    } else {
      ++stored;
      ++(p->batch ? batches : heartbeats);
    }
    if (int rc = run(impl_->release.get()); rc != SQLITE_OK) return fail_all(impl_->fail(rc, "finish a batch"));
  }
  if (stored == 0) return;
  if (int rc = tx.commit(); rc != SQLITE_OK) {
    Status failed = impl_->fail(rc, "commit a batch");
    for (auto& p : group)
      if (*p->result) p->result = failed;
    return;
  }
  commits_.fetch_add(1);
  batches_.fetch_add(batches);
  heartbeats_.fetch_add(heartbeats);
}

Result<wire::BatchReply> SqliteServerStore::ingest_one(const std::string& device_id, const wire::Batch& batch, std::int64_t now) {
  sqlite3* db = impl_->db;
  wire::BatchReply reply;
  reply.batch_id = batch.batch_id;
  reply.received = static_cast<std::int64_t>(batch.answers.size());

  // The device's last trusted clock report, to place answers stamped while its clock was untrusted.
  std::optional<std::pair<std::int64_t, std::int64_t>> trusted_clock;  // (unix, monotonic_ms)
  std::string clock_boot;

  sqlite3_stmt* ins = impl_->insert_answer.get();
  for (const StoredAnswer& s : batch.answers) {
    const Answer& a = s.answer;
    std::optional<std::int64_t> corrected;
    if (!a.stamp.clock_trusted) {
      if (clock_boot != a.stamp.boot_id) {
        clock_boot = a.stamp.boot_id;
        trusted_clock.reset();
        sqlite3_stmt* c = impl_->device_clock.get();
        bind_text(c, 1, device_id);
        bind_text(c, 2, a.stamp.boot_id);
        int rc = sqlite3_step(c);
        if (rc == SQLITE_ROW) trusted_clock = std::make_pair(sqlite3_column_int64(c, 0), sqlite3_column_int64(c, 1));
        sqlite3_reset(c);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return impl_->fail(rc, "read the kiosk's clock");
      }
      if (trusted_clock) corrected = trusted_clock->first - (trusted_clock->second - a.stamp.monotonic_ms) / 1000;
    }
    bind_answer(ins, a, false);
    sqlite3_bind_int64(ins, 15, s.seq);
    bind_text_static(ins, 16, device_id);
    if (corrected)
      sqlite3_bind_int64(ins, 17, *corrected);
    else
      sqlite3_bind_null(ins, 17);
    bind_text_static(ins, 18, batch.batch_id);
    sqlite3_bind_int64(ins, 19, now);
    if (int rc = run(ins); rc != SQLITE_OK) return impl_->fail(rc, "store an answer");
    if (sqlite3_changes(db) == 1) {
      ++reply.stored;
      continue;
    }
    // Already held: the same answer sent again, or a conflicting one.
    sqlite3_stmt* f = impl_->find_answer.get();
    bind_text(f, 1, a.uuid);
    if (int rc = sqlite3_step(f); rc != SQLITE_ROW) {
      sqlite3_reset(f);
      return impl_->fail(rc, "read back an answer");
    }
    StoredAnswer existing{sqlite3_column_int64(f, kAnswerColumnCount), read_answer(f, 0)};
    std::string holder = column_text(f, kAnswerColumnCount + 1);
    sqlite3_reset(f);
    if (holder == device_id && existing == s) {
      ++reply.duplicates;
      continue;
    }
    sqlite3_stmt* q = impl_->insert_quarantine.get();
    bind_text(q, 1, a.uuid);
    bind_text(q, 2, device_id);
    bind_text(q, 3, batch.batch_id);
    sqlite3_bind_int64(q, 4, now);
    bind_text(q, 5, wire::encode(wire::Batch{batch.batch_id, {s}}));
    if (int rc = run(q); rc != SQLITE_OK) return impl_->fail(rc, "quarantine an answer");
    reply.quarantined.push_back(a.uuid);
  }
  sqlite3_stmt* log = impl_->log_batch.get();
  bind_text(log, 1, batch.batch_id);
  bind_text(log, 2, device_id);
  sqlite3_bind_int64(log, 3, now);
  sqlite3_bind_int64(log, 4, reply.received);
  sqlite3_bind_int64(log, 5, reply.stored);
  sqlite3_bind_int64(log, 6, reply.duplicates);
  sqlite3_bind_int64(log, 7, static_cast<std::int64_t>(reply.quarantined.size()));
  if (int rc = run(log); rc != SQLITE_OK) return impl_->fail(rc, "log a batch");
  sqlite3_stmt* contact = impl_->note_contact.get();
  bind_text(contact, 1, device_id);
  sqlite3_bind_int64(contact, 2, now);
  if (int rc = run(contact); rc != SQLITE_OK) return impl_->fail(rc, "note the device's contact");
  return reply;
}

Status SqliteServerStore::heartbeat_one(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now) {
  sqlite3_stmt* s = impl_->heartbeat.get();
  bind_text(s, 1, device_id);
  sqlite3_bind_int64(s, 2, now);
  bind_text(s, 3, hb.app_version);
  bind_text(s, 4, hb.set_id);
  sqlite3_bind_int(s, 5, hb.set_version);
  sqlite3_bind_int64(s, 6, hb.answers_waiting);
  if (hb.oldest_unsent_age_s)
    sqlite3_bind_int64(s, 7, *hb.oldest_unsent_age_s);
  else
    sqlite3_bind_null(s, 7);
  sqlite3_bind_int64(s, 8, hb.free_disk_bytes);
  sqlite3_bind_int(s, 9, hb.clock.trusted ? 1 : 0);
  sqlite3_bind_int64(s, 10, hb.clock.unix_time);
  bind_text(s, 11, hb.clock.boot_id);
  sqlite3_bind_int64(s, 12, hb.clock.monotonic_ms);
  if (int rc = run(s); rc != SQLITE_OK) return impl_->fail(rc, "record a heartbeat");
  if (!hb.clock.trusted) return {};
  sqlite3_stmt* fix = impl_->place_answers.get();
  bind_text(fix, 1, device_id);
  bind_text(fix, 2, hb.clock.boot_id);
  sqlite3_bind_int64(fix, 3, hb.clock.unix_time);
  sqlite3_bind_int64(fix, 4, hb.clock.monotonic_ms);
  if (int rc = run(fix); rc != SQLITE_OK) return impl_->fail(rc, "record a heartbeat");
  return {};
}

Result<bool> SqliteServerStore::revoke(const std::string& device_id, std::int64_t now) {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db, "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
  bind_text(s.get(), 1, device_id);
  sqlite3_bind_int64(s.get(), 2, now);
  if (int rc = run(s.get()); rc != SQLITE_OK) return impl_->fail(rc, "revoke a device");
  return sqlite3_changes(impl_->db) == 1;
}

Result<std::vector<DeviceStatus>> SqliteServerStore::devices() {
  std::lock_guard lock(mutex_);
  Stmt s(
      impl_->db,
      "SELECT d.id, v.name, d.name, d.revoked_at IS NOT NULL, d.last_contact, d.app_version, d.set_id, d.set_version, d.answers_waiting, "
      "d.oldest_unsent_age_s, d.free_disk_bytes, d.clock_trusted, "
      "(SELECT count(*) FROM answers a WHERE a.device_id = d.id), (SELECT count(*) FROM quarantine q WHERE q.device_id = d.id), "
      "d.device_key IS NOT NULL, d.usb_seen_at FROM devices d JOIN venues v ON v.id = d.venue_id ORDER BY v.name, d.id");
  if (!s) return impl_->fail("list devices");
  std::vector<DeviceStatus> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    DeviceStatus d;
    d.id = column_text(s.get(), 0);
    d.venue = column_text(s.get(), 1);
    d.name = column_text(s.get(), 2);
    d.revoked = sqlite3_column_int(s.get(), 3) != 0;
    if (sqlite3_column_type(s.get(), 4) != SQLITE_NULL) d.last_contact = sqlite3_column_int64(s.get(), 4);
    d.app_version = column_text(s.get(), 5);
    d.set_id = column_text(s.get(), 6);
    d.set_version = sqlite3_column_int(s.get(), 7);
    d.answers_waiting = sqlite3_column_int64(s.get(), 8);
    if (sqlite3_column_type(s.get(), 9) != SQLITE_NULL) d.oldest_unsent_age_s = sqlite3_column_int64(s.get(), 9);
    d.free_disk_bytes = sqlite3_column_int64(s.get(), 10);
    d.clock_trusted = sqlite3_column_int(s.get(), 11) != 0;
    d.answers_received = sqlite3_column_int64(s.get(), 12);
    d.quarantined = sqlite3_column_int64(s.get(), 13);
    d.has_device_key = sqlite3_column_int(s.get(), 14) != 0;
    if (sqlite3_column_type(s.get(), 15) != SQLITE_NULL) d.usb_seen_at = sqlite3_column_int64(s.get(), 15);
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "list devices");
  return out;
}

Result<KeyRegistration> SqliteServerStore::register_device_key(const std::string& device_id, const std::string& public_key) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  Transaction tx(db);
  if (!tx.ok()) return impl_->fail(tx.begin_rc(), "record a kiosk's key");
  Stmt find(db, "SELECT device_key FROM devices WHERE id = ?1");
  bind_text(find.get(), 1, device_id);
  int rc = sqlite3_step(find.get());
  if (rc == SQLITE_DONE) return KeyRegistration::no_device;
  if (rc != SQLITE_ROW) return impl_->fail(rc, "record a kiosk's key");
  if (sqlite3_column_type(find.get(), 0) != SQLITE_NULL)
    return column_text(find.get(), 0) == public_key ? KeyRegistration::already : KeyRegistration::conflict;
  Stmt other(db, "SELECT 1 FROM devices WHERE device_key = ?1");
  bind_text(other.get(), 1, public_key);
  rc = sqlite3_step(other.get());
  if (rc == SQLITE_ROW) return KeyRegistration::conflict;
  if (rc != SQLITE_DONE) return impl_->fail(rc, "record a kiosk's key");
  Stmt set(db, "UPDATE devices SET device_key = ?2 WHERE id = ?1");
  bind_text(set.get(), 1, device_id);
  bind_text(set.get(), 2, public_key);
  rc = run(set.get());
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "record a kiosk's key");
  return KeyRegistration::registered;
}

Result<std::optional<Device>> SqliteServerStore::device_by_key(const std::string& public_key) {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db,
         "SELECT d.id, v.name, d.revoked_at IS NOT NULL FROM devices d JOIN venues v ON v.id = d.venue_id WHERE d.device_key = ?1");
  bind_text(s.get(), 1, public_key);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<Device>();
  if (rc != SQLITE_ROW) return impl_->fail(rc, "look up a kiosk's key");
  return std::optional<Device>(Device{column_text(s.get(), 0), column_text(s.get(), 1), sqlite3_column_int(s.get(), 2) != 0, true});
}

Status SqliteServerStore::record_usb_import(const std::string& device_id, std::int64_t now) {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db, "UPDATE devices SET usb_seen_at = max(coalesce(usb_seen_at, 0), ?2) WHERE id = ?1");
  bind_text(s.get(), 1, device_id);
  sqlite3_bind_int64(s.get(), 2, now);
  if (int rc = run(s.get()); rc != SQLITE_OK) return impl_->fail(rc, "record a USB import");
  return {};
}

Result<std::vector<CountRow>> SqliteServerStore::answer_counts() {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db,
         "SELECT v.name, a.device_id, a.question_id, count(*) FROM answers a JOIN devices d ON d.id = a.device_id "
         "JOIN venues v ON v.id = d.venue_id GROUP BY v.name, a.device_id, a.question_id ORDER BY v.name, a.device_id, a.question_id");
  if (!s) return impl_->fail("count answers");
  std::vector<CountRow> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW)
    out.push_back({column_text(s.get(), 0), column_text(s.get(), 1), column_text(s.get(), 2), sqlite3_column_int64(s.get(), 3)});
  if (rc != SQLITE_DONE) return impl_->fail(rc, "count answers");
  return out;
}

// [SECTION] Question sets (question_set_versions.h)

namespace {

// The latest version of a set: (version, published), or nullopt for none.
struct Latest {
  int version = 0;
  bool published = false;
};

}  // namespace

Result<std::optional<std::string>> SqliteServerStore::set_key_check() {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db, "SELECT public_key FROM set_signing_key WHERE id = 1");
  if (!s) return impl_->fail("read the question-set signing key");
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return impl_->fail(rc, "read the question-set signing key");
  return std::optional<std::string>(column_text(s.get(), 0));
}

Result<std::string> SqliteServerStore::record_set_key_check(const std::string& public_key) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  Transaction tx(db);
  if (!tx.ok()) return impl_->fail(tx.begin_rc(), "record the question-set signing key");
  Stmt add(db, "INSERT INTO set_signing_key(id, public_key) VALUES(1, ?1) ON CONFLICT(id) DO NOTHING");
  bind_text(add.get(), 1, public_key);
  if (int rc = run(add.get()); rc != SQLITE_OK) return impl_->fail(rc, "record the question-set signing key");
  Stmt read(db, "SELECT public_key FROM set_signing_key WHERE id = 1");
  if (int rc = sqlite3_step(read.get()); rc != SQLITE_ROW) return impl_->fail(rc, "read the question-set signing key");
  std::string recorded = column_text(read.get(), 0);
  sqlite3_reset(read.get());
  if (int rc = tx.commit(); rc != SQLITE_OK) return impl_->fail(rc, "record the question-set signing key");
  return recorded;
}

namespace {

// The set's latest version; nullopt when it has none. `rc` is set on failure.
std::optional<Latest> latest_version(sqlite3* db, const std::string& set_id, int& rc) {
  Stmt s(db, "SELECT version, published_at IS NOT NULL FROM question_sets WHERE set_id = ?1 ORDER BY version DESC LIMIT 1");
  bind_text(s.get(), 1, set_id);
  rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) {
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
    return std::nullopt;
  }
  rc = SQLITE_OK;
  return Latest{sqlite3_column_int(s.get(), 0), sqlite3_column_int(s.get(), 1) != 0};
}

}  // namespace

Result<SetVersionInfo> SqliteServerStore::add_set_draft(const std::string& set_bytes, std::int64_t now) {
  LoadResult loaded = parse_question_set(set_bytes);
  if (!loaded.set) return Status::failure(Fault::invalid_input, "the question set is invalid: " + first_problem(loaded));
  const std::string set_id = loaded.set->id;
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  Transaction tx(db);
  if (!tx.ok()) return impl_->fail(tx.begin_rc(), "add a question-set draft");
  int rc = SQLITE_OK;
  std::optional<Latest> latest = latest_version(db, set_id, rc);
  if (rc != SQLITE_OK) return impl_->fail(rc, "read a question set's versions");
  bool replace = latest && !latest->published;
  SetVersionInfo info;
  info.set_id = set_id;
  info.version = !latest ? 1 : replace ? latest->version : latest->version + 1;
  info.created_at = now;
  auto body = with_set_version(set_bytes, info.version);
  if (!body) return body.status();
  Stmt write(db, replace ? "UPDATE question_sets SET body = ?3, created_at = ?4 WHERE set_id = ?1 AND version = ?2"
                         : "INSERT INTO question_sets(set_id, version, body, created_at) VALUES(?1, ?2, ?3, ?4)");
  bind_text(write.get(), 1, set_id);
  sqlite3_bind_int(write.get(), 2, info.version);
  bind_text(write.get(), 3, *body);
  sqlite3_bind_int64(write.get(), 4, now);
  rc = run(write.get());
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "add a question-set draft");
  return info;
}

Result<SetChange> SqliteServerStore::publish_set(const std::string& set_id, std::int64_t now) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  Transaction tx(db);
  if (!tx.ok()) return impl_->fail(tx.begin_rc(), "publish a question set");
  int rc = SQLITE_OK;
  std::optional<Latest> latest = latest_version(db, set_id, rc);
  if (rc != SQLITE_OK) return impl_->fail(rc, "read a question set's versions");
  if (!latest) return SetChange{SetChange::no_such_set, 0};
  if (latest->published) return SetChange{SetChange::nothing_to_publish, latest->version};
  Stmt publish(db, "UPDATE question_sets SET published_at = ?3 WHERE set_id = ?1 AND version = ?2 AND published_at IS NULL");
  bind_text(publish.get(), 1, set_id);
  sqlite3_bind_int(publish.get(), 2, latest->version);
  sqlite3_bind_int64(publish.get(), 3, now);
  rc = run(publish.get());
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "publish a question set");
  return SetChange{SetChange::done, latest->version};
}

Result<SetChange> SqliteServerStore::rollback_set(const std::string& set_id, int to_version, std::int64_t now) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  Transaction tx(db);
  if (!tx.ok()) return impl_->fail(tx.begin_rc(), "roll back a question set");
  int rc = SQLITE_OK;
  std::optional<Latest> latest = latest_version(db, set_id, rc);
  if (rc != SQLITE_OK) return impl_->fail(rc, "read a question set's versions");
  if (!latest) return SetChange{SetChange::no_such_set, 0};
  if (!latest->published) return SetChange{SetChange::draft_pending, latest->version};
  Stmt old(db, "SELECT body, published_at IS NOT NULL FROM question_sets WHERE set_id = ?1 AND version = ?2");
  bind_text(old.get(), 1, set_id);
  sqlite3_bind_int(old.get(), 2, to_version);
  rc = sqlite3_step(old.get());
  if (rc == SQLITE_DONE) return SetChange{SetChange::no_such_version, 0};
  if (rc != SQLITE_ROW) return impl_->fail(rc, "read a question-set version");
  if (sqlite3_column_int(old.get(), 1) == 0) return SetChange{SetChange::not_published, 0};
  const int version = latest->version + 1;
  auto body = with_set_version(column_text(old.get(), 0), version);
  sqlite3_reset(old.get());
  if (!body) return body.status();
  Stmt add(db,
           "INSERT INTO question_sets(set_id, version, body, created_at, published_at, rolled_back_from) VALUES(?1, ?2, ?3, ?4, ?4, ?5)");
  bind_text(add.get(), 1, set_id);
  sqlite3_bind_int(add.get(), 2, version);
  bind_text(add.get(), 3, *body);
  sqlite3_bind_int64(add.get(), 4, now);
  sqlite3_bind_int(add.get(), 5, to_version);
  rc = run(add.get());
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "roll back a question set");
  return SetChange{SetChange::done, version};
}

Result<SetChange> SqliteServerStore::assign_set(const SetAssignment& a, std::int64_t now) {
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  Transaction tx(db);
  if (!tx.ok()) return impl_->fail(tx.begin_rc(), "assign a question set");
  int rc = SQLITE_OK;
  if (!latest_version(db, a.set_id, rc)) {
    if (rc != SQLITE_OK) return impl_->fail(rc, "read a question set's versions");
    return SetChange{SetChange::no_such_set, 0};
  }
  Stmt venue(db, "INSERT INTO venues(name) VALUES(?1) ON CONFLICT(name) DO NOTHING");
  bind_text(venue.get(), 1, a.venue);
  // The standing set replaces the one before; dated ones add up.
  Stmt clear(db, "DELETE FROM set_assignments WHERE starts_at IS NULL AND venue_id = (SELECT id FROM venues WHERE name = ?1)");
  bind_text(clear.get(), 1, a.venue);
  Stmt add(db,
           "INSERT INTO set_assignments(venue_id, set_id, starts_at, ends_at, created_at) SELECT id, ?2, ?3, ?4, ?5 FROM venues WHERE name "
           "= ?1");
  bind_text(add.get(), 1, a.venue);
  bind_text(add.get(), 2, a.set_id);
  if (a.starts_at && a.ends_at) {
    sqlite3_bind_int64(add.get(), 3, *a.starts_at);
    sqlite3_bind_int64(add.get(), 4, *a.ends_at);
  }
  sqlite3_bind_int64(add.get(), 5, now);
  rc = run(venue.get());
  if (rc == SQLITE_OK && !a.starts_at) rc = run(clear.get());
  if (rc == SQLITE_OK) rc = run(add.get());
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "assign a question set");
  return SetChange{SetChange::done, 0};
}

Result<std::vector<SetVersionInfo>> SqliteServerStore::set_versions() {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db,
         "SELECT set_id, version, published_at, created_at, coalesce(rolled_back_from, 0) FROM question_sets ORDER BY set_id, version");
  if (!s) return impl_->fail("list question sets");
  std::vector<SetVersionInfo> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    SetVersionInfo v;
    v.set_id = column_text(s.get(), 0);
    v.version = sqlite3_column_int(s.get(), 1);
    v.published = sqlite3_column_type(s.get(), 2) != SQLITE_NULL;
    if (v.published) v.published_at = sqlite3_column_int64(s.get(), 2);
    v.created_at = sqlite3_column_int64(s.get(), 3);
    v.rolled_back_from = sqlite3_column_int(s.get(), 4);
    out.push_back(std::move(v));
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "list question sets");
  return out;
}

Result<std::optional<std::string>> SqliteServerStore::set_body(const std::string& set_id, int version) {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db, "SELECT body FROM question_sets WHERE set_id = ?1 AND version = ?2");
  bind_text(s.get(), 1, set_id);
  sqlite3_bind_int(s.get(), 2, version);
  int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return impl_->fail(rc, "read a question-set version");
  return std::optional<std::string>(column_text(s.get(), 0));
}

Result<std::vector<SetAssignment>> SqliteServerStore::set_assignments() {
  std::lock_guard lock(mutex_);
  Stmt s(impl_->db,
         "SELECT v.name, a.set_id, a.starts_at, a.ends_at FROM set_assignments a JOIN venues v ON v.id = a.venue_id "
         "ORDER BY v.name, a.starts_at IS NOT NULL, a.starts_at, a.id");
  if (!s) return impl_->fail("list question-set assignments");
  std::vector<SetAssignment> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    SetAssignment a{column_text(s.get(), 0), column_text(s.get(), 1), std::nullopt, std::nullopt};
    if (sqlite3_column_type(s.get(), 2) != SQLITE_NULL) a.starts_at = sqlite3_column_int64(s.get(), 2);
    if (sqlite3_column_type(s.get(), 3) != SQLITE_NULL) a.ends_at = sqlite3_column_int64(s.get(), 3);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return impl_->fail(rc, "list question-set assignments");
  return out;
}

Result<std::optional<SetDelivery>> SqliteServerStore::set_delivery(const std::string& venue, std::int64_t now, const SetSigner& sign) {
  {
    // Most polls find nothing changed: answered from the reading connection,
    // without the write lock (so never behind a group commit's fsync).
    std::lock_guard read_lock(reader_mutex_);
    sqlite3_stmt* u = impl_->unchanged_delivery.get();
    std::optional<SetDelivery> unchanged;
    int rc = SQLITE_OK;
    {
      ResetOnExit reset(u);
      bind_text(u, 1, venue);
      sqlite3_bind_int64(u, 2, now);
      rc = sqlite3_step(u);
      if (rc == SQLITE_ROW)
        unchanged = SetDelivery{sqlite3_column_int64(u, 0), column_text(u, 1), sqlite3_column_int(u, 2), column_text(u, 3)};
    }
    if (unchanged) return unchanged;
    if (rc != SQLITE_DONE) return failure(impl_->reader, rc, "choose a venue's question set", impl_->path);
  }
  std::lock_guard lock(mutex_);
  sqlite3* db = impl_->db;
  // BEGIN IMMEDIATE: the check and a new delivery in one write transaction,
  // so that two processes on one file cannot make two serials for one change.
  Transaction tx(db);
  if (!tx.ok()) return impl_->fail(tx.begin_rc(), "choose a venue's question set");
  // Invariant 4: a dated assignment covering now (the latest added), else the standing one.
  Stmt pick(db,
            "SELECT a.set_id FROM set_assignments a JOIN venues v ON v.id = a.venue_id WHERE v.name = ?1 "
            "AND (a.starts_at IS NULL OR (a.starts_at <= ?2 AND ?2 < a.ends_at)) "
            "AND EXISTS (SELECT 1 FROM question_sets q WHERE q.set_id = a.set_id AND q.published_at IS NOT NULL) "
            "ORDER BY a.starts_at IS NULL, a.id DESC LIMIT 1");
  bind_text(pick.get(), 1, venue);
  sqlite3_bind_int64(pick.get(), 2, now);
  int rc = sqlite3_step(pick.get());
  if (rc == SQLITE_DONE) return std::optional<SetDelivery>();
  if (rc != SQLITE_ROW) return impl_->fail(rc, "choose a venue's question set");
  SetDelivery d;
  d.set_id = column_text(pick.get(), 0);
  sqlite3_reset(pick.get());
  Stmt published(db,
                 "SELECT version, body FROM question_sets WHERE set_id = ?1 AND published_at IS NOT NULL ORDER BY version DESC LIMIT 1");
  bind_text(published.get(), 1, d.set_id);
  if (rc = sqlite3_step(published.get()); rc != SQLITE_ROW) return impl_->fail(rc, "read a published question set");
  d.version = sqlite3_column_int(published.get(), 0);
  std::string body = column_text(published.get(), 1);
  sqlite3_reset(published.get());
  Stmt last(db,
            "SELECT d.serial, d.set_id, d.version, d.signed_file FROM set_deliveries d JOIN venues v ON v.id = d.venue_id "
            "WHERE v.name = ?1 ORDER BY d.serial DESC LIMIT 1");
  bind_text(last.get(), 1, venue);
  rc = sqlite3_step(last.get());
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return impl_->fail(rc, "read a venue's last question set");
  if (rc == SQLITE_ROW && column_text(last.get(), 1) == d.set_id && sqlite3_column_int(last.get(), 2) == d.version) {
    d.serial = sqlite3_column_int64(last.get(), 0);
    d.signed_file = column_text(last.get(), 3);
    return std::optional<SetDelivery>(std::move(d));  // unchanged: the same file, the same serial
  }
  sqlite3_reset(last.get());
  auto highest = scalar(db, "SELECT coalesce(max(serial), 0) FROM set_deliveries");
  if (!highest) return impl_->fail("number a question-set delivery");
  d.serial = *highest + 1;
  auto signed_file = sign(body, d.serial);
  if (!signed_file) return signed_file.status();
  d.signed_file = std::move(*signed_file);
  Stmt add(db,
           "INSERT INTO set_deliveries(serial, venue_id, set_id, version, signed_file, created_at) "
           "SELECT ?1, id, ?3, ?4, ?5, ?6 FROM venues WHERE name = ?2");
  sqlite3_bind_int64(add.get(), 1, d.serial);
  bind_text(add.get(), 2, venue);
  bind_text(add.get(), 3, d.set_id);
  sqlite3_bind_int(add.get(), 4, d.version);
  bind_text(add.get(), 5, d.signed_file);
  sqlite3_bind_int64(add.get(), 6, now);
  rc = run(add.get());
  if (rc == SQLITE_OK) rc = tx.commit();
  if (rc != SQLITE_OK) return impl_->fail(rc, "store a signed question set");
  return std::optional<SetDelivery>(std::move(d));
}

}  // namespace tp::server
