#include "sync_client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <thread>

#include "data_paths.h"
#include "device_key.h"
#include "gzip.h"
#include "json.h"
#include "kiosk_config.h"
#include "question_set.h"
#include "readback.h"
#include "set_delivery.h"
#include "signed_set.h"
#include "wire.h"

namespace tp::sync {

std::string new_device_token() {
  // 32 random bytes from the kernel, base64url: the server keeps only a hash.
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string t = "tp1.";
  for (int i = 0; i < 43; ++i) t += b64[rd() % 64];
  return t;
}

std::optional<Credentials> load_credentials(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  auto parsed = json::parse(buf.str());
  auto get = [&](const char* key) -> std::string {
    const json::Value* v = parsed.ok ? parsed.value.find(key) : nullptr;
    return v && v->is(json::Value::Type::string) ? v->string : std::string();
  };
  Credentials c{get("server"), get("device_id"), get("token"), get("venue")};
  if (c.device_id.empty() || c.token.empty()) {
    if (error) *error = path + " is damaged; delete it and enrol again with a new code";
    return std::nullopt;
  }
  return c;
}

bool save_credentials(const std::string& path, const Credentials& c, std::string* error) {
  std::string tmp = path + ".tmp";
  std::string text = "{\"server\":" + json::quote(c.server) + ",\"device_id\":" + json::quote(c.device_id) +
                     ",\"token\":" + json::quote(c.token) + ",\"venue\":" + json::quote(c.venue) + "}\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);  // the token is a secret
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  ok = ok && std::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok && error) *error = "Unable to save the device credentials to " + path;
  return ok;
}

SyncClient::SyncClient(const SyncConfig& config, Outbox& outbox, Transport& transport, std::string credentials_path, StampSource& stamps,
                       std::string question_set_path)
    : config_(config),
      outbox_(outbox),
      transport_(transport),
      credentials_path_(std::move(credentials_path)),
      stamps_(stamps),
      question_set_path_(std::move(question_set_path)),
      batch_limit_(config.batch_max_answers),
      data_dir_(kiosk_data_dir(credentials_path_)) {}

namespace {

std::string reason(const HttpResult& res) {
  // A 503 is the server's own trouble (its storage), not a verdict on this
  // kiosk: say so, so that no one re-enrols a kiosk that only has to wait.
  if (res.status == 503) return "the server is temporarily unavailable (503): " + wire::error_message(res.body);
  return "server answered " + std::to_string(res.status) + ": " + wire::error_message(res.body);
}

}  // namespace

bool SyncClient::enrol(RoundResult& r) {
  std::string error;
  if (!creds_) creds_ = load_credentials(credentials_path_, &error);
  if (!error.empty()) {
    r.error = error;
    r.permanent = true;
    return false;
  }
  if (creds_ && creds_->server == config_.server) return true;
  if (creds_) {
    r.error = "enrolled with " + creds_->server + ", but sync.server is now " + config_.server + ": delete " + credentials_path_ +
              " and give a new enrolment code";
    r.permanent = true;
    return false;
  }
  if (config_.enrolment_code.empty()) {
    r.error = "not enrolled yet: put a code from `tenpoint-server enrol-code` in sync.enrolment_code";
    r.permanent = true;
    return false;
  }
  // The token is made here and kept before it is sent, so that a retry after
  // a lost reply presents the same one (the server then answers as before).
  std::string pending_path = credentials_path_ + ".pending";
  auto pending = load_credentials(pending_path, nullptr);
  if (!pending || pending->server != config_.server) {
    pending = Credentials{config_.server, "pending", new_device_token(), ""};
    if (!save_credentials(pending_path, *pending, &error)) {
      r.error = error;
      return false;
    }
  }
  // The kiosk's own key goes with it, for the bundles of its USB exports
  // (device_key.h); made here on first enrolment.
  auto key = load_or_make_device_key(data_dir_);
  if (!key) {
    r.error = key.message();
    return false;
  }
  HttpResult res =
      post(r, "/api/v1/enrol",
           wire::encode(wire::EnrolRequest{config_.enrolment_code, config_.kiosk_name, pending->token, key->public_base64()}), "", false);
  if (!res.reached) {
    r.error = res.failure;
    return false;
  }
  if (res.status != 200) {
    // Only a 403 refuses the code; a 503 or 429 means "not now", and the pending token is kept for the retry.
    r.error = std::string(res.status == 403 ? "enrolment refused: " : "enrolment not finished: ") + reason(res);
    r.retry_after_s = res.retry_after_s;
    r.permanent = res.status == 403;
    return false;
  }
  auto reply = wire::decode_enrol_reply(res.body);
  if (auto* msg = std::get_if<std::string>(&reply)) {
    r.error = "enrolment reply not understood: " + *msg;
    return false;
  }
  auto& e = std::get<wire::EnrolReply>(reply);
  Credentials c{config_.server, e.device_id, pending->token, e.venue};
  if (!save_credentials(credentials_path_, c, &error)) {
    r.error = error;
    return false;
  }
  std::remove(pending_path.c_str());
  std::fprintf(stderr, "tenpoint-sync: enrolled as %s at %s\n", c.device_id.c_str(), c.venue.c_str());
  // The key question sets are signed with, over the same authenticated
  // channel. Not having it is no reason to fail the enrolment: the next
  // round asks for it (GET /api/v1/set-key).
  if (auto key = decode_set_public_key(e.set_key))
    if (Status w = write_file_atomically(set_key_path(data_dir_), encode_base64(*key) + "\n"); !w)
      std::fprintf(stderr, "tenpoint-sync: %s\n", w.message().c_str());
  creds_ = c;
  return true;
}

