// Tests for the per-user and per-destination send limits.
#include "tests/unit/temp_dir.h"
#include "helper/store/rate_limit.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

using sspr::RateLimiter;
using sspr::RateLimitPolicy;
using sspr::RateVerdict;

constexpr int64_t kT0 = 1732500000;
const char kNum1[] = "+14255550100";
const char kNum2[] = "+14255550101";

using sspr_test::Dir;
using sspr_test::Setup;
using sspr_test::Teardown;

RateLimitPolicy Policy(int limit, int window, int lockout) {
  RateLimitPolicy p;
  p.limit = limit;
  p.window = window;
  p.lockout = lockout;
  p.user_limit = limit;
  p.dest_limit = limit;
  return p;
}

// One TryConsume that must not fail; returns its verdict.
RateVerdict Verdict(RateLimiter* rl, const std::string& user,
                    const std::string& dest, int64_t now,
                    int64_t* until = nullptr) {
  RateVerdict v = RateVerdict::kLimited;
  int64_t locked_until = -1;
  std::string err;
  if (!rl->TryConsume(user, dest, now, &v, &locked_until, &err)) {
    fail_msg("TryConsume: %s", err.c_str());
  }
  if (v == RateVerdict::kAllowed) assert_int_equal(locked_until, 0);
  if (until != nullptr) *until = locked_until;
  return v;
}

// Whether it was allowed.
bool Consume(RateLimiter* rl, const std::string& user, const std::string& dest,
             int64_t now, int64_t* until = nullptr) {
  return Verdict(rl, user, dest, now, until) == RateVerdict::kAllowed;
}

void sends_over_the_limit_lock_the_user_out(void** state) {
  RateLimiter rl(Dir(state), Policy(3, 3600, 86400));
  std::string err;
  assert_true(rl.Init(&err));
  for (int i = 0; i < 3; ++i)
    assert_true(Consume(&rl, "alice", kNum1, kT0 + i));
  int64_t until = 0;
  assert_false(Consume(&rl, "alice", kNum1, kT0 + 10, &until));
  assert_int_equal(until, kT0 + 10 + 86400);
  // Still locked later, with the same end, even after the window passed.
  assert_false(Consume(&rl, "alice", kNum1, kT0 + 7200, &until));
  assert_int_equal(until, kT0 + 10 + 86400);
  // Free again once the lockout ends.
  assert_true(Consume(&rl, "alice", kNum1, kT0 + 10 + 86400));

  struct stat st;
  assert_int_equal(stat((Dir(state) + "/rate/user-alice.json").c_str(), &st),
                   0);
  assert_int_equal(st.st_mode & 07777, 0600);
}

void the_user_limit_counts_across_destinations(void** state) {
  RateLimiter rl(Dir(state), Policy(2, 3600, 600));
  std::string err;
  assert_true(rl.Init(&err));
  assert_true(Consume(&rl, "alice", kNum1, kT0));
  assert_true(Consume(&rl, "alice", kNum2, kT0 + 1));
  int64_t until = 0;
  assert_false(Consume(&rl, "alice", "+14255550102", kT0 + 2, &until));
  assert_int_equal(until, kT0 + 2 + 600);
  // Another user is not affected by alice's lockout.
  assert_true(Consume(&rl, "bob", "+14255550103", kT0 + 3));
}

// Issue 11 item 7: codes one account sends to a number lock that number
// for that account only; across accounts a number only gets a brake
// (another number, or later), never a lockout.
void one_account_never_locks_a_number_for_another(void** state) {
  RateLimitPolicy p = Policy(5, 3600, 86400);
  p.user_limit = 10;
  p.dest_limit = 20;
  RateLimiter rl(Dir(state), p);
  std::string err;
  assert_true(rl.Init(&err));
  for (int i = 0; i < 5; ++i)
    assert_true(Consume(&rl, "alice", kNum1, kT0 + i));
  int64_t until = 0;
  assert_int_equal(Verdict(&rl, "alice", kNum1, kT0 + 10, &until),
                   RateVerdict::kLimited);
  assert_int_equal(until, kT0 + 10 + 86400);
  // alice may still use another number (her own limit is 10).
  assert_true(Consume(&rl, "alice", kNum2, kT0 + 11));
  // bob registers the number alice flooded.
  assert_true(Consume(&rl, "bob", kNum1, kT0 + 12));
}

