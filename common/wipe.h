// Overwriting secrets before their memory is released.
#ifndef SSPR_COMMON_WIPE_H_
#define SSPR_COMMON_WIPE_H_

#include <string>

namespace sspr {

// Overwrites a string's bytes (explicit_bzero: not optimised away) and
// empties it. For answers, codes, tokens, secrets and bodies that held one.
void Wipe(std::string* s);

}  // namespace sspr

#endif  // SSPR_COMMON_WIPE_H_
