// Unit tests for helper/phone_number.cc (CMocka).
#include "helper/phone_number.h"

#include <phonenumbers/phonenumberutil.h>

#include <cstring>
#include <string>

// cmocka.h last: its fail() macro breaks <ios> if that comes later.
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

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using sspr::PhoneInfo;
using sspr::PhoneKind;

// Checks the installed metadata agrees with what a test assumes.
void ExpectMetadataType(const char* number, const char* region,
                        PhoneNumberUtil::PhoneNumberType type) {
  auto* util = PhoneNumberUtil::GetInstance();
  PhoneNumber parsed;
  assert_int_equal(util->Parse(number, region, &parsed),
                   PhoneNumberUtil::NO_PARSING_ERROR);
  assert_true(util->IsValidNumber(parsed));
  assert_int_equal(util->GetNumberType(parsed), type);
}

PhoneInfo ExpectAccepted(const std::string& input, const char* region,
                         PhoneKind kind, const char* e164) {
  PhoneInfo info;
  std::string error;
  if (!sspr::ParsePhone(input, region, kind, &info, &error)) {
    fail_msg("'%s' in %s refused: %s", input.c_str(), region, error.c_str());
  }
  assert_string_equal(info.e164.c_str(), e164);
  return info;
}

// Refused with a short sentence containing `part` (if given).
void ExpectRefused(const std::string& input, const char* region, PhoneKind kind,
                   const char* part) {
  PhoneInfo info;
  std::string error;
  if (sspr::ParsePhone(input, region, kind, &info, &error)) {
    fail_msg("'%s' in %s accepted as %s", input.c_str(), region,
             info.e164.c_str());
  }
  assert_true(info.e164.empty());
  assert_false(error.empty());
  assert_true(error.size() < 200);
  assert_true(error.back() == '.');
  if (part != nullptr && error.find(part) == std::string::npos) {
    fail_msg("error for '%s' lacks '%s': %s", input.c_str(), part,
             error.c_str());
  }
}

void a_us_number_is_taken_as_mobile(void**) {
  ExpectMetadataType("+1 201-555-0123", "US",
                     PhoneNumberUtil::FIXED_LINE_OR_MOBILE);
  PhoneInfo info = ExpectAccepted("+1 201-555-0123", "US", PhoneKind::kMobile,
                                  "+12015550123");
  assert_string_equal(info.international.c_str(), "+1 201-555-0123");
  assert_string_equal(info.region.c_str(), "US");
  assert_true(info.can_sms);
  assert_true(info.can_call);
  info = ExpectAccepted("(201) 555-0123", "US", PhoneKind::kOffice,
                        "+12015550123");
  assert_false(info.can_sms);
  assert_true(info.can_call);
  ExpectAccepted("1 201 555 0123", "us", PhoneKind::kMobile, "+12015550123");
}

void gb_numbers_are_told_mobile_or_fixed(void**) {
  ExpectMetadataType("07400 123456", "GB", PhoneNumberUtil::MOBILE);
  ExpectMetadataType("020 7946 0000", "GB", PhoneNumberUtil::FIXED_LINE);
  PhoneInfo info =
      ExpectAccepted("07400 123456", "GB", PhoneKind::kMobile, "+447400123456");
  assert_string_equal(info.international.c_str(), "+44 7400 123456");
  assert_string_equal(info.region.c_str(), "GB");
  assert_true(info.can_sms && info.can_call);
  info = ExpectAccepted("020 7946 0000", "GB", PhoneKind::kOffice,
                        "+442079460000");
  assert_false(info.can_sms);
  assert_true(info.can_call);
  ExpectRefused("020 7946 0000", "GB", PhoneKind::kMobile, "office phone");
}

void de_numbers_are_told_mobile_or_fixed(void**) {
  ExpectMetadataType("01512 3456789", "DE", PhoneNumberUtil::MOBILE);
  ExpectMetadataType("030 12345678", "DE", PhoneNumberUtil::FIXED_LINE);
  PhoneInfo info = ExpectAccepted("01512 3456789", "DE", PhoneKind::kMobile,
                                  "+4915123456789");
  assert_string_equal(info.region.c_str(), "DE");
  assert_true(info.can_sms);
  info =
      ExpectAccepted("030 12345678", "DE", PhoneKind::kOffice, "+493012345678");
  assert_false(info.can_sms);
  ExpectRefused("030 12345678", "DE", PhoneKind::kMobile, "office phone");
}

