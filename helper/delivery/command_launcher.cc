// The delivery-command launcher: a forked child, outside the seccomp
// filter, that runs the configured delivery command for the helper. One
// request = one SOCK_SEQPACKET message (bounded), one answer.
#include "helper/delivery/command_launcher.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "common/time.h"
#include "common/wipe.h"
#include "helper/delivery/run_command.h"

namespace sspr {
namespace {

constexpr size_t kMaxRequest = 64 * 1024;  // the texts are a few lines
constexpr size_t kMaxReply = 4096;
constexpr int64_t kReplyGraceMs = 5000;  // beyond the command's timeout

int g_fd = -1;
pid_t g_pid = -1;

void PutU32(std::string* b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b->push_back(static_cast<char>(v >> s));
}
void PutStr(std::string* b, const std::string& s) {
  PutU32(b, static_cast<uint32_t>(s.size()));
  b->append(s);
}

class Reader {
 public:
  Reader(const char* p, size_t n) : p_(p), n_(n) {}
  bool U32(uint32_t* v) {
    if (n_ - off_ < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i)
      *v = (*v << 8) | static_cast<unsigned char>(p_[off_ + i]);
    off_ += 4;
    return true;
  }
  bool Str(std::string* s) {
    uint32_t len;
    if (!U32(&len) || n_ - off_ < len) return false;
    s->assign(p_ + off_, len);
    off_ += len;
    return true;
  }
  bool Done() const { return off_ == n_; }

 private:
  const char* p_;
  size_t n_;
  size_t off_ = 0;
};

// The answer's first byte.
constexpr char kReplyError = 0, kReplySent = 1, kReplyBadDestination = 2;

void SendReply(int fd, SendStatus st, const std::string& err) {
  char first = st == SendStatus::kSent             ? kReplySent
               : st == SendStatus::kBadDestination ? kReplyBadDestination
                                                   : kReplyError;
  std::string b(1, first);
  PutStr(&b, err.substr(0, kMaxReply - 8));
  ssize_t n;
  do {
    n = send(fd, b.data(), b.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
}

// Keeps 0-2 and the socket (moved to fd 3), closes everything else: the
// module's socket in particular, so the module sees the helper hang up.
void KeepOnly(int sock) {
  if (sock != 3) {
    if (dup2(sock, 3) < 0) _exit(1);
    close(sock);
  }
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 4U, ~0U, 0U) == 0) return;
#endif
  long max_fd = sysconf(_SC_OPEN_MAX);
  if (max_fd < 0 || max_fd > (1 << 20)) max_fd = 1 << 20;
  for (long fd = 4; fd < max_fd; ++fd) close(static_cast<int>(fd));
}

// The launcher does not trust the helper (it may be the one taken over):
// the channel is one of three words and the destination, which becomes an
// argument of the admin's command, passes the same check as the user's
// input (never an option, no control characters).
bool ValidRequest(const std::string& channel, const std::string& to) {
  Channel ch;
  return ChannelFromName(channel, &ch) && ValidDestination(ch, to);
}

// The helper died (PR_SET_PDEATHSIG): the running command and its group
// go too, then the launcher.
void OnHelperDeath(int) {
  pid_t pid = RunningCommandPid();
  if (pid > 0) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  }
  _exit(0);
}

[[noreturn]] void LauncherMain(int sock, pid_t parent,
                               const std::vector<std::string>& paths,
                               int max_timeout_s, const HelperUser& u,
                               bool drop) {
  std::string err;
  if (drop && !DropPrivileges(u, &err)) _exit(1);
  // After the drop: a change of credentials clears the death signal.
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = OnHelperDeath;
  sigfillset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &term, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
  if (getppid() != parent) _exit(0);  // the helper is already gone
  prctl(PR_SET_NAME, "sspr-launcher", 0, 0, 0);
  KeepOnly(sock);
  std::vector<char> buf(kMaxRequest + 1);
  int sends = 0;
  for (;;) {
    ssize_t n = recv(3, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0);  // the helper hung up
    uint32_t timeout_s = 0;
    std::string path, channel, to, text;
    Reader r(buf.data(), static_cast<size_t>(n));
    SendStatus st = SendStatus::kError;
    if (sends >= kMaxLauncherSends) {
      err = "delivery launcher: more than " +
            std::to_string(kMaxLauncherSends) + " codes in one run; refused";
    } else if (static_cast<size_t>(n) > kMaxRequest || !r.U32(&timeout_s) ||
               !r.Str(&path) || !r.Str(&channel) || !r.Str(&to) ||
               !r.Str(&text) || !r.Done()) {
      err = "delivery launcher: malformed request";
    } else if (std::find(paths.begin(), paths.end(), path) == paths.end()) {
      err = "delivery launcher: not a configured command";
    } else if (!ValidRequest(channel, to)) {
      err = "delivery launcher: invalid channel or destination";
    } else {
      int t = static_cast<int>(
          std::min<uint32_t>(std::max<uint32_t>(timeout_s, 1),
                             static_cast<uint32_t>(max_timeout_s)));
      ++sends;
      st = RunCommandHere(path, channel.c_str(), to, text, t, &err);
    }
    explicit_bzero(buf.data(), static_cast<size_t>(n));
    Wipe(&to);
    Wipe(&text);
    SendReply(3, st, st == SendStatus::kSent ? std::string() : err);
    err.clear();
  }
}

void CloseLauncher() {
  if (g_fd >= 0) close(g_fd);
  g_fd = -1;
}

}  // namespace

