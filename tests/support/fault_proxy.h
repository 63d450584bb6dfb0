// A TCP proxy of the tests' own that injects network faults between
// tenpoint-sync and tenpoint-server: refused connections, delays, and
// connections cut after a random number of bytes in either direction
// (so also after the server committed a batch but before its reply
// reached the kiosk). TLS passes through it untouched.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace tp::test {

class FaultProxy {
 public:
  struct Policy {
    double drop = 0;   // share of connections reset at once
    double delay = 0;  // share of the rest delayed before connecting upstream
    int delay_ms_max = 300;
    double cut = 0;  // share of the rest cut after a random byte count
    int cut_bytes_max = 12000;
  };
  struct Counts {
    int connections = 0, dropped = 0, delayed = 0, cut_to_server = 0, cut_to_client = 0;
  };

  FaultProxy(int target_port, Policy policy, std::uint32_t seed);
  ~FaultProxy();
  int port() const { return port_; }
  void set_policy(Policy p);
  Counts counts();

 private:
  void accept_loop();
  void relay(int client);

  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  Policy policy_;
  Counts counts_;
  std::mt19937 rng_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

}  // namespace tp::test
