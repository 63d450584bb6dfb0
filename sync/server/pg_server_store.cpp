// The server's PostgreSQL store. Invariants are listed in pg_server_store.h.
//
// Every write runs as BEGIN ... COMMIT through Pool::run(), so that a
// connection found dead on its first statement can be retried on a fresh
// one without doing anything twice.
#include "pg_server_store.h"

#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "pg_connection.h"
#include "pg_migrations.h"
#include "question_set_versions.h"

namespace tp::server {

using pg::ArrayLiteral;
using pg::Lease;
using pg::Params;
using pg::Res;

namespace {

pg::PoolOptions pool_options(const PgStoreOptions& o) { return {o.connections, o.connect_timeout, o.statement_timeout, o.pool_wait}; }

// An answer's columns, in the order read_answer() reads them.
constexpr const char* kAnswerColumns =
    "uuid, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, clock_trusted, boot_id, "
    "monotonic_ms, rapid_repeat";
constexpr int kAnswerColumnCount = 14;

Answer read_answer(const Res& r, int row) {
  Answer a;
  a.uuid = r.text(row, 0);
  a.set_id = r.text(row, 1);
  a.set_version = static_cast<int>(r.int64(row, 2));
  a.question_id = r.text(row, 3);
  a.session_id = r.text(row, 4);
  if (!r.is_null(row, 5)) a.score = static_cast<int>(r.int64(row, 5));
  if (!r.is_null(row, 6)) a.text = r.text(row, 6);
  if (!r.is_null(row, 7)) a.choice = r.text(row, 7);
  a.language = r.text(row, 8);
  a.stamp.unix_seconds = r.int64(row, 9);
  a.stamp.clock_trusted = r.boolean(row, 10);
  a.stamp.boot_id = r.text(row, 11);
  a.stamp.monotonic_ms = r.int64(row, 12);
  a.rapid_repeat = r.boolean(row, 13);
  return a;
}

bool has_nul(const std::string& s) { return s.find('\0') != std::string::npos; }
bool has_nul(const Answer& a) {
  return has_nul(a.uuid) || has_nul(a.set_id) || has_nul(a.question_id) || has_nul(a.session_id) || (a.text && has_nul(*a.text)) ||
         (a.choice && has_nul(*a.choice)) || has_nul(a.language) || has_nul(a.stamp.boot_id);
}

// One column of the batch per array, zipped back into rows by unnest().
struct AnswerArrays {
  ArrayLiteral uuid, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, clock_trusted, boot_id,
      monotonic_ms, rapid_repeat, seq, corrected_at;

  void add(const StoredAnswer& s, std::optional<std::int64_t> corrected) {
    const Answer& a = s.answer;
    uuid.text(a.uuid);
    set_id.text(a.set_id);
    set_version.int64(a.set_version);
    question_id.text(a.question_id);
    session_id.text(a.session_id);
    score.int64_or_null(a.score ? std::optional<std::int64_t>(*a.score) : std::nullopt);
    text.text_or_null(a.text);
    choice.text_or_null(a.choice);
    language.text(a.language);
    recorded_at.int64(a.stamp.unix_seconds);
    clock_trusted.boolean(a.stamp.clock_trusted);
    boot_id.text(a.stamp.boot_id);
    monotonic_ms.int64(a.stamp.monotonic_ms);
    rapid_repeat.boolean(a.rapid_repeat);
    seq.int64(s.seq);
    corrected_at.int64_or_null(corrected);
  }
  Params params() const {
    Params p;
    for (const ArrayLiteral* a : {&uuid, &set_id, &set_version, &question_id, &session_id, &score, &text, &choice, &language, &recorded_at,
                                  &clock_trusted, &boot_id, &monotonic_ms, &rapid_repeat, &seq, &corrected_at})
      p.text(a->str());
    return p;
  }
};

// ORDER BY uuid: every server inserts overlapping batches in the same order,
// so two of them wait on each other's rows in one direction only (invariant 6).
// COLLATE "C" so that the order cannot depend on the database's locale.
const char* const kInsertAnswers =
    "INSERT INTO answers(uuid, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, "
    "clock_trusted, boot_id, monotonic_ms, rapid_repeat, seq, corrected_at, device_id, batch_id, received_at) "
    "SELECT u.*, $17::text, $18::text, $19::bigint "
    "FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[], $9::text[], "
    "$10::bigint[], $11::boolean[], $12::text[], $13::bigint[], $14::boolean[], $15::bigint[], $16::bigint[]) "
    "AS u(uuid, set_id, set_version, question_id, session_id, score, text, choice, language, recorded_at, clock_trusted, boot_id, "
    "monotonic_ms, rapid_repeat, seq, corrected_at) "
    "ORDER BY u.uuid COLLATE \"C\" "
    "ON CONFLICT (uuid) DO NOTHING RETURNING uuid";

struct TrustedClock {
  std::string boot_id;
  std::int64_t unix_time = 0, monotonic_ms = 0;
};

}  // namespace

struct PgServerStore::Impl {
  pg::Pool pool;
  Impl(const std::string& url, const PgStoreOptions& options) : pool(url, pool_options(options)) {}
};

PgServerStore::PgServerStore(const std::string& url, PgStoreOptions options) : impl_(std::make_unique<Impl>(url, options)) {
  auto lease = impl_->pool.acquire("open the server database");
  if (!lease) throw std::runtime_error(lease.message());
  if (options.apply_migrations) {
    auto report = pg::apply_migrations(*lease);
    if (!report) throw std::runtime_error(report.message());
    return;
  }
  auto version = pg::schema_version(*lease);
  if (!version) throw std::runtime_error(version.message());
  const std::string& where = impl_->pool.where();
  int latest = pg::latest_schema_version();
  if (*version == 0)
    throw std::runtime_error("The " + where + " has no Tenpoint tables yet: run tenpoint-server migrate --database URL (or serve once)");
  if (*version < latest)
    throw std::runtime_error("The " + where + " has schema version " + std::to_string(*version) + ", and this tenpoint-server needs " +
                             std::to_string(latest) + ": run tenpoint-server migrate --database URL");
  if (*version > latest)
    throw std::runtime_error("The " + where + " has schema version " + std::to_string(*version) +
                             ", newer than this tenpoint-server knows (" + std::to_string(latest) + "): upgrade tenpoint-server");
}

PgServerStore::~PgServerStore() = default;

const std::string& PgServerStore::description() const { return impl_->pool.where(); }

Result<std::optional<std::string>> PgServerStore::code_key_check() {
  return impl_->pool.run("read the code key's check value", [&](Lease& db) -> Result<std::optional<std::string>> {
    Res r = db.exec("SELECT check_value FROM code_key WHERE id = 1");
    if (!r.ok()) return db.fail(r, "read the code key's check value");
    if (r.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r.text(0, 0));
  });
}

Result<std::string> PgServerStore::record_code_key_check(const std::string& check) {
  return impl_->pool.run("record the code key's check value", [&](Lease& db) -> Result<std::string> {
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "record the code key's check value");
    // A second server inserting at the same moment waits for the first's
    // row, and the SELECT (a new snapshot) reads the winner's value.
    if (Res r = db.exec("INSERT INTO code_key(id, check_value) VALUES(1, $1) ON CONFLICT (id) DO NOTHING", Params().text(check)); !r.ok())
      return db.fail(r, "record the code key's check value");
    Res recorded = db.exec("SELECT check_value FROM code_key WHERE id = 1");
    if (!recorded.ok() || recorded.rows() != 1) return db.fail(recorded, "read the code key's check value");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "record the code key's check value");
    return recorded.text(0, 0);
  });
}

