// Texts for a login page in a web browser (Cockpit).
//
// Cockpit's login page loses what a terminal shows: cockpit-session writes
// info and error texts into its JSON with every non-ASCII byte as "?", the
// page decodes a prompt with atob() (Latin-1, so UTF-8 "•" shows as
// "â€¢"), and it shows each text with white space collapsed, so the lines
// of a menu run together. So for such a client the helper sends plain
// ASCII: accents dropped, common symbols spelled out, and lines joined
// into one paragraph whose parts stay apart ("; ").
#ifndef SSPR_HELPER_WEB_TEXT_H_
#define SSPR_HELPER_WEB_TEXT_H_

#include <cstdint>
#include <string>

#include "helper/conversation.h"

namespace sspr {

// PAM services whose client is a web page (today: "cockpit").
bool IsWebService(const std::string& service);

// `text` (UTF-8) as one line of printable ASCII: NFKD without combining
// marks, a few letters and symbols spelled out ("ß" "ss", "•" "*", quotes
// as '), anything else left out; '"' and '\' (which cockpit-session
// copies into JSON unescaped in its last error) become ' and /. Lines are
// trimmed and joined with " " after a line that ends in . : ! ? ; , and
// with "; " otherwise; empty lines are dropped, and so is the "- " that
// starts a list's entry. The last line keeps its trailing blank (a
// prompt's "Choice [1]: ").
std::string WebText(const std::string& text);

// Passes every text through WebText on its way to `inner`.
class WebConversation : public Conversation {
 public:
  explicit WebConversation(Conversation* inner) : inner_(inner) {}
  Reply Prompt(bool echo, const std::string& text, int64_t deadline_ms,
               std::string* answer) override {
    return inner_->Prompt(echo, WebText(text), deadline_ms, answer);
  }
  bool Info(const std::string& text) override {
    return inner_->Info(WebText(text));
  }
  bool Error(const std::string& text) override {
    return inner_->Error(WebText(text));
  }

 private:
  Conversation* inner_;
};

}  // namespace sspr

#endif  // SSPR_HELPER_WEB_TEXT_H_
