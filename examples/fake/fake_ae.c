/*
 * fake_ae.c - a hand-written model object with the same shape as what aec
 * generates, for testing the example apps without the compiler.
 *
 * Like a generated object it defines an aert_model_desc whose kernels take
 * MLIR memref descriptors, and a C API of trampolines into aert_model_*
 * (runtime/aert_model.h), so checkpoints, fit_latent and sample are the
 * runtime's own. The model is a linear autoencoder on 28x28 inputs:
 *
 *   z = x We + be   (head, We [784, L])     x_hat = z Wd + bd   (dec0)
 *
 * with loss mse (mean over elements and batch) and plain SGD. L is
 * FAKE_AE_LATENT (default 2), the learning rate FAKE_AE_LR.
 *
 * Test hook: with the environment variable FAKE_AE_NAN_STEP=k, the k-th
 * optimizer step (1-based, counted across resumes) returns a NaN loss
 * without touching the parameters, to test divergence handling.
 */
#include "fake_ae.h"

#include "aert_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef FAKE_AE_LATENT
#define FAKE_AE_LATENT 2
#endif
#ifndef FAKE_AE_LR
#define FAKE_AE_LR 1.0
#endif

enum {
  D = 784,
  L = FAKE_AE_LATENT,
  WE = 0,
  BE = WE + D * L,
  WD = BE + L,
  BD = WD + L * D,
  P = BD + D
};

static const float *rows2d(const aert_memref2d *m) {
  return m->aligned + m->offset;
}

/* Forward pass of n rows: z [n, L], x_hat [n, D]. */
static void forward(const float *p, const float *x, int64_t n, float *z,
                    float *xhat) {
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < L; ++j) {
      float s = p[BE + j];
      for (int k = 0; k < D; ++k)
        s += x[i * D + k] * p[WE + k * L + j];
      z[i * L + j] = s;
    }
    if (!xhat)
      continue;
    for (int k = 0; k < D; ++k) {
      float s = p[BD + k];
      for (int j = 0; j < L; ++j)
        s += z[i * L + j] * p[WD + j * D + k];
      xhat[i * D + k] = s;
    }
  }
}

static void decodeRows(const float *p, const float *z, int64_t n, float *xhat) {
  for (int64_t i = 0; i < n; ++i)
    for (int k = 0; k < D; ++k) {
      float s = p[BD + k];
      for (int j = 0; j < L; ++j)
        s += z[i * L + j] * p[WD + j * D + k];
      xhat[i * D + k] = s;
    }
}

/* Loss and (if grad) its gradient. NaN if out of memory. */
static float lossGrad(const float *p, const float *x, int64_t n, float *grad) {
  float *z = malloc(sizeof(float) * (size_t)n * L);
  float *xhat = malloc(sizeof(float) * (size_t)n * D);
  float *dz = malloc(sizeof(float) * (size_t)n * L);
  if (!z || !xhat || !dz) {
    free(z);
    free(xhat);
    free(dz);
    return NAN;
  }
  forward(p, x, n, z, xhat);
  double sum = 0;
  const float scale = 2.0f / (float)((double)n * D);
  for (int64_t e = 0; e < n * D; ++e) {
    float d = xhat[e] - x[e];
    sum += (double)d * d;
    xhat[e] = d * scale; /* now d loss / d x_hat */
  }
  if (grad) {
    memset(grad, 0, sizeof(float) * P);
    for (int64_t i = 0; i < n; ++i) {
      const float *g = xhat + i * D;
      for (int j = 0; j < L; ++j) {
        float acc = 0;
        for (int k = 0; k < D; ++k) {
          grad[WD + j * D + k] += z[i * L + j] * g[k];
          acc += g[k] * p[WD + j * D + k];
        }
        dz[i * L + j] = acc;
        grad[BE + j] += acc;
      }
      for (int k = 0; k < D; ++k)
        grad[BD + k] += g[k];
      for (int k = 0; k < D; ++k)
        for (int j = 0; j < L; ++j)
          grad[WE + k * L + j] += x[i * D + k] * dz[i * L + j];
    }
  }
  free(z);
  free(xhat);
  free(dz);
  return (float)(sum / ((double)n * D));
}

/* ---- kernels (the ABI of runtime/aert_model.h) -------------------------- */

static float kLoss(aert_memref1d *params, aert_memref2d *x, int64_t seed,
                   int64_t call) {
  (void)seed;
  (void)call;
  return lossGrad(params->aligned, rows2d(x), x->sizes[0], NULL);
}

static float kGrad(aert_memref1d *params, aert_memref2d *x, int64_t seed,
                   int64_t call, aert_memref1d *grad) {
  (void)seed;
  (void)call;
  return lossGrad(params->aligned, rows2d(x), x->sizes[0], grad->aligned);
}

static void kApplyGrad(aert_memref1d *params, aert_memref1d *state,
                       aert_memref1d *grad, int64_t step) {
  (void)state;
  (void)step;
  for (int e = 0; e < P; ++e)
    params->aligned[e] -= (float)FAKE_AE_LR * grad->aligned[e];
}

