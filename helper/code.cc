#include "helper/code.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "common/time.h"

namespace sspr {

bool GenerateCode(int len, std::string* code, std::string* err) {
  code->clear();
  while (static_cast<int>(code->size()) < len) {
    unsigned char buf[32];
    ssize_t n = getrandom(buf, sizeof(buf), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = std::string("getrandom: ") + strerror(errno);
      return false;
    }
    for (ssize_t i = 0; i < n && static_cast<int>(code->size()) < len; ++i) {
      if (buf[i] >= 250) continue;  // 250 = 25*10: keeps digits uniform
      code->push_back(static_cast<char>('0' + buf[i] % 10));
    }
    explicit_bzero(buf, sizeof(buf));
  }
  return true;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i)
    diff = static_cast<unsigned char>(diff | (a[i] ^ b[i]));
  return diff == 0;
}

std::string DigitsOnly(const std::string& s) {
  std::string out;
  for (char ch : s)
    if (ch >= '0' && ch <= '9') out.push_back(ch);
  return out;
}

PendingCode::PendingCode(int ttl, int max_attempts, int cooldown,
                         MonoMs mono_ms)
    : ttl_(ttl),
      max_attempts_(max_attempts),
      cooldown_(cooldown),
      mono_ms_(mono_ms != nullptr ? mono_ms : NowMs) {}

PendingCode::~PendingCode() { Clear(); }

int64_t PendingCode::NextSendAt() const {
  if (sent_at_ == 0) return 0;
  if (mono_ms_() - sent_mono_ms_ >= int64_t{cooldown_} * 1000) return 0;
  return sent_at_ + cooldown_;
}

void PendingCode::Clear() {
  if (!code_.empty()) explicit_bzero(code_.data(), code_.size());
  code_.clear();
}

void PendingCode::Set(const std::string& code, int64_t now) {
  Clear();
  code_ = code;
  sent_at_ = now;
  sent_mono_ms_ = mono_ms_();
  // Wrong attempts count across resends: a new code buys no new tries.
}

PendingCode::Check PendingCode::Verify(const std::string& typed, int64_t now) {
  if (code_.empty()) return Check::kNoCode;
  if (now >= sent_at_ + ttl_ ||
      mono_ms_() - sent_mono_ms_ >= int64_t{ttl_} * 1000) {
    Clear();
    return Check::kExpired;
  }
  if (ConstantTimeEquals(typed, code_)) {
    Clear();
    return Check::kOk;
  }
  if (++attempts_ >= max_attempts_) {
    Clear();
    return Check::kTooMany;
  }
  return Check::kWrong;
}

}  // namespace sspr
