// One small interface per registration service. The dialogue only talks to
// this; tests swap in fakes.
#ifndef SSPR_HELPER_BACKENDS_BACKEND_H_
#define SSPR_HELPER_BACKENDS_BACKEND_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/time.h"
#include "helper/delivery/sender.h"
#include "helper/store/record.h"

namespace sspr {

struct Config;

// SendStatus is in helper/delivery/sender.h (the senders return it too).

enum class CheckStatus {
  kOk,
  kWrong,  // attempts_left set
  kExpired,
  kTooMany,
  kNoCode,
  kError,  // the service could not check it (unreachable, 5xx, bad
           // answer): *err set; the dialogue ends UNAVAILABLE
};

// A security question kept by the service (Okta), not by the helper.
struct ServiceQuestion {
  std::string key;   // the service's name for it: "disliked_food"
  std::string text;  // what the user reads
};

enum class AnswerStatus {
  kSaved,
  kRejected,  // the service refused the answer (too short...): retry
  kError,     // the service could not take it: *err set
};

// Security questions a service keeps itself (Okta): the dialogue asks one
// question from the service's catalogue and sends the answer, in clear
// over TLS, to SaveAnswer; the helper stores no hash.
class QuestionService {
 public:
  virtual ~QuestionService() = default;
  // The service's question catalogue. False (with *err) when it cannot
  // answer.
  virtual bool Catalogue(std::vector<ServiceQuestion>* out,
                         std::string* err) = 0;
  // Enrols `answer` to the question `key`. kRejected: *reason is the
  // service's explanation, for the user (never contains the answer).
  virtual AnswerStatus SaveAnswer(const std::string& user,
                                  const std::string& key,
                                  const std::string& answer,
                                  std::string* reason, std::string* err) = 0;
};

enum class PasswordStatus {
  kSet,
  kRefused,     // the service refused this password (policy): *reason, retry
  kNotAllowed,  // the service never resets this account here (privileged,
                // federated): *reason, for the person; no retry
  kError,       // the service could not set it; nothing changed: *err set
};

class Backend {
 public:
  virtual ~Backend() = default;
  // The user's registered methods. False (with *err) when the service
  // cannot answer.
  virtual bool Lookup(const std::string& user, UserRecord* rec,
                      std::string* err) = 0;
  // Sends a new code for `m` over `ch`; *retry_at (unix time) is set for
  // kCooldown and kRateLimited.
  virtual SendStatus SendCode(const std::string& user, const Method& m,
                              Channel ch, int64_t* retry_at,
                              std::string* err) = 0;
  // Checks a typed code against the last one sent; counts attempts. On
  // kError *err says why (for the log: no code, no secret).
  virtual CheckStatus CheckCode(const std::string& code, int* attempts_left,
                                std::string* err) = 0;
  // Stores a verified method: one whose code (the last one checked kOk)
  // went to m.type/m.value. Anything else is refused with *err.
  virtual bool Save(const std::string& user, const Method& m,
                    std::string* err) = 0;
  // Sends `text` (a notice, no code) to a registered method. Default:
  // this backend cannot (no delivery of its own).
  virtual bool Notify(const Method& to, Channel ch, const std::string& text,
                      std::string* err) {
    (void)to, (void)ch, (void)text;
    *err = "this backend sends no notices";
    return false;
  }
  // True when SendCode/CheckCode can prove that the user holds a method
  // already registered (asked before one is replaced). Default: yes.
  virtual bool CanProveRegistered() const { return true; }
  // The same for the reset's proofs alone (okta: its verify API proves an
  // enrolled factor, but an update could not replace one). Default: as
  // CanProveRegistered.
  virtual bool CanProveForReset() const { return CanProveRegistered(); }
  // After a failed Lookup: true when the service answered that it does not
  // know the user (rather than not answering). The helper then reports
  // NOT_APPLICABLE instead of UNAVAILABLE. Default: never.
  virtual bool UserUnknown() const { return false; }
  // After a failed Save: true when the service refused the value itself (a
  // 400/422 that names the number or address as invalid): what the user
  // typed, so the dialogue asks again and ends FAILED, never UNAVAILABLE.
  // Default: never.
  virtual bool ValueRefused() const { return false; }
  // The security questions the service keeps itself (okta), or nullptr
  // (default): the helper's own questions, hashed, stored through Save.
  virtual QuestionService* questions() { return nullptr; }
  // The reset at the login prompt (helper/reset_dialogue.h): sets the
  // user's password at the service. Default: this backend cannot (local
  // passwords are set by the module's sspr-setpass, not here).
  virtual bool CanSetPassword() const { return false; }
  virtual PasswordStatus SetPassword(const std::string& user,
                                     const std::string& password,
                                     std::string* reason, std::string* err) {
    (void)user, (void)password, (void)reason;
    *err = "this backend sets no passwords";
    return PasswordStatus::kError;
  }
  // Called once before the result is sent: undoes anything half-done (an
  // enrolment started at the service but never verified). Default: none.
  virtual void EndSession() {}
};

// The embedded local backend: UserStore + codes made and checked here +
// RateLimiter + the configured CodeSender.
std::unique_ptr<Backend> MakeLocalBackend(const Config& c,
                                          std::unique_ptr<CodeSender> sender,
                                          Clock* clock, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_BACKENDS_BACKEND_H_
