#include "helper/backends/helper_codes.h"

#include <string.h>

#include "helper/email_address.h"
#include "helper/phone_number.h"
#include "helper/texts.h"

namespace sspr {

std::string MaskDestination(const std::string& value) {
  return value.find('@') != std::string::npos ? MaskEmail(value)
                                              : MaskPhone(value);
}

HelperCodes::HelperCodes(const Config& c, std::unique_ptr<CodeSender> sender,
                         Clock* clock)
    : c_(c),
      clock_(clock),
      limiter_(c.state_dir, {c.rate_limit, c.rate_window, c.rate_lockout,
                             c.rate_user_limit, c.rate_number_limit}),
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
  if (m.type == last_type_ && m.value == last_dest_ &&
      pending_.NextSendAt() > now) {
    *retry_at = pending_.NextSendAt();
    return SendStatus::kCooldown;
  }
  RateVerdict verdict = RateVerdict::kLimited;
  if (!limiter_.TryConsume(user, m.value, now, &verdict, retry_at, err))
    return SendStatus::kLocalError;
  if (verdict == RateVerdict::kDestBusy) return SendStatus::kDestBusy;
  if (verdict != RateVerdict::kAllowed) return SendStatus::kRateLimited;
  std::string code;
  if (!GenerateCode(c_.code_length, &code, err)) return SendStatus::kLocalError;
  std::string text = CodeMessage(ch, code, c_.code_ttl);
  SendStatus st = sender_->Send(ch, m.value, text, err);
  explicit_bzero(text.data(), text.size());
  if (st == SendStatus::kSent) {
    pending_.Set(code, now);
    last_type_ = m.type;
    last_dest_ = m.value;
    verified_type_.clear();
    verified_dest_.clear();
  }
  explicit_bzero(code.data(), code.size());
  return st == SendStatus::kSent || st == SendStatus::kBadDestination
             ? st
             : SendStatus::kError;
}

CheckStatus HelperCodes::Check(const std::string& typed, int* attempts_left) {
  PendingCode::Check r = pending_.Verify(typed, clock_->Now());
  *attempts_left = pending_.attempts_left();
  switch (r) {
    case PendingCode::Check::kOk:
      verified_type_ = last_type_;
      verified_dest_ = last_dest_;
      return CheckStatus::kOk;
    case PendingCode::Check::kWrong:
      return CheckStatus::kWrong;
    case PendingCode::Check::kExpired:
      return CheckStatus::kExpired;
    case PendingCode::Check::kTooMany:
      return CheckStatus::kTooMany;
    case PendingCode::Check::kNoCode:
      return CheckStatus::kNoCode;
  }
  return CheckStatus::kNoCode;
}

bool HelperCodes::TakeVerified(const Method& m, std::string* err) {
  bool ok = !verified_dest_.empty() && m.type == verified_type_ &&
            m.value == verified_dest_;
  if (!ok)
    *err = "refused to store " + m.type + " " + MaskDestination(m.value) +
           ": no code sent to it was verified" +
           (verified_dest_.empty()
                ? std::string()
                : " (the verified code went to " + verified_type_ + " " +
                      MaskDestination(verified_dest_) + ")");
  verified_type_.clear();
  verified_dest_.clear();
  return ok;
}

bool HelperCodes::Notify(Channel ch, const std::string& to,
                         const std::string& text, std::string* err) {
  if (!sender_) {
    *err = "no 'delivery' configured";
    return false;
  }
  return sender_->Send(ch, to, text, err) == SendStatus::kSent;
}

}  // namespace sspr
