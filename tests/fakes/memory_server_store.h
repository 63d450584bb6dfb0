// The server's storage role held in memory, for API tests that are about the
// rules and not about SQLite. It keeps the SQLite store's rules
// (sync/server/sqlite_server_store.h), so that the same API tests can run
// against both:
//   1. A code enrols once. The token that used it enrolling again gets the
//      same device back; any other token finds the code used. A used code is
//      reported as used before an expired one is reported as expired.
//   2. A token hash belongs to one device. A token already enrolled, shown
//      with any known code, gets its own device back (its first reply was
//      lost and someone made a new code meanwhile; the new code stays
//      unused), or revoked_token if that device was revoked.
//   3. An answer id is stored once. Sent again by the same device with the
//      same content: a duplicate. Anything else: quarantined, never replacing
//      the first.
//   4. Answers stamped with an untrusted clock are placed once the device
//      reports a trusted clock for the same boot.
//   5. A revoked device keeps its record; revoking it again reports false.
//   6. Codes are found by their keyed hash; this store holds no codes from
//      before keyed hashes (those come from the SQL stores' migrations).
//      The first code key check value recorded stays.
//   7. Question sets follow sync/server/question_set_versions.h.
// `fail` makes every call fail as storage does when the disk or database is
// gone, changing nothing.
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "question_set_versions.h"
#include "server_store.h"

namespace tp::test {

class MemoryServerStore final : public server::ServerStore {
 public:
  // The answer as stored, with what the server adds.
  struct StoredRow {
    StoredAnswer answer;
    std::string device_id, batch_id;
    std::int64_t received_at = 0;
    std::optional<std::int64_t> corrected_at;
  };

  bool fail = false;
  // What a failure says. Like SQLite's, it names a file and the database's
  // own words, so that a test can check the API keeps both out of replies.
  std::string fail_message = "Unable to write in /var/lib/tenpoint/server.db: database is locked (sqlite3 busy, injected)";

  Result<std::optional<std::string>> code_key_check() override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("read the code key's check value");
    return code_key_check_;
  }

