// Tests for helper/qr_text.h. There is no QR decoder library to read the
// code back, so the text is mapped back to a module matrix and compared
// with libqrencode's own, and the structure (finder patterns, quiet zone,
// line count and width, glyphs) is checked.
#include "helper/qr_text.h"

#include <qrencode.h>

#include <string>
#include <vector>

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

using sspr::kQrMaxData;
using sspr::kQrQuietZone;
using sspr::QrText;

const std::string kUpper = "\xe2\x96\x80";
const std::string kLower = "\xe2\x96\x84";
const std::string kFull = "\xe2\x96\x88";

// The code as QrText's caller sees it, mapped back: dark[y][x] for the
// bordered code, one row per module row (two per text line).
struct Drawn {
  int lines = 0;
  int columns = 0;  // characters per line (all equal, else a failure)
  std::vector<std::vector<bool>> dark;
};

Drawn Parse(const std::string& text) {
  Drawn d;
  assert_false(text.empty());
  assert_true(text.back() == '\n');
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    assert_true(nl != std::string::npos);
    std::vector<bool> top, bottom;
    for (size_t i = pos; i < nl;) {
      // A block is light (foreground), a space dark (background).
      bool t, b;
      if (text[i] == ' ') {
        t = b = false;
        i += 1;
      } else if (text.compare(i, 3, kFull) == 0) {
        t = b = true;
        i += 3;
      } else if (text.compare(i, 3, kUpper) == 0) {
        t = true, b = false;
        i += 3;
      } else if (text.compare(i, 3, kLower) == 0) {
        t = false, b = true;
        i += 3;
      } else {
        fail_msg("unexpected byte 0x%02x at %zu", text[i] & 0xFF, i);
        return d;
      }
      top.push_back(!t);
      bottom.push_back(!b);
    }
    int n = static_cast<int>(top.size());
    if (d.lines == 0) d.columns = n;
    if (n != d.columns)
      fail_msg("line %d has %d characters, line 0 has %d", d.lines, n,
               d.columns);
    d.dark.push_back(top);
    d.dark.push_back(bottom);
    ++d.lines;
    pos = nl + 1;
  }
  return d;
}

struct Code {
  int width = 0;
  std::vector<std::vector<bool>> dark;
};

Code Reference(const std::string& data) {
  QRcode* q = QRcode_encodeString(data.c_str(), 0, QR_ECLEVEL_L, QR_MODE_8, 1);
  assert_non_null(q);
  Code c;
  c.width = q->width;
  c.dark.assign(q->width, std::vector<bool>(q->width));
  for (int y = 0; y < q->width; ++y)
    for (int x = 0; x < q->width; ++x)
      c.dark[y][x] = q->data[y * q->width + x] & 1;
  QRcode_free(q);
  return c;
}

// The 7x7 finder pattern with its top-left module at (x0, y0) of the
// bordered code: dark ring, light ring, dark 3x3 centre; plus the light
// separator around it where it lies inside the code.
void CheckFinder(const Drawn& d, int x0, int y0, int size) {
  for (int dy = -1; dy <= 7; ++dy) {
    for (int dx = -1; dx <= 7; ++dx) {
      int x = x0 + dx, y = y0 + dy;
      if (x < 0 || y < 0 || x >= size || y >= size) continue;
      bool ring = dx == 0 || dx == 6 || dy == 0 || dy == 6;
      bool centre = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
      bool inside = dx >= 0 && dx <= 6 && dy >= 0 && dy <= 6;
      bool want = inside && (ring || centre);
      if (d.dark[y][x] != want)
        fail_msg("finder at (%d,%d): module (%d,%d) is %s", x0, y0, dx, dy,
                 d.dark[y][x] ? "dark" : "light");
    }
  }
}

void CheckCode(const std::string& data) {
  std::string text, err;
  if (!QrText(data, &text, &err)) fail_msg("QrText: %s", err.c_str());
  Code ref = Reference(data);
  const int q = kQrQuietZone, w = ref.width, size = w + 2 * q;
  Drawn d = Parse(text);
  assert_int_equal(d.lines, (size + 1) / 2);
  assert_int_equal(d.columns, size);
  // Module for module the same as libqrencode's matrix.
  for (int y = 0; y < w; ++y)
    for (int x = 0; x < w; ++x)
      if (d.dark[y + q][x + q] != ref.dark[y][x])
        fail_msg("module (%d,%d) differs for '%s'", x, y, data.c_str());
  // Quiet zone light all round; the half row under an odd size is blank
  // (background, drawn as nothing).
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      bool border = x < q || y < q || x >= q + w || y >= q + w;
      if (border && d.dark[y][x]) fail_msg("quiet zone dark at (%d,%d)", x, y);
    }
  for (size_t y = size; y < d.dark.size(); ++y)
    for (int x = 0; x < size; ++x) assert_true(d.dark[y][x]);
  // Finder patterns top-left, top-right, bottom-left; none bottom-right.
  CheckFinder(d, q, q, size);
  CheckFinder(d, q + w - 7, q, size);
  CheckFinder(d, q, q + w - 7, size);
  assert_true(d.dark[q + w - 1][q + w - 1] == ref.dark[w - 1][w - 1]);
}

void a_short_url_gives_a_small_qr_code(void** /*state*/) {
  CheckCode("https://aka.ms/ssprsetup");
  std::string text, err;
  assert_true(QrText("https://aka.ms/ssprsetup", &text, &err));
  // Version 2 (25 modules) + quiet zone: 29 columns, 15 lines.
  assert_int_equal(Parse(text).columns, 29);
  assert_int_equal(Parse(text).lines, 15);
}

void qr_codes_of_various_data_decode_back(void** /*state*/) {
  CheckCode("x");
  CheckCode("HTTPS://EXAMPLE.COM/ABC");  // alphanumeric segment
  CheckCode("https://login.example.com/sspr?tenant=Contoso&lang=de-DE");
  CheckCode("12345678901234567890");      // numeric segment
  CheckCode("caf\xc3\xa9 \xe2\x82\xac");  // UTF-8 bytes
  CheckCode(std::string(100, 'a'));
}

void the_largest_qr_code_fits_a_terminal(void** /*state*/) {
  std::string data = "https://example.com/" + std::string(kQrMaxData - 20, 'z');
  assert_int_equal(data.size(), kQrMaxData);
  CheckCode(data);
  std::string text, err;
  assert_true(QrText(data, &text, &err));
  assert_true(Parse(text).columns <= 80);
}

void qr_codes_keep_the_case(void** /*state*/) {
  std::string a, b, err;
  assert_true(QrText("https://x.example/AbC", &a, &err));
  assert_true(QrText("https://x.example/abc", &b, &err));
  assert_true(a != b);
}

void qr_codes_of_empty_or_oversize_data_are_refused(void** /*state*/) {
  std::string text = "untouched", err;
  assert_false(QrText("", &text, &err));
  assert_false(err.empty());
  err.clear();
  assert_false(QrText(std::string(kQrMaxData + 1, 'a'), &text, &err));
  assert_false(err.empty());
  err.clear();
  assert_false(QrText(std::string("a\0b", 3), &text, &err));
  assert_false(err.empty());
  assert_string_equal(text.c_str(), "untouched");
}

}  // namespace

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_short_url_gives_a_small_qr_code),
      cmocka_unit_test(qr_codes_of_various_data_decode_back),
      cmocka_unit_test(the_largest_qr_code_fits_a_terminal),
      cmocka_unit_test(qr_codes_keep_the_case),
      cmocka_unit_test(qr_codes_of_empty_or_oversize_data_are_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
