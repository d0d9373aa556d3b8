// Fuzzes the registration dialogue: the real Dialogue over the real local
// backend and policy store (state in a temp dir made once, emptied per
// input), and the shared fakes of tests/common/fakes.h: a code sender that
// checks and records each message, a clock, and a conversation scripted by
// the input. Set up like helper/main.cc does it.
//
// Input: lines. An optional first line "!k=v k=v ..." sets config keys
// (only the dialogue's own knobs; invalid settings fall back to defaults).
// A line "@login" (or "@login +N": N seconds later) starts the next login
// of the same user (same state, same clock; at most 4 logins). Every other
// line (at most 64 in all) is one answer, with these replacements:
//   @code      the last code sent in this login (reaches the success paths)
//   @wrong     the last code with its first digit changed
//   @+N rest   moves the fake clock N seconds on, then answers "rest"
//   @timeout, @closed, @convfail   that conversation reply instead
// Once a login's answers run out every prompt gets kConvFailed.
// SSPR_FUZZ_TRANSCRIPT=1 prints what the user would see and the results.
//
// Oracles beyond the sanitizers, per login:
//  - the dialogue ends, never prompts again after a failed reply, and
//    returns a known outcome; cache_ttl is 0 unless the outcome is positive
//    and then at most cache_ttl;
//  - every text shown is valid UTF-8 and fits in a frame;
//  - never UNAVAILABLE (the store and the sender are healthy);
//  - the user's record and policy state, if any, load; REGISTERED means the
//    record already held methods_required methods, REGISTERED_NOW that it
//    holds them now; methods are never lost; every phone or e-mail method
//    saved in a login had a code sent in that login.
// SSPR_FUZZ_IGNORE=e164 looks past the finding reported in
// tests/fuzz/crashes/README.md.
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

#include "common/text.h"
#include "common/time.h"
#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/dialogue.h"
#include "helper/questions.h"
#include "helper/store/policy_state.h"
#include "helper/store/user_store.h"
#include "protocol/frame.h"
#include "protocol/messages.h"
#include "tests/common/fakes.h"
#include "tests/fuzz/known_findings.h"

namespace {

constexpr size_t kMaxAnswers = 64;
constexpr size_t kMaxLogins = 4;
constexpr char kUser[] = "fuzzuser";

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  fprintf(stderr, "fuzz_dialogue: %s%s%s\n", what, detail.empty() ? "" : ": ",
          detail.c_str());
  abort();
}

bool Transcript() { return getenv("SSPR_FUZZ_TRANSCRIPT") != nullptr; }

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

using sspr::test::FakeClock;
using sspr::test::Sent;

// The shared recording sender, which also checks every message it is given.
class CheckedSender : public sspr::test::FakeSender {
 public:
  using FakeSender::FakeSender;
  sspr::SendStatus Send(sspr::Channel ch, const std::string& to,
                        const std::string& text, std::string* err) override {
    if (!sspr::IsValidUtf8(text)) Fail("code message is not UTF-8", "");
    if (ch == sspr::Channel::kEmail ? to.find('@') == std::string::npos
                                    : (to.size() < 3 || to[0] != '+'))
      Fail("code sent to an invalid destination", to);
    if (sspr::test::CodeIn(text).empty())
      Fail("a code message without a code", "");
    return FakeSender::Send(ch, to, text, err);
  }
};

// The shared scripted conversation, with answers from the fuzz input: text,
// or @code / @wrong (the last code sent, or one digit off), @timeout /
// @closed / @convfail (the reply that ends the conversation), each after an
// optional "@+N " that moves the clock N seconds on.
class FuzzConv : public sspr::test::ScriptedConv {
 public:
  FuzzConv(std::vector<std::string> script, FakeClock* clock,
           const std::vector<Sent>* sent)
      : script_(std::move(script)), clock_(clock), sent_(sent) {}
  int prompts = 0;

