#include "tools/backend_probe.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "common/time.h"
#include "helper/backends/backend.h"
#include "helper/backends/remote.h"
#include "helper/delivery/sender.h"
#include "helper/net/http.h"
#include "helper/i18n.h"
#include "helper/store/policy_state.h"
#include "helper/sandbox/privdrop.h"
#include "helper/questions.h"
#include "helper/net/secrets.h"
#include "helper/delivery/smtp_sender.h"

namespace sspr {
namespace {

constexpr size_t kMaxAnswer = kMaxRecordSize + 4096;
constexpr size_t kMaxError = 4096;

class RefusingSender : public CodeSender {
 public:
  SendStatus Send(Channel, const std::string&, const std::string&,
                  std::string* err) override {
    *err = "sspr-admin never sends codes";
    return SendStatus::kError;
  }
};

// The helper's steps up to its first decision (helper/main.cc and
// Dialogue::Start), through the same factory, with a sender that sends
// nothing: 'O' + "<n>\n" + n bytes of policy state + record JSON,
// 'U' + error (the service does not know the user) or 'E' + error.
std::string ChildAnswer(const Config& c, const std::string& user) {
  std::string err;
  if (c.backend == BackendKind::kLocal && c.delivery.empty())
    return "Eno 'delivery' configured for the local backend";
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  Secrets secrets;
  const bool smtp = c.email_delivery == "smtp";
  if ((c.backend != BackendKind::kLocal || smtp) &&
      !ReadSecretsFile(c.secrets_file, &secrets, &err))
    return "E" + err;
  HelperUser u;
  if (!LookupHelperUser(c.helper_user, &u, &err) ||
      !PrepareOwnedDir(c.state_dir, u, &err))
    return "E" + err;
  if (smtp || c.backend != BackendKind::kLocal)
    curl_global_init(CURL_GLOBAL_DEFAULT);
  SmtpOptions smtp_opts;  // only checked: nothing is sent
  smtp_opts.url = c.smtp_url;
  smtp_opts.from = c.smtp_from;
  smtp_opts.user = c.smtp_user;
  smtp_opts.password = secrets.Get("smtp_password");
  smtp_opts.cafile = c.cafile;
  std::unique_ptr<CodeSender> sender;
  if (MakeChannelSender(c.delivery, c.email_delivery, c.delivery_timeout,
                        smtp_opts, &err))
    sender = std::make_unique<RefusingSender>();
  else if (c.backend == BackendKind::kLocal || !c.delivery.empty())
    return "Edelivery: " + err;  // optional for the services
  std::unique_ptr<HttpTransport> http;
  if (c.backend != BackendKind::kLocal)
    http = MakeCurlTransport({c.cafile, c.pinned_pubkey, kMaxResponseBody});
  std::vector<std::string> extra;
  if (!c.questions_file.empty() &&
      !LoadAdminQuestions(c.questions_file, true, &extra, &err))
    return "Equestions_file: " + err;
  AdminTexts texts;
  if (!c.texts_file.empty() &&
      !LoadAdminTexts(c.texts_file, true, &texts, &err))
    return "Etexts_file: " + err;
  if (!DropPrivileges(u, &err)) return "E" + err;
  SystemClock clock;
  BackendDeps deps{std::move(sender), &clock, http.get(),
                   NowMs() + int64_t{c.dialogue_timeout} * 1000};
  std::unique_ptr<Backend> backend =
      MakeBackend(c, secrets, std::move(deps), &err);
  if (!backend) return "E" + err;
  PolicyStore policy(c.state_dir);
  if (!policy.Init(&err)) return "Epolicy state: " + err;
  UserRecord rec;
  bool ok = backend->Lookup(user, &rec, &err);
  bool unknown = !ok && backend->UserUnknown();
  backend->EndSession();
  if (!ok) return (unknown ? "U" : "E") + ("lookup failed: " + err);
  PolicyState ps;
  if (!policy.Load(user, &ps, &err)) return "E" + err;
  const std::string pt = PolicyToText(ps);
  return "O" + std::to_string(pt.size()) + "\n" + pt + RecordToJson(rec);
}

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

// Reads until EOF, the size cap or the deadline. False on timeout.
bool ReadAnswer(int fd, int64_t deadline, std::string* out) {
  char buf[4096];
  for (;;) {
    int64_t left = deadline - NowMs();
    if (left <= 0) return false;
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r != 0;  // 0: the deadline passed
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    out->append(buf, static_cast<size_t>(n));
    if (out->size() > kMaxAnswer) return true;
  }
}

}  // namespace

bool RunChild(const Config& c, const std::function<std::string()>& child,
              std::string* answer, std::string* err) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    *err = std::string("pipe: ") + strerror(errno);
    return false;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *err = std::string("fork: ") + strerror(errno);
    close(p[0]);
    close(p[1]);
    return false;
  }
  if (pid == 0) {
    close(p[0]);
    std::string out;
    try {
      out = child();
    } catch (...) {
      out = "Einternal error";
    }
    WriteAll(p[1], out);
    _exit(0);
  }
  close(p[1]);
  answer->clear();
  bool done =
      ReadAnswer(p[0], NowMs() + int64_t{c.helper_timeout} * 1000, answer);
  close(p[0]);
  if (!done) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!done) {
    *err = "no answer within helper_timeout (" +
           std::to_string(c.helper_timeout) + " s)";
    return false;
  }
  return true;
}

ProbeResult ProbeBackend(const Config& c, const std::string& user) {
  ProbeResult res;
  std::string answer;
  if (!RunChild(
          c, [&c, &user] { return ChildAnswer(c, user); }, &answer, &res.error))
    return res;
  if (answer.empty() || answer.size() > kMaxAnswer) {
    res.error = "the probe ended without a usable answer";
    return res;
  }
  const std::string body = answer.substr(1);
  switch (answer[0]) {
    case 'O': {
      std::string why = "no policy state";
      size_t nl = body.find('\n');
      size_t n = nl > 8  // npos (no line end) is more than 8 too
                     ? std::string::npos
                     : strtoul(body.substr(0, nl).c_str(), nullptr, 10);
      if (n == std::string::npos || body.size() - nl - 1 < n ||
          !PolicyFromText(body.substr(nl + 1, n), &res.policy, &why) ||
          !RecordFromJson(body.substr(nl + 1 + n), &res.rec, &why) ||
          res.rec.user != user) {
        res.error = "the probe's answer is not valid: " + why;
        return res;
      }
      res.ok = true;
      return res;
    }
    case 'U':
      res.user_unknown = true;
      res.error = body.substr(0, kMaxError);
      return res;
    default:
      res.error = body.substr(0, kMaxError);
      return res;
  }
}

}  // namespace sspr
