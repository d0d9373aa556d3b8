// Runs the delivery command: fork + execve with an empty environment, the
// text on stdin, everything else closed, killed with its process group
// after the timeout.
#include "helper/delivery/run_command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <string>

#include "common/time.h"
#include "helper/delivery/command_launcher.h"

namespace sspr {
namespace {

volatile sig_atomic_t g_command_pid = 0;  // RunningCommandPid()

// The closing of inherited descriptors in the child: close_range when the
// kernel has it, else a loop up to the descriptor limit read before fork.
void CloseFrom(int first, long max_fd) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U) == 0) {
    return;
  }
#endif
  for (long fd = first; fd < max_fd; ++fd) close(static_cast<int>(fd));
}

// Runs in the forked child: async-signal-safe calls only, never returns.
// fd 0 = the text pipe, fds 1-2 = /dev/null, fd 3 = exec status pipe (close
// on exec: EOF tells the parent execve worked, else it carries errno).
[[noreturn]] void ExecChild(int in_fd, int null_fd, int status_fd, long max_fd,
                            char* const argv[], char* const envp[]) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGPIPE, &dfl, nullptr);
  sigaction(SIGCHLD, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  setpgid(0, 0);  // own group: a timeout kills the command's children too
  // First lift every source above 2, so no dup2 below clobbers another one.
  int in_hi = fcntl(in_fd, F_DUPFD_CLOEXEC, 10);
  int null_hi = fcntl(null_fd, F_DUPFD_CLOEXEC, 10);
  int status_hi = fcntl(status_fd, F_DUPFD_CLOEXEC, 10);
  int report_fd = status_hi >= 0 ? status_hi : status_fd;
  int e = 0;
  if (in_hi < 0 || null_hi < 0 || status_hi < 0 || dup2(in_hi, 0) < 0 ||
      dup2(null_hi, 1) < 0 || dup2(null_hi, 2) < 0 || dup2(status_hi, 3) < 0 ||
      fcntl(3, F_SETFD, FD_CLOEXEC) < 0) {
    e = errno;
  } else {
    report_fd = 3;
    CloseFrom(4, max_fd);
    execve(argv[0], argv, envp);
    e = errno;
  }
  ssize_t ignored = write(report_fd, &e, sizeof(e));
  (void)ignored;
  _exit(127);
}

// Waits for the exec status: false on deadline, *exec_errno != 0 on failure.
bool AwaitExec(int fd, int64_t deadline, int* exec_errno) {
  for (;;) {
    int64_t left = deadline - NowMs();
    if (left <= 0) return false;
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno != EINTR) return true;  // cannot tell: let wait decide
    if (r <= 0) continue;
    int e = 0;
    ssize_t n = read(fd, &e, sizeof(e));
    if (n < 0 && errno == EINTR) continue;
    if (n == static_cast<ssize_t>(sizeof(e))) *exec_errno = e != 0 ? e : EIO;
    return true;  // EOF: execve succeeded
  }
}

// Writes the text to the child's stdin: false on deadline. A child that
// exits without reading (EPIPE) is judged by its exit status instead.
bool FeedStdin(int fd, const std::string& text, int64_t deadline) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return true;  // EPIPE and friends
    int64_t left = deadline - NowMs();
    if (left <= 0) return false;
    struct pollfd p = {fd, POLLOUT, 0};
    poll(&p, 1, static_cast<int>(left));
  }
  return true;
}

// Polls waitpid until the child ends: 1 reaped, 0 deadline, -1 error (the
// errno in *status).
int AwaitChild(pid_t pid, int64_t deadline, int* status) {
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return 1;
    if (r < 0 && errno != EINTR) {
      *status = errno;
      return -1;
    }
    int64_t left = deadline - NowMs();
    if (left <= 0) return 0;
    SleepMs(left < 10 ? left : 10);
  }
}

void KillAndReap(pid_t pid, int* status) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
  }
}

// Blocks SIGPIPE and SIGCHLD while a command runs (so a write to a closed
// pipe cannot kill us and a SIGCHLD handler cannot reap our child), and
// makes an ignored SIGCHLD default for the duration (else the kernel reaps
// the child and its status is lost). Everything is restored afterwards; a
// SIGPIPE we caused is consumed, a SIGCHLD stays pending for the caller.
class SignalGuard {
 public:
  SignalGuard() {
    sigemptyset(&pipe_set_);
    sigaddset(&pipe_set_, SIGPIPE);
    sigset_t block = pipe_set_;
    sigaddset(&block, SIGCHLD);
    sigemptyset(&pending_before_);
    sigpending(&pending_before_);
    sigprocmask(SIG_BLOCK, &block, &old_mask_);
    sigaction(SIGCHLD, nullptr, &old_chld_);
    bool ignored =
        !(old_chld_.sa_flags & SA_SIGINFO) && old_chld_.sa_handler == SIG_IGN;
    if (ignored || (old_chld_.sa_flags & SA_NOCLDWAIT)) {
      struct sigaction dfl;
      memset(&dfl, 0, sizeof(dfl));
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      sigaction(SIGCHLD, &dfl, nullptr);
      chld_changed_ = true;
    }
  }
  ~SignalGuard() {
    if (chld_changed_) sigaction(SIGCHLD, &old_chld_, nullptr);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) &&
        !sigismember(&pending_before_, SIGPIPE)) {
      struct timespec zero = {0, 0};
      sigtimedwait(&pipe_set_, nullptr, &zero);
    }
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  sigset_t pipe_set_, pending_before_, old_mask_;
  struct sigaction old_chld_;
  bool chld_changed_ = false;
};

}  // namespace

