// Payloads of the structured frames (HELLO, START, RESULT).
// Fields are u8/u32 big-endian integers and strings as u16 length + bytes.
#ifndef SSPR_PROTOCOL_MESSAGES_H_
#define SSPR_PROTOCOL_MESSAGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/frame.h"

namespace sspr::proto {

constexpr size_t kMaxField = 4096;       // any one string field
constexpr size_t kMaxArgs = 64;          // module arguments passed on
constexpr uint8_t kFlagSilent = 1;       // PAM_SILENT was given
constexpr uint8_t kFlagInteractive = 2;  // the application has a conversation
// A non-interactive caller checked with noninteractive = check: no prompt,
// no message; the helper answers by policy.
constexpr uint8_t kFlagCannotPrompt = 4;
// pam_sm_authenticate after a wrong password: the reset dialogue
// (helper/reset_dialogue.h) instead of the registration.
constexpr uint8_t kFlagReset = 8;

struct Start {
  uint8_t version = kVersion;
  std::string user, service, rhost, tty, lang;
  uint8_t flags = 0;
  std::string conf;               // config file path the module used
  std::vector<std::string> args;  // module arguments, key=value
};

enum class Outcome : uint8_t {
  kRegistered = 1,     // already registered
  kRegisteredNow = 2,  // registered in this dialogue
  kNotApplicable = 3,
  kBlocked = 4,
  kDeferred = 5,       // warn / snooze accepted
  kUnavailable = 6,    // service or configuration problem
  kFailed = 7,         // gave up / too many attempts
  kPasswordReset = 8,  // reset: the password was changed (login still fails)
};
const char* OutcomeName(Outcome o);
// The outcomes that let the user in (PAM_SUCCESS): the one list the module
// and the helper both ask.
constexpr bool LetsIn(Outcome o) {
  return o == Outcome::kRegistered || o == Outcome::kRegisteredNow ||
         o == Outcome::kDeferred;
}
// The outcomes the status cache may remember: the user has registered.
constexpr bool Cacheable(Outcome o) {
  return o == Outcome::kRegistered || o == Outcome::kRegisteredNow;
}

struct Result {
  Outcome outcome = Outcome::kUnavailable;
  uint32_t cache_ttl = 0;  // seconds the module may cache a positive answer
  std::string log;         // one line for syslog, never secret
};

std::string EncodeStart(const Start& s);
bool DecodeStart(const std::string& payload, Start* s, std::string* err);
std::string EncodeResult(const Result& r);
bool DecodeResult(const std::string& payload, Result* r, std::string* err);
// SET_PASSWORD_RESULT: how the module's sspr-setpass run ended.
enum class SetStatus : uint8_t {
  kDone = 1,        // the password is set
  kRefused = 2,     // the password stack refused it (quality): ask again
  kFailed = 3,      // nothing changed (the stack or sspr-setpass failed)
  kNotAllowed = 4,  // the service never resets this account here
                    // (graph: privileged or federated); told, not retried
};
struct SetPasswordResult {
  SetStatus status = SetStatus::kFailed;
  std::string message;  // the stack's words, for the person (no secret)
};
// Module -> sspr-setpass (a SET_PASSWORD frame on its fd 3): whose
// password, through which PAM service. The password is wiped by both sides.
struct SetPasswordRequest {
  std::string user, service, password;
};
// The most a SET_PASSWORD may carry (the helper asks for at most 256
// bytes). The module and sspr-setpass refuse a password past it, or with
// a NUL byte: the password stack takes C strings, so "ab\0cd" would set
// "ab", a password the person never chose.
constexpr size_t kMaxSetPassword = 512;
// nullptr when `password` may be set, else why not (no secret in it).
const char* SetPasswordProblem(const std::string& password);
std::string EncodeSetPasswordRequest(const SetPasswordRequest& r);
bool DecodeSetPasswordRequest(const std::string& payload, SetPasswordRequest* r,
                              std::string* err);
std::string EncodeSetPasswordResult(const SetPasswordResult& r);
bool DecodeSetPasswordResult(const std::string& payload, SetPasswordResult* r,
                             std::string* err);
std::string EncodeHello();
bool DecodeHello(const std::string& payload, uint8_t* version,
                 std::string* err);

// Small bounded field codec, also used by tests.
class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v);
  void U32(uint32_t v);
  void Str(const std::string& s);  // truncated to kMaxField
  const std::string& data() const { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  bool U8(uint8_t* v);
  bool U16(uint16_t* v);
  bool U32(uint32_t* v);
  bool Str(std::string* s);
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  const std::string& in_;
  size_t pos_ = 0;
};

}  // namespace sspr::proto

#endif  // SSPR_PROTOCOL_MESSAGES_H_
