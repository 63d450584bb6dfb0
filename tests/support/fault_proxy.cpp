#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace tp::test {

namespace {

// Closes with a TCP reset rather than a clean FIN.
void reset(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

}  // namespace

FaultProxy::FaultProxy(int target_port, Policy policy, std::uint32_t seed) : target_port_(target_port), policy_(policy), rng_(seed) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 64) != 0)
    throw std::runtime_error("fault proxy: unable to listen");
  socklen_t len = sizeof a;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  close(listen_fd_);
  acceptor_.join();
  for (auto& t : workers_) t.join();
}

void FaultProxy::set_policy(Policy p) {
  std::lock_guard lock(mutex_);
  policy_ = p;
}

FaultProxy::Counts FaultProxy::counts() {
  std::lock_guard lock(mutex_);
  return counts_;
}

void FaultProxy::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int c = accept(listen_fd_, nullptr, nullptr);
    if (c < 0) continue;
    workers_.emplace_back([this, c] { relay(c); });
  }
}

void FaultProxy::relay(int client) {
  enum Fate { pass, drop, cut_up, cut_down } fate = pass;
  long limit = -1;
  int delay_ms = 0;
  {
    std::lock_guard lock(mutex_);
    ++counts_.connections;
    std::uniform_real_distribution<double> roll(0, 1);
    if (roll(rng_) < policy_.drop) {
      fate = drop;
      ++counts_.dropped;
    } else {
      // A delay and a cut may both befall one connection.
      if (roll(rng_) < policy_.delay) {
        delay_ms = std::uniform_int_distribution<int>(0, policy_.delay_ms_max)(rng_);
        ++counts_.delayed;
      }
      if (roll(rng_) < policy_.cut) {
        fate = std::uniform_int_distribution<int>(0, 1)(rng_) ? cut_up : cut_down;
        limit = std::uniform_int_distribution<long>(0, policy_.cut_bytes_max)(rng_);
        ++(fate == cut_up ? counts_.cut_to_server : counts_.cut_to_client);
      }
    }
  }
  if (fate == drop) {
    reset(client);
    return;
  }
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  int server = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(target_port_));
  if (connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    reset(client);
    close(server);
    return;
  }
  int one = 1;
  setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  long up = 0, down = 0;  // bytes passed each way
  char buf[16384];
  while (!stop_) {
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    int n = poll(p, 2, 200);
    if (n < 0) break;
    if (n == 0) continue;
    bool done = false;
    for (int i = 0; i < 2 && !done; ++i) {
      if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int from = i == 0 ? client : server, to = i == 0 ? server : client;
      ssize_t got = read(from, buf, sizeof buf);
      if (got <= 0) {
        done = true;
        break;
      }
      long& passed = i == 0 ? up : down;
      bool cutting = (i == 0 && fate == cut_up) || (i == 1 && fate == cut_down);
      ssize_t allowed = got;
      if (cutting && passed + got > limit) allowed = static_cast<ssize_t>(std::max(0L, limit - passed));
      if (allowed > 0 && write(to, buf, static_cast<std::size_t>(allowed)) != allowed) done = true;
      passed += allowed;
      if (allowed < got) done = true;  // the cut: reset both ends
    }
    if (done) break;
  }
  reset(client);
  reset(server);
}

}  // namespace tp::test
