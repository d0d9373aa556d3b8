// The registration dialogue as an explicit state machine.
#ifndef SSPR_HELPER_DIALOGUE_H_
#define SSPR_HELPER_DIALOGUE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "common/time.h"
#include "helper/conversation.h"
#include "helper/phone_number.h"
#include "helper/store/policy_state.h"
#include "protocol/messages.h"

namespace sspr {

class Dialogue {
 public:
  enum class State {
    kReconfirm,
    kProve,
    kChooseMethod,
    kEmail,
    kQuestions,
    kRegion,
    kNumber,
    kChannel,
    kSendCode,
    kEnterCode,
    kAfterVerify,
    kDone,
    kEnd,
  };

  // deadline_ms: monotonic (NowMs) end of the whole dialogue.
  Dialogue(const Config& c, Backend* backend, Conversation* conv, Clock* clock,
           int64_t deadline_ms)
      : c_(c),
        backend_(backend),
        conv_(conv),
        clock_(clock),
        deadline_ms_(deadline_ms) {}

  proto::Result Run(const std::string& user);

  // The questions offered for the "questions" method (built-in + admin's).
  void set_questions(std::vector<std::string> q) { questions_ = std::move(q); }
  // Where "later" and reconfirmation are remembered; without it neither is
  // offered.
  void set_policy_store(PolicyStore* p) { policy_store_ = p; }
  // PAM_SILENT: no closing "press Enter" question.
  void set_silent(bool s) { silent_ = s; }

 private:
  enum class Ask { kAnswer, kStop };
  // The first state: kEnd (result set), kReconfirm or kChooseMethod.
  State Start(const std::string& user);
  void RunFrom(State s);
  // Texts are held and go out with the next question (see Finalize).
  void Tell(const std::string& text);
  void TellError(const std::string& text);
  std::string WithHeld(const std::string& prompt);
  void Finalize();
  // Asks until a clean answer or a stop (conversation failure, timeout,
  // too many invalid answers); on kStop result_ is set. `shown_max`: the
  // limit a too-long answer is told about when it is not max_len (bytes
  // taken in versus characters allowed, as for security answers).
  Ask AskClean(const std::string& text, size_t max_len, std::string* answer,
               bool echo = true, size_t shown_max = 0);
  // Counts an invalid answer, shows `text`; false once the bound is hit.
  bool Invalid(const std::string& text);
  bool RefusedDestination();
  // Sets the result (cached only when proto::Cacheable) and returns
  // State::kEnd, the state that follows it.
  State Finish(proto::Outcome o, const std::string& log);
  void Quit();
  std::vector<MethodKind> Available() const;
  bool SnoozeAvailable() const;
  bool ReconfirmDue() const;
  int64_t ReconfirmAt() const;
  std::vector<std::string> Summary() const;
  // Verified: stores `m` and tells the user; false (result set) on failure.
  // With `refused`: a value the service refuses (ValueRefused) sets it and
  // leaves the result to DestinationRefused.
  bool SaveMethod(const Method& m, const std::string& shown,
                  std::string* refused = nullptr);
  // The number or address the user typed was refused by the gateway, relay
  // or service: told, asked again (bounded), FAILED at the bound.
  State DestinationRefused(const std::string& err);
  // Notes a method stored (by SaveMethod or the service) and tells the user.
  void Recorded(const Method& m, const std::string& shown);

  State Reconfirm();
  // helper/dialogue_prove.cc: proof of a registered method before an
  // update, and the notice to what was replaced.
  State Prove();
  int ProveByCode(const Method& m);
  int ProofCodePrompt(const Method& m);
  int ProveByAnswers(const Method& m);
  void SentToAdmin(const std::string& log);
  void NotifyReplaced();
  State ChooseMethod();
  State Email();
  State Questions();
  State AskServiceQuestion();
  State Region();
  enum class Confirm { kYes, kNo, kStop };
  Confirm ConfirmNumber();
  State Number();
  State ChannelChoice();
  State SendCode();
  State EnterCode();
  State AfterVerify();
  State Done();
  // The last code sent went to the method and destination being
  // registered.
  bool CodeWentHere() const {
    return !code_dest_.empty() && code_method_ == method_ &&
           code_dest_ == dest_;
  }
  // Where the destination being registered was typed.
  State DestinationState() const {
    if (method_ == MethodKind::kEmail) return State::kEmail;
    return region_.empty() ? State::kRegion : State::kNumber;
  }

  const Config& c_;
  Backend* backend_;
  Conversation* conv_;
  Clock* clock_;
  int64_t deadline_ms_;

  std::string user_;
  UserRecord rec_;
  int invalid_ = 0;
  int send_failures_ = 0;
  int refused_destinations_ = 0;  // kBadDestination answers, all prompts
  std::vector<std::pair<bool, std::string>> held_;  // (is error, text)
  bool can_prompt_ = true;
  bool visible_answered_ = false;  // an echo-on prompt got an answer
  bool silent_ = false;
  std::vector<std::string> questions_;
  PolicyStore* policy_store_ = nullptr;
  PolicyState policy_;
  bool updating_ = false;               // re-registering at reconfirmation
  std::vector<MethodKind> done_types_;  // verified in this dialogue
  std::vector<Method> replaced_;        // registered before, replaced now
  std::string proof_sent_to_;           // "type value" of the last proof code
  int refused_sends_ = 0;  // destinations refused (cool-down, brake)
  MethodKind method_ = MethodKind::kOther;  // being registered
  std::string region_;
  PhoneInfo phone_;
  std::string dest_;          // where the code goes: E.164 or address
  std::string dest_display_;  // how the user sees it
  Channel channel_ = Channel::kSms;
  MethodKind code_method_ = MethodKind::kOther;  // where the last code went
  std::string code_dest_;
  std::vector<std::string> summary_;
  std::string note_;  // for the log of a registration that stands
  proto::Result result_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_DIALOGUE_H_
