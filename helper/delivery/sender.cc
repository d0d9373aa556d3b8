#include "helper/delivery/sender.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <initializer_list>
#include <string>

#include "common/fd.h"
#include "common/time.h"
#include "helper/email_address.h"
#include "helper/phone_number.h"
#include "helper/delivery/run_command.h"
#include "helper/delivery/smtp_sender.h"

namespace sspr {
namespace {

constexpr size_t kMaxTextSize = 1 << 20;  // a sanity bound, texts are short

bool CheckMessage(Channel ch, const std::string& to, const std::string& text,
                  std::string* err) {
  if (!ValidDestination(ch, to)) {
    *err = "invalid destination";  // never the destination itself
    return false;
  }
  if (text.size() > kMaxTextSize) {
    *err = "message text too long";
    return false;
  }
  return true;
}

std::string UtcIso8601(time_t t) {
  struct tm tm;
  char buf[32];
  if (gmtime_r(&t, &tm) == nullptr ||
      strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return "1970-01-01T00:00:00Z";
  }
  return buf;
}

// Zeroes a string json-c owns; it holds the code and is freed unwiped.
void WipeJsonString(const char* s) {
  if (s != nullptr) explicit_bzero(const_cast<char*>(s), strlen(s));
}

// Opens the outbox for appending: created 0600, never via a symlink, never
// anything but a regular file (O_NONBLOCK: a planted FIFO cannot hang us).
int OpenOutbox(const std::string& path, std::string* err) {
  const int kFlags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
  int fd = -1;
  for (int attempt = 0; attempt < 3 && fd < 0; ++attempt) {
    fd = open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
      fchmod(fd, 0600);  // exact mode whatever the umask
      break;
    }
    if (errno != EEXIST) break;
    fd = open(path.c_str(), kFlags);
    if (fd < 0 && errno != ENOENT) break;  // ENOENT: removed meanwhile, retry
  }
  if (fd < 0) {
    *err = "cannot open outbox " + path + ": " +
           (errno == ELOOP ? "it is a symlink" : strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *err = "outbox " + path + " is not a regular file";
    close(fd);
    return -1;
  }
  return fd;
}

class OutboxSender : public CodeSender {
 public:
  OutboxSender(std::string path, int timeout_s)
      : path_(std::move(path)), timeout_s_(timeout_s) {}

  SendStatus Send(Channel ch, const std::string& to, const std::string& text,
                  std::string* err) override {
    if (!CheckMessage(ch, to, text, err)) return SendStatus::kError;
    json_object* root = json_object_new_object();
    json_object* jtext =
        json_object_new_string_len(text.data(), static_cast<int>(text.size()));
    json_object_object_add(
        root, "time",
        json_object_new_string(UtcIso8601(time(nullptr)).c_str()));
    json_object_object_add(root, "channel",
                           json_object_new_string(ChannelName(ch)));
    json_object_object_add(root, "to", json_object_new_string(to.c_str()));
    json_object_object_add(root, "text", jtext);
    const char* out = json_object_to_json_string_ext(
        root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    std::string line = std::string(out) + "\n";
    WipeJsonString(out);
    WipeJsonString(json_object_get_string(jtext));
    json_object_put(root);

    bool ok = Append(line, err);
    explicit_bzero(line.data(), line.size());
    return ok ? SendStatus::kSent : SendStatus::kError;
  }

 private:
  bool Append(const std::string& line, std::string* err) {
    int fd = OpenOutbox(path_, err);
    if (fd < 0) return false;
    const int64_t deadline = NowMs() + int64_t{timeout_s_} * 1000;
    if (!FlockUntil(fd, LOCK_EX, deadline)) {
      const int saved = errno;
      *err = "cannot lock outbox " + path_ + ": " +
             (saved == EWOULDBLOCK ? "timed out" : strerror(saved));
      close(fd);
      return false;
    }
    ssize_t n;
    do {
      n = write(fd, line.data(), line.size());  // one write: one whole line
    } while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);  // drops the flock
    if (n < 0) {
      *err = "cannot write outbox " + path_ + ": " + strerror(saved);
      return false;
    }
    if (static_cast<size_t>(n) != line.size()) {
      *err = "short write to outbox " + path_;
      return false;
    }
    return true;
  }

  std::string path_;
  int timeout_s_;
};

class CommandSender : public CodeSender {
 public:
  CommandSender(std::string path, int timeout_s)
      : path_(std::move(path)), timeout_s_(timeout_s) {}

  SendStatus Send(Channel ch, const std::string& to, const std::string& text,
                  std::string* err) override {
    if (!CheckMessage(ch, to, text, err)) return SendStatus::kError;
    return RunDeliveryCommand(path_, ChannelName(ch), to, text, timeout_s_,
                              err);
  }

