#include "helper/web_text.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf8.h>

#include <vector>

namespace sspr {
namespace {

// What NFKD leaves non-ASCII and a reader still needs.
const char* Spelled(UChar32 c) {
  switch (c) {
    case 0x00DF: return "ss";
    case 0x00C6: return "AE";
    case 0x00E6: return "ae";
    case 0x0152: return "OE";
    case 0x0153: return "oe";
    case 0x00D8: return "O";
    case 0x00F8: return "o";
    case 0x0141: return "L";
    case 0x0142: return "l";
    case 0x0110: case 0x00D0: return "D";
    case 0x0111: case 0x00F0: return "d";
    case 0x00DE: return "Th";
    case 0x00FE: return "th";
    case 0x0131: return "i";
    case 0x2022: case 0x00B7: case 0x2219: return "*";  // masks: +1 ***-**23
    case 0x2018: case 0x2019: case 0x201A: case 0x2039: case 0x203A:
    case 0x201C: case 0x201D: case 0x201E: case 0x00AB: case 0x00BB:
      return "'";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212: return "-";
    case 0x00A0: case 0x202F: case 0x2009: case 0x2007: return " ";
    case 0x2192: return "->";
    case 0x00D7: return "x";
    default: return nullptr;
  }
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
    int32_t len = U_SUCCESS(st) ? unorm2_getDecomposition(nfkd, c, d, 32, &st)
                                : -1;
    if (U_FAILURE(st)) {
      st = U_ZERO_ERROR;
      len = -1;
    }
    for (int32_t k = 0; k < len; ++k) {  // the base letters, marks dropped
      UChar32 b = d[k];
      if (b < 0x80 && b >= 0x20 && b != '"' && b != '\\')
        out += static_cast<char>(b);
      else if (const char* sp2 = Spelled(b))
        out += sp2;
    }
  }
  return out;
}

bool EndsSentence(const std::string& s) {
  return !s.empty() && std::string(".:!?;,").find(s.back()) != std::string::npos;
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
