#include "pam_module/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/time.h"
#include "protocol/frame.h"

namespace sspr {
namespace {

// Lifts a descriptor to 10 or above, out of the way of the application's
// own use of low numbers. Under a low fd limit (`ulimit -n 10; su`) it
// stays where it is: the child copes with any numbers (ArrangeFds).
int HighFd(int fd) {
  if (fd < 0) return fd;
  int hi = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  if (hi < 0) return fd;
  close(fd);
  return hi;
}

void CloseRange(int first, int last) {  // both included
  if (first > last) return;
#ifdef SYS_close_range
  if (syscall(SYS_close_range, first, last, 0) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (long fd = first; fd <= last && fd < max; ++fd)
    close(static_cast<int>(fd));
}

// In the child: `theirs` on proto::kHelperFd, /dev/null on 0-2, nothing
// else open, whatever numbers the two had. Needs fds up to 5 only.
bool ArrangeFds(int theirs, int devnull) {
  const int lo = theirs < devnull ? theirs : devnull;
  const int hi = theirs < devnull ? devnull : theirs;
  CloseRange(0, lo - 1);
  CloseRange(lo + 1, hi - 1);
  CloseRange(hi + 1, static_cast<int>(~0U >> 1));
  const int h = proto::kHelperFd;
  if (theirs != h) {
    if (devnull == h && (devnull = fcntl(devnull, F_DUPFD, h + 1)) < 0)
      return false;
    if (dup2(theirs, h) < 0) return false;
    if (theirs > 2) close(theirs);
  }
  for (int fd = 0; fd <= 2; ++fd)
    if (devnull != fd && dup2(devnull, fd) < 0) return false;
  if (devnull > 2 && devnull != h) close(devnull);
  // dup2 clears close-on-exec; a descriptor left in place keeps it.
  for (int fd = 0; fd <= h; ++fd)
    if (fcntl(fd, F_SETFD, 0) != 0) return false;
  return true;
}

// The child's state before exec (see SpawnHelper in spawn.h). Async-signal-
// safe calls only; false when a step that must work did not. `strict`: a
// limit that cannot be set (a hard limit below ours, without
// CAP_SYS_RESOURCE) may come from the user who started a setuid
// application; the helper must then not run at all.
constexpr size_t kKernelSigsetSize = 8;  // the kernel's _NSIG (64) / 8

bool ResetChild(bool root, bool strict) {
  // Every signal back to its default, through the raw call: glibc's
  // sigaction refuses its two internal real-time signals (32, 33), and an
  // ignored signal stays ignored across exec. An all-zero kernel sigaction
  // is SIG_DFL with no flags and an empty mask on every architecture; the
  // buffer is larger than any of their layouts. KILL and STOP: EINVAL.
  unsigned long zero[8] = {};
  for (int s = 1; s < NSIG; ++s)
    syscall(SYS_rt_sigaction, s, zero, nullptr, kKernelSigsetSize);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (setsid() < 0) return false;
  // Raw system calls: one thread lives in this child, and glibc's wrappers
  // would try to broadcast the change to the parent's others.
  if (root && (syscall(SYS_setgroups, 0, nullptr) != 0 ||
               syscall(SYS_setresgid, 0, 0, 0) != 0 ||
               syscall(SYS_setresuid, 0, 0, 0) != 0))
    return false;
  umask(077);
  for (const HelperLimit& l : kHelperLimits) {
    struct rlimit r = {l.value, l.value};
    if (setrlimit(l.resource, &r) == 0) continue;
    if (strict || getrlimit(l.resource, &r) != 0) return false;
    // The application's own hard limit, below ours: the admin's choice.
    if (r.rlim_max < l.value) r.rlim_cur = r.rlim_max;
    if (setrlimit(l.resource, &r) != 0) return false;
  }
  return true;
}

}  // namespace

bool SpawnHelper(const std::string& path, Child* child, std::string* err) {
  if (path.empty() || path[0] != '/') {
    *err = "helper path '" + path + "' is not absolute";
    return false;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    *err = "helper " + path + ": " + strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)) {
    *err = "helper " + path + " is not an executable file";
    return false;
  }
  if (geteuid() == 0 &&
      (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
    *err = "helper " + path +
           " must be owned by root and not writable by group or others";
    return false;
  }
  if (st.st_mode & (S_ISUID | S_ISGID)) {
    *err = "helper " + path + " has a setuid/setgid bit; refusing to run it";
    return false;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    *err = std::string("socketpair: ") + strerror(errno);
    return false;
  }
  int ours = HighFd(sv[0]);
  int theirs = HighFd(sv[1]);
  int devnull = HighFd(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (ours < 0 || theirs < 0 || devnull < 0) {
    *err = std::string("descriptor setup: ") + strerror(errno);
    if (ours >= 0) close(ours);
    if (theirs >= 0) close(theirs);
    if (devnull >= 0) close(devnull);
    return false;
  }
  // Everything the child needs is prepared before fork.
  const char* argv[] = {path.c_str(), nullptr};
  const char* envp[] = {nullptr};
  const bool root = geteuid() == 0;
  // A setuid application (su, sudo): what it inherited is the invoking
  // user's, not to be trusted.
  const bool strict = root && getuid() != 0;

  pid_t pid = fork();
  if (pid < 0) {
    *err = std::string("fork: ") + strerror(errno);
    close(ours);
    close(theirs);
    close(devnull);
    return false;
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    if (!ResetChild(root, strict) || !ArrangeFds(theirs, devnull)) _exit(127);
    execve(argv[0], const_cast<char* const*>(argv),
           const_cast<char* const*>(envp));
    _exit(127);
  }
  close(theirs);
  close(devnull);
  child->pid = pid;
  child->fd = ours;
  return true;
}

// Waits until the helper closes its end (it does so only by exiting), at
// most until deadline_ms; any bytes still arriving are discarded.
void AwaitHangup(int fd, int64_t deadline_ms) {
  char buf[512];
  for (;;) {
    int64_t left = deadline_ms - NowMs();
    if (left <= 0) return;
    struct pollfd pfd = {fd, POLLIN, 0};
    int r = poll(&pfd, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return;
  }
}

int FinishChild(Child* child, int grace_ms) {
  if (child->fd >= 0) {
    if (grace_ms > 0) AwaitHangup(child->fd, NowMs() + grace_ms);
    close(child->fd);
    child->fd = -1;
  }
  if (child->pid <= 0) return -1;
  int status = -1;
  // After the hang-up the helper is exiting: collect it promptly, but never
  // wait on it for long.
  const int kStepUs = 200;
  for (int waited_us = 0;; waited_us += kStepUs) {
    pid_t r = waitpid(child->pid, &status, WNOHANG);
    if (r == child->pid) {
      child->pid = -1;
      return status;
    }
    if (r < 0 && errno != EINTR) {  // ECHILD: the application reaps
      child->pid = -1;
      return -1;
    }
    if (grace_ms == 0 || waited_us >= 100 * 1000) break;
    struct timespec ts = {0, kStepUs * 1000L};
    nanosleep(&ts, nullptr);
  }
  kill(child->pid, SIGKILL);
  for (;;) {
    pid_t r = waitpid(child->pid, &status, 0);
    if (r == child->pid) break;
    if (r < 0 && errno != EINTR) {
      status = -1;
      break;
    }
  }
  child->pid = -1;
  return status;
}

}  // namespace sspr
