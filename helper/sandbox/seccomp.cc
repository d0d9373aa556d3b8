// This file is long because it is one allow-list, kept whole so that a reader
// sees every allowed system call and its reason in one place.
// The system-call filter of sspr-helper. Default action EPERM: a call the
// list forgot fails like any refused call, the code paths that use it end
// in UNAVAILABLE (the failmode) and the next login works; a new library
// version that probes a new call degrades instead of killing logins. Calls
// that no code path of the helper makes and that an attacker who runs code
// in it would want (exec, ptrace, mount, bpf, modules, namespaces, set*id,
// io_uring, ...) kill the process at once.
#include "helper/sandbox/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <initializer_list>
#include <string>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || \
    __has_feature(undefined_behavior_sanitizer)
#define SSPR_SECCOMP_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SSPR_SECCOMP_SANITIZER 1
#endif

namespace sspr {
namespace {

#ifdef SSPR_SECCOMP_SANITIZER
constexpr bool kSanitizer = true;
#else
constexpr bool kSanitizer = false;
#endif

// What every configuration needs: the local store (open, write, fsync,
// flock, rename, fsync of the directory), the module socket (poll), timers
// and signals (alarm, nanosleep), malloc, ICU and libphonenumber (mmap,
// read), yescrypt (mmap, getrandom), libcurl over TLS and its threaded
// resolver (threads, sockets, eventfd/socketpair wake-ups), getaddrinfo
// through NSS (files, DNS, nscd's socket, netlink for AI_ADDRCONFIG).
// clang-format off: the names stay packed by group, not one a line.
const char* const kAllowed[] = {
    // descriptors and files
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "lseek",
    "open",
    "openat",
    "close",
    "close_range",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "fstat",
    "stat",
    "lstat",
    "newfstatat",
    "statx",
    "fstatfs",
    "statfs",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents64",
    "getdents",
    "getcwd",
    "mkdir",
    "mkdirat",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "rmdir",
    "fsync",
    "fdatasync",
    "flock",
    "ftruncate",
    "fchmod",
    "fchmodat",
    "umask",
    "fadvise64",
    // memory
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "brk",
    // threads (clone itself is below: threads only)
    "futex",
    "set_robust_list",
    "get_robust_list",
    "rseq",
    "set_tid_address",
    "sched_getaffinity",
    "sched_yield",
    "getcpu",
    // time, timers, signals
    "clock_gettime",
    "clock_getres",
    "clock_nanosleep",
    "nanosleep",
    "gettimeofday",
    "time",
    "alarm",
    "setitimer",
    "getitimer",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigsuspend",
    "sigaltstack",
    "restart_syscall",
    // waiting
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "eventfd2",
    "pipe",
    "pipe2",
    // sockets (socket and socketpair themselves are below, by family)
    "connect",
    "bind",
    "getsockname",
    "getpeername",
    "setsockopt",
    "getsockopt",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "sendmmsg",
    "recvmmsg",
    "shutdown",
    // the process itself
    "exit",
    "exit_group",
    "wait4",
    "waitid",
    "getpid",
    "gettid",
    "getppid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "getpgrp",
    "getpgid",
    "getsid",
    "getrlimit",
    "getrusage",
    "times",
    "uname",
    "sysinfo",
    "getrandom",
};
// clang-format on

// No code path of the helper makes these; each is what an attacker who
// runs code in it would reach for next. SIGSYS, no second chance.
const char* const kKilled[] = {
    "execve",
    "execveat",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "bpf",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "keyctl",
    "add_key",
    "request_key",
    "personality",
    "unshare",
    "setns",
    "userfaultfd",
    "perf_event_open",
    "open_by_handle_at",
    "name_to_handle_at",
    "pidfd_getfd",
    "kcmp",
    "iopl",
    "ioperm",
    "modify_ldt",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "quotactl",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "setfsuid",
    "setfsgid",
    "capset",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "uselib",
    "vhangup",
};

// The sanitizer runtime (ASan/UBSan/LeakSanitizer) at exit: LeakSanitizer
// forks a tracer (clone without CLONE_THREAD) that ptraces the threads,
// after making the process dumpable again (prctl), and kills it afterwards.
// Only in sanitizer builds; released builds never allow these.
const char* const kSanitizerOnly[] = {"ptrace", "clone", "prctl",  "kill",
                                      "tgkill", "tkill", "mincore"};

// SCMP_A0() and friends leave datum_b out, which clang's
// -Wmissing-field-initializers rejects.
scmp_arg_cmp Arg(unsigned arg, scmp_datum_t value) {
  scmp_arg_cmp c;
  c.arg = arg;
  c.op = SCMP_CMP_EQ;
  c.datum_a = value;
  c.datum_b = 0;
  return c;
}
scmp_arg_cmp ArgMasked(unsigned arg, scmp_datum_t mask, scmp_datum_t value) {
  scmp_arg_cmp c;
  c.arg = arg;
  c.op = SCMP_CMP_MASKED_EQ;
  c.datum_a = mask;
  c.datum_b = value;
  return c;
}

bool InList(const char* const* list, size_t n, const std::string& name) {
  for (size_t i = 0; i < n; ++i)
    if (name == list[i]) return true;
  return false;
}

bool SanitizerOnly(const std::string& name) {
  return kSanitizer &&
         InList(kSanitizerOnly,
                sizeof(kSanitizerOnly) / sizeof(*kSanitizerOnly), name);
}

class Filter {
 public:
  Filter() : ctx_(seccomp_init(SCMP_ACT_ERRNO(EPERM))) {}
  ~Filter() {
    if (ctx_) seccomp_release(ctx_);
  }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  bool ok() const { return ctx_ != nullptr && error_.empty(); }
  const std::string& error() const { return error_; }
  scmp_filter_ctx ctx() { return ctx_; }

