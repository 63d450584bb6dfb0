// Real child processes for the integration tests: start, signal, wait,
// and read what they printed.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tp::test {

class Process {
 public:
  // Runs argv with stdout and stderr appended to `log_file`.
  Process(const std::vector<std::string>& argv, const std::string& log_file);
  ~Process();  // SIGKILLs a process still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Exit code, or -signal when killed by one, or INT32_MIN on timeout.
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// Runs a command to completion; returns its exit code and fills `output`.
int run_command(const std::vector<std::string>& argv, std::string& output, std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Waits until `file` contains `needle`; returns the file's text, or "" on timeout.
std::string wait_for_text(const std::string& file, const std::string& needle, std::chrono::milliseconds timeout);

}  // namespace tp::test
