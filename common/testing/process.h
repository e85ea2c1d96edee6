// Starts a test's helper program as a child process and kills or reaps it.
#ifndef SHOP_COMMON_TESTING_PROCESS_H_
#define SHOP_COMMON_TESTING_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace shop::testing {

class ChildProcess {
 public:
  // Starts `program` (a path, e.g. from runfiles) with `args`.
  ChildProcess(const std::string& program, const std::vector<std::string>& args);
  ~ChildProcess();  // SIGKILL if still running

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Waits up to `timeout`; true when it ended. Then exit_code() or
  // term_signal() says how.
  bool Wait(absl::Duration timeout);
  void Kill(int signal);

  int exit_code() const { return exit_code_; }
  int term_signal() const { return term_signal_; }

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  int term_signal_ = 0;
};

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_PROCESS_H_
