// Every branch of the module's decision as sspr-admin check reports it.
#include <cstring>
#include <string>

#include "tools/decision.h"
#include "tools/exit_codes.h"

// clang-format off
#include "tests/admin/cmocka_include.h"  // last: see there
// clang-format on

namespace {

using sspr::CacheState;
using sspr::Config;
using sspr::Decide;
using sspr::Decision;
using sspr::Facts;
namespace ex = sspr::admin_exit;

Facts Answered(int methods) {
  Facts f;
  f.backend_ok = true;
  f.methods = methods;
  return f;
}

void Expect(const Decision& d, const char* result, const char* step, int code) {
  assert_string_equal(d.result.c_str(), result);
  assert_string_equal(d.step.c_str(), step);
  assert_int_equal(d.exit_code, code);
  assert_false(d.reason.empty());
}

void out_of_scope_wins(void**) {
  Config c;
  Facts f = Answered(0);
  f.in_scope = false;
  f.scope_why = "exempt user";
  f.cache = CacheState::kFresh;
  Decision d = Decide(c, f);
  Expect(d, "PAM_IGNORE", "scope", ex::kOutOfScope);
  assert_non_null(strstr(d.reason.c_str(), "exempt user"));
}

void fresh_cache_wins_over_backend(void**) {
  Config c;
  Facts f = Answered(0);
  f.cache = CacheState::kFresh;
  Expect(Decide(c, f), "PAM_SUCCESS", "cache", ex::kOk);
  f.backend_ok = false;
  f.backend_error = "down";
  Expect(Decide(c, f), "PAM_SUCCESS", "cache", ex::kOk);
}

void a_registered_user_is_let_in_whatever_the_cache(void**) {
  Config c;
  c.methods_required = 2;
  Facts f = Answered(2);
  for (CacheState s :
       {CacheState::kMissing, CacheState::kExpired, CacheState::kUntrusted,
        CacheState::kInvalid, CacheState::kDisabled}) {
    f.cache = s;
    Decision d = Decide(c, f);
    Expect(d, "PAM_SUCCESS", "backend", ex::kOk);
    assert_non_null(strstr(d.reason.c_str(), "2 of 2"));
    assert_non_null(strstr(d.reason.c_str(), "cached"));
  }
  c.cache_ttl = 0;
  assert_null(strstr(Decide(c, f).reason.c_str(), "cached"));
}

void an_unregistered_user_gets_what_the_mode_says(void**) {
  Config c;
  c.methods_required = 2;
  Facts f = Answered(1);
  c.mode = sspr::Mode::kRegister;
  Decision d = Decide(c, f);
  Expect(d, "dialogue", "mode", ex::kNotRegistered);
  assert_non_null(strstr(d.reason.c_str(), "1 of 2"));
  c.mode = sspr::Mode::kBlock;
  c.enroll_url = "https://example.org/sspr";
  d = Decide(c, f);
  Expect(d, "PAM_PERM_DENIED", "mode", ex::kNotRegistered);
  assert_non_null(strstr(d.reason.c_str(), "https://example.org/sspr"));
  c.mode = sspr::Mode::kWarn;
  Expect(Decide(c, f), "PAM_SUCCESS", "mode", ex::kNotRegistered);
}

void an_unavailable_backend_gets_what_failmode_says(void**) {
  Config c;
  Facts f;
  f.backend_error = "helper_user '_sspr' does not exist";
  f.cache = CacheState::kExpired;
  Decision d = Decide(c, f);
  Expect(d, "PAM_IGNORE", "backend", ex::kUnavailable);
  assert_non_null(strstr(d.reason.c_str(), "_sspr"));
  assert_non_null(strstr(d.reason.c_str(), "failmode=safe"));
  c.failmode = sspr::FailMode::kSecure;
  d = Decide(c, f);
  Expect(d, "PAM_AUTHINFO_UNAVAIL", "backend", ex::kUnavailable);
  assert_non_null(strstr(d.reason.c_str(), "failmode=secure"));
}

void a_stale_cache_entry_counts_while_the_backend_is_unavailable(void**) {
  Config c;
  c.failmode = sspr::FailMode::kSecure;
  c.stale_ttl = 3600;
  Facts f;
  f.backend_error = "rest: GET /v1/users/alice: HTTP 503";
  f.cache = CacheState::kExpired;
  f.stale_age = 100;
  Decision d = Decide(c, f);
  Expect(d, "PAM_SUCCESS", "stale-cache", ex::kUnavailable);
  assert_non_null(strstr(d.reason.c_str(), "HTTP 503"));
  f.stale_age = 3600;  // too old
  Expect(Decide(c, f), "PAM_AUTHINFO_UNAVAIL", "backend", ex::kUnavailable);
  f.stale_age = 100;
  c.stale_ttl = 0;  // off
  Expect(Decide(c, f), "PAM_AUTHINFO_UNAVAIL", "backend", ex::kUnavailable);
  // A stale entry never overrides an answer.
  c.stale_ttl = 3600;
  f.backend_ok = true;
  f.methods = 0;
  Expect(Decide(c, f), "dialogue", "mode", ex::kNotRegistered);
}

void reconfirmation_and_later_follow_the_dialogues_rules(void**) {
  Config c;
  c.reconfirm_days = 180;
  c.snooze_max = 2;
  c.snooze_interval = 3600;
  const int64_t now = 1800000000;
  sspr::UserRecord rec;
  sspr::Method m;
  m.type = "mobile";
  m.value = "+12015550123";
  m.verified_at = now - 181 * 86400;
  rec.methods.push_back(m);
  sspr::PolicyState p;
  Facts f = Answered(1);
  sspr::AddPolicyFacts(c, rec, p, now, &f);
  assert_true(f.reconfirm_due);
  assert_int_equal(f.reconfirm_at, m.verified_at + 180 * 86400);
  Decision d = Decide(c, f);
  Expect(d, "dialogue", "reconfirm", ex::kOk);
  // A later "keep" moves the due date.
  p.confirmed_at = now - 86400;
  f = Answered(1);
  sspr::AddPolicyFacts(c, rec, p, now, &f);
  assert_false(f.reconfirm_due);
  Expect(Decide(c, f), "PAM_SUCCESS", "backend", ex::kOk);
  c.reconfirm_days = 0;  // never
  p.confirmed_at = 0;
  f = Answered(1);
  sspr::AddPolicyFacts(c, rec, p, now, &f);
  assert_false(f.reconfirm_due);

  // Not registered: "later" offered, then chosen, then used up.
  rec.methods.clear();
  f = Answered(0);
  sspr::AddPolicyFacts(c, rec, p, now, &f);
  assert_true(f.later_available);
  assert_int_equal(f.snoozes_left, 2);
  d = Decide(c, f);
  Expect(d, "dialogue", "mode", ex::kNotRegistered);
  assert_non_null(strstr(d.reason.c_str(), "'later'"));
  p.snoozes = 1;
  p.last_snooze = now - 60;
  f = Answered(0);
  sspr::AddPolicyFacts(c, rec, p, now, &f);
  assert_int_equal(f.next_reminder, now - 60 + 3600);
  Expect(Decide(c, f), "PAM_SUCCESS", "later", ex::kNotRegistered);
  p.snoozes = 2;
  p.last_snooze = now - 3600;  // interval over, none left
  f = Answered(0);
  sspr::AddPolicyFacts(c, rec, p, now, &f);
  assert_int_equal(f.next_reminder, 0);
  assert_false(f.later_available);
  d = Decide(c, f);
  assert_null(strstr(d.reason.c_str(), "'later'"));
  c.grace_until = now + 10;  // grace: offered whatever the count
  f = Answered(0);
  sspr::AddPolicyFacts(c, rec, p, now, &f);
  assert_true(f.later_available);
  // Block and warn never offer it.
  c.mode = sspr::Mode::kBlock;
  p.last_snooze = now - 60;
  f = Answered(0);
  sspr::AddPolicyFacts(c, rec, p, now, &f);
  Expect(Decide(c, f), "PAM_PERM_DENIED", "mode", ex::kNotRegistered);
}

void a_user_unknown_to_the_backend_is_out_of_scope_even_with_failmode_secure(
    void**) {
  Config c;
  c.failmode = sspr::FailMode::kSecure;
  Facts f;
  f.backend_user_unknown = true;
  Expect(Decide(c, f), "PAM_IGNORE", "backend", ex::kOutOfScope);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(out_of_scope_wins),
      cmocka_unit_test(fresh_cache_wins_over_backend),
      cmocka_unit_test(a_registered_user_is_let_in_whatever_the_cache),
      cmocka_unit_test(an_unregistered_user_gets_what_the_mode_says),
      cmocka_unit_test(an_unavailable_backend_gets_what_failmode_says),
      cmocka_unit_test(
          a_stale_cache_entry_counts_while_the_backend_is_unavailable),
      cmocka_unit_test(reconfirmation_and_later_follow_the_dialogues_rules),
      cmocka_unit_test(
          a_user_unknown_to_the_backend_is_out_of_scope_even_with_failmode_secure),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
