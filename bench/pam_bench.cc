// This file is long because it is one self-contained benchmark program
// (options, stacks, interleaving, statistics).
// pam_bench: times PAM account stacks through real libpam.
//
//   pam_bench --confdir DIR --service NAME[,NAME...] --user USER [options]
//
//   --iterations N      timed iterations per service and case (default 2000)
//   --warmup N          untimed iterations before them (default 50)
//   --mode M            acct | login | first | both (acct + login, the
//                       default) | all | allocs (not timed, see below)
//   --expect CODE       the PAM code every call must return (default 0,
//                       PAM_SUCCESS); anything else aborts the run
//   --rusage-children   at the end, print the peak RSS of the children
//                       reaped so far (getrusage(RUSAGE_CHILDREN)); with
//                       pam_sspr on its cold path, the only child is the
//                       helper the module spawns
//
// Cases:
//   acct   pam_acct_mgmt only, on one handle per service opened once
//          (pam_start_confdir before the loop, pam_end after it)
//   login  a whole login: pam_start_confdir, pam_acct_mgmt, pam_end
//   first  the same whole login, each one the first in a freshly exec'd
//          process (this program re-run with --once), like sshd's
//          per-connection child: every module and the libraries it needs
//          are loaded from scratch. The time is taken inside that process,
//          from pam_start_confdir to pam_end; process start-up is excluded.
//          Built with -static-libstdc++ (bench/CMakeLists.txt), this program
//          does not preload libstdc++.so, so a C++ module pays for loading
//          it there, as it does in a C application such as sshd.
//   allocs heap allocations inside pam_acct_mgmt, counted (not timed) by
//          bench/alloc_count.so, which must be in LD_PRELOAD: once per
//          whole login (a fresh handle, so the module is loaded anew), and
//          once per call on one handle. One line per service:
//            allocs service=NAME n=N login_min=A login_max=B acct_min=C
//            acct_max=D   (on one line)
//          and one for what glibc allocates in one getpwnam_r of --user
//          (with a 4 KiB buffer, as the module's scope check asks), which
//          a module that looks the user up cannot avoid:
//            allocs nss_lookup min=E max=F
//
// With several services, each iteration runs every service in turn, so a
// change in machine load during the run hits them all alike and their
// ratios stay meaningful; the service that goes first rotates from one
// iteration to the next, so no service always runs right after another.
//
// Each iteration is timed with clock_gettime(CLOCK_MONOTONIC). Output, one
// line per case and service, easy to parse from sh:
//   acct service=NAME n=2000 median_us=1.9 p90_us=2.3 p99_us=4.2 mean_us=2.1
//   min_us=1.7 max_us=40.3   (on one line)
// Exit status: 0 on success, 1 when a call returned an unexpected code or
// the stack used the conversation, 2 on a usage or set-up error. It never
// judges the figures.
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string confdir, user;
  std::vector<std::string> services;
  long iterations = 2000;
  long warmup = 50;
  bool acct = true, login = true, first = false;
  bool allocs = false;  // --mode allocs: count, do not time
  bool once = false;    // internal: one timed login, for --mode first
  int expect = PAM_SUCCESS;
  bool rusage_children = false;
};

using Samples = std::vector<std::vector<int64_t>>;  // per service

// Counts conversation calls: the measured paths must not prompt, so any call
// means the set-up is wrong (e.g. the user is not registered after all).
long g_conv_calls = 0;

int NullConv(int, const struct pam_message**, struct pam_response**, void*) {
  ++g_conv_calls;
  return PAM_CONV_ERR;
}

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