namespace {

// A batch read from the store, encoded and compressed, ready to send.
struct Prepared {
  wire::Batch batch;
  std::string body;  // gzip
  std::string error;
  bool ok = true;
};

Prepared prepare(Outbox& outbox, int limit, std::size_t max_bytes, std::int64_t after_seq) {
  Prepared p;
  auto unsent = outbox.unsent(limit, after_seq);
  if (!unsent) {
    p.ok = false;
    p.error = unsent.message();
    return p;
  }
  p.batch = wire::Batch{random_uuid(), std::move(*unsent)};
  if (p.batch.answers.empty()) return p;
  std::string json = wire::encode(p.batch);
  // Keep each request under the byte cap by sending fewer answers.
  while (json.size() > max_bytes && p.batch.answers.size() > 1) {
    p.batch.answers.resize(p.batch.answers.size() / 2);
    json = wire::encode(p.batch);
  }
  p.body = gzip_compress(json);
  return p;
}

}  // namespace

bool SyncClient::send_batches(RoundResult& r) {
  // Up to two batches in flight, each on its own connection (when the
  // transport has a second one): the server unpacks and reads one while it
  // stores the other, and this thread packs the next and marks what was
  // acknowledged meanwhile. Only this thread touches the outbox; the
  // requests run on threads of their own.
  //
  // A batch is marked sent once its own reply acknowledged it, whatever
  // became of the others: after a failure, the batches still in flight are
  // waited for (and marked if stored), then the round ends. What was not
  // marked is sent again next time, and the server stores it once.
  struct Flight {
    Prepared batch;
    int lane = 0;
    std::future<HttpResult> reply;
  };
  // The second connection opens only once the first has carried a reply:
  // where the server lets in one connection from this address, the first
  // holds it, and the second is the one refused. After a refusal, this
  // process keeps to one.
  Transport* lanes[2] = {&transport_, single_connection_ ? nullptr : transport_.second()};
  std::size_t depth = lanes[1] ? 2 : 1;
  bool first_reply_in = false;
  bool lane_busy[2] = {false, false};
  const auto max_bytes = static_cast<std::size_t>(config_.batch_max_bytes);

  std::deque<Prepared> ready;       // packed, in order, not sent yet
  std::deque<Prepared> again;       // to send again first, once nothing is in flight (a 429, or the second connection failed)
  std::deque<Flight> flying;        // in the order they were sent
  std::int64_t packed_through = 0;  // the last seq packed so far
  bool exhausted = false;           // nothing unsent after packed_through
  bool halted = false;              // r.error is set: nothing more is sent
  bool shrink = false;              // a 413: pack again from the start, in smaller batches
  int wait_s = 0;                   // a 429: wait this long before sending more
  int waits_this_round = 0;

  auto fail = [&](const std::string& why) {
    if (r.error.empty()) r.error = why;
    halted = true;
  };
  auto pack = [&] {
    Prepared p = prepare(outbox_, batch_limit_, max_bytes, packed_through);
    if (!p.ok) return fail(p.error);
    if (p.batch.answers.empty()) {
      exhausted = true;
      return;
    }
    packed_through = p.batch.answers.back().seq;
    ready.push_back(std::move(p));
  };
  auto launch = [&] {
    int lane = lane_busy[0] ? 1 : 0;
    lane_busy[lane] = true;
    ++r.requests;
    r.bytes_sent += static_cast<std::int64_t>(ready.front().body.size());
    // A deque keeps its elements in place as it grows at either end, so
    // the request may read the body where it lies.
    Flight& f = flying.emplace_back(Flight{std::move(ready.front()), lane, {}});
    ready.pop_front();
    f.reply = std::async(std::launch::async, [t = lanes[lane], body = &f.batch.body, token = creds_->token] {
      return t->post("/api/v1/batches", *body, token, true);
    });
  };
  // What a reply means for its batch.
  auto settle = [&](Flight& f, const HttpResult& res) {
    const std::size_t n = f.batch.batch.answers.size();
    if (!res.reached && f.lane == 1 && depth == 2) {
      // The second connection is refused (a server that caps connections
      // from one address, a proxy) or broke: one connection will do.
      std::fprintf(stderr, "tenpoint-sync: a second connection to the server failed (%s); sending one batch at a time\n",
                   res.failure.c_str());
      depth = 1;
      single_connection_ = true;
      again.push_back(std::move(f.batch));
      return;
    }
    if (!res.reached) return fail(res.failure);
    if (res.status == 413 && batch_limit_ > 1) {
      batch_limit_ = std::min(batch_limit_, std::max(1, static_cast<int>(n / 2)));
      shrink = true;
      return;
    }
    if (res.status == 429 && res.retry_after_s > 0 && res.retry_after_s <= 30 && ++waits_this_round <= 20) {
      // The server asks us to slow down: wait as asked and carry on with the backlog.
      wait_s = std::max(wait_s, res.retry_after_s);
      again.push_back(std::move(f.batch));
      return;
    }
    if (res.status != 200) {
      if (r.error.empty()) {
        r.retry_after_s = res.retry_after_s;
        r.permanent = res.status == 401;
      }
      return fail(reason(res));
    }
    auto reply = wire::decode_batch_reply(res.body);
    if (auto* msg = std::get_if<std::string>(&reply))
      return fail("the server's reply was not understood (" + *msg + "); nothing marked sent");
    auto& ack = std::get<wire::BatchReply>(reply);
    if (ack.batch_id != f.batch.batch.batch_id || ack.received != static_cast<std::int64_t>(n))
      return fail("the server acknowledged a different batch; nothing marked sent");
    std::vector<std::int64_t> seqs;
    seqs.reserve(n);
    for (const auto& a : f.batch.batch.answers) seqs.push_back(a.seq);
    if (Status marked = outbox_.mark_sent(seqs, stamps_.unix_now()); !marked)
      return fail(marked.message());  // sent again next round; the server keeps it once
    r.sent += static_cast<std::int64_t>(n);
    r.quarantined += static_cast<std::int64_t>(ack.quarantined.size());
    for (const auto& q : ack.quarantined)
      std::fprintf(stderr, "tenpoint-sync: the server already holds a different answer with id %s; it kept this one aside\n", q.c_str());
  };

  for (;;) {
    const bool paused = halted || shrink || wait_s > 0 || !again.empty();
    while (!paused && flying.size() < (first_reply_in ? depth : 1)) {
      if (ready.empty() && !exhausted) pack();
      if (halted || ready.empty()) break;
      launch();
    }
    // The next batch is packed while these travel.
    if (!paused && ready.empty() && !exhausted) pack();
    if (flying.empty()) {
      if (halted) return false;
      if (shrink) {  // everything not marked, from the start, in smaller batches
        shrink = false;
        ready.clear();
        again.clear();
        packed_through = 0;
        exhausted = false;
        continue;
      }
      if (wait_s > 0 || !again.empty()) {
        std::this_thread::sleep_for(std::chrono::seconds(wait_s));
        wait_s = 0;
        while (!again.empty()) {  // the same batches again, before the rest
          ready.push_front(std::move(again.back()));
          again.pop_back();
        }
        continue;
      }
      if (ready.empty() && exhausted) return true;
      continue;
    }
    Flight& f = flying.front();
    HttpResult res = f.reply.get();
    lane_busy[f.lane] = false;
    first_reply_in = first_reply_in || res.reached;
    settle(f, res);
    flying.pop_front();
  }
}