Status PgServerStore::add_enrol_code(const std::string& venue, const std::string& keyed_code_hash, std::int64_t expires_at) {
  auto done = impl_->pool.run("add an enrolment code", [&](Lease& db) -> Result<bool> {
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "add an enrolment code");
    // Two servers adding the first code of a new venue: the second waits for
    // the first's row, and the next statement (a new snapshot) finds it.
    if (Res r = db.exec("INSERT INTO venues(name) VALUES($1) ON CONFLICT (name) DO NOTHING", Params().text(venue)); !r.ok())
      return db.fail(r, "add a venue");
    if (Res r = db.exec("INSERT INTO enrol_codes(code_hash, venue_id, expires_at, hash_kind) SELECT $1, id, $2::bigint, 'keyed' FROM "
                        "venues WHERE name = $3",
                        Params().text(keyed_code_hash).int64(expires_at).text(venue));
        !r.ok())
      return db.fail(r, "add an enrolment code");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "add an enrolment code");
    return true;
  });
  if (!done) return done.status();
  return {};
}

// A code's row: by its keyed hash ($1), or by its plain hash ($2) if it was
// made before code hashes were keyed.
constexpr const char* kCodeMatches = "((code_hash = $1 AND hash_kind = 'keyed') OR (code_hash = $2 AND hash_kind = 'unkeyed'))";

Result<bool> PgServerStore::revoke_enrol_code(const CodeHashes& code, std::int64_t now) {
  return impl_->pool.run("withdraw an enrolment code", [&](Lease& db) -> Result<bool> {
    Res r = db.exec((std::string("UPDATE enrol_codes SET revoked_at = $3::bigint WHERE ") + kCodeMatches +
                     " AND used_at IS NULL AND revoked_at IS NULL")
                        .c_str(),
                    Params().text(code.keyed).text(code.unkeyed).int64(now));
    if (!r.ok()) return db.fail(r, "withdraw an enrolment code");
    return r.affected() >= 1;
  });
}

