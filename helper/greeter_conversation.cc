#include "helper/greeter_conversation.h"

#include "config/scope.h"

namespace sspr {

bool IsGreeterClient(const std::string& tty) { return IsDisplay(tty); }

Conversation::Reply GreeterConversation::Prompt(bool echo,
                                                const std::string& text,
                                                int64_t deadline_ms,
                                                std::string* answer) {
  std::string shown = held_ + text;
  held_.clear();
  return inner_->Prompt(echo, shown, deadline_ms, answer);
}

bool GreeterConversation::Info(const std::string& text) {
  held_ += text + "\n";
  return true;
}

// An error is held like an info text: at the end it must go out as INFO,
// the one kind lightdm-gtk-greeter keeps after a failed login.
bool GreeterConversation::Error(const std::string& text) { return Info(text); }

bool GreeterConversation::Flush() {
  if (held_.empty()) return true;
  std::string text = held_.substr(0, held_.size() - 1);  // the last "\n"
  held_.clear();
  return inner_->Info(text);
}

}  // namespace sspr