 private:
  std::string path_;
  int timeout_s_;
};

}  // namespace

const char* ChannelName(Channel c) {
  switch (c) {
    case Channel::kSms:
      return "sms";
    case Channel::kVoice:
      return "voice";
    case Channel::kEmail:
      return "email";
  }
  return "sms";
}

bool ChannelFromName(const std::string& name, Channel* c) {
  const std::initializer_list<Channel> all = {Channel::kSms, Channel::kVoice,
                                              Channel::kEmail};
  const auto* it = std::find_if(all.begin(), all.end(), [&](Channel k) {
    return name == ChannelName(k);
  });
  if (it == all.end()) return false;
  *c = *it;
  return true;
}

bool ValidDestination(Channel ch, const std::string& to) {
  std::string normalized, error;
  if (ch == Channel::kEmail)
    return ValidateEmail(to, &normalized, &error) && normalized == to;
  // A "text me" number must take SMS (a mobile); a "call me" number a call
  // (mobile or office): the checks the dialogue made, on its own output.
  if (to.size() > kMaxPhoneInput || to.empty() || to[0] != '+') return false;
  PhoneInfo info;
  PhoneKind kind =
      ch == Channel::kSms ? PhoneKind::kMobile : PhoneKind::kOffice;
  if (!ParsePhone(to, "", kind, &info, &error) || info.e164 != to) return false;
  return ch == Channel::kSms ? info.can_sms : info.can_call;
}

namespace {

// `p` and every folder above it: owned by root, not writable by group or
// others. A symlink's own mode means nothing (its folder is checked); a
// root-owned folder with the sticky bit (/tmp) lets no one else rename or
// remove what root put in it. The helper checks as root, so "this
// process's user" is root there; it lets the unit tests run unprivileged.
bool OwnedByRootUpTo(const std::string& what, std::string p, std::string* err) {
  bool leaf = true;
  for (;;) {
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) {
      *err = what + ": " + p + ": " + strerror(errno);
      return false;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
      *err = what + ": " + p + " is not owned by root";
      return false;
    }
    bool sticky =
        S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && st.st_uid == 0;
    if (!S_ISLNK(st.st_mode) && (st.st_mode & 022) != 0 && (leaf || !sticky)) {
      *err = what + ": " + p + " is writable by group or others";
      return false;
    }
    if (p == "/") return true;
    size_t slash = p.rfind('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
    leaf = false;
  }
}

}  // namespace

bool CheckCommandPath(const std::string& path, std::string* err) {
  const std::string what = "delivery command " + path;
  if (path.empty() || path[0] != '/' || path.back() == '/' ||
      path.find("//") != std::string::npos ||
      path.find("/./") != std::string::npos ||
      path.find("/../") != std::string::npos ||
      path.compare(path.size() - 2, 2, "/.") == 0 ||
      (path.size() >= 3 && path.compare(path.size() - 3, 3, "/..") == 0)) {
    *err = what + ": needs an absolute path without '.', '..' or '//'";
    return false;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    *err = what + ": " + strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
    *err = what + " is not an executable file";
    return false;
  }
  // Whoever can rewrite or replace the command receives every code: the
  // path as written (its symlinks' folders) and the file it leads to.
  if (!OwnedByRootUpTo(what, path, err)) return false;
  char* real = realpath(path.c_str(), nullptr);
  if (real == nullptr) {
    *err = what + ": " + strerror(errno);
    return false;
  }
  std::string resolved = real;
  free(real);
  return resolved == path || OwnedByRootUpTo(what, resolved, err);
}

std::unique_ptr<CodeSender> MakeSender(const std::string& spec, int timeout_s,
                                       std::string* err) {
  std::string kind, path;
  size_t colon = spec.find(':');
  if (colon != std::string::npos) {
    kind = spec.substr(0, colon);
    path = spec.substr(colon + 1);
  }
  if (kind != "outbox" && kind != "command") {
    *err = "delivery must be outbox:PATH or command:PATH, not '" + spec + "'";
    return nullptr;
  }
  if (path.empty() || path[0] != '/') {
    *err = "delivery " + kind + " needs an absolute path, not '" + path + "'";
    return nullptr;
  }
  if (timeout_s < 1) {
    *err = "delivery timeout must be at least 1 second";
    return nullptr;
  }
  if (kind == "outbox") {
    return std::make_unique<OutboxSender>(path, timeout_s);
  }
  if (!CheckCommandPath(path, err)) return nullptr;
  return std::make_unique<CommandSender>(path, timeout_s);
}

namespace {
class ChannelSender : public CodeSender {
 public:
  ChannelSender(std::unique_ptr<CodeSender> phone,
                std::unique_ptr<CodeSender> email)
      : phone_(std::move(phone)), email_(std::move(email)) {}
  SendStatus Send(Channel ch, const std::string& to, const std::string& text,
                  std::string* err) override {
    CodeSender* s =
        ch == Channel::kEmail && email_ ? email_.get() : phone_.get();
    return s->Send(ch, to, text, err);
  }

 private:
  std::unique_ptr<CodeSender> phone_, email_;
};
}  // namespace

std::unique_ptr<CodeSender> MakeChannelSender(const std::string& delivery,
                                              const std::string& email_delivery,
                                              int timeout_s, std::string* err) {
  return MakeChannelSender(delivery, email_delivery, timeout_s, SmtpOptions(),
                           err);
}

std::unique_ptr<CodeSender> MakeChannelSender(const std::string& delivery,
                                              const std::string& email_delivery,
                                              int timeout_s,
                                              const SmtpOptions& smtp,
                                              std::string* err) {
  if (delivery == "smtp") {
    *err =
        "smtp sends e-mail only: set email_delivery = smtp and keep "
        "delivery = outbox:PATH or command:PATH for phones";
    return nullptr;
  }
  std::unique_ptr<CodeSender> phone = MakeSender(delivery, timeout_s, err);
  if (!phone) return nullptr;
  std::unique_ptr<CodeSender> email;
  if (email_delivery == "smtp") {
    SmtpOptions o;
    o.url = smtp.url;
    o.from = smtp.from;
    o.user = smtp.user;
    o.password = smtp.password;
    o.cafile = smtp.cafile;
    o.timeout_s = timeout_s;
    email = MakeSmtpSender(o, err);
    if (!email) {
      *err = "email_delivery: " + *err;
      return nullptr;
    }
  } else if (!email_delivery.empty()) {
    email = MakeSender(email_delivery, timeout_s, err);
    if (!email) {
      *err = "email_delivery: " + *err;
      return nullptr;
    }
  }
  return std::make_unique<ChannelSender>(std::move(phone), std::move(email));
}

}  // namespace sspr
