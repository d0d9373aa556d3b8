// The reset at the login prompt (issue 15), in the helper after it dropped
// root: offer, proofs of reset_methods_required registered methods, the
// new password twice, the password set (for the local backend by the
// module's sspr-setpass, through PasswordSetter), every registered method
// told, and a login that still fails: a reset logs nobody in.
#ifndef SSPR_HELPER_RESET_DIALOGUE_H_
#define SSPR_HELPER_RESET_DIALOGUE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "common/time.h"
#include "helper/conversation.h"
#include "helper/store/reset_limit.h"
#include "protocol/messages.h"

namespace sspr {

// Sets the new password. The real one asks the module (SET_PASSWORD);
// tests script it. kFailed leaves the password as it was.
class PasswordSetter {
 public:
  virtual ~PasswordSetter() = default;
  virtual proto::SetPasswordResult Set(const std::string& password) = 0;
};

// The longest new password taken, in bytes.
constexpr size_t kMaxNewPassword = 256;

class ResetDialogue {
 public:
  ResetDialogue(const Config& c, Backend* backend, Conversation* conv,
                Clock* clock, int64_t deadline_ms, PasswordSetter* setter,
                ResetLimiter* limiter)
      : c_(c),
        backend_(backend),
        conv_(conv),
        clock_(clock),
        deadline_ms_(deadline_ms),
        setter_(setter),
        limiter_(limiter) {}

  proto::Result Run(const std::string& user);

 private:
  enum class Ask { kAnswer, kStop };
  proto::Result Go();
  Ask AskFor(bool echo, const std::string& text, size_t max_len,
             std::string* answer);
  bool Invalid(const std::string& text);
  void Finish(proto::Outcome o, const std::string& log);
  void Flush(bool closing_prompt);
  // 1 proved, 0 not (result set when the dialogue ends), -1 ended.
  int ProveByCode(const Method& m);
  int ProveByAnswers(const Method& m);
  // A failed proof: counted; false (result set) once locked out.
  bool FailedProof(const std::string& what);
  bool NewPassword();
  void NotifyAll();

  const Config& c_;
  Backend* backend_;
  Conversation* conv_;
  Clock* clock_;
  int64_t deadline_ms_;
  PasswordSetter* setter_;
  ResetLimiter* limiter_;

  std::string user_;
  UserRecord rec_;
  std::vector<std::pair<bool, std::string>> held_;  // (is error, text)
  bool visible_answered_ = false;
  int invalid_ = 0;
  std::vector<std::string> proved_;  // for the log: "mobile +1 425-...00"
  std::string note_;
  proto::Result result_;
  bool finished_ = false;
};

}  // namespace sspr

#endif  // SSPR_HELPER_RESET_DIALOGUE_H_
