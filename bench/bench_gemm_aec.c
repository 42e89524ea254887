/*
 * bench_gemm_aec.c - aec's speed on GEMM shapes: for each "M N K" on the
 * command line, times M_encode at batch M of the one-layer model
 * gemm_k<K>_n<N> (bench.py gen-gemm), i.e. [M, K] x [K, N] + bias through
 * the generated C API. One JSON line per shape.
 *
 *   bench_gemm_aec [--blocks N] [--min-block-us N] M N K [M N K ...]
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_gemm.h"
#include "bench_timer.h"

#include "aert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Call {
  const bench_gemm_model *model;
  void *m;
  const float *x;
  float *z;
  int64_t rows;
} Call;

static void callEncode(void *ctx) {
  Call *c = ctx;
  c->model->encode(c->m, c->x, c->rows, c->z);
}

static const bench_gemm_model *findModel(int64_t k, int64_t n) {
  for (int i = 0; i < bench_gemm_model_count; ++i)
    if (bench_gemm_models[i].k == k && bench_gemm_models[i].n == n)
      return &bench_gemm_models[i];
  return NULL;
}

int main(int argc, char **argv) {
  int blocks;
  double minBlockUs;
  int i = benchParseOptions(argc, argv, 3, "M N K", &blocks, &minBlockUs);
  if (i < 0)
    return 2;
  int failed = 0;
  for (; i < argc; i += 3) {
    int64_t m = atoll(argv[i]), n = atoll(argv[i + 1]), k = atoll(argv[i + 2]);
    const bench_gemm_model *model = findModel(k, n);
    if (!model || m < 1) {
      fprintf(stderr, "bench_gemm_aec: no model for K=%lld N=%lld\n",
              (long long)k, (long long)n);
      failed = 1;
      continue;
    }
    Call c = {model, model->create(1), NULL, NULL, m};
    float *x = aert_alloc(sizeof(float) * (size_t)(m * k));
    float *z = aert_alloc(sizeof(float) * (size_t)(m * n));
    if (!c.m || !x || !z) {
      fprintf(stderr, "bench_gemm_aec: %s: %s\n", model->name,
              aert_last_error());
      return 1;
    }
    aert_fill_uniform(3, AERT_STREAM_SAMPLE, 0, 0, m * k, x);
    c.x = x;
    c.z = z;
    long perBlock = 0;
    double seconds =
        benchMedianSeconds(callEncode, &c, blocks, minBlockUs, &perBlock);
    double flops = 2.0 * (double)m * (double)n * (double)k;
    printf("{\"impl\": \"aec\", \"model\": \"%s\", \"m\": %lld, \"n\": %lld, "
           "\"k\": %lld, \"trans\": \"NN\", \"calls_per_block\": %ld, "
           "\"seconds\": %.9f, \"gflops\": %.3f}\n",
           model->name, (long long)m, (long long)n, (long long)k, perBlock,
           seconds, flops / seconds * 1e-9);
    aert_free(x);
    aert_free(z);
    model->destroy(c.m);
  }
  return failed;
}