void an_international_prefix_wins_over_the_region(void**) {
  PhoneInfo info = ExpectAccepted("+44 7400 123456", "US", PhoneKind::kMobile,
                                  "+447400123456");
  assert_string_equal(info.region.c_str(), "GB");
  // "00" is not the US exit code, yet it must still mean "+".
  ExpectAccepted("0044 7400 123456", "US", PhoneKind::kMobile, "+447400123456");
  ExpectAccepted("00 44 7400 123456", "DE", PhoneKind::kMobile,
                 "+447400123456");
  ExpectAccepted("0049 1512 3456789", "", PhoneKind::kMobile, "+4915123456789");
  ExpectAccepted("+447400123456", "", PhoneKind::kMobile, "+447400123456");
  ExpectAccepted("+44 (0)7400 123456", "GB", PhoneKind::kMobile,
                 "+447400123456");
}

void punctuation_in_a_number_is_ignored(void**) {
  const char* variants[] = {
      "+44.7400.123456",           "+44-7400-123456",
      "+44 (7400) 123456",         "+44/7400/123456",
      "  +44 7400 123456  ",       "[07400]~123456",
      "+44\u00a07400\u2013123456", "07400\u2009123\u2011456",
  };
  for (const char* v : variants) {
    ExpectAccepted(v, "GB", PhoneKind::kMobile, "+447400123456");
  }
}

void letters_in_a_number_are_refused(void**) {
  ExpectRefused("1-800-FLOWERS", "US", PhoneKind::kOffice, "Letters");
  ExpectRefused("+44 7400 123456 ext 12", "GB", PhoneKind::kMobile, "Letters");
  ExpectRefused("+44 7400 123456 x12", "GB", PhoneKind::kMobile, "Letters");
  ExpectRefused("+44 7400 123456#12", "GB", PhoneKind::kMobile, "digits");
  ExpectRefused("*31#07400123456", "GB", PhoneKind::kMobile, "digits");
  ExpectRefused("07400 12345\u0665", "GB", PhoneKind::kMobile, "digits");
}

void control_characters_in_a_number_are_refused(void**) {
  ExpectRefused("+44 7400\n123456", "GB", PhoneKind::kMobile, "control");
  ExpectRefused("\x1b[31m07400123456", "GB", PhoneKind::kMobile, "control");
  ExpectRefused("07400123456\u202e", "GB", PhoneKind::kMobile, "control");
  ExpectRefused(std::string("07400") + '\0' + "123456", "GB",
                PhoneKind::kMobile, "control");
  ExpectRefused("07400 \xff\xfe 123456", "GB", PhoneKind::kMobile, "text");
  ExpectRefused("07400 \xc0\xa0 123456", "GB", PhoneKind::kMobile, "text");
  ExpectRefused("44+7400123456", "GB", PhoneKind::kMobile, "start");
  ExpectRefused("++447400123456", "GB", PhoneKind::kMobile, "start");
}

void a_number_over_64_characters_is_refused(void**) {
  const std::string number = "+44 7400 123456";
  const std::string at_limit = number + std::string(64 - number.size(), ' ');
  ExpectAccepted(at_limit, "GB", PhoneKind::kMobile, "+447400123456");
  ExpectRefused(at_limit + " ", "GB", PhoneKind::kMobile, "too long");
  ExpectRefused(std::string(65, '1'), "GB", PhoneKind::kMobile, "too long");
  ExpectRefused(std::string(100000, 'A'), "GB", PhoneKind::kMobile, "too long");
  // 64 characters, more bytes: still accepted by length.
  std::string dashes = number;
  while (dashes.size() < number.size() + 3 * (64 - number.size())) {
    dashes += "\u2013";
  }
  ExpectAccepted(dashes, "GB", PhoneKind::kMobile, "+447400123456");
  ExpectRefused(dashes + "\u2013", "GB", PhoneKind::kMobile, "too long");
}

void an_empty_or_invalid_number_asks_for_a_phone_number(void**) {
  ExpectRefused("", "US", PhoneKind::kMobile, "type a phone number");
  ExpectRefused("   ", "US", PhoneKind::kMobile, "type a phone number");
  ExpectRefused("- ( ) -", "US", PhoneKind::kMobile, "type a phone number");
  ExpectRefused("+", "US", PhoneKind::kMobile, "type a phone number");
  ExpectRefused("+1 200 555 0123", "US", PhoneKind::kMobile, "not a valid");
  ExpectRefused("+44 7400 1234567890", "GB", PhoneKind::kMobile, nullptr);
  ExpectRefused("12345678901234567890", "US", PhoneKind::kMobile, "digits");
  ExpectRefused("+999 1234 5678", "US", PhoneKind::kMobile, "country code");
  ExpectRefused("0", "DE", PhoneKind::kMobile, nullptr);
}

