// sspr-pamtest: drives the real libpam account stack for tests and the demo.
//
//   sspr-pamtest --confdir DIR --service NAME --user USER [options] [ANSWER...]
//
// Every message of the conversation is printed ("INFO: ...", "PROMPT: ...").
// Answers are taken in order; "@code" (or "@code:+E164") is replaced by the
// newest code in the outbox given with --outbox. When the answers run out the
// conversation fails (PAM_CONV_ERR), as a non-interactive application does.
// "@slow:SECONDS:ANSWER" answers after a pause (a user who walks away).
// "@killhelper" SIGKILLs the driver's children (the helper) at that prompt
// and then answers "" (fault tests: a helper that dies mid-dialogue).
// --env NAME=VALUE puts a variable in the PAM environment (pam_putenv).
// --sshd-password PW behaves like sshd's conversation for a password login
// without keyboard-interactive: every hidden prompt is answered with PW
// ("PASSWORD GIVEN: <prompt>" is printed), a visible prompt fails the whole
// call, info and error texts are kept (printed). (OpenSSH forgets the
// password after pam_authenticate, so in the account phase its hidden
// prompts fail too; this is the worse case, as an older or patched sshd.)
// --tty TTY sets PAM_TTY; --repeat N calls pam_acct_mgmt N times on the one
// handle, as a long-lived application does (a RESULT line each).
// --interactive reads answers from the terminal instead; --phone shows each
// new outbox message as a phone would, as soon as it is there: before the
// next message or prompt. --auth calls pam_authenticate instead of
// pam_acct_mgmt (the reset at the login prompt). Exit status: the PAM
// return code.
#include <security/pam_appl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string confdir, service = "sspr-test", user, outbox, rhost, tty;
  std::vector<std::string> answers;
  std::vector<std::string> env;  // --env NAME=VALUE: the PAM environment
  size_t next = 0;
  int repeat = 1;
  bool interactive = false, phone = false, silent = false, no_conv = false;
  bool sshd = false;
  bool auth = false;  // pam_authenticate instead of pam_acct_mgmt
  std::string sshd_password;
  size_t outbox_seen = 0;
};

// Value of "key":"..." in one JSON line written by our outbox (no escapes
// needed for the fields we read here except in text, handled crudely).
std::string JsonField(const std::string& line, const std::string& key) {
  std::string pat = "\"" + key + "\":";
  size_t p = line.find(pat);
  if (p == std::string::npos) return "";
  p += pat.size();
  while (p < line.size() && line[p] == ' ') ++p;
  if (p >= line.size() || line[p] != '"') return "";
  std::string out;
  for (++p; p < line.size() && line[p] != '"'; ++p) {
    if (line[p] == '\\' && p + 1 < line.size()) {
      ++p;
      out.push_back(line[p] == 'n' ? '\n' : line[p]);
    } else {
      out.push_back(line[p]);
    }
  }
  return out;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

std::string NewestCode(const Options& o, const std::string& to) {
  std::vector<std::string> lines = ReadLines(o.outbox);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (!to.empty() && JsonField(*it, "to") != to) continue;
    std::string text = JsonField(*it, "text"), code;
    for (char ch : text) {
      if (ch >= '0' && ch <= '9') code.push_back(ch);
      else if (!code.empty() && ch != ' ') break;  // voice spells "1 2 3"
    }
    return code;
  }
  return "";
}

// SIGKILLs every process whose parent is this driver (found through
// /proc/*/stat); they are not reaped here: that is the module's job.
void KillChildren() {
  DIR* d = opendir("/proc");
  if (d == nullptr) return;
  const pid_t self = getpid();
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/stat");
    std::string stat;
    std::getline(in, stat);
    size_t close_paren = stat.rfind(')');  // comm may hold spaces
    if (close_paren == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (sscanf(stat.c_str() + close_paren + 1, " %c %d", &state, &ppid) != 2)
      continue;
    if (ppid == self && state != 'Z') {
      pid_t pid = static_cast<pid_t>(atoi(e->d_name));
      kill(pid, SIGKILL);
      printf("KILLED: %d\n", static_cast<int>(pid));
    }
  }
  closedir(d);
}

void ShowPhone(Options* o) {
  if (!o->phone || o->outbox.empty()) return;
  std::vector<std::string> lines = ReadLines(o->outbox);
  for (; o->outbox_seen < lines.size(); ++o->outbox_seen) {
    const std::string& l = lines[o->outbox_seen];
    bool sms = JsonField(l, "channel") == "sms";
    printf("\n    .-----------------------------------------.\n");
    printf("    | %-39s |\n", sms ? "Messages - now" : "Incoming call");
    printf("    | %-39s |\n", ("to " + JsonField(l, "to")).c_str());
    printf("    |-----------------------------------------|\n");
    std::string text = JsonField(l, "text");
    while (!text.empty()) {
      size_t n = text.size() <= 39 ? text.size() : text.rfind(' ', 39);
      if (n == std::string::npos || n == 0) n = 39;
      printf("    | %-39s |\n", text.substr(0, n).c_str());
      text.erase(0, n);
      if (!text.empty() && text[0] == ' ') text.erase(0, 1);
    }
    printf("    '-----------------------------------------'\n\n");
  }
  fflush(stdout);
}

bool ReadTerminal(bool echo, std::string* out) {
  struct termios old, raw;
  bool tty = isatty(0) && tcgetattr(0, &old) == 0;
  if (!echo && tty) {
    raw = old;
    raw.c_lflag &= ~ECHO;
    tcsetattr(0, TCSANOW, &raw);
  }
  char buf[1024];
  bool ok = fgets(buf, sizeof(buf), stdin) != nullptr;
  if (!echo && tty) {
    tcsetattr(0, TCSANOW, &old);
    printf("\n");
  }
  if (!ok) return false;
  buf[strcspn(buf, "\n")] = '\0';
  *out = buf;
  return true;
}

