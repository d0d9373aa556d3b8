#include "helper/store/user_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "common/fd.h"
#include "common/file.h"
#include "common/text.h"
#include "common/time.h"
#include "config/config.h"

namespace sspr {

bool UserStore::Init(std::string* err) {
  return EnsureDir(dir_ + "/users", 0700, err) &&
         EnsureDir(dir_ + "/locks", 0700, err);
}

bool UserStore::Load(const std::string& user, UserRecord* rec, bool* found,
                     std::string* err) {
  *found = false;
  if (user.empty()) {
    *err = "empty user name";
    return false;
  }
  const std::string path = dir_ + "/users/" + SafeFileName(user) + ".json";
  std::string text, why;
  bool missing = false;
  if (!ReadFileLimited(path, kMaxRecordSize, &text, &missing, &why)) {
    *err = "user record: " + why;
    return false;
  }
  if (missing) return true;
  UserRecord parsed;
  if (!RecordFromJson(text, &parsed, &why)) {
    *err = "user record " + path + ": " + why;
    return false;
  }
  if (parsed.user != user) {
    *err = "user record " + path + " belongs to another user";
    return false;
  }
  *rec = std::move(parsed);
  *found = true;
  return true;
}

bool UserStore::AddMethod(const std::string& user, const Method& m, int64_t now,
                          std::string* err) {
  if (user.empty() || user.size() > kMaxRecordString) {
    *err = "invalid user name";
    return false;
  }
  if (!CheckMethod(m, err)) return false;
  const std::string name = SafeFileName(user);
  FileLock lock;
  if (!lock.Acquire(dir_ + "/locks/" + name + ".lock", kDefaultLockTimeoutMs,
                    err)) {
    return false;
  }
  UserRecord rec;
  bool found = false;
  if (!Load(user, &rec, &found, err)) return false;
  if (!found) {
    rec.user = user;
    rec.created_at = now;
  }
  bool replaced = false;
  for (Method& old : rec.methods) {
    if (old.type == m.type) {
      old = m;
      replaced = true;
    }
  }
  if (!replaced) rec.methods.push_back(m);
  rec.updated_at = now;
  // Never write what could not be read back.
  const std::string text = RecordToJson(rec);
  UserRecord check;
  std::string why;
  if (!RecordFromJson(text, &check, &why)) {
    *err = "refusing to save record for user: " + why;
    return false;
  }
  const std::string path = dir_ + "/users/" + name + ".json";
  return WriteFileAtomic(path, text, 0600, err);
}

// ---- Root tools (sspr-admin): no symlink is ever followed below state_dir.

namespace {

std::string StripSlashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// OpenDirNoFollow, refusing a folder that group or others could write.
bool OpenClosedDir(int parent, const std::string& name,
                   const std::string& shown, UniqueFd* out, bool* missing,
                   std::string* err) {
  if (!OpenDirNoFollow(parent, name, shown, out, missing, err)) return false;
  if (*missing) return true;
  struct stat st;
  if (fstat(out->get(), &st) != 0) {
    *err = "cannot stat " + shown + ": " + strerror(errno);
    return false;
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    *err = shown + " is writable by group or others, refusing it";
    return false;
  }
  return true;
}

bool ParseRecordFile(const std::string& text, const std::string& file,
                     const std::string& shown, UserRecord* rec,
                     std::string* err) {
  std::string why;
  if (!RecordFromJson(text, rec, &why)) {
    *err = shown + ": " + why;
    return false;
  }
  if (SafeFileName(rec->user) + ".json" != file) {
    *err = shown + " belongs to another user";
    return false;
  }
  return true;
}

// Opens top/users without following a link at either level; *missing
// when either does not exist yet (no records, not an error).
bool OpenUsersDir(const std::string& top, UniqueFd* users, bool* missing,
                  std::string* err) {
  UniqueFd state;
  if (!OpenClosedDir(AT_FDCWD, top, top, &state, missing, err)) return false;
  if (*missing) return true;
  return OpenClosedDir(state.get(), "users", top + "/users", users, missing,
                       err);
}

}  // namespace

bool UserStore::List(std::vector<UserRecord>* recs,
                     std::vector<std::string>* problems,
                     std::string* err) const {
  recs->clear();
  problems->clear();
  const std::string top = StripSlashes(dir_);
  UniqueFd users;
  bool missing = false;
  if (!OpenUsersDir(top, &users, &missing, err)) return false;
  if (missing) return true;
  int dup_fd = dup(users.get());
  DIR* d = dup_fd < 0 ? nullptr : fdopendir(dup_fd);
  if (d == nullptr) {
    if (dup_fd >= 0) close(dup_fd);
    *err = "cannot list " + top + "/users: " + strerror(errno);
    return false;
  }
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name[0] == '.') continue;  // ".", "..", temp files being written
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".json") != 0) {
      problems->push_back(top + "/users/" + name + ": not a record file");
      continue;
    }
    names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    const std::string shown = top + "/users/" + name;
    std::string text, why;
    UserRecord rec;
    if (!ReadAt(users.get(), name, shown, kMaxRecordSize, &text, &missing,
                &why) ||
        (!missing && !ParseRecordFile(text, name, shown, &rec, &why))) {
      problems->push_back(why);
      continue;
    }
    if (!missing) recs->push_back(std::move(rec));  // gone since readdir
  }
  std::sort(
      recs->begin(), recs->end(),
      [](const UserRecord& a, const UserRecord& b) { return a.user < b.user; });
  return true;
}