Result<EnrolOutcome> PgServerStore::enrol(const CodeHashes& hashes, const std::string& device_id, const std::string& token_hash,
                                          const std::string& kiosk_name, std::int64_t now) {
  return impl_->pool.run("enrol a kiosk", [&](Lease& db) -> Result<EnrolOutcome> {
    EnrolOutcome out;
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "start an enrolment");
    // The lock holds the code until COMMIT: a second server using the same
    // code waits here, then reads it used (invariant 4). The keyed row first,
    // should an old code and a new one ever be the same 60 bits.
    Res code = db.exec((std::string("SELECT venue_id, expires_at, used_at IS NOT NULL, device_id, revoked_at IS NOT NULL, code_hash "
                                    "FROM enrol_codes WHERE ") +
                        kCodeMatches + " ORDER BY hash_kind = 'keyed' DESC LIMIT 1 FOR UPDATE")
                           .c_str(),
                       Params().text(hashes.keyed).text(hashes.unkeyed));
    if (!code.ok()) return db.fail(code, "look up an enrolment code");
    if (code.rows() == 0) return out;  // unknown_code
    std::int64_t venue_id = code.int64(0, 0);
    std::string code_hash = code.text(0, 5);
    std::int64_t expires = code.int64(0, 1);
    bool used = code.boolean(0, 2);
    std::string holder = code.is_null(0, 3) ? "" : code.text(0, 3);
    // A separate statement, so that it sees a device committed while this
    // one waited for the lock.
    Res venue = db.exec("SELECT v.name, (SELECT token_hash FROM devices WHERE id = $2) FROM venues v WHERE v.id = $1::bigint",
                        Params().int64(venue_id).text(holder));
    if (!venue.ok() || venue.rows() != 1) return db.fail(venue, "look up an enrolment code's venue");
    out.venue = venue.text(0, 0);
    // A token enrolled before (maybe with another code whose reply was lost):
    // the kiosk holds that device's secret, so it gets that device back.
    Res known = db.exec(
        "SELECT d.id, v.name, d.revoked_at IS NOT NULL, d.device_key IS NOT NULL FROM devices d JOIN venues v ON v.id = d.venue_id "
        "WHERE d.token_hash = $1",
        Params().text(token_hash));
    if (!known.ok()) return db.fail(known, "look up a device");
    if (known.rows() == 1) {
      out.kind = known.boolean(0, 2) ? EnrolOutcome::revoked_token : EnrolOutcome::enrolled;
      out.device_id = known.text(0, 0);
      out.venue = known.text(0, 1);
      return out;
    }
    if (used && !venue.is_null(0, 1) && venue.text(0, 1) == token_hash) {
      // The same kiosk again: its first reply was lost. Same device, same token.
      out.kind = EnrolOutcome::enrolled;
      out.device_id = holder;
      return out;
    }
    bool withdrawn = code.boolean(0, 4);
    if (used || withdrawn || expires < now) {
      out.kind = used ? EnrolOutcome::used_code : withdrawn ? EnrolOutcome::revoked_code : EnrolOutcome::expired_code;
      return out;
    }
    if (Res r = db.exec("UPDATE enrol_codes SET used_at = $2::bigint, device_id = $3 WHERE code_hash = $1",
                        Params().text(code_hash).int64(now).text(device_id));
        !r.ok())
      return db.fail(r, "mark an enrolment code used");
    if (Res r = db.exec("INSERT INTO devices(id, venue_id, name, token_hash, created_at) VALUES($1, $2::bigint, $3, $4, $5::bigint)",
                        Params().text(device_id).int64(venue_id).text(kiosk_name).text(token_hash).int64(now));
        !r.ok())
      return db.fail(r, "add the device");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "enrol a kiosk");
    out.kind = EnrolOutcome::enrolled;
    out.device_id = device_id;
    return out;
  });
}

Result<std::optional<Device>> PgServerStore::device_by_token(const std::string& token_hash) {
  return impl_->pool.run("look up a device", [&](Lease& db) -> Result<std::optional<Device>> {
    Res r = db.exec(
        "SELECT d.id, v.name, d.revoked_at IS NOT NULL, d.device_key IS NOT NULL FROM devices d JOIN venues v ON v.id = d.venue_id "
        "WHERE d.token_hash = $1",
        Params().text(token_hash));
    if (!r.ok()) return db.fail(r, "look up a device");
    if (r.rows() == 0) return std::optional<Device>();
    return std::optional<Device>(Device{r.text(0, 0), r.text(0, 1), r.boolean(0, 2), r.boolean(0, 3)});
  });
}

