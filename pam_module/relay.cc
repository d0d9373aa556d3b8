#include "pam_module/relay.h"

#include <security/pam_appl.h>
#include <string.h>

#include <algorithm>

#include "pam_module/spawn.h"
#include "protocol/frame.h"

namespace sspr {
namespace {

constexpr size_t kMaxAnswer = 8192;  // the helper gives the user the error

// Cuts text to PAM_MAX_MSG_SIZE-1 bytes without splitting a UTF-8 sequence.
std::string FitMessage(const std::string& s) {
  size_t max = PAM_MAX_MSG_SIZE - 1;
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

enum class ConvStatus { kOk, kFailed };

// One message through the application's conversation function.
ConvStatus Converse(pam_handle_t* pamh, int style, const std::string& text,
                    std::string* answer) {
  const struct pam_conv* conv = nullptr;
  if (pam_get_item(pamh, PAM_CONV, reinterpret_cast<const void**>(&conv)) !=
          PAM_SUCCESS ||
      conv == nullptr || conv->conv == nullptr)
    return ConvStatus::kFailed;
  std::string fitted = FitMessage(text);
  struct pam_message msg = {style, fitted.c_str()};
  const struct pam_message* msgp = &msg;
  struct pam_response* resp = nullptr;
  int r = conv->conv(1, &msgp, &resp, conv->appdata_ptr);
  ConvStatus st = r == PAM_SUCCESS ? ConvStatus::kOk : ConvStatus::kFailed;
  if (resp != nullptr) {
    if (resp->resp != nullptr) {
      if (answer != nullptr && st == ConvStatus::kOk) {
        size_t n = strnlen(resp->resp, kMaxAnswer);
        answer->assign(resp->resp, n);
      }
      explicit_bzero(resp->resp, strlen(resp->resp));
      free(resp->resp);
    }
    free(resp);
  }
  if (answer != nullptr && st == ConvStatus::kOk && resp == nullptr)
    st = ConvStatus::kFailed;  // a prompt needs a response
  return st;
}

class Dialogue {
 public:
  Dialogue(pam_handle_t* pamh, const Config& c, bool silent)
      : pamh_(pamh), c_(c), silent_(silent) {
    end_ms_ = proto::NowMs() + int64_t{c.dialogue_timeout} * 1000;
  }

  bool Run(const proto::Start& start, proto::Result* res, std::string* err) {
    if (!SpawnHelper(c_.helper, &child_, err)) return false;
    bool ok = Talk(start, res, err);
    int status = FinishChild(&child_, ok ? 2000 : 0);
    (void)status;
    return ok;
  }

 private:
  int64_t FrameDeadline() const {
    // The helper must answer within helper_timeout of our last message, and
    // never later than the whole dialogue's deadline (plus a little room for
    // it to say so itself).
    return std::min(proto::NowMs() + int64_t{c_.helper_timeout} * 1000,
                    end_ms_ + 2000);
  }

  bool Read(proto::Frame* f, std::string* err) {
    std::string e;
    proto::IoStatus st = proto::ReadFrame(child_.fd, &dec_, f, FrameDeadline(), &e);
    if (st == proto::IoStatus::kOk) return true;
    if (st == proto::IoStatus::kTimeout)
      *err = "helper did not answer in time";
    else
      *err = "helper: " + e;
    return false;
  }

  bool Talk(const proto::Start& start, proto::Result* res, std::string* err) {
    std::string e;
    if (proto::WriteFrame(child_.fd, proto::Type::kStart,
                          proto::EncodeStart(start), FrameDeadline(),
                          &e) != proto::IoStatus::kOk) {
      *err = "cannot send START to the helper: " + e;
      return false;
    }
    proto::Frame f;
    if (!Read(&f, err)) return false;
    uint8_t version = 0;
    if (f.type != proto::Type::kHello) {
      *err = std::string("helper sent ") + proto::TypeName(f.type) +
             " before HELLO";
      return false;
    }
    if (!proto::DecodeHello(f.payload, &version, err)) return false;
    bool peer_gone = false;  // the helper closed its end; read what is left
    for (;;) {
      if (!Read(&f, err)) return false;
      switch (f.type) {
        case proto::Type::kInfo:
          if (!silent_) Converse(pamh_, PAM_TEXT_INFO, f.payload, nullptr);
          break;
        case proto::Type::kError:
          Converse(pamh_, PAM_ERROR_MSG, f.payload, nullptr);
          break;
        case proto::Type::kPromptEchoOn:
        case proto::Type::kPromptEchoOff: {
          int style = f.type == proto::Type::kPromptEchoOn ? PAM_PROMPT_ECHO_ON
                                                          : PAM_PROMPT_ECHO_OFF;
          std::string answer;
          ConvStatus cs = Converse(pamh_, style, f.payload, &answer);
          proto::Type t = cs == ConvStatus::kOk ? proto::Type::kAnswer
                                                : proto::Type::kConvFailed;
          if (!peer_gone &&
              proto::WriteFrame(child_.fd, t, answer, FrameDeadline(), &e) !=
                  proto::IoStatus::kOk)
            peer_gone = true;  // it may have given up; its RESULT may follow
          proto::Wipe(&answer);
          break;
        }
        case proto::Type::kResult:
          return proto::DecodeResult(f.payload, res, err);
        default:
          *err = std::string("helper sent unexpected ") +
                 proto::TypeName(f.type);
          return false;
      }
      proto::Wipe(&f.payload);
    }
  }

  pam_handle_t* pamh_;
  const Config& c_;
  bool silent_;
  int64_t end_ms_;
  Child child_;
  proto::Decoder dec_;
};

}  // namespace

bool RunHelper(pam_handle_t* pamh, const Config& c, const proto::Start& start,
               proto::Result* res, std::string* err) {
  Dialogue d(pamh, c, (start.flags & proto::kFlagSilent) != 0);
  return d.Run(start, res, err);
}

}  // namespace sspr
