// helper/net/ldap_password: the RFC 3062 request value (read back with
// liblber's own decoder), what an answer means, the refusal a person reads
// and libldap's wiping allocator.
#include "helper/net/ldap_password.h"

#include <string.h>

#include <string>

#include "tests/common/passmod_request.h"

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}
// clang-format on

using namespace sspr;

namespace {

const std::string kDn = "uid=ldaprst,ou=people,dc=example,dc=test";

using sspr_test::DecodePassmodRequest;

bool g_wiping = false;  // WipeLdapMemoryOnFree() as main() called it first

void test_libldap_allocates_through_the_wiping_allocator(void**) {
  assert_true(g_wiping);
  assert_false(WipeLdapMemoryOnFree());  // once: later calls are refused
  // What liblber moves and frees still holds what was written.
  auto* p = static_cast<char*>(ber_memalloc(16));
  assert_non_null(p);
  memcpy(p, "0123456789abcdef", 16);
  p = static_cast<char*>(ber_memrealloc(p, 4096));
  assert_non_null(p);
  assert_memory_equal(p, "0123456789abcdef", 16);
  ber_memfree(p);
  BerElement* ber = ber_alloc_t(LBER_USE_DER);
  assert_non_null(ber);
  char secret[] = "secret";
  berval bv{6, secret};
  assert_true(ber_printf(ber, "{tO}", LDAP_TAG_EXOP_MODIFY_PASSWD_NEW, &bv) >=
              0);
  ber_free(ber, 1);
}

void test_the_request_names_the_entry_and_the_new_password_only(void**) {
  std::string value;
  assert_true(PasswdModifyRequestValue(kDn, "Tq7#vLm2!pZr9wKx", &value));
  const auto d = DecodePassmodRequest(value);
  assert_true(d.ok);
  assert_string_equal(d.id.c_str(), kDn.c_str());
  assert_string_equal(d.new_pw.c_str(), "Tq7#vLm2!pZr9wKx");
  assert_true(d.old_pw.empty());  // the service account resets
}

void test_long_values_take_the_long_length_form(void**) {
  std::string dn = "cn=" + std::string(300, 'x') + ",dc=example,dc=test";
  std::string pw(256, 'p');
  pw += "\xc3\xa9 with spaces";
  std::string value;
  assert_true(PasswdModifyRequestValue(dn, pw, &value));
  const auto d = DecodePassmodRequest(value);
  assert_true(d.ok);
  assert_string_equal(d.id.c_str(), dn.c_str());
  assert_string_equal(d.new_pw.c_str(), pw.c_str());
  assert_int_equal(static_cast<unsigned char>(value[1]), 0x82);  // 2 bytes
}

void test_an_empty_or_oversized_dn_or_password_gives_no_request(void**) {
  std::string value = "stale";
  assert_false(PasswdModifyRequestValue("", "pw", &value));
  assert_true(value.empty());
  assert_false(PasswdModifyRequestValue(kDn, "", &value));
  assert_false(
      PasswdModifyRequestValue(std::string(kMaxLdapDn + 1, 'a'), "pw", &value));
  assert_true(
      PasswdModifyRequestValue(std::string(kMaxLdapDn, 'a'), "pw", &value));
}

void test_each_answer_has_one_meaning(void**) {
  using R = PasswordModifyResult;
  struct {
    int rc, pp;
    R want;
  } cases[] = {
      {LDAP_SUCCESS, -1, R::kSet},
      {LDAP_CONSTRAINT_VIOLATION, -1, R::kRefused},  // text only
      {LDAP_CONSTRAINT_VIOLATION, PP_passwordTooShort, R::kRefused},
      {LDAP_CONSTRAINT_VIOLATION, PP_passwordInHistory, R::kRefused},
      {LDAP_CONSTRAINT_VIOLATION, PP_insufficientPasswordQuality, R::kRefused},
      {LDAP_CONSTRAINT_VIOLATION, PP_passwordModNotAllowed, R::kNotAllowed},
      {LDAP_INSUFFICIENT_ACCESS, -1, R::kNoRight},
      {LDAP_INSUFFICIENT_ACCESS, PP_mustSupplyOldPassword, R::kNotAllowed},
      {LDAP_REFERRAL, -1, R::kReplica},
      {LDAP_UNWILLING_TO_PERFORM, -1, R::kError},
      {LDAP_NO_SUCH_OBJECT, -1, R::kError},
      {LDAP_BUSY, -1, R::kError},
      {LDAP_OTHER, -1, R::kError},
  };
  for (const auto& c : cases)
    assert_int_equal(static_cast<int>(ClassifyPasswordModify(c.rc, c.pp)),
                     static_cast<int>(c.want));
}

void test_the_policy_and_the_servers_words_are_both_shown(void**) {
  assert_string_equal(
      PasswordRefusalReason("Password is too short for policy",
                            "Password fails quality checking policy", "pw12")
          .c_str(),
      "Password is too short for policy (Password fails quality checking "
      "policy)");
  assert_string_equal(
      PasswordRefusalReason("", "Password is in history of old passwords", "x")
          .c_str(),
      "Password is in history of old passwords");
  assert_string_equal(
      PasswordRefusalReason("Password fails quality checks",
                            "password fails quality checks", "x")
          .c_str(),
      "Password fails quality checks");  // said once
  assert_string_equal(PasswordRefusalReason("", "", "x").c_str(), "");
}

void test_a_text_that_holds_the_password_is_never_shown(void**) {
  const std::string pw = "Hunter2-Secret";
  assert_string_equal(
      PasswordRefusalReason("", "hunter2-secret contains a dictionary word", pw)
          .c_str(),
      "");
  assert_string_equal(PasswordRefusalReason("Password fails quality checks",
                                            "'Hunter2-Secret' is weak", pw)
                          .c_str(),
                      "Password fails quality checks");
  // Nor one the two texts spell together, across " (".
  assert_string_equal(PasswordRefusalReason("abc y", "x def", "Y (X").c_str(),
                      "abc y");
  // A password split by a control character is caught after cleaning too.
  assert_string_equal(
      PasswordRefusalReason("", "weak: Hunter2-\nSecret", "Hunter2- Secret")
          .c_str(),
      "");
}

void test_a_servers_text_is_cleaned_and_bounded(void**) {
  std::string r =
      PasswordRefusalReason("", "too\tshort\x1b[31m  \r\n(min 8)\x7f", "x");
  assert_string_equal(r.c_str(), "too short [31m (min 8)");
  assert_string_equal(PasswordRefusalReason("", "bad \xff utf-8", "x").c_str(),
                      "");
  std::string longer;
  for (int i = 0; i < 100; ++i) longer += "\xc3\xa9";  // 200 bytes
  longer += "and more";
  r = PasswordRefusalReason("", longer, "x");
  assert_true(r.size() <= kMaxLdapRefusalText + 3);
  assert_string_equal(r.c_str() + r.size() - 3, "...");
  // cut at a character's start: still UTF-8, a whole number of e-acutes
  assert_int_equal((r.size() - 3) % 2, 0);
}

}  // namespace

int main() {
  g_wiping = WipeLdapMemoryOnFree();  // before anything of liblber
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_libldap_allocates_through_the_wiping_allocator),
      cmocka_unit_test(
          test_the_request_names_the_entry_and_the_new_password_only),
      cmocka_unit_test(test_long_values_take_the_long_length_form),
      cmocka_unit_test(
          test_an_empty_or_oversized_dn_or_password_gives_no_request),
      cmocka_unit_test(test_each_answer_has_one_meaning),
      cmocka_unit_test(test_the_policy_and_the_servers_words_are_both_shown),
      cmocka_unit_test(test_a_text_that_holds_the_password_is_never_shown),
      cmocka_unit_test(test_a_servers_text_is_cleaned_and_bounded),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
