/*
 * threads.c - prints fingerprints of a model's results: the bits of the
 * losses of a few training steps, then hashes of the parameters, of the
 * codes and of the reconstructions. Run under different AEC_NUM_THREADS, the
 * output must not change (DESIGN.md: bit-identical at a fixed thread count;
 * aec's parallel loops write disjoint tiles, so at any count).
 *
 *   cc -DAE_MODEL=<model> -include <model>.h threads.c <model>.o -laert -lm
 */
#include "aert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define FN(name) CAT(AE_MODEL, CAT(_, name))

static uint64_t fnv1a(const float *v, int64_t count) {
  uint64_t h = 1469598103934665603ull;
  const unsigned char *bytes = (const unsigned char *)v;
  for (int64_t i = 0; i < count * (int64_t)sizeof(float); ++i) {
    h ^= bytes[i];
    h *= 1099511628211ull;
  }
  return h;
}

static uint32_t bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

int main(void) {
  const int64_t n = 100; /* not a multiple of the 16-row tiles */
  int64_t d = FN(input_size)(), k = FN(latent_size)();
  float *x = malloc(sizeof(float) * n * d);
  float *z = malloc(sizeof(float) * n * k);
  float *y = malloc(sizeof(float) * n * d);
  AE_MODEL *m = FN(create)(7);
  if (!x || !z || !y || !m) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  aert_fill_uniform(3, 0, 0, 0, n * d, x);
  printf("threads in use: %s\n", aert_parallel_threads() > 1 ? "several" : "one");
  for (int step = 0; step < 5; ++step)
    printf("step %d loss %08" PRIx32 "\n", step,
           bits(FN(train_step)(m, x, n)));
  printf("params %016" PRIx64 "\n", fnv1a(FN(params)(m), FN(param_count)()));
  FN(encode)(m, x, n, z);
  printf("codes %016" PRIx64 "\n", fnv1a(z, n * k));
  FN(reconstruct)(m, x, n, y);
  printf("reconstructions %016" PRIx64 "\n", fnv1a(y, n * d));
  FN(destroy)(m);
  free(x);
  free(z);
  free(y);
  return 0;
}
