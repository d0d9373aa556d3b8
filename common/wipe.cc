#include "common/wipe.h"

#include <string.h>

namespace sspr {

void Wipe(std::string* s) {
  if (!s->empty()) explicit_bzero(s->data(), s->size());
  s->clear();
}

}  // namespace sspr
