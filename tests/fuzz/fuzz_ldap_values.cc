// Fuzzes the parsing of values read from an LDAP directory
// (helper/net/ldap_values.h): the input is one attribute value as a server
// could send it. Oracles beyond the sanitizers:
//  - the escaped filter value has no '*', '(', ')' or NUL, and only
//    printable ASCII; a filter built from it keeps its parentheses balanced;
//  - an accepted phone value is E.164 ('+' and 8 to 15 digits);
//  - an accepted address holds one '@' and has no upper-case domain;
//  - an accepted marker formats back to the input;
//  - an accepted question value holds a question and a $y$/$6$ hash, and
//    writing it again (AnswerToJson) reads back the same.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <string>

#include "helper/net/ldap_values.h"

using namespace sspr;

namespace {
void Check(bool ok) {
  if (!ok) abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // twice kMaxLdapQuestionValue
  const std::string in(reinterpret_cast<const char*>(data), size);

  std::string esc = LdapEscapeFilterValue(in);
  for (char ch : esc)
    Check(ch > ' ' - 1 && ch < 0x7f && ch != '*' && ch != '(' && ch != ')');
  std::string f = LdapUserFilterFor("(&(uid=%u)(cn=%u))", in);
  int depth = 0;
  for (char ch : f) {
    depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
    Check(depth >= 0);
  }
  Check(depth == 0);

  std::string why, e164;
  for (bool mobile : {true, false}) {
    if (LdapPhoneValue(in, mobile, &e164, &why)) {
      Check(e164.size() >= 8 && e164.size() <= 16 && e164[0] == '+');
      for (size_t i = 1; i < e164.size(); ++i)
        Check(e164[i] >= '0' && e164[i] <= '9');
    } else {
      Check(!why.empty());
    }
  }

  std::string addr;
  if (LdapEmailValue(in, &addr, &why)) {
    size_t at = addr.find('@');
    Check(at != std::string::npos &&
          addr.find('@', at + 1) == std::string::npos);
    for (size_t i = at; i < addr.size(); ++i)
      Check(!(addr[i] >= 'A' && addr[i] <= 'Z'));
  }

  QuestionAnswer qa, qa2;
  if (LdapQuestionValue(in, &qa, &why)) {
    Check(in.size() <= kMaxLdapQuestionValue && !qa.question.empty());
    Check(qa.hash.rfind("$y$", 0) == 0 || qa.hash.rfind("$6$", 0) == 0);
    Check(LdapQuestionValue(AnswerToJson(qa), &qa2, &why));
    Check(qa2.question == qa.question && qa2.hash == qa.hash);
  } else {
    Check(!why.empty());
  }

  VerifiedMarker m;
  if (ParseVerifiedMarker(in, &m, &why)) {
    VerifiedMarker back;
    std::string again = FormatVerifiedMarker(m);
    Check(ParseVerifiedMarker(again, &back, &why));
    Check(back.method == m.method && back.at == m.at && back.value == m.value);
  }
  return 0;
}
