#include "pam_module/relay.h"

#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/time.h"
#include "common/wipe.h"
#include "pam_module/relay_text.h"
#include "pam_module/reset_auth.h"
#include "pam_module/spawn.h"
#include "protocol/frame.h"

namespace sspr {
namespace {

constexpr size_t kMaxAnswer = 8192;  // the helper gives the user the error
// SET_PASSWORD requests in one reset dialogue: the helper asks again after
// a quality refusal, a few times at most.
constexpr int kMaxSetPasswords = 5;

enum class ConvStatus { kOk, kFailed, kTooMany };

// One message (from TextToMessages) through the application's conversation
// function.
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

class Dialogue {
 public:
  Dialogue(pam_handle_t* pamh, const ModuleConfig& c, bool silent,
           int* check_lock)
      : pamh_(pamh), c_(c), silent_(silent), check_lock_(check_lock) {}

  bool Run(const proto::Start& start, proto::Result* res, std::string* err) {
    user_ = start.user;
    if (!SpawnHelper(std::string(c_.helper), &child_, err)) return false;
    bool ok = Talk(start, res, err);
    int status = FinishChild(&child_, ok ? 2000 : 0);
    (void)status;
    if (!ok && password_set_)  // the person was not told; nobody notified
      *err +=
          "; the password WAS changed by sspr-setpass before that: the "
          "person was not told and no method was notified";
    return ok;
  }

 private:
  int64_t FrameDeadline() const {
    // The helper must answer within helper_timeout of our last message. The
    // whole dialogue's deadline (dialogue_timeout) is the helper's to
    // enforce: past it, the helper answers FAILED, so waiting out the
    // deadline can never turn a refusal into "unavailable".
    return NowMs() + int64_t{c_.helper_timeout} * 1000;
  }

  bool Read(proto::Frame* f, std::string* err) {
    std::string e;
    proto::IoStatus st =
        proto::ReadFrame(child_.fd, &dec_, f, FrameDeadline(), &e);
    if (st == proto::IoStatus::kOk) return true;
    if (st == proto::IoStatus::kTimeout) *err = "helper did not answer in time";
    else *err = "helper: " + e;
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
          if (silent_ ? !Count(1, err)
                      : Converse(PAM_TEXT_INFO, f.payload, nullptr, err) ==
                            ConvStatus::kTooMany)
            return false;
          break;
        case proto::Type::kError:
          if (Converse(PAM_ERROR_MSG, f.payload, nullptr, err) ==
              ConvStatus::kTooMany)
            return false;
          break;
        case proto::Type::kPromptEchoOn:
        case proto::Type::kPromptEchoOff: {
          int style = f.type == proto::Type::kPromptEchoOn
                          ? PAM_PROMPT_ECHO_ON
                          : PAM_PROMPT_ECHO_OFF;
          std::string answer;
          ConvStatus cs = Converse(style, f.payload, &answer, err);
          if (cs == ConvStatus::kTooMany) return false;
          proto::Type t = cs == ConvStatus::kOk ? proto::Type::kAnswer
                                                : proto::Type::kConvFailed;
          if (!peer_gone &&
              proto::WriteFrame(child_.fd, t, answer, FrameDeadline(), &e) !=
                  proto::IoStatus::kOk)
            peer_gone = true;  // it may have given up; its RESULT may follow
          Wipe(&answer);
          break;
        }
        case proto::Type::kResult:
          return proto::DecodeResult(f.payload, res, err);
        case proto::Type::kSetPassword:
          // Only in a reset this module started, only for its own PAM
          // user (start.user, never a name from the helper), bounded.
          if (!(start.flags & proto::kFlagReset) ||
              ++set_passwords_ > kMaxSetPasswords) {
            Wipe(&f.payload);
            *err = "helper sent SET_PASSWORD outside a reset or too often";
            return false;
          }
          if (!peer_gone && !SetPassword(start.user, &f.payload, &e))
            peer_gone = true;
          break;
        default:
          *err =
              std::string("helper sent unexpected ") + proto::TypeName(f.type);
          return false;
      }
      Wipe(&f.payload);
    }
  }

