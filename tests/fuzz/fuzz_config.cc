// Fuzzes the config file reader, the module-argument setter and Validate.
//
// The input is written to one temp file (created once, rewritten per input)
// and read with LoadConfigFile(check_perms=false, must_exist=true); the same
// input split into lines goes to ApplyArgs. Both configs are validated.
// Oracles beyond the sanitizers:
//  - every failure has a message; file errors name the file;
//  - "one setter serves both": when the file loads, its key = value lines
//    given as module arguments (key=value) load too and give an equal
//    config.
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  fprintf(stderr, "fuzz_config: %s\n", what);
  abort();
}

std::string g_path;

void RemoveFile() {
  if (!g_path.empty()) unlink(g_path.c_str());
}

// The temp file, made once per process (on tmpfs when there is one).
int TempFile() {
  static int fd = -1;
  if (fd >= 0) return fd;
  const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string tmpl = std::string(base) + "/sspr-fuzz-config-XXXXXX";
  fd = mkstemp(&tmpl[0]);
  if (fd < 0) Fail("mkstemp failed");
  g_path = tmpl;
  atexit(RemoveFile);
  return fd;
}

void WriteAll(int fd, const uint8_t* data, size_t size) {
  if (ftruncate(fd, 0) != 0) Fail("ftruncate failed");
  size_t off = 0;
  while (off < size) {
    ssize_t n = pwrite(fd, data + off, size - off, static_cast<off_t>(off));
    if (n <= 0) Fail("pwrite failed");
    off += static_cast<size_t>(n);
  }
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool Equal(const sspr::Config& a, const sspr::Config& b) {
  return a.backend == b.backend && a.mode == b.mode &&
         a.methods == b.methods && a.methods_required == b.methods_required &&
         a.default_region == b.default_region && a.failmode == b.failmode &&
         a.groups == b.groups && a.exempt_users == b.exempt_users &&
         a.exempt_groups == b.exempt_groups && a.state_dir == b.state_dir &&
         a.cache_dir == b.cache_dir && a.cache_ttl == b.cache_ttl &&
         a.helper_timeout == b.helper_timeout &&
         a.dialogue_timeout == b.dialogue_timeout &&
         a.request_timeout == b.request_timeout &&
         a.code_length == b.code_length && a.code_ttl == b.code_ttl &&
         a.max_attempts == b.max_attempts &&
         a.max_input_attempts == b.max_input_attempts &&
         a.resend_cooldown == b.resend_cooldown &&
         a.rate_limit == b.rate_limit && a.rate_window == b.rate_window &&
         a.rate_lockout == b.rate_lockout && a.delivery == b.delivery &&
         a.delivery_timeout == b.delivery_timeout &&
         a.helper_user == b.helper_user &&
         a.secrets_file == b.secrets_file && a.enroll_url == b.enroll_url &&
         a.conf == b.conf && a.helper == b.helper && a.debug == b.debug;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = TempFile();
  WriteAll(fd, data, size);
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> lines = Lines(text);

  // The file.
  sspr::Config from_file;
  std::string err;
  const bool file_ok = sspr::LoadConfigFile(g_path, /*check_perms=*/false,
                                            /*must_exist=*/true, &from_file,
                                            &err);
  if (!file_ok && err.rfind(g_path + ":", 0) != 0)
    Fail("a file error does not start with the file name");
  if (file_ok) {
    std::string verr;
    if (!sspr::Validate(from_file, &verr) && verr.empty())
      Fail("Validate failed without a message");
    (void)sspr::ModeName(from_file.mode);
    (void)sspr::FailModeName(from_file.failmode);
  }

  // The same lines as module arguments.
  sspr::Config from_args;
  err.clear();
  if (sspr::ApplyArgs(lines, &from_args, &err)) {
    std::string verr;
    if (!sspr::Validate(from_args, &verr) && verr.empty())
      Fail("Validate failed without a message");
  } else if (err.empty()) {
    Fail("ApplyArgs failed without a message");
  }

  // One setter serves both: the file's settings, as arguments, agree.
  if (file_ok) {
    std::vector<std::string> args;
    for (const std::string& raw : lines) {
      std::string line = Trim(raw);
      if (line.empty() || line[0] == '#') continue;
      size_t eq = line.find('=');
      if (eq == std::string::npos) Fail("the file accepted a line without '='");
      args.push_back(Trim(line.substr(0, eq)) + "=" +
                     Trim(line.substr(eq + 1)));
    }
    sspr::Config again;
    err.clear();
    if (!sspr::ApplyArgs(args, &again, &err))
      Fail("file settings are refused as module arguments");
    if (!Equal(from_file, again))
      Fail("file settings and the same module arguments differ");
  }
  return 0;
}