void a_brake_across_users_is_no_lockout(void** state) {
  RateLimitPolicy p = Policy(5, 3600, 86400);
  p.dest_limit = 3;
  RateLimiter rl(Dir(state), p);
  std::string err;
  assert_true(rl.Init(&err));
  assert_true(Consume(&rl, "alice", kNum1, kT0));
  assert_true(Consume(&rl, "bob", kNum1, kT0 + 1));
  assert_true(Consume(&rl, "carol", kNum1, kT0 + 2));
  int64_t until = 0;
  assert_int_equal(Verdict(&rl, "dave", kNum1, kT0 + 3, &until),
                   RateVerdict::kDestBusy);
  assert_int_equal(until, kT0 + 3600);  // when the oldest send leaves
  // dave is not locked: another number works, and so does this one later.
  assert_true(Consume(&rl, "dave", kNum2, kT0 + 4));
  assert_true(Consume(&rl, "dave", kNum1, kT0 + 3600));
  // A lock on the number left by an earlier version is not honoured.
  {
    std::ofstream out(Dir(state) + "/rate/dest-%2B14255550101.json",
                      std::ios::trunc);
    out << "{\"sends\":[],\"locked_until\":" << kT0 + 86400 << "}";
  }
  assert_true(Consume(&rl, "erin", kNum2, kT0 + 5));
}

// The per-number counts in the user's file are bounded (64 numbers; the
// one idle longest goes), so the file always reads back.
void many_numbers_keep_the_user_file_bounded(void** state) {
  RateLimitPolicy p = Policy(5, 3600, 600);
  p.user_limit = 1000;
  RateLimiter rl(Dir(state), p);
  std::string err;
  assert_true(rl.Init(&err));
  for (int i = 0; i < 70; ++i)
    assert_true(
        Consume(&rl, "alice", "+1425555" + std::to_string(1000 + i), kT0 + i));
  // The newest numbers are still counted: five more to the last one lock it.
  const std::string last = "+1425555" + std::to_string(1000 + 69);
  for (int i = 0; i < 4; ++i)
    assert_true(Consume(&rl, "alice", last, kT0 + 80));
  assert_int_equal(Verdict(&rl, "alice", last, kT0 + 81),
                   RateVerdict::kLimited);
}

void sends_expire_with_their_window(void** state) {
  RateLimiter rl(Dir(state), Policy(2, 100, 50));
  std::string err;
  assert_true(rl.Init(&err));
  assert_true(Consume(&rl, "alice", kNum1, kT0));
  assert_true(Consume(&rl, "alice", kNum1, kT0 + 60));
  // kT0 leaves the window at kT0 + 100: one slot free again.
  assert_true(Consume(&rl, "alice", kNum1, kT0 + 100));
  int64_t until = 0;
  assert_false(Consume(&rl, "alice", kNum1, kT0 + 101, &until));
  assert_int_equal(until, kT0 + 151);
}

