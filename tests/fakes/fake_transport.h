// A scripted stand-in for the HTTPS transport, for driving SyncClient
// without a server or a socket.
//
// Every request is recorded (method, path, bearer token, whether it was gzip,
// the body with the gzip undone, If-None-Match) so that a test can check
// what the client sent.
// Replies come from the `replies` queue first, in order; once it is empty,
// from `handler`, which sees the request and so can acknowledge a batch by
// its id (batch ids are random, so they cannot be scripted ahead). With
// neither, the request gets no reply at all (reached = false), and
// `unscripted` counts it, so that a test that forgot a reply fails loudly
// instead of passing on a network failure.
#pragma once
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gzip.h"
#include "transport.h"
#include "wire.h"

namespace tp::test {

class FakeTransport final : public sync::Transport {
 public:
  struct Request {
    std::string path;
    std::string body;  // as JSON: gunzipped when the client sent gzip
    std::string token;
    bool gzip = false;
    bool gzip_ok = true;  // false: the client claimed gzip but the body was not
    std::string method = "POST";
    std::string if_none_match = {};
  };
  using Handler = std::function<sync::HttpResult(const Request&)>;

  std::vector<Request> requests;
  std::deque<sync::HttpResult> replies;
  Handler handler;
  int unscripted = 0;

  sync::HttpResult post(const std::string& path, const std::string& body, const std::string& bearer_token, bool gzip) override {
    Request r{path, body, bearer_token, gzip, true};
    if (gzip) {
      auto plain = gzip_decompress(body, wire::kMaxBodyBytes);
      r.gzip_ok = plain.has_value();
      r.body = plain.value_or(std::string());
    }
    return answer(std::move(r));
  }

  sync::HttpResult get(const std::string& path, const std::string& bearer_token, const std::string& if_none_match) override {
    return answer(Request{path, "", bearer_token, false, true, "GET", if_none_match});
  }

  sync::HttpResult answer(Request r) {
    requests.push_back(r);
    if (!replies.empty()) {
      sync::HttpResult next = std::move(replies.front());
      replies.pop_front();
      return next;
    }
    if (handler) return handler(r);
    ++unscripted;
    return no_reply("no reply scripted for " + r.path);
  }

  // ---- Replies ----
  static sync::HttpResult reply(int status, std::string body, int retry_after_s = 0) {
    sync::HttpResult r;
    r.reached = true;
    r.status = status;
    r.body = std::move(body);
    r.retry_after_s = retry_after_s;
    return r;
  }
  static sync::HttpResult error(int status, std::string_view code, std::string_view message, int retry_after_s = 0) {
    return reply(status, wire::error_body(code, message), retry_after_s);
  }
  static sync::HttpResult no_reply(std::string why) {
    sync::HttpResult r;
    r.failure = std::move(why);
    return r;
  }
  // `set_key`: base64 of the server's question-set key ("" for a server that signs none).
  static sync::HttpResult enrolled(const std::string& device_id, const std::string& venue, const std::string& set_key = "") {
    return reply(200, wire::encode(wire::EnrolReply{device_id, venue, set_key}));
  }
  // What a working server answers to a batch: every answer new to it.
  static sync::HttpResult acknowledge(const Request& r) {
    wire::Batch b = batch_of(r);
    wire::BatchReply ack;
    ack.batch_id = b.batch_id;
    ack.received = static_cast<std::int64_t>(b.answers.size());
    ack.stored = ack.received;
    return reply(200, wire::encode(ack));
  }

  // ---- Reading what was sent ----
  // The batch in a request; an empty one (no id) when the body is not a batch.
  static wire::Batch batch_of(const Request& r) {
    auto decoded = wire::decode_batch(r.body);
    if (auto* b = std::get_if<wire::Batch>(&decoded)) return *b;
    return {};
  }
  static wire::EnrolRequest enrolment_of(const Request& r) {
    auto decoded = wire::decode_enrol_request(r.body);
    if (auto* e = std::get_if<wire::EnrolRequest>(&decoded)) return *e;
    return {};
  }
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto& r : requests) out.push_back(r.path);
    return out;
  }
  std::vector<Request> requests_to(const std::string& path) const {
    std::vector<Request> out;
    for (const auto& r : requests)
      if (r.path == path) out.push_back(r);
    return out;
  }
};

}  // namespace tp::test
