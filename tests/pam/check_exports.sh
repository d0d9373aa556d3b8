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
echo "$exports" | grep -qx pam_sm_acct_mgmt || { echo "FAIL: pam_sm_acct_mgmt missing"; exit 1; }
libs=$(ldd "$so")
echo "$libs"
if echo "$libs" | grep -Ei 'curl|json|phonenumber|protobuf|icu|absl|ssl|crypto|seccomp'; then
  echo "FAIL: the module links a library that belongs in the helper"; exit 1
fi
echo "PASS: exports and links"
