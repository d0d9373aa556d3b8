// Tests for the rules the dialogue and sspr-admin share
// (helper/store/policy_state.h: reconfirmation and "later") and for the
// method kinds of the record model (helper/store/record.h).
#include <string>

#include "config/config.h"
#include "helper/store/policy_state.h"
#include "helper/store/record.h"

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

using sspr::Config;
using sspr::Method;
using sspr::MethodKind;
using sspr::PolicyState;
using sspr::UserRecord;

constexpr int64_t kDay = 86400;

UserRecord Verified(int64_t at) {
  UserRecord r;
  r.user = "alice";
  r.methods.push_back(Method{"mobile", "+14255550100", at});
  r.methods.push_back(Method{"email", "alice@example.com", at + 10});
  return r;
}

void test_reconfirmation_falls_due_after_the_latest_verification(
    void** /*state*/) {
  Config c;
  c.reconfirm_days = 180;
  PolicyState p;
  UserRecord r = Verified(1000);
  assert_int_equal(sspr::ReconfirmAt(c, p, r), 1010 + 180 * kDay);
  assert_false(sspr::ReconfirmDue(c, p, r, 1009 + 180 * kDay));
  assert_true(sspr::ReconfirmDue(c, p, r, 1010 + 180 * kDay));
}

void test_a_later_keep_moves_reconfirmation_on(void** /*state*/) {
  Config c;
  c.reconfirm_days = 10;
  PolicyState p;
  p.confirmed_at = 5000;
  UserRecord r = Verified(1000);
  assert_int_equal(sspr::ReconfirmAt(c, p, r), 5000 + 10 * kDay);
}

void test_reconfirm_days_zero_is_never_due(void** /*state*/) {
  Config c;
  c.reconfirm_days = 0;
  PolicyState p;
  assert_false(sspr::ReconfirmDue(c, p, Verified(0), 1000000000));
}

void test_a_recent_later_holds_the_reminder_until_the_interval_ends(
    void** /*state*/) {
  Config c;
  c.snooze_interval = 3600;
  PolicyState p;
  assert_int_equal(sspr::RemindedUntil(c, p, 100), 0);  // never said later
  p.last_snooze = 1000;
  assert_int_equal(sspr::RemindedUntil(c, p, 4599), 4600);
  assert_int_equal(sspr::RemindedUntil(c, p, 4600), 0);
}

void test_later_is_offered_within_grace_or_with_snoozes_left(void** /*state*/) {
  Config c;
  c.snooze_max = 2;
  PolicyState p;
  p.snoozes = 1;
  assert_int_equal(sspr::SnoozesLeft(c, p), 1);
  assert_true(sspr::LaterAllowed(c, p, 0));
  p.snoozes = 3;
  assert_int_equal(sspr::SnoozesLeft(c, p), 0);
  assert_false(sspr::LaterAllowed(c, p, 0));
  c.grace_until = 500;
  assert_true(sspr::LaterAllowed(c, p, 499));
  assert_false(sspr::LaterAllowed(c, p, 500));
}

void test_method_names_and_kinds_map_both_ways_and_others_stay_other(
    void** /*state*/) {
  for (MethodKind k : {MethodKind::kMobile, MethodKind::kOffice,
                       MethodKind::kEmail, MethodKind::kQuestions})
    assert_true(sspr::MethodKindOf(sspr::MethodName(k)) == k);
  assert_true(sspr::MethodKindOf("fido") == MethodKind::kOther);
  assert_true(sspr::MethodKindOf("Mobile") == MethodKind::kOther);
  assert_string_equal(sspr::MethodName(MethodKind::kOther), "");
}

void test_a_record_with_an_unknown_method_type_loads_and_keeps_it(
    void** /*state*/) {
  UserRecord r;
  r.user = "alice";
  r.methods.push_back(Method{"fido_key", "x", 1});
  UserRecord back;
  std::string err;
  assert_true(sspr::RecordFromJson(sspr::RecordToJson(r), &back, &err));
  assert_string_equal(back.methods[0].type.c_str(), "fido_key");
  assert_true(back.methods[0].Kind() == MethodKind::kOther);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          test_reconfirmation_falls_due_after_the_latest_verification),
      cmocka_unit_test(test_a_later_keep_moves_reconfirmation_on),
      cmocka_unit_test(test_reconfirm_days_zero_is_never_due),
      cmocka_unit_test(
          test_a_recent_later_holds_the_reminder_until_the_interval_ends),
      cmocka_unit_test(test_later_is_offered_within_grace_or_with_snoozes_left),
      cmocka_unit_test(
          test_method_names_and_kinds_map_both_ways_and_others_stay_other),
      cmocka_unit_test(
          test_a_record_with_an_unknown_method_type_loads_and_keeps_it),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
