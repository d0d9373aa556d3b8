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

#include "config/config.h"
#include "helper/store/atomic_file.h"

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

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

std::string StripSlashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// Opens the directory `name` below `parent` (AT_FDCWD: `name` is a path)
// without following a symlink in its last component. *missing on ENOENT.
bool OpenDirNoFollow(int parent, const std::string& name,
                     const std::string& shown, Fd* out, bool* missing,
                     std::string* err) {
  *missing = false;
  int fd = openat(parent, name.c_str(),
                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      *missing = true;
      return true;
    }
    *err = (errno == ELOOP || errno == ENOTDIR)
               ? shown + " is a symlink or not a directory, refusing it"
               : "cannot open " + shown + ": " + strerror(errno);
    return false;
  }
  out->reset(fd);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *err = "cannot stat " + shown + ": " + strerror(errno);
    return false;
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    *err = shown + " is writable by group or others, refusing it";
    return false;
  }
  return true;
}

// Reads the regular file `name` below `dir` (never a symlink or a FIFO),
// at most `max` bytes. *missing on ENOENT.
bool ReadAt(int dir, const std::string& name, const std::string& shown,
            size_t max, std::string* out, bool* missing, std::string* err) {
  *missing = false;
  Fd fd(openat(dir, name.c_str(),
               O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      *missing = true;
      return true;
    }
    *err = errno == ELOOP ? shown + " is a symlink, refusing it"
                          : "cannot open " + shown + ": " + strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = shown + " is not a regular file";
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > max) {
    *err = shown + " is larger than " + std::to_string(max) + " bytes";
    return false;
  }
  std::string buf(max + 1, '\0');
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = read(fd.get(), &buf[got], buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = "cannot read " + shown + ": " + strerror(errno);
      return false;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max) {
    *err = shown + " is larger than " + std::to_string(max) + " bytes";
    return false;
  }
  buf.resize(got);
  out->swap(buf);
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

// The same flock(2) FileLock takes, on `name` below `dir`.
bool LockAt(int dir, const std::string& name, const std::string& shown,
            int timeout_ms, Fd* out, std::string* err) {
  struct stat parent;
  if (fstat(dir, &parent) != 0) {
    *err = "cannot stat the directory of " + shown + ": " + strerror(errno);
    return false;
  }
  constexpr int kFlags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  int fd = openat(dir, name.c_str(), kFlags | O_CREAT | O_EXCL, 0600);
  const bool created = fd >= 0;
  if (fd < 0 && errno != EEXIST) {
    *err = "cannot open " + shown + ": " + strerror(errno);
    return false;
  }
  if (fd >= 0) close(fd);  // opened again once its mode is settled
  if (!SettleMode(dir, name, parent, S_IFREG, 0600, created, shown, err))
    return false;
  fd = openat(dir, name.c_str(), kFlags);
  if (fd < 0) {
    *err = errno == ELOOP ? shown + " is a symlink, refusing to lock it"
                          : "cannot open " + shown + ": " + strerror(errno);
    return false;
  }
  out->reset(fd);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = shown + " is not a regular file";
    return false;
  }
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno != EWOULDBLOCK && errno != EINTR) {
      *err = "cannot lock " + shown + ": " + strerror(errno);
      return false;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms = (now.tv_sec - start.tv_sec) * 1000 +
                 (now.tv_nsec - start.tv_nsec) / 1000000;
    if (ms >= timeout_ms) {
      *err = "timed out after " + std::to_string(timeout_ms) +
             " ms waiting for lock " + shown;
      return false;
    }
    struct timespec nap = {0, 10 * 1000000L};
    nanosleep(&nap, nullptr);
  }
}

// Opens top/users without following a link at either level; *missing
// when either does not exist yet (no records, not an error).
bool OpenUsersDir(const std::string& top, Fd* users, bool* missing,
                  std::string* err) {
  Fd state;
  if (!OpenDirNoFollow(AT_FDCWD, top, top, &state, missing, err)) return false;
  if (*missing) return true;
  return OpenDirNoFollow(state.get(), "users", top + "/users", users, missing,
                         err);
}

}  // namespace

bool UserStore::List(std::vector<UserRecord>* recs,
                     std::vector<std::string>* problems,
                     std::string* err) const {
  recs->clear();
  problems->clear();
  const std::string top = StripSlashes(dir_);
  Fd users;
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
  Fd users;
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
  Fd state, locks, lock, users;
  bool missing = false;
  if (!OpenDirNoFollow(AT_FDCWD, top, top, &state, &missing, err)) return false;
  if (missing) return !before || before(err);  // nothing was ever stored
  if (!OpenDirNoFollow(state.get(), "locks", top + "/locks", &locks, &missing,
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
    if (!OpenDirNoFollow(state.get(), "locks", top + "/locks", &locks, &missing,
                         err) ||
        missing ||
        !SettleMode(state.get(), "locks", st, S_IFDIR, 0700, created,
                    top + "/locks", err)) {
      if (err->empty()) *err = top + "/locks vanished";
      return false;
    }
  }
  if (!LockAt(locks.get(), name + ".lock", top + "/locks/" + name + ".lock",
              kDefaultLockTimeoutMs, &lock, err))
    return false;
  if (before && !before(err)) return false;
  if (!OpenDirNoFollow(state.get(), "users", top + "/users", &users, &missing,
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
