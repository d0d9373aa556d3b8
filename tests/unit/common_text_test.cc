// Tests for common/text.h: Trim, ForEachLine, ForEachKeyValue, the UTF-8
// decoder, the control-character checks and SafeFileName.
#include <string>
#include <vector>

#include "common/sha256.h"
#include "common/text.h"

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

using sspr::HasControl;
using sspr::IsValidUtf8;
using sspr::KeyValueLine;

void trim_removes_blanks_at_both_ends_only(void** /*state*/) {
  assert_string_equal(sspr::Trim(" \t a b \r").c_str(), "a b");
  assert_string_equal(sspr::Trim(" \t\r ").c_str(), "");
  assert_string_equal(sspr::Trim("").c_str(), "");
  assert_string_equal(sspr::Trim("x").c_str(), "x");
  // Other blanks on request: a CR stays when only space and tab go.
  assert_string_equal(sspr::Trim(" x\r\t", " \t").c_str(), "x\r");
}

void each_line_is_given_with_its_place_and_no_cr(void** /*state*/) {
  std::vector<std::string> got;
  assert_true(sspr::ForEachLine(
      "a\r\n\nb", "f", [&](std::string* line, const std::string& where) {
        got.push_back(where + *line);
        return true;
      }));
  assert_int_equal(got.size(), 3);
  assert_string_equal(got[0].c_str(), "f:1: a");
  assert_string_equal(got[1].c_str(), "f:2: ");
  assert_string_equal(got[2].c_str(), "f:3: b");
}

void the_walk_over_lines_stops_at_the_first_false(void** /*state*/) {
  int calls = 0;
  assert_false(sspr::ForEachLine("a\nb\nc\n", "f",
                                 [&](std::string* line, const std::string&) {
                                   ++calls;
                                   return *line != "b";
                                 }));
  assert_int_equal(calls, 2);
}

void key_value_lines_are_split_trimmed_and_comments_skipped(void** /*state*/) {
  std::vector<std::string> got;
  const char* text =
      "# a comment\n"
      "\n"
      "  key =  a value = with equals \r\n"
      "  # indented comment\n"
      "no equals here\n"
      "=empty key\n";
  assert_true(sspr::ForEachKeyValue(
      text, "cfg", sspr::kBlanks,
      [&](KeyValueLine* kv, const std::string& where) {
        got.push_back(where + (kv->pair ? "pair " : "line ") + "[" + kv->key +
                      "][" + kv->value + "]");
        return true;
      }));
  assert_int_equal(got.size(), 3);
  assert_string_equal(got[0].c_str(),
                      "cfg:3: pair [key][a value = with equals]");
  assert_string_equal(got[1].c_str(), "cfg:5: line [no equals here][]");
  assert_string_equal(got[2].c_str(), "cfg:6: pair [][empty key]");
}

void key_value_blanks_are_the_callers_choice(void** /*state*/) {
  std::string value;
  assert_true(sspr::ForEachKeyValue("k = v\t\r", "f", " \t",
                                    [&](KeyValueLine* kv, const std::string&) {
                                      value = kv->value;
                                      return true;
                                    }));
  // ForEachLine took the line's last CR; a CR before the tab stays.
  assert_string_equal(value.c_str(), "v");
  assert_true(sspr::ForEachKeyValue("k = v\r\t\n", "f", " \t",
                                    [&](KeyValueLine* kv, const std::string&) {
                                      value = kv->value;
                                      return true;
                                    }));
  assert_string_equal(value.c_str(), "v\r");
}

void the_decoder_gives_code_points_and_lengths(void** /*state*/) {
  struct {
    const char* s;
    size_t len;
    uint32_t cp;
  } cases[] = {
      {"A", 1, 0x41},
      {"\xC2\x80", 2, 0x80},
      {"\xDF\xBF", 2, 0x7FF},
      {"\xE0\xA0\x80", 3, 0x800},
      {"\xEF\xBF\xBD", 3, 0xFFFD},
      {"\xF0\x90\x80\x80", 4, 0x10000},
      {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF},
  };
  for (const auto& c : cases) {
    const std::string s = c.s;
    uint32_t cp = 0;
    size_t bad = 99;
    assert_int_equal(
        sspr::Utf8Sequence(reinterpret_cast<const unsigned char*>(s.data()),
                           s.size(), &cp, &bad),
        c.len);
    assert_int_equal(cp, c.cp);
    assert_int_equal(bad, 99);  // untouched when well-formed
  }
}

void ill_formed_sequences_are_refused_with_their_maximal_subpart(
    void** /*state*/) {
  struct {
    const char* s;
    size_t bad;
  } cases[] = {
      {"\x80", 1},              // a lone continuation byte
      {"\xC0\x80", 1},          // overlong lead
      {"\xC1\xBF", 1},          // overlong lead
      {"\xE0\x80\x80", 1},      // overlong: second byte out of range
      {"\xED\xA0\x80", 1},      // a surrogate
      {"\xF4\x90\x80\x80", 1},  // past U+10FFFF
      {"\xF5\x80\x80\x80", 1},  // no such lead
      {"\xE2\x82", 2},          // truncated: both bytes go as one
      {"\xF0\x9F\x98", 3},      // truncated 4-byte sequence
      {"\xE2\x82"
       "A",
       2},  // cut short by ASCII
  };
  for (const auto& c : cases) {
    const std::string s = c.s;
    uint32_t cp = 0;
    size_t bad = 0;
    assert_int_equal(
        sspr::Utf8Sequence(reinterpret_cast<const unsigned char*>(s.data()),
                           s.size(), &cp, &bad),
        0);
    assert_int_equal(bad, c.bad);
    assert_false(IsValidUtf8(s));
  }
}

