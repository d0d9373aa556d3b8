#include "pam_module/relay_text.h"

#include <utility>

namespace sspr {

const char kReplacementChar[] = "\xEF\xBF\xBD";

namespace {

bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// The length of the well-formed UTF-8 sequence at p[0..n) (n >= 1), or 0
// with *bad set to the length of its maximal ill-formed subpart (>= 1): the
// lead byte and the continuation bytes that were still possible.
size_t SequenceLength(const unsigned char* p, size_t n, size_t* bad) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    *bad = 1;  // a continuation byte, C0/C1 (overlong) or F5-FF
    return 0;
  }
  size_t i = 1;
  for (; i < len && i < n; ++i) {
    const unsigned char b = p[i];
    if (i == 1 ? (b < lo || b > hi) : !IsContinuation(b)) break;
  }
  if (i == len) return len;
  *bad = i;
  return 0;
}

// C0 but '\n' and tab, DEL, C1 (a well-formed sequence of `len` bytes).
bool IsControl(const unsigned char* p, size_t len) {
  if (len == 1)
    return (p[0] < 0x20 && p[0] != '\n' && p[0] != '\t') || p[0] == 0x7F;
  return len == 2 && p[0] == 0xC2 && p[1] < 0xA0;
}

// The last cut point in text[from, from + kMaxMessageBytes] (text is longer
// than that): *next is where the next piece starts.
size_t CutPoint(const std::string& text, size_t from, size_t* next) {
  const size_t limit = from + kMaxMessageBytes;
  size_t nl = text.rfind('\n', limit);
  if (nl != std::string::npos && nl > from) {
    *next = nl + 1;  // the line end is dropped
    return nl;
  }
  // text[limit] starts the next piece: back up over at most 3 continuation
  // bytes to the start of the character it belongs to.
  size_t n = limit;
  for (int k = 0;
       k < 3 && n > from && IsContinuation(static_cast<unsigned char>(text[n]));
       ++k)
    --n;
  if (n == from || IsContinuation(static_cast<unsigned char>(text[n])))
    n = limit;  // not UTF-8 here: cut at the byte limit
  *next = n;
  return n;
}

}  // namespace

std::string CleanText(const std::string& raw, size_t* replaced) {
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  const size_t n = raw.size();
  std::string out;
  out.reserve(n);
  size_t count = 0;
  for (size_t i = 0; i < n;) {
    size_t bad = 0;
    const size_t len = SequenceLength(p + i, n - i, &bad);
    if (len == 0 || IsControl(p + i, len)) {
      out += kReplacementChar;
      ++count;
      i += len == 0 ? bad : len;
    } else if (p[i] == '\t') {
      out.push_back(' ');
      ++i;
    } else {
      out.append(raw, i, len);
      i += len;
    }
  }
  if (replaced != nullptr) *replaced += count;
  return out;
}

std::vector<std::string> SplitText(const std::string& text, bool* cut) {
  std::vector<std::string> out;
  size_t from = 0;
  for (;;) {
    if (text.size() - from <= kMaxMessageBytes) {
      // (Nothing is left when the text ended with the line end cut at.)
      if (from < text.size() || out.empty()) out.push_back(text.substr(from));
      break;
    }
    if (out.size() + 1 == kMaxMessagesPerText) {
      // The last piece allowed: what fits, and the rest is dropped.
      size_t next = 0;
      out.push_back(text.substr(from, CutPoint(text, from, &next) - from));
      if (cut != nullptr) *cut = true;
      break;
    }
    size_t next = 0;
    const size_t end = CutPoint(text, from, &next);
    out.push_back(text.substr(from, end - from));
    from = next;  // > from: every step moves on
  }
  return out;
}

std::vector<ConvMessage> TextToMessages(int style, const std::string& payload,
                                        TextReport* report) {
  size_t replaced = 0;
  bool cut = false;
  std::vector<std::string> pieces =
      SplitText(CleanText(payload, &replaced), &cut);
  const int lead = style == PAM_ERROR_MSG ? PAM_ERROR_MSG : PAM_TEXT_INFO;
  std::vector<ConvMessage> out;
  out.reserve(pieces.size());
  for (size_t i = 0; i < pieces.size(); ++i)
    out.push_back({i + 1 < pieces.size() ? lead : style, std::move(pieces[i])});
  if (report != nullptr) {
    report->replaced += replaced;
    report->cut = report->cut || cut;
  }
  return out;
}

}  // namespace sspr
