// Tests for helper/questions.h: answer normalisation (case fold, NFC, white
// space), the 3-40 character limits counted in characters, reuse detection
// through the normalised form, salted hashes and their verification, and the
// admin's questions file (at most 20 questions of at most 200 characters).
#include "helper/questions.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "tests/unit/temp_dir.h"

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

using sspr::HashAnswer;
using sspr::LoadAdminQuestions;
using sspr::NormalizeAnswer;
using sspr::VerifyAnswer;

const char kLengthError[] = "An answer must have 3 to 40 characters.";
const char kBadCharsError[] =
    "That answer contains characters that are not allowed.";

std::string Norm(const std::string& raw) {
  std::string out, error;
  if (!NormalizeAnswer(raw, &out, &error)) return "<refused: " + error + ">";
  return out;
}

std::string Refusal(const std::string& raw) {
  std::string out, error;
  if (NormalizeAnswer(raw, &out, &error)) return "<accepted: " + out + ">";
  return error;
}

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

void answers_are_case_folded(void**) {
  assert_string_equal(Norm("PARIS").c_str(), "paris");
  assert_string_equal(Norm("PaRiS").c_str(), Norm("paris").c_str());
  // Full Unicode case folding, not ASCII only.
  assert_string_equal(Norm("\xc3\x89"
                           "COLE")
                          .c_str(),
                      "\xc3\xa9"
                      "cole");  // ÉCOLE
  assert_string_equal(Norm("Stra\xc3\x9f"
                           "e")
                          .c_str(),
                      Norm("STRASSE").c_str());
  // Greek final sigma folds like sigma.
  assert_string_equal(Norm("\xce\x9f\xce\x94\xce\x9f\xce\xa3").c_str(),
                      Norm("\xce\xbf\xce\xb4\xce\xbf\xcf\x82").c_str());
}

void nfc_and_nfd_are_the_same_answer(void**) {
  const std::string nfc = "Am\xc3\xa9lie";   // é as U+00E9
  const std::string nfd = "Ame\xcc\x81lie";  // e + U+0301
  assert_string_not_equal(nfc.c_str(), nfd.c_str());
  assert_string_equal(Norm(nfc).c_str(), "am\xc3\xa9lie");
  assert_string_equal(Norm(nfd).c_str(), "am\xc3\xa9lie");
  // Upper-case NFD too: fold and compose in either order give one form.
  assert_string_equal(Norm("AME\xcc\x81LIE").c_str(), "am\xc3\xa9lie");
  // Hangul jamo compose to the syllable.
  assert_string_equal(Norm("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab"
                           "\xea\xb8\x80")
                          .c_str(),
                      Norm("\xed\x95\x9c\xea\xb8\x80").c_str());
}

void white_space_in_answers_collapses(void**) {
  assert_string_equal(Norm("  Paris  ").c_str(), "paris");
  assert_string_equal(Norm("New   York\tCity").c_str(), "new york city");
  // Unicode white space: no-break space, ideographic space, line separator.
  assert_string_equal(Norm("new\xc2\xa0york").c_str(), "new york");
  assert_string_equal(
      Norm("\xe3\x80\x80new \xe3\x80\x80 york\xe2\x80\xa8").c_str(),
      "new york");
  // No space is invented where there was none.
  assert_string_equal(Norm("newyork").c_str(), "newyork");
}

