#include "pam_module/relay.h"

#include <security/pam_appl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "pam_module/spawn.h"
#include "protocol/frame.h"

namespace sspr {
namespace {

constexpr size_t kMaxAnswer = 8192;  // the helper gives the user the error

constexpr size_t kMaxMsg = PAM_MAX_MSG_SIZE - 1;

// Where to cut `s` (from `from`) so the piece fits one PAM message: at the
// last newline that fits, else at a UTF-8 character boundary.
size_t CutPoint(const std::string& s, size_t from) {
  if (s.size() - from <= kMaxMsg) return s.size();
  size_t nl = s.rfind('\n', from + kMaxMsg);
  if (nl != std::string::npos && nl > from) return nl + 1;
  size_t n = from + kMaxMsg;
  while (n > from && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

// Long texts (a QR code, say) go as several messages, one call each, so
// that every application shows them; a prompt keeps its last piece.
std::vector<std::string> SplitMessage(const std::string& s) {
  std::vector<std::string> out;
  size_t from = 0;
  do {
    size_t cut = CutPoint(s, from);
    std::string piece = s.substr(from, cut - from);
    if (!piece.empty() && piece.back() == '\n' && cut < s.size())
      piece.pop_back();
    out.push_back(piece);
    from = cut;
  } while (from < s.size());
  return out;
}

enum class ConvStatus { kOk, kFailed };

// One message (at most kMaxMsg bytes) through the application's
// conversation function.
ConvStatus ConverseOne(pam_handle_t* pamh, int style, const std::string& text,
                    std::string* answer) {
  const struct pam_conv* conv = nullptr;
  if (pam_get_item(pamh, PAM_CONV, reinterpret_cast<const void**>(&conv)) !=
          PAM_SUCCESS ||
      conv == nullptr || conv->conv == nullptr)
    return ConvStatus::kFailed;
  struct pam_message msg = {style, text.c_str()};
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

// A text of any length: all but the last piece as info/error messages.
ConvStatus Converse(pam_handle_t* pamh, int style, const std::string& text,
                    std::string* answer) {
  std::vector<std::string> pieces = SplitMessage(text);
  int lead = style == PAM_ERROR_MSG ? PAM_ERROR_MSG : PAM_TEXT_INFO;
  for (size_t i = 0; i + 1 < pieces.size(); ++i)
    ConverseOne(pamh, lead, pieces[i], nullptr);
  return ConverseOne(pamh, style, pieces.back(), answer);
}

class Dialogue {
 public:
  Dialogue(pam_handle_t* pamh, const Config& c, bool silent, int* check_lock)
      : pamh_(pamh), c_(c), silent_(silent), check_lock_(check_lock) {}

  bool Run(const proto::Start& start, proto::Result* res, std::string* err) {
    if (!SpawnHelper(c_.helper, &child_, err)) return false;
    bool ok = Talk(start, res, err);
    int status = FinishChild(&child_, ok ? 2000 : 0);
    (void)status;
    return ok;
  }

 private:
  int64_t FrameDeadline() const {
    // The helper must answer within helper_timeout of our last message. The
    // whole dialogue's deadline (dialogue_timeout) is the helper's to
    // enforce: past it, the helper answers FAILED, so waiting out the
    // deadline can never turn a refusal into "unavailable".
    return proto::NowMs() + int64_t{c_.helper_timeout} * 1000;
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
      if (f.type != proto::Type::kResult) ReleaseCheckLock();
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

  void ReleaseCheckLock() {
    if (check_lock_ != nullptr && *check_lock_ >= 0) {
      close(*check_lock_);
      *check_lock_ = -1;
    }
  }

  pam_handle_t* pamh_;
  const Config& c_;
  bool silent_;
  int* check_lock_;
  Child child_;
  proto::Decoder dec_;
};

}  // namespace

bool RunHelper(pam_handle_t* pamh, const Config& c, const proto::Start& start,
               proto::Result* res, std::string* err, int* check_lock) {
  Dialogue d(pamh, c, (start.flags & proto::kFlagSilent) != 0, check_lock);
  return d.Run(start, res, err);
}

}  // namespace sspr
