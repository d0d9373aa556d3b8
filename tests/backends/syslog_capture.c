/* LD_PRELOAD'ed into the PAM test driver: syslog lines (pam_syslog's)
 * are appended to $SSPR_SYSLOG_FILE, so tests can check what the module
 * logs without a syslog daemon. Test-only; never installed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/* An interposer: every format comes from the caller, by design. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

__attribute__((format(printf, 2, 0))) static void emit(int pri, const char *fmt,
                                                       va_list ap) {
  const char *path = getenv("SSPR_SYSLOG_FILE");
  if (path == NULL) return;
  char buf[4096];
  int n = snprintf(buf, sizeof(buf), "<%d> ", pri & LOG_PRIMASK);
  int m = vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
  size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
  if (len > sizeof(buf) - 2) len = sizeof(buf) - 2;
  buf[len++] = '\n';
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ssize_t w = write(fd, buf, len);
  (void)w;
  close(fd);
}

EXPORT void openlog(const char *ident, int option, int facility) {
  (void)ident;
  (void)option;
  (void)facility;
}
EXPORT void closelog(void) {}
EXPORT void vsyslog(int pri, const char *fmt, va_list ap) {
  emit(pri, fmt, ap);
}
EXPORT void syslog(int pri, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit(pri, fmt, ap);
  va_end(ap);
}
EXPORT void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap) {
  (void)flag;
  emit(pri, fmt, ap);
}
EXPORT void __syslog_chk(int pri, int flag, const char *fmt, ...) {
  (void)flag;
  va_list ap;
  va_start(ap, fmt);
  emit(pri, fmt, ap);
  va_end(ap);
}
