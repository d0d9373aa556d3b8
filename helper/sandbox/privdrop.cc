#include "helper/sandbox/privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "common/fd.h"

namespace sspr {

bool LookupHelperUser(const std::string& name, HelperUser* u,
                      std::string* err) {
  struct passwd pw, *pwp = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &pwp) != 0 ||
      pwp == nullptr) {
    *err = "helper_user '" + name +
           "' does not exist (create it: adduser --system --group "
           "--no-create-home " +
           name + ")";
    return false;
  }
  if (pw.pw_uid == 0) {
    *err = "helper_user '" + name + "' is root; it must be a system user";
    return false;
  }
  u->uid = pw.pw_uid;
  u->gid = pw.pw_gid;
  return true;
}

namespace {

// Gives the folder open on `fd` to the helper user, mode exactly 0700.
bool HandOver(int fd, const std::string& shown, const HelperUser& u,
              std::string* err) {
  if (fchown(fd, u.uid, u.gid) != 0 || fchmod(fd, 0700) != 0) {
    *err = "cannot hand " + shown + " to the helper user: " + strerror(errno);
    return false;
  }
  return true;
}

std::string UserName(uid_t uid) {
  struct passwd pw, *pwp = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &pwp) == 0 && pwp != nullptr)
    return pw.pw_name;
  return std::to_string(uid);
}

}  // namespace

bool PrepareOwnedDir(const std::string& dir, const HelperUser& u,
                     std::string* err) {
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      // Never re-created here: an empty store would register everyone anew.
      const std::string name = UserName(u.uid);
      *err = "state_dir " + dir + " does not exist (deleted?); it is not " +
             "re-created empty: restore it from a backup or create it " +
             "(install -d -o " + name + " -g " + name + " -m 0700 " + dir +
             "), then run sspr-admin check USER";
    } else {
      *err = "state_dir " + dir + ": " + strerror(errno);
    }
    return false;
  }
  UniqueFd owned;  // the folder itself, never what a symlink points to
  if (!OpenDirNoFollow(AT_FDCWD, dir, dir, &owned, nullptr, err)) return false;
  const int fd = owned.get();
  bool ok = fstat(fd, &st) == 0;
  if (!ok) {
    *err = "cannot stat " + dir + ": " + strerror(errno);
  } else if (st.st_uid != u.uid || (st.st_mode & (S_IWGRP | S_IWOTH))) {
    *err = dir + " must be owned by the helper user (uid " +
           std::to_string(u.uid) + ") and not writable by group or others";
    ok = false;
  } else if ((st.st_mode & S_IRWXU) != S_IRWXU && !(st.st_mode & 077)) {
    ok = HandOver(fd, dir, u, err);  // what a umask left: back to 0700
  } else if ((st.st_mode & S_IRWXU) != S_IRWXU) {
    *err = dir +
           " must give its owner, the helper user, full access (mode "
           "0700)";
    ok = false;
  }
  return ok;
}

bool DropPrivileges(const HelperUser& u, std::string* err) {
  if (setgroups(0, nullptr) != 0 || setresgid(u.gid, u.gid, u.gid) != 0 ||
      setresuid(u.uid, u.uid, u.uid) != 0) {
    *err = std::string("dropping privileges failed: ") + strerror(errno);
    return false;
  }
  uid_t r, e, s;
  gid_t gr, ge, gs;
  if (getresuid(&r, &e, &s) != 0 || r != u.uid || e != u.uid || s != u.uid ||
      getresgid(&gr, &ge, &gs) != 0 || gr != u.gid || ge != u.gid ||
      gs != u.gid) {
    *err = "privilege drop did not take effect";
    return false;
  }
  if (setuid(0) == 0 || seteuid(0) == 0) {
    *err = "root could be regained after the drop";
    return false;
  }
  struct rlimit no_core = {0, 0};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
      setrlimit(RLIMIT_CORE, &no_core) != 0) {
    *err = std::string("hardening failed: ") + strerror(errno);
    return false;
  }
  return true;
}

}  // namespace sspr
