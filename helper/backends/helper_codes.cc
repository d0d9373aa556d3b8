#include "helper/backends/helper_codes.h"

#include <string.h>

#include "helper/texts.h"

namespace sspr {

HelperCodes::HelperCodes(const Config& c, std::unique_ptr<CodeSender> sender,
                         Clock* clock)
    : c_(c),
      clock_(clock),
      limiter_(c.state_dir, {c.rate_limit, c.rate_window, c.rate_lockout}),
      sender_(std::move(sender)),
      pending_(c.code_ttl, c.max_attempts, c.resend_cooldown) {}

bool HelperCodes::Init(std::string* err) {
  if (!sender_) {
    *err = "no 'delivery' configured: this service sends no codes itself";
    return false;
  }
  return limiter_.Init(err);
}

SendStatus HelperCodes::Send(const std::string& user, const Method& m,
                             Channel ch, int64_t* retry_at, std::string* err) {
  int64_t now = clock_->Now();
  // The cool-down is per destination: a new number or address (a backup
  // method) may get its code at once.
  if (m.value == last_dest_ && pending_.NextSendAt() > now) {
    *retry_at = pending_.NextSendAt();
    return SendStatus::kCooldown;
  }
  bool allowed = false;
  if (!limiter_.TryConsume(user, m.value, now, &allowed, retry_at, err))
    return SendStatus::kLocalError;
  if (!allowed) return SendStatus::kRateLimited;
  std::string code;
  if (!GenerateCode(c_.code_length, &code, err))
    return SendStatus::kLocalError;
  std::string text = CodeMessage(ch, code, c_.code_ttl);
  SendStatus st = sender_->Send(ch, m.value, text, err);
  explicit_bzero(&text[0], text.size());
  if (st == SendStatus::kSent) {
    pending_.Set(code, now);
    last_dest_ = m.value;
  }
  explicit_bzero(&code[0], code.size());
  return st == SendStatus::kSent || st == SendStatus::kBadDestination
             ? st
             : SendStatus::kError;
}

CheckStatus HelperCodes::Check(const std::string& typed, int* attempts_left) {
  PendingCode::Check r = pending_.Verify(typed, clock_->Now());
  *attempts_left = pending_.attempts_left();
  switch (r) {
    case PendingCode::Check::kOk: return CheckStatus::kOk;
    case PendingCode::Check::kWrong: return CheckStatus::kWrong;
    case PendingCode::Check::kExpired: return CheckStatus::kExpired;
    case PendingCode::Check::kTooMany: return CheckStatus::kTooMany;
    case PendingCode::Check::kNoCode: return CheckStatus::kNoCode;
  }
  return CheckStatus::kNoCode;
}

}  // namespace sspr
