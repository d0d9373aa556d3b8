// This file is long because it covers both delivery paths (outbox and command)
// with their failure cases.
// Tests for code delivery: the outbox file and the exec'd command.
#include "tests/unit/temp_dir.h"
#include "helper/delivery/command_launcher.h"
#include "helper/delivery/sender.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

namespace {

using sspr::Channel;
using sspr::CodeSender;
using sspr::MakeSender;
using sspr::SendStatus;

bool Sent(SendStatus st) { return st == SendStatus::kSent; }

const char kNum[] = "+14255550100";

using sspr_test::Dir;
using sspr_test::Setup;
using sspr_test::Teardown;

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

std::string Field(json_object* o, const char* key) {
  json_object* v = nullptr;
  if (!json_object_object_get_ex(o, key, &v) ||
      !json_object_is_type(v, json_type_string)) {
    return "<missing>";
  }
  return std::string(json_object_get_string(v), json_object_get_string_len(v));
}

std::string WriteScript(const std::string& dir, const std::string& name,
                        const std::string& body) {
  const std::string path = dir + "/" + name;
  {
    std::ofstream out(path, std::ios::trunc);
    out << "#!/bin/sh\n" << body;
  }
  chmod(path.c_str(), 0700);
  return path;
}

void the_outbox_gets_one_json_line_per_code(void** state) {
  const std::string path = Dir(state) + "/outbox.jsonl";
  std::string err;
  std::unique_ptr<CodeSender> s = MakeSender("outbox:" + path, 5, &err);
  assert_non_null(s.get());
  const std::string tricky = "Your code is 123456.\n\"quoted\" \\ back\ttab é";
  assert_true(Sent(s->Send(Channel::kSms, kNum, "Your code is 654321", &err)));
  assert_true(Sent(s->Send(Channel::kVoice, "+442071838750", tricky, &err)));

  struct stat st;
  assert_int_equal(stat(path.c_str(), &st), 0);
  assert_int_equal(st.st_mode & 07777, 0600);

  std::vector<std::string> lines = Lines(ReadText(path));
  assert_int_equal(lines.size(), 2);  // the newline in the text is escaped
  const char* kChannels[] = {"sms", "voice"};
  const char* kTo[] = {kNum, "+442071838750"};
  const std::string kTexts[] = {"Your code is 654321", tricky};
  for (int i = 0; i < 2; ++i) {
    json_object* o = json_tokener_parse(lines[i].c_str());
    assert_non_null(o);
    assert_int_equal(json_object_object_length(o), 4);
    assert_string_equal(Field(o, "channel").c_str(), kChannels[i]);
    assert_string_equal(Field(o, "to").c_str(), kTo[i]);
    assert_string_equal(Field(o, "text").c_str(), kTexts[i].c_str());
    std::string t = Field(o, "time");
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char* end = strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    assert_non_null(end);
    assert_int_equal(*end, '\0');
    int64_t when = static_cast<int64_t>(timegm(&tm));
    assert_true(llabs(when - static_cast<int64_t>(time(nullptr))) < 60);
    json_object_put(o);
  }
}

void the_outbox_refuses_a_symlink(void** state) {
  const std::string target = Dir(state) + "/target";
  const std::string link = Dir(state) + "/outbox";
  { std::ofstream out(target); }
  assert_int_equal(symlink(target.c_str(), link.c_str()), 0);
  std::string err;
  std::unique_ptr<CodeSender> s = MakeSender("outbox:" + link, 5, &err);
  assert_non_null(s.get());
  assert_false(Sent(s->Send(Channel::kSms, kNum, "secret 111222", &err)));
  assert_null(strstr(err.c_str(), "111222"));
  assert_string_equal(ReadText(target).c_str(), "");
  // A destination that is not E.164 never reaches the file.
  s = MakeSender("outbox:" + Dir(state) + "/ok", 5, &err);
  assert_false(Sent(s->Send(Channel::kSms, "-rf", "x", &err)));
}

void the_command_gets_the_destination_as_argv_and_the_text_on_stdin(
    void** state) {
  const std::string dir = Dir(state);
  const std::string script = WriteScript(dir, "send.sh",
                                         "echo \"$1 $2\" > " + dir +
                                             "/args\n"
                                             "cat > " +
                                             dir +
                                             "/stdin\n"
                                             "env > " +
                                             dir +
                                             "/env\n"
                                             "ls /proc/self/fd > " +
                                             dir + "/fds\n");
  std::string err;
  std::unique_ptr<CodeSender> s = MakeSender("command:" + script, 5, &err);
  assert_non_null(s.get());
  // An inheritable descriptor of ours must not reach the command.
  int leak = open("/dev/null", O_RDONLY);
  assert_true(leak >= 0);
  assert_int_equal(dup2(leak, 42), 42);
  assert_true(
      Sent(s->Send(Channel::kVoice, kNum, "code 246810\nline two", &err)));
  close(42);
  close(leak);
  assert_string_equal(ReadText(dir + "/args").c_str(), "voice +14255550100\n");
  assert_string_equal(ReadText(dir + "/stdin").c_str(),
                      "code 246810\nline two");
  for (const std::string& line : Lines(ReadText(dir + "/env"))) {
    bool shell_set = line.rfind("PWD=", 0) == 0 ||
                     line.rfind("SHLVL=", 0) == 0 || line.rfind("_=", 0) == 0 ||
                     line.rfind("OLDPWD=", 0) == 0;
    if (!shell_set) fail_msg("unexpected environment entry: %s", line.c_str());
  }
  // Only 0-2 and the one ls itself opens: nothing leaked from this process.
  std::vector<std::string> fds = Lines(ReadText(dir + "/fds"));
  assert_true(fds.size() <= 4);
  for (const std::string& fd : fds) assert_true(atoi(fd.c_str()) <= 3);
}

void a_failing_command_is_an_error(void** state) {
  const std::string script =
      WriteScript(Dir(state), "fail.sh", "cat >/dev/null\nexit 3\n");
  std::string err;
  std::unique_ptr<CodeSender> s = MakeSender("command:" + script, 5, &err);
  assert_non_null(s.get());
  assert_false(Sent(s->Send(Channel::kSms, kNum, "code 135791", &err)));
  assert_non_null(strstr(err.c_str(), "exit status 3"));
  assert_null(strstr(err.c_str(), "135791"));

  // A command that exits without reading stdin must not kill us by SIGPIPE.
  const std::string quick = WriteScript(Dir(state), "quick.sh", "exit 0\n");
  s = MakeSender("command:" + quick, 5, &err);
  std::string big(1 << 20, 'x');
  assert_true(Sent(s->Send(Channel::kSms, kNum, big, &err)));
}

// True once `pid` is gone or a zombie (a container's init may not reap).
bool ProcessEnded(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    std::string stat = ReadText("/proc/" + std::to_string(pid) + "/stat");
    size_t paren = stat.rfind(')');
    if (stat.empty() || (paren != std::string::npos &&
                         paren + 2 < stat.size() && stat[paren + 2] == 'Z')) {
      return true;
    }
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, nullptr);
  }
  return false;
}

