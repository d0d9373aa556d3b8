// Fuzzes the registration dialogue: the real Dialogue over the real local
// backend (state in a temp dir made once, emptied per input), a fake code
// sender that keeps the last code, a fake clock and a scripted
// conversation.
//
// Input: lines. An optional first line "!k=v k=v ..." sets config keys
// (only the dialogue's own knobs; invalid settings fall back to defaults).
// Every other line (at most 64) is one answer, with these replacements:
//   @code      the last code sent (so success paths are reached)
//   @wrong     the last code with its first digit changed
//   @+N rest   moves the fake clock N seconds on, then answers "rest"
//   @timeout, @closed, @convfail   that conversation reply instead
// Once the answers run out every prompt gets kConvFailed.
// SSPR_FUZZ_TRANSCRIPT=1 prints what the user would see and the result.
// Oracles beyond the sanitizers:
//  - the dialogue ends, never prompts again after a failed reply, and
//    returns a known outcome; cache_ttl is set for positive outcomes only;
//  - every text shown is valid UTF-8 and < 512 bytes (PAM_MAX_MSG_SIZE);
//  - the user's record, if any, loads; REGISTERED_NOW means it holds
//    methods_required methods; one code per send, to a number the store
//    accepts.
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "helper/answer.h"
#include "helper/backends/backend.h"
#include "helper/dialogue.h"
#include "helper/user_store.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

namespace {

constexpr size_t kMaxAnswers = 64;
constexpr int64_t kStartTime = 1800000000;
constexpr char kUser[] = "fuzzuser";

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  fprintf(stderr, "fuzz_dialogue: %s%s%s\n", what, detail.empty() ? "" : ": ",
          detail.c_str());
  abort();
}

// ---- the state dir: made once, emptied per input, removed at exit ----

std::string g_dir;

int RemoveEntry(const char* path, const struct stat*, int, struct FTW* ftw) {
  if (ftw->level > 0) remove(path);  // keep the top directory
  return 0;
}

void EmptyDir() { nftw(g_dir.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS); }

void RemoveDir() {
  EmptyDir();
  rmdir(g_dir.c_str());
}

const std::string& StateDir() {
  if (g_dir.empty()) {
    const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = std::string(base) + "/sspr-fuzz-dialogue-XXXXXX";
    if (mkdtemp(&tmpl[0]) == nullptr) Fail("mkdtemp failed", "");
    g_dir = tmpl;
    atexit(RemoveDir);
  }
  return g_dir;
}

// ---- fakes ----

class FakeClock : public sspr::Clock {
 public:
  int64_t Now() override { return now; }
  int64_t now = kStartTime;
};

class FakeSender : public sspr::CodeSender {
 public:
  bool Send(sspr::Channel ch, const std::string& to, const std::string& text,
            std::string*) override {
    if (!sspr::IsValidUtf8(text)) Fail("code message is not UTF-8", "");
    // SMS: "123456 is ..."; voice spells it: "code is 1 2 3 4 5 6."
    size_t p = text.find_first_of("0123456789");
    std::string code;
    for (; p < text.size() &&
           ((text[p] >= '0' && text[p] <= '9') || text[p] == ' ');
         ++p)
      if (text[p] != ' ') code += text[p];
    if (code.empty()) Fail("a code message without a code", "");
    if (to.size() < 3 || to[0] != '+') Fail("code sent to a non-E.164", to);
    last_code = code;
    last_channel = ch;
    ++sent;
    return true;
  }
  std::string last_code;
  sspr::Channel last_channel = sspr::Channel::kSms;
  int sent = 0;
};

class ScriptedConv : public sspr::Conversation {
 public:
  ScriptedConv(std::vector<std::string> answers, FakeClock* clock,
               const FakeSender* sender)
      : answers_(std::move(answers)), clock_(clock), sender_(sender) {}

  Reply Prompt(bool, const std::string& text, int64_t,
               std::string* answer) override {
    Shown("prompt", text);
    if (stopped_) Fail("prompted again after a failed reply", text);
    ++prompts;
    if (next_ >= answers_.size()) return Stop(Reply::kConvFailed);
    std::string a = answers_[next_++];
    if (a == "@timeout") return Stop(Reply::kTimeout);
    if (a == "@closed") return Stop(Reply::kClosed);
    if (a == "@convfail") return Stop(Reply::kConvFailed);
    if (a.rfind("@+", 0) == 0) {
      size_t sp = a.find(' ');
      std::string n = a.substr(2, sp == std::string::npos ? sp : sp - 2);
      if (!n.empty() && n.size() <= 6 &&
          n.find_first_not_of("0123456789") == std::string::npos)
        clock_->now += atoi(n.c_str());
      a = sp == std::string::npos ? "" : a.substr(sp + 1);
    }
    if (a == "@code") {
      a = sender_->last_code.empty() ? "0" : sender_->last_code;
    } else if (a == "@wrong") {
      a = sender_->last_code.empty() ? "1" : sender_->last_code;
      a[0] = a[0] == '9' ? '0' : static_cast<char>(a[0] + 1);
    }
    *answer = a;
    return Reply::kOk;
  }
  bool Info(const std::string& text) override {
    Shown("info", text);
    return true;
  }
  bool Error(const std::string& text) override {
    Shown("error", text);
    return true;
  }
  int prompts = 0;

