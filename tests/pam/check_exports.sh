#!/bin/sh
# pam_sspr.so exports only pam_sm_* and links no network/parsing library.
set -eu
so="$1"
exports=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TWDBV]$/ {print $3}' | sort)
echo "exports: $exports"
bad=$(echo "$exports" | grep -v '^pam_sm_' || true)
if [ -n "$bad" ]; then
  echo "FAIL: unexpected exported symbols:"; echo "$bad"; exit 1
fi
for f in pam_sm_acct_mgmt pam_sm_authenticate pam_sm_setcred; do
  echo "$exports" | grep -qx "$f" || { echo "FAIL: $f missing"; exit 1; }
done
[ "$(echo "$exports" | wc -l)" -eq 3 ] || { echo "FAIL: expected exactly 3 exports"; exit 1; }
libs=$(ldd "$so")
echo "$libs"
if echo "$libs" | grep -Ei 'curl|json|phonenumber|protobuf|icu|absl|ssl|crypto|seccomp'; then
  echo "FAIL: the module links a library that belongs in the helper"; exit 1
fi
# Only libc and libpam (and what libpam itself needs): no C++ runtime.
needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort)
echo "needed: $needed"
bad=$(echo "$needed" | grep -vxE 'libc\.so\.6|libpam\.so\.0|ld-linux[-a-z0-9_.]*\.so\.[0-9]' || true)
if [ -n "$bad" ] && ! nm -D "$so" | grep -q ' U __asan_init'; then
  echo "FAIL: the module needs more than libc and libpam:"; echo "$bad"; exit 1
fi
# The C++ runtime linked in stays small: no iostreams or locales, and no
# demangler (libstdc++'s verbose terminate handler). Only when the symbol
# table is there (not in a stripped copy).
if nm "$so" >/dev/null 2>&1 && [ -n "$(nm "$so" 2>/dev/null | head -n 1)" ]; then
  heavy=$(nm -C "$so" | grep -E 'std::locale|std::ios_base|basic_ostream|basic_istream|__cxa_demangle|cplus_demangle' || true)
  if [ -n "$heavy" ]; then
    echo "FAIL: iostream, locale or demangler code in the module:"; echo "$heavy" | head; exit 1
  fi
fi
echo "PASS: exports and links"
