// helper/net/ldap_values: filter escaping (RFC 4515) and the checks values
// read from the directory pass before they count.
#include "helper/net/ldap_values.h"

#include <string.h>

#include "helper/questions.h"
#include "helper/store/record.h"

#include <string>

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

void test_a_star_and_parentheses_never_widen_the_filter(void**) {
  const std::string tmpl = "(&(objectClass=inetOrgPerson)(uid=%u))";
  assert_string_equal(LdapUserFilterFor(tmpl, "bob*").c_str(),
                      "(&(objectClass=inetOrgPerson)(uid=bob\\2a))");
  assert_string_equal(LdapUserFilterFor(tmpl, "x)(uid=*").c_str(),
                      "(&(objectClass=inetOrgPerson)(uid=x\\29\\28uid=\\2a))");
}

void test_backslash_nul_and_non_ascii_are_escaped(void**) {
  std::string v = std::string("a\\b") + '\0' + "\xc3\xa9";
  assert_string_equal(LdapEscapeFilterValue(v).c_str(), "a\\5cb\\00\\c3\\a9");
  assert_string_equal(LdapEscapeFilterValue("alice.smith-2").c_str(),
                      "alice.smith-2");
}

void test_every_percent_u_is_replaced_and_nothing_else(void**) {
  assert_string_equal(
      LdapUserFilterFor("(|(uid=%u)(mail=%u@x)(cn=100%))", "a(").c_str(),
      "(|(uid=a\\28)(mail=a\\28@x)(cn=100%))");
}

void test_an_international_number_is_read_as_e164(void**) {
  std::string e164, why;
  assert_true(LdapPhoneValue("+1 201-555-0123", true, &e164, &why));
  assert_string_equal(e164.c_str(), "+12015550123");
  assert_true(LdapPhoneValue("+12015550123", false, &e164, &why));
}

void test_a_malformed_mobile_is_refused_without_its_value(void**) {
  std::string e164 = "unset", why;
  assert_false(LdapPhoneValue("call me maybe", true, &e164, &why));
  assert_string_equal(e164.c_str(), "unset");
  assert_null(strstr(why.c_str(), "call me"));
  assert_false(LdapPhoneValue("201-555-0123", true, &e164, &why));  // no +
  assert_non_null(strstr(why.c_str(), "international"));
  assert_false(LdapPhoneValue("", true, &e164, &why));
  assert_false(LdapPhoneValue("+1201555\n0123", true, &e164, &why));
  assert_false(LdapPhoneValue(std::string(600, '1'), true, &e164, &why));
}

void test_an_address_has_its_domain_lower_cased(void**) {
  std::string a, why;
  assert_true(LdapEmailValue("LdapReg@Example.Test", &a, &why));
  assert_string_equal(a.c_str(), "LdapReg@example.test");
  assert_false(LdapEmailValue("no-at-sign", &a, &why));
  assert_false(LdapEmailValue("-x@example.test", &a, &why));
}

void test_a_verified_marker_round_trips(void**) {
  VerifiedMarker m, back;
  m.method = "mobile";
  m.at = 1764730000;
  m.value = "+12015550122";
  std::string s = FormatVerifiedMarker(m), why;
  assert_string_equal(s.c_str(), "mobile 1764730000 +12015550122");
  assert_true(ParseVerifiedMarker(s, &back, &why));
  assert_string_equal(back.method.c_str(), "mobile");
  assert_int_equal(back.at, 1764730000);
  assert_string_equal(back.value.c_str(), "+12015550122");
}

void test_a_bad_marker_is_refused(void**) {
  VerifiedMarker m;
  std::string why;
  assert_false(ParseVerifiedMarker("mobile", &m, &why));
  assert_false(ParseVerifiedMarker("fax 1 +1", &m, &why));
  assert_false(ParseVerifiedMarker("mobile soon +1", &m, &why));
  assert_false(ParseVerifiedMarker("mobile 1 ", &m, &why));
  assert_false(ParseVerifiedMarker("mobile 1 a b", &m, &why));
  assert_false(ParseVerifiedMarker("mobile 1234567890123 +1", &m, &why));
}