 protected:
  Reply Next(std::string* answer) override {
    if (stopped_) Fail("prompted again after a failed reply", last_prompt_);
    ++prompts;
    if (next_ >= script_.size()) return Stop(Reply::kConvFailed);
    std::string a = script_[next_++];
    if (a == "@timeout") return Stop(Reply::kTimeout);
    if (a == "@closed") return Stop(Reply::kClosed);
    if (a == "@convfail") return Stop(Reply::kConvFailed);
    if (a.rfind("@+", 0) == 0) {
      size_t sp = a.find(' ');
      std::string n = a.substr(2, sp == std::string::npos ? sp : sp - 2);
      if (!n.empty() && n.size() <= 9 &&
          n.find_first_not_of("0123456789") == std::string::npos)
        clock_->now += atol(n.c_str());
      a = sp == std::string::npos ? "" : a.substr(sp + 1);
    }
    const std::string last =
        sent_->empty() ? "" : sspr::test::CodeIn(sent_->back().text);
    if (a == "@code") {
      a = last.empty() ? "0" : last;
    } else if (a == "@wrong") {
      a = sspr::test::WrongCode(last.empty() ? "1" : last);
    }
    *answer = a;
    return Reply::kOk;
  }
  void Shown(const char* kind, const std::string& text) override {
    if (Transcript()) fprintf(stderr, "%s%s\n", kind, text.c_str());
    last_prompt_ = text;
    // Longer than PAM_MAX_MSG_SIZE is fine (the module splits it), longer
    // than a frame is not.
    if (text.size() + 1 > sspr::proto::kMaxFrameLength)
      Fail(kind, "text too long for a frame");
    if (!sspr::IsValidUtf8(text)) Fail(kind, "text is not valid UTF-8");
    if (++shown_ > 64 * 16) Fail("the dialogue does not end", text);
  }

