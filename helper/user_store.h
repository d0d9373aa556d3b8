// The local backend's store: one JSON record per user under state_dir.
#ifndef SSPR_HELPER_USER_STORE_H_
#define SSPR_HELPER_USER_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sspr {

struct Method {
  std::string type;   // "mobile" | "office"
  std::string value;  // E.164 number
  int64_t verified_at = 0;  // unix seconds
};

struct UserRecord {
  std::string user;
  std::vector<Method> methods;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

constexpr size_t kMaxRecordSize = 64 * 1024;

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

 private:
  std::string dir_;
};

// JSON (de)serialisation, exposed for tests and fuzzing.
std::string RecordToJson(const UserRecord& r);
bool RecordFromJson(const std::string& text, UserRecord* r, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_USER_STORE_H_
