#!/bin/sh
# test_deb.sh: the Debian package, installed for real on this machine.
#
#   Builds libpam-sspr with tests/packaging/build-deb (or takes the .deb
#   from $SSPR_DEB, or from the path in $SSPR_DEB_PATH_FILE: ctest's
#   packaging.build_deb), installs it with dpkg -i, checks files, the _sspr user,
#   the directories and the pam-auth-update profile, runs a real
#   registration through the INSTALLED module and helper (the module
#   without helper=, so the helper path compiled into the package is the
#   one used), checks pamtester when it is installed, then removes the
#   package, installs it again (registrations and the profile's state
#   kept; a deleted state_dir is not re-created), purges it, checks what is
#   left, and installs and purges it once more (a first install again).
#
#   Run as root (ctest runs it with SSPR_PAMTEST set to the build's
#   sspr-pamtest driver). Exit 77 (skip) when not root, when the tools to
#   build a .deb are missing, or when this machine already has pam_sspr
#   installed (the test would purge it). The machine is left as it was
#   found, also on failure: the package is purged, the _sspr user and
#   group are deleted if the test created them, and packages that
#   "apt-get -f install" pulled in are purged again.
set -u

SRC=$(cd "$(dirname "$0")/../.." && pwd)
PKG=libpam-sspr
SERVICE=sspr-pkgtest
TUSER=sspr-pkgtest-user
OTHER=sspr-pkgtest-other
STATE_DIR=/var/lib/pam_sspr
CACHE_DIR=/var/cache/pam_sspr
CONF=/etc/security/pam_sspr.conf
HELPER=/usr/libexec/pam_sspr/sspr-helper
PROFILE=/usr/share/pam-configs/sspr
export DEBIAN_FRONTEND=noninteractive

skip() { echo "SKIP: test_deb.sh: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] ||
  skip "needs root (it installs and purges $PKG with dpkg)"
command -v dpkg >/dev/null 2>&1 || skip "not a Debian system (no dpkg)"
# The .deb ctest's packaging.build_deb built for this run, if it did.
if [ -z "${SSPR_DEB:-}" ] && [ -n "${SSPR_DEB_PATH_FILE:-}" ] &&
   [ -s "$SSPR_DEB_PATH_FILE" ]; then
  SSPR_DEB=$(cat "$SSPR_DEB_PATH_FILE")
fi
if [ -z "${SSPR_DEB:-}" ]; then
  command -v dpkg-buildpackage >/dev/null 2>&1 ||
    skip "dpkg-buildpackage is missing (apt-get install dpkg-dev debhelper)"
  command -v dh >/dev/null 2>&1 ||
    skip "dh is missing (apt-get install debhelper)"
fi
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
     gcc -print-multiarch 2>/dev/null)
[ -n "$MA" ] || skip "cannot tell the multiarch triplet"
MODULE=/usr/lib/$MA/security/pam_sspr.so

# Never touch an existing installation.
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -qv "not-installed"; then
  skip "$PKG is already installed or has config files left; the test would purge it"
fi
for p in "$CONF" "$MODULE" /usr/libexec/pam_sspr "$STATE_DIR" "$CACHE_DIR" \
         "$PROFILE"; do
  [ -e "$p" ] &&
    skip "$p exists (pam_sspr installed by 'make install'?); the test would remove it"
done
if grep -qs pam_sspr /etc/pam.d/common-account /etc/pam.d/common-auth; then
  skip "/etc/pam.d/common-* already names pam_sspr"
fi

PAMTEST=${SSPR_PAMTEST:-}
if [ -z "$PAMTEST" ] || [ ! -x "$PAMTEST" ]; then
  echo "FAIL: SSPR_PAMTEST must name the built sspr-pamtest driver (run via ctest)"
  exit 1
fi

