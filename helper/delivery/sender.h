// Sending a code: the "text message" or "phone call".
#ifndef SSPR_HELPER_DELIVERY_SENDER_H_
#define SSPR_HELPER_DELIVERY_SENDER_H_

#include <cstdint>
#include <memory>
#include <string>

namespace sspr {

enum class Channel { kSms, kVoice, kEmail };
const char* ChannelName(Channel c);  // "sms" | "voice" | "email"
// "sms" | "voice" | "email" to a Channel; false for anything else.
bool ChannelFromName(const std::string& name, Channel* c);

// How sending a code went. A CodeSender returns kSent, kBadDestination or
// kError; a backend any of them.
enum class SendStatus {
  kSent,
  kCooldown,        // too soon after the previous code; retry_at set
  kRateLimited,     // this user's limit (overall or to this destination)
                    // hit; retry_at set
  kDestBusy,        // the destination got too many codes from all users (an
                    // abuse brake): another one, or after retry_at
  kBadDestination,  // the number or address the user typed was refused (a
                    // delivery command's exit 65, an SMTP 5xx to RCPT TO, a
                    // service's 400/422 about the value): the user's input,
                    // so they are told and asked again, and it ends FAILED
  kError,           // delivery or service failure: the user may try again
  kLocalError,      // this host's state (state_dir full or read-only, no
                    // randomness): trying again cannot help
};

// The one check of a destination, for what the user typed (the dialogue's
// ParsePhone and ValidateEmail produce only values it accepts) and for
// every sender and the launcher: E.164 as ParsePhone formats it, a number
// that can take the channel; an address exactly as ValidateEmail
// normalizes it. Never an option to a command (no leading '-').
bool ValidDestination(Channel ch, const std::string& to);

class CodeSender {
 public:
  virtual ~CodeSender() = default;
  // `to` passes ValidDestination; `text` contains the code. Never logs the
  // text. Returns kSent, kBadDestination or kError (with *err).
  virtual SendStatus Send(Channel ch, const std::string& to,
                          const std::string& text, std::string* err) = 0;
};

// delivery = outbox:PATH — appends one JSON line
//   {"time":"2026-11-25T02:19:59Z","channel":"sms","to":"+1...","text":"..."}
//   with O_APPEND under flock, file mode 0600.
// delivery = command:PATH — execs PATH with argv {PATH, channel, to}, the
//   text on stdin, empty environment, no shell, killed after timeout_s.
//   Exit 0: sent; 65 (EX_DATAERR): the destination is refused; anything
//   else (or a signal, or the timeout): a temporary failure. PATH and every
//   folder above it must be owned by root and not writable by group or
//   others (CheckCommandPath).
// Returns nullptr and *err for an unusable spec.
// The delivery command's exit statuses.
constexpr int kCommandSent = 0;
constexpr int kCommandBadDestination = 65;  // EX_DATAERR, sysexits.h

// PATH is an absolute path to an executable regular file and PATH and
// every folder above it (symlinks resolved) are owned by root and writable
// by neither group nor others, as sudo checks its plugins: whoever could
// replace it would receive every code. *err names the offending path.
bool CheckCommandPath(const std::string& path, std::string* err);

std::unique_ptr<CodeSender> MakeSender(const std::string& spec, int timeout_s,
                                       std::string* err);

// sms and voice go to `delivery`; e-mail to `email_delivery`, or to
// `delivery` when that is empty.
std::unique_ptr<CodeSender> MakeChannelSender(const std::string& delivery,
                                              const std::string& email_delivery,
                                              int timeout_s, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_DELIVERY_SENDER_H_