static float kTrainStep(aert_memref1d *params, aert_memref1d *state,
                        aert_memref2d *x, int64_t seed, int64_t call,
                        int64_t step) {
  const char *nanStep = getenv("FAKE_AE_NAN_STEP");
  if (nanStep && atoll(nanStep) == step)
    return NAN;
  float *grad = malloc(sizeof(float) * P);
  if (!grad)
    return NAN;
  aert_memref1d gradRef = {grad, grad, 0, {P}, {1}};
  float loss = kGrad(params, x, seed, call, &gradRef);
  kApplyGrad(params, state, &gradRef, step);
  free(grad);
  return loss;
}

static void kEncode(aert_memref1d *params, aert_memref2d *x, aert_memref2d *z) {
  float *xhatUnused = NULL;
  forward(params->aligned, rows2d(x), x->sizes[0], z->aligned + z->offset,
          xhatUnused);
}

static void kDecode(aert_memref1d *params, aert_memref2d *z,
                    aert_memref2d *xhat) {
  decodeRows(params->aligned, rows2d(z), z->sizes[0],
             xhat->aligned + xhat->offset);
}

static void kReconstruct(aert_memref1d *params, aert_memref2d *x,
                         aert_memref2d *xhat) {
  int64_t n = x->sizes[0];
  float *z = malloc(sizeof(float) * (size_t)n * L);
  if (!z)
    return;
  forward(params->aligned, rows2d(x), n, z, xhat->aligned + xhat->offset);
  free(z);
}

static const aert_param_desc kParams[] = {
    {"head.weight", WE, D *L, D, 2, {D, L, 0, 0}},
    {"head.bias", BE, L, D, 1, {L, 0, 0, 0}},
    {"dec0.weight", WD, L *D, L, 2, {L, D, 0, 0}},
    {"dec0.bias", BD, D, L, 1, {D, 0, 0, 0}},
};

/* Designated initializers: fields the ABI appends later (for VAEs) are zero,
 * which is what a deterministic autoencoder has there. */
const aert_model_desc fake_ae__desc = {
    .abi_version = AERT_ABI_VERSION,
    .name = "fake_ae",
    .input_size = D,
    .input_rank = 2,
    .input_shape = {28, 28, 0, 0},
    .latent_size = L,
    .latent_kind = AERT_LATENT_DETERMINISTIC,
    .param_count = P,
    .state_count = 0,
    .optimizer = AERT_OPTIMIZER_SGD,
    .lr = FAKE_AE_LR,
    .beta1 = 0.9,
    .beta2 = 0.999,
    .eps = 1e-8,
    .momentum = 0.0,
    .num_params = 4,
    .params = kParams,
    .loss = kLoss,
    .grad = kGrad,
    .train_step = kTrainStep,
    .apply_grad = kApplyGrad,
    .encode = kEncode,
    .decode = kDecode,
    .reconstruct = kReconstruct,
};

/* ---- the C API: trampolines, as aec emits them --------------------------- */

#define M(m) ((aert_model *)(m))

fake_ae *fake_ae_create(uint64_t seed) {
  aert_model *m = aert_model_create(&fake_ae__desc, seed);
  /* Unlike a generated model, start the decoder near zero: plain SGD on a
   * linear autoencoder then converges in a few epochs instead of hundreds. */
  float *p = aert_model_params(m);
  for (int e = WD; p && e < BD; ++e)
    p[e] *= 0.01f;
  return (fake_ae *)m;
}
void fake_ae_destroy(fake_ae *m) { aert_model_destroy(M(m)); }
int64_t fake_ae_input_size(void) { return D; }
int64_t fake_ae_latent_size(void) { return L; }
int64_t fake_ae_param_count(void) { return P; }
float *fake_ae_params(fake_ae *m) { return aert_model_params(M(m)); }
void fake_ae_set_seed(fake_ae *m, uint64_t seed) {
  aert_model_set_seed(M(m), seed);
}
float fake_ae_train_step(fake_ae *m, const float *x, int64_t n) {
  return aert_model_train_step(M(m), x, n);
}
float fake_ae_loss(fake_ae *m, const float *x, int64_t n) {
  return aert_model_loss(M(m), x, n);
}
float fake_ae_grad(fake_ae *m, const float *x, int64_t n, float *grad) {
  return aert_model_grad(M(m), x, n, grad);
}
void fake_ae_apply_grad(fake_ae *m, const float *grad) {
  aert_model_apply_grad(M(m), grad);
}
void fake_ae_encode(fake_ae *m, const float *x, int64_t n, float *z) {
  aert_model_encode(M(m), x, n, z);
}
void fake_ae_decode(fake_ae *m, const float *z, int64_t n, float *x_hat) {
  aert_model_decode(M(m), z, n, x_hat);
}
void fake_ae_reconstruct(fake_ae *m, const float *x, int64_t n, float *x_hat) {
  aert_model_reconstruct(M(m), x, n, x_hat);
}
void fake_ae_fit_latent(fake_ae *m, const float *x, int64_t n) {
  aert_model_fit_latent(M(m), x, n);
}
void fake_ae_sample(fake_ae *m, uint64_t seed, int64_t n, float *x_out) {
  aert_model_sample(M(m), seed, n, x_out);
}
int fake_ae_save(const fake_ae *m, const char *path) {
  return aert_model_save((const aert_model *)m, path);
}
int fake_ae_load(fake_ae *m, const char *path) {
  return aert_model_load(M(m), path);
}
