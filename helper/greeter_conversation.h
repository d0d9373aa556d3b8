// Texts for a graphical greeter: LightDM (and SDDM or XDM on X), which set
// PAM_TTY to the X display (":0") while they authenticate.
//
// lightdm-gtk-greeter, LightDM's usual greeter, draws one label:
//   - every message replaces it, so of several only the last is seen;
//   - a prompt's own text is shown only when no message came since the
//     person's last answer (the first, password prompt never);
//   - when the login then fails, a label holding an error message is
//     replaced by "Your password is incorrect. Please try again.": only an
//     info message survives.
// Its label keeps the lines of a text, and LightDM passes UTF-8 through,
// so no folding is needed (as it is for Cockpit, web_text.h). A QR code is
// never sent: the label's font is proportional.
#ifndef SSPR_HELPER_GREETER_CONVERSATION_H_
#define SSPR_HELPER_GREETER_CONVERSATION_H_

#include <cstdint>
#include <string>

#include "helper/conversation.h"

namespace sspr {

// True when START's tty (PAM_TTY) is an X display: a graphical greeter.
bool IsGreeterClient(const std::string& tty);

// Holds every info and error text and puts it, one line block each, in
// front of the next prompt's text, so a step is one prompt the greeter
// shows whole. What is left at the end goes out by Flush() as one INFO.
class GreeterConversation : public Conversation {
 public:
  explicit GreeterConversation(Conversation* inner) : inner_(inner) {}
  Reply Prompt(bool echo, const std::string& text, int64_t deadline_ms,
               std::string* answer) override;
  bool Info(const std::string& text) override;
  bool Error(const std::string& text) override;
  // Sends the held texts as one INFO message (none when nothing is held).
  bool Flush();

 private:
  Conversation* inner_;
  std::string held_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_GREETER_CONVERSATION_H_
