/* Checks the kernels, descriptor and C API of test/E2E/Inputs/tiny.mlir
 * (compiled by aec-backend) against a naive C reference of the same model,
 * for batch sizes that are and are not multiples of the register tile.
 * Links without the runtime: the aert_model_* entry points the C API
 * forwards to are recording stubs defined here, and the kernels' scratch
 * allocator (aert_alloc / aert_free) is malloc. */
#include "aert_model.h"
#include "tiny.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { D = 30, H = 20, L = 4 };
enum {
  W0 = 0,
  B0 = W0 + D * H,
  W1 = B0 + H,
  B1 = W1 + H * L,
  W2 = B1 + L,
  B2 = W2 + L * D,
  P = B2 + D
};

extern const aert_model_desc tiny__desc;

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

static uint32_t lcg = 12345u;
static float uniform(void) {
  lcg = lcg * 1664525u + 1013904223u;
  return (float)(lcg >> 8) / 16777216.0f * 2.0f - 1.0f;
}

/* ---- reference ---------------------------------------------------------- */
static void dense(const float *x, int n, int k, int m, const float *w,
                  const float *b, int relu, float *y) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) {
      float s = 0.0f;
      for (int t = 0; t < k; ++t)
        s += x[i * k + t] * w[t * m + j];
      s += b[j];
      y[i * m + j] = relu && s < 0.0f ? 0.0f : s;
    }
}

/* Forward + backward; returns the loss, fills grad if not NULL. */
static float ref_loss_grad(const float *p, const float *x, int n, float *grad) {
  float *h = malloc(sizeof(float) * n * H), *z = malloc(sizeof(float) * n * L);
  float *y = malloc(sizeof(float) * n * D), *dy = malloc(sizeof(float) * n * D);
  float *dz = malloc(sizeof(float) * n * L),
        *dh = malloc(sizeof(float) * n * H);
  dense(x, n, D, H, p + W0, p + B0, 1, h);
  dense(h, n, H, L, p + W1, p + B1, 0, z);
  dense(z, n, L, D, p + W2, p + B2, 0, y);
  double sum = 0.0;
  for (int i = 0; i < n * D; ++i)
    sum += (double)(y[i] - x[i]) * (y[i] - x[i]);
  float loss = (float)(sum / (n * D));
  if (grad) {
    memset(grad, 0, sizeof(float) * P);
    for (int i = 0; i < n * D; ++i)
      dy[i] = 2.0f * (y[i] - x[i]) / (float)(n * D);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < D; ++j) {
        grad[B2 + j] += dy[i * D + j];
        for (int t = 0; t < L; ++t)
          grad[W2 + t * D + j] += z[i * L + t] * dy[i * D + j];
      }
      for (int t = 0; t < L; ++t) {
        float s = 0.0f;
        for (int j = 0; j < D; ++j)
          s += dy[i * D + j] * p[W2 + t * D + j];
        dz[i * L + t] = s;
        grad[B1 + t] += s;
        for (int u = 0; u < H; ++u)
          grad[W1 + u * L + t] += h[i * H + u] * s;
      }
      for (int u = 0; u < H; ++u) {
        float s = 0.0f;
        for (int t = 0; t < L; ++t)
          s += dz[i * L + t] * p[W1 + u * L + t];
        dh[i * H + u] = h[i * H + u] > 0.0f ? s : 0.0f;
        grad[B0 + u] += dh[i * H + u];
        for (int d = 0; d < D; ++d)
          grad[W0 + d * H + u] += x[i * D + d] * dh[i * H + u];
      }
    }
  }
  free(h), free(z), free(y), free(dy), free(dz), free(dh);
  return loss;
}

static void ref_sgd(float *p, float *v, const float *g) {
  for (int i = 0; i < P; ++i) {
    v[i] = 0.9f * v[i] + g[i];
    p[i] -= 0.1f * v[i];
  }
}