# ---------------------------------------------------------------- state
WORK=$(mktemp -d /tmp/sspr-pkgtest.XXXXXX)
chmod 755 "$WORK"
PAMD_FILE=/etc/pam.d/$SERVICE-$$
USER_EXISTED=no
getent passwd _sspr >/dev/null && USER_EXISTED=yes
GROUP_EXISTED=no
getent group _sspr >/dev/null && GROUP_EXISTED=yes
installed_pkgs() {
  dpkg-query -W -f='${db:Status-Abbrev} ${binary:Package}\n' 2>/dev/null |
    awk '$1 == "ii" { print $2 }' | sort
}
installed_pkgs > "$WORK/pkgs.before"
# The PAM configuration that pam-auth-update manages, to compare after purge.
pam_state() {
  for f in /etc/pam.d/common-* /var/lib/pam/*; do
    [ -f "$f" ] && md5sum "$f"
  done
}
pam_state > "$WORK/pam.before"

# dpkg with a wait for its lock (apt may be running elsewhere), at most
# two minutes; output in $WORK/dpkg.log.
dpkg_wait() {
  tries=0
  while :; do
    dpkg "$@" >"$WORK/dpkg.log" 2>&1 && return 0
    grep -Eq "frontend lock|database is locked|locked by another" "$WORK/dpkg.log" &&
      [ "$tries" -lt 60 ] || return 1
    tries=$((tries + 1))
    sleep 2
  done
}
pkg_known() {  # installed, or config files left
  dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -qv "not-installed"
}

CLEANED=no
cleanup() {
  [ "$CLEANED" = yes ] && return 0
  CLEANED=yes
  if pkg_known && ! dpkg_wait --purge "$PKG"; then
    echo "cleanup: dpkg --purge $PKG failed:"
    cat "$WORK/dpkg.log"
  fi
  # Packages that apt-get -f install brought in for the .deb.
  if [ -f "$WORK/pkgs.added" ] && [ -s "$WORK/pkgs.added" ]; then
    # shellcheck disable=SC2046
    apt-get purge -y -q -o DPkg::Lock::Timeout=120 \
      $(cat "$WORK/pkgs.added") >/dev/null 2>&1 ||
      echo "cleanup: could not purge $(tr '\n' ' ' < "$WORK/pkgs.added")"
  fi
  # The user goes only with the package, never from under its files.
  if pkg_known; then
    echo "cleanup: $PKG is still known to dpkg; keeping the _sspr user"
  elif [ "$USER_EXISTED" = no ] && getent passwd _sspr >/dev/null; then
    userdel _sspr 2>/dev/null || echo "cleanup: userdel _sspr failed"
  fi
  if ! pkg_known && [ "$GROUP_EXISTED" = no ] && getent group _sspr >/dev/null; then
    groupdel _sspr 2>/dev/null || echo "cleanup: groupdel _sspr failed"
  fi
  rm -f "$PAMD_FILE"
  rm -rf "$WORK"
}
trap 'cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

PASS=0
FAILED=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $*"; }
check() {  # check "description" command...
  desc=$1
  shift
  if "$@" >/dev/null; then ok "$desc"; else not_ok "$desc"; fi
}
mode_of() { stat -c '%U:%G %a' "$1" 2>/dev/null; }
pkg_status() { dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null; }
finish() {
  cleanup
  # What the cleanup must have restored.
  if [ "$USER_EXISTED" = no ]; then
    if getent passwd _sspr >/dev/null; then
      not_ok "cleanup deleted the _sspr user the test created"
    else
      ok "cleanup deleted the _sspr user the test created"
    fi
  fi
  if [ -e "$PAMD_FILE" ] || [ -e "$WORK" ]; then
    not_ok "cleanup removed the test's files"
  else
    ok "cleanup removed the test's files"
  fi
  echo "$PASS passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
  exit $?
}

# ---------------------------------------------------------------- build
if [ -n "${SSPR_DEB:-}" ]; then
  DEB=$SSPR_DEB
  [ -f "$DEB" ] || { echo "FAIL: SSPR_DEB=$DEB does not exist"; exit 1; }
  echo "# using $DEB"
else
  echo "# building the .deb with tests/packaging/build-deb (a few minutes;" \
       "the log's end is shown if it fails)"
  if SSPR_NO_LINTIAN=1 sh "$SRC/tests/packaging/build-deb" "$WORK/deb" \
       >"$WORK/build.log" 2>&1; then
    DEB=$(tail -n 1 "$WORK/build.log")
    ok "build-deb built $(basename "$DEB")"
  else
    tail -n 40 "$WORK/build.log"
    not_ok "build-deb built the package"
    finish
  fi
fi

# ---------------------------------------------------------------- install
if dpkg_wait -i "$DEB"; then
  ok "dpkg -i installed the package"
else
  cp "$WORK/dpkg.log" "$WORK/install.log"
  echo "# dpkg -i needs dependencies; running apt-get -f install"
  apt-get -f install -y -q -o DPkg::Lock::Timeout=120 \
    >>"$WORK/install.log" 2>&1
  installed_pkgs > "$WORK/pkgs.after"
  comm -13 "$WORK/pkgs.before" "$WORK/pkgs.after" |
    grep -v "^$PKG\$" > "$WORK/pkgs.added"
  if pkg_status | grep -q "install ok installed"; then
    ok "dpkg -i + apt-get -f install installed the package" \
       "(pulled in: $(tr '\n' ' ' < "$WORK/pkgs.added"))"
  else
    cat "$WORK/install.log"
    not_ok "the package installed"
    finish
  fi
fi
check "package status is 'install ok installed'" \
  test "$(pkg_status)" = "install ok installed"

# ---------------------------------------------------------------- files
check "module at $MODULE" test -f "$MODULE"
check "helper at $HELPER, root:root 755" \
  test "$(mode_of "$HELPER")" = "root:root 755"
check "helper has no set-user-ID or set-group-ID bit" \
  sh -c "test ! -u '$HELPER' && test ! -g '$HELPER'"
check "module has the packaged helper path compiled in" \
  grep -aq "$HELPER" "$MODULE"
SETPASS=/usr/libexec/pam_sspr/sspr-setpass
check "sspr-setpass at $SETPASS, root:root 755" \
  test "$(mode_of "$SETPASS")" = "root:root 755"
check "sspr-setpass has no set-user-ID or set-group-ID bit" \
  sh -c "test ! -u '$SETPASS' && test ! -g '$SETPASS'"
check "module has the packaged sspr-setpass path compiled in" \
  grep -aq "$SETPASS" "$MODULE"
check "$CONF root:root 644" test "$(mode_of "$CONF")" = "root:root 644"
check "$CONF is a conffile" \
  sh -c "dpkg-query -W -f='\${Conffiles}' $PKG | grep -q ' $CONF '"
for m in man8/pam_sspr.8 man8/sspr-helper.8 man8/sspr-setpass.8 \
         man5/pam_sspr.conf.5; do
  check "man page $m" test -f "/usr/share/man/$m.gz"
done
check "README.Debian" test -f /usr/share/doc/$PKG/README.Debian.gz

# ---------------------------------------------------------------- user, dirs
check "_sspr user exists" getent passwd _sspr
# shellcheck disable=SC2317  # called through check
system_user() {  # uid below 1000, home /nonexistent, no login shell
  entry=$(getent passwd _sspr) || return 1
  uid=$(echo "$entry" | cut -d: -f3)
  home=$(echo "$entry" | cut -d: -f6)
  shell=$(echo "$entry" | cut -d: -f7)
  [ "$uid" -lt 1000 ] && [ "$home" = /nonexistent ] &&
    case "$shell" in */nologin|*/false) true ;; *) false ;; esac
}
check "_sspr is a system user without a login shell or home" system_user
check "$STATE_DIR is _sspr:_sspr 700" \
  test "$(mode_of "$STATE_DIR")" = "_sspr:_sspr 700"
