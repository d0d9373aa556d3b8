// Sending a code: the "text message" or "phone call".
#ifndef SSPR_HELPER_DELIVERY_H_
#define SSPR_HELPER_DELIVERY_H_

#include <cstdint>
#include <memory>
#include <string>

namespace sspr {

enum class Channel { kSms, kVoice, kEmail };
const char* ChannelName(Channel c);  // "sms" | "voice" | "email"

class CodeSender {
 public:
  virtual ~CodeSender() = default;
  // `to` is E.164 (sms, voice) or an address checked by ValidateEmail
  // (email); `text` contains the code. Never logs the text.
  virtual bool Send(Channel ch, const std::string& to, const std::string& text,
                    std::string* err) = 0;
};

// delivery = outbox:PATH — appends one JSON line
//   {"time":"2026-11-25T02:19:59Z","channel":"sms","to":"+1...","text":"..."}
//   with O_APPEND under flock, file mode 0600.
// delivery = command:PATH — execs PATH with argv {PATH, channel, to}, the
//   text on stdin, empty environment, no shell, killed after timeout_s.
// Returns nullptr and *err for an unusable spec.
std::unique_ptr<CodeSender> MakeSender(const std::string& spec, int timeout_s,
                                       std::string* err);

// sms and voice go to `delivery`; e-mail to `email_delivery`, or to
// `delivery` when that is empty.
std::unique_ptr<CodeSender> MakeChannelSender(const std::string& delivery,
                                              const std::string& email_delivery,
                                              int timeout_s, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_DELIVERY_H_