/* ---- helpers ------------------------------------------------------------ */
static aert_memref1d flat(float *data, int64_t size) {
  aert_memref1d m = {data, data, 0, {size}, {1}};
  return m;
}
static aert_memref2d batch(float *data, int64_t n, int64_t d) {
  aert_memref2d m = {data, data, 0, {n, d}, {d, 1}};
  return m;
}
static int close_to(const float *a, const float *b, int count, const char *what,
                    int n) {
  for (int i = 0; i < count; ++i) {
    float tol = 1e-4f + 1e-3f * fabsf(b[i]);
    if (!(fabsf(a[i] - b[i]) <= tol)) {
      printf("FAIL %s n=%d: [%d] got %g, expected %g\n", what, n, i, a[i],
             b[i]);
      ++failures;
      return 0;
    }
  }
  return 1;
}

/* ---- stubs of the runtime entry points (record the forwarded calls) ----- */
/* Kernel scratch memory (the generated code aligns what it gets itself). */
void *aert_alloc(size_t bytes) { return malloc(bytes ? bytes : 1); }
void aert_free(void *p) { free(p); }

static const aert_model_desc *created_desc;
static uint64_t last_seed;
static int64_t last_n;
static const void *last_ptr;
static int calls;
static aert_model *const fake = (aert_model *)&calls;

aert_model *aert_model_create(const aert_model_desc *desc, uint64_t seed) {
  created_desc = desc, last_seed = seed, ++calls;
  return fake;
}
void aert_model_destroy(aert_model *m) { last_ptr = m, ++calls; }
float *aert_model_params(aert_model *m) {
  ++calls;
  return (float *)m;
}
void aert_model_set_seed(aert_model *m, uint64_t seed) {
  last_seed = seed, ++calls;
}
float aert_model_train_step(aert_model *m, const float *x, int64_t n) {
  last_ptr = x, last_n = n, ++calls;
  return 1.5f;
}
float aert_model_loss(aert_model *m, const float *x, int64_t n) {
  last_ptr = x, last_n = n, ++calls;
  return 2.5f;
}
float aert_model_grad(aert_model *m, const float *x, int64_t n, float *g) {
  last_ptr = g, last_n = n, ++calls;
  return 3.5f;
}
void aert_model_apply_grad(aert_model *m, const float *g) {
  last_ptr = g, ++calls;
}
void aert_model_encode(aert_model *m, const float *x, int64_t n, float *z) {
  last_ptr = z, last_n = n, ++calls;
}
void aert_model_decode(aert_model *m, const float *z, int64_t n, float *x) {
  last_ptr = x, last_n = n, ++calls;
}
void aert_model_reconstruct(aert_model *m, const float *x, int64_t n,
                            float *y) {
  last_ptr = y, last_n = n, ++calls;
}
void aert_model_fit_latent(aert_model *m, const float *x, int64_t n) {
  last_ptr = x, last_n = n, ++calls;
}
void aert_model_sample(aert_model *m, uint64_t seed, int64_t n, float *x) {
  last_seed = seed, last_ptr = x, last_n = n, ++calls;
}
float aert_model_elbo(aert_model *m, const float *x, int64_t n, float *rec,
                      float *kl) {
  last_ptr = kl, last_n = n, ++calls;
  return 4.5f;
}
float aert_model_log_likelihood(aert_model *m, const float *x, int64_t n,
                                int64_t k, uint64_t seed) {
  last_ptr = x, last_n = n * 1000 + k, last_seed = seed, ++calls;
  return 5.5f;
}
int aert_model_save(const aert_model *m, const char *path) {
  last_ptr = path, ++calls;
  return 7;
}
int aert_model_load(aert_model *m, const char *path) {
  last_ptr = path, ++calls;
  return 8;
}

