// native-timing.h — the clock and the median helper shared by the bench's native C programs.
#ifndef EK_BENCH_NATIVE_TIMING_H
#define EK_BENCH_NATIVE_TIMING_H
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/** Median of n values (sorts them in place). */
static double median_ms(double* v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return v[n / 2];
}
#endif