bool ParseLong(const char* s, long min, long max, long* out) {
  char* end = nullptr;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
    return false;
  *out = v;
  return true;
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = s.find(',', start);
    std::string part = s.substr(start, comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

void Usage() {
  fprintf(stderr,
          "usage: pam_bench --confdir DIR --service NAME[,NAME...] "
          "--user USER\n"
          "                 [--iterations N] [--warmup N] "
          "[--mode acct|login|first|both|all|allocs]\n"
          "                 [--expect CODE] [--rusage-children]\n");
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = nullptr;
    bool takes_value = a == "--confdir" || a == "--service" || a == "--user" ||
                       a == "--iterations" || a == "--warmup" ||
                       a == "--mode" || a == "--expect";
    if (takes_value) {
      if (i + 1 >= argc) {
        fprintf(stderr, "pam_bench: %s needs a value\n", a.c_str());
        return false;
      }
      v = argv[++i];
    }
    long n = 0;
    if (a == "--confdir") {
      o->confdir = v;
    } else if (a == "--service") {
      o->services = SplitCommas(v);
    } else if (a == "--user") {
      o->user = v;
    } else if (a == "--iterations") {
      if (!ParseLong(v, 1, 100000000, &o->iterations)) {
        fprintf(stderr, "pam_bench: bad --iterations '%s'\n", v);
        return false;
      }
    } else if (a == "--warmup") {
      if (!ParseLong(v, 0, 100000000, &o->warmup)) {
        fprintf(stderr, "pam_bench: bad --warmup '%s'\n", v);
        return false;
      }
    } else if (a == "--mode") {
      std::string m = v;
      if (m != "acct" && m != "login" && m != "first" && m != "both" &&
          m != "all" && m != "allocs") {
        fprintf(stderr, "pam_bench: bad --mode '%s'\n", v);
        return false;
      }
      o->acct = m == "acct" || m == "both" || m == "all";
      o->login = m == "login" || m == "both" || m == "all";
      o->first = m == "first" || m == "all";
      o->allocs = m == "allocs";
    } else if (a == "--expect") {
      if (!ParseLong(v, 0, 255, &n)) {
        fprintf(stderr, "pam_bench: bad --expect '%s'\n", v);
        return false;
      }
      o->expect = static_cast<int>(n);
    } else if (a == "--rusage-children") {
      o->rusage_children = true;
    } else if (a == "--once") {
      o->once = true;
    } else {
      fprintf(stderr, "pam_bench: unknown argument '%s'\n", a.c_str());
      return false;
    }
  }
  if (o->confdir.empty() || o->services.empty() || o->user.empty()) {
    fprintf(stderr,
            "pam_bench: --confdir, --service and --user are required\n");
    return false;
  }
  if (o->once && o->services.size() != 1) {
    fprintf(stderr, "pam_bench: --once takes one service\n");
    return false;
  }
  return true;
}

// Nearest-rank percentile of sorted samples, p in (0, 100].
double Percentile(const std::vector<int64_t>& sorted, double p) {
  size_t rank = static_cast<size_t>(
      std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  if (rank < 1) rank = 1;
  if (rank > sorted.size()) rank = sorted.size();
  return static_cast<double>(sorted[rank - 1]);
}

void Report(const char* mode, const std::string& service,
            std::vector<int64_t> ns) {
  std::sort(ns.begin(), ns.end());
  double sum = 0;
  for (int64_t v : ns) sum += static_cast<double>(v);
  size_t n = ns.size();
  double median = n % 2 ? static_cast<double>(ns[n / 2])
                        : (static_cast<double>(ns[n / 2 - 1]) +
                           static_cast<double>(ns[n / 2])) /
                              2.0;
  printf(
      "%s service=%s n=%zu median_us=%.1f p90_us=%.1f p99_us=%.1f "
      "mean_us=%.1f min_us=%.1f max_us=%.1f\n",
      mode, service.c_str(), n, median / 1000.0, Percentile(ns, 90.0) / 1000.0,
      Percentile(ns, 99.0) / 1000.0, sum / static_cast<double>(n) / 1000.0,
      static_cast<double>(ns.front()) / 1000.0,
      static_cast<double>(ns.back()) / 1000.0);
  fflush(stdout);
}

void ReportAll(const char* mode, const Options& o, const Samples& s) {
  for (size_t k = 0; k < o.services.size(); ++k)
    Report(mode, o.services[k], s[k]);
}

bool Check(const Options& o, const std::string& service, int r) {
  if (r == o.expect) return true;
  fprintf(stderr, "pam_bench: %s: pam_acct_mgmt returned %d, expected %d\n",
          service.c_str(), r, o.expect);
  return false;
}

// (i) pam_acct_mgmt only, on one handle per service opened once.
int RunAcct(const Options& o, const struct pam_conv* conv) {
  size_t ns = o.services.size();
  std::vector<pam_handle_t*> handles(ns, nullptr);
  int status = 0;
  for (size_t k = 0; k < ns && status == 0; ++k) {
    int r = pam_start_confdir(o.services[k].c_str(), o.user.c_str(), conv,
                              o.confdir.c_str(), &handles[k]);
    if (r != PAM_SUCCESS) {
      fprintf(stderr, "pam_bench: %s: pam_start_confdir: %d\n",
              o.services[k].c_str(), r);
      status = 2;
    }
  }
  Samples samples(ns);
  for (long i = 0; status == 0 && i < o.warmup + o.iterations; ++i) {
    for (size_t j = 0; j < ns; ++j) {
      const size_t k = (static_cast<size_t>(i) + j) % ns;
      int64_t t0 = NowNs();
      int r = pam_acct_mgmt(handles[k], 0);
      int64_t t1 = NowNs();
      if (!Check(o, o.services[k], r)) {
        status = 1;
        break;
      }
      if (i >= o.warmup) samples[k].push_back(t1 - t0);
    }
  }
  for (pam_handle_t* h : handles) {
    if (h != nullptr) pam_end(h, PAM_SUCCESS);
  }
  if (status == 0) ReportAll("acct", o, samples);
  return status;
}

// One whole login: pam_start_confdir .. pam_acct_mgmt .. pam_end. Returns
// 0 and sets *ns, or the exit status for main.
int OneLogin(const Options& o, const std::string& service,
             const struct pam_conv* conv, int64_t* ns) {
  int64_t t0 = NowNs();
  pam_handle_t* pamh = nullptr;
  int r = pam_start_confdir(service.c_str(), o.user.c_str(), conv,
                            o.confdir.c_str(), &pamh);
  if (r != PAM_SUCCESS) {
    fprintf(stderr, "pam_bench: %s: pam_start_confdir: %d\n", service.c_str(),
            r);
    return 2;
  }
  r = pam_acct_mgmt(pamh, 0);
  int end = pam_end(pamh, r);
  *ns = NowNs() - t0;
  if (!Check(o, service, r)) return 1;
  if (end != PAM_SUCCESS) {
    fprintf(stderr, "pam_bench: %s: pam_end: %d\n", service.c_str(), end);
    return 1;
  }
  return 0;
}

// (ii) whole logins, one after another in this process.
int RunLogin(const Options& o, const struct pam_conv* conv) {
  Samples samples(o.services.size());
  for (long i = 0; i < o.warmup + o.iterations; ++i) {
    for (size_t j = 0; j < o.services.size(); ++j) {
      const size_t k = (static_cast<size_t>(i) + j) % o.services.size();
      int64_t ns = 0;
      int status = OneLogin(o, o.services[k], conv, &ns);
      if (status != 0) return status;
      if (i >= o.warmup) samples[k].push_back(ns);
    }
  }
  ReportAll("login", o, samples);
  return 0;
}

// One whole login in a fresh process: this program, exec'd with --once,
// prints "once_ns=N" on a pipe. Returns 0 and sets *ns, or an exit status.
int FreshLogin(const std::vector<const char*>& argv, int64_t* ns) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    perror("pam_bench: pipe2");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("pam_bench: fork");
    close(p[0]);
    close(p[1]);
    return 2;
  }
  if (pid == 0) {
    if (dup2(p[1], 1) < 0) _exit(127);
    execv("/proc/self/exe", const_cast<char* const*>(argv.data()));
    _exit(127);
  }
  close(p[1]);
  std::string out;
  char buf[256];
  for (;;) {
    ssize_t n = read(p[0], buf, sizeof(buf));
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(p[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) {
      perror("pam_bench: waitpid");
      return 2;
    }
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "pam_bench: the --once child failed (status 0x%x)\n", st);
    return WIFEXITED(st) && WEXITSTATUS(st) == 1 ? 1 : 2;
  }
  long long v = 0;
  if (sscanf(out.c_str(), "once_ns=%lld", &v) != 1 || v < 0) {
    fprintf(stderr, "pam_bench: unexpected --once output '%s'\n", out.c_str());
    return 2;
  }
  *ns = v;
  return 0;
}

