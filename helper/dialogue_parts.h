// Internal to the dialogue's files (dialogue*.cc): limits and small
// helpers they share. Not part of the helper's interface.
#ifndef SSPR_HELPER_DIALOGUE_PARTS_H_
#define SSPR_HELPER_DIALOGUE_PARTS_H_

#include <cstddef>
#include <string>

#include "helper/email_address.h"
#include "helper/phone_number.h"
#include "helper/store/record.h"

namespace sspr::dialogue_parts {

constexpr size_t kMaxChoice = 32;
constexpr size_t kMaxCodeInput = 32;

inline int HaveCount(const UserRecord& r) {
  return static_cast<int>(r.methods.size());
}

// How a destination appears in logs and summaries.
inline std::string Masked(MethodKind method, const std::string& value) {
  if (IsPhone(method)) return MaskPhone(value);
  if (method == MethodKind::kEmail) return MaskEmail(value);
  return value;
}

}  // namespace sspr::dialogue_parts

#endif  // SSPR_HELPER_DIALOGUE_PARTS_H_
