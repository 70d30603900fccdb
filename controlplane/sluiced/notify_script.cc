// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/notify_script.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sluice::sluiced {

void run_notify_script(const std::string& script, const std::string& instance, const char* state,
                       unsigned priority) {
  if (script.empty()) return;
  std::string priority_text = std::to_string(priority);
  pid_t pid = fork();
  if (pid == 0) {
    // Detach from sluiced's signals and reap: a double fork leaves no zombie behind.
    if (fork() != 0) _exit(0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execl(script.c_str(), script.c_str(), instance.c_str(), state, priority_text.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid > 0) waitpid(pid, nullptr, 0);
}

}  // namespace sluice::sluiced