pid_t RunningCommandPid() { return static_cast<pid_t>(g_command_pid); }

SendStatus RunDeliveryCommand(const std::string& path, const char* channel,
                              const std::string& to, const std::string& text,
                              int timeout_s, std::string* err) {
  if (CommandLauncherRunning())
    return RunViaLauncher(path, channel, to, text, timeout_s, err);
  return RunCommandHere(path, channel, to, text, timeout_s, err);
}

SendStatus RunCommandHere(const std::string& path, const char* channel,
                          const std::string& to, const std::string& text,
                          int timeout_s, std::string* err) {
  const int64_t deadline = NowMs() + int64_t{timeout_s} * 1000;
  const std::string what = "delivery command " + path;
  int in[2], st[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    *err = what + ": pipe: " + strerror(errno);
    return SendStatus::kError;
  }
  if (pipe2(st, O_CLOEXEC) != 0) {
    *err = what + ": pipe: " + strerror(errno);
    close(in[0]);
    close(in[1]);
    return SendStatus::kError;
  }
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) {
    *err = what + ": /dev/null: " + strerror(errno);
    for (int fd : {in[0], in[1], st[0], st[1]}) close(fd);
    return SendStatus::kError;
  }
  // Everything the child needs is ready before fork: no allocation after.
  long max_fd = sysconf(_SC_OPEN_MAX);
  if (max_fd < 0 || max_fd > (1 << 20)) max_fd = 1 << 20;
  char* const argv[] = {const_cast<char*>(path.c_str()),
                        const_cast<char*>(channel),
                        const_cast<char*>(to.c_str()), nullptr};
  char* const envp[] = {nullptr};

  SignalGuard guard;
  // SIGTERM (the launcher's "helper died") waits until the command's pid
  // is published, so its handler can always kill the group.
  sigset_t term, before_term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_BLOCK, &term, &before_term);
  pid_t pid = fork();
  if (pid == 0) ExecChild(in[0], null_fd, st[1], max_fd, argv, envp);
  int fork_errno = errno;
  if (pid > 0) {
    setpgid(pid, pid);  // also here: no race with a kill right after fork
    g_command_pid = pid;
  }
  sigprocmask(SIG_SETMASK, &before_term, nullptr);
  struct ClearPid {
    ~ClearPid() { g_command_pid = 0; }
  } clear_pid;
  close(in[0]);
  close(st[1]);
  close(null_fd);
  if (pid < 0) {
    close(in[1]);
    close(st[0]);
    *err = what + ": fork: " + strerror(fork_errno);
    return SendStatus::kError;
  }

  int exec_errno = 0;
  bool in_time = AwaitExec(st[0], deadline, &exec_errno);
  close(st[0]);
  if (in_time && exec_errno == 0) in_time = FeedStdin(in[1], text, deadline);
  close(in[1]);
  int status = 0;
  int waited = in_time ? AwaitChild(pid, deadline, &status) : 0;
  if (waited == 0) {
    KillAndReap(pid, &status);
    *err = what + " timed out after " + std::to_string(timeout_s) +
           " s and was killed";
    return SendStatus::kError;
  }
  if (waited < 0) {
    *err = what + ": waitpid: " + strerror(status);
    return SendStatus::kError;
  }
  if (exec_errno != 0) {
    *err = "cannot execute " + what + ": " + strerror(exec_errno);
    return SendStatus::kError;
  }
  if (WIFSIGNALED(status)) {
    *err = what + " was killed by signal " + std::to_string(WTERMSIG(status));
    return SendStatus::kError;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == kCommandBadDestination) {
    *err = what + " refused the destination (exit status " +
           std::to_string(kCommandBadDestination) + ")";
    return SendStatus::kBadDestination;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != kCommandSent) {
    *err = what + " failed with exit status " +
           std::to_string(WEXITSTATUS(status));
    return SendStatus::kError;
  }
  return SendStatus::kSent;
}

}  // namespace sspr
