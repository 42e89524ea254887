/* Checks the three contraction kernels of Inputs/matmul.mlir against naive
 * double-precision references, for batch sizes around the 16-row tile. */
#include "aert_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void _mlir_ciface_mm__encode(aert_memref1d *, aert_memref2d *, aert_memref2d *);
void _mlir_ciface_mm__decode(aert_memref1d *, aert_memref2d *, aert_memref2d *);
float _mlir_ciface_mm__grad(aert_memref1d *, aert_memref2d *, int64_t, int64_t,
                            aert_memref1d *);

enum { K = 784, N = 512, P = K * N + N };

static uint32_t lcg = 777u;
static float uniform(void) {
  lcg = lcg * 1664525u + 1013904223u;
  return (float)(lcg >> 8) / 16777216.0f * 2.0f - 1.0f;
}

static int failures;
static void check(const char *what, int n, int i, double want, float got) {
  if (fabs(want - got) > 1e-3 * (1.0 + fabs(want))) {
    if (failures++ < 10)
      printf("FAIL %s n=%d [%d]: got %g, expected %g\n", what, n, i, got, want);
  }
}

int main(void) {
  static const int sizes[] = {1, 5, 16, 100, 128};
  float *p = malloc(sizeof(float) * P), *g = malloc(sizeof(float) * P);
  for (int i = 0; i < P; ++i)
    p[i] = 0.05f * uniform();
  aert_memref1d mp = {p, p, 0, {P}, {1}}, mg = {g, g, 0, {P}, {1}};
  for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s) {
    int n = sizes[s];
    float *x = malloc(sizeof(float) * n * K),
          *z = malloc(sizeof(float) * n * N);
    float *y = malloc(sizeof(float) * n * K);
    for (int i = 0; i < n * K; ++i)
      x[i] = uniform();
    aert_memref2d mx = {x, x, 0, {n, K}, {K, 1}};
    aert_memref2d mz = {z, z, 0, {n, N}, {N, 1}};
    aert_memref2d my = {y, y, 0, {n, K}, {K, 1}};

    _mlir_ciface_mm__encode(&mp, &mx, &mz);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < N; ++j) {
        double acc = p[K * N + j];
        for (int k = 0; k < K; ++k)
          acc += (double)x[i * K + k] * p[k * N + j];
        check("x W + b, relu", n, i * N + j, acc > 0 ? acc : 0, z[i * N + j]);
      }
    _mlir_ciface_mm__decode(&mp, &mz, &my);
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < K; ++k) {
        double acc = 0;
        for (int j = 0; j < N; ++j)
          acc += (double)z[i * N + j] * p[k * N + j];
        check("z W^T", n, i * K + k, acc, y[i * K + k]);
      }
    _mlir_ciface_mm__grad(&mp, &mx, 0, 0, &mg);
    for (int k = 0; k < K; ++k)
      for (int j = 0; j < N; ++j) {
        double acc = 0;
        for (int i = 0; i < n; ++i)
          acc += (double)x[i * K + k] * x[i * K + j];
        check("x^T d", n, k * N + j, acc, g[k * N + j]);
      }
    for (int j = 0; j < N; ++j)
      check("zero fill", n, j, 0.0, g[K * N + j]);
    free(x), free(y), free(z);
  }
  if (failures) {
    printf("%d failures\n", failures);
    return 1;
  }
  printf("matmul: all checks passed\n");
  return 0;
}