void length_counts_characters_not_bytes(void**) {
  assert_string_equal(Refusal("ab").c_str(), kLengthError);
  assert_string_equal(Refusal("").c_str(), kLengthError);
  // Surrounding white space does not count.
  assert_string_equal(Refusal("   ab   ").c_str(), kLengthError);
  // Inner runs count as one space: "a b" is three characters.
  assert_string_equal(Norm("a    b").c_str(), "a b");
  assert_string_equal(Norm("abc").c_str(), "abc");
  // Three two-byte and three four-byte characters are three characters.
  assert_string_equal(Norm("\xc3\xa4\xc3\xb6\xc3\xbc").c_str(),
                      "\xc3\xa4\xc3\xb6\xc3\xbc");
  const std::string emoji = "\xf0\x9f\x90\xb1";  // U+1F431
  assert_string_equal(Norm(Repeat(emoji, 3)).c_str(), Repeat(emoji, 3).c_str());
  assert_string_equal(Refusal(Repeat(emoji, 2)).c_str(), kLengthError);
  // 40 characters in 40, 80 and 120 bytes are allowed; 41 are not.
  assert_string_equal(Norm(Repeat("a", 40)).c_str(), Repeat("a", 40).c_str());
  assert_string_equal(Refusal(Repeat("a", 41)).c_str(), kLengthError);
  const std::string e_acute = "\xc3\xa9";
  assert_string_equal(Norm(Repeat(e_acute, 40)).c_str(),
                      Repeat(e_acute, 40).c_str());
  assert_string_equal(Refusal(Repeat(e_acute, 41)).c_str(), kLengthError);
  const std::string han = "\xe4\xb8\xad";  // U+4E2D, three bytes
  assert_string_equal(Norm(Repeat(han, 40)).c_str(), Repeat(han, 40).c_str());
  assert_string_equal(Refusal(Repeat(han, 41)).c_str(), kLengthError);
  // Counted after NFC: 40 decomposed é (80 code points typed) are 40.
  assert_string_equal(Norm(Repeat("e\xcc\x81", 40)).c_str(),
                      Repeat(e_acute, 40).c_str());
  // A long run of spaces between words is one character.
  assert_string_equal(
      Norm(Repeat("a", 19) + Repeat(" ", 100) + Repeat("b", 20)).c_str(),
      (Repeat("a", 19) + " " + Repeat("b", 20)).c_str());
}

void invalid_utf8_answers_are_refused(void**) {
  for (const char* bad :
       {"abc\xff", "\xc3(abc", "abc\xed\xa0\x80",  // surrogate
        "\xc0\xaf"
        "abc",             // overlong
        "abc\xe2\x82"}) {  // cut off
    assert_string_equal(Refusal(bad).c_str(), kBadCharsError);
  }
}

void reuse_is_detected_on_the_normalised_form(void**) {
  // The dialogue refuses an answer whose normalised form was given already;
  // these typed forms all collide, these do not.
  const std::string base = Norm("Main Street");
  for (const char* same : {"main street", "  MAIN   STREET ", "Main\tStreet",
                           "main\xc2\xa0street"})
    assert_string_equal(Norm(same).c_str(), base.c_str());
  for (const char* other : {"Main Streets", "MainStreet", "main-street"})
    assert_string_not_equal(Norm(other).c_str(), base.c_str());
}

void an_answer_hashes_and_verifies(void**) {
  std::string h, err;
  assert_true(HashAnswer("fluffy", &h, &err));
  assert_true(h.rfind("$y$", 0) == 0 || h.rfind("$6$", 0) == 0);
  assert_true(h.find("fluffy") == std::string::npos);
  assert_true(VerifyAnswer("fluffy", h));
  assert_false(VerifyAnswer("Fluffy", h));  // callers normalise first
  assert_false(VerifyAnswer("fluffy ", h));
  assert_false(VerifyAnswer("fluff", h));
  assert_false(VerifyAnswer("", h));
  // Non-ASCII answers round-trip too.
  std::string h2;
  assert_true(HashAnswer("am\xc3\xa9lie", &h2, &err));
  assert_true(VerifyAnswer("am\xc3\xa9lie", h2));
  assert_false(VerifyAnswer("ame\xcc\x81lie", h2));  // NFD is not NFC
  // Nothing matches a broken or empty stored hash.
  for (const char* broken : {"", "*", "*0", "$y$", "$y$j9T$", "fluffy"})
    assert_false(VerifyAnswer("fluffy", broken));
}

