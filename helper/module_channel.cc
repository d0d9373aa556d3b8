#include "helper/module_channel.h"

#include "common/time.h"

namespace sspr {
namespace {
constexpr int64_t kWriteTimeoutMs = 10000;
}

bool ModuleChannel::Send(proto::Type t, const std::string& payload) const {
  std::string err;
  return proto::WriteFrame(fd_, t, payload, NowMs() + kWriteTimeoutMs, &err) ==
         proto::IoStatus::kOk;
}

bool ModuleChannel::Hello(std::string* err) {
  if (Send(proto::Type::kHello, proto::EncodeHello())) return true;
  *err = "cannot send HELLO";
  return false;
}

bool ModuleChannel::ReadStart(proto::Start* start, int64_t deadline_ms,
                              std::string* err) {
  proto::Frame f;
  if (proto::ReadFrame(fd_, &dec_, &f, deadline_ms, err) !=
      proto::IoStatus::kOk)
    return false;
  if (f.type != proto::Type::kStart) {
    *err = std::string("expected START, got ") + proto::TypeName(f.type);
    return false;
  }
  return proto::DecodeStart(f.payload, start, err);
}

bool ModuleChannel::SendResult(const proto::Result& r) {
  return Send(proto::Type::kResult, proto::EncodeResult(r));
}

proto::SetPasswordResult ModuleChannel::SetPassword(const std::string& password,
                                                    int64_t deadline_ms) {
  proto::SetPasswordResult r;
  std::string err;
  if (proto::WriteFrame(fd_, proto::Type::kSetPassword, password, deadline_ms,
                        &err) != proto::IoStatus::kOk)
    return r;
  proto::Frame f;
  if (proto::ReadFrame(fd_, &dec_, &f, deadline_ms, &err) !=
          proto::IoStatus::kOk ||
      f.type != proto::Type::kSetPasswordResult ||
      !proto::DecodeSetPasswordResult(f.payload, &r, &err)) {
    r = proto::SetPasswordResult();
    r.message.clear();
  }
  return r;
}

Conversation::Reply ModuleChannel::Prompt(bool echo, const std::string& text,
                                          int64_t deadline_ms,
                                          std::string* answer) {
  if (!Send(echo ? proto::Type::kPromptEchoOn : proto::Type::kPromptEchoOff,
            text))
    return Reply::kClosed;
  proto::Frame f;
  std::string err;
  switch (proto::ReadFrame(fd_, &dec_, &f, deadline_ms, &err)) {
    case proto::IoStatus::kOk:
      break;
    case proto::IoStatus::kTimeout:
      return Reply::kTimeout;
    default:
      return Reply::kClosed;
  }
  if (f.type == proto::Type::kConvFailed) return Reply::kConvFailed;
  if (f.type != proto::Type::kAnswer) return Reply::kClosed;
  *answer = std::move(f.payload);
  return Reply::kOk;
}

bool ModuleChannel::Info(const std::string& text) {
  return Send(proto::Type::kInfo, text);
}

bool ModuleChannel::Error(const std::string& text) {
  return Send(proto::Type::kError, text);
}

}  // namespace sspr
