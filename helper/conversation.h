// What the dialogue needs from the login conversation. The real one relays
// frames to the module (module_channel.h); tests script it.
#ifndef SSPR_HELPER_CONVERSATION_H_
#define SSPR_HELPER_CONVERSATION_H_

#include <cstdint>
#include <string>

namespace sspr {

class Conversation {
 public:
  enum class Reply { kOk, kConvFailed, kTimeout, kClosed };
  virtual ~Conversation() = default;
  // Asks one question; waits at most until deadline_ms (monotonic ms).
  virtual Reply Prompt(bool echo, const std::string& text, int64_t deadline_ms,
                       std::string* answer) = 0;
  virtual bool Info(const std::string& text) = 0;
  virtual bool Error(const std::string& text) = 0;
};

}  // namespace sspr

#endif  // SSPR_HELPER_CONVERSATION_H_
