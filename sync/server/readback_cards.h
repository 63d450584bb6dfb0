// A venue's read-back cards as its kiosks get them: the venue's live cards
// from the admin store, this month's count beside them, written as one
// document (readback.h), signed with the question-set key and remade only
// when what it says changes (AdminStore::card_delivery), so a kiosk's ETag
// holds between changes.
//
// Rules:
//   1. A venue that has never had a card gets no file (the API answers 204),
//      and its kiosks show what they always showed. Once it has had one, it
//      always gets a file, if need be an empty one: a withdrawn card leaves
//      the screens at the kiosk's next poll.
//   2. Cards whose last day has passed are left out; cards still to come are
//      sent with their dates, and the kiosk shows each on its days.
//   3. The count is of visits at the venue last month (the last whole
//      month, so that no day's or week's count can be had by subtracting two
//      counts) that left a note, counted once a month. It is sent only
//      beside a card, and only when it is at least kMinPeopleCounted.
//   4. A card quoting a note that has since been hidden, or is no longer
//      marked read back, is left out: it leaves the screens at the next poll.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "admin_store.h"
#include "api.h"
#include "readback.h"
#include "signed_set.h"

namespace tp::server {

class ReadbackFiles {
 public:
  ReadbackFiles(AdminStore& admin, SetSigningKeys keys) : admin_(admin), keys_(std::move(keys)) {}

  // What the venue's file says now; nullopt under rule 1.
  Result<std::optional<Readback>> compose(const std::string& venue, std::int64_t now);
  // The signed file; nullopt under rule 1.
  Result<std::optional<ReadbackFile>> venue_file(const std::string& venue, std::int64_t now);

 private:
  Result<std::int64_t> people_last_month(const std::string& venue, std::int64_t now);

  AdminStore& admin_;
  SetSigningKeys keys_;
  std::mutex mutex_;
  std::map<std::string, std::pair<std::string, std::int64_t>> counted_;  // venue -> (month, people)
};

}  // namespace tp::server