Result<wire::BatchReply> PgServerStore::ingest(const std::string& device_id, const wire::Batch& batch, std::int64_t now) {
  return impl_->pool.run("store a batch", [&](Lease& db) -> Result<wire::BatchReply> {
    wire::BatchReply reply;
    reply.batch_id = batch.batch_id;
    reply.received = static_cast<std::int64_t>(batch.answers.size());
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "start a batch");

    // The device row first (invariant 6). Under its lock, a heartbeat that
    // trusts a new clock has either committed (its clock is read here) or
    // waits for this batch (and then corrects these answers itself).
    Res clock = db.exec("SELECT clock_trusted, clock_boot_id, clock_unix, clock_monotonic_ms FROM devices WHERE id = $1 FOR NO KEY UPDATE",
                        Params().text(device_id));
    if (!clock.ok()) return db.fail(clock, "read the device's clock");
    std::optional<TrustedClock> trusted;
    if (clock.rows() == 1 && clock.boolean(0, 0) && !clock.is_null(0, 1) && !clock.is_null(0, 2) && !clock.is_null(0, 3))
      trusted = TrustedClock{clock.text(0, 1), clock.int64(0, 2), clock.int64(0, 3)};

    // The first answer with each id goes into the INSERT; a repeat within the
    // batch is compared with whatever the table ends up holding, as a resend is.
    const std::size_t n = batch.answers.size();
    std::unordered_map<std::string_view, std::size_t> first;
    std::vector<bool> storable(n, true);
    AnswerArrays rows;
    for (std::size_t i = 0; i < n; ++i) {
      const StoredAnswer& s = batch.answers[i];
      const Answer& a = s.answer;
      if (has_nul(a)) {
        storable[i] = false;  // invariant 7
        continue;
      }
      if (!first.emplace(a.uuid, i).second) continue;
      std::optional<std::int64_t> corrected;
      if (!a.stamp.clock_trusted && trusted && trusted->boot_id == a.stamp.boot_id)
        corrected = trusted->unix_time - (trusted->monotonic_ms - a.stamp.monotonic_ms) / 1000;
      rows.add(s, corrected);
    }
    std::unordered_set<std::string> inserted;
    if (!first.empty()) {
      Res ins = db.exec(kInsertAnswers, rows.params().text(device_id).text(batch.batch_id).int64(now));
      if (!ins.ok()) return db.fail(ins, "store the answers");
      for (int r = 0; r < ins.rows(); ++r) inserted.insert(ins.text(r, 0));
    }
    auto newly_stored = [&](std::size_t i) {
      const std::string& uuid = batch.answers[i].answer.uuid;
      return storable[i] && first.at(uuid) == i && inserted.count(uuid) != 0;
    };

    // Ids the table held already (or that repeat within the batch): read back to compare.
    std::unordered_set<std::string_view> to_read;
    ArrayLiteral read_ids;
    for (std::size_t i = 0; i < n; ++i)
      if (storable[i] && !newly_stored(i) && to_read.insert(batch.answers[i].answer.uuid).second)
        read_ids.text(batch.answers[i].answer.uuid);
    struct Held {
      StoredAnswer answer;
      std::string device_id;
    };
    std::unordered_map<std::string, Held> held;
    if (!to_read.empty()) {
      Res found = db.exec((std::string("SELECT ") + kAnswerColumns + ", seq, device_id FROM answers WHERE uuid = ANY($1::text[])").c_str(),
                          Params().text(read_ids.str()));
      if (!found.ok()) return db.fail(found, "read back the answers already held");
      for (int r = 0; r < found.rows(); ++r)
        held[found.text(r, 0)] =
            Held{StoredAnswer{found.int64(r, kAnswerColumnCount), read_answer(found, r)}, found.text(r, kAnswerColumnCount + 1)};
    }

    ArrayLiteral quarantine_ids, quarantine_json;
    for (std::size_t i = 0; i < n; ++i) {
      const StoredAnswer& s = batch.answers[i];
      if (newly_stored(i)) {
        ++reply.stored;
        continue;
      }
      if (storable[i]) {
        auto h = held.find(s.answer.uuid);
        // Not inserted and not found: only possible if rows were deleted meanwhile.
        if (h == held.end()) return db.fail("store the answers", "answer " + s.answer.uuid + " was neither stored nor found; try again");
        if (h->second.device_id == device_id && h->second.answer == s) {
          ++reply.duplicates;
          continue;
        }
      }
      quarantine_ids.text(s.answer.uuid);
      quarantine_json.text(wire::encode(wire::Batch{batch.batch_id, {s}}));
      reply.quarantined.push_back(s.answer.uuid);
    }
    if (!reply.quarantined.empty()) {
      Res q = db.exec(
          "INSERT INTO quarantine(uuid, device_id, batch_id, received_at, answer_json) "
          "SELECT u.uuid, $3, $4, $5::bigint, u.answer_json FROM unnest($1::text[], $2::text[]) AS u(uuid, answer_json)",
          Params().text(quarantine_ids.str()).text(quarantine_json.str()).text(device_id).text(batch.batch_id).int64(now));
      if (!q.ok()) return db.fail(q, "quarantine answers");
    }
    Res log = db.exec(
        "INSERT INTO batches(batch_id, device_id, received_at, received, stored, duplicates, quarantined) "
        "VALUES($1, $2, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::bigint)",
        Params()
            .text(batch.batch_id)
            .text(device_id)
            .int64(now)
            .int64(reply.received)
            .int64(reply.stored)
            .int64(reply.duplicates)
            .int64(static_cast<std::int64_t>(reply.quarantined.size())));
    if (!log.ok()) return db.fail(log, "log a batch");
    if (Res r = db.exec("UPDATE devices SET last_contact = $2::bigint WHERE id = $1", Params().text(device_id).int64(now)); !r.ok())
      return db.fail(r, "note the device's contact");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "commit a batch");
    return reply;
  });
}

Status PgServerStore::heartbeat(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now) {
  auto done = impl_->pool.run("record a heartbeat", [&](Lease& db) -> Result<bool> {
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "record a heartbeat");
    Res update = db.exec(
        "UPDATE devices SET last_contact = $2::bigint, app_version = $3, set_id = $4, set_version = $5::integer, "
        "answers_waiting = $6::bigint, oldest_unsent_age_s = $7::bigint, free_disk_bytes = $8::bigint, clock_trusted = $9::boolean, "
        "clock_unix = $10::bigint, clock_boot_id = $11, clock_monotonic_ms = $12::bigint WHERE id = $1",
        Params()
            .text(device_id)
            .int64(now)
            .text(hb.app_version)
            .text(hb.set_id)
            .int64(hb.set_version)
            .int64(hb.answers_waiting)
            .int64_or_null(hb.oldest_unsent_age_s)
            .int64(hb.free_disk_bytes)
            .boolean(hb.clock.trusted)
            .int64(hb.clock.unix_time)
            .text(hb.clock.boot_id)
            .int64(hb.clock.monotonic_ms));
    if (!update.ok()) return db.fail(update, "record a heartbeat");
    if (hb.clock.trusted) {
      // Once the clock is trusted, answers stamped earlier in the same boot can be placed.
      Res fix = db.exec(
          "UPDATE answers SET corrected_at = $3::bigint - ($4::bigint - monotonic_ms) / 1000 "
          "WHERE device_id = $1 AND boot_id = $2 AND NOT clock_trusted AND corrected_at IS NULL",
          Params().text(device_id).text(hb.clock.boot_id).int64(hb.clock.unix_time).int64(hb.clock.monotonic_ms));
      if (!fix.ok()) return db.fail(fix, "correct the times of untrusted answers");
    }
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "record a heartbeat");
    return true;
  });
  if (!done) return done.status();
  return {};
}

