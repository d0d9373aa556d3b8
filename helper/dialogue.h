// The registration dialogue as an explicit state machine.
#ifndef SSPR_HELPER_DIALOGUE_H_
#define SSPR_HELPER_DIALOGUE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/clock.h"
#include "helper/conversation.h"
#include "helper/phone_number.h"
#include "protocol/messages.h"

namespace sspr {

class Dialogue {
 public:
  enum class State {
    kChooseMethod,
    kRegion,
    kNumber,
    kChannel,
    kSendCode,
    kEnterCode,
    kAfterVerify,
    kDone,
    kEnd,
  };

  // deadline_ms: monotonic (proto::NowMs) end of the whole dialogue.
  Dialogue(const Config& c, Backend* backend, Conversation* conv,
           Clock* clock, int64_t deadline_ms)
      : c_(c),
        backend_(backend),
        conv_(conv),
        clock_(clock),
        deadline_ms_(deadline_ms) {}

  proto::Result Run(const std::string& user);

 private:
  enum class Ask { kAnswer, kStop };
  // Asks until a clean answer or a stop (conversation failure, timeout,
  // too many invalid answers); on kStop result_ is set.
  Ask AskClean(const std::string& text, size_t max_len, std::string* answer);
  // Counts an invalid answer, shows `text`; false once the bound is hit.
  bool Invalid(const std::string& text);
  void Finish(proto::Outcome o, const std::string& log, bool positive = false);
  void Quit();
  std::vector<std::string> Available() const;

  State ChooseMethod();
  State Region();
  State Number();
  State ChannelChoice();
  State SendCode();
  State EnterCode();
  State AfterVerify();
  State Done();

  const Config& c_;
  Backend* backend_;
  Conversation* conv_;
  Clock* clock_;
  int64_t deadline_ms_;

  std::string user_;
  UserRecord rec_;
  int invalid_ = 0;
  int send_failures_ = 0;
  std::string method_;  // being registered
  std::string region_;
  PhoneInfo phone_;
  Channel channel_ = Channel::kSms;
  std::vector<std::string> summary_;
  proto::Result result_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_DIALOGUE_H_
