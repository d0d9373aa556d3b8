// A QR code drawn as UTF-8 text, for the login conversation.
#ifndef SSPR_HELPER_QR_TEXT_H_
#define SSPR_HELPER_QR_TEXT_H_

#include <string>

namespace sspr {

constexpr size_t kQrMaxData = 400;  // bytes; fits an 80-column terminal
constexpr int kQrQuietZone = 2;     // modules of light border on each side

// Draws `data` (1 to kQrMaxData bytes, no NUL) as a QR code (libqrencode,
// smallest version, error correction level L, 8-bit mode, case-sensitive)
// with half blocks: each text line holds two module rows, each character
// one module column, so the code looks square in a terminal. The code is
// drawn for the usual light-on-dark terminal: LIGHT modules and the quiet
// zone are drawn as blocks (the terminal's light foreground) and DARK
// modules as spaces (its dark background); see qr_text.cc. Every line has
// width + 2 * kQrQuietZone characters and ends with '\n'; there are
// (width + 2 * kQrQuietZone + 1) / 2 lines.
// False, with *err saying why, for empty, NUL-containing or too long data
// or when libqrencode fails.
bool QrText(const std::string& data, std::string* out, std::string* err);

}  // namespace sspr

#endif  // SSPR_HELPER_QR_TEXT_H_