Result<bool> PgServerStore::revoke(const std::string& device_id, std::int64_t now) {
  return impl_->pool.run("revoke a device", [&](Lease& db) -> Result<bool> {
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "revoke a device");
    Res r = db.exec("UPDATE devices SET revoked_at = $2::bigint WHERE id = $1 AND revoked_at IS NULL", Params().text(device_id).int64(now));
    if (!r.ok()) return db.fail(r, "revoke a device");
    if (Res c = db.exec("COMMIT"); !c.ok()) return db.fail(c, "revoke a device");
    return r.affected() == 1;
  });
}

Result<std::vector<DeviceStatus>> PgServerStore::devices() {
  return impl_->pool.run("list devices", [&](Lease& db) -> Result<std::vector<DeviceStatus>> {
    // COLLATE "C": the same order as the SQLite store, whatever the database's locale.
    Res r = db.exec(
        "SELECT d.id, v.name, d.name, d.revoked_at IS NOT NULL, d.last_contact, d.app_version, d.set_id, d.set_version, d.answers_waiting, "
        "d.oldest_unsent_age_s, d.free_disk_bytes, d.clock_trusted, "
        "(SELECT count(*) FROM answers a WHERE a.device_id = d.id), (SELECT count(*) FROM quarantine q WHERE q.device_id = d.id), "
        "d.device_key IS NOT NULL, d.usb_seen_at FROM devices d JOIN venues v ON v.id = d.venue_id "
        "ORDER BY v.name COLLATE \"C\", d.id COLLATE \"C\"");
    if (!r.ok()) return db.fail(r, "list devices");
    std::vector<DeviceStatus> out;
    for (int i = 0; i < r.rows(); ++i) {
      DeviceStatus d;
      d.id = r.text(i, 0);
      d.venue = r.text(i, 1);
      d.name = r.text(i, 2);
      d.revoked = r.boolean(i, 3);
      if (!r.is_null(i, 4)) d.last_contact = r.int64(i, 4);
      d.app_version = r.text(i, 5);
      d.set_id = r.text(i, 6);
      d.set_version = static_cast<int>(r.int64(i, 7));
      d.answers_waiting = r.int64(i, 8);
      if (!r.is_null(i, 9)) d.oldest_unsent_age_s = r.int64(i, 9);
      d.free_disk_bytes = r.int64(i, 10);
      d.clock_trusted = r.boolean(i, 11);
      d.answers_received = r.int64(i, 12);
      d.quarantined = r.int64(i, 13);
      d.has_device_key = r.boolean(i, 14);
      if (!r.is_null(i, 15)) d.usb_seen_at = r.int64(i, 15);
      out.push_back(std::move(d));
    }
    return out;
  });
}

Result<KeyRegistration> PgServerStore::register_device_key(const std::string& device_id, const std::string& public_key) {
  return impl_->pool.run("record a kiosk's key", [&](Lease& db) -> Result<KeyRegistration> {
    // One statement: a device without a key takes this one unless another
    // device holds it; the unique index settles two servers racing.
    Res set = db.exec(
        "UPDATE devices SET device_key = $2 WHERE id = $1 AND device_key IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM devices WHERE device_key = $2)",
        Params().text(device_id).text(public_key));
    if (!set.ok() && set.sqlstate() == "23505") return KeyRegistration::conflict;
    if (!set.ok()) return db.fail(set, "record a kiosk's key");
    if (set.affected() == 1) return KeyRegistration::registered;
    Res now = db.exec("SELECT device_key FROM devices WHERE id = $1", Params().text(device_id));
    if (!now.ok()) return db.fail(now, "record a kiosk's key");
    if (now.rows() == 0) return KeyRegistration::no_device;
    return !now.is_null(0, 0) && now.text(0, 0) == public_key ? KeyRegistration::already : KeyRegistration::conflict;
  });
}

Result<std::optional<Device>> PgServerStore::device_by_key(const std::string& public_key) {
  return impl_->pool.run("look up a kiosk's key", [&](Lease& db) -> Result<std::optional<Device>> {
    Res r =
        db.exec("SELECT d.id, v.name, d.revoked_at IS NOT NULL FROM devices d JOIN venues v ON v.id = d.venue_id WHERE d.device_key = $1",
                Params().text(public_key));
    if (!r.ok()) return db.fail(r, "look up a kiosk's key");
    if (r.rows() == 0) return std::optional<Device>();
    return std::optional<Device>(Device{r.text(0, 0), r.text(0, 1), r.boolean(0, 2), true});
  });
}