  Result<std::string> record_code_key_check(const std::string& check) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("record the code key's check value");
    if (!code_key_check_) code_key_check_ = check;
    return *code_key_check_;
  }

  Status add_enrol_code(const std::string& venue, const std::string& keyed_code_hash, std::int64_t expires_at) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("add an enrolment code");
    if (codes_.count(keyed_code_hash))
      return Status::failure(Fault::storage_unavailable, "Unable to add an enrolment code: it exists already");
    codes_[keyed_code_hash] = Code{venue, expires_at, std::nullopt, ""};
    return {};
  }

  Result<bool> revoke_enrol_code(const server::CodeHashes& hashes, std::int64_t) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("withdraw an enrolment code");
    auto code = codes_.find(hashes.keyed);
    if (code == codes_.end() || code->second.used_at || code->second.revoked) return false;
    code->second.revoked = true;
    return true;
  }

  Result<server::EnrolOutcome> enrol(const server::CodeHashes& hashes, const std::string& device_id, const std::string& token_hash,
                                     const std::string& kiosk_name, std::int64_t now) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("enrol a kiosk");
    server::EnrolOutcome out;
    auto code = codes_.find(hashes.keyed);
    if (code == codes_.end()) return out;  // unknown_code
    Code& c = code->second;
    out.venue = c.venue;
    for (const auto& [id, d] : devices_)
      if (d.token_hash == token_hash) {
        out.kind = d.status.revoked ? server::EnrolOutcome::revoked_token : server::EnrolOutcome::enrolled;
        out.device_id = id;
        out.venue = d.status.venue;
        return out;
      }
    if (c.used_at) {
      auto holder = devices_.find(c.device_id);
      if (holder != devices_.end() && holder->second.token_hash == token_hash) {
        // The same kiosk again: its first reply was lost.
        out.kind = server::EnrolOutcome::enrolled;
        out.device_id = c.device_id;
        return out;
      }
      out.kind = server::EnrolOutcome::used_code;
      return out;
    }
    if (c.revoked) {
      out.kind = server::EnrolOutcome::revoked_code;
      return out;
    }
    if (c.expires_at < now) {
      out.kind = server::EnrolOutcome::expired_code;
      return out;
    }
    if (devices_.count(device_id)) return failure("enrol a kiosk (the device id is taken)");
    c.used_at = now;
    c.device_id = device_id;
    DeviceRow d;
    d.status.id = device_id;
    d.status.venue = c.venue;
    d.status.name = kiosk_name;
    d.token_hash = token_hash;
    devices_[device_id] = d;
    out.kind = server::EnrolOutcome::enrolled;
    out.device_id = device_id;
    return out;
  }

  Result<std::optional<server::Device>> device_by_token(const std::string& token_hash) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("look up a device");
    for (const auto& [id, d] : devices_)
      if (d.token_hash == token_hash)
        return std::optional<server::Device>(server::Device{id, d.status.venue, d.status.revoked, !d.device_key.empty()});
    return std::optional<server::Device>();
  }

  Result<wire::BatchReply> ingest(const std::string& device_id, const wire::Batch& batch, std::int64_t now) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("store a batch");
    wire::BatchReply reply;
    reply.batch_id = batch.batch_id;
    reply.received = static_cast<std::int64_t>(batch.answers.size());
    auto device = devices_.find(device_id);
    for (const StoredAnswer& s : batch.answers) {
      auto held = answers_.find(s.answer.uuid);
      if (held == answers_.end()) {
        StoredRow row{s, device_id, batch.batch_id, now, std::nullopt};
        if (!s.answer.stamp.clock_trusted && device != devices_.end()) row.corrected_at = place(device->second, s.answer.stamp);
        answers_.emplace(s.answer.uuid, std::move(row));
        order_.push_back(s.answer.uuid);
        ++reply.stored;
        continue;
      }
      if (held->second.device_id == device_id && held->second.answer == s) {
        ++reply.duplicates;
        continue;
      }
      quarantine_.push_back({s, device_id, batch.batch_id, now, std::nullopt});
      reply.quarantined.push_back(s.answer.uuid);
    }
    batches_.push_back({batch.batch_id, device_id, reply});
    if (device != devices_.end()) device->second.status.last_contact = now;
    return reply;
  }

  Status heartbeat(const std::string& device_id, const wire::Heartbeat& hb, std::int64_t now) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("record a heartbeat");
    auto device = devices_.find(device_id);
    if (device == devices_.end()) return {};  // as SQLite's UPDATE of no row
    DeviceRow& d = device->second;
    d.status.last_contact = now;
    d.status.app_version = hb.app_version;
    d.status.set_id = hb.set_id;
    d.status.set_version = hb.set_version;
    d.status.answers_waiting = hb.answers_waiting;
    d.status.oldest_unsent_age_s = hb.oldest_unsent_age_s;
    d.status.free_disk_bytes = hb.free_disk_bytes;
    d.status.clock_trusted = hb.clock.trusted;
    d.clock = hb.clock;
    if (hb.clock.trusted)
      for (auto& [uuid, row] : answers_) {
        const Stamp& st = row.answer.answer.stamp;
        if (row.device_id == device_id && st.boot_id == hb.clock.boot_id && !st.clock_trusted && !row.corrected_at)
          row.corrected_at = hb.clock.unix_time - (hb.clock.monotonic_ms - st.monotonic_ms) / 1000;
      }
    return {};
  }

  Result<bool> revoke(const std::string& device_id, std::int64_t) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("revoke a device");
    auto device = devices_.find(device_id);
    if (device == devices_.end() || device->second.status.revoked) return false;
    device->second.status.revoked = true;
    return true;
  }

  Result<std::vector<server::DeviceStatus>> devices() override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("list devices");
    std::vector<server::DeviceStatus> out;
    for (const auto& [id, d] : devices_) {
      server::DeviceStatus s = d.status;
      s.answers_received = 0;
      for (const auto& [uuid, row] : answers_)
        if (row.device_id == id) ++s.answers_received;
      s.quarantined = std::count_if(quarantine_.begin(), quarantine_.end(), [&](const StoredRow& q) { return q.device_id == id; });
      out.push_back(s);
    }
    // As SQLite's ORDER BY venue, id (byte order).
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.venue < b.venue; });
    return out;
  }

  Result<server::KeyRegistration> register_device_key(const std::string& device_id, const std::string& public_key) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("record a kiosk's key");
    auto device = devices_.find(device_id);
    if (device == devices_.end()) return server::KeyRegistration::no_device;
    if (!device->second.device_key.empty())
      return device->second.device_key == public_key ? server::KeyRegistration::already : server::KeyRegistration::conflict;
    for (const auto& [id, d] : devices_)
      if (d.device_key == public_key) return server::KeyRegistration::conflict;
    device->second.device_key = public_key;
    device->second.status.has_device_key = true;
    return server::KeyRegistration::registered;
  }

  Result<std::optional<server::Device>> device_by_key(const std::string& public_key) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("look up a kiosk's key");
    for (const auto& [id, d] : devices_)
      if (!public_key.empty() && d.device_key == public_key)
        return std::optional<server::Device>(server::Device{id, d.status.venue, d.status.revoked, true});
    return std::optional<server::Device>();
  }

  Status record_usb_import(const std::string& device_id, std::int64_t now) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("record a USB import");
    if (auto device = devices_.find(device_id); device != devices_.end())
      device->second.status.usb_seen_at = std::max(device->second.status.usb_seen_at.value_or(0), now);
    return {};
  }

  Result<std::vector<server::CountRow>> answer_counts() override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("count answers");
    std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> counts;
    for (const auto& [uuid, row] : answers_) {
      auto device = devices_.find(row.device_id);
      if (device == devices_.end()) continue;  // SQLite joins answers to devices
      ++counts[{device->second.status.venue, row.device_id, row.answer.answer.question_id}];
    }
    std::vector<server::CountRow> out;
    for (const auto& [key, n] : counts) out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
    return out;
  }

  // ---- Question sets: the SQL stores' rules (question_set_versions.h) ----
  Result<std::optional<std::string>> set_key_check() override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("read the question-set signing key");
    return set_key_check_;
  }

  Result<std::string> record_set_key_check(const std::string& public_key) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("record the question-set signing key");
    if (!set_key_check_) set_key_check_ = public_key;
    return *set_key_check_;
  }

  Result<server::SetVersionInfo> add_set_draft(const std::string& set_bytes, std::int64_t now) override {
    LoadResult loaded = parse_question_set(set_bytes);
    if (!loaded.set) return Status::failure(Fault::invalid_input, "the question set is invalid: " + server::first_problem(loaded));
    std::lock_guard lock(mutex_);
    if (fail) return failure("add a question-set draft");
    auto& versions = sets_[loaded.set->id];
    bool replace = !versions.empty() && !versions.back().info.published;
    server::SetVersionInfo info{
        loaded.set->id, replace ? versions.back().info.version : static_cast<int>(versions.size()) + 1, false, now, std::nullopt, 0};
    auto body = server::with_set_version(set_bytes, info.version);
    if (!body) return body.status();
    if (replace) versions.pop_back();
    versions.push_back({info, *body});
    return info;
  }

  Result<server::SetChange> publish_set(const std::string& set_id, std::int64_t now) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("publish a question set");
    auto it = sets_.find(set_id);
    if (it == sets_.end()) return server::SetChange{server::SetChange::no_such_set, 0};
    server::SetVersionInfo& latest = it->second.back().info;
    if (latest.published) return server::SetChange{server::SetChange::nothing_to_publish, latest.version};
    latest.published = true;
    latest.published_at = now;
    return server::SetChange{server::SetChange::done, latest.version};
  }

  Result<server::SetChange> rollback_set(const std::string& set_id, int to_version, std::int64_t now) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("roll back a question set");
    auto it = sets_.find(set_id);
    if (it == sets_.end()) return server::SetChange{server::SetChange::no_such_set, 0};
    auto& versions = it->second;
    if (!versions.back().info.published) return server::SetChange{server::SetChange::draft_pending, versions.back().info.version};
    if (to_version < 1 || to_version > static_cast<int>(versions.size())) return server::SetChange{server::SetChange::no_such_version, 0};
    if (!versions[static_cast<std::size_t>(to_version - 1)].info.published) return server::SetChange{server::SetChange::not_published, 0};
    const int version = static_cast<int>(versions.size()) + 1;
    auto body = server::with_set_version(versions[static_cast<std::size_t>(to_version - 1)].body, version);
    if (!body) return body.status();
    versions.push_back({server::SetVersionInfo{set_id, version, true, now, now, to_version}, *body});
    return server::SetChange{server::SetChange::done, version};
  }

  Result<server::SetChange> assign_set(const server::SetAssignment& a, std::int64_t) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("assign a question set");
    if (!sets_.count(a.set_id)) return server::SetChange{server::SetChange::no_such_set, 0};
    if (!a.starts_at)
      assignments_.erase(std::remove_if(assignments_.begin(), assignments_.end(),
                                        [&](const server::SetAssignment& o) { return o.venue == a.venue && !o.starts_at; }),
                         assignments_.end());
    assignments_.push_back(a);
    return server::SetChange{server::SetChange::done, 0};
  }

  Result<std::vector<server::SetVersionInfo>> set_versions() override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("list question sets");
    std::vector<server::SetVersionInfo> out;
    for (const auto& [id, versions] : sets_)
      for (const auto& v : versions) out.push_back(v.info);
    return out;
  }

  Result<std::optional<std::string>> set_body(const std::string& set_id, int version) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("read a question-set version");
    auto it = sets_.find(set_id);
    if (it == sets_.end() || version < 1 || version > static_cast<int>(it->second.size())) return std::optional<std::string>();
    return std::optional<std::string>(it->second[static_cast<std::size_t>(version - 1)].body);
  }

  Result<std::vector<server::SetAssignment>> set_assignments() override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("list question-set assignments");
    std::vector<server::SetAssignment> out = assignments_;
    std::stable_sort(out.begin(), out.end(), [](const server::SetAssignment& x, const server::SetAssignment& y) {
      return std::make_tuple(x.venue, x.starts_at.has_value(), x.starts_at.value_or(0)) <
             std::make_tuple(y.venue, y.starts_at.has_value(), y.starts_at.value_or(0));
    });
    return out;
  }

  Result<std::optional<server::SetDelivery>> set_delivery(const std::string& venue, std::int64_t now,
                                                          const server::SetSigner& sign) override {
    std::lock_guard lock(mutex_);
    if (fail) return failure("choose a venue's question set");
    const SetVersion* chosen = nullptr;
    std::string chosen_id;
    // The latest dated assignment covering now, else the standing one; sets with nothing published are passed over.
    for (int pass = 0; pass < 2 && !chosen; ++pass)
      for (auto a = assignments_.rbegin(); a != assignments_.rend() && !chosen; ++a) {
        if (a->venue != venue) continue;
        bool covers = pass == 0 ? a->starts_at && *a->starts_at <= now && now < *a->ends_at : !a->starts_at;
        if (!covers) continue;
        const auto& versions = sets_.at(a->set_id);
        for (auto v = versions.rbegin(); v != versions.rend(); ++v)
          if (v->info.published) {
            chosen = &*v;
            chosen_id = a->set_id;
            break;
          }
      }
    if (!chosen) return std::optional<server::SetDelivery>();
    auto& history = deliveries_[venue];
    if (!history.empty() && history.back().set_id == chosen_id && history.back().version == chosen->info.version)
      return std::optional<server::SetDelivery>(history.back());
    server::SetDelivery d{++last_serial_, chosen_id, chosen->info.version, ""};
    auto signed_file = sign(chosen->body, d.serial);
    if (!signed_file) {
      --last_serial_;
      return signed_file.status();
    }
    d.signed_file = *signed_file;
    history.push_back(d);
    return std::optional<server::SetDelivery>(d);
  }

  // ---- For tests: what a SQL query would show ----
  const StoredRow* answer(const std::string& uuid) const {
    auto it = answers_.find(uuid);
    return it == answers_.end() ? nullptr : &it->second;
  }
  // Answers in arrival order.
  std::vector<const StoredRow*> answers_in_order() const {
    std::vector<const StoredRow*> out;
    for (const auto& uuid : order_) out.push_back(&answers_.at(uuid));
    return out;
  }
  std::size_t quarantined() const { return quarantine_.size(); }

 private:
  struct Code {
    std::string venue;
    std::int64_t expires_at = 0;
    std::optional<std::int64_t> used_at;
    std::string device_id;
    bool revoked = false;
  };
  struct DeviceRow {
    server::DeviceStatus status;  // answers_received and quarantined are counted when listed
    std::string token_hash;
    std::optional<wire::ClockReport> clock;  // the last heartbeat's
    std::string device_key;                  // empty: none registered
  };
  struct BatchLog {
    std::string batch_id, device_id;
    wire::BatchReply reply;
  };

  Status failure(const char* doing) const {
    return Status::failure(Fault::storage_unavailable, fail ? fail_message : std::string("Unable to ") + doing);
  }

  // An untrusted stamp placed by the device's last trusted clock of the same boot.
  static std::optional<std::int64_t> place(const DeviceRow& d, const Stamp& st) {
    if (!d.clock || !d.clock->trusted || d.clock->boot_id != st.boot_id) return std::nullopt;
    return d.clock->unix_time - (d.clock->monotonic_ms - st.monotonic_ms) / 1000;
  }

  std::mutex mutex_;
  std::optional<std::string> code_key_check_;
  std::map<std::string, Code> codes_;         // by keyed hash
  std::map<std::string, DeviceRow> devices_;  // by id: listing order is id order within a venue
  std::map<std::string, StoredRow> answers_;  // by answer id
  std::vector<std::string> order_;            // answer ids in arrival order
  std::vector<StoredRow> quarantine_;
  std::vector<BatchLog> batches_;
  struct SetVersion {
    server::SetVersionInfo info;
    std::string body;
  };
  std::optional<std::string> set_key_check_;
  std::map<std::string, std::vector<SetVersion>> sets_;                 // by set id; version N at index N - 1
  std::vector<server::SetAssignment> assignments_;                      // in the order added
  std::map<std::string, std::vector<server::SetDelivery>> deliveries_;  // by venue
  std::int64_t last_serial_ = 0;
};

}  // namespace tp::test
