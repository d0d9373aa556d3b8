// Per-user policy state kept on this host, whatever the backend: how often
// the user chose "later", and when they last confirmed their methods.
// <state_dir>/policy/<SafeFileName(user)>, lines "key value", updated
// atomically under the user's lock.
#ifndef SSPR_HELPER_STORE_POLICY_STATE_H_
#define SSPR_HELPER_STORE_POLICY_STATE_H_

#include <cstdint>
#include <string>

#include "config/config.h"
#include "helper/store/record.h"

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

// The rules the dialogue applies to this state, which sspr-admin check
// explains with the same functions.
//
// Reconfirmation falls due reconfirm_days after the latest of the last
// "keep" and every method's verification.
int64_t ReconfirmAt(const Config& c, const PolicyState& p,
                    const UserRecord& rec);
// Due (reconfirm_days > 0 and `now` past ReconfirmAt); the caller checks
// that the user is registered at all.
bool ReconfirmDue(const Config& c, const PolicyState& p, const UserRecord& rec,
                  int64_t now);
// After "later": the time before which the user is not reminded again, or
// 0 when the last "later" is snooze_interval or more ago (or never was).
int64_t RemindedUntil(const Config& c, const PolicyState& p, int64_t now);
// "later" answers left of snooze_max.
int SnoozesLeft(const Config& c, const PolicyState& p);
// The menu may offer "later": before grace_until, or with snoozes left.
bool LaterAllowed(const Config& c, const PolicyState& p, int64_t now);

// Exposed for tests and fuzzing.
std::string PolicyToText(const PolicyState& s);
bool PolicyFromText(const std::string& text, PolicyState* s, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_STORE_POLICY_STATE_H_
