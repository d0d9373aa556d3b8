#include "helper/privdrop.h"

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

namespace sspr {

bool LookupHelperUser(const std::string& name, HelperUser* u,
                      std::string* err) {
  struct passwd pw, *pwp = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &pwp) != 0 ||
      pwp == nullptr) {
    *err = "helper_user '" + name +
           "' does not exist (create it: adduser --system --group "
           "--no-create-home " + name + ")";
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

// Opens the folder `path` itself, never what a symlink there points to.
int OpenDirNoFollow(const std::string& path, std::string* err) {
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    *err = errno == ELOOP || errno == ENOTDIR
               ? path + " is a symlink or not a directory; refusing it"
               : "cannot open " + path + ": " + strerror(errno);
  return fd;
}

// The first login: made under a temporary name, handed over through a
// descriptor (a symlink swapped in after mkdir is refused, never followed),
// then renamed into place (never replacing anything), so a helper of a
// concurrent first login never sees the directory while it still belongs
// to root. True also when another helper won the race.
bool CreateOwnedDir(const std::string& dir, const HelperUser& u,
                    std::string* err) {
  const std::string tmp = dir + ".new-" + std::to_string(getpid());
  rmdir(tmp.c_str());  // left by a helper killed right here
  if (mkdir(tmp.c_str(), 0700) != 0) {
    *err = "cannot create " + dir + ": " + strerror(errno);
    return false;
  }
  const int fd = OpenDirNoFollow(tmp, err);
  const bool ok = fd >= 0 && HandOver(fd, tmp, u, err);
  if (fd >= 0) close(fd);
  if (!ok) {
    rmdir(tmp.c_str());
    return false;
  }
  const int r =
      renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_NOREPLACE);
  const int rename_errno = errno;
  if (r == 0) return true;
  rmdir(tmp.c_str());
  if (rename_errno == EEXIST) return true;
  *err = "cannot create " + dir + ": " + strerror(rename_errno);
  return false;
}

}  // namespace

bool PrepareOwnedDir(const std::string& dir, const HelperUser& u,
                     std::string* err) {
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0 && errno == ENOENT &&
      !CreateOwnedDir(dir, u, err))
    return false;
  const int fd = OpenDirNoFollow(dir, err);
  if (fd < 0) return false;
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
  close(fd);
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
