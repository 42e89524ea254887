/*
 * bench_gemm.h - shared by the GEMM harnesses: the registries of one-layer
 * models (bench.py gen-gemm) and of backward GEMM kernels (bench.py
 * gen-gemm-train).
 */
#ifndef BENCH_GEMM_H
#define BENCH_GEMM_H

#include "aert_model.h"

#include <stdint.h>

typedef struct bench_gemm_model {
  const char *name;
  int64_t k, n; /* encode is [M, k] x [k, n] + bias */
  void *(*create)(uint64_t seed);
  void (*destroy)(void *m);
  void (*encode)(void *m, const float *x, int64_t rows, float *z);
} bench_gemm_model;

extern const bench_gemm_model bench_gemm_models[];
extern const int bench_gemm_model_count;

/* The backward GEMMs as a training step runs them (bench.py
 * gen-gemm-train): kernels on the kernel ABI, called directly. */
typedef struct bench_gemm_train_kernel {
  const char *name;
  const char *trans; /* "NT": dY W^T, "TN": X^T dY */
  int64_t a, b;      /* NT: N, K (batch M); TN: M, N (batch K) */
  /* NT: out[M, N] = z[M, K] W^T, W = params [N, K] */
  void (*decode)(aert_memref1d *params, aert_memref2d *z, aert_memref2d *out);
  /* TN: grad[M, N] = x[:, :M]^T x[:, M:], x [K, M + N] */
  float (*grad)(aert_memref1d *params, aert_memref2d *x, int64_t seed,
                int64_t call, aert_memref1d *grad);
} bench_gemm_train_kernel;

extern const bench_gemm_train_kernel bench_gemm_train_kernels[];
extern const int bench_gemm_train_kernel_count;

#endif /* BENCH_GEMM_H */
