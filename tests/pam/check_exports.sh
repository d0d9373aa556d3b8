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
echo "PASS: exports and links"