// The wall clock set back (a year) after a lockout: the user is locked for
// at most `lockout` from the new "now" (not a year more), and not freed
// early either; sends recorded "in the future" count as sent now.
void a_clock_set_back_neither_stretches_nor_shortens_a_lockout(void** state) {
  RateLimiter rl(Dir(state), Policy(2, 3600, 86400));
  std::string err;
  assert_true(rl.Init(&err));
  assert_true(Consume(&rl, "alice", kNum1, kT0));
  assert_true(Consume(&rl, "alice", kNum1, kT0 + 1));
  int64_t until = 0;
  assert_false(Consume(&rl, "alice", kNum1, kT0 + 2, &until));
  assert_int_equal(until, kT0 + 2 + 86400);
  const int64_t back = kT0 - 365 * 86400;
  assert_false(Consume(&rl, "alice", kNum1, back, &until));
  assert_int_equal(until, back + 86400);  // clamped, and saved:
  assert_false(Consume(&rl, "alice", kNum1, back + 86399, &until));
  assert_int_equal(until, back + 86400);  // not restarted by each call
  assert_true(Consume(&rl, "alice", kNum1, back + 86400));

  // Sends "in the future" still count, as sent now: they leave the window
  // an hour after `back`, not a year and an hour later.
  RateLimiter rl2(Dir(state), Policy(2, 3600, 0));
  assert_true(Consume(&rl2, "bob", kNum2, kT0));
  assert_true(Consume(&rl2, "bob", kNum2, kT0 + 1));
  assert_false(Consume(&rl2, "bob", kNum2, back, &until));
  assert_int_equal(until, back + 3600);
  assert_true(Consume(&rl2, "bob", kNum2, back + 3600));
}

void without_a_lockout_only_the_window_limits(void** state) {
  RateLimiter rl(Dir(state), Policy(2, 100, 0));
  std::string err;
  assert_true(rl.Init(&err));
  assert_true(Consume(&rl, "alice", kNum1, kT0));
  assert_true(Consume(&rl, "alice", kNum1, kT0 + 30));
  int64_t until = 0;
  assert_false(Consume(&rl, "alice", kNum1, kT0 + 40, &until));
  assert_int_equal(until, kT0 + 100);  // the oldest send leaves the window
  assert_false(Consume(&rl, "alice", kNum1, kT0 + 99, &until));
  assert_int_equal(until, kT0 + 100);
  assert_true(Consume(&rl, "alice", kNum1, kT0 + 100));
  assert_false(Consume(&rl, "alice", kNum1, kT0 + 101, &until));
  assert_int_equal(until, kT0 + 130);
}

void a_corrupt_rate_file_refuses_and_is_named(void** state) {
  RateLimiter rl(Dir(state), Policy(3, 3600, 600));
  std::string err;
  assert_true(rl.Init(&err));
  const char* kBad[] = {
      "garbage",
      "{\"sends\":[1,2],\"locked_until\":0",
      "{\"sends\":\"1\",\"locked_until\":0}",
      "{\"sends\":[1.5],\"locked_until\":0}",
      "{\"sends\":[],\"locked_until\":\"0\"}",
      "{\"sends\":[],\"locked_until\":0,\"extra\":1}",
      "{\"sends\":[-5],\"locked_until\":0}",
      "{\"sends\":[[[[[[[1]]]]]]],\"locked_until\":0}",
      "{\"sends\":[],\"locked_until\":0,\"pairs\":[]}",
      "{\"sends\":[],\"locked_until\":0,\"pairs\":{\"+1\":{\"sends\":[]}}}",
      ("{\"sends\":[],\"locked_until\":0,\"pairs\":{\"+1\":"
       "{\"sends\":[],\"locked_until\":0,\"pairs\":{}}}}"),
  };
  const std::string path = Dir(state) + "/rate/dest-%2B14255550100.json";
  for (const char* bad : kBad) {
    {
      std::ofstream out(path, std::ios::trunc);
      out << bad;
    }
    RateVerdict v = RateVerdict::kAllowed;
    int64_t until = 0;
    err.clear();
    assert_false(rl.TryConsume("alice", kNum1, kT0, &v, &until, &err));
    assert_true(v != RateVerdict::kAllowed);
    assert_non_null(strstr(err.c_str(), path.c_str()));
  }
  // The corrupt file is left alone, the user's count was not touched.
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  assert_string_equal(ss.str().c_str(), kBad[10]);
  assert_int_equal(access((Dir(state) + "/rate/user-alice.json").c_str(), F_OK),
                   -1);
  // A symlinked state file is refused too.
  unlink(path.c_str());
  assert_int_equal(symlink("/dev/null", path.c_str()), 0);
  RateVerdict v = RateVerdict::kAllowed;
  int64_t until = 0;
  assert_false(rl.TryConsume("alice", kNum1, kT0, &v, &until, &err));
  assert_true(v != RateVerdict::kAllowed);
}

