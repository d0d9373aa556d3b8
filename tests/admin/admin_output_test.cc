// What sspr-admin prints: masking, escaping, times, login.defs.
#include "tools/admin_output.h"

#include <cstring>
#include <string>

#include "tools/system_users.h"

// clang-format off
#include "tests/admin/cmocka_include.h"  // last: see there
// clang-format on

namespace {

using sspr::Method;

Method M(const char* type, const char* value) {
  Method m;
  m.type = type;
  m.value = value;
  return m;
}

void masking_never_shows_a_full_value(void**) {
  std::string s = sspr::MaskedValue(M("mobile", "+12015550123"));
  assert_null(strstr(s.c_str(), "2015550123"));
  assert_null(strstr(s.c_str(), "555"));
  assert_non_null(strstr(s.c_str(), "+1"));
  assert_non_null(strstr(s.c_str(), "23"));
  s = sspr::MaskedValue(M("office", "+442079460000"));
  assert_null(strstr(s.c_str(), "2079460000"));
  s = sspr::MaskedValue(M("email", "alice.smith@example.com"));
  assert_string_equal(s.c_str(), "a•••@example.com");
  assert_string_equal(sspr::MaskedValue(M("email", "@x")).c_str(), "•••");
  assert_string_equal(sspr::MaskedValue(M("questions", "3")).c_str(),
                      "3 questions");
  assert_string_equal(sspr::MaskedValue(M("totp", "SECRET")).c_str(),
                      "(not shown)");
}

void control_characters_print_escaped(void**) {
  assert_string_equal(sspr::Printable("alice").c_str(), "alice");
  assert_string_equal(sspr::Printable("é ü 日本").c_str(), "é ü 日本");
  assert_string_equal(sspr::Printable("a\x1b[2Jb").c_str(), "a\\x1b[2Jb");
  assert_string_equal(sspr::Printable("a\x7f").c_str(), "a\\x7f");
  assert_string_equal(sspr::Printable("\xc2\x9b"
                                      "1m")
                          .c_str(),
                      "\\xc2\\x9b1m");  // C1 CSI
  assert_string_equal(sspr::Printable("\xff\xc3").c_str(), "\\xff\\xc3");
  assert_string_equal(sspr::Printable("a\\b").c_str(), "a\\\\b");
}

void times_and_states_print_readably(void**) {
  assert_string_equal(sspr::UtcTime(0).c_str(), "-");
  assert_string_equal(sspr::UtcTime(1732500000).c_str(),
                      "2024-11-25 02:00:00 UTC");
  assert_string_equal(sspr::RegistrationState(0, 1), "unregistered");
  assert_string_equal(sspr::RegistrationState(1, 2), "incomplete");
  assert_string_equal(sspr::RegistrationState(2, 2), "registered");
  assert_string_equal(sspr::RegistrationState(3, 2), "registered");
}

void login_defs_gives_the_uid_range(void**) {
  sspr::UidRange r = sspr::ParseLoginDefs("");
  assert_int_equal(r.min, 1000);
  assert_int_equal(r.max, 60000);
  r = sspr::ParseLoginDefs(
      "# UID_MIN 5\nUID_MIN\t\t 2000\n  UID_MAX 3000 # comment\nGID_MIN 7\n");
  assert_int_equal(r.min, 2000);
  assert_int_equal(r.max, 3000);
  r = sspr::ParseLoginDefs("UID_MIN x\nUID_MAX 99999999999\n");
  assert_int_equal(r.min, 1000);
  assert_int_equal(r.max, 60000);
  r = sspr::ParseLoginDefs("UID_MIN 5000\nUID_MAX 4000\n");  // inverted
  assert_int_equal(r.min, 1000);
  assert_int_equal(r.max, 60000);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(masking_never_shows_a_full_value),
      cmocka_unit_test(control_characters_print_escaped),
      cmocka_unit_test(times_and_states_print_readably),
      cmocka_unit_test(login_defs_gives_the_uid_range),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
