/*
 * model_api.c - the aec_model_api table of one compiled model. Compile once
 * per model:  cc -DAE_MODEL=mnist_ae_d2 -DAE_HEADER='"mnist_ae_d2.h"' -c
 * model_api.c  -> defines `const aec_model_api mnist_ae_d2_api`.
 */
#ifdef AE_HEADER
#include AE_HEADER
#endif

#include "model_api.h"

#ifndef AE_MODEL
#error "compile with -DAE_MODEL=<model> -DAE_HEADER='\"<model>.h\"'"
#endif

#define AE_PASTE2(prefix, fn) prefix##_##fn
#define AE_PASTE(prefix, fn) AE_PASTE2(prefix, fn)
#define AE(fn) AE_PASTE(AE_MODEL, fn)
#define AE_STR2(x) #x
#define AE_STR(x) AE_STR2(x)

typedef AE_MODEL Model;

static void *create(uint64_t seed) { return AE(create)(seed); }
static void destroy(void *m) { AE(destroy)((Model *)m); }
static void setSeed(void *m, uint64_t seed) { AE(set_seed)((Model *)m, seed); }
static float trainStep(void *m, const float *x, int64_t n) {
  return AE(train_step)((Model *)m, x, n);
}
static float loss(void *m, const float *x, int64_t n) {
  return AE(loss)((Model *)m, x, n);
}
static void encode(void *m, const float *x, int64_t n, float *z) {
  AE(encode)((Model *)m, x, n, z);
}
static void decode(void *m, const float *z, int64_t n, float *x_hat) {
  AE(decode)((Model *)m, z, n, x_hat);
}
static void reconstruct(void *m, const float *x, int64_t n, float *x_hat) {
  AE(reconstruct)((Model *)m, x, n, x_hat);
}
static int save(const void *m, const char *path) {
  return AE(save)((const Model *)m, path);
}
static int load(void *m, const char *path) {
  return AE(load)((Model *)m, path);
}

const aec_model_api AE(api) = {
    AE_STR(AE_MODEL), create,      destroy,   AE(input_size), AE(latent_size),
    AE(param_count),  setSeed,     trainStep, loss,           encode,
    decode,           reconstruct, save,      load,
};
