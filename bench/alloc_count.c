/* alloc_count.so: counts heap allocations between two calls, for
 * pam_bench --mode allocs (bench/run-bench) and tests/pam/test_allocations.py.
 *
 *   LD_PRELOAD=alloc_count.so pam_bench --mode allocs ...
 *
 * It stands in front of glibc's malloc, calloc, realloc, reallocarray,
 * posix_memalign, aligned_alloc, memalign, valloc and pvalloc, counts each
 * call made by the thread that switched counting on, and hands the call to
 * glibc (__libc_malloc and friends; free is not counted and passes
 * through). pam_bench finds sspr_alloc_count_begin/_end with dlsym and
 * calls them right around pam_acct_mgmt. This replaces nothing: every
 * allocation still happens, it is only counted.
 *
 * SSPR_ALLOC_TRACE=1 also writes, for each counted allocation, its size and
 * a raw backtrace (backtrace_symbols_fd: module+offset, for addr2line) to
 * stderr: where each one comes from. Test and bench tree only; never
 * installed. */
#define _GNU_SOURCE
#include <execinfo.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);
extern void* __libc_valloc(size_t);
extern void* __libc_pvalloc(size_t);

static __thread int counting; /* this thread counts */
static __thread int inside;   /* tracing: not our own calls */
static __thread long count;

#define EXPORT __attribute__((visibility("default")))

EXPORT void sspr_alloc_count_begin(void) {
  count = 0;
  counting = 1;
}

/* The allocations since begin. */
EXPORT long sspr_alloc_count_end(void) {
  counting = 0;
  return count;
}

static void Note(const char* fn, size_t size) {
  if (!counting || inside) return;
  ++count;
  static int trace = -1;
  if (trace < 0) {
    const char* t = getenv("SSPR_ALLOC_TRACE");
    trace = t != NULL && t[0] == '1';
  }
  if (!trace) return;
  inside = 1;
  char line[96];
  int n = snprintf(line, sizeof(line), "alloc #%ld %s(%zu)\n", count, fn, size);
  if (n > 0) (void)!write(2, line, (size_t)n);
  void* frames[24];
  int depth = backtrace(frames, 24);
  backtrace_symbols_fd(frames, depth, 2);
  inside = 0;
}

EXPORT void* malloc(size_t n) {
  Note("malloc", n);
  return __libc_malloc(n);
}

EXPORT void* calloc(size_t k, size_t n) {
  Note("calloc", k * n);
  return __libc_calloc(k, n);
}

EXPORT void* realloc(void* p, size_t n) {
  Note("realloc", n);
  return __libc_realloc(p, n);
}

EXPORT void* reallocarray(void* p, size_t k, size_t n) {
  if (n != 0 && k > (size_t)-1 / n) return NULL;
  Note("reallocarray", k * n);
  return __libc_realloc(p, k * n);
}

EXPORT int posix_memalign(void** out, size_t align, size_t n) {
  Note("posix_memalign", n);
  void* p = __libc_memalign(align, n);
  if (p == NULL) return 12; /* ENOMEM */
  *out = p;
  return 0;
}

EXPORT void* aligned_alloc(size_t align, size_t n) {
  Note("aligned_alloc", n);
  return __libc_memalign(align, n);
}

EXPORT void* memalign(size_t align, size_t n) {
  Note("memalign", n);
  return __libc_memalign(align, n);
}

EXPORT void* valloc(size_t n) {
  Note("valloc", n);
  return __libc_valloc(n);
}

EXPORT void* pvalloc(size_t n) {
  Note("pvalloc", n);
  return __libc_pvalloc(n);
}