check "$CACHE_DIR is root:root 700" \
  test "$(mode_of "$CACHE_DIR")" = "root:root 700"

# ---------------------------------------------------------------- profile
check "pam-auth-update profile $PROFILE" test -f "$PROFILE"
check "profile says Default: no" grep -qx "Default: no" "$PROFILE"
check "profile is an Additional account profile" \
  sh -c "grep -qx 'Account-Type: Additional' '$PROFILE' &&
         grep -Eq '^[[:space:]]+required[[:space:]]+pam_sspr.so' '$PROFILE'"
check "installing did not enable it in /etc/pam.d/common-account" \
  sh -c "! grep -q pam_sspr /etc/pam.d/common-account"

# ---------------------------------------------------------------- login
# A service in a temp confdir naming the INSTALLED module, no helper=: the
# module starts the helper from the path compiled in. state_dir, cache_dir
# and helper_user keep their defaults, so the postinst's directories and
# user are what the helper and the module use.
# The module checks only people known to NSS at interactive logins: the
# test users exist for the driver and pamtester only, through nss_wrapper
# (libnss-wrapper), and the two test services count as interactive.
mkdir "$WORK/pam.d"
OUTBOX=$STATE_DIR/outbox.jsonl
cat > "$WORK/pam_sspr.conf" <<EOF
# written by tests/packaging/test_deb.sh
backend = local
delivery = outbox:$OUTBOX
default_region = US
helper_timeout = 10
resend_cooldown = 0
interactive_services = $SERVICE $(basename "$PAMD_FILE")
EOF
NSS_WRAPPER=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/libnss_wrapper.so
printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:60100:60100::/nonexistent:/bin/sh\n%s:x:60101:60101::/nonexistent:/bin/sh\n' \
  "$TUSER" "$OTHER" > "$WORK/passwd"