  // A name this architecture does not have is skipped (open on arm64).
  void Add(uint32_t action, const char* name, unsigned n = 0,
           const scmp_arg_cmp* cmp = nullptr) {
    if (!ctx_ || !error_.empty()) return;
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR || nr < 0) return;
    int r = seccomp_rule_add_array(ctx_, action, nr, n, cmp);
    if (r != 0 && r != -EDOM)
      error_ = std::string("seccomp rule for ") + name + ": " + strerror(-r);
  }
  void AddIf(uint32_t action, const char* name,
             std::initializer_list<scmp_arg_cmp> cmps) {
    std::vector<scmp_arg_cmp> v(cmps);
    Add(action, name, static_cast<unsigned>(v.size()), v.data());
  }

 private:
  scmp_filter_ctx ctx_;
  std::string error_;
};

void AddRules(Filter* f) {
  const uint32_t allow = SCMP_ACT_ALLOW;
  for (const char* name : kAllowed) f->Add(allow, name);
  for (const char* name : kKilled)
    if (!SanitizerOnly(name)) f->Add(SCMP_ACT_KILL_PROCESS, name);
  if (kSanitizer) {
    for (const char* name : kSanitizerOnly) f->Add(allow, name);
  } else {
    // Threads (libcurl's resolver), never a new process: fork and vfork
    // get EPERM. clone3 hides its flags in memory, so it answers ENOSYS
    // and glibc falls back to clone.
    f->AddIf(allow, "clone", {ArgMasked(0, CLONE_THREAD, CLONE_THREAD)});
    // Signals to itself only (abort, raise).
    const scmp_datum_t self = static_cast<scmp_datum_t>(getpid());
    f->AddIf(allow, "kill", {Arg(0, self)});
    f->AddIf(allow, "tgkill", {Arg(0, self)});
    for (int op : {PR_GET_NAME, PR_SET_NAME, PR_GET_DUMPABLE})
      f->AddIf(allow, "prctl", {Arg(0, static_cast<scmp_datum_t>(op))});
  }
  f->Add(SCMP_ACT_ERRNO(ENOSYS), "clone3");
  // Reading limits, never setting them.
  f->AddIf(allow, "prlimit64", {Arg(2, 0)});
  // Sockets: local (the module's socketpair, nscd), IPv4/IPv6 stream and
  // datagram (HTTPS, SMTP, DNS), and route netlink (getaddrinfo's
  // AI_ADDRCONFIG). No raw or packet sockets, no other family.
  f->AddIf(allow, "socket", {Arg(0, AF_UNIX)});
  f->AddIf(allow, "socketpair", {Arg(0, AF_UNIX)});
  for (int family : {AF_INET, AF_INET6}) {
    for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
      f->AddIf(allow, "socket",
               {Arg(0, static_cast<scmp_datum_t>(family)),
                ArgMasked(1, 0xf, static_cast<scmp_datum_t>(type))});
    }
  }
  f->AddIf(allow, "socket", {Arg(0, AF_NETLINK), Arg(2, NETLINK_ROUTE)});
  // ioctl: bytes readable, non-blocking, "is it a terminal".
  for (unsigned long req : {FIONREAD, FIONBIO, TCGETS, TIOCGWINSZ})
    f->AddIf(allow, "ioctl", {Arg(1, static_cast<scmp_datum_t>(req))});
}

}  // namespace

bool SeccompSanitizerBuild() { return kSanitizer; }

const std::vector<const char*>& SeccompKilledCalls() {
  static const std::vector<const char*> list = [] {
    std::vector<const char*> v;
    for (const char* name : kKilled)
      if (!SanitizerOnly(name) && seccomp_syscall_resolve_name(name) >= 0)
        v.push_back(name);
    return v;
  }();
  return list;
}

bool InstallSeccompFilter(std::string* err) {
  Filter f;
  if (!f.ctx()) {
    *err = "seccomp: cannot initialise the filter";
    return false;
  }
  AddRules(&f);
  if (!f.ok()) {
    *err = f.error();
    return false;
  }
  // Another architecture's calls (i386, x32 on x86_64): kill. Every thread
  // gets the filter. NO_NEW_PRIVS was set by DropPrivileges already.
  int r =
      seccomp_attr_set(f.ctx(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (r == 0) r = seccomp_attr_set(f.ctx(), SCMP_FLTATR_CTL_TSYNC, 1);
  if (r == 0) r = seccomp_attr_set(f.ctx(), SCMP_FLTATR_CTL_NNP, 0);
  // Kills reach the kernel's audit log (type 1326) by default; refusals are
  // not logged (SCMP_FLTATR_CTL_LOG would log clone3's ENOSYS at every
  // thread libcurl starts).
  if (r == 0) r = seccomp_load(f.ctx());
  if (r != 0) {
    *err = std::string("seccomp: cannot install the filter: ") + strerror(-r);
    return false;
  }
  return true;
}

}  // namespace sspr
