#include "protocol/frame.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "common/time.h"
#include "common/wipe.h"

namespace sspr::proto {

bool IsKnownType(uint8_t t) {
  return t >= static_cast<uint8_t>(Type::kHello) &&
         t <= static_cast<uint8_t>(Type::kSetPasswordResult);
}

const char* TypeName(Type t) {
  switch (t) {
    case Type::kHello:
      return "HELLO";
    case Type::kStart:
      return "START";
    case Type::kPromptEchoOn:
      return "PROMPT_ECHO_ON";
    case Type::kPromptEchoOff:
      return "PROMPT_ECHO_OFF";
    case Type::kInfo:
      return "INFO";
    case Type::kError:
      return "ERROR";
    case Type::kAnswer:
      return "ANSWER";
    case Type::kConvFailed:
      return "CONV_FAILED";
    case Type::kResult:
      return "RESULT";
    case Type::kSetPassword:
      return "SET_PASSWORD";
    case Type::kSetPasswordResult:
      return "SET_PASSWORD_RESULT";
  }
  return "UNKNOWN";
}

bool EncodeFrame(Type type, const std::string& payload, std::string* out,
                 std::string* err) {
  if (payload.size() + 1 > kMaxFrameLength) {
    *err = "frame payload too large";
    return false;
  }
  uint32_t len = static_cast<uint32_t>(payload.size() + 1);
  char hdr[5] = {static_cast<char>((len >> 24) & 0xff),
                 static_cast<char>((len >> 16) & 0xff),
                 static_cast<char>((len >> 8) & 0xff),
                 static_cast<char>(len & 0xff), static_cast<char>(type)};
  out->append(hdr, sizeof(hdr));
  out->append(payload);
  return true;
}

Decoder::~Decoder() { Wipe(&buf_); }

void Decoder::Feed(const char* data, size_t len) { buf_.append(data, len); }

Decoder::Status Decoder::Next(Frame* frame, std::string* err) {
  if (buf_.size() < kHeaderSize) return Status::kNeedMore;
  const auto* p = reinterpret_cast<const unsigned char*>(buf_.data());
  uint32_t len = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                 (uint32_t{p[2]} << 8) | uint32_t{p[3]};
  if (len == 0) {
    *err = "frame with zero length";
    return Status::kError;
  }
  if (len > kMaxFrameLength) {
    *err = "frame length " + std::to_string(len) + " exceeds the limit";
    return Status::kError;
  }
  if (buf_.size() >= kHeaderSize + 1 && !IsKnownType(p[kHeaderSize])) {
    *err = "unknown frame type " + std::to_string(p[kHeaderSize]);
    return Status::kError;
  }
  if (buf_.size() < kHeaderSize + len) return Status::kNeedMore;
  frame->type = static_cast<Type>(p[kHeaderSize]);
  frame->payload.assign(buf_, kHeaderSize + 1, len - 1);
  // Remove the consumed bytes, wiping them first.
  std::fill(buf_.begin(), buf_.begin() + kHeaderSize + len, '\0');
  buf_.erase(0, kHeaderSize + len);
  return Status::kFrame;
}

namespace {
// Waits for fd to become ready for `events`; returns kOk, kTimeout or kError.
IoStatus WaitFd(int fd, short events, int64_t deadline_ms, std::string* err) {
  for (;;) {
    int timeout = -1;
    if (deadline_ms >= 0) {
      int64_t left = deadline_ms - NowMs();
      if (left <= 0) {
        *err = "timed out";
        return IoStatus::kTimeout;
      }
      timeout = static_cast<int>(std::min<int64_t>(left, 1 << 30));
    }
    struct pollfd pfd = {fd, events, 0};
    int r = poll(&pfd, 1, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      *err = std::string("poll: ") + strerror(errno);
      return IoStatus::kError;
    }
    if (r == 0) continue;  // re-check the deadline
    return IoStatus::kOk;
  }
}
}  // namespace

IoStatus ReadFrame(int fd, Decoder* dec, Frame* frame, int64_t deadline_ms,
                   std::string* err) {
  char buf[4096];
  for (;;) {
    switch (dec->Next(frame, err)) {
      case Decoder::Status::kFrame:
        return IoStatus::kOk;
      case Decoder::Status::kError:
        return IoStatus::kError;
      case Decoder::Status::kNeedMore:
        break;
    }
    IoStatus w = WaitFd(fd, POLLIN, deadline_ms, err);
    if (w != IoStatus::kOk) return w;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      *err = std::string("read: ") + strerror(errno);
      return IoStatus::kError;
    }
    if (n == 0) {
      *err = dec->buffered() ? "connection closed inside a frame"
                             : "connection closed";
      return IoStatus::kEof;
    }
    dec->Feed(buf, static_cast<size_t>(n));
    explicit_bzero(buf, sizeof(buf));
  }
}

IoStatus WriteFrame(int fd, Type type, const std::string& payload,
                    int64_t deadline_ms, std::string* err) {
  std::string out;
  if (!EncodeFrame(type, payload, &out, err)) return IoStatus::kError;
  size_t off = 0;
  IoStatus st = IoStatus::kOk;
  while (off < out.size()) {
    st = WaitFd(fd, POLLOUT, deadline_ms, err);
    if (st != IoStatus::kOk) break;
    // Non-blocking send: poll said writable, but a full frame may not fit;
    // the deadline is checked again before each further piece.
    ssize_t n = send(fd, out.data() + off, out.size() - off,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      *err = std::string("send: ") + strerror(errno);
      st = IoStatus::kError;
      break;
    }
    off += static_cast<size_t>(n);
  }
  Wipe(&out);
  return st;
}

}  // namespace sspr::proto
