// Who may hold a connection, and how many body bytes all connections may
// hold at once. Thread-safe: the I/O threads share one Admission.
//
// Invariants:
//   1. At most max_total connections are open, and at most max_per_address
//      from one client address; a connection over either cap is closed at
//      once, before its TLS handshake.
//   2. A connection's slot is given back exactly once, when its Ticket dies.
//   3. Body bytes held by requests (arriving, or waiting for the Api) never
//      exceed max_body_bytes in total; a BodyBytes gives its share back when
//      it dies.
#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tp::server {

class Admission {
 public:
  Admission(std::size_t max_total, std::size_t max_per_address, std::size_t max_body_bytes);
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  // A connection's slot, given back when the Ticket is destroyed.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept : owner_(other.owner_), address_(std::move(other.address_)) { other.owner_ = nullptr; }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();
    const std::string& address() const { return address_; }

   private:
    friend class Admission;
    Ticket(Admission* owner, std::string address) : owner_(owner), address_(std::move(address)) {}
    Admission* owner_;
    std::string address_;
  };

  // nullopt when the address or the server is at its cap (counted, and
  // logged at most once a second so that a flood cannot flood the log too).
  std::optional<Ticket> admit(const std::string& address);
  std::size_t open_connections() const;
  // Connections refused since start, by the cap that refused them (for /metrics).
  struct Refusals {
    std::uint64_t per_address = 0;  // the address held max_per_address already
    std::uint64_t server_full = 0;  // max_total were open
  };
  Refusals refusals() const;

  // A request's share of the body budget; grows as the body arrives.
  class BodyBytes {
   public:
    explicit BodyBytes(Admission& owner) : owner_(&owner) {}
    BodyBytes(BodyBytes&& other) noexcept : owner_(other.owner_), held_(other.held_) { other.held_ = 0; }
    BodyBytes& operator=(BodyBytes&&) = delete;
    ~BodyBytes();
    // false (and nothing taken) when the budget has no room for `bytes` more.
    [[nodiscard]] bool take(std::size_t bytes);
    std::size_t held() const { return held_; }

   private:
    Admission* owner_;
    std::size_t held_ = 0;
  };
  std::size_t body_bytes_held() const { return body_bytes_.load(); }

 private:
  void release(const std::string& address);
  void note_refusal(const std::string& address, bool per_address);

  const std::size_t max_total_, max_per_address_, max_body_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> per_address_;
  std::size_t total_ = 0;
  // Refusals since the last log line about them.
  std::size_t refused_ = 0;
  Refusals refused_since_start_;
  std::chrono::steady_clock::time_point last_refusal_log_{};
  std::atomic<std::size_t> body_bytes_{0};
};

}  // namespace tp::server
