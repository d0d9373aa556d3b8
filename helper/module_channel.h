// The helper's end of the framed protocol, as a Conversation.
#ifndef SSPR_HELPER_MODULE_CHANNEL_H_
#define SSPR_HELPER_MODULE_CHANNEL_H_

#include <string>

#include "helper/conversation.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

namespace sspr {

class ModuleChannel : public Conversation {
 public:
  explicit ModuleChannel(int fd) : fd_(fd) {}
  bool Hello(std::string* err);
  bool ReadStart(proto::Start* start, int64_t deadline_ms, std::string* err);
  bool SendResult(const proto::Result& r);
  // A reset's new password to the module (SET_PASSWORD), which sets it for
  // its own PAM user; its answer, or kFailed when none came in time.
  proto::SetPasswordResult SetPassword(const std::string& password,
                                       int64_t deadline_ms);

  Reply Prompt(bool echo, const std::string& text, int64_t deadline_ms,
               std::string* answer) override;
  bool Info(const std::string& text) override;
  bool Error(const std::string& text) override;

 private:
  bool Send(proto::Type t, const std::string& payload) const;
  int fd_;
  proto::Decoder dec_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_MODULE_CHANNEL_H_