/* ---- tests -------------------------------------------------------------- */
static void check_descriptor(void) {
  const aert_model_desc *d = &tiny__desc;
  CHECK(d->abi_version == AERT_ABI_VERSION);
  CHECK(strcmp(d->name, "tiny") == 0);
  CHECK(d->input_size == D && d->input_rank == 3);
  CHECK(d->input_shape[0] == 1 && d->input_shape[1] == 5 &&
        d->input_shape[2] == 6 && d->input_shape[3] == 0);
  CHECK(d->latent_size == L && d->latent_kind == AERT_LATENT_DETERMINISTIC);
  CHECK(d->param_count == P && d->state_count == P);
  CHECK(d->optimizer == AERT_OPTIMIZER_SGD);
  CHECK(d->lr == 0.1 && d->momentum == 0.9);
  CHECK(d->num_params == 6);
  static const char *names[] = {"enc0.weight", "enc0.bias",   "head.weight",
                                "head.bias",   "dec0.weight", "dec0.bias"};
  static const int64_t offsets[] = {W0, B0, W1, B1, W2, B2};
  static const int64_t fan_in[] = {D, D, H, H, L, L};
  for (int i = 0; i < 6; ++i) {
    CHECK(strcmp(d->params[i].name, names[i]) == 0);
    CHECK(d->params[i].offset == offsets[i]);
    CHECK(d->params[i].fan_in == fan_in[i]);
  }
  CHECK(d->params[0].rank == 2 && d->params[0].shape[0] == D &&
        d->params[0].shape[1] == H && d->params[0].shape[2] == 0);
  CHECK(d->params[0].size == D * H);
  CHECK(d->params[5].rank == 1 && d->params[5].shape[0] == D &&
        d->params[5].size == D);
  CHECK(d->loss && d->grad && d->train_step && d->apply_grad && d->encode &&
        d->decode && d->reconstruct);
  /* ABI 2: no VAE kernels for a deterministic latent. */
  CHECK(d->likelihood == AERT_LIKELIHOOD_NONE && !d->elbo &&
        !d->encode_gaussian && !d->decode_logits);
}

static void check_kernels(int n) {
  const aert_model_desc *d = &tiny__desc;
  float *p = malloc(sizeof(float) * P), *x = malloc(sizeof(float) * n * D);
  float *g = malloc(sizeof(float) * P), *gref = malloc(sizeof(float) * P);
  float *z = malloc(sizeof(float) * n * L),
        *zref = malloc(sizeof(float) * n * L);
  float *y = malloc(sizeof(float) * n * D),
        *yref = malloc(sizeof(float) * n * D);
  float *h = malloc(sizeof(float) * n * H);
  for (int i = 0; i < P; ++i)
    p[i] = 0.3f * uniform();
  for (int i = 0; i < n * D; ++i)
    x[i] = uniform();

  aert_memref1d mp = flat(p, P), mg = flat(g, P);
  aert_memref2d mx = batch(x, n, D), mz = batch(z, n, L), my = batch(y, n, D);

  /* encode / decode / reconstruct */
  dense(x, n, D, H, p + W0, p + B0, 1, h);
  dense(h, n, H, L, p + W1, p + B1, 0, zref);
  d->encode(&mp, &mx, &mz);
  close_to(z, zref, n * L, "encode", n);
  dense(zref, n, L, D, p + W2, p + B2, 0, yref);
  d->decode(&mp, &mz, &my);
  close_to(y, yref, n * D, "decode", n);
  memset(y, 0, sizeof(float) * n * D);
  d->reconstruct(&mp, &mx, &my);
  close_to(y, yref, n * D, "reconstruct", n);

  /* loss / grad */
  float lref = ref_loss_grad(p, x, n, gref);
  float l = d->loss(&mp, &mx, 1, 0);
  close_to(&l, &lref, 1, "loss", n);
  for (int i = 0; i < P; ++i)
    g[i] = NAN; /* every element must be written */
  l = d->grad(&mp, &mx, 1, 0, &mg);
  close_to(&l, &lref, 1, "grad loss", n);
  close_to(g, gref, P, "grad", n);

  /* train_step x2 and apply_grad, parameters and state updated in place */
  float *pref = malloc(sizeof(float) * P), *v = calloc(P, sizeof(float));
  float *vref = calloc(P, sizeof(float));
  memcpy(pref, p, sizeof(float) * P);
  aert_memref1d mv = flat(v, P);
  for (int step = 1; step <= 2; ++step) {
    lref = ref_loss_grad(pref, x, n, gref);
    ref_sgd(pref, vref, gref);
    l = d->train_step(&mp, &mv, &mx, 1, 0, step);
    close_to(&l, &lref, 1, "train_step loss", n);
  }
  close_to(p, pref, P, "train_step params", n);
  close_to(v, vref, P, "train_step state", n);
  ref_loss_grad(pref, x, n, gref);
  ref_sgd(pref, vref, gref);
  memcpy(g, gref, sizeof(float) * P);
  d->apply_grad(&mp, &mv, &mg, 3);
  close_to(p, pref, P, "apply_grad params", n);
  close_to(v, vref, P, "apply_grad state", n);
  close_to(g, gref, P, "apply_grad leaves grad", n);

  free(p), free(x), free(g), free(gref), free(z), free(zref), free(y),
      free(yref), free(h), free(pref), free(v), free(vref);
}

