#include "helper/qr_text.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include <memory>

namespace sspr {
namespace {

// Which way round: a QR code is dark modules on a light ground. Terminals
// usually draw light text on a dark background, and a glyph can only
// paint the foreground colour. So a block stands for a LIGHT module and a
// space for a DARK one: on a light-on-dark terminal the code then shows
// the right way round, with the blocks of the quiet zone as its light
// border (what `qrencode -t UTF8` does too). On a dark-on-light terminal
// it shows inverted; most phone scanners (iOS camera, Google Lens, ZXing
// apps) read inverted codes as well, and the enroll URL is always printed
// as text above it. Escape sequences to force colours are not used: PAM
// applications (sshd, gdm, su) pass texts on, and not all to a terminal.
const char kUpper[] = "\xe2\x96\x80";  // U+2580 upper half block
const char kLower[] = "\xe2\x96\x84";  // U+2584 lower half block
const char kFull[] = "\xe2\x96\x88";   // U+2588 full block

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

}  // namespace

bool QrText(const std::string& data, std::string* out, std::string* err) {
  if (data.empty() || data.size() > kQrMaxData) {
    *err = "QR data must be 1 to " + std::to_string(kQrMaxData) +
           " bytes, not " + std::to_string(data.size());
    return false;
  }
  if (data.find('\0') != std::string::npos) {
    *err = "QR data contains a NUL byte";
    return false;
  }
  errno = 0;
  std::unique_ptr<QRcode, QrFree> qr(QRcode_encodeString(
      data.c_str(), 0, QR_ECLEVEL_L, QR_MODE_8, /*casesensitive=*/1));
  if (!qr) {
    *err =
        std::string("QR encoding failed: ") + strerror(errno ? errno : EINVAL);
    return false;
  }
  const int w = qr->width;
  const int size = w + 2 * kQrQuietZone;
  // True when the module at (x, y) of the bordered code is light. Rows past
  // the bottom (the half line under an odd size) are drawn as background.
  auto light = [&](int x, int y) {
    if (y >= size) return false;
    int qx = x - kQrQuietZone, qy = y - kQrQuietZone;
    if (qx < 0 || qy < 0 || qx >= w || qy >= w) return true;  // quiet zone
    return (qr->data[qy * w + qx] & 1) == 0;
  };
  std::string s;
  s.reserve(static_cast<size_t>((size + 1) / 2) * (size * 3 + 1));
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; ++x) {
      bool top = light(x, y), bottom = light(x, y + 1);
      s += top && bottom ? kFull : top ? kUpper : bottom ? kLower : " ";
    }
    s += '\n';
  }
  *out = std::move(s);
  return true;
}

}  // namespace sspr
