#!/bin/sh
# Lints every man page (man/*.[1-8]) with `man --warnings` (groff's -ww
# through man-db): any warning, or a page man cannot format, fails.
# Usage: check_man.sh [MAN_DIR]   (default: the man/ next to tests/)
set -u
dir=${1:-$(dirname "$0")/../man}
if ! command -v man >/dev/null 2>&1 || ! command -v groff >/dev/null 2>&1
then
  echo "SKIP: man (man-db) or groff is missing (scripts/install-deps)"
  exit 77
fi
fail=0 n=0
for page in "$dir"/*.[1-8]; do
  [ -e "$page" ] || continue
  n=$((n + 1))
  # Warnings go to stderr; the formatted page is not needed. A fixed
  # width and locale make the result the same on every terminal.
  out=$(LC_ALL=C.UTF-8 MANWIDTH=80 MANROFFSEQ= \
        man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  rc=$?
  if [ $rc -ne 0 ] || [ -n "$out" ]; then
    echo "FAIL: $page (exit $rc):"
    printf '%s\n' "$out"
    fail=1
  else
    echo "ok: $page"
  fi
done
if [ $n -eq 0 ]; then
  echo "FAIL: no man pages in $dir"
  exit 1
fi
exit $fail