static void check_c_api(void) {
  float buf[4];
  CHECK(tiny_input_size() == TINY_INPUT_SIZE && TINY_INPUT_SIZE == D);
  CHECK(tiny_latent_size() == TINY_LATENT_SIZE && TINY_LATENT_SIZE == L);
  CHECK(tiny_param_count() == TINY_PARAM_COUNT && TINY_PARAM_COUNT == P);
  CHECK(TINY_PARAM_DEC0_BIAS_OFFSET == B2 && TINY_PARAM_DEC0_BIAS_SIZE == D);
  tiny *m = tiny_create(77);
  CHECK((void *)m == (void *)fake && created_desc == &tiny__desc &&
        last_seed == 77);
  CHECK(tiny_params(m) == (float *)fake);
  tiny_set_seed(m, 99);
  CHECK(last_seed == 99);
  CHECK(tiny_train_step(m, buf, 5) == 1.5f && last_ptr == buf && last_n == 5);
  CHECK(tiny_loss(m, buf, 6) == 2.5f && last_n == 6);
  CHECK(tiny_grad(m, buf, 7, buf + 1) == 3.5f && last_ptr == buf + 1 &&
        last_n == 7);
  tiny_apply_grad(m, buf + 2);
  CHECK(last_ptr == buf + 2);
  tiny_encode(m, buf, 8, buf + 3);
  CHECK(last_ptr == buf + 3 && last_n == 8);
  tiny_decode(m, buf, 9, buf + 1);
  CHECK(last_ptr == buf + 1 && last_n == 9);
  tiny_reconstruct(m, buf, 10, buf + 2);
  CHECK(last_ptr == buf + 2 && last_n == 10);
  tiny_fit_latent(m, buf + 3, 11);
  CHECK(last_ptr == buf + 3 && last_n == 11);
  tiny_sample(m, 1234, 12, buf);
  CHECK(last_seed == 1234 && last_n == 12 && last_ptr == buf);
  CHECK(tiny_elbo(m, buf, 13, buf + 1, buf + 2) == 4.5f && last_n == 13 &&
        last_ptr == buf + 2);
  CHECK(tiny_log_likelihood(m, buf + 3, 14, 100, 4321) == 5.5f &&
        last_n == 14100 && last_ptr == buf + 3 && last_seed == 4321);
  CHECK(tiny_save(m, "a.ckpt") == 7);
  CHECK(tiny_load(m, "b.ckpt") == 8);
  tiny_destroy(m);
  CHECK(last_ptr == (void *)fake);
  CHECK(calls == 17);
}

int main(void) {
  static const int sizes[] = {1, 3, 15, 16, 17, 40, 128};
  check_descriptor();
  for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i)
    check_kernels(sizes[i]);
  check_c_api();
  if (failures) {
    printf("%d failures\n", failures);
    return 1;
  }
  printf("tiny: all checks passed\n");
  return 0;
}