bool SyncClient::heartbeat(RoundResult& r) {
  wire::Heartbeat hb;
  hb.app_version = TENPOINT_VERSION;
  if (auto set = load_question_set(question_set_path_).set) {
    hb.set_id = set->id;
    hb.set_version = set->version;
  }
  auto outbox = outbox_.state();
  if (!outbox) {
    r.error = outbox.message();
    return false;
  }
  std::int64_t now = stamps_.unix_now();
  hb.answers_waiting = outbox->waiting;
  if (outbox->oldest_recorded_at) hb.oldest_unsent_age_s = std::max<std::int64_t>(0, now - *outbox->oldest_recorded_at);
  hb.free_disk_bytes = outbox->free_disk_bytes;
  Stamp stamp = stamps_.now();
  hb.clock = {stamp.clock_trusted, now, stamp.boot_id, stamp.monotonic_ms};
  // A kiosk enrolled before it had a key registers one here; the server
  // keeps the first it gets and ignores the rest.
  if (auto key = load_or_make_device_key(data_dir_); key) hb.device_key = key->public_base64();
  HttpResult res = post(r, "/api/v1/heartbeat", wire::encode(hb), creds_->token, false);
  if (!res.reached) {
    r.error = res.failure;
    return false;
  }
  if (res.status != 200) {
    r.error = reason(res);
    r.retry_after_s = res.retry_after_s;
    r.permanent = res.status == 401;
    return false;
  }
  return true;
}

