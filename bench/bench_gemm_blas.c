/*
 * bench_gemm_blas.c - OpenBLAS cblas_sgemm on GEMM shapes: for each
 * "M N K TRANS" on the command line (TRANS: NN, NT or TN, row-major
 * C[M, N] = op(A) op(B)), one JSON line with GFLOP/s. The thread count is
 * OpenBLAS's (OMP_NUM_THREADS for the OpenMP build, set by run.sh).
 *
 *   bench_gemm_blas [--blocks N] [--min-block-us N] M N K TRANS ...
 */
#define _POSIX_C_SOURCE 200809L

#include "bench_timer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CBLAS subset used here (OpenBLAS's cblas.h, without depending on
 * which -dev variant's include folder is installed). */
enum CBLAS_ORDER { CblasRowMajor = 101 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };
void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta,
                 enum CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha,
                 const float *a, int lda, const float *b, int ldb, float beta,
                 float *c, int ldc);
char *openblas_get_corename(void);
int openblas_get_num_threads(void);

typedef struct Gemm {
  int m, n, k, transA, transB;
  const float *a, *b;
  float *c;
} Gemm;

static void callGemm(void *ctx) {
  Gemm *g = ctx;
  cblas_sgemm(CblasRowMajor, g->transA ? CblasTrans : CblasNoTrans,
              g->transB ? CblasTrans : CblasNoTrans, g->m, g->n, g->k, 1.0f,
              g->a, g->transA ? g->m : g->k, g->b, g->transB ? g->k : g->n,
              0.0f, g->c, g->n);
}

static float *randomBuffer(size_t count) {
  float *p = aligned_alloc(64, ((count * sizeof(float) + 63) / 64) * 64);
  if (p)
    for (size_t i = 0; i < count; ++i)
      p[i] = (float)((i * 2654435761u) % 1000u) * 1e-3f;
  return p;
}

int main(int argc, char **argv) {
  int blocks;
  double minBlockUs;
  int i = benchParseOptions(argc, argv, 4, "M N K TRANS", &blocks, &minBlockUs);
  if (i < 0)
    return 2;
  for (; i < argc; i += 4) {
    Gemm g;
    g.m = atoi(argv[i]);
    g.n = atoi(argv[i + 1]);
    g.k = atoi(argv[i + 2]);
    const char *trans = argv[i + 3];
    if (g.m < 1 || g.n < 1 || g.k < 1 || strlen(trans) != 2 ||
        !strchr("NT", trans[0]) || !strchr("NT", trans[1])) {
      fprintf(stderr, "bench_gemm_blas: bad shape %s %s %s %s\n", argv[i],
              argv[i + 1], argv[i + 2], trans);
      return 2;
    }
    g.transA = trans[0] == 'T';
    g.transB = trans[1] == 'T';
    float *a = randomBuffer((size_t)g.m * (size_t)g.k);
    float *b = randomBuffer((size_t)g.k * (size_t)g.n);
    float *c = randomBuffer((size_t)g.m * (size_t)g.n);
    if (!a || !b || !c) {
      fprintf(stderr, "bench_gemm_blas: out of memory\n");
      return 1;
    }
    g.a = a;
    g.b = b;
    g.c = c;
    long perBlock = 0;
    double seconds =
        benchMedianSeconds(callGemm, &g, blocks, minBlockUs, &perBlock);
    double flops = 2.0 * g.m * (double)g.n * (double)g.k;
    printf("{\"impl\": \"openblas\", \"core\": \"%s\", \"threads\": %d, "
           "\"m\": %d, \"n\": %d, \"k\": %d, \"trans\": \"%s\", "
           "\"calls_per_block\": %ld, \"seconds\": %.9f, \"gflops\": %.3f}\n",
           openblas_get_corename(), openblas_get_num_threads(), g.m, g.n, g.k,
           trans, perBlock, seconds, flops / seconds * 1e-9);
    free(a);
    free(b);
    free(c);
  }
  return 0;
}