void short_codes_are_refused(void**) {
  ExpectRefused("911", "US", PhoneKind::kMobile, "short code");
  ExpectRefused("112", "GB", PhoneKind::kOffice, "short code");
  ExpectRefused("999", "GB", PhoneKind::kMobile, "short code");
  ExpectRefused("112", "DE", PhoneKind::kMobile, "short code");
  ExpectRefused("+44 112", "US", PhoneKind::kMobile, "short code");
}

void premium_and_other_refused_types_are_named(void**) {
  ExpectMetadataType("0909 879 0000", "GB", PhoneNumberUtil::PREMIUM_RATE);
  ExpectRefused("0909 879 0000", "GB", PhoneKind::kOffice, "Premium-rate");
  ExpectMetadataType("+1 900 555 0199", "US", PhoneNumberUtil::PREMIUM_RATE);
  ExpectRefused("+1 900 555 0199", "US", PhoneKind::kMobile, "Premium-rate");
  ExpectMetadataType("0180 1234567", "DE", PhoneNumberUtil::SHARED_COST);
  ExpectRefused("0180 1234567", "DE", PhoneKind::kOffice, "Shared-cost");
  ExpectMetadataType("076 2345 6789", "GB", PhoneNumberUtil::PAGER);
  ExpectRefused("076 2345 6789", "GB", PhoneKind::kMobile, "Pager");
  ExpectMetadataType("0300 123 4567", "GB", PhoneNumberUtil::UAN);
  ExpectRefused("0300 123 4567", "GB", PhoneKind::kOffice, "company");
}

void fixed_line_numbers_are_for_calls_only(void**) {
  const struct {
    const char* number;
    PhoneNumberUtil::PhoneNumberType type;
    const char* e164;
  } cases[] = {
      {"0800 123 4567", PhoneNumberUtil::TOLL_FREE, "+448001234567"},
      {"056 1234 5678", PhoneNumberUtil::VOIP, "+445612345678"},
      {"070 1234 5678", PhoneNumberUtil::PERSONAL_NUMBER, "+447012345678"},
  };
  for (const auto& c : cases) {
    ExpectMetadataType(c.number, "GB", c.type);
    for (PhoneKind kind : {PhoneKind::kMobile, PhoneKind::kOffice}) {
      PhoneInfo info = ExpectAccepted(c.number, "GB", kind, c.e164);
      assert_false(info.can_sms);
      assert_true(info.can_call);
    }
  }
}

void a_national_number_of_another_region_is_refused_with_a_hint(void**) {
  ExpectRefused("07400 123456", "US", PhoneKind::kMobile, "US.");
  ExpectRefused("07400 123456", "US", PhoneKind::kMobile, "type + and");
  ExpectRefused("(425) 555-0100", "GB", PhoneKind::kMobile, "GB.");
  ExpectRefused("01512 3456789", "GB", PhoneKind::kMobile, "GB.");
  ExpectRefused("020 7946 0000", "US", PhoneKind::kOffice, "US.");
  // Some mix-ups cannot be caught: these digits are also a London number,
  // so the dialogue must show info.international back for confirmation.
  PhoneInfo info = ExpectAccepted("(201) 555-0123", "GB", PhoneKind::kOffice,
                                  "+442015550123");
  assert_string_equal(info.international.c_str(), "+44 20 1555 0123");
  ExpectRefused("07400 123456", "", PhoneKind::kMobile, "country code");
  ExpectRefused("07400 123456", "XX", PhoneKind::kMobile, "country code");
}

void ExpectRegion(const char* input, const char* want) {
  std::string region, error;
  if (!sspr::ResolveRegion(input, "US", &region, &error)) {
    fail_msg("region '%s' refused: %s", input, error.c_str());
  }
  assert_string_equal(region.c_str(), want);
}

std::string RegionError(const std::string& input) {
  std::string region = "unchanged", error;
  assert_false(sspr::ResolveRegion(input, "US", &region, &error));
  assert_string_equal(region.c_str(), "unchanged");
  assert_false(error.empty());
  assert_true(error.size() < 200);
  return error;
}

