// The PostgreSQL schema and the code that applies it; see pg_migrations.h.
#include "pg_migrations.h"

#include <array>

namespace tp::pg {

namespace {

// The same tables as the SQLite store's, with the same meaning: times are
// unix seconds in bigint (as the wire carries them), flags are booleans.
const char* const kInitialSchema = R"sql(
CREATE TABLE venues(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created_at bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint
);
CREATE TABLE enrol_codes(
  code_hash text PRIMARY KEY,
  venue_id bigint NOT NULL REFERENCES venues(id),
  created_at bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint,
  expires_at bigint NOT NULL,
  used_at bigint,
  device_id text
);
CREATE TABLE devices(
  id text PRIMARY KEY,
  venue_id bigint NOT NULL REFERENCES venues(id),
  name text NOT NULL DEFAULT '',
  token_hash text NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  revoked_at bigint,
  last_contact bigint,
  app_version text NOT NULL DEFAULT '',
  set_id text NOT NULL DEFAULT '',
  set_version integer NOT NULL DEFAULT 0,
  answers_waiting bigint NOT NULL DEFAULT 0,
  oldest_unsent_age_s bigint,
  free_disk_bytes bigint NOT NULL DEFAULT -1,
  clock_trusted boolean NOT NULL DEFAULT false,
  clock_unix bigint,
  clock_boot_id text,
  clock_monotonic_ms bigint
);
-- The unique index on uuid is what makes an answer land once, whichever
-- server receives it: a second insert of the same id waits for the first
-- to commit or roll back, then finds it (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE answers(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid text NOT NULL UNIQUE,
  device_id text NOT NULL,
  seq bigint NOT NULL,
  set_id text NOT NULL,
  set_version integer NOT NULL,
  question_id text NOT NULL,
  session_id text NOT NULL,
  score integer,
  text text,
  choice text,
  language text NOT NULL,
  recorded_at bigint NOT NULL,
  clock_trusted boolean NOT NULL,
  boot_id text NOT NULL,
  monotonic_ms bigint NOT NULL,
  rapid_repeat boolean NOT NULL,
  corrected_at bigint,  -- set when an untrusted time could be placed (see PROTOCOL.md, "Clocks")
  batch_id text NOT NULL,
  received_at bigint NOT NULL
);
CREATE INDEX answers_device_boot ON answers(device_id, boot_id) WHERE NOT clock_trusted;
-- Serves the per-device and per-question counts of `status` and `stats`
-- from the index alone, instead of reading every answer.
CREATE INDEX answers_device_question ON answers(device_id, question_id);
-- One row per batch received: resends show up as duplicates here.
CREATE TABLE batches(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  batch_id text NOT NULL,
  device_id text NOT NULL,
  received_at bigint NOT NULL,
  received bigint NOT NULL,
  stored bigint NOT NULL,
  duplicates bigint NOT NULL,
  quarantined bigint NOT NULL
);
CREATE TABLE quarantine(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid text NOT NULL,
  device_id text NOT NULL,
  batch_id text NOT NULL,
  received_at bigint NOT NULL,
  answer_json text NOT NULL
);
CREATE INDEX quarantine_device ON quarantine(device_id);
)sql";

// Codes made before code hashes were keyed keep their plain hash, marked
// 'unkeyed', and work until they expire. The column then loses its default:
// every code added since must say 'keyed' itself (add_enrol_code).
const char* const kKeyedCodeHashes = R"sql(
ALTER TABLE enrol_codes ADD COLUMN hash_kind text NOT NULL DEFAULT 'unkeyed' CHECK (hash_kind IN ('unkeyed', 'keyed'));
ALTER TABLE enrol_codes ALTER COLUMN hash_kind DROP DEFAULT;
-- The check value of the key code hashes are made with (code_key_file.h), never the key: one row at most.
CREATE TABLE code_key(
  id integer PRIMARY KEY CHECK (id = 1),
  check_value text NOT NULL,
  recorded_at bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint
);
)sql";

// Question sets in numbered versions, their assignment to venues, the signed
// files made for venues, and the public key they are signed with
// (question_set_versions.h, set_key_file.h). Delivery serials come from a
// sequence: they rise across every server sharing the database.
const char* const kQuestionSets = R"sql(
CREATE TABLE question_sets(
  set_id text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  body text NOT NULL,  -- the set file's bytes, its "version" equal to `version`
  created_at bigint NOT NULL,
  published_at bigint,  -- NULL: a draft
  rolled_back_from integer,  -- a rollback: the version whose content this publishes again
  PRIMARY KEY (set_id, version)
);
-- A published version never changes and is never deleted, whatever asks.
CREATE FUNCTION question_sets_published_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a published question-set version never changes';
END
$$;
CREATE TRIGGER question_sets_published_frozen BEFORE UPDATE OR DELETE ON question_sets
  FOR EACH ROW WHEN (OLD.published_at IS NOT NULL) EXECUTE FUNCTION question_sets_published_frozen();
-- starts_at and ends_at both NULL: the venue's standing set (one at most).
CREATE TABLE set_assignments(
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  venue_id bigint NOT NULL REFERENCES venues(id),
  set_id text NOT NULL,
  starts_at bigint,
  ends_at bigint,
  created_at bigint NOT NULL,
  CHECK ((starts_at IS NULL) = (ends_at IS NULL) AND (starts_at IS NULL OR starts_at < ends_at))
);
CREATE UNIQUE INDEX set_assignments_standing ON set_assignments(venue_id) WHERE starts_at IS NULL;
CREATE SEQUENCE set_delivery_serials;
CREATE TABLE set_deliveries(
  serial bigint PRIMARY KEY,
  venue_id bigint NOT NULL REFERENCES venues(id),
  set_id text NOT NULL,
  version integer NOT NULL,
  signed_file text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX set_deliveries_venue ON set_deliveries(venue_id, serial);
-- The public key (base64) of the key sets are signed with, never the secret key: one row at most.
CREATE TABLE set_signing_key(
  id integer PRIMARY KEY CHECK (id = 1),
  public_key text NOT NULL,
  recorded_at bigint NOT NULL DEFAULT extract(epoch FROM now())::bigint
);
)sql";

// Each kiosk's own Ed25519 public key, under which its USB bundles are
// trusted (bundle.h), and when one was last imported.
const char* const kDeviceKeys = R"sql(
ALTER TABLE devices ADD COLUMN device_key text;  -- base64; set once
ALTER TABLE devices ADD COLUMN usb_seen_at bigint;
CREATE UNIQUE INDEX devices_key ON devices(device_key) WHERE device_key IS NOT NULL;
)sql";