 private:
  Reply Stop(Reply r) {
    stopped_ = true;
    return r;
  }
  std::vector<std::string> script_;
  size_t next_ = 0;
  bool stopped_ = false;
  int shown_ = 0;
  std::string last_prompt_;
  FakeClock* clock_;
  const std::vector<Sent>* sent_;
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
      "mode=",
      "methods=",
      "methods_required=",
      "default_region=",
      "code_length=",
      "code_ttl=",
      "max_attempts=",
      "max_input_attempts=",
      "resend_cooldown=",
      "rate_limit=",
      "rate_window=",
      "rate_lockout=",
      "rate_user_limit=",
      "rate_number_limit=",
      "cache_ttl=",
      "enroll_url=",
      "questions_required=",
      "reconfirm_days=",
      "snooze_max=",
      "snooze_interval=",
      "grace_until=",
      "show_qr=",
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

sspr::UserRecord LoadRecord(const sspr::Config& c) {
  sspr::UserStore store(c.state_dir);
  sspr::UserRecord rec;
  bool found = false;
  std::string err;
  if (!store.Load(kUser, &rec, &found, &err))
    Fail("the user's record does not load", err);
  sspr::PolicyStore policy(c.state_dir);
  sspr::PolicyState ps;
  if (!policy.Load(kUser, &ps, &err))
    Fail("the user's policy state does not load", err);
  return rec;
}

bool Had(const sspr::UserRecord& r, const sspr::Method& m) {
  for (const sspr::Method& o : r.methods)
    if (o.type == m.type && o.value == m.value &&
        o.verified_at == m.verified_at)
      return true;
  return false;
}

void Login(const sspr::Config& c, FakeClock* clock,
           const std::vector<std::string>& answers) {
  const sspr::UserRecord before = LoadRecord(c);
  std::vector<Sent> sent;
  auto sender_owned = std::make_unique<CheckedSender>(&sent);
  std::string err;
  std::unique_ptr<sspr::Backend> backend =
      sspr::MakeLocalBackend(c, std::move(sender_owned), clock, &err);
  if (!backend) Fail("MakeLocalBackend failed", err);
  sspr::PolicyStore policy(c.state_dir);
  if (!policy.Init(&err)) Fail("PolicyStore::Init failed", err);

  FuzzConv conv(answers, clock, &sent);
  sspr::Dialogue d(c, backend.get(), &conv, clock, sspr::NowMs() + 3600 * 1000);
  d.set_questions(sspr::BuiltinQuestions());
  d.set_policy_store(&policy);
  const sspr::proto::Result r = d.Run(kUser);
  if (Transcript())
    fprintf(stderr, "RESULT: %s ttl=%u log=%s\n",
            sspr::proto::OutcomeName(r.outcome), r.cache_ttl, r.log.c_str());

  using sspr::proto::Outcome;
  const auto o = static_cast<uint8_t>(r.outcome);
  if (o < static_cast<uint8_t>(Outcome::kRegistered) ||
      o > static_cast<uint8_t>(Outcome::kFailed))
    Fail("unknown outcome", std::to_string(o));
  const bool positive =
      r.outcome == Outcome::kRegistered || r.outcome == Outcome::kRegisteredNow;
  if (positive ? r.cache_ttl > static_cast<uint32_t>(c.cache_ttl)
               : r.cache_ttl != 0)
    Fail("cache_ttl does not fit the outcome", r.log);
  if (conv.prompts > static_cast<int>(answers.size()) + 1)
    Fail("more prompts than answers", "");
  if (r.log.find('\n') != std::string::npos)
    Fail("log text has a newline", r.log);
  // The store is a fresh tmpfs dir and the sender never fails.
  if (r.outcome == Outcome::kUnavailable &&
      !(sspr_fuzz::Ignored("e164") &&
        r.log.rfind("saving failed: invalid value", 0) == 0))
    Fail("UNAVAILABLE with a healthy store and sender", r.log);

  const sspr::UserRecord after = LoadRecord(c);
  const size_t need = static_cast<size_t>(c.methods_required);
  if (r.outcome == Outcome::kRegistered && before.methods.size() < need)
    Fail("REGISTERED for a user without the required methods", r.log);
  if (r.outcome == Outcome::kRegisteredNow && after.methods.size() < need)
    Fail("REGISTERED_NOW without the required methods", r.log);
  if (after.methods.size() < before.methods.size())
    Fail("a login lost a method", r.log);
  int verified_here = 0;
  for (const sspr::Method& m : after.methods)
    if (m.type != "questions" && !Had(before, m)) ++verified_here;
  if (verified_here > static_cast<int>(sent.size()))
    Fail("a method saved without a code sent", r.log);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> lines =
      Split(std::string(reinterpret_cast<const char*>(data), size), '\n');
  const sspr::Config c = MakeConfig(lines[0]);
  if (!lines[0].empty() && lines[0][0] == '!') lines.erase(lines.begin());

  struct Segment {
    int64_t advance = 0;  // the clock moves on before this login
    std::vector<std::string> answers;
  };
  std::vector<Segment> logins(1);
  size_t answers = 0;
  for (const std::string& l : lines) {
    if (l.rfind("@login", 0) == 0) {
      if (logins.size() == kMaxLogins) break;
      logins.emplace_back();
      const std::string n =
          l.size() > 8 && l[6] == ' ' && l[7] == '+' ? l.substr(8) : "";
      if (!n.empty() && n.size() <= 9 &&
          n.find_first_not_of("0123456789") == std::string::npos)
        logins.back().advance = atol(n.c_str());
    } else if (answers++ < kMaxAnswers) {
      logins.back().answers.push_back(l);
    }
  }

  EmptyDir();
  FakeClock clock;
  for (const Segment& seg : logins) {
    clock.now += seg.advance;
    if (Transcript())
      fprintf(stderr, "---- login at %lld\n",
              static_cast<long long>(clock.now));
    Login(c, &clock, seg.answers);
  }
  return 0;
}