void test_a_questions_marker_carries_their_count(void**) {
  VerifiedMarker m;
  std::string why;
  assert_true(ParseVerifiedMarker("questions 1764730000 3", &m, &why));
  assert_string_equal(m.method.c_str(), "questions");
  assert_string_equal(m.value.c_str(), "3");
  assert_false(ParseVerifiedMarker("questions 1764730000 2", &m, &why));
  assert_false(ParseVerifiedMarker("questions 1764730000 6", &m, &why));
  assert_false(ParseVerifiedMarker("questions 1764730000 three", &m, &why));
}

// The value is the local record's own answer object, so a hash made by
// HashAnswer and written by AnswerToJson is read back as it was.
void test_a_question_hash_in_the_records_form_is_read_back(void**) {
  QuestionAnswer qa, back;
  std::string hash, err, why;
  assert_true(HashAnswer("paris", &hash, &err));
  qa.question = "In what town or city were you born? \"\u00e9\" \\ /";
  qa.hash = hash;
  const std::string v = AnswerToJson(qa);
  assert_non_null(strstr(v.c_str(), "\"hash\":\"$"));
  assert_true(LdapQuestionValue(v, &back, &why));
  assert_string_equal(back.question.c_str(), qa.question.c_str());
  assert_string_equal(back.hash.c_str(), hash.c_str());
  assert_true(VerifyAnswer("paris", back.hash));
}

void test_a_malformed_question_hash_is_refused_without_its_value(void**) {
  const std::string good_hash =
      "$6$saltsaltsalt$0123456789abcdefghijklmnopqrstuvwxyzABCDEF./";
  auto value = [](const std::string& q, const std::string& h) {
    return AnswerToJson(QuestionAnswer{q, h});
  };
  QuestionAnswer qa;
  std::string why;
  assert_true(LdapQuestionValue(value("Secret pet?", good_hash), &qa, &why));
  const std::string bad[] = {
      "",
      "Secret pet? " + good_hash,                         // not JSON
      value("Secret pet?", "hunter2-in-clear"),           // no hash at all
      value("Secret pet?", "$1$abcdefgh$0123456789abc"),  // MD5 crypt
      value("Secret pet?", "$6$salt$with space in it x"),
      value("Secret pet?", "$6$short"),
      value("Secret\tpet?", good_hash),  // a control character
      value("", good_hash),
      "{\"question\":\"Secret pet?\",\"hash\":\"" + good_hash +
          "\",\"extra\":1}",
      "{\"question\":\"Secret pet?\"}",
      "[\"Secret pet?\",\"" + good_hash + "\"]",
      value(std::string(3000, 'q'), good_hash),  // past the size limit
      "{\"question\":\"Secret pet?\xff\",\"hash\":\"" + good_hash + "\"}",
  };
  for (const std::string& v : bad) {
    why.clear();
    assert_false(LdapQuestionValue(v, &qa, &why));
    assert_false(why.empty());
    assert_null(strstr(why.c_str(), "Secret"));
    assert_null(strstr(why.c_str(), "saltsalt"));
    assert_null(strstr(why.c_str(), "hunter2"));
  }
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_star_and_parentheses_never_widen_the_filter),
      cmocka_unit_test(test_backslash_nul_and_non_ascii_are_escaped),
      cmocka_unit_test(test_every_percent_u_is_replaced_and_nothing_else),
      cmocka_unit_test(test_an_international_number_is_read_as_e164),
      cmocka_unit_test(test_a_malformed_mobile_is_refused_without_its_value),
      cmocka_unit_test(test_an_address_has_its_domain_lower_cased),
      cmocka_unit_test(test_a_verified_marker_round_trips),
      cmocka_unit_test(test_a_bad_marker_is_refused),
      cmocka_unit_test(test_a_questions_marker_carries_their_count),
      cmocka_unit_test(test_a_question_hash_in_the_records_form_is_read_back),
      cmocka_unit_test(
          test_a_malformed_question_hash_is_refused_without_its_value),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