printf 'root:x:0:\n%s:x:60100:\n%s:x:60101:\n' "$TUSER" "$OTHER" > "$WORK/group"
# The helper user, as the package made it (sspr-admin looks it up too).
getent passwd _sspr >> "$WORK/passwd"
getent group _sspr >> "$WORK/group"
chmod 644 "$WORK/passwd" "$WORK/group"
NSS_ENV="LD_PRELOAD=$NSS_WRAPPER NSS_WRAPPER_PASSWD=$WORK/passwd NSS_WRAPPER_GROUP=$WORK/group NSS_WRAPPER_DISABLE_DEEPBIND=1"
chmod 644 "$WORK/pam_sspr.conf"
echo "account required $MODULE conf=$WORK/pam_sspr.conf" \
  > "$WORK/pam.d/$SERVICE"
login() {  # login USER ANSWER... ; sets RC and OUT
  u=$1
  shift
  # shellcheck disable=SC2086
  OUT=$(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin $NSS_ENV "$PAMTEST" \
          --confdir "$WORK/pam.d" --service "$SERVICE" --user "$u" \
          --outbox "$OUTBOX" "$@" 2>&1)
  RC=$?
}
login "$TUSER" 1 "" 201-555-0123 1 @code n
echo "$OUT" > "$WORK/registration.log"
if [ "$RC" -eq 0 ] && echo "$OUT" | grep -q "Thanks!"; then
  ok "registration through the installed module and helper: PAM_SUCCESS"
else
  echo "$OUT" | sed 's/^/#   /'
  not_ok "registration through the installed module and helper (PAM code $RC)"
fi
check "the module left no child behind" \
  sh -c "grep -q 'CHILDREN: none' '$WORK/registration.log'"
check "the code went to the outbox in $STATE_DIR" \
  grep -q '"channel":"sms"' "$OUTBOX"
check "the record was written by the helper as _sspr" \
  test "$(stat -c %U "$STATE_DIR/users/$TUSER.json" 2>/dev/null)" = _sspr
check "a root-owned status cache entry was written in $CACHE_DIR" \
  sh -c "find '$CACHE_DIR' -type f -user root | grep -q ."
login "$TUSER"
if [ "$RC" -eq 0 ] && ! echo "$OUT" | grep -q "PROMPT"; then
  ok "second login: PAM_SUCCESS from the cache, no prompt"
else
  echo "$OUT" | sed 's/^/#   /'
  not_ok "second login from the cache (PAM code $RC)"
fi