void the_rate_state_persists_across_limiters(void** state) {
  std::string err;
  {
    RateLimiter rl(Dir(state), Policy(2, 3600, 600));
    assert_true(rl.Init(&err));
    assert_true(Consume(&rl, "alice", kNum1, kT0));
  }
  RateLimiter again(Dir(state), Policy(2, 3600, 600));
  assert_true(again.Init(&err));
  assert_true(Consume(&again, "alice", kNum2, kT0 + 1));
  assert_false(Consume(&again, "alice", kNum2, kT0 + 2));
}

// Processes racing for the same user and number: exactly `limit` win, and
// crossing users/numbers never deadlocks (locks are taken user first).
void racing_processes_get_exactly_the_limit(void** state) {
  RateLimiter rl(Dir(state), Policy(4, 3600, 600));
  std::string err;
  assert_true(rl.Init(&err));
  constexpr int kKids = 12;
  int gate[2];
  assert_int_equal(pipe(gate), 0);
  std::vector<pid_t> kids;
  for (int i = 0; i < kKids; ++i) {
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(gate[1]);
      char c;
      while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
      }
      // Half use (alice, num1), half (bob, num1) then (alice, num2).
      RateVerdict v = RateVerdict::kLimited;
      int64_t until = 0;
      std::string e;
      bool ok = i % 2 == 0
                    ? rl.TryConsume("alice", kNum1, kT0, &v, &until, &e)
                    : rl.TryConsume("bob", kNum1, kT0, &v, &until, &e) &&
                          rl.TryConsume("alice", kNum2, kT0, &v, &until, &e);
      if (!ok) fprintf(stderr, "child %d: %s\n", i, e.c_str());
      _exit(!ok ? 2 : v == RateVerdict::kAllowed ? 0 : 1);
    }
    kids.push_back(pid);
  }
  close(gate[0]);
  close(gate[1]);
  for (pid_t pid : kids) {
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_not_equal(WEXITSTATUS(status), 2);
  }
  // alice hit her limit of 4 (locked); num1 its brake of 4 (busy).
  int64_t until = 0;
  assert_int_equal(Verdict(&rl, "alice", "+14255550199", kT0 + 1, &until),
                   RateVerdict::kLimited);
  assert_int_equal(Verdict(&rl, "zed", kNum1, kT0 + 1, &until),
                   RateVerdict::kDestBusy);
  std::ifstream in(Dir(state) + "/rate/user-alice.json");
  std::stringstream ss;
  ss << in.rdbuf();
  // Exactly 4 sends recorded for alice: no update was lost or doubled.
  const std::string text = ss.str();
  size_t commas = 0;
  for (size_t i = text.find('['); i < text.find(']'); ++i)
    commas += text[i] == ',';
  assert_int_equal(commas, 3);  // "sends":[t,t,t,t]
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(sends_over_the_limit_lock_the_user_out,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(the_user_limit_counts_across_destinations,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          one_account_never_locks_a_number_for_another, Setup, Teardown),
      cmocka_unit_test_setup_teardown(a_brake_across_users_is_no_lockout, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(many_numbers_keep_the_user_file_bounded,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(sends_expire_with_their_window, Setup,
                                      Teardown),
      cmocka_unit_test_setup_teardown(without_a_lockout_only_the_window_limits,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(
          a_clock_set_back_neither_stretches_nor_shortens_a_lockout, Setup,
          Teardown),
      cmocka_unit_test_setup_teardown(a_corrupt_rate_file_refuses_and_is_named,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(the_rate_state_persists_across_limiters,
                                      Setup, Teardown),
      cmocka_unit_test_setup_teardown(racing_processes_get_exactly_the_limit,
                                      Setup, Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
