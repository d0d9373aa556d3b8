// CMocka for the sspr-admin unit tests: include after everything else (its
// fail() macro clashes with <ios>); cmocka 1.1 has no C++ guards.
#ifndef SSPR_TESTS_ADMIN_CMOCKA_INCLUDE_H_
#define SSPR_TESTS_ADMIN_CMOCKA_INCLUDE_H_

// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}
// clang-format on

#endif  // SSPR_TESTS_ADMIN_CMOCKA_INCLUDE_H_