bool StartCommandLauncher(const std::vector<std::string>& paths,
                          int max_timeout_s, const HelperUser& u, bool drop,
                          std::string* err) {
  if (g_pid > 0) {
    *err = "delivery launcher: already running";
    return false;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    *err = std::string("delivery launcher: socketpair: ") + strerror(errno);
    return false;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *err = std::string("delivery launcher: fork: ") + strerror(errno);
    close(sv[0]);
    close(sv[1]);
    return false;
  }
  if (pid == 0) {
    close(sv[0]);
    LauncherMain(sv[1], parent, paths, max_timeout_s < 1 ? 1 : max_timeout_s, u,
                 drop);
  }
  close(sv[1]);
  g_fd = sv[0];
  g_pid = pid;
  return true;
}

bool CommandLauncherRunning() { return g_pid > 0; }

SendStatus RunViaLauncher(const std::string& path, const char* channel,
                          const std::string& to, const std::string& text,
                          int timeout_s, std::string* err) {
  const std::string what = "delivery command " + path;
  if (g_fd < 0) {
    *err = what + ": the delivery launcher is not running";
    return SendStatus::kError;
  }
  std::string req;  // reserved: no copy of the text left behind by growth
  req.reserve(20 + path.size() + strlen(channel) + to.size() + text.size());
  PutU32(&req, static_cast<uint32_t>(timeout_s < 1 ? 1 : timeout_s));
  PutStr(&req, path);
  PutStr(&req, channel);
  PutStr(&req, to);
  PutStr(&req, text);
  if (req.size() > kMaxRequest) {
    Wipe(&req);
    *err = what + ": message too long";
    return SendStatus::kError;
  }
  ssize_t n;
  do {
    n = send(g_fd, req.data(), req.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  int send_errno = errno;
  Wipe(&req);
  if (n < 0) {
    *err = what + ": delivery launcher: " + strerror(send_errno);
    CloseLauncher();
    return SendStatus::kError;
  }
  const int64_t deadline = NowMs() + int64_t{timeout_s} * 1000 + kReplyGraceMs;
  char reply[kMaxReply + 1];
  for (;;) {
    int64_t left = deadline - NowMs();
    if (left <= 0) {
      *err = what + ": delivery launcher did not answer";
      CloseLauncher();
      return SendStatus::kError;
    }
    struct pollfd p = {g_fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno != EINTR) {
      *err = what + ": poll: " + strerror(errno);
      CloseLauncher();
      return SendStatus::kError;
    }
    if (r <= 0) continue;
    n = recv(g_fd, reply, sizeof(reply), 0);
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  if (n <= 0) {
    *err = what + ": delivery launcher ended";
    CloseLauncher();
    return SendStatus::kError;
  }
  Reader body(reply + 1, static_cast<size_t>(n) - 1);
  std::string msg;
  if (static_cast<size_t>(n) > kMaxReply || !body.Str(&msg) || !body.Done()) {
    *err = what + ": delivery launcher: malformed answer";
    CloseLauncher();
    return SendStatus::kError;
  }
  if (reply[0] == kReplySent) return SendStatus::kSent;
  *err = msg.empty() ? what + " failed" : msg;
  return reply[0] == kReplyBadDestination ? SendStatus::kBadDestination
                                          : SendStatus::kError;
}

void StopCommandLauncher() {
  if (g_pid <= 0) return;
  CloseLauncher();
  const int64_t deadline = NowMs() + 2000;
  for (;;) {
    pid_t r = waitpid(g_pid, nullptr, WNOHANG);
    if (r == g_pid || (r < 0 && errno != EINTR)) break;
    if (NowMs() >= deadline) break;  // dies with us (PDEATHSIG)
    SleepMs(10);
  }
  g_pid = -1;
}

}  // namespace sspr
