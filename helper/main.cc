// sspr-helper: started by pam_sspr.so (never setuid), talks the framed
// protocol on fd 3. Reads config while root, drops to helper_user, then
// runs the dialogue against the backend.
#include <curl/curl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/backends/remote.h"
#include "helper/net/http.h"
#include "helper/net/secrets.h"
#include "helper/delivery/smtp_sender.h"
#include "common/time.h"
#include "helper/delivery/command_launcher.h"
#include "helper/delivery/sender.h"
#include "helper/dialogue.h"
#include "helper/greeter_conversation.h"
#include "helper/i18n.h"
#include "helper/module_channel.h"
#include "helper/store/policy_state.h"
#include "helper/sandbox/privdrop.h"
#include "helper/questions.h"
#include "helper/reset_dialogue.h"
#include "helper/reset_texts.h"
#include "helper/store/reset_limit.h"
#include "helper/sandbox/seccomp.h"
#include "helper/texts.h"
#include "helper/web_text.h"
#include "protocol/frame.h"

namespace sspr {
namespace {

// The conversation of a caller that cannot prompt: every question fails
// as it does in an application without a conversation; texts are dropped.
class NoPromptConversation : public Conversation {
 public:
  Reply Prompt(bool, const std::string&, int64_t, std::string*) override {
    return Reply::kConvFailed;
  }
  bool Info(const std::string&) override { return true; }
  bool Error(const std::string&) override { return true; }
};

constexpr int64_t kStartTimeoutMs = 10000;
// sspr-setpass's own bound (30 s, pam_module/reset_auth.cc) and a margin.
constexpr int64_t kSetPasswordTimeoutMs = 40000;

// A reset's new password, set by the registration service (rest, graph,
// ldap).
class BackendSetter : public PasswordSetter {
 public:
  BackendSetter(Backend* b, std::string user) : b_(b), user_(std::move(user)) {}
  proto::SetPasswordResult Set(const std::string& password) override {
    proto::SetPasswordResult r;
    std::string reason, err;
    switch (b_->SetPassword(user_, password, &reason, &err)) {
      case PasswordStatus::kSet:
        r.status = proto::SetStatus::kDone;
        break;
      case PasswordStatus::kRefused:
        r.status = proto::SetStatus::kRefused;
        r.message = reason;
        break;
      case PasswordStatus::kNotAllowed:
        r.status = proto::SetStatus::kNotAllowed;
        r.message = reason;
        break;
      case PasswordStatus::kError:
        r.message = err;  // for the log; the person gets PasswordNotSetText
        break;
    }
    return r;
  }

 private:
  Backend* b_;
  std::string user_;
};

// A reset's new password, set by the module for its PAM user.
class ModuleSetter : public PasswordSetter {
 public:
  explicit ModuleSetter(ModuleChannel* ch) : ch_(ch) {}
  proto::SetPasswordResult Set(const std::string& password) override {
    return ch_->SetPassword(password, NowMs() + kSetPasswordTimeoutMs);
  }

