// sspr-setpass: the small root part of the reset at the login prompt.
//
// pam_sspr.so starts it (spawn.h: absolute path, empty environment, ids 0,
// /dev/null on 0-2, a socket on fd 3) when the helper of a reset asks for
// the new password to be set, and sends one SET_PASSWORD request: the
// module's own PAM user, the PAM service (reset_passwd_service) and the
// password. It runs that service's password stack (pam_chauthtok) as root
// for exactly that user, so pam_pwquality and the distribution's hashing
// apply, and answers one SET_PASSWORD_RESULT. It parses nothing from the
// network and links libc, libpam and the project's protocol codec only.
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/time.h"
#include "common/wipe.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

namespace {

constexpr int64_t kRequestTimeoutMs = 10000;
// Prompts the stack may ask in one run: new + retype, and a module or two
// that asks once more. Past it the conversation fails, so a stack with
// `retry=N` cannot loop on the same refused password.
constexpr int kMaxPrompts = 6;
constexpr size_t kMaxMessage = 1000;  // what goes back to the person

struct ConvData {
  const std::string* password = nullptr;
  int prompts = 0;
  std::string messages;  // PAM_ERROR_MSG / PAM_TEXT_INFO, for the person
};

int Converse(int n, const struct pam_message** msg, struct pam_response** resp,
             void* appdata) {
  auto* d = static_cast<ConvData*>(appdata);
  if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  auto* r = static_cast<struct pam_response*>(
      calloc(static_cast<size_t>(n), sizeof(struct pam_response)));
  if (r == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    switch (msg[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        // Only hidden prompts get the password: a visible one (a user
        // name, a question we cannot answer) fails the conversation.
        if (++d->prompts > kMaxPrompts) goto fail;
        r[i].resp = strdup(d->password->c_str());
        if (r[i].resp == nullptr) goto fail;
        break;
      case PAM_ERROR_MSG:
      case PAM_TEXT_INFO:
        if (msg[i]->msg != nullptr && d->messages.size() < kMaxMessage) {
          if (!d->messages.empty()) d->messages += "\n";
          d->messages.append(msg[i]->msg, strnlen(msg[i]->msg, kMaxMessage));
        }
        break;
      default:
        goto fail;
    }
  }
  *resp = r;
  return PAM_SUCCESS;
fail:
  for (int i = 0; i < n; ++i) {
    if (r[i].resp != nullptr) {
      explicit_bzero(r[i].resp, strlen(r[i].resp));
      free(r[i].resp);
    }
  }
  free(r);
  return PAM_CONV_ERR;
}

// The result for the module: done, refused (the stack's words, asked
// again) or failed (nothing changed).
sspr::proto::SetPasswordResult SetPassword(
    const sspr::proto::SetPasswordRequest& req) {
  sspr::proto::SetPasswordResult res;
  struct passwd* pw = getpwnam(req.user.c_str());
  if (pw == nullptr) {
    res.message = "the user is unknown to the system";
    return res;
  }
  if (pw->pw_uid == 0) {  // the module never offers it; never done here
    res.message = "refusing to set the password of a uid 0 account";
    return res;
  }
  ConvData data;
  data.password = &req.password;
  struct pam_conv conv = {Converse, &data};
  pam_handle_t* pamh = nullptr;
  int r = pam_start(req.service.c_str(), req.user.c_str(), &conv, &pamh);
  if (r != PAM_SUCCESS) {
    res.message = std::string("pam_start: ") + pam_strerror(pamh, r);
    return res;
  }
  r = pam_chauthtok(pamh, 0);
  if (r == PAM_SUCCESS) {
    res.status = sspr::proto::SetStatus::kDone;
  } else if (r == PAM_AUTHTOK_ERR || r == PAM_AUTHTOK_RECOVERY_ERR) {
    // The stack refused this password (quality, history): the person may
    // choose another. Its own words say why.
    res.status = sspr::proto::SetStatus::kRefused;
    res.message = data.messages.empty() ? pam_strerror(pamh, r) : data.messages;
  } else {
    res.message = pam_strerror(pamh, r);
    if (!data.messages.empty()) res.message += ": " + data.messages;
  }
  pam_end(pamh, r);
  return res;
}

}  // namespace

int main() {
  umask(077);
  struct stat st;
  if (fstat(sspr::proto::kHelperFd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    fprintf(stderr,
            "sspr-setpass: this program is started by pam_sspr.so and talks "
            "to it on fd %d; it is not meant to be run by hand.\n",
            sspr::proto::kHelperFd);
    return 2;
  }
  const int fd = sspr::proto::kHelperFd;
  sspr::proto::SetPasswordResult res;
  sspr::proto::Decoder dec;
  sspr::proto::Frame f;
  std::string err;
  sspr::proto::SetPasswordRequest req;
  if (getuid() != 0 || geteuid() != 0) {
    res.message = "sspr-setpass was not started as root";
  } else if (sspr::proto::ReadFrame(fd, &dec, &f,
                                    sspr::NowMs() + kRequestTimeoutMs,
                                    &err) != sspr::proto::IoStatus::kOk) {
    return 1;  // the module is gone: nobody to answer
  } else if (f.type != sspr::proto::Type::kSetPassword ||
             !sspr::proto::DecodeSetPasswordRequest(f.payload, &req, &err)) {
    res.message = err.empty() ? "expected SET_PASSWORD" : err;
  } else if (const char* problem =
                 sspr::proto::SetPasswordProblem(req.password)) {
    res.message = problem;
  } else {
    res = SetPassword(req);
  }
  sspr::Wipe(&f.payload);
  sspr::Wipe(&req.password);
  sspr::proto::WriteFrame(fd, sspr::proto::Type::kSetPasswordResult,
                          sspr::proto::EncodeSetPasswordResult(res),
                          sspr::NowMs() + kRequestTimeoutMs, &err);
  return res.status == sspr::proto::SetStatus::kDone ? 0 : 1;
}
