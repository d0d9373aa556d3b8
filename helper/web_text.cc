#include "helper/web_text.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf8.h>

#include <vector>

namespace sspr {
namespace {

// What NFKD leaves non-ASCII and a reader still needs.
struct Spelling {
  UChar32 c;
  const char* ascii;
};
constexpr Spelling kSpelled[] = {
    {0x00DF, "ss"},
    {0x00C6, "AE"},
    {0x00E6, "ae"},
    {0x0152, "OE"},
    {0x0153, "oe"},
    {0x00D8, "O"},
    {0x00F8, "o"},
    {0x0141, "L"},
    {0x0142, "l"},
    {0x0110, "D"},
    {0x00D0, "D"},
    {0x0111, "d"},
    {0x00F0, "d"},
    {0x00DE, "Th"},
    {0x00FE, "th"},
    {0x0131, "i"},
    // The masks: "+1 •••-•••-••00" as "+1 ***-***-**00".
    {0x2022, "*"},
    {0x00B7, "*"},
    {0x2219, "*"},
    // Quotes: all as ', since '"' is not safe in cockpit-session's JSON.
    {0x2018, "'"},
    {0x2019, "'"},
    {0x201A, "'"},
    {0x2039, "'"},
    {0x203A, "'"},
    {0x201C, "'"},
    {0x201D, "'"},
    {0x201E, "'"},
    {0x00AB, "'"},
    {0x00BB, "'"},
    {0x2010, "-"},
    {0x2011, "-"},
    {0x2012, "-"},
    {0x2013, "-"},
    {0x2014, "-"},
    {0x2015, "-"},
    {0x2212, "-"},
    {0x00A0, " "},
    {0x202F, " "},
    {0x2009, " "},
    {0x2007, " "},
    {0x2192, "->"},
    {0x00D7, "x"},
};

const char* Spelled(UChar32 c) {
  for (const Spelling& s : kSpelled)
    if (s.c == c) return s.ascii;
  return nullptr;
}

// One line, folded to ASCII.
std::string Fold(const std::string& line) {
  UErrorCode st = U_ZERO_ERROR;
  const UNormalizer2* nfkd = unorm2_getNFKDInstance(&st);
  std::string out;
  int32_t i = 0, n = static_cast<int32_t>(line.size());
  const uint8_t* s = reinterpret_cast<const uint8_t*>(line.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    if (c >= 0 && c < 0x80) {
      if (c == '"') out += '\'';
      else if (c == '\\') out += '/';
      else if (c >= 0x20 && c != 0x7F) out += static_cast<char>(c);
      else if (c == '\t') out += ' ';
      continue;
    }
    if (c < 0) continue;  // not UTF-8: left out
    if (const char* sp = Spelled(c)) {
      out += sp;
      continue;
    }
    UChar d[32];
    int32_t len =
        U_SUCCESS(st) ? unorm2_getDecomposition(nfkd, c, d, 32, &st) : -1;
    if (U_FAILURE(st)) {
      st = U_ZERO_ERROR;
      len = -1;
    }
    for (int32_t k = 0; k < len; ++k) {  // the base letters, marks dropped
      UChar32 b = d[k];
      if (b < 0x80 && b >= 0x20 && b != '"' && b != '\\')
        out += static_cast<char>(b);
      else if (const char* sp2 = Spelled(b)) out += sp2;
    }
  }
  return out;
}

bool EndsSentence(const std::string& s) {
  return !s.empty() &&
         std::string(".:!?;,").find(s.back()) != std::string::npos;
}

}  // namespace

bool IsWebService(const std::string& service) { return service == "cockpit"; }

std::string WebText(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(Fold(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  std::string out;
  for (size_t k = 0; k < lines.size(); ++k) {
    std::string l = lines[k];
    size_t a = l.find_first_not_of(' ');
    if (a == std::string::npos) continue;
    size_t b = l.find_last_not_of(' ');
    // The last line keeps one trailing blank, as a prompt ends with one.
    bool keep_blank = k + 1 == lines.size() && b + 1 < l.size();
    l = l.substr(a, b + 1 - a);
    if (l.rfind("- ", 0) == 0) l.erase(0, 2);  // a list's dash: "; " does
    std::string collapsed;  // runs of blanks inside a line: one
    for (char ch : l)
      if (ch != ' ' || collapsed.empty() || collapsed.back() != ' ')
        collapsed += ch;
    if (!out.empty()) out += EndsSentence(out) ? " " : "; ";
    out += collapsed;
    if (keep_blank) out += ' ';
  }
  return out;
}

}  // namespace sspr
