/* A tiny assert harness for the hutano C tests: CHECK counts, never aborts,
 * and the run ends with "N passed, N failed". */
#ifndef HUTANO_TEST_HARNESS_H
#define HUTANO_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hutano.h"

static int harness_passed = 0;
static int harness_failed = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      harness_passed++;                                                        \
    } else {                                                                   \
      harness_failed++;                                                        \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* The call returns `code`; on a mismatch print the call's error detail. */
#define CHECK_CODE(call, code)                                                 \
  do {                                                                         \
    hutano_result check_code_got_ = (call);                                    \
    if (check_code_got_ == (hutano_result)(code)) {                            \
      harness_passed++;                                                        \
    } else {                                                                   \
      char check_code_detail_[512];                                            \
      size_t check_code_n_ = 0;                                                \
      hutano_last_error_detail(check_code_detail_, sizeof check_code_detail_,  \
                               &check_code_n_);                                \
      harness_failed++;                                                        \
      fprintf(stderr, "%s:%d: %s returned %u, expected %u (%s)\n", __FILE__,  \
              __LINE__, #call, (unsigned)check_code_got_, (unsigned)(code),    \
              check_code_detail_);                                             \
    }                                                                          \
  } while (0)

#define CHECK_OK(call) CHECK_CODE(call, HUTANO_RESULT_OK)

/* A string literal as (pointer, length). */
#define S(literal) (literal), (sizeof(literal) - 1)

static int harness_report(void) {
  printf("%d passed, %d failed\n", harness_passed, harness_failed);
  return harness_failed == 0 ? 0 : 1;
}

/* Equal, or both NaN. */
static int same_double(double a, double b) {
  return a == b || (isnan(a) && isnan(b));
}

#endif
