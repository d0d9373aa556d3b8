// Unit tests for long and odd user names: SafeFileName's hashed form for
// names whose escaped form would not fit NAME_MAX, the SHA-256 it uses, and
// UserNameProblem (which names the store cannot hold).
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {  // cmocka 1.1 has no C++ guards of its own
#include <cmocka.h>
}

#include <set>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "common/text.h"
#include "config/config.h"
#include "config/user_name.h"

namespace sspr {
namespace {

// The longest name a store builds from SafeFileName():
// ".user-NAME.json.tmp-" + 16 hex digits (an atomic write of rate/).
size_t LongestStoredName(const std::string& safe) {
  return std::string(".user-" + safe + ".json.tmp-").size() + 16;
}

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

void sha256_matches_the_fips_examples(void** /*state*/) {
  assert_string_equal(
      Sha256Hex("").c_str(),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert_string_equal(
      Sha256Hex("abc").c_str(),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert_string_equal(
      Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
          .c_str(),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Lengths around the block and padding edges (55, 56, 64 bytes).
  assert_string_equal(
      Sha256Hex(std::string(1000000, 'a')).c_str(),
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  assert_string_equal(
      Sha256Hex(std::string(55, 'a')).c_str(),
      "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  assert_string_equal(
      Sha256Hex(std::string(56, 'a')).c_str(),
      "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  assert_string_equal(
      Sha256Hex(std::string(64, 'a')).c_str(),
      "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

void every_user_name_gets_a_file_name_that_fits_name_max(void** /*state*/) {
  const std::vector<std::string> names = {
      std::string(256, 'a'),           // the longest name taken, plain
      Repeat("\xc3\xa9", 128),         // 256 bytes of e-acute
      Repeat("\xe2\x82\xac", 85),      // 85 euro signs: 255 bytes, x3
      Repeat("\xff", 256),             // not UTF-8 at all
      Repeat("\xf0\x9f\x98\x80", 64),  // 64 emoji
      std::string(1000, '%'),
  };
  for (const auto& n : names) {
    std::string s = SafeFileName(n);
    assert_true(LongestStoredName(s) <= NAME_MAX);
    assert_int_equal(s.size(), 65);
    assert_int_equal(s[0], '+');
    assert_string_equal(s.c_str() + 1, Sha256Hex(n).c_str());
  }
}

void short_names_keep_their_escaped_file_name(void** /*state*/) {
  // Names that fitted before keep their file: no migration of records.
  assert_string_equal(SafeFileName("alice").c_str(), "alice");
  std::string at_limit = Repeat("\xc3\xa9", 33) + "ab";  // 33*6 + 2 = 200
  assert_int_equal(SafeFileName(at_limit).size(), 200);
  assert_int_equal(SafeFileName(at_limit)[0], '%');
  assert_int_equal(SafeFileName(std::string(200, 'x')).size(), 200);
  assert_int_equal(SafeFileName(std::string(201, 'x'))[0], '+');
  assert_true(LongestStoredName(SafeFileName(at_limit)) <= NAME_MAX);
}

void hashed_and_escaped_file_names_never_meet(void** /*state*/) {
  // An escaped name never holds '+' (it is escaped), a hashed one always
  // starts with it; and distinct long names get distinct hashes.
  assert_string_equal(SafeFileName("+").c_str(), "%2B");
  std::string hashed = SafeFileName(std::string(300, 'b'));
  assert_string_equal(SafeFileName(hashed).c_str(),
                      ("%2B" + hashed.substr(1)).c_str());
  std::set<std::string> seen;
  for (size_t len = 195; len <= 256; ++len) {
    for (char ch : {'a', 'b', '.', '/'}) {
      std::string s = SafeFileName(std::string(len, ch));
      assert_true(seen.insert(s).second);
      assert_true(s[0] != '.');
      assert_true(s.find('/') == std::string::npos);
    }
  }
}

void names_the_store_cannot_hold_are_named(void** /*state*/) {
  assert_null(UserNameProblem("alice"));
  assert_null(UserNameProblem(std::string(256, 'a')));
  assert_null(UserNameProblem(Repeat("\xe2\x82\xac", 85)));
  assert_null(UserNameProblem("DOMAIN\\j.doe@example.com"));
  assert_non_null(UserNameProblem(""));
  assert_non_null(UserNameProblem(std::string(257, 'a')));
  assert_non_null(UserNameProblem(Repeat("\xc3\xa9", 200)));  // 400 bytes
  const std::vector<std::string> bad = {"caf\xe9",            // Latin-1
                                        "a\xc3",              // cut sequence
                                        "\xc0\xaf",           // overlong '/'
                                        "\xed\xa0\x80",       // a surrogate
                                        "\xf4\x90\x80\x80",   // past U+10FFFF
                                        "\xff",
                                        "a\x80",  // stray bytes
                                        "a\nb",
                                        "a\tb",
                                        "a\x1b[2J",
                                        "a\x7f",
                                        "a\xc2\x9b"
                                        "b",  // controls
                                        std::string("a\0b", 3)};
  for (const auto& n : bad) assert_non_null(UserNameProblem(n));
}

}  // namespace
}  // namespace sspr

int main() {
  using namespace sspr;  // NOLINT(build/namespaces)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(sha256_matches_the_fips_examples),
      cmocka_unit_test(every_user_name_gets_a_file_name_that_fits_name_max),
      cmocka_unit_test(short_names_keep_their_escaped_file_name),
      cmocka_unit_test(hashed_and_escaped_file_names_never_meet),
      cmocka_unit_test(names_the_store_cannot_hold_are_named),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
