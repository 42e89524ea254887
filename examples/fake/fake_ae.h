/*
 * fake_ae.h - the C API of DESIGN.md for `fake_ae`, a hand-written stand-in
 * for a model compiled by aec (see fake_ae.c). Same declarations as the
 * header aec generates, so apps are tested before the compiler exists.
 */
#ifndef AEC_MODEL_FAKE_AE_H
#define AEC_MODEL_FAKE_AE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fake_ae fake_ae;

fake_ae *fake_ae_create(uint64_t seed);
void fake_ae_destroy(fake_ae *m);
int64_t fake_ae_input_size(void);
int64_t fake_ae_latent_size(void);
int64_t fake_ae_param_count(void);
float *fake_ae_params(fake_ae *m);
void fake_ae_set_seed(fake_ae *m, uint64_t seed);
float fake_ae_train_step(fake_ae *m, const float *x, int64_t n);
float fake_ae_loss(fake_ae *m, const float *x, int64_t n);
float fake_ae_grad(fake_ae *m, const float *x, int64_t n, float *grad);
void fake_ae_apply_grad(fake_ae *m, const float *grad);
void fake_ae_encode(fake_ae *m, const float *x, int64_t n, float *z);
void fake_ae_decode(fake_ae *m, const float *z, int64_t n, float *x_hat);
void fake_ae_reconstruct(fake_ae *m, const float *x, int64_t n, float *x_hat);
void fake_ae_fit_latent(fake_ae *m, const float *x, int64_t n);
void fake_ae_sample(fake_ae *m, uint64_t seed, int64_t n, float *x_out);
int fake_ae_save(const fake_ae *m, const char *path);
int fake_ae_load(fake_ae *m, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* AEC_MODEL_FAKE_AE_H */