  // One helper text: cleaned and split (relay_text.h), one conversation
  // call per piece; all but the last are info/error messages, the last has
  // `style` and gives the answer. kTooMany (with *err) when the dialogue
  // would pass kMaxMessagesPerDialogue.
  ConvStatus Converse(int style, const std::string& text, std::string* answer,
                      std::string* err) {
    TextReport report;
    std::vector<ConvMessage> msgs = TextToMessages(style, text, &report);
    if (!Count(msgs.size(), err)) return ConvStatus::kTooMany;
    if ((report.replaced > 0 || report.cut) && !warned_) {
      warned_ = true;  // once per dialogue: the helper is broken or hostile
      pam_syslog(pamh_, LOG_WARNING,
                 "user=%s: helper text not shown as sent: %zu invalid or "
                 "control characters replaced, %s",
                 user_.c_str(), report.replaced,
                 report.cut ? "cut short" : "not cut");
    }
    for (size_t i = 0; i + 1 < msgs.size(); ++i)
      ConverseOne(pamh_, msgs[i].style, msgs[i].text, nullptr);
    return ConverseOne(pamh_, msgs.back().style, msgs.back().text, answer);
  }

  // Counts n more messages (an INFO not shown under PAM_SILENT counts one),
  // false with *err past kMaxMessagesPerDialogue: a helper that talks on
  // for ever ends the dialogue instead of holding the login.
  bool Count(size_t n, std::string* err) {
    if (n > kMaxMessagesPerDialogue - messages_) {
      *err = "helper sent more than " +
             std::to_string(kMaxMessagesPerDialogue) + " messages";
      return false;
    }
    messages_ += n;
    return true;
  }

  // Sets the password through sspr-setpass and answers the helper; false
  // when the answer could not be written.
  bool SetPassword(const std::string& user, std::string* password,
                   std::string* err) {
    proto::SetPasswordResult r;
    std::string why;
    // Bounded before anything is started: the helper is not trusted.
    const char* problem = proto::SetPasswordProblem(*password);
    if (problem != nullptr || !RunSetPass(c_, user, *password, &r, &why)) {
      r.status = proto::SetStatus::kFailed;
      r.message.clear();
      if (problem != nullptr)
        why = std::string("SET_PASSWORD refused: ") + problem;
      pam_syslog(pamh_, LOG_ERR, "user=%s: reset: password not set: %s",
                 user.c_str(), why.c_str());
    } else if (r.status == proto::SetStatus::kDone) {
      password_set_ = true;
    } else if (r.status == proto::SetStatus::kFailed) {
      pam_syslog(pamh_, LOG_ERR, "user=%s: reset: password not set: %s",
                 user.c_str(), r.message.c_str());
    }
    Wipe(password);
    return proto::WriteFrame(child_.fd, proto::Type::kSetPasswordResult,
                             proto::EncodeSetPasswordResult(r), FrameDeadline(),
                             err) == proto::IoStatus::kOk;
  }

  void ReleaseCheckLock() {
    if (check_lock_ != nullptr && *check_lock_ >= 0) {
      close(*check_lock_);
      *check_lock_ = -1;
    }
  }

  pam_handle_t* pamh_;
  const ModuleConfig& c_;
  bool silent_;
  int* check_lock_;
  Child child_;
  proto::Decoder dec_;
  std::string user_;
  size_t messages_ = 0;        // conversation messages so far
  int set_passwords_ = 0;      // SET_PASSWORD requests so far
  bool password_set_ = false;  // sspr-setpass answered done
  bool warned_ = false;
};

}  // namespace

bool RunHelper(pam_handle_t* pamh, const ModuleConfig& c,
               const proto::Start& start, proto::Result* res, std::string* err,
               int* check_lock) {
  Dialogue d(pamh, c, (start.flags & proto::kFlagSilent) != 0, check_lock);
  return d.Run(start, res, err);
}

}  // namespace sspr