void a_region_answer_resolves_to_a_region(void**) {
  ExpectRegion("", "US");
  ExpectRegion("   ", "US");
  ExpectRegion("gb", "GB");
  ExpectRegion(" Gb ", "GB");
  ExpectRegion("DE", "DE");
  ExpectRegion("+44", "GB");
  ExpectRegion("44", "GB");
  ExpectRegion("0044", "GB");
  ExpectRegion("+ 44", "GB");
  ExpectRegion("+1", "US");
  ExpectRegion("+49", "DE");
  std::string region, error;
  assert_true(sspr::ResolveRegion("", "gb", &region, &error));
  assert_string_equal(region.c_str(), "GB");
}

void an_unknown_region_is_refused_with_an_example(void**) {
  assert_string_equal(
      RegionError("XX").c_str(),
      "'XX' is not a country or region code; type e.g. US, GB or +44");
  assert_non_null(strstr(RegionError("+999").c_str(), "'+999'"));
  assert_non_null(strstr(RegionError("+800").c_str(), "calling code"));
  RegionError("0");
  RegionError("+");
  RegionError("United Kingdom");
  RegionError("G\x07");
  RegionError("GB\n");
  RegionError("\xc3\x9f\xc3\x9f");
  assert_non_null(strstr(RegionError(std::string(65, 'G')).c_str(), "long"));
}

size_t CountDigits(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (c >= '0' && c <= '9') ? 1 : 0;
  return n;
}

void a_masked_phone_shows_its_country_and_last_two_digits(void**) {
  assert_string_equal(
      sspr::MaskPhone("+12015550123").c_str(),
      "+1 \u2022\u2022\u2022-\u2022\u2022\u2022-\u2022\u202223");
  assert_string_equal(
      sspr::MaskPhone("+447400123456").c_str(),
      "+44 \u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u202256");
  const char* numbers[] = {"+4915123456789", "+442079460000", "+12015550123",
                           "+448001234567"};
  for (const char* n : numbers) {
    const std::string masked = sspr::MaskPhone(n);
    const std::string code = n[1] == '1' ? "+1" : n[2] == '9' ? "+49" : "+44";
    assert_int_equal(masked.compare(0, code.size(), code), 0);
    assert_int_equal(CountDigits(masked.substr(code.size())), 2);
    assert_int_equal(masked.compare(masked.size() - 2, 2,
                                    std::string(n).substr(strlen(n) - 2)),
                     0);
  }
}

void an_unparsable_phone_is_masked_all_the_same(void**) {
  assert_string_equal(sspr::MaskPhone("12015550123").c_str(),
                      "+\u2022\u2022\u202223");
  assert_string_equal(sspr::MaskPhone("garbage").c_str(), "\u2022\u2022\u2022");
  assert_string_equal(sspr::MaskPhone("").c_str(), "\u2022\u2022\u2022");
  assert_string_equal(sspr::MaskPhone("+4").c_str(), "\u2022\u2022\u2022");
  const std::string huge = "+" + std::string(10000, '7');
  assert_string_equal(sspr::MaskPhone(huge).c_str(), "+\u2022\u2022\u202277");
  // Short numbers never reveal two of their few digits.
  assert_int_equal(CountDigits(sspr::MaskPhone("+1911")), 1);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_us_number_is_taken_as_mobile),
      cmocka_unit_test(gb_numbers_are_told_mobile_or_fixed),
      cmocka_unit_test(de_numbers_are_told_mobile_or_fixed),
      cmocka_unit_test(an_international_prefix_wins_over_the_region),
      cmocka_unit_test(punctuation_in_a_number_is_ignored),
      cmocka_unit_test(letters_in_a_number_are_refused),
      cmocka_unit_test(control_characters_in_a_number_are_refused),
      cmocka_unit_test(a_number_over_64_characters_is_refused),
      cmocka_unit_test(an_empty_or_invalid_number_asks_for_a_phone_number),
      cmocka_unit_test(short_codes_are_refused),
      cmocka_unit_test(premium_and_other_refused_types_are_named),
      cmocka_unit_test(fixed_line_numbers_are_for_calls_only),
      cmocka_unit_test(
          a_national_number_of_another_region_is_refused_with_a_hint),
      cmocka_unit_test(a_region_answer_resolves_to_a_region),
      cmocka_unit_test(an_unknown_region_is_refused_with_an_example),
      cmocka_unit_test(a_masked_phone_shows_its_country_and_last_two_digits),
      cmocka_unit_test(an_unparsable_phone_is_masked_all_the_same),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