HttpResult SyncClient::post(RoundResult& r, const std::string& path, const std::string& body, const std::string& token, bool gzip) {
  ++r.requests;
  r.bytes_sent += static_cast<std::int64_t>(body.size());
  return transport_.post(path, body, token, gzip);
}

// The key question sets must be signed with (raw bytes), as the kiosk finds
// it; asked of the server when this kiosk enrolled before enrolment replies
// carried it. "" when there is none to use.
std::string SyncClient::set_key(RoundResult& r) {
  KioskConfig config;
  config.trusted_set_key = trusted_set_key_;
  TrustedSetKey trusted = find_trusted_set_key(config, data_dir_);
  if (!trusted.key.empty()) return trusted.key;
  std::error_code ec;
  if (std::filesystem::exists(set_key_path(data_dir_), ec)) {
    r.set_outcome = trusted.problem;  // a damaged file is for someone to look at, not to replace
    return "";
  }
  ++r.requests;
  HttpResult res = transport_.get("/api/v1/set-key", creds_->token, "");
  if (!res.reached || res.status != 200) {
    r.set_outcome = "unable to learn the server's question-set key: " + (res.reached ? reason(res) : res.failure);
    return "";
  }
  auto parsed = json::parse(res.body);
  const json::Value* v = parsed.ok ? parsed.value.find("set_key") : nullptr;
  std::optional<std::string> key = v && v->is(json::Value::Type::string) ? decode_set_public_key(v->string) : std::nullopt;
  if (!key) {
    r.set_outcome = "the server's question-set key was not understood";
    return "";
  }
  if (Status w = write_file_atomically(set_key_path(data_dir_), encode_base64(*key) + "\n"); !w) {
    r.set_outcome = w.message();
    return "";
  }
  std::fprintf(stderr, "tenpoint-sync: learned the server's question-set key (%s)\n", set_key_path(data_dir_).c_str());
  return *key;
}

void SyncClient::fetch_question_set(RoundResult& r) {
  std::string key = set_key(r);
  if (key.empty()) return;
  const std::string path = delivered_set_path(data_dir_);
  // The serial held: the file in place, if it still checks out.
  OpenedSignedSet held = open_signed_set_file(path, key, 0, SerialRule::same_or_newer);
  std::int64_t held_serial = held ? held.opened->serial : 0;
  ++r.requests;
  HttpResult res = transport_.get("/api/v1/question-set", creds_->token, held_serial > 0 ? "\"" + std::to_string(held_serial) + "\"" : "");
  if (!res.reached) {
    r.set_outcome = "question set not fetched: " + res.failure;
    return;
  }
  if (res.status == 304) {
    r.set_outcome = "question set unchanged (serial " + std::to_string(held_serial) + ")";
    return;
  }
  if (res.status == 204) {
    r.set_outcome = "no question set published for this venue";
    return;
  }
  if (res.status != 200) {
    r.set_outcome = "question set not fetched: " + reason(res);
    return;
  }
  OpenedSignedSet opened = open_signed_set(res.body, key, held_serial);
  if (!opened) {
    r.set_outcome = "refusing the question set from the server (" + std::string(refusal_name(opened.refusal)) + "): " + opened.reason;
    return;
  }
  if (Status w = write_file_atomically(path, res.body); !w) {
    r.set_outcome = "question set not written: " + w.message();
    return;
  }
  const SignedSet& s = *opened.opened;
  r.set_outcome =
      "question set " + s.set.id + " v" + std::to_string(s.set.version) + " (serial " + std::to_string(s.serial) + ") delivered to " + path;
}