void valid_utf8_is_told_from_invalid(void** /*state*/) {
  assert_true(IsValidUtf8(""));
  assert_true(IsValidUtf8("plain ASCII"));
  assert_true(
      IsValidUtf8("Gr\xC3\xBC\xC3\x9F"
                  "e \xE2\x82\xAC \xF0\x9F\x98\x80"));
  assert_true(IsValidUtf8(std::string("a\0b", 3)));  // NUL is UTF-8
  assert_false(IsValidUtf8("ok then \xFF"));
  assert_false(IsValidUtf8("\xC3"));
  assert_false(IsValidUtf8("\xEF\xBF"));
}

void c0_del_and_c1_are_control_characters(void** /*state*/) {
  for (uint32_t cp = 0; cp < 0x20; ++cp) assert_true(sspr::IsControlChar(cp));
  for (uint32_t cp = 0x7F; cp <= 0x9F; ++cp)
    assert_true(sspr::IsControlChar(cp));
  assert_false(sspr::IsControlChar(' '));
  assert_false(sspr::IsControlChar('~'));
  assert_false(sspr::IsControlChar(0xA0));
  assert_false(sspr::IsControlChar(0xFFFD));
}

void has_control_allows_only_what_the_caller_names(void** /*state*/) {
  assert_false(HasControl("plain text"));
  assert_true(HasControl("two\nlines"));
  assert_false(HasControl("two\nlines", "\n"));
  assert_true(HasControl("tab\there", "\n"));
  assert_false(HasControl("tab\there", "\t"));
  assert_true(HasControl(std::string("nul\0", 4), "\n"));  // never allowed
  assert_true(HasControl("del\x7F", "\n\t"));
  assert_true(
      HasControl("csi \xC2\x9B"
                 "31m",
                 "\n\t"));                    // U+009B
  assert_false(HasControl("nbsp \xC2\xA0"));  // U+00A0 is text
  // Ill-formed bytes are not controls (IsValidUtf8 judges them).
  assert_false(HasControl("\x9B\x85"));
}

void safe_file_names_escape_all_but_a_small_set(void** /*state*/) {
  assert_string_equal(sspr::SafeFileName("alice").c_str(), "alice");
  assert_string_equal(sspr::SafeFileName("a.b_c-9").c_str(), "a.b_c-9");
  assert_string_equal(sspr::SafeFileName("").c_str(), "%");
  assert_string_equal(sspr::SafeFileName(".hidden").c_str(), "%2Ehidden");
  assert_string_equal(sspr::SafeFileName("../x").c_str(), "%2E.%2Fx");
  assert_string_equal(sspr::SafeFileName("DOM\\u").c_str(), "DOM%5Cu");
  assert_string_equal(sspr::SafeFileName("+x").c_str(), "%2Bx");
  assert_string_equal(sspr::SafeFileName("\xC3\xA9").c_str(), "%C3%A9");
}

void a_long_name_becomes_a_hash_that_never_looks_escaped(void** /*state*/) {
  const std::string longest_escaped(66, '%');  // 198 bytes escaped
  assert_int_equal(sspr::SafeFileName(longest_escaped).size(), 198);
  const std::string name(67, '%');  // 201 bytes escaped: hashed
  const std::string f = sspr::SafeFileName(name);
  assert_int_equal(f.size(), 65);
  assert_int_equal(f[0], '+');
  assert_string_equal(f.c_str(), ("+" + sspr::Sha256Hex(name)).c_str());
  assert_string_not_equal(f.c_str(), sspr::SafeFileName(name + "x").c_str());
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(trim_removes_blanks_at_both_ends_only),
      cmocka_unit_test(each_line_is_given_with_its_place_and_no_cr),
      cmocka_unit_test(the_walk_over_lines_stops_at_the_first_false),
      cmocka_unit_test(key_value_lines_are_split_trimmed_and_comments_skipped),
      cmocka_unit_test(key_value_blanks_are_the_callers_choice),
      cmocka_unit_test(the_decoder_gives_code_points_and_lengths),
      cmocka_unit_test(
          ill_formed_sequences_are_refused_with_their_maximal_subpart),
      cmocka_unit_test(valid_utf8_is_told_from_invalid),
      cmocka_unit_test(c0_del_and_c1_are_control_characters),
      cmocka_unit_test(has_control_allows_only_what_the_caller_names),
      cmocka_unit_test(safe_file_names_escape_all_but_a_small_set),
      cmocka_unit_test(a_long_name_becomes_a_hash_that_never_looks_escaped),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
