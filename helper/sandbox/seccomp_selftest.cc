// `sspr-helper --seccomp-selftest CALL`: proof, on the real binary, that the
// filter refuses or kills what it should and still allows what the helper
// needs (tests/pam/test_hardening.py). Root only: it drops to nobody the way
// the helper drops to helper_user, installs the same filter, tries CALL.
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "helper/sandbox/privdrop.h"
#include "helper/sandbox/seccomp.h"

namespace sspr {
namespace {

// Calls made the way the helper's libraries make them.
int TryNamed(const std::string& call) {
  if (call == "getpid") return getpid() > 0 ? 0 : errno;
  if (call == "thread") {  // clone(CLONE_THREAD), after clone3's ENOSYS
    bool ran = false;
    try {
      std::thread t([&ran] { ran = true; });
      t.join();
    } catch (...) {
      return EAGAIN;
    }
    return ran ? 0 : EIO;
  }
  if (call == "resolve") {  // getaddrinfo through NSS, AI_ADDRCONFIG
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    struct addrinfo* res = nullptr;
    int r = getaddrinfo("localhost", "443", &hints, &res);
    if (res) freeaddrinfo(res);
    return r == 0 ? 0 : EIO;
  }
  if (call == "file") {  // the store: create, write, fsync, flock, rename
    char tmp[] = "/tmp/sspr-selftest.XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0) return errno;
    std::string to = std::string(tmp) + ".renamed";
    int e = 0;
    if (write(fd, "x", 1) != 1 || fsync(fd) != 0 || flock(fd, LOCK_EX) != 0 ||
        rename(tmp, to.c_str()) != 0)
      e = errno;
    close(fd);
    unlink(tmp);
    unlink(to.c_str());
    return e;
  }
  if (call == "socket_inet") {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    close(fd);
    return 0;
  }
  if (call == "socket_packet" || call == "socket_alg") {
    int fd = call == "socket_packet" ? socket(AF_PACKET, SOCK_RAW, 0)
                                     : socket(AF_ALG, SOCK_SEQPACKET, 0);
    if (fd < 0) return errno;
    close(fd);
    return 0;
  }
  if (call == "fork") {  // works for nobody without the filter
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) _exit(0);
    waitpid(pid, nullptr, 0);
    return 0;
  }
  if (call == "memfd") {  // works for nobody without the filter
    int fd = static_cast<int>(syscall(SYS_memfd_create, "x", 0));
    if (fd < 0) return errno;
    close(fd);
    return 0;
  }
  if (call == "execve") {
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    char* const envp[] = {nullptr};
    execve(argv[0], argv, envp);
    return errno;
  }
  return -1;
}

const char* const kNamed[] = {
    "getpid",        "thread",     "resolve", "file",  "socket_inet",
    "socket_packet", "socket_alg", "fork",    "memfd", "execve"};

}  // namespace

int SeccompSelfTest(const std::string& call) {
  if (call == "list") {  // the named tries, then the kill list
    for (const char* n : kNamed) printf("%s\n", n);
    for (const char* n : SeccompKilledCalls()) printf("kill:%s\n", n);
    printf("sanitizer-build: %s\n", SeccompSanitizerBuild() ? "yes" : "no");
    return 0;
  }
  if (getuid() != 0 || geteuid() != 0) {
    fprintf(stderr, "sspr-helper: --seccomp-selftest is for root (tests)\n");
    return 2;
  }
  // A raw call by name: "kill:NAME" calls NAME with all-zero arguments.
  long nr = -1;
  if (call.rfind("kill:", 0) == 0) {
    nr = seccomp_syscall_resolve_name(call.c_str() + 5);
    if (nr < 0) {
      fprintf(stderr, "sspr-helper: unknown system call %s\n",
              call.c_str() + 5);
      return 2;
    }
  } else {
    bool known = false;
    for (const char* n : kNamed) known = known || call == n;
    if (!known) {
      fprintf(stderr, "sspr-helper: unknown self-test %s (try list)\n",
              call.c_str());
      return 2;
    }
  }
  HelperUser u;
  std::string err;
  if (!LookupHelperUser("nobody", &u, &err) || !DropPrivileges(u, &err) ||
      !InstallSeccompFilter(&err)) {
    fprintf(stderr, "sspr-helper: %s\n", err.c_str());
    return 1;
  }
  printf("filter installed\n");
  fflush(stdout);
  int e = 0;
  if (nr >= 0) {
    e = syscall(nr, 0, 0, 0, 0, 0, 0) < 0 ? errno : 0;
  } else {
    e = TryNamed(call);
  }
  if (e == 0) {
    printf("%s: allowed\n", call.c_str());
  } else {
    printf("%s: refused (%s)\n", call.c_str(), strerror(e));
  }
  fflush(stdout);
  return 0;
}

}  // namespace sspr