// The venue's read-back cards (readback.h): like the question set, checked
// before it is written, and never older than the file in place.
void SyncClient::fetch_readback(RoundResult& r) {
  std::string key = set_key(r);
  if (key.empty()) return;
  const std::string path = delivered_readback_path(data_dir_);
  std::int64_t held_serial = 0;
  const std::string& venue = creds_->venue;
  if (Result<std::string> held = read_file_capped(path, kMaxSignedSetFileBytes); held) {
    OpenedReadback opened = open_signed_readback(*held, key, 0, SerialRule::same_or_newer);
    if (opened && (venue.empty() || opened.readback->venue == venue)) held_serial = opened.serial;
  }
  ++r.requests;
  HttpResult res = transport_.get("/api/v1/readback", creds_->token, held_serial > 0 ? "\"" + std::to_string(held_serial) + "\"" : "");
  if (!res.reached) {
    r.readback_outcome = "read-back cards not fetched: " + res.failure;
    return;
  }
  if (res.status == 304) {
    r.readback_outcome = "read-back cards unchanged (serial " + std::to_string(held_serial) + ")";
    return;
  }
  if (res.status == 204 || res.status == 404) {  // none for this venue, or a server from before cards
    // A venue that has had cards always gets a file: one here is from
    // another venue (the kiosk was enrolled again elsewhere), so it goes.
    std::error_code ec;
    const bool had = std::filesystem::remove(path, ec);
    std::filesystem::remove(accepted_readback_path(data_dir_), ec);
    r.readback_outcome = had ? "read-back cards removed: none are published for this venue" : "";
    return;
  }
  if (res.status != 200) {
    r.readback_outcome = "read-back cards not fetched: " + reason(res);
    return;
  }
  OpenedReadback opened = open_signed_readback(res.body, key, held_serial);
  if (!opened) {
    r.readback_outcome =
        "refusing the read-back cards from the server (" + std::string(refusal_name(opened.refusal)) + "): " + opened.reason;
    return;
  }
  if (!venue.empty() && opened.readback->venue != venue) {
    r.readback_outcome =
        "refusing the read-back cards from the server: they are for " + opened.readback->venue + ", this kiosk is at " + venue;
    return;
  }
  if (Status w = write_file_atomically(path, res.body); !w) {
    r.readback_outcome = "read-back cards not written: " + w.message();
    return;
  }
  r.readback_outcome = std::to_string(opened.readback->cards.size()) + " read-back card(s) (serial " + std::to_string(opened.serial) +
                       ") delivered to " + path;
}

RoundResult SyncClient::round() {
  RoundResult r;
  r.ok = enrol(r) && send_batches(r) && heartbeat(r);
  // After the answers, and apart from them: whatever happens here, the
  // round's result is the answers' (SIGNED.md).
  if (r.ok) {
    fetch_question_set(r);
    if (!r.set_outcome.empty()) std::fprintf(stderr, "tenpoint-sync: %s\n", r.set_outcome.c_str());
    fetch_readback(r);
    if (!r.readback_outcome.empty()) std::fprintf(stderr, "tenpoint-sync: %s\n", r.readback_outcome.c_str());
  }
  auto left = outbox_.state();
  r.left = left ? left->waiting : -1;
  if (!left && r.ok) {
    r.ok = false;
    r.error = left.message();
  }
  if (Status s = outbox_.record_sync_attempt(config_.server, stamps_.unix_now(), r.ok ? "" : r.error); !s)
    std::fprintf(stderr, "tenpoint-sync: %s\n", s.message().c_str());
  return r;
}

}  // namespace tp::sync