bool UserStore::LoadNoFollow(const std::string& user, UserRecord* rec,
                             bool* found, std::string* err) const {
  *found = false;
  if (user.empty() || user.size() > kMaxRecordString) {
    *err = "invalid user name";
    return false;
  }
  const std::string top = StripSlashes(dir_);
  UniqueFd users;
  bool missing = false;
  if (!OpenUsersDir(top, &users, &missing, err)) return false;
  if (missing) return true;
  const std::string name = SafeFileName(user) + ".json";
  const std::string shown = top + "/users/" + name;
  std::string text;
  if (!ReadAt(users.get(), name, shown, kMaxRecordSize, &text, &missing, err))
    return false;
  if (missing) return true;
  UserRecord parsed;
  if (!ParseRecordFile(text, name, shown, &parsed, err)) return false;
  *rec = std::move(parsed);
  *found = true;
  return true;
}

bool UserStore::Remove(const std::string& user,
                       const std::function<bool(std::string*)>& before,
                       bool* removed, std::string* err) {
  *removed = false;
  if (user.empty() || user.size() > kMaxRecordString) {
    *err = "invalid user name";
    return false;
  }
  const std::string top = StripSlashes(dir_);
  const std::string name = SafeFileName(user);
  UniqueFd state, locks, lock, users;
  bool missing = false;
  if (!OpenClosedDir(AT_FDCWD, top, top, &state, &missing, err)) return false;
  if (missing) return !before || before(err);  // nothing was ever stored
  if (!OpenClosedDir(state.get(), "locks", top + "/locks", &locks, &missing,
                     err))
    return false;
  if (missing) {
    // Made the way Init makes it, owned like state_dir.
    struct stat st;
    bool created = false;
    if (fstat(state.get(), &st) != 0 ||
        (!(created = mkdirat(state.get(), "locks", 0700) == 0) &&
         errno != EEXIST)) {
      *err = "cannot create " + top + "/locks: " + strerror(errno);
      return false;
    }
    if (!OpenClosedDir(state.get(), "locks", top + "/locks", &locks, &missing,
                       err) ||
        missing ||
        !SettleMode(state.get(), "locks", st, S_IFDIR, 0700, created,
                    top + "/locks", err)) {
      if (err->empty()) *err = top + "/locks vanished";
      return false;
    }
  }
  if (!LockFileAt(locks.get(), name + ".lock", top + "/locks/" + name + ".lock",
                  kDefaultLockTimeoutMs, &lock, err))
    return false;
  if (before && !before(err)) return false;
  if (!OpenClosedDir(state.get(), "users", top + "/users", &users, &missing,
                     err))
    return false;
  if (missing) return true;
  const std::string file = name + ".json";
  if (unlinkat(users.get(), file.c_str(), 0) != 0) {
    if (errno == ENOENT) return true;
    *err = "cannot remove " + top + "/users/" + file + ": " + strerror(errno);
    return false;
  }
  *removed = true;
  if (fsync(users.get()) != 0 && errno != EINVAL) {
    *err = "cannot fsync " + top + "/users: " + strerror(errno);
    return false;
  }
  return true;
}

}  // namespace sspr