Status PgServerStore::record_usb_import(const std::string& device_id, std::int64_t now) {
  auto done = impl_->pool.run("record a USB import", [&](Lease& db) -> Result<bool> {
    Res r = db.exec("UPDATE devices SET usb_seen_at = greatest(coalesce(usb_seen_at, 0), $2::bigint) WHERE id = $1",
                    Params().text(device_id).int64(now));
    if (!r.ok()) return db.fail(r, "record a USB import");
    return true;
  });
  return done ? Status{} : done.status();
}

Result<std::vector<CountRow>> PgServerStore::answer_counts() {
  return impl_->pool.run("count answers", [&](Lease& db) -> Result<std::vector<CountRow>> {
    Res r = db.exec(
        "SELECT v.name, a.device_id, a.question_id, count(*) FROM answers a JOIN devices d ON d.id = a.device_id "
        "JOIN venues v ON v.id = d.venue_id GROUP BY v.name, a.device_id, a.question_id "
        "ORDER BY v.name COLLATE \"C\", a.device_id COLLATE \"C\", a.question_id COLLATE \"C\"");
    if (!r.ok()) return db.fail(r, "count answers");
    std::vector<CountRow> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.int64(i, 3)});
    return out;
  });
}

// [SECTION] Question sets (question_set_versions.h)

namespace {

struct Latest {
  int version = 0;
  bool published = false;
};

// Starts a transaction holding the set id's lock (invariant 8).
Status begin_for_set(Lease& db, const std::string& set_id, std::string_view doing) {
  if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, doing);
  if (Res r = db.exec("SELECT pg_advisory_xact_lock(hashtextextended('tenpoint question set ' || $1, 0))", Params().text(set_id)); !r.ok())
    return db.fail(r, doing);
  return {};
}

Result<std::optional<Latest>> latest_version(Lease& db, const std::string& set_id) {
  Res r = db.exec("SELECT version, published_at IS NOT NULL FROM question_sets WHERE set_id = $1 ORDER BY version DESC LIMIT 1",
                  Params().text(set_id));
  if (!r.ok()) return db.fail(r, "read a question set's versions");
  if (r.rows() == 0) return std::optional<Latest>();
  return std::optional<Latest>(Latest{static_cast<int>(r.int64(0, 0)), r.boolean(0, 1)});
}

}  // namespace

Result<std::optional<std::string>> PgServerStore::set_key_check() {
  return impl_->pool.run("read the question-set signing key", [&](Lease& db) -> Result<std::optional<std::string>> {
    Res r = db.exec("SELECT public_key FROM set_signing_key WHERE id = 1");
    if (!r.ok()) return db.fail(r, "read the question-set signing key");
    if (r.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r.text(0, 0));
  });
}

Result<std::string> PgServerStore::record_set_key_check(const std::string& public_key) {
  return impl_->pool.run("record the question-set signing key", [&](Lease& db) -> Result<std::string> {
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "record the question-set signing key");
    // As with the code key: a second server waits for the first's row, then reads it.
    if (Res r = db.exec("INSERT INTO set_signing_key(id, public_key) VALUES(1, $1) ON CONFLICT (id) DO NOTHING", Params().text(public_key));
        !r.ok())
      return db.fail(r, "record the question-set signing key");
    Res recorded = db.exec("SELECT public_key FROM set_signing_key WHERE id = 1");
    if (!recorded.ok() || recorded.rows() != 1) return db.fail(recorded, "read the question-set signing key");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "record the question-set signing key");
    return recorded.text(0, 0);
  });
}

Result<SetVersionInfo> PgServerStore::add_set_draft(const std::string& set_bytes, std::int64_t now) {
  LoadResult loaded = parse_question_set(set_bytes);
  if (!loaded.set) return Status::failure(Fault::invalid_input, "the question set is invalid: " + first_problem(loaded));
  const std::string set_id = loaded.set->id;
  return impl_->pool.run("add a question-set draft", [&](Lease& db) -> Result<SetVersionInfo> {
    if (Status s = begin_for_set(db, set_id, "add a question-set draft"); !s) return s;
    auto latest = latest_version(db, set_id);
    if (!latest) return latest.status();
    bool replace = *latest && !(*latest)->published;
    SetVersionInfo info;
    info.set_id = set_id;
    info.version = !*latest ? 1 : replace ? (*latest)->version : (*latest)->version + 1;
    info.created_at = now;
    auto body = with_set_version(set_bytes, info.version);
    if (!body) return body.status();
    Res w = db.exec(replace ? "UPDATE question_sets SET body = $3, created_at = $4::bigint WHERE set_id = $1 AND version = $2::integer"
                            : "INSERT INTO question_sets(set_id, version, body, created_at) VALUES($1, $2::integer, $3, $4::bigint)",
                    Params().text(set_id).int64(info.version).text(*body).int64(now));
    if (!w.ok()) return db.fail(w, "add a question-set draft");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "add a question-set draft");
    return info;
  });
}

Result<SetChange> PgServerStore::publish_set(const std::string& set_id, std::int64_t now) {
  return impl_->pool.run("publish a question set", [&](Lease& db) -> Result<SetChange> {
    if (Status s = begin_for_set(db, set_id, "publish a question set"); !s) return s;
    auto latest = latest_version(db, set_id);
    if (!latest) return latest.status();
    if (!*latest) return SetChange{SetChange::no_such_set, 0};
    if ((*latest)->published) return SetChange{SetChange::nothing_to_publish, (*latest)->version};
    Res p =
        db.exec("UPDATE question_sets SET published_at = $3::bigint WHERE set_id = $1 AND version = $2::integer AND published_at IS NULL",
                Params().text(set_id).int64((*latest)->version).int64(now));
    if (!p.ok()) return db.fail(p, "publish a question set");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "publish a question set");
    return SetChange{SetChange::done, (*latest)->version};
  });
}

