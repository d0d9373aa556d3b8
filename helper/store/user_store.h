// The local backend's store: one JSON record per user under state_dir.
#ifndef SSPR_HELPER_STORE_USER_STORE_H_
#define SSPR_HELPER_STORE_USER_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "helper/store/record.h"

namespace sspr {

// Records live in <state_dir>/users/<SafeFileName(user)>.json, written
// atomically (temp file, fsync, rename, fsync dir) under a per-user flock on
// <state_dir>/locks/<SafeFileName(user)>.lock.
class UserStore {
 public:
  explicit UserStore(std::string state_dir) : dir_(std::move(state_dir)) {}
  // Creates users/ and locks/ (0700) if missing.
  bool Init(std::string* err);
  // found=false and true returned when the user has no record.
  bool Load(const std::string& user, UserRecord* rec, bool* found,
            std::string* err);
  // Adds or replaces (same type) a method, under the user's lock:
  // read-modify-write, so concurrent writers never lose each other's work.
  bool AddMethod(const std::string& user, const Method& m, int64_t now,
                 std::string* err);

  // For tools that run as root over a directory the helper user owns
  // (sspr-admin). Every path below state_dir is opened relative to its
  // parent with O_NOFOLLOW; state_dir itself must not be a symlink; none of
  // state_dir, users/ and locks/ may be writable by group or others.
  //
  // Every record, sorted by user name. A file that cannot be read or
  // parsed, or whose name is not its user's, is skipped and described in
  // *problems. A missing state_dir or users/ is an empty store.
  bool List(std::vector<UserRecord>* recs, std::vector<std::string>* problems,
            std::string* err) const;
  // Load under the same rules as List.
  bool LoadNoFollow(const std::string& user, UserRecord* rec, bool* found,
                    std::string* err) const;
  // Under the user's lock (the one AddMethod takes): calls `before` (if
  // set), then removes the record, so that what mirrors the record (status
  // cache, rate state) goes first and no writer of this user interleaves.
  // If `before` fails the record stays. *removed says whether there was a
  // record. A lock file or locks/ this creates gets the owner of its
  // parent directory, so the helper can still take the lock after root.
  bool Remove(const std::string& user,
              const std::function<bool(std::string*)>& before, bool* removed,
              std::string* err);

 private:
  std::string dir_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_STORE_USER_STORE_H_