int Conv(int n, const struct pam_message** msg, struct pam_response** resp,
         void* data) {
  auto* o = static_cast<Options*>(data);
  if (o->no_conv) return PAM_CONV_ERR;
  auto* r = static_cast<pam_response*>(calloc(n, sizeof(pam_response)));
  if (r == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    int style = msg[i]->msg_style;
    const char* text = msg[i]->msg;
    if (style == PAM_TEXT_INFO || style == PAM_ERROR_MSG) {
      printf(o->interactive
                 ? "%s\n"
                 : (style == PAM_TEXT_INFO ? "INFO: %s\n" : "ERROR: %s\n"),
             text);
      fflush(stdout);
      ShowPhone(o);
      continue;
    }
    // A message sent since the last one arrives before the next question,
    // as on a phone: the code prompt is shown with the text already there.
    ShowPhone(o);
    std::string answer;
    if (o->sshd) {
      if (style != PAM_PROMPT_ECHO_OFF) {
        printf("PROMPT REFUSED: %s\n", text);
        fflush(stdout);
        goto fail;
      }
      printf("PASSWORD GIVEN: %s\n", text);
      fflush(stdout);
      answer = o->sshd_password;
    } else if (o->interactive) {
      printf("%s", text);
      fflush(stdout);
      if (!ReadTerminal(style == PAM_PROMPT_ECHO_ON, &answer)) goto fail;
    } else {
      printf("PROMPT: %s\n", text);
      if (o->next >= o->answers.size()) goto fail;
      answer = o->answers[o->next++];
      if (answer.rfind("@slow:", 0) == 0) {  // "@slow:SECONDS:ANSWER"
        size_t colon = answer.find(':', 6);
        sleep(static_cast<unsigned>(atoi(answer.substr(6, colon - 6).c_str())));
        answer = colon == std::string::npos ? "" : answer.substr(colon + 1);
      }
      if (answer == "@killhelper") {
        KillChildren();
        answer = "";
      }
      if (answer.rfind("@code", 0) == 0) {
        std::string to = answer.size() > 6 ? answer.substr(6) : "";
        answer = NewestCode(*o, to);
      } else if (answer == "@wrongcode") {  // the real code, first digit off
        answer = NewestCode(*o, "");
        if (!answer.empty()) answer[0] = answer[0] == '9' ? '0' : answer[0] + 1;
      }
      printf("ANSWER: %s\n", answer.c_str());
      fflush(stdout);
    }
    r[i].resp = strdup(answer.c_str());
  }
  *resp = r;
  return PAM_SUCCESS;
fail:
  for (int i = 0; i < n; ++i) free(r[i].resp);
  free(r);
  return PAM_CONV_ERR;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        fprintf(stderr, "%s needs a value\n", a.c_str());
        exit(64);
      }
      return argv[++i];
    };
    if (a == "--confdir") o.confdir = value();
    else if (a == "--service") o.service = value();
    else if (a == "--user") o.user = value();
    else if (a == "--outbox") o.outbox = value();
    else if (a == "--rhost") o.rhost = value();
    else if (a == "--tty") o.tty = value();
    else if (a == "--env") o.env.push_back(value());
    else if (a == "--repeat") o.repeat = atoi(value().c_str());
    else if (a == "--interactive") o.interactive = true;
    else if (a == "--phone") o.phone = true;
    else if (a == "--silent") o.silent = true;
    else if (a == "--no-conv") o.no_conv = true;
    else if (a == "--auth") o.auth = true;
    else if (a == "--sshd-password") {
      o.sshd = true;
      o.sshd_password = value();
    } else if (a == "--sigchld-ignore")
      signal(SIGCHLD, SIG_IGN);  // as some daemons do
    else o.answers.push_back(a);
  }
  if (o.confdir.empty() || o.user.empty()) {
    fprintf(stderr, "usage: sspr-pamtest --confdir DIR --user USER [...]\n");
    return 64;
  }
  struct pam_conv conv = {Conv, &o};
  pam_handle_t* pamh = nullptr;
  int r = pam_start_confdir(o.service.c_str(), o.user.c_str(), &conv,
                            o.confdir.c_str(), &pamh);
  if (r != PAM_SUCCESS) {
    fprintf(stderr, "pam_start_confdir: %d\n", r);
    return 70;
  }
  if (!o.rhost.empty()) pam_set_item(pamh, PAM_RHOST, o.rhost.c_str());
  if (!o.tty.empty()) pam_set_item(pamh, PAM_TTY, o.tty.c_str());
  for (const auto& e : o.env) pam_putenv(pamh, e.c_str());
  const int flags = o.silent ? PAM_SILENT : 0;
  auto call = [&]() {
    return o.auth ? pam_authenticate(pamh, flags) : pam_acct_mgmt(pamh, flags);
  };
  for (int i = 1; i < o.repeat; ++i) {
    r = call();
    if (!o.interactive) printf("RESULT: %d %s\n", r, pam_strerror(pamh, r));
  }
  r = call();
  ShowPhone(&o);
  // The module must leave no child behind (no zombie, no orphan of ours).
  // (With SIGCHLD ignored the kernel reaps, and ECHILD is the answer too.)
  pid_t left = waitpid(-1, nullptr, WNOHANG);
  if (!o.interactive) {
    printf("CHILDREN: %s\n", left == -1 && errno == ECHILD ? "none" : "left");
    printf("RESULT: %d %s\n", r, pam_strerror(pamh, r));
  }
  pam_end(pamh, r);
  return r;
}
