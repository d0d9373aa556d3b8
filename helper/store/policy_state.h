// Per-user policy state kept on this host, whatever the backend: how often
// the user chose "later", and when they last confirmed their methods.
// <state_dir>/policy/<SafeFileName(user)>, lines "key value", updated
// atomically under the user's lock.
#ifndef SSPR_HELPER_STORE_POLICY_STATE_H_
#define SSPR_HELPER_STORE_POLICY_STATE_H_

#include <cstdint>
#include <string>

namespace sspr {

struct PolicyState {
  int snoozes = 0;           // "later" answers so far
  int64_t last_snooze = 0;   // unix time of the last one
  int64_t confirmed_at = 0;  // unix time of the last "keep" at reconfirm
};

class PolicyStore {
 public:
  explicit PolicyStore(std::string state_dir) : dir_(std::move(state_dir)) {}
  bool Init(std::string* err);
  // A missing file is a fresh state; a corrupt one is an error.
  bool Load(const std::string& user, PolicyState* s, std::string* err);
  bool RecordSnooze(const std::string& user, int64_t now, std::string* err);
  bool RecordConfirm(const std::string& user, int64_t now, std::string* err);

 private:
  template <typename F>
  bool Update(const std::string& user, F change, std::string* err);
  std::string Path(const std::string& user) const;
  std::string dir_;
};

// Exposed for tests and fuzzing.
std::string PolicyToText(const PolicyState& s);
bool PolicyFromText(const std::string& text, PolicyState* s, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_STORE_POLICY_STATE_H_
