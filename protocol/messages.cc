#include "protocol/messages.h"

#include "protocol/frame.h"

namespace sspr::proto {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kRegistered:
      return "registered";
    case Outcome::kRegisteredNow:
      return "registered-now";
    case Outcome::kNotApplicable:
      return "not-applicable";
    case Outcome::kBlocked:
      return "blocked";
    case Outcome::kDeferred:
      return "deferred";
    case Outcome::kUnavailable:
      return "unavailable";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kPasswordReset:
      return "password-reset";
  }
  return "unknown";
}

void Writer::U16(uint16_t v) {
  U8(static_cast<uint8_t>(v >> 8));
  U8(static_cast<uint8_t>(v & 0xff));
}

void Writer::U32(uint32_t v) {
  U16(static_cast<uint16_t>(v >> 16));
  U16(static_cast<uint16_t>(v & 0xffff));
}

void Writer::Str(const std::string& s) {
  size_t n = s.size() > kMaxField ? kMaxField : s.size();
  U16(static_cast<uint16_t>(n));
  out_.append(s, 0, n);
}

bool Reader::U8(uint8_t* v) {
  if (pos_ + 1 > in_.size()) return false;
  *v = static_cast<uint8_t>(in_[pos_++]);
  return true;
}

bool Reader::U16(uint16_t* v) {
  uint8_t a, b;
  if (!U8(&a) || !U8(&b)) return false;
  *v = static_cast<uint16_t>((a << 8) | b);
  return true;
}

bool Reader::U32(uint32_t* v) {
  uint16_t a, b;
  if (!U16(&a) || !U16(&b)) return false;
  *v = (uint32_t{a} << 16) | b;
  return true;
}

bool Reader::Str(std::string* s) {
  uint16_t n;
  if (!U16(&n) || n > kMaxField || pos_ + n > in_.size()) return false;
  s->assign(in_, pos_, n);
  pos_ += n;
  return true;
}

std::string EncodeStart(const Start& s) {
  Writer w;
  w.U8(s.version);
  w.Str(s.user);
  w.Str(s.service);
  w.Str(s.rhost);
  w.Str(s.tty);
  w.Str(s.lang);
  w.U8(s.flags);
  w.Str(s.conf);
  size_t n = s.args.size() > kMaxArgs ? kMaxArgs : s.args.size();
  w.U16(static_cast<uint16_t>(n));
  for (size_t i = 0; i < n; ++i) w.Str(s.args[i]);
  return w.data();
}

bool DecodeStart(const std::string& payload, Start* s, std::string* err) {
  Reader r(payload);
  uint16_t nargs = 0;
  if (!r.U8(&s->version)) {
    *err = "START: truncated";
    return false;
  }
  if (s->version != kVersion) {
    *err = "START: protocol version " + std::to_string(s->version) +
           " not supported";
    return false;
  }
  if (!r.Str(&s->user) || !r.Str(&s->service) || !r.Str(&s->rhost) ||
      !r.Str(&s->tty) || !r.Str(&s->lang) || !r.U8(&s->flags) ||
      !r.Str(&s->conf) || !r.U16(&nargs)) {
    *err = "START: truncated or malformed";
    return false;
  }
  if (nargs > kMaxArgs) {
    *err = "START: too many arguments";
    return false;
  }
  s->args.clear();
  for (uint16_t i = 0; i < nargs; ++i) {
    std::string a;
    if (!r.Str(&a)) {
      *err = "START: truncated argument";
      return false;
    }
    s->args.push_back(a);
  }
  if (!r.AtEnd()) {
    *err = "START: trailing bytes";
    return false;
  }
  if (s->user.empty()) {
    *err = "START: empty user";
    return false;
  }
  return true;
}

std::string EncodeResult(const Result& r) {
  Writer w;
  w.U8(static_cast<uint8_t>(r.outcome));
  w.U32(r.cache_ttl);
  w.Str(r.log);
  return w.data();
}

bool DecodeResult(const std::string& payload, Result* res, std::string* err) {
  Reader r(payload);
  uint8_t o;
  if (!r.U8(&o) || !r.U32(&res->cache_ttl) || !r.Str(&res->log) || !r.AtEnd()) {
    *err = "RESULT: truncated or malformed";
    return false;
  }
  if (o < static_cast<uint8_t>(Outcome::kRegistered) ||
      o > static_cast<uint8_t>(Outcome::kPasswordReset)) {
    *err = "RESULT: unknown outcome " + std::to_string(o);
    return false;
  }
  res->outcome = static_cast<Outcome>(o);
  return true;
}

const char* SetPasswordProblem(const std::string& password) {
  if (password.empty()) return "empty password";
  if (password.size() > kMaxSetPassword)
    return "password longer than 512 bytes";
  if (password.find('\0') != std::string::npos)
    return "password with a NUL byte";
  return nullptr;
}

std::string EncodeSetPasswordRequest(const SetPasswordRequest& r) {
  Writer w;
  w.Str(r.user);
  w.Str(r.service);
  w.Str(r.password);
  return w.data();
}

bool DecodeSetPasswordRequest(const std::string& payload, SetPasswordRequest* r,
                              std::string* err) {
  Reader rd(payload);
  if (!rd.Str(&r->user) || !rd.Str(&r->service) || !rd.Str(&r->password) ||
      !rd.AtEnd()) {
    *err = "SET_PASSWORD: truncated or malformed";
    return false;
  }
  if (r->user.empty() || r->service.empty() || r->password.empty()) {
    *err = "SET_PASSWORD: empty user, service or password";
    return false;
  }
  return true;
}

std::string EncodeSetPasswordResult(const SetPasswordResult& r) {
  Writer w;
  w.U8(static_cast<uint8_t>(r.status));
  w.Str(r.message);
  return w.data();
}

bool DecodeSetPasswordResult(const std::string& payload, SetPasswordResult* r,
                             std::string* err) {
  Reader rd(payload);
  uint8_t st = 0;
  if (!rd.U8(&st) || !rd.Str(&r->message) || !rd.AtEnd()) {
    *err = "SET_PASSWORD_RESULT: truncated or malformed";
    return false;
  }
  if (st < static_cast<uint8_t>(SetStatus::kDone) ||
      st > static_cast<uint8_t>(SetStatus::kNotAllowed)) {
    *err = "SET_PASSWORD_RESULT: unknown status " + std::to_string(st);
    return false;
  }
  r->status = static_cast<SetStatus>(st);
  return true;
}

std::string EncodeHello() {
  Writer w;
  w.U8(kVersion);
  return w.data();
}

bool DecodeHello(const std::string& payload, uint8_t* version,
                 std::string* err) {
  Reader r(payload);
  if (!r.U8(version) || !r.AtEnd()) {
    *err = "HELLO: malformed";
    return false;
  }
  if (*version != kVersion) {
    *err = "HELLO: protocol version " + std::to_string(*version) +
           " not supported";
    return false;
  }
  return true;
}

}  // namespace sspr::proto