void a_hanging_command_is_killed_at_its_timeout(void** state) {
  const std::string pid_file = Dir(state) + "/sleep.pid";
  const std::string script = WriteScript(
      Dir(state), "hang.sh", "sleep 30 &\necho $! > " + pid_file + "\nwait\n");
  std::string err;
  std::unique_ptr<CodeSender> s = MakeSender("command:" + script, 1, &err);
  assert_non_null(s.get());
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  assert_false(Sent(s->Send(Channel::kSms, kNum, "code 999888", &err)));
  clock_gettime(CLOCK_MONOTONIC, &b);
  double secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
  assert_true(secs >= 0.9 && secs < 3.0);
  assert_non_null(strstr(err.c_str(), "timed out"));
  assert_null(strstr(err.c_str(), "999888"));
  // Reaped: no child of ours is left, not even a zombie.
  errno = 0;
  assert_int_equal(waitpid(-1, nullptr, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
  // The command's own children (its process group) were killed as well.
  pid_t sleeper = static_cast<pid_t>(atoi(ReadText(pid_file).c_str()));
  assert_true(sleeper > 1);
  assert_true(ProcessEnded(sleeper));
}

void the_callers_signal_dispositions_are_kept(void** state) {
  const std::string script =
      WriteScript(Dir(state), "ok.sh", "cat >/dev/null\n");
  std::string err;
  std::unique_ptr<CodeSender> s = MakeSender("command:" + script, 5, &err);
  assert_non_null(s.get());
  // An ignored SIGCHLD would auto-reap; the exit status must still be seen.
  struct sigaction ign, old;
  memset(&ign, 0, sizeof(ign));
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
  sigset_t before, after;
  sigprocmask(SIG_SETMASK, nullptr, &before);
  assert_true(Sent(s->Send(Channel::kSms, kNum, "code 1", &err)));
  const std::string failing = WriteScript(Dir(state), "f.sh", "exit 4\n");
  std::unique_ptr<CodeSender> f = MakeSender("command:" + failing, 5, &err);
  assert_false(Sent(f->Send(Channel::kSms, kNum, "code 2", &err)));
  assert_non_null(strstr(err.c_str(), "exit status 4"));
  struct sigaction now;
  sigaction(SIGCHLD, nullptr, &now);
  assert_true(now.sa_handler == SIG_IGN);
  sigprocmask(SIG_SETMASK, nullptr, &after);
  assert_int_equal(sigismember(&after, SIGCHLD), sigismember(&before, SIGCHLD));
  assert_int_equal(sigismember(&after, SIGPIPE), sigismember(&before, SIGPIPE));
  sigaction(SIGCHLD, &old, nullptr);
}

void bad_delivery_specs_are_refused(void** state) {
  std::string err;
  assert_null(MakeSender("command:relative/path", 5, &err).get());
  assert_false(err.empty());
  assert_null(MakeSender("command:" + Dir(state) + "/missing", 5, &err).get());
  assert_null(MakeSender("outbox:relative.jsonl", 5, &err).get());
  assert_null(MakeSender("outbox:", 5, &err).get());
  assert_null(MakeSender("smtp:x", 5, &err).get());
  assert_null(MakeSender("", 5, &err).get());
  assert_null(MakeSender("command:" + Dir(state), 5, &err).get());  // a dir
  const std::string noexec = Dir(state) + "/noexec";
  { std::ofstream out(noexec); }
  assert_null(MakeSender("command:" + noexec, 5, &err).get());
  const std::string writable = WriteScript(Dir(state), "w.sh", "exit 0\n");
  chmod(writable.c_str(), 0777);
  assert_null(MakeSender("command:" + writable, 5, &err).get());
  assert_non_null(strstr(err.c_str(), "writable"));
  // Valid at MakeSender, gone at Send: a clear error, not a hang.
  const std::string script = WriteScript(Dir(state), "gone.sh", "exit 0\n");
  std::unique_ptr<CodeSender> s = MakeSender("command:" + script, 5, &err);
  assert_non_null(s.get());
  unlink(script.c_str());
  assert_false(Sent(s->Send(Channel::kSms, kNum, "code 5", &err)));
  assert_non_null(strstr(err.c_str(), "cannot execute"));
  assert_int_equal(waitpid(-1, nullptr, WNOHANG), -1);
}

// The same command, through the launcher the filtered helper uses: same
// argv, stdin, errors and timeout; only configured paths; reaped at stop.
void the_launcher_runs_the_command_the_same_way(void** state) {
  const std::string dir = Dir(state);
  const std::string ok =
      WriteScript(dir, "ok.sh",
                  "echo \"$1 $2\" > " + dir + "/args\ncat > " + dir +
                      "/stdin\nls /proc/$PPID/fd > " + dir + "/lfds\n");
  const std::string bad = WriteScript(dir, "bad.sh", "exit 3\n");
  const std::string hang = WriteScript(dir, "hang.sh", "sleep 30\n");
  const std::string other = WriteScript(dir, "other.sh", "exit 0\n");
  std::string err;
  sspr::HelperUser nobody;
  assert_true(sspr::StartCommandLauncher({ok, bad, hang}, 1, nobody,
                                         /*drop=*/false, &err));
  assert_true(sspr::CommandLauncherRunning());
  std::unique_ptr<CodeSender> s = MakeSender("command:" + ok, 5, &err);
  assert_true(Sent(s->Send(Channel::kSms, kNum, "code 424242", &err)));
  assert_string_equal(ReadText(dir + "/args").c_str(), "sms +14255550100\n");
  assert_string_equal(ReadText(dir + "/stdin").c_str(), "code 424242");
  // The launcher itself holds 0-2 and its socket only (ls adds none of
  // its own: it lists the launcher's, the command's parent).
  for (const std::string& fd : Lines(ReadText(dir + "/lfds")))
    assert_true(atoi(fd.c_str()) <= 3);
  s = MakeSender("command:" + bad, 5, &err);
  assert_false(Sent(s->Send(Channel::kSms, kNum, "code 135791", &err)));
  assert_non_null(strstr(err.c_str(), "exit status 3"));
  assert_null(strstr(err.c_str(), "135791"));
  // The launcher's cap (1 s) wins over the sender's 5 s.
  s = MakeSender("command:" + hang, 5, &err);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  assert_false(Sent(s->Send(Channel::kSms, kNum, "code 999888", &err)));
  clock_gettime(CLOCK_MONOTONIC, &b);
  assert_true(b.tv_sec - a.tv_sec < 4);
  assert_non_null(strstr(err.c_str(), "timed out"));
  // A path it was not given at start is never run.
  s = MakeSender("command:" + other, 5, &err);
  assert_false(Sent(s->Send(Channel::kSms, kNum, "code 1", &err)));
  assert_non_null(strstr(err.c_str(), "not a configured command"));
  // Nor a destination the helper would never send (it may be compromised).
  assert_false(Sent(sspr::RunViaLauncher(ok, "sms", "-rf", "code 2", 5, &err)));
  assert_non_null(strstr(err.c_str(), "invalid channel or destination"));
  // "+1" alone: a launcher check looser than the helper's would run it.
  assert_false(Sent(sspr::RunViaLauncher(ok, "sms", "+1", "code 2", 5, &err)));
  assert_false(Sent(sspr::RunViaLauncher(ok, "fax", kNum, "code 3", 5, &err)));
  assert_true(
      Sent(sspr::RunViaLauncher(ok, "email", "a@example.com", "x", 5, &err)));
  sspr::StopCommandLauncher();
  assert_false(sspr::CommandLauncherRunning());
  errno = 0;
  assert_int_equal(waitpid(-1, nullptr, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
}

// The delivery command's exit statuses: 0 sent, 65 (EX_DATAERR) the
// destination refused (the user's input), anything else temporary; the
// same through the launcher.
void the_exit_status_tells_sent_refused_or_temporary(void** state) {
  const std::string dir = Dir(state);
  const std::string refuses =
      WriteScript(dir, "r.sh", "cat >/dev/null\nexit 65\n");
  const std::string tempfail =
      WriteScript(dir, "t.sh", "cat >/dev/null\nexit 75\n");
  std::string err;
  std::unique_ptr<CodeSender> s = MakeSender("command:" + refuses, 5, &err);
  assert_int_equal(
      static_cast<int>(s->Send(Channel::kSms, kNum, "code 1", &err)),
      static_cast<int>(SendStatus::kBadDestination));
  assert_non_null(strstr(err.c_str(), "refused the destination"));
  assert_null(strstr(err.c_str(), kNum));
  s = MakeSender("command:" + tempfail, 5, &err);
  assert_int_equal(
      static_cast<int>(s->Send(Channel::kSms, kNum, "code 2", &err)),
      static_cast<int>(SendStatus::kError));
  assert_non_null(strstr(err.c_str(), "exit status 75"));
  sspr::HelperUser nobody;
  assert_true(sspr::StartCommandLauncher({refuses, tempfail}, 5, nobody,
                                         /*drop=*/false, &err));
  assert_int_equal(static_cast<int>(sspr::RunViaLauncher(refuses, "sms", kNum,
                                                         "c", 5, &err)),
                   static_cast<int>(SendStatus::kBadDestination));
  assert_int_equal(static_cast<int>(sspr::RunViaLauncher(tempfail, "sms", kNum,
                                                         "c", 5, &err)),
                   static_cast<int>(SendStatus::kError));
  sspr::StopCommandLauncher();
}

// One check for what the user typed and what every sender takes: the
// dialogue's own output passes, nothing else.
void destinations_pass_the_input_check_or_nothing(void**) {
  using sspr::ValidDestination;
  assert_true(ValidDestination(Channel::kEmail, "a@example.com"));
  assert_false(ValidDestination(Channel::kEmail, "-x@example.com"));
  assert_false(
      ValidDestination(Channel::kEmail, "a@Example.com"));  // not normalized
  assert_false(ValidDestination(Channel::kEmail, "a b@example.com"));
  assert_true(ValidDestination(Channel::kSms, kNum));
  assert_true(ValidDestination(Channel::kVoice, kNum));
  assert_false(ValidDestination(Channel::kSms, "+1"));
  assert_false(ValidDestination(Channel::kSms, "-14255550100"));
  assert_false(
      ValidDestination(Channel::kSms, "+1 425 555 0100"));  // not E.164
  // A London landline takes a call, never a text.
  assert_true(ValidDestination(Channel::kVoice, "+442071838750"));
  assert_false(ValidDestination(Channel::kSms, "+442071838750"));
}

// The command and every folder above it: owned by root (here: by the user
// running the test, as the helper checks as root), writable by no one else.
void the_command_and_its_folders_must_be_owned_by_root(void** state) {
  const std::string dir = Dir(state);
  std::string err;
  const std::string open_dir = dir + "/open";
  mkdir(open_dir.c_str(), 0755);
  chmod(open_dir.c_str(), 0777);
  const std::string in_open = WriteScript(open_dir, "send", "exit 0\n");
  assert_null(MakeSender("command:" + in_open, 5, &err).get());
  assert_string_equal(err.c_str(),
                      ("delivery command " + in_open + ": " + open_dir +
                       " is writable by group or others")
                          .c_str());
  chmod(open_dir.c_str(), 0775);  // group-writable is no better
  assert_null(MakeSender("command:" + in_open, 5, &err).get());
  chmod(open_dir.c_str(), 0755);
  assert_non_null(MakeSender("command:" + in_open, 5, &err).get());
  // A symlink to a good command, in a folder anyone can write: refused.
  chmod(open_dir.c_str(), 0777);
  const std::string good_dir = dir + "/good";
  mkdir(good_dir.c_str(), 0755);
  const std::string good = WriteScript(good_dir, "send", "exit 0\n");
  const std::string link = open_dir + "/link";
  assert_int_equal(symlink(good.c_str(), link.c_str()), 0);
  assert_null(MakeSender("command:" + link, 5, &err).get());
  assert_non_null(strstr(err.c_str(), (open_dir + " is writable").c_str()));
  // A symlink in a good folder to a command in a writable one: refused.
  const std::string link2 = good_dir + "/link";
  assert_int_equal(symlink(in_open.c_str(), link2.c_str()), 0);
  assert_null(MakeSender("command:" + link2, 5, &err).get());
  assert_non_null(strstr(err.c_str(), (open_dir + " is writable").c_str()));
  assert_non_null(MakeSender("command:" + good, 5, &err).get());
  assert_null(
      MakeSender("command:" + good_dir + "/../good/send", 5, &err).get());
  if (geteuid() == 0) {  // someone else's file, however safe its folder
    assert_int_equal(chown(good.c_str(), 65534, 65534), 0);
    assert_null(MakeSender("command:" + good, 5, &err).get());
    assert_non_null(strstr(err.c_str(), "is not owned by root"));
  }
}

// The launcher's own cap: a helper taken over cannot use it as an
// unmetered sender. Request kMaxLauncherSends + 1 runs nothing.
void the_launcher_caps_sends_per_run(void** state) {
  const std::string dir = Dir(state);
  const std::string count = WriteScript(
      dir, "count.sh", "cat >/dev/null\necho x >> " + dir + "/runs\n");
  std::string err;
  sspr::HelperUser nobody;
  assert_true(
      sspr::StartCommandLauncher({count}, 5, nobody, /*drop=*/false, &err));
  for (int i = 0; i < sspr::kMaxLauncherSends; ++i)
    assert_true(Sent(sspr::RunViaLauncher(count, "sms", kNum, "c", 5, &err)));
  assert_false(Sent(sspr::RunViaLauncher(count, "sms", kNum, "c", 5, &err)));
  assert_non_null(strstr(err.c_str(), "more than 10 codes in one run"));
  assert_false(Sent(
      sspr::RunViaLauncher(count, "email", "a@example.com", "c", 5, &err)));
  sspr::StopCommandLauncher();
  assert_int_equal(Lines(ReadText(dir + "/runs")).size(),
                   static_cast<size_t>(sspr::kMaxLauncherSends));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(the_outbox_gets_one_json_line_per_code,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(the_outbox_refuses_a_symlink, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(
          the_command_gets_the_destination_as_argv_and_the_text_on_stdin, Setup,
          Teardown),
      cmocka_unit_test_setup_teardown(a_failing_command_is_an_error, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(
          a_hanging_command_is_killed_at_its_timeout, Setup, Teardown),
      cmocka_unit_test_setup_teardown(the_callers_signal_dispositions_are_kept,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(bad_delivery_specs_are_refused, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(
          the_launcher_runs_the_command_the_same_way, Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          the_exit_status_tells_sent_refused_or_temporary, Setup, Teardown),
      cmocka_unit_test(destinations_pass_the_input_check_or_nothing),
      cmocka_unit_test_setup_teardown(
          the_command_and_its_folders_must_be_owned_by_root, Setup, Teardown),
      cmocka_unit_test_setup_teardown(the_launcher_caps_sends_per_run, Setup,
                                      Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