Result<SetChange> PgServerStore::rollback_set(const std::string& set_id, int to_version, std::int64_t now) {
  return impl_->pool.run("roll back a question set", [&](Lease& db) -> Result<SetChange> {
    if (Status s = begin_for_set(db, set_id, "roll back a question set"); !s) return s;
    auto latest = latest_version(db, set_id);
    if (!latest) return latest.status();
    if (!*latest) return SetChange{SetChange::no_such_set, 0};
    if (!(*latest)->published) return SetChange{SetChange::draft_pending, (*latest)->version};
    Res old = db.exec("SELECT body, published_at IS NOT NULL FROM question_sets WHERE set_id = $1 AND version = $2::integer",
                      Params().text(set_id).int64(to_version));
    if (!old.ok()) return db.fail(old, "read a question-set version");
    if (old.rows() == 0) return SetChange{SetChange::no_such_version, 0};
    if (!old.boolean(0, 1)) return SetChange{SetChange::not_published, 0};
    const int version = (*latest)->version + 1;
    auto body = with_set_version(old.text(0, 0), version);
    if (!body) return body.status();
    Res add = db.exec(
        "INSERT INTO question_sets(set_id, version, body, created_at, published_at, rolled_back_from) "
        "VALUES($1, $2::integer, $3, $4::bigint, $4::bigint, $5::integer)",
        Params().text(set_id).int64(version).text(*body).int64(now).int64(to_version));
    if (!add.ok()) return db.fail(add, "roll back a question set");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "roll back a question set");
    return SetChange{SetChange::done, version};
  });
}

Result<SetChange> PgServerStore::assign_set(const SetAssignment& a, std::int64_t now) {
  return impl_->pool.run("assign a question set", [&](Lease& db) -> Result<SetChange> {
    if (Status s = begin_for_set(db, a.set_id, "assign a question set"); !s) return s;
    auto latest = latest_version(db, a.set_id);
    if (!latest) return latest.status();
    if (!*latest) return SetChange{SetChange::no_such_set, 0};
    if (Res r = db.exec("INSERT INTO venues(name) VALUES($1) ON CONFLICT (name) DO NOTHING", Params().text(a.venue)); !r.ok())
      return db.fail(r, "add a venue");
    // The venue's row first: the same order as set_delivery, and two admins
    // replacing one venue's standing set queue here.
    Res venue = db.exec("SELECT id FROM venues WHERE name = $1 FOR NO KEY UPDATE", Params().text(a.venue));
    if (!venue.ok() || venue.rows() != 1) return db.fail(venue, "find a venue");
    std::int64_t venue_id = venue.int64(0, 0);
    if (!a.starts_at) {
      if (Res r = db.exec("DELETE FROM set_assignments WHERE venue_id = $1::bigint AND starts_at IS NULL", Params().int64(venue_id));
          !r.ok())
        return db.fail(r, "replace a venue's standing question set");
    }
    Res add = db.exec(
        "INSERT INTO set_assignments(venue_id, set_id, starts_at, ends_at, created_at) VALUES($1::bigint, $2, $3::bigint, $4::bigint, "
        "$5::bigint)",
        Params().int64(venue_id).text(a.set_id).int64_or_null(a.starts_at).int64_or_null(a.ends_at).int64(now));
    if (!add.ok()) return db.fail(add, "assign a question set");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "assign a question set");
    return SetChange{SetChange::done, 0};
  });
}

Result<std::vector<SetVersionInfo>> PgServerStore::set_versions() {
  return impl_->pool.run("list question sets", [&](Lease& db) -> Result<std::vector<SetVersionInfo>> {
    Res r = db.exec(
        "SELECT set_id, version, published_at, created_at, coalesce(rolled_back_from, 0) FROM question_sets "
        "ORDER BY set_id COLLATE \"C\", version");
    if (!r.ok()) return db.fail(r, "list question sets");
    std::vector<SetVersionInfo> out;
    for (int i = 0; i < r.rows(); ++i) {
      SetVersionInfo v;
      v.set_id = r.text(i, 0);
      v.version = static_cast<int>(r.int64(i, 1));
      v.published = !r.is_null(i, 2);
      if (v.published) v.published_at = r.int64(i, 2);
      v.created_at = r.int64(i, 3);
      v.rolled_back_from = static_cast<int>(r.int64(i, 4));
      out.push_back(std::move(v));
    }
    return out;
  });
}

