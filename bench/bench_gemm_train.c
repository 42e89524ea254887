/*
 * bench_gemm_train.c - aec's backward GEMMs as a training step runs them:
 * for each "M N K TRANS" on the command line (TRANS NT: dY W^T with W
 * stored [N, K], batch M; TN: X^T dY with X stored [K, M], batch K), times
 * the kernel of bench.py gen-gemm-train, a linalg.matmul with the
 * transposed operand's indexing map compiled by aec's pipeline, called
 * through the kernel ABI. Checks a few entries of the result against a
 * double-precision sum first. One JSON line per shape.
 *
 *   bench_gemm_train [--blocks N] [--min-block-us N] M N K TRANS ...
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_gemm.h"
#include "bench_timer.h"

#include "aert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Call {
  const bench_gemm_train_kernel *kernel;
  aert_memref1d params, grad;
  aert_memref2d in, out;
} Call;

static void callKernel(void *ctx) {
  Call *c = ctx;
  if (c->kernel->decode)
    c->kernel->decode(&c->params, &c->in, &c->out);
  else
    c->kernel->grad(&c->params, &c->in, 0, 0, &c->grad);
}

static const bench_gemm_train_kernel *
findKernel(const char *trans, int nt, int64_t m, int64_t n, int64_t k) {
  int64_t a = nt ? n : m, b = nt ? k : n;
  for (int i = 0; i < bench_gemm_train_kernel_count; ++i) {
    const bench_gemm_train_kernel *kernel = &bench_gemm_train_kernels[i];
    if (!strcmp(kernel->trans, trans) && kernel->a == a && kernel->b == b)
      return kernel;
  }
  return NULL;
}

/* Entry (i, j) of the product, in double precision. */
static double reference(int nt, const float *w, const float *in, int64_t m,
                        int64_t n, int64_t k, int64_t i, int64_t j) {
  double acc = 0;
  for (int64_t l = 0; l < k; ++l)
    acc += nt ? (double)in[i * k + l] * w[j * k + l]
              : (double)in[l * (m + n) + i] * in[l * (m + n) + m + j];
  return acc;
}

int main(int argc, char **argv) {
  int blocks;
  double minBlockUs;
  int i = benchParseOptions(argc, argv, 4, "M N K NT|TN", &blocks, &minBlockUs);
  if (i < 0)
    return 2;
  int failed = 0;
  for (; i < argc; i += 4) {
    int64_t m = atoll(argv[i]), n = atoll(argv[i + 1]), k = atoll(argv[i + 2]);
    const char *trans = argv[i + 3];
    int nt = !strcmp(trans, "NT");
    const bench_gemm_train_kernel *kernel = findKernel(trans, nt, m, n, k);
    if (!kernel || m < 1 || n < 1 || k < 1) {
      fprintf(stderr, "bench_gemm_train: no kernel for %lld %lld %lld %s\n",
              (long long)m, (long long)n, (long long)k, trans);
      failed = 1;
      continue;
    }
    /* NT: W [N, K], z [M, K], out [M, N]; TN: W unused [M, N], x [K, M + N],
     * grad [M, N]. */
    int64_t paramCount = nt ? n * k : m * n;
    int64_t rows = nt ? m : k, cols = nt ? k : m + n;
    float *w = aert_alloc(sizeof(float) * (size_t)paramCount);
    float *in = aert_alloc(sizeof(float) * (size_t)(rows * cols));
    float *out = aert_alloc(sizeof(float) * (size_t)(m * n));
    if (!w || !in || !out) {
      fprintf(stderr, "bench_gemm_train: %s\n", aert_last_error());
      return 1;
    }
    aert_fill_uniform(3, AERT_STREAM_SAMPLE, 0, 0, paramCount, w);
    aert_fill_uniform(4, AERT_STREAM_SAMPLE, 0, 0, rows * cols, in);
    memset(out, 0, sizeof(float) * (size_t)(m * n));
    Call c = {kernel,
              {w, w, 0, {paramCount}, {1}},
              {out, out, 0, {m * n}, {1}},
              {in, in, 0, {rows, cols}, {cols, 1}},
              {out, out, 0, {m, n}, {n, 1}}};
    callKernel(&c);
    /* A wrong kernel is not timed. */
    for (int64_t probe = 0; probe < 64; ++probe) {
      int64_t r = (probe * 7919) % m, s = (probe * 104729) % n;
      double want = reference(nt, w, in, m, n, k, r, s);
      float got = out[r * n + s];
      if (fabs(want - got) > 1e-3 * (1.0 + fabs(want))) {
        fprintf(stderr, "bench_gemm_train: %s: [%lld, %lld] = %g, not %g\n",
                kernel->name, (long long)r, (long long)s, got, want);
        return 1;
      }
    }
    long perBlock = 0;
    double seconds =
        benchMedianSeconds(callKernel, &c, blocks, minBlockUs, &perBlock);
    double flops = 2.0 * (double)m * (double)n * (double)k;
    printf("{\"impl\": \"aec\", \"model\": \"%s\", \"m\": %lld, \"n\": %lld, "
           "\"k\": %lld, \"trans\": \"%s\", \"calls_per_block\": %ld, "
           "\"seconds\": %.9f, \"gflops\": %.3f}\n",
           kernel->name, (long long)m, (long long)n, (long long)k, trans,
           perBlock, seconds, flops / seconds * 1e-9);
    aert_free(w);
    aert_free(in);
    aert_free(out);
  }
  return failed;
}
