// sincos-native.c — the native C baselines for the sinusoidal bench (tests/bench/positions.js
// compiles it with gcc -O2 at bench time). Builds the interleaved table [n_pos, dim] the usual
// way and prints "<median ms per table> <max abs error vs float64>":
//   mode 0: float32 angle and libm sinf/cosf (llama2.c, ggml, most C ports):
//           a = (float)p * w_i in float32, PE = sinf(a), cosf(a)
//   mode 1: float64 angle and libm sin/cos, rounded to float32 (exact, but slow)
// usage: sincos-native n_pos dim reps mode
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "native-timing.h"


int main(int argc, char** argv) {
  if (argc < 5) return 2;
  const int n = atoi(argv[1]), dim = atoi(argv[2]), reps = atoi(argv[3]), mode = atoi(argv[4]);
  const int h = dim / 2;
  float* out = malloc(sizeof(float) * (size_t)n * dim);
  float* w32 = malloc(sizeof(float) * h);
  double* w64 = malloc(sizeof(double) * h);
  double* times = malloc(sizeof(double) * reps);
  for (int i = 0; i < h; i++) {
    w64[i] = pow(10000.0, -2.0 * i / dim);
    w32[i] = powf(10000.0f, -2.0f * (float)i / (float)dim);
  }
  for (int k = 0; k < reps; k++) {
    double t0 = now_ms();
    for (int p = 0; p < n; p++) {
      float* row = out + (size_t)p * dim;
      if (mode == 0) {
        for (int i = 0; i < h; i++) {
          float a = (float)p * w32[i];
          row[2 * i] = sinf(a);
          row[2 * i + 1] = cosf(a);
        }
      } else {
        for (int i = 0; i < h; i++) {
          double a = (double)p * w64[i];
          row[2 * i] = (float)sin(a);
          row[2 * i + 1] = (float)cos(a);
        }
      }
    }
    times[k] = now_ms() - t0;
  }
  double err = 0;
  for (int p = 0; p < n; p++)
    for (int i = 0; i < h; i++) {
      double a = (double)p * w64[i];
      double e1 = fabs(out[(size_t)p * dim + 2 * i] - sin(a)), e2 = fabs(out[(size_t)p * dim + 2 * i + 1] - cos(a));
      if (e1 > err) err = e1;
      if (e2 > err) err = e2;
    }
  printf("%.4f %.3g\n", median_ms(times, reps), err);
  return 0;
}