 private:
  Reply Stop(Reply r) {
    stopped_ = true;
    return r;
  }
  void Shown(const char* what, const std::string& text) {
    if (getenv("SSPR_FUZZ_TRANSCRIPT")) fprintf(stderr, "%s: %s\n", what, text.c_str());
    if (text.size() >= 512) Fail(what, "text of 512 bytes or more: " + text);
    if (!sspr::IsValidUtf8(text)) Fail(what, "text is not valid UTF-8");
    if (++shown_ > 64 * 16) Fail("the dialogue does not end", text);
  }
  std::vector<std::string> answers_;
  size_t next_ = 0;
  bool stopped_ = false;
  int shown_ = 0;
  FakeClock* clock_;
  const FakeSender* sender_;
};

// ---- input ----

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(sep, pos);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// The keys a script may set: the dialogue's knobs, never paths.
bool Allowed(const std::string& arg) {
  static const char* const kKeys[] = {
      "mode=",           "methods=",         "methods_required=",
      "default_region=", "code_length=",     "code_ttl=",
      "max_attempts=",   "max_input_attempts=", "resend_cooldown=",
      "rate_limit=",     "rate_window=",     "rate_lockout=",
      "cache_ttl=",      "enroll_url=",
  };
  for (const char* k : kKeys)
    if (arg.rfind(k, 0) == 0) return true;
  return false;
}

sspr::Config MakeConfig(const std::string& line) {
  sspr::Config c;
  c.state_dir = StateDir();
  if (line.empty() || line[0] != '!') return c;
  std::vector<std::string> args;
  for (const std::string& a : Split(line.substr(1), ' '))
    if (Allowed(a)) args.push_back(a);
  sspr::Config tried = c;
  std::string err;
  if (sspr::ApplyArgs(args, &tried, &err) && sspr::Validate(tried, &err))
    return tried;
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> lines =
      Split(std::string(reinterpret_cast<const char*>(data), size), '\n');
  const sspr::Config c = MakeConfig(lines[0]);
  if (!lines[0].empty() && lines[0][0] == '!') lines.erase(lines.begin());
  if (lines.size() > kMaxAnswers) lines.resize(kMaxAnswers);

  EmptyDir();
  FakeClock clock;
  auto sender_owned = std::make_unique<FakeSender>();
  FakeSender* sender = sender_owned.get();
  std::string err;
  std::unique_ptr<sspr::Backend> backend =
      sspr::MakeLocalBackend(c, std::move(sender_owned), &clock, &err);
  if (!backend) Fail("MakeLocalBackend failed", err);

  ScriptedConv conv(lines, &clock, sender);
  sspr::Dialogue d(c, backend.get(), &conv, &clock,
                   sspr::proto::NowMs() + 3600 * 1000);
  const sspr::proto::Result r = d.Run(kUser);
  if (getenv("SSPR_FUZZ_TRANSCRIPT"))
    fprintf(stderr, "RESULT: %s ttl=%u log=%s\n",
            sspr::proto::OutcomeName(r.outcome), r.cache_ttl, r.log.c_str());

  const auto o = static_cast<uint8_t>(r.outcome);
  if (o < static_cast<uint8_t>(sspr::proto::Outcome::kRegistered) ||
      o > static_cast<uint8_t>(sspr::proto::Outcome::kFailed))
    Fail("unknown outcome", std::to_string(o));
  const bool positive = r.outcome == sspr::proto::Outcome::kRegistered ||
                        r.outcome == sspr::proto::Outcome::kRegisteredNow;
  if (r.cache_ttl != (positive ? static_cast<uint32_t>(c.cache_ttl) : 0u))
    Fail("cache_ttl does not match the outcome", r.log);
  if (conv.prompts > static_cast<int>(kMaxAnswers) + 1)
    Fail("more prompts than answers", "");
  if (r.log.find('\n') != std::string::npos)
    Fail("log text has a newline", r.log);

  // The record, if any, loads and agrees with the outcome.
  sspr::UserStore store(c.state_dir);
  sspr::UserRecord rec;
  bool found = false;
  if (!store.Load(kUser, &rec, &found, &err))
    Fail("the user's record does not load", err);
  const size_t have = found ? rec.methods.size() : 0;
  if (r.outcome == sspr::proto::Outcome::kRegistered)
    Fail("REGISTERED for a user who had no record", r.log);
  if (r.outcome == sspr::proto::Outcome::kRegisteredNow &&
      have < static_cast<size_t>(c.methods_required))
    Fail("REGISTERED_NOW without the required methods", r.log);
  if (have > c.methods.size()) Fail("more methods than offered", r.log);
  if (static_cast<int>(have) > sender->sent)
    Fail("a method saved without a code sent", r.log);
  return 0;
}