Result<std::optional<std::string>> PgServerStore::set_body(const std::string& set_id, int version) {
  return impl_->pool.run("read a question-set version", [&](Lease& db) -> Result<std::optional<std::string>> {
    Res r = db.exec("SELECT body FROM question_sets WHERE set_id = $1 AND version = $2::integer", Params().text(set_id).int64(version));
    if (!r.ok()) return db.fail(r, "read a question-set version");
    if (r.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(r.text(0, 0));
  });
}

Result<std::vector<SetAssignment>> PgServerStore::set_assignments() {
  return impl_->pool.run("list question-set assignments", [&](Lease& db) -> Result<std::vector<SetAssignment>> {
    Res r = db.exec(
        "SELECT v.name, a.set_id, a.starts_at, a.ends_at FROM set_assignments a JOIN venues v ON v.id = a.venue_id "
        "ORDER BY v.name COLLATE \"C\", a.starts_at IS NOT NULL, a.starts_at, a.id");
    if (!r.ok()) return db.fail(r, "list question-set assignments");
    std::vector<SetAssignment> out;
    for (int i = 0; i < r.rows(); ++i) {
      SetAssignment a{r.text(i, 0), r.text(i, 1), std::nullopt, std::nullopt};
      if (!r.is_null(i, 2)) a.starts_at = r.int64(i, 2);
      if (!r.is_null(i, 3)) a.ends_at = r.int64(i, 3);
      out.push_back(std::move(a));
    }
    return out;
  });
}

Result<std::optional<SetDelivery>> PgServerStore::set_delivery(const std::string& venue, std::int64_t now, const SetSigner& sign) {
  return impl_->pool.run("choose a venue's question set", [&](Lease& db) -> Result<std::optional<SetDelivery>> {
    if (Res r = db.exec("BEGIN"); !r.ok()) return db.fail(r, "choose a venue's question set");
    // Invariant 8: servers answering kiosks of one venue at once queue here,
    // and the second finds the first's delivery.
    Res v = db.exec("SELECT id FROM venues WHERE name = $1 FOR NO KEY UPDATE", Params().text(venue));
    if (!v.ok()) return db.fail(v, "choose a venue's question set");
    if (v.rows() == 0) return std::optional<SetDelivery>();
    std::int64_t venue_id = v.int64(0, 0);
    // A dated assignment covering now (the latest added), else the standing one.
    Res pick = db.exec(
        "SELECT a.set_id FROM set_assignments a WHERE a.venue_id = $1::bigint "
        "AND (a.starts_at IS NULL OR (a.starts_at <= $2::bigint AND $2::bigint < a.ends_at)) "
        "AND EXISTS (SELECT 1 FROM question_sets q WHERE q.set_id = a.set_id AND q.published_at IS NOT NULL) "
        "ORDER BY a.starts_at IS NULL, a.id DESC LIMIT 1",
        Params().int64(venue_id).int64(now));
    if (!pick.ok()) return db.fail(pick, "choose a venue's question set");
    if (pick.rows() == 0) return std::optional<SetDelivery>();
    SetDelivery d;
    d.set_id = pick.text(0, 0);
    Res published =
        db.exec("SELECT version, body FROM question_sets WHERE set_id = $1 AND published_at IS NOT NULL ORDER BY version DESC LIMIT 1",
                Params().text(d.set_id));
    if (!published.ok() || published.rows() != 1) return db.fail(published, "read a published question set");
    d.version = static_cast<int>(published.int64(0, 0));
    Res last =
        db.exec("SELECT serial, set_id, version, signed_file FROM set_deliveries WHERE venue_id = $1::bigint ORDER BY serial DESC LIMIT 1",
                Params().int64(venue_id));
    if (!last.ok()) return db.fail(last, "read a venue's last question set");
    if (last.rows() == 1 && last.text(0, 1) == d.set_id && last.int64(0, 2) == d.version) {
      d.serial = last.int64(0, 0);
      d.signed_file = last.text(0, 3);
      return std::optional<SetDelivery>(std::move(d));  // unchanged: the same file, the same serial
    }
    Res serial = db.exec("SELECT nextval('set_delivery_serials')");
    if (!serial.ok() || serial.rows() != 1) return db.fail(serial, "number a question-set delivery");
    d.serial = serial.int64(0, 0);
    auto signed_file = sign(published.text(0, 1), d.serial);
    if (!signed_file) return signed_file.status();
    d.signed_file = std::move(*signed_file);
    Res add = db.exec(
        "INSERT INTO set_deliveries(serial, venue_id, set_id, version, signed_file, created_at) "
        "VALUES($1::bigint, $2::bigint, $3, $4::integer, $5, $6::bigint)",
        Params().int64(d.serial).int64(venue_id).text(d.set_id).int64(d.version).text(d.signed_file).int64(now));
    if (!add.ok()) return db.fail(add, "store a signed question set");
    if (Res r = db.exec("COMMIT"); !r.ok()) return db.fail(r, "store a signed question set");
    return std::optional<SetDelivery>(std::move(d));
  });
}

Result<PgMigrationReport> migrate_postgres(const std::string& url, PgStoreOptions options) {
  options.connections = 1;
  std::optional<pg::Pool> pool;
  try {
    pool.emplace(url, pool_options(options));
  } catch (const std::exception& e) {
    return Status::failure(Fault::invalid_input, e.what());
  }
  auto lease = pool->acquire("migrate the schema");
  if (!lease) return lease.status();
  auto report = pg::apply_migrations(*lease);
  if (!report) return report.status();
  return PgMigrationReport{report->from_version, report->to_version};
}

Result<std::string> describe_postgres_url(const std::string& url) {
  std::string error;
  auto where = pg::describe_postgres(url, error);
  if (!where) return Status::failure(Fault::invalid_input, "Unable to read the PostgreSQL URL: " + error);
  return *where;
}

int postgres_schema_version() { return pg::latest_schema_version(); }

}  // namespace tp::server