// (iii) whole logins, each the first in a freshly exec'd process.
int RunFirst(const Options& o) {
  std::string expect = std::to_string(o.expect);
  std::vector<std::vector<const char*>> argvs;
  for (const std::string& s : o.services) {
    argvs.push_back({"pam_bench", "--once", "--confdir", o.confdir.c_str(),
                     "--service", s.c_str(), "--user", o.user.c_str(),
                     "--expect", expect.c_str(), nullptr});
  }
  Samples samples(o.services.size());
  for (long i = 0; i < o.warmup + o.iterations; ++i) {
    for (size_t j = 0; j < o.services.size(); ++j) {
      const size_t k = (static_cast<size_t>(i) + j) % o.services.size();
      int64_t ns = 0;
      int status = FreshLogin(argvs[k], &ns);
      if (status != 0) return status;
      if (i >= o.warmup) samples[k].push_back(ns);
    }
  }
  ReportAll("first", o, samples);
  return 0;
}

// (iv) heap allocations inside pam_acct_mgmt (bench/alloc_count.so).
int RunAllocs(const Options& o, const struct pam_conv* conv) {
  using Begin = void (*)();
  using End = long (*)();
  auto begin =
      reinterpret_cast<Begin>(dlsym(RTLD_DEFAULT, "sspr_alloc_count_begin"));
  auto end = reinterpret_cast<End>(dlsym(RTLD_DEFAULT, "sspr_alloc_count_end"));
  if (begin == nullptr || end == nullptr) {
    fprintf(stderr,
            "pam_bench: --mode allocs needs LD_PRELOAD=.../alloc_count.so\n");
    return 2;
  }
  const size_t ns = o.services.size();
  std::vector<long> login_min(ns, -1), login_max(ns, 0), acct_min(ns, -1),
      acct_max(ns, 0);
  auto note = [](long v, long* lo, long* hi) {
    if (*lo < 0 || v < *lo) *lo = v;
    if (v > *hi) *hi = v;
  };
  for (long i = 0; i < o.warmup + o.iterations; ++i) {
    for (size_t k = 0; k < ns; ++k) {
      // A whole login: the module is loaded by pam_start_confdir and
      // unloaded by pam_end; only pam_acct_mgmt is counted.
      pam_handle_t* pamh = nullptr;
      int r = pam_start_confdir(o.services[k].c_str(), o.user.c_str(), conv,
                                o.confdir.c_str(), &pamh);
      if (r != PAM_SUCCESS) {
        fprintf(stderr, "pam_bench: %s: pam_start_confdir: %d\n",
                o.services[k].c_str(), r);
        return 2;
      }
      begin();
      r = pam_acct_mgmt(pamh, 0);
      const long first = end();
      // The same handle again: the module stays loaded.
      begin();
      const int r2 = pam_acct_mgmt(pamh, 0);
      const long again = end();
      pam_end(pamh, r);
      if (!Check(o, o.services[k], r) || !Check(o, o.services[k], r2)) return 1;
      if (i < o.warmup) continue;
      note(first, &login_min[k], &login_max[k]);
      note(again, &acct_min[k], &acct_max[k]);
    }
  }
  for (size_t k = 0; k < ns; ++k)
    printf(
        "allocs service=%s n=%ld login_min=%ld login_max=%ld acct_min=%ld "
        "acct_max=%ld\n",
        o.services[k].c_str(), o.iterations, login_min[k], login_max[k],
        acct_min[k], acct_max[k]);
  // glibc reads nsswitch.conf and loads its NSS modules at the first
  // lookup of a process: one untimed lookup first, as a login has had.
  long nss_min = -1, nss_max = 0;
  for (long i = -1; i < o.iterations; ++i) {
    struct passwd pw, *pwp = nullptr;
    char buf[4096];
    begin();
    getpwnam_r(o.user.c_str(), &pw, buf, sizeof(buf), &pwp);
    const long n = end();
    if (i >= 0) note(n, &nss_min, &nss_max);
  }
  printf("allocs nss_lookup min=%ld max=%ld\n", nss_min, nss_max);
  fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    Usage();
    return 2;
  }
  struct pam_conv conv = {NullConv, nullptr};
  int status = 0;
  if (o.once) {
    int64_t ns = 0;
    status = OneLogin(o, o.services[0], &conv, &ns);
    if (status == 0 && g_conv_calls == 0) {
      printf("once_ns=%lld\n", static_cast<long long>(ns));
      return 0;
    }
  } else if (o.allocs) {
    status = RunAllocs(o, &conv);
  } else {
    if (o.acct) status = RunAcct(o, &conv);
    if (status == 0 && o.login) status = RunLogin(o, &conv);
    if (status == 0 && o.first) status = RunFirst(o);
  }
  if (g_conv_calls > 0) {
    fprintf(stderr,
            "pam_bench: the stack called the conversation %ld time(s); the "
            "measured path is not the one intended\n",
            g_conv_calls);
    if (status == 0) status = 1;
  }
  if (o.rusage_children) {
    struct rusage self, kids;
    if (getrusage(RUSAGE_SELF, &self) != 0 ||
        getrusage(RUSAGE_CHILDREN, &kids) != 0) {
      perror("pam_bench: getrusage");
      return 2;
    }
    // ru_maxrss is in KiB on Linux.
    printf("rusage children_maxrss_kib=%ld self_maxrss_kib=%ld\n",
           kids.ru_maxrss, self.ru_maxrss);
  }
  return status;
}
