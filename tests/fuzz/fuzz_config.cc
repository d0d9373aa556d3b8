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

#include "common/text.h"
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

// Every field of Config (add new ones here).
bool Equal(const sspr::Config& a, const sspr::Config& b) {
#define SAME(f) (a.f == b.f)
  return SAME(backend) && SAME(mode) && SAME(methods) &&
         SAME(methods_required) && SAME(questions_required) &&
         SAME(questions_file) && SAME(email_delivery) && SAME(reconfirm_days) &&
         SAME(snooze_max) && SAME(snooze_interval) && SAME(grace_until) &&
         SAME(default_region) && SAME(failmode) && SAME(groups) &&
         SAME(exempt_users) && SAME(exempt_groups) && SAME(state_dir) &&
         SAME(cache_dir) && SAME(cache_ttl) && SAME(helper_timeout) &&
         SAME(dialogue_timeout) && SAME(request_timeout) && SAME(code_length) &&
         SAME(code_ttl) && SAME(max_attempts) && SAME(max_input_attempts) &&
         SAME(resend_cooldown) && SAME(rate_limit) && SAME(rate_window) &&
         SAME(rate_lockout) && SAME(rate_user_limit) &&
         SAME(rate_number_limit) && SAME(delivery) && SAME(delivery_timeout) &&
         SAME(helper_user) && SAME(secrets_file) && SAME(enroll_url) &&
         SAME(conf) && SAME(helper) && SAME(debug) && SAME(only_services) &&
         SAME(skip_services) && SAME(skip_rhosts) && SAME(show_qr) &&
         SAME(stale_ttl) && SAME(cafile) && SAME(pinned_pubkey) &&
         SAME(directory_user) && SAME(rest_url) && SAME(graph_tenant) &&
         SAME(graph_client_id) && SAME(graph_login_url) && SAME(graph_url) &&
         SAME(graph_status) && SAME(graph_write) && SAME(okta_url);
#undef SAME
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
  const bool file_ok =
      sspr::LoadConfigFile(g_path, /*check_perms=*/false,
                           /*must_exist=*/true, &from_file, &err);
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
      // The file's own comment rule ("value  # note"); arguments have none.
      std::string line = sspr::Trim(sspr::StripComment(raw));
      if (line.empty()) continue;
      size_t eq = line.find('=');
      if (eq == std::string::npos) Fail("the file accepted a line without '='");
      args.push_back(sspr::Trim(line.substr(0, eq)) + "=" +
                     sspr::Trim(line.substr(eq + 1)));
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