void hashes_are_salted(void**) {
  std::string a, b, err;
  assert_true(HashAnswer("paris", &a, &err));
  assert_true(HashAnswer("paris", &b, &err));
  assert_string_not_equal(a.c_str(), b.c_str());
  // Different salts (the part up to the last '$'), and both verify.
  assert_string_not_equal(a.substr(0, a.rfind('$')).c_str(),
                          b.substr(0, b.rfind('$')).c_str());
  assert_true(VerifyAnswer("paris", a));
  assert_true(VerifyAnswer("paris", b));
}

void the_builtin_catalogue_has_enough_distinct_questions(void**) {
  std::vector<std::string> q = sspr::BuiltinQuestions();
  assert_true(q.size() >= 5);  // questions_required may be 5
  std::set<std::string> unique(q.begin(), q.end());
  assert_int_equal(unique.size(), q.size());
  for (const auto& s : q) {
    assert_true(s.size() > 5 && s.size() <= sspr::kMaxAdminQuestionChars);
    assert_true(s.back() == '?');
  }
}

// ---- the admin's questions file ----

std::string Write(const std::string& dir, const std::string& text,
                  mode_t mode = 0644) {
  std::string path = dir + "/questions";
  FILE* f = fopen(path.c_str(), "w");
  assert_non_null(f);
  fwrite(text.data(), 1, text.size(), f);
  fclose(f);
  chmod(path.c_str(), mode);
  return path;
}

std::string Numbered(int n) {
  std::string s;
  for (int i = 1; i <= n; ++i)
    s += "Admin question number " + std::to_string(i) + "?\n";
  return s;
}

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

void an_admin_questions_file_loads(void** state) {
  std::string path = Write(sspr_test::Dir(state),
                           "# our own questions\n\n"
                           "  What was your first employee number?  \r\n"
                           "\t\n"
                           "Wie hie\xc3\x9f Ihr erstes Haustier?\n"
                           "# What is commented out?\n"
                           "Last question without a newline?");
  std::vector<std::string> q{"left over"};
  std::string err;
  assert_true(LoadAdminQuestions(path, true, &q, &err));
  assert_int_equal(q.size(), 3);
  assert_string_equal(q[0].c_str(), "What was your first employee number?");
  assert_string_equal(q[1].c_str(), "Wie hie\xc3\x9f Ihr erstes Haustier?");
  assert_string_equal(q[2].c_str(), "Last question without a newline?");
  // An empty file is no questions, not an error.
  path = Write(sspr_test::Dir(state), "");
  assert_true(LoadAdminQuestions(path, true, &q, &err));
  assert_int_equal(q.size(), 0);
}

void an_admin_file_holds_at_most_20_questions(void** state) {
  std::string err;
  std::vector<std::string> q;
  std::string path = Write(sspr_test::Dir(state), Numbered(20) + "# done\n");
  assert_true(LoadAdminQuestions(path, true, &q, &err));
  assert_int_equal(q.size(), sspr::kMaxAdminQuestions);
  path = Write(sspr_test::Dir(state), "# header\n" + Numbered(21));
  assert_false(LoadAdminQuestions(path, true, &q, &err));
  assert_true(Contains(err, path + ":22: "));  // names the 21st question
  assert_true(Contains(err, "more than 20 questions"));
}

void an_admin_question_has_at_most_200_characters(void** state) {
  std::string err;
  std::vector<std::string> q;
  // 200 characters in 400 bytes are allowed ...
  std::string long_ok = Repeat("\xc3\xa9", 199) + "?";
  std::string path = Write(sspr_test::Dir(state), "First?\n" + long_ok + "\n");
  assert_true(LoadAdminQuestions(path, true, &q, &err));
  assert_int_equal(q.size(), 2);
  assert_string_equal(q[1].c_str(), long_ok.c_str());
  // ... and 200 characters of three bytes each; 201 are not.
  path = Write(sspr_test::Dir(state), Repeat("\xe4\xb8\xad", 199) + "?\n");
  assert_true(LoadAdminQuestions(path, true, &q, &err));
  path = Write(sspr_test::Dir(state),
               "First?\n" + Repeat("\xc3\xa9", 200) + "?\n");
  assert_false(LoadAdminQuestions(path, true, &q, &err));
  assert_true(Contains(err, path + ":2: "));
  assert_true(Contains(err, "at most 200 characters"));
  path = Write(sspr_test::Dir(state), Repeat("x", 201) + "\n");
  assert_false(LoadAdminQuestions(path, true, &q, &err));
  assert_true(Contains(err, path + ":1: "));
}

