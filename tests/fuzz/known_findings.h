// Looking past findings that are already reported (tests/fuzz/crashes/),
// so that a long run can find something else:
//   SSPR_FUZZ_IGNORE=e164 tests/fuzz/run-fuzz
// Unset (the default, and in the ctest smoke tests) every oracle applies.
#ifndef SSPR_TESTS_FUZZ_KNOWN_FINDINGS_H_
#define SSPR_TESTS_FUZZ_KNOWN_FINDINGS_H_

#include <stdlib.h>

#include <string>

namespace sspr_fuzz {

// Whether `id` is in the comma-separated list SSPR_FUZZ_IGNORE.
inline bool Ignored(const char* id) {
  const char* env = getenv("SSPR_FUZZ_IGNORE");
  if (env == nullptr) return false;
  const std::string list = std::string(",") + env + ",";
  return list.find(std::string(",") + id + ",") != std::string::npos;
}

}  // namespace sspr_fuzz

#endif  // SSPR_TESTS_FUZZ_KNOWN_FINDINGS_H_
