#include "http_admission.h"

#include <cstdio>

namespace tp::server {

Admission::Admission(std::size_t max_total, std::size_t max_per_address, std::size_t max_body_bytes)
    : max_total_(max_total), max_per_address_(max_per_address), max_body_bytes_(max_body_bytes) {}

std::optional<Admission::Ticket> Admission::admit(const std::string& address) {
  std::lock_guard lock(mutex_);
  if (total_ >= max_total_) {
    note_refusal(address, false);
    return std::nullopt;
  }
  std::size_t& mine = per_address_[address];
  if (mine >= max_per_address_) {
    note_refusal(address, true);
    return std::nullopt;
  }
  ++mine;
  ++total_;
  return Ticket(this, address);
}

std::size_t Admission::open_connections() const {
  std::lock_guard lock(mutex_);
  return total_;
}

Admission::Refusals Admission::refusals() const {
  std::lock_guard lock(mutex_);
  return refused_since_start_;
}

void Admission::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  --total_;
  auto found = per_address_.find(address);
  // Entries are erased at zero so that the map holds only open connections'
  // addresses, however many addresses have come and gone.
  if (found != per_address_.end() && --found->second == 0) per_address_.erase(found);
}

void Admission::note_refusal(const std::string& address, bool per_address) {
  ++refused_;
  ++(per_address ? refused_since_start_.per_address : refused_since_start_.server_full);
  auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ < std::chrono::seconds(1)) return;
  if (per_address)
    std::fprintf(stderr,
                 "tenpoint-server: refused %zu connection(s) in the last second; latest from %s, which already holds %zu "
                 "(--max-connections-per-address)\n",
                 refused_, address.c_str(), max_per_address_);
  else
    std::fprintf(stderr,
                 "tenpoint-server: refused %zu connection(s) in the last second; %zu are open, the most allowed (--max-connections)\n",
                 refused_, total_);
  refused_ = 0;
  last_refusal_log_ = now;
}

Admission::Ticket::~Ticket() {
  if (owner_) owner_->release(address_);
}

bool Admission::BodyBytes::take(std::size_t bytes) {
  std::size_t held = owner_->body_bytes_.load();
  do {
    if (held > owner_->max_body_bytes_ || bytes > owner_->max_body_bytes_ - held) return false;
  } while (!owner_->body_bytes_.compare_exchange_weak(held, held + bytes));
  held_ += bytes;
  return true;
}

Admission::BodyBytes::~BodyBytes() {
  if (held_ > 0) owner_->body_bytes_ -= held_;
}

}  // namespace tp::server