void bad_lines_in_an_admin_file_are_named(void** state) {
  struct {
    std::string text;
    int line;
    const char* what;
  } cases[] = {
      {"One?\nTwo?\nOne?\n", 3, "the same question twice"},
      {"One?\nA bell\x07?\n", 2, "control character"},
      {"One?\nAn escape \x1b[2J?\n", 2, "control character"},
      {"Not UTF-8 \xff?\n", 1, "not UTF-8"},
      {"One?\n\nThree \xc3(\n", 3, "not UTF-8"},
  };
  for (const auto& c : cases) {
    std::string err;
    std::vector<std::string> q;
    std::string path = Write(sspr_test::Dir(state), c.text);
    assert_false(LoadAdminQuestions(path, true, &q, &err));
    std::string where = path + ":" + std::to_string(c.line) + ": ";
    if (!Contains(err, where) || !Contains(err, c.what))
      fail_msg("for %s: got '%s'", c.what, err.c_str());
  }
}

void an_admin_file_that_is_missing_or_unsafe_is_named(void** state) {
  std::string err;
  std::vector<std::string> q;
  std::string dir = sspr_test::Dir(state);
  // Missing: the error names the file.
  assert_false(LoadAdminQuestions(dir + "/missing", true, &q, &err));
  assert_true(Contains(err, dir + "/missing"));
  // Group- or world-writable: refused with check_perms, read without.
  for (mode_t mode : {0664, 0646}) {
    std::string path = Write(dir, Numbered(2), mode);
    err.clear();
    assert_false(LoadAdminQuestions(path, true, &q, &err));
    assert_true(Contains(err, path));
    assert_true(Contains(err, "writable"));
    assert_true(LoadAdminQuestions(path, false, &q, &err));
    assert_int_equal(q.size(), 2);
  }
  // Not a regular file; a symbolic link is not followed.
  assert_false(LoadAdminQuestions(dir, false, &q, &err));
  assert_true(Contains(err, dir));
  std::string path = Write(dir, Numbered(1));
  assert_int_equal(symlink(path.c_str(), (dir + "/link").c_str()), 0);
  assert_false(LoadAdminQuestions(dir + "/link", false, &q, &err));
  // Larger than 64 KiB (comments only) is refused as a whole.
  path = Write(dir, Repeat("#" + Repeat("x", 1023) + "\n", 65));
  assert_false(LoadAdminQuestions(path, false, &q, &err));
  assert_true(Contains(err, path));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(answers_are_case_folded),
      cmocka_unit_test(nfc_and_nfd_are_the_same_answer),
      cmocka_unit_test(white_space_in_answers_collapses),
      cmocka_unit_test(length_counts_characters_not_bytes),
      cmocka_unit_test(invalid_utf8_answers_are_refused),
      cmocka_unit_test(reuse_is_detected_on_the_normalised_form),
      cmocka_unit_test(an_answer_hashes_and_verifies),
      cmocka_unit_test(hashes_are_salted),
      cmocka_unit_test(the_builtin_catalogue_has_enough_distinct_questions),
      cmocka_unit_test_setup_teardown(an_admin_questions_file_loads,
                                      sspr_test::Setup, sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(an_admin_file_holds_at_most_20_questions,
                                      sspr_test::Setup, sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(
          an_admin_question_has_at_most_200_characters, sspr_test::Setup,
          sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(bad_lines_in_an_admin_file_are_named,
                                      sspr_test::Setup, sspr_test::Teardown),
      cmocka_unit_test_setup_teardown(
          an_admin_file_that_is_missing_or_unsafe_is_named, sspr_test::Setup,
          sspr_test::Teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