# ---------------------------------------------------------------- pamtester
if command -v pamtester >/dev/null 2>&1; then
  # A service in /etc/pam.d naming the module without a path: libpam finds
  # it in its own module directory, where the package put it.
  echo "account required pam_sspr.so conf=$WORK/pam_sspr.conf" > "$PAMD_FILE"
  SVC=$(basename "$PAMD_FILE")
  # shellcheck disable=SC2086
  if env $NSS_ENV pamtester -v "$SVC" "$TUSER" acct_mgmt </dev/null >"$WORK/pt.log" 2>&1; then
    ok "pamtester: $TUSER (registered, cached) passes acct_mgmt"
  else
    sed 's/^/#   /' "$WORK/pt.log"
    not_ok "pamtester: $TUSER (registered, cached) passes acct_mgmt"
  fi
  # No terminal: the conversation cannot prompt, so the policy result.
  # shellcheck disable=SC2086
  if ! env $NSS_ENV pamtester -v "$SVC" "$OTHER" acct_mgmt </dev/null >"$WORK/pt2.log" 2>&1 &&
     grep -q "Permission denied" "$WORK/pt2.log"; then
    ok "pamtester: unregistered $OTHER without a terminal is refused"
  else
    sed 's/^/#   /' "$WORK/pt2.log"
    not_ok "pamtester: unregistered $OTHER without a terminal is refused"
  fi
  rm -f "$PAMD_FILE"
else
  echo "# pamtester not installed: pamtester checks skipped"
fi

# ---------------------------------------------------------------- opt in
# Enabling the profile puts the module in common-account; removing the
# package must take it out again (prerm) before the module goes.
ENABLED=no
if pam-auth-update --enable sspr >"$WORK/pau.log" 2>&1 &&
   grep -q pam_sspr /etc/pam.d/common-account; then
  ENABLED=yes
  ok "pam-auth-update --enable sspr adds it to common-account"
  check "it went into the account stack only" \
    sh -c "! grep -qs pam_sspr /etc/pam.d/common-auth /etc/pam.d/common-session /etc/pam.d/common-password"
else
  echo "# pam-auth-update --enable sspr did not change common-account" \
       "(locally modified?); prerm check skipped"
fi

# ---------------------------------------------------------------- remove
if dpkg_wait --remove "$PKG"; then
  ok "dpkg --remove"
else
  sed 's/^/#   /' "$WORK/dpkg.log"
  not_ok "dpkg --remove"
fi
if [ "$ENABLED" = yes ]; then
  check "remove took pam_sspr out of common-account" \
    sh -c "! grep -q pam_sspr /etc/pam.d/common-account"
fi
check "remove: status 'deinstall ok config-files'" \
  test "$(pkg_status)" = "deinstall ok config-files"
check "remove: module and helper are gone" \
  sh -c "test ! -e '$MODULE' && test ! -e /usr/libexec/pam_sspr"
check "remove: profile is gone" test ! -e "$PROFILE"
check "remove: $CONF is kept" test -f "$CONF"
check "remove: registrations in $STATE_DIR are kept" \
  test -f "$STATE_DIR/users/$TUSER.json"
check "remove: $CACHE_DIR is kept" test -d "$CACHE_DIR"
NOTE=/var/lib/libpam-sspr/profile-enabled
if [ "$ENABLED" = yes ]; then
  check "remove: prerm noted that the profile was enabled" test -e "$NOTE"
fi

# ---------------------------------------------------------------- reinstall
# Installing again after "remove": the registrations are there, and the
# profile is as the admin left it (enabled again if it was enabled).
if dpkg_wait -i "$DEB"; then
  ok "reinstall after remove: dpkg -i"
else
  sed 's/^/#   /' "$WORK/dpkg.log"
  not_ok "reinstall after remove: dpkg -i"
fi
if [ "$ENABLED" = yes ]; then
  check "reinstall: the profile is enabled again in common-account" \
    grep -q pam_sspr /etc/pam.d/common-account
  check "reinstall: postinst said it enabled the profile again" \
    grep -q "enabled again" "$WORK/dpkg.log"
  check "reinstall: the note is gone" test ! -e "$NOTE"