 private:
  ModuleChannel* ch_;
};

// The launcher runs only the command: paths of delivery / email_delivery.
bool StartLauncherIfNeeded(const Config& c, const HelperUser& u,
                           std::string* err) {
  std::vector<std::string> paths;
  for (const std::string& spec : {c.delivery, c.email_delivery})
    if (spec.rfind("command:", 0) == 0) paths.push_back(spec.substr(8));
  if (paths.empty()) return true;
  return StartCommandLauncher(paths, c.delivery_timeout, u, /*drop=*/true, err);
}

int Serve(ModuleChannel* ch, const proto::Start& start) {
  proto::Result res;
  bool loaded = false;
  Config c;
  auto unavailable = [&](const std::string& log) {
    if (loaded && c.failmode == FailMode::kSecure) {
      if (IsWebService(start.service)) ch->Error(WebText(UnavailableText()));
      // A greeter keeps only an info text at a failed login.
      else if (IsGreeterClient(start.tty)) ch->Info(UnavailableText());
      else ch->Error(UnavailableText());
    }
    res.outcome = proto::Outcome::kUnavailable;
    res.log = log;
    ch->SendResult(res);
    return 0;
  };
  if (geteuid() != 0) return unavailable("sspr-helper was not started as root");
  // The module's own arguments: the same file (conf=, else the default)
  // and the same overrides the module applied.
  std::string err;
  if (!LoadConfig(start.args, /*check_perms=*/true, &c, &err))
    return unavailable("configuration error: " + err);
  loaded = true;
  // The user's language (the module's LANG), catalogues loaded while root.
  SetupLanguage(start.lang, c.locale_dir);
  alarm(static_cast<unsigned>(c.dialogue_timeout + 30));  // last resort
  if (c.backend == BackendKind::kLocal && c.delivery.empty())
    return unavailable("no 'delivery' configured for the local backend");
  HelperUser u;
  if (!LookupHelperUser(c.helper_user, &u, &err) ||
      !PrepareOwnedDir(c.state_dir, u, &err))
    return unavailable(err);
  // Under the filter this process can neither fork nor exec: a delivery
  // command runs in the launcher, forked now, before any secret is read.
  if (c.seccomp && !StartLauncherIfNeeded(c, u, &err)) return unavailable(err);
  // The services' credentials: read now, as root, never written anywhere.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  Secrets secrets;
  const bool smtp = c.email_delivery == "smtp";
  if ((c.backend != BackendKind::kLocal || smtp) &&
      !ReadSecretsFile(c.secrets_file, &secrets, &err))
    return unavailable(err);
  if (smtp || c.backend != BackendKind::kLocal)
    curl_global_init(CURL_GLOBAL_DEFAULT);
  SmtpOptions smtp_opts;  // email_delivery = smtp
  smtp_opts.url = c.smtp_url;
  smtp_opts.from = c.smtp_from;
  smtp_opts.user = c.smtp_user;
  smtp_opts.password = secrets.Get("smtp_password");
  smtp_opts.cafile = c.cafile;
  std::unique_ptr<CodeSender> sender = MakeChannelSender(
      c.delivery, c.email_delivery, c.delivery_timeout, smtp_opts, &err);
  if (!sender && (c.backend == BackendKind::kLocal || !c.delivery.empty()))
    return unavailable("delivery: " + err);  // optional for the services
  std::unique_ptr<HttpTransport> http;
  if (c.backend != BackendKind::kLocal) {
    http = MakeCurlTransport({c.cafile, c.pinned_pubkey, kMaxResponseBody});
  }
  std::vector<std::string> questions = BuiltinQuestions();
  if (!c.questions_file.empty()) {  // read as root, like the config
    std::vector<std::string> extra;
    if (!LoadAdminQuestions(c.questions_file, true, &extra, &err))
      return unavailable("questions_file: " + err);
    questions.insert(questions.end(), extra.begin(), extra.end());
  }
  if (!c.texts_file.empty()) {  // the admin's intro and help texts
    AdminTexts texts;
    if (!LoadAdminTexts(c.texts_file, true, &texts, &err))
      return unavailable("texts_file: " + err);
    SetAdminTexts(std::move(texts));
  }
  if (!DropPrivileges(u, &err)) return unavailable(err);
  // From here on: the system-call allow-list (helper/sandbox/seccomp.h).
  if (c.seccomp && !InstallSeccompFilter(&err)) return unavailable(err);
  SystemClock clock;
  BackendDeps deps{std::move(sender), &clock, http.get(),
                   NowMs() + int64_t{c.dialogue_timeout} * 1000};
  std::unique_ptr<Backend> backend =
      MakeBackend(c, secrets, std::move(deps), &err);
  if (!backend) return unavailable(err);
  // A service this helper may not write to: show enroll_url, deny.
  if (!BackendCanRegister(c) && c.mode == Mode::kRegister)
    c.mode = Mode::kBlock;
  if ((start.flags & proto::kFlagReset) != 0) {
    // The reset at the login prompt (helper/reset_dialogue.h). local sets
    // passwords through the module's sspr-setpass, the others when their
    // CanSetPassword() says so (rest, graph, ldap but not for AD); for the
    // rest nothing is offered.
    if (!c.reset ||
        (c.backend != BackendKind::kLocal && !backend->CanSetPassword())) {
      res.outcome = proto::Outcome::kNotApplicable;
      res.log = !c.reset
                    ? "reset = no"
                    : std::string("reset: backend ") + BackendName(c.backend) +
                          " cannot set passwords; not offered";
    } else {
      ResetLimiter limiter(c.state_dir,
                           {c.reset_limit, c.reset_fail_limit, 86400});
      if (!limiter.Init(&err)) return unavailable("reset state: " + err);
      ModuleSetter module_setter(ch);
      BackendSetter service_setter(backend.get(), start.user);
      PasswordSetter* setter =
          c.backend == BackendKind::kLocal
              ? static_cast<PasswordSetter*>(&module_setter)
              : &service_setter;
      // A graphical greeter: the texts as in the account phase below.
      GreeterConversation greeter(ch);
      const bool greeter_client = IsGreeterClient(start.tty);
      Conversation* conv = ch;
      if (greeter_client) conv = &greeter;
      ResetDialogue rd(c, backend.get(), conv, &clock,
                       NowMs() + int64_t{c.dialogue_timeout} * 1000, setter,
                       &limiter);
      res = rd.Run(start.user);
      // A reset ends in a failed login, where lightdm-gtk-greeter would say
      // "Your password is incorrect": its label keeps a last info text.
      if (greeter_client && res.outcome == proto::Outcome::kPasswordReset)
        greeter.Info(PasswordChangedText());
      if (greeter_client) greeter.Flush();
    }
    backend->EndSession();
    ch->SendResult(res);
    return 0;
  }
  PolicyStore policy(c.state_dir);
  if (!policy.Init(&err)) return unavailable("policy state: " + err);
  int64_t deadline = NowMs() + int64_t{c.dialogue_timeout} * 1000;
  // A caller that cannot prompt (noninteractive = check): every prompt
  // fails as a conversation that cannot prompt does, and nothing is shown,
  // so the answer is the policy's: registered, or blocked/deferred.
  NoPromptConversation no_prompt;
  const bool cannot_prompt = (start.flags & proto::kFlagCannotPrompt) != 0;
  // A login page in a browser (helper/web_text.h): plain ASCII in one
  // paragraph, and no QR code, which only a terminal draws.
  WebConversation web(ch);
  const bool web_client = IsWebService(start.service);
  // A graphical greeter (helper/greeter_conversation.h): each step one
  // prompt, the last text an info message, no QR code.
  GreeterConversation greeter(ch);
  const bool greeter_client = !web_client && IsGreeterClient(start.tty);
  if (web_client || greeter_client) c.show_qr = false;
  Dialogue d(c, backend.get(),
             cannot_prompt    ? static_cast<Conversation*>(&no_prompt)
             : web_client     ? static_cast<Conversation*>(&web)
             : greeter_client ? static_cast<Conversation*>(&greeter)
                              : ch,
             &clock, deadline);
  d.set_questions(questions);
  d.set_policy_store(&policy);
  d.set_silent(cannot_prompt || (start.flags & proto::kFlagSilent) != 0);
  res = d.Run(start.user);
  if (greeter_client && !cannot_prompt) greeter.Flush();
  if (res.outcome == proto::Outcome::kUnavailable && backend->UserUnknown()) {
    res.outcome = proto::Outcome::kNotApplicable;  // not in the directory
    res.cache_ttl = 0;
    res.log += "; not checked";
  }
  backend->EndSession();
  ch->SendResult(res);
  return 0;
}

}  // namespace
}  // namespace sspr

