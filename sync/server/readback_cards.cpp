// A venue's read-back card file. The rules are in readback_cards.h.
#include "readback_cards.h"

#include <sodium.h>

#include <set>

#include "question_set_versions.h"

namespace tp::server {

namespace {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : digest) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

}  // namespace

Result<std::int64_t> ReadbackFiles::people_last_month(const std::string& venue, std::int64_t now) {
  const std::string today = local_date(now), month = previous_month(today);
  {
    std::lock_guard lock(mutex_);
    auto it = counted_.find(venue);
    if (it != counted_.end() && it->second.first == month) return it->second.second;
  }
  auto from = local_midnight(month + "-01"), until = local_midnight(today.substr(0, 8) + "01");
  std::int64_t people = 0;
  if (from && until && *from < *until) {
    AnswerQuery q{venue, *from, *until, std::nullopt, std::nullopt};
    q.notes = true;
    auto rows = admin_.answer_rows(q);
    if (!rows) return rows.status();
    std::set<std::string> visits;
    for (const auto& r : *rows)
      if (r.text && !r.text->empty() && r.count > 0 && !r.rapid_repeat) visits.insert(r.session_id);
    people = static_cast<std::int64_t>(visits.size());
  }
  std::lock_guard lock(mutex_);
  counted_[venue] = {month, people};
  return people;
}

Result<std::optional<Readback>> ReadbackFiles::compose(const std::string& venue, std::int64_t now) {
  auto stored = admin_.cards();
  if (!stored) return stored.status();
  const std::string today = local_date(now);
  bool ever = false;
  Readback r;
  r.venue = venue;
  std::optional<std::set<std::string>> quotable;  // notes marked read back and not hidden: read when a card needs it
  for (const StoredCard& c : *stored) {
    if (c.venue != venue) continue;
    ever = true;
    if (c.withdrawn_at != 0 || r.cards.size() == kMaxCards) continue;
    if (!quotable) {
      auto moderation = admin_.note_moderation();
      if (!moderation) return moderation.status();
      quotable.emplace();
      for (const auto& m : *moderation)
        if (m.read_back && !m.hidden) quotable->insert(m.answer_id);
    }
    // Rule 4: a note hidden or no longer marked read back takes its card off the screens.
    bool still_quotable = true;
    for (std::size_t at = 0; at < c.notes.size();) {
      std::size_t end = c.notes.find(' ', at);
      if (end == std::string::npos) end = c.notes.size();
      if (end > at && !quotable->count(c.notes.substr(at, end - at))) still_quotable = false;
      at = end + 1;
    }
    if (!still_quotable) continue;
    auto card = parse_card(c.body);
    if (!card) {
      std::fprintf(stderr, "tenpoint-server: read-back card %lld is unreadable and left out: %s\n", static_cast<long long>(c.id),
                   card.message().c_str());
      continue;
    }
    if (card->until < today) continue;  // rule 2
    card->id = std::to_string(c.id);
    r.cards.push_back(std::move(*card));
  }
  if (!ever) return std::optional<Readback>();
  if (!r.cards.empty()) {
    auto people = people_last_month(venue, now);
    if (!people) return people.status();
    if (*people >= kMinPeopleCounted) r.count = ReadbackCount{previous_month(today), *people};
  }
  return std::optional<Readback>(std::move(r));
}

Result<std::optional<ReadbackFile>> ReadbackFiles::venue_file(const std::string& venue, std::int64_t now) {
  if (keys_.secret_key.empty()) return Status::failure(Fault::invalid_input, "no signing key for read-back cards");
  auto composed = compose(venue, now);
  if (!composed) return composed.status();
  if (!*composed) return std::optional<ReadbackFile>();
  const std::string bytes = write_readback(**composed);
  auto delivery =
      admin_.card_delivery(venue, sha256_hex(bytes), [&](std::int64_t serial) { return sign_readback(bytes, serial, keys_.secret_key); });
  if (!delivery) return delivery.status();
  return std::optional<ReadbackFile>(ReadbackFile{delivery->serial, delivery->signed_file});
}

}  // namespace tp::server
