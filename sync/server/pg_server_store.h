// The server's store in PostgreSQL, for several tenpoint-server processes
// that share one database (behind a load balancer, or during an upgrade).
// libpq stays in the .cpp files; the schema is in pg_migrations.cpp.
//
// Invariants (the SQLite store's, kept across processes):
//   1. An answer id is stored once, whichever server receives it: a unique
//      index on uuid, and INSERT ... ON CONFLICT DO NOTHING. An id already
//      held is read back: the same device with the same content is a
//      duplicate; anything else goes to `quarantine` and never overwrites.
//      A server that loses a race waits for the winner's commit, then reads
//      the committed row (READ COMMITTED: each statement sees the latest).
//   2. A batch commits whole or not at all, before the reply is sent.
//   3. Only hashes of tokens and enrolment codes are stored; code hashes
//      are keyed (secrets.h), except those of codes made before schema 3,
//      which are marked hash_kind 'unkeyed' and found by their plain hash.
//   4. An enrolment code works once: its row is locked (SELECT ... FOR
//      UPDATE) from the check to the commit, so a second server waits and
//      then sees it used. The same token retrying gets the same device.
//   5. Nothing is cached: a revocation through one server holds for the
//      next request to any of them.
//   6. No deadlock between servers: ingest locks the device row first, then
//      inserts in uuid order, so two transactions meet in the same order.
//      A deadlock or serialisation failure reported anyway is retried.
//   7. A text value PostgreSQL cannot hold (a NUL character) never reaches
//      it: such an answer is quarantined (its JSON escapes the NUL), so the
//      kiosk is not asked to resend it for ever.
//   8. Question-set changes of one set id queue behind a transaction-scoped
//      advisory lock on it, and a venue's delivery is chosen and made under a
//      lock on the venue's row: two servers never number one version twice,
//      nor make two serials for one change.
//
// An answer id, across servers:
//
//   (unknown) --ingest [INSERT wins]--> stored
//   stored --ingest [same device, same content]--> stored, +1 duplicate
//   stored --ingest [other device or content]--> stored, +1 quarantine row
//   stored, clock untrusted --heartbeat [trusted clock, same boot]--> corrected_at set
#pragma once
#include <chrono>
#include <memory>

#include "server_store.h"

namespace tp::server {

struct PgStoreOptions {
  int connections = 4;  // one per worker thread serves every request without waiting
  std::chrono::seconds connect_timeout{5};
  std::chrono::milliseconds statement_timeout{30'000};
  std::chrono::milliseconds pool_wait{30'000};  // for a free connection, when all are in use
  // true: bring the schema up to date at start (serve, enrol-code).
  // false: refuse a schema that is behind (status, stats, revoke must not change it).
  bool apply_migrations = true;
};

class PgServerStore final : public ServerStore {
 public:
  // Connects once now, so that a wrong URL, an unreachable server or an old
  // schema is a start-up failure: throws std::runtime_error with a message
  // that names the database (never its password).
  explicit PgServerStore(const std::string& url, PgStoreOptions options = {});
  ~PgServerStore() override;

  Result<std::optional<std::string>> code_key_check() override;
  Result<std::string> record_code_key_check(const std::string& check) override;
  Status add_enrol_code(const std::string& venue, const std::string& keyed_code_hash, std::int64_t expires_at) override;
  Result<bool> revoke_enrol_code(const CodeHashes& code, std::int64_t now) override;
  Result<EnrolOutcome> enrol(const CodeHashes& code, const std::string& device_id, const std::string& token_hash,
                             const std::string& kiosk_name, std::int64_t now) override;
  Result<std::optional<Device>> device_by_token(const std::string& token_hash) override;
  Result<wire::BatchReply> ingest(const std::string& device_id, const wire::Batch& batch, std::int64_t now) override;
  Status heartbeat(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now) override;
  Result<bool> revoke(const std::string& device_id, std::int64_t now) override;
  Result<std::vector<DeviceStatus>> devices() override;
  Result<KeyRegistration> register_device_key(const std::string& device_id, const std::string& public_key) override;
  Result<std::optional<Device>> device_by_key(const std::string& public_key) override;
  Status record_usb_import(const std::string& device_id, std::int64_t now) override;
  Result<std::vector<CountRow>> answer_counts() override;
  Result<std::optional<std::string>> set_key_check() override;
  Result<std::string> record_set_key_check(const std::string& public_key) override;
  Result<SetVersionInfo> add_set_draft(const std::string& set_bytes, std::int64_t now) override;
  Result<SetChange> publish_set(const std::string& set_id, std::int64_t now) override;
  Result<SetChange> rollback_set(const std::string& set_id, int to_version, std::int64_t now) override;
  Result<SetChange> assign_set(const SetAssignment& assignment, std::int64_t now) override;
  Result<std::vector<SetVersionInfo>> set_versions() override;
  Result<std::optional<std::string>> set_body(const std::string& set_id, int version) override;
  Result<std::vector<SetAssignment>> set_assignments() override;
  Result<std::optional<SetDelivery>> set_delivery(const std::string& venue, std::int64_t now, const SetSigner& sign) override;

  // "PostgreSQL database tenpoint on db.example.org", for messages.
  const std::string& description() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct PgMigrationReport {
  int from_version = 0;
  int to_version = 0;
};

// What `tenpoint-server migrate` does: applies every missing migration.
Result<PgMigrationReport> migrate_postgres(const std::string& url, PgStoreOptions options = {});

// "PostgreSQL database tenpoint on db.example.org", or why the URL cannot be read.
Result<std::string> describe_postgres_url(const std::string& url);

// The newest schema version this build knows.
int postgres_schema_version();

}  // namespace tp::server
