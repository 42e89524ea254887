/*
 * test_data.h - the synthetic data of the E2E harnesses (contract.c,
 * vae/Inputs/vae_api.c): a small deterministic pseudo-random generator and
 * the examples drawn from it. Each harness keeps its own stream: define
 * TEST_DATA_SEED (the generator's initial state) before including.
 */
#ifndef AEC_TEST_E2E_TEST_DATA_H
#define AEC_TEST_E2E_TEST_DATA_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#ifndef TEST_DATA_SEED
#error "define TEST_DATA_SEED (the data generator's initial state) first"
#endif

/* Uniform in [0, 1): a 64-bit LCG, its top 53 bits. */
static uint64_t lcg_state = TEST_DATA_SEED;
static double rnd(void) {
  lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(lcg_state >> 11) * (1.0 / 9007199254740992.0);
}

/* n synthetic examples of d elements in (0, 1), mostly near 0 or 1: valid
   bce targets whose entropy (the floor of the bce loss) is small. */
static float *make_data(int64_t n, int64_t d) {
  float *x = malloc(sizeof(float) * (size_t)(n * d));
  for (int64_t i = 0; i < n; ++i) {
    double phase = rnd() * 6.28, freq = 1 + 3 * rnd();
    for (int64_t j = 0; j < d; ++j)
      x[i * d + j] =
          (float)(1.0 / (1.0 + exp(-6.0 * sin(phase + freq * 6.28 * (double)j /
                                                          (double)d))));
  }
  return x;
}

#endif /* AEC_TEST_E2E_TEST_DATA_H */
