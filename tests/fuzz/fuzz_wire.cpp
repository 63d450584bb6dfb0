// Fuzzes every decoder of the sync wire format with the same input (a body
// is one of them or garbage, and each decoder must refuse the others'
// bodies cleanly). Whatever a decoder accepts must survive the round trip
// the two ends make of it: encode, then decode again to the same content.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "json.h"
#include "text.h"
#include "wire.h"

namespace {

namespace wire = tp::wire;

[[noreturn]] void broken(const char* promise, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_wire: broken promise: %s\n%s\n", promise, detail.c_str());
  std::abort();
}

// Decodes what `value` encodes to, and returns it, or aborts on a refusal.
template <class T, class Decoder>
T again(const T& value, Decoder decode, const char* what) {
  std::string body = wire::encode(value);
  auto decoded = decode(body);
  if (auto* error = std::get_if<std::string>(&decoded)) broken(what, "body: " + body + "\nrefused: " + *error);
  return std::get<T>(std::move(decoded));
}

void batch(std::string_view body) {
  auto decoded = wire::decode_batch(body);
  auto* first = std::get_if<wire::Batch>(&decoded);
  if (!first) return;
  // Batches are read with json::Cursor, the other bodies with json::parse:
  // what the one accepts, the other must find well formed too.
  tp::json::Limits limits;
  limits.max_input_bytes = wire::kMaxBodyBytes;
  limits.max_depth = 8;
  if (tp::json::ParseResult tree = tp::json::parse(body, limits); !tree.ok)
    broken("a batch the cursor accepts is well-formed JSON", std::string(body) + "\nparse(): " + tree.error);
  wire::Batch second = again(*first, wire::decode_batch, "an accepted batch, encoded, is accepted again");
  if (second.batch_id != first->batch_id || second.answers.size() != first->answers.size())
    broken("an accepted batch, encoded, decodes to the same batch");
  for (std::size_t i = 0; i < first->answers.size(); ++i)
    // StoredAnswer's == compares every field, as the server does before it
    // calls a resent answer a duplicate rather than a conflict.
    if (!(first->answers[i] == second.answers[i])) broken("each answer survives the round trip", "answer " + std::to_string(i));
}

void batch_reply(std::string_view body) {
  auto decoded = wire::decode_batch_reply(body);
  auto* first = std::get_if<wire::BatchReply>(&decoded);
  if (!first) return;
  wire::BatchReply second = again(*first, wire::decode_batch_reply, "an accepted batch reply, encoded, is accepted again");
  if (second.batch_id != first->batch_id || second.received != first->received || second.stored != first->stored ||
      second.duplicates != first->duplicates || second.quarantined != first->quarantined)
    broken("an accepted batch reply, encoded, decodes to the same reply");
}

void heartbeat(std::string_view body) {
  auto decoded = wire::decode_heartbeat(body);
  auto* first = std::get_if<wire::Heartbeat>(&decoded);
  if (!first) return;
  wire::Heartbeat second = again(*first, wire::decode_heartbeat, "an accepted heartbeat, encoded, is accepted again");
  const wire::ClockReport& a = first->clock;
  const wire::ClockReport& b = second.clock;
  if (second.app_version != first->app_version || second.set_id != first->set_id || second.set_version != first->set_version ||
      second.answers_waiting != first->answers_waiting || second.oldest_unsent_age_s != first->oldest_unsent_age_s ||
      second.free_disk_bytes != first->free_disk_bytes || a.trusted != b.trusted || a.unix_time != b.unix_time || a.boot_id != b.boot_id ||
      a.monotonic_ms != b.monotonic_ms)
    broken("an accepted heartbeat, encoded, decodes to the same heartbeat");
}

void enrol_request(std::string_view body) {
  auto decoded = wire::decode_enrol_request(body);
  auto* first = std::get_if<wire::EnrolRequest>(&decoded);
  if (!first) return;
  wire::EnrolRequest second = again(*first, wire::decode_enrol_request, "an accepted enrolment, encoded, is accepted again");
  if (second.code != first->code || second.kiosk_name != first->kiosk_name || second.token != first->token)
    broken("an accepted enrolment, encoded, decodes to the same enrolment");
}

void enrol_reply(std::string_view body) {
  auto decoded = wire::decode_enrol_reply(body);
  auto* first = std::get_if<wire::EnrolReply>(&decoded);
  if (!first) return;
  wire::EnrolReply second = again(*first, wire::decode_enrol_reply, "an accepted enrolment reply, encoded, is accepted again");
  if (second.device_id != first->device_id || second.venue != first->venue)
    broken("an accepted enrolment reply, encoded, decodes the same");
}

void error(std::string_view body) {
  std::string message = wire::error_message(body);
  // A message we write ourselves must read back word for word.
  if (tp::is_valid_utf8(message) && wire::error_message(wire::error_body("bad_request", message)) != message)
    broken("error_message reads back the message error_body wrote", message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  batch(body);
  batch_reply(body);
  heartbeat(body);
  enrol_request(body);
  enrol_reply(body);
  error(body);
  return 0;
}