int main(int argc, char** argv) {
  // The module's spawn set it already; whatever started us, nothing this
  // process creates is ever readable by others (modes are exact anyway:
  // every folder and file gets its mode through fchmod).
  umask(077);
  // Root-only proof of the filter for the tests (helper/sandbox/seccomp.h).
  if (argc == 3 && std::string(argv[1]) == "--seccomp-selftest")
    return sspr::SeccompSelfTest(argv[2]);
  struct stat st;
  if (fstat(sspr::proto::kHelperFd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    fprintf(stderr,
            "sspr-helper: this program is started by pam_sspr.so and talks "
            "to it on fd %d; it is not meant to be run by hand.\n",
            sspr::proto::kHelperFd);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  sspr::ModuleChannel ch(sspr::proto::kHelperFd);
  std::string err;
  sspr::proto::Start start;
  if (!ch.Hello(&err) ||
      !ch.ReadStart(&start, sspr::NowMs() + sspr::kStartTimeoutMs, &err))
    return 1;
  int rc = 1;
  try {
    rc = sspr::Serve(&ch, start);
  } catch (...) {
    sspr::proto::Result res;
    res.log = "internal error";
    ch.SendResult(res);
  }
  sspr::StopCommandLauncher();  // hang up and reap: no process left behind
  return rc;
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SSPR_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(SSPR_ASAN)
// Sanitizer builds (make check-asan): the helper runs with an empty
// environment and /dev/null for stderr, so reports go to files that the
// test suite checks at the end.
extern "C" const char* __asan_default_options() {
  return "log_path=/tmp/sspr-sanitizer/helper:detect_leaks=1";
}
extern "C" const char* __ubsan_default_options() {
  return "log_path=/tmp/sspr-sanitizer/helper-ubsan:print_stacktrace=1";
}
// libldap 2.5 (Debian 12) with GnuTLS leaks a client certificate's key and
// chain with its per-connection TLS context (ldap_unbind does not free
// them; shown by a 15-line program without our code). Only libldap uses
// GnuTLS in the helper (libcurl uses OpenSSL), so only its leaks go here.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libgnutls.so\n";
}
// Quiet when only suppressed leaks were found: no list of them, and no
// external symbolizer (it cannot fork under the seccomp filter anyway and
// says so; reports keep module + offset).
extern "C" const char* __lsan_default_options() {
  return "print_suppressions=0:symbolize=0";
}
#endif
