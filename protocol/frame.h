// Framed wire protocol between pam_sspr.so and sspr-helper.
// Frame = u32 length (big-endian, of type+payload) | u8 type | payload.
#ifndef SSPR_PROTOCOL_FRAME_H_
#define SSPR_PROTOCOL_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/time.h"

namespace sspr::proto {

// 2: the reset at the login prompt (START flag kFlagReset, SET_PASSWORD,
// SET_PASSWORD_RESULT, outcome PASSWORD_RESET); version 1's frames unchanged.
constexpr uint8_t kVersion = 2;
constexpr uint32_t kMaxFrameLength = 64 * 1024;  // of type + payload
constexpr size_t kHeaderSize = 4;
// The helper's end of the socketpair, a fixed descriptor.
constexpr int kHelperFd = 3;

enum class Type : uint8_t {
  kHello = 1,          // helper -> module: u8 version
  kStart = 2,          // module -> helper: see messages.h
  kPromptEchoOn = 3,   // helper -> module: text
  kPromptEchoOff = 4,  // helper -> module: text
  kInfo = 5,           // helper -> module: text
  kError = 6,          // helper -> module: text
  kAnswer = 7,         // module -> helper: text
  kConvFailed = 8,     // module -> helper: empty
  kResult = 9,         // helper -> module: see messages.h
  // Reset only (START had kFlagReset), local backend: the new password,
  // which the module sets for its own PAM user through sspr-setpass.
  kSetPassword = 10,        // helper -> module: the password (wiped)
  kSetPasswordResult = 11,  // module -> helper: see messages.h
};

bool IsKnownType(uint8_t t);
const char* TypeName(Type t);

struct Frame {
  Type type = Type::kInfo;
  std::string payload;
};

// Appends the encoded frame to *out. Fails when the payload is too large.
bool EncodeFrame(Type type, const std::string& payload, std::string* out,
                 std::string* err);

// Incremental decoder: bytes go in as they arrive, whole frames come out.
// The length is checked before any payload is buffered.
class Decoder {
 public:
  enum class Status { kNeedMore, kFrame, kError };
  // Adds bytes to the internal buffer (at most one frame's worth is kept).
  void Feed(const char* data, size_t len);
  // Extracts the next whole frame, if any.
  Status Next(Frame* frame, std::string* err);
  size_t buffered() const { return buf_.size(); }
  ~Decoder();

 private:
  std::string buf_;
};

enum class IoStatus { kOk, kEof, kTimeout, kError };

// Reads one frame from fd, waiting at most until deadline_ms (NowMs() base;
// a negative deadline waits forever).
IoStatus ReadFrame(int fd, Decoder* dec, Frame* frame, int64_t deadline_ms,
                   std::string* err);
// Writes a whole frame to a socket; EPIPE and friends (and a descriptor
// that is not a socket) are kError. Never blocks past deadline_ms.
IoStatus WriteFrame(int fd, Type type, const std::string& payload,
                    int64_t deadline_ms, std::string* err);

}  // namespace sspr::proto

#endif  // SSPR_PROTOCOL_FRAME_H_
