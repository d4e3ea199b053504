// check.h — the failure counter and CHECK macro shared by the native tests (tests/native/*.c).
// CHECK(cond, fmt, ...) counts a failure and prints the first 20 of them; a test's main()
// returns non-zero when `failures` is non-zero.
#ifndef EK_TEST_CHECK_H
#define EK_TEST_CHECK_H
#include <stdio.h>

static int failures = 0;
#define CHECK(cond, ...)                       \
  do {                                         \
    if (!(cond)) {                             \
      if (++failures <= 20) {                  \
        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);          \
        fputc('\n', stderr);                   \
      }                                        \
    }                                          \
  } while (0)

#endif  // EK_TEST_CHECK_H