constexpr std::array kMigrations{
    Migration{1, "venues, enrolment codes, devices, answers, batches, quarantine", kInitialSchema},
    Migration{2, "enrolment codes can be withdrawn", "ALTER TABLE enrol_codes ADD COLUMN revoked_at bigint;"},
    Migration{3, "enrolment-code hashes are keyed; older codes marked unkeyed", kKeyedCodeHashes},
    Migration{4, "question sets in versions, assigned to venues, delivered signed", kQuestionSets},
    Migration{5, "kiosks' own keys for their USB bundles, and when one was last imported", kDeviceKeys},
};

// Any number works as long as every Tenpoint server uses the same one:
// the bytes of "tenpoint" in ASCII.
constexpr const char* kMigrationLockKey = "8387236823263227508";  // 0x74656E706F696E74

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }
int latest_schema_version() { return kMigrations.back().version; }

Result<int> schema_version(Lease& db) {
  Res exists = db.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists.ok()) return db.fail(exists, "read the schema version");
  if (!exists.boolean(0, 0)) return 0;
  Res version = db.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!version.ok()) return db.fail(version, "read the schema version");
  return static_cast<int>(version.int64(0, 0));
}

Result<MigrationReport> apply_migrations(Lease& db, int up_to) {
  if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "start migrating the schema");
  // Held until COMMIT or ROLLBACK; a second server waits here, then finds the work done.
  if (Res r = db.exec("SELECT pg_advisory_xact_lock($1::bigint)", Params().text(kMigrationLockKey)); !r.ok())
    return db.fail(r, "take the migration lock");
  // A large table may take a while to change; the usual per-statement limit
  // is for serving requests.
  if (Res r = db.exec("SELECT set_config('statement_timeout', '0', true)"); !r.ok()) return db.fail(r, "start migrating the schema");
  if (Res r = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations("
                      "version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
      !r.ok())
    return db.fail(r, "create the schema_migrations table");
  auto current = schema_version(db);
  if (!current) return current.status();
  MigrationReport report{*current, *current};
  if (*current > latest_schema_version())
    return db.fail("migrate the schema", "its schema is version " + std::to_string(*current) + ", newer than this tenpoint-server knows (" +
                                             std::to_string(latest_schema_version()) + "); upgrade tenpoint-server");
  for (const Migration& m : kMigrations) {
    if (m.version <= *current || m.version > up_to) continue;
    if (Res r = db.exec_script(m.sql); !r.ok()) return db.fail(r, "apply schema migration " + std::to_string(m.version));
    if (Res r = db.exec("INSERT INTO schema_migrations(version, description) VALUES($1::integer, $2)",
                        Params().int64(m.version).text(m.description));
        !r.ok())
      return db.fail(r, "record schema migration " + std::to_string(m.version));
    report.to_version = m.version;
  }
  if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "commit the schema migrations");
  return report;
}

}  // namespace tp::pg