fi
check "reinstall: $STATE_DIR is still _sspr:_sspr 700" \
  test "$(mode_of "$STATE_DIR")" = "_sspr:_sspr 700"
rm -f "$CACHE_DIR/$TUSER"
login "$TUSER"
if [ "$RC" -eq 0 ] && ! echo "$OUT" | grep -q "PROMPT"; then
  ok "reinstall: $TUSER is still registered (no prompt)"
else
  echo "$OUT" | sed 's/^/#   /'
  not_ok "reinstall: $TUSER is still registered (PAM code $RC)"
fi

# A deleted state_dir: no login, sspr-admin check and no reinstall re-creates
# it empty; each says so.
mv "$STATE_DIR" "$WORK/state.saved"
rm -f "$CACHE_DIR/$TUSER"
login "$TUSER"
check "deleted state_dir: the login is not asked to register again" \
  sh -c "! echo \"\$1\" | grep -q PROMPT" sh "$OUT"
check "deleted state_dir: the helper did not re-create it" \
  test ! -e "$STATE_DIR"
env $NSS_ENV /usr/sbin/sspr-admin --conf "$WORK/pam_sspr.conf" check "$TUSER" \
  >"$WORK/admin.log" 2>&1
check "deleted state_dir: sspr-admin check says it does not exist" \
  grep -q "state_dir $STATE_DIR does not exist" "$WORK/admin.log"
dpkg_wait -i "$DEB" || true
check "deleted state_dir: a reinstall does not re-create it" \
  test ! -e "$STATE_DIR"
check "deleted state_dir: the reinstall says it is missing" \
  grep -q "is missing and is not re-created" "$WORK/dpkg.log"
mv "$WORK/state.saved" "$STATE_DIR"
login "$TUSER"
check "restored state_dir: $TUSER passes again" test "$RC" -eq 0

# ---------------------------------------------------------------- purge
if dpkg_wait --purge "$PKG"; then
  ok "dpkg --purge"
else
  sed 's/^/#   /' "$WORK/dpkg.log"
  not_ok "dpkg --purge"
fi
check "purge: dpkg no longer knows the package" \
  sh -c "! dpkg-query -W -f='\${Status}' $PKG 2>/dev/null | grep -qv not-installed"
check "purge: $CONF is gone" test ! -e "$CONF"
check "purge: $STATE_DIR is gone" test ! -e "$STATE_DIR"
check "purge: $CACHE_DIR is gone" test ! -e "$CACHE_DIR"
check "purge: the profile note is gone" test ! -e /var/lib/libpam-sspr
check "purge: /etc/security, /usr/lib/$MA/security keep no pam_sspr file" \
  sh -c "! ls /etc/security /usr/lib/$MA/security | grep -q pam_sspr"
check "purge: the _sspr user is kept (README.Debian)" getent passwd _sspr
pam_state > "$WORK/pam.after"
if cmp -s "$WORK/pam.before" "$WORK/pam.after"; then
  ok "purge: /etc/pam.d/common-* and /var/lib/pam are as before"
else
  diff "$WORK/pam.before" "$WORK/pam.after" | sed 's/^/#   /'
  not_ok "purge: /etc/pam.d/common-* and /var/lib/pam are as before"
fi

# ---------------------------------------------------------------- after purge
# Installing after a purge is a first install: profile off, empty store.
if dpkg_wait -i "$DEB"; then
  ok "install after purge: dpkg -i"
else
  sed 's/^/#   /' "$WORK/dpkg.log"
  not_ok "install after purge: dpkg -i"
fi
check "install after purge: the profile is off" \
  sh -c "! grep -q pam_sspr /etc/pam.d/common-account"
check "install after purge: $STATE_DIR is made again, empty, _sspr:_sspr 700" \
  sh -c "test \"\$(stat -c '%U:%G %a' '$STATE_DIR')\" = '_sspr:_sspr 700' &&
         test -z \"\$(ls -A '$STATE_DIR')\""
if dpkg_wait --purge "$PKG"; then
  ok "purge again"
else
  sed 's/^/#   /' "$WORK/dpkg.log"
  not_ok "purge again"
fi

finish
