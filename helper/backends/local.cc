// The embedded local backend.
#include <string.h>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/code.h"
#include "helper/rate_limit.h"
#include "helper/texts.h"

namespace sspr {
namespace {

class LocalBackend : public Backend {
 public:
  LocalBackend(const Config& c, std::unique_ptr<CodeSender> sender, Clock* clock)
      : c_(c),
        clock_(clock),
        store_(c.state_dir),
        limiter_(c.state_dir, {c.rate_limit, c.rate_window, c.rate_lockout}),
        sender_(std::move(sender)),
        pending_(c.code_ttl, c.max_attempts, c.resend_cooldown) {}

  bool Init(std::string* err) {
    return store_.Init(err) && limiter_.Init(err);
  }

  bool Lookup(const std::string& user, UserRecord* rec,
              std::string* err) override {
    bool found = false;
    if (!store_.Load(user, rec, &found, err)) return false;
    if (!found) *rec = UserRecord{user, {}, 0, 0};
    return true;
  }

  SendStatus SendCode(const std::string& user, const Method& m, Channel ch,
                      int64_t* retry_at, std::string* err) override {
    int64_t now = clock_->Now();
    // The cool-down is per destination: a new number or address (a backup
    // method) may get its code at once.
    if (m.value == last_dest_ && pending_.NextSendAt() > now) {
      *retry_at = pending_.NextSendAt();
      return SendStatus::kCooldown;
    }
    bool allowed = false;
    if (!limiter_.TryConsume(user, m.value, now, &allowed, retry_at, err))
      return SendStatus::kError;
    if (!allowed) return SendStatus::kRateLimited;
    std::string code;
    if (!GenerateCode(c_.code_length, &code, err)) return SendStatus::kError;
    std::string text = CodeMessage(ch, code, c_.code_ttl);
    bool ok = sender_->Send(ch, m.value, text, err);
    explicit_bzero(&text[0], text.size());
    if (ok) {
      pending_.Set(code, now);
      last_dest_ = m.value;
    }
    explicit_bzero(&code[0], code.size());
    return ok ? SendStatus::kSent : SendStatus::kError;
  }

  CheckStatus CheckCode(const std::string& typed, int* attempts_left,
                        std::string*) override {
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

  bool Save(const std::string& user, const Method& m,
            std::string* err) override {
    return store_.AddMethod(user, m, clock_->Now(), err);
  }

 private:
  const Config& c_;
  Clock* clock_;
  UserStore store_;
  RateLimiter limiter_;
  std::unique_ptr<CodeSender> sender_;
  PendingCode pending_;
  std::string last_dest_;  // where the pending code went
};

}  // namespace

std::unique_ptr<Backend> MakeLocalBackend(const Config& c,
                                          std::unique_ptr<CodeSender> sender,
                                          Clock* clock, std::string* err) {
  auto b = std::make_unique<LocalBackend>(c, std::move(sender), clock);
  if (!b->Init(err)) return nullptr;
  return b;
}

}  // namespace sspr
