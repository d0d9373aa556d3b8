#include "pam_module/relay_text.h"

#include <utility>

#include "common/text.h"

namespace sspr {

const char kReplacementChar[] = "\xEF\xBF\xBD";

namespace {

bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

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
    uint32_t cp = 0;
    const size_t len = Utf8Sequence(p + i, n - i, &cp, &bad);
    // Controls but '\n' and tab (a tab becomes a space below).
    if (len == 0 || (IsControlChar(cp) && cp != '\n' && cp != '\t')) {
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
