/*
 * vae_api.c - checks of the VAE semantics of the generated C API (DESIGN.md,
 * docs/vae.md) on a compiled model with a gaussian latent:
 *
 *   cc -DAE_MODEL=<name> -include <name>.h -I<runtime> vae_api.c <name>.o
 *      -laert ...
 *
 * run as `vae_api <check>...`; each check prints "<check>: ok" or
 * "<check>: FAILED ..." and the exit code is the number of failures.
 *
 * Checks that hold for any VAE:
 *   streams    M_loss and M_grad draw the same eps from the same stream
 *              state; successive calls draw new ones; M_set_seed replays
 *   elbo       M_elbo's parts: M_loss == rec + AE_KL_WEIGHT * kl for the
 *              same stream state, the return value is -(rec + kl), NULL
 *              part pointers are allowed, the stream advances like M_loss
 *   maps       M_encode, M_reconstruct, M_sample do not depend on the RNG
 *              stream; M_reconstruct == M_decode(M_encode); M_sample ==
 *              M_decode(z) with z_i = aert_normal(seed, 3, 0, i), whatever
 *              M_fit_latent did
 *   loglik     M_log_likelihood: finite, deterministic in its seed, leaves
 *              the model's stream alone; a batch of 150 (several internal
 *              chunks) gives the mean of per-example calls up to the Monte
 *              Carlo error;
 *              with k = 1 its mean over seeds equals the mean ELBO
 *              (-M_loss over seeds) within the sampling error; it grows with
 *              k (k = 1 < 10 < 100) and is above the ELBO for k > 1
 *              (for a model with training-time noise, -DAE_TRAINING_NOISE,
 *              M_elbo is not the ELBO of the clean input: k = 1 stands in)
 *   extreme    saturated decoders and huge log-variances (parameters set
 *              through M_params): M_loss, M_grad, M_elbo and M_train_step
 *              stay finite
 *   abi        a descriptor of ABI version 1 is rejected with a message
 *   no-loglik  (models without a Bernoulli decoder) M_log_likelihood
 *              returns NaN and says why
 *   no-vae     (deterministic latents) M_elbo and M_log_likelihood return
 *              NaN and say why
 * Checks against a C reference of the fixed MLP architecture
 *   input [24], encoder dense(16) ACT, latent gaussian 3,
 *   decoder dense(16) ACT; dense(24) sigmoid
 * (compile with -DAE_REF_ACT=0 for relu, 1 for tanh, and the loss weights
 * -DAE_W_BCE, -DAE_W_MSE, -DAE_KL_WEIGHT):
 *   reference  M_loss (bce/mse with eps from stream 2 keyed by the call
 *              counter, closed-form KL, weighted sum), M_encode (mu),
 *              M_reconstruct (decoded mu), M_elbo's parts
 */
#include "aert.h"
#include "aert_model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_DATA_SEED 0x2545f4914f6cdd1dull
#include "../../Inputs/test_data.h"

#ifndef AE_MODEL
#error "compile with -DAE_MODEL=<model name> -include <model>.h"
#endif
#ifndef AE_KL_WEIGHT
#error "compile with -DAE_KL_WEIGHT=<weight of kl in the loss>"
#endif
#define AE_CAT2(a, b) a##_##b
#define AE_CAT(a, b) AE_CAT2(a, b)
#define AE(fn) AE_CAT(AE_MODEL, fn)
typedef AE_MODEL Model;
extern const aert_model_desc AE(_desc);

static int64_t D, L, P;

static int all_finite(const float *v, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!isfinite(v[i]))
      return 0;
  return 1;
}

static double max_abs_diff(const float *a, const float *b, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; ++i)
    m = fmax(m, fabs((double)a[i] - b[i]));
  return m;
}

static int report(const char *check, int ok, const char *detail) {
  if (ok)
    printf("%s: ok\n", check);
  else
    printf("%s: FAILED %s\n", check, detail);
  return ok ? 0 : 1;
}

/* A model trained for `steps` steps on `x`, so that q(z|x) is informative. */
static Model *trained_model(const float *x, int64_t n, int steps) {
  Model *m = AE(create)(17);
  AE(set_seed)(m, 5);
  for (int s = 0; s < steps; ++s)
    AE(train_step)(m, x, n);
  return m;
}

/* ---- streams ------------------------------------------------------------ */
static int check_streams(void) {
  const int64_t n = 6;
  float *x = make_data(n, D), *g = malloc(sizeof(float) * P);
  Model *m = AE(create)(3);
  AE(set_seed)(m, 11);
  float l0 = AE(loss)(m, x, n), l1 = AE(loss)(m, x, n);
  AE(set_seed)(m, 11);
  float g0 = AE(grad)(m, x, n, g), g1 = AE(grad)(m, x, n, g);
  AE(set_seed)(m, 12);
  float other = AE(loss)(m, x, n);
  char msg[200];
  snprintf(msg, sizeof msg, "loss %.9g %.9g, grad %.9g %.9g, other seed %.9g",
           l0, l1, g0, g1, other);
  int ok = l0 == g0 && l1 == g1 && l0 != l1 && other != l0 && isfinite(l0);
  AE(destroy)(m);
  free(x), free(g);
  return report("streams", ok, msg);
}

/* ---- elbo --------------------------------------------------------------- */
static int check_elbo(void) {
  const int64_t n = 9;
  float *x = make_data(n, D);
  Model *m = trained_model(x, n, 50);
  char msg[300] = "";
  int ok = 1;
  for (uint64_t seed = 1; seed <= 5 && ok; ++seed) {
    float rec = NAN, kl = NAN;
    AE(set_seed)(m, seed);
    float loss = AE(loss)(m, x, n), loss2 = AE(loss)(m, x, n);
    AE(set_seed)(m, seed);
    float elbo = AE(elbo)(m, x, n, &rec, &kl);
    float next = AE(loss)(m, x, n); /* the stream advanced like M_loss */
    double combined = (double)rec + AE_KL_WEIGHT * (double)kl;
    ok = isfinite(elbo) && kl >= 0 &&
         fabs(combined - loss) <= 4e-7 * fabs(loss) + 1e-6 &&
         elbo == -(rec + kl) && next == loss2;
    AE(set_seed)(m, seed);
    float bare = AE(elbo)(m, x, n, NULL, NULL);
    ok = ok && bare == elbo;
    snprintf(msg, sizeof msg,
             "seed %llu: loss %.9g, rec %.9g + %g * kl %.9g = %.9g; elbo "
             "%.9g (no parts: %.9g); next loss %.9g vs %.9g",
             (unsigned long long)seed, loss, rec, (double)AE_KL_WEIGHT, kl,
             combined, elbo, bare, next, loss2);
  }
  printf("elbo: %s\n", msg);
  AE(destroy)(m);
  free(x);
  return report("elbo", ok, msg);
}

/* ---- maps --------------------------------------------------------------- */
static int check_maps(void) {
  const int64_t n = 7, s = 5;
  float *x = make_data(n, D);
  Model *m = trained_model(x, n, 20);
  float *z = malloc(sizeof(float) * n * L), *z2 = malloc(sizeof(float) * n * L);
  float *r = malloc(sizeof(float) * n * D), *r2 = malloc(sizeof(float) * n * D);
  float *d = malloc(sizeof(float) * n * D);
  float *zs = malloc(sizeof(float) * s * L);
  float *smp = malloc(sizeof(float) * s * D),
        *smp2 = malloc(sizeof(float) * s * D),
        *dec = malloc(sizeof(float) * s * D);
  char msg[200] = "";
  int ok = 1;

  AE(set_seed)(m, 1);
  AE(encode)(m, x, n, z);
  AE(reconstruct)(m, x, n, r);
  AE(loss)(m, x, n);
  AE(set_seed)(m, 99);
  AE(encode)(m, x, n, z2);
  AE(reconstruct)(m, x, n, r2);
  if (memcmp(z, z2, sizeof(float) * n * L) ||
      memcmp(r, r2, sizeof(float) * n * D)) {
    ok = 0;
    snprintf(msg, sizeof msg, "encode/reconstruct depend on the RNG stream");
  }
  AE(decode)(m, z, n, d);
  double diff = max_abs_diff(r, d, n * D);
  if (ok && !(diff <= 1e-6)) {
    ok = 0;
    snprintf(msg, sizeof msg, "reconstruct vs decode(encode): %g", diff);
  }

  /* M_sample decodes z ~ N(0, I) from its seed (stream 3, call 0). */
  AE(sample)(m, 2024, s, smp);
  for (int64_t i = 0; i < s * L; ++i)
    zs[i] = aert_normal(2024, AERT_STREAM_SAMPLE, 0, (uint64_t)i);
  AE(decode)(m, zs, s, dec);
  diff = max_abs_diff(smp, dec, s * D);
  if (ok && !(diff <= 1e-6)) {
    ok = 0;
    snprintf(msg, sizeof msg, "sample vs decode(N(0, I) draws): %g", diff);
  }
  AE(fit_latent)(m, x, n);
  AE(set_seed)(m, 3);
  AE(sample)(m, 2024, s, smp2);
  if (ok && memcmp(smp, smp2, sizeof(float) * s * D)) {
    ok = 0;
    snprintf(msg, sizeof msg, "sample depends on fit_latent or the stream");
  }
  AE(sample)(m, 2025, s, smp2);
  if (ok && !memcmp(smp, smp2, sizeof(float) * s * D)) {
    ok = 0;
    snprintf(msg, sizeof msg, "samples of seeds 2024 and 2025 are equal");
  }
  ok = ok && all_finite(smp, s * D);
  AE(destroy)(m);
  free(x), free(z), free(z2), free(r), free(r2), free(d), free(zs), free(smp),
      free(smp2), free(dec);
  return report("maps", ok, msg);
}

/* ---- loglik ------------------------------------------------------------- */
/* Mean and standard error of v[0..count). */
static void mean_se(const double *v, int count, double *mean, double *se) {
  double s = 0, ss = 0;
  for (int i = 0; i < count; ++i)
    s += v[i];
  *mean = s / count;
  for (int i = 0; i < count; ++i)
    ss += (v[i] - *mean) * (v[i] - *mean);
  *se = sqrt(ss / (count - 1) / count);
}

static int check_loglik(void) {
  const int64_t n = 16;
  enum { SEEDS = 300 };
  float *x = make_data(n, D);
  Model *m = trained_model(x, n, 300);
  char msg[400] = "";
  int ok = 1;

  /* Deterministic in its seed; leaves the model's stream alone. */
  AE(set_seed)(m, 8);
  float before = AE(loss)(m, x, n);
  AE(set_seed)(m, 8);
  float a = AE(log_likelihood)(m, x, n, 20, 77);
  float b = AE(log_likelihood)(m, x, n, 20, 77);
  float c = AE(log_likelihood)(m, x, n, 20, 78);
  float after = AE(loss)(m, x, n);
  if (!(isfinite(a) && a == b && a != c && before == after)) {
    ok = 0;
    snprintf(msg, sizeof msg,
             "k=20: %.9g, again %.9g, seed 78: %.9g; loss before %.9g after "
             "%.9g",
             a, b, c, before, after);
  }
  /* The chunked evaluation (64 examples per encoder call, samples grouped
     into decoder batches of ~512 rows) against one call per example: the
     batch's estimate equals the mean of the per-example estimates up to the
     Monte Carlo error, which the spread between two seeds measures. */
  {
    const int64_t big = 150;
    const int64_t k = 37;
    float *xb = make_data(big, D);
    double whole = AE(log_likelihood)(m, xb, big, k, 9);
    double sum = 0, noise = 0;
    for (int64_t i = 0; i < big; ++i) {
      /* A seed per call: with one seed, every example would be row 0 of
         its call and draw the same normals (correlated errors). */
      double ra = AE(log_likelihood)(m, xb + i * D, 1, k, 5000 + 2 * i);
      double rb = AE(log_likelihood)(m, xb + i * D, 1, k, 5001 + 2 * i);
      sum += ra;
      noise += (ra - rb) * (ra - rb) / 2; /* var(ra - rb) = 2 var */
    }
    double rowsMean = sum / (double)big;
    double se = sqrt(2 * (noise / (double)big) / (double)big);
    printf("loglik: %lld examples, k=%lld: batch %.5f, one call per example "
           "%.5f (Monte Carlo error %.5f)\n",
           (long long)big, (long long)k, whole, rowsMean, se);
    if (ok && !(isfinite(whole) && fabs(whole - rowsMean) <= 5 * se + 1e-4)) {
      ok = 0;
      snprintf(msg, sizeof msg,
               "batch of %lld: %.6f, per-example calls %.6f (error %.6f)",
               (long long)big, whole, rowsMean, se);
    }
    free(xb);
  }

  /* (a) k = 1: E[estimate] = ELBO = E[-M_loss] when the loss is the ELBO. */
  static double lk1[SEEDS], lk10[SEEDS], lk100[SEEDS], nelbo[SEEDS];
  for (int s = 0; s < SEEDS; ++s) {
    lk1[s] = AE(log_likelihood)(m, x, n, 1, 1000 + s);
    lk10[s] = AE(log_likelihood)(m, x, n, 10, 2000 + s);
    AE(set_seed)(m, 3000 + s);
    float rec, kl;
    nelbo[s] = AE(elbo)(m, x, n, &rec, &kl);
  }
  for (int s = 0; s < SEEDS / 10; ++s)
    lk100[s] = AE(log_likelihood)(m, x, n, 100, 4000 + s);
  double m1, se1, m10, se10, m100, se100, me, see;
  mean_se(lk1, SEEDS, &m1, &se1);
  mean_se(lk10, SEEDS, &m10, &se10);
  mean_se(lk100, SEEDS / 10, &m100, &se100);
  mean_se(nelbo, SEEDS, &me, &see);
  printf("loglik: k=1 %.4f +- %.4f, k=10 %.4f +- %.4f, k=100 %.4f +- %.4f, "
         "ELBO (-loss) %.4f +- %.4f nats\n",
         m1, se1, m10, se10, m100, se100, me, see);
  double tol = 4 * sqrt(se1 * se1 + see * see);
#ifdef AE_TRAINING_NOISE
  /* M_elbo is the training objective, whose encoder sees corrupted inputs:
     not the ELBO of the clean x that M_log_likelihood bounds. */
  me = m1, see = se1;
#endif
  if (ok && !(fabs(m1 - me) <= tol)) {
    ok = 0;
    snprintf(msg, sizeof msg,
             "k=1 mean %.5f vs ELBO %.5f: |difference| > %.5f (4 standard "
             "errors)",
             m1, me, tol);
  }
  /* (b) the importance-weighted bound grows with k and is above the ELBO. */
  if (ok && !(m10 - m1 > 4 * sqrt(se1 * se1 + se10 * se10) && m100 > m10 &&
              m10 > me + 4 * sqrt(se10 * se10 + see * see))) {
    ok = 0;
    snprintf(msg, sizeof msg,
             "not increasing with k: k=1 %.5f, k=10 %.5f, k=100 %.5f, ELBO "
             "%.5f",
             m1, m10, m100, me);
  }
  /* Bad arguments are errors, not crashes. */
  aert_clear_error();
  float bad = AE(log_likelihood)(m, x, n, 0, 1);
  if (ok && !(isnan(bad) && strstr(aert_last_error(), "k = 0"))) {
    ok = 0;
    snprintf(msg, sizeof msg, "k = 0 gave %g, error '%s'", bad,
             aert_last_error());
  }
  AE(destroy)(m);
  free(x);
  return report("loglik", ok, msg);
}

/* ---- extreme ------------------------------------------------------------ */
/* Scales every parameter, and sets the logvar head's bias, to extremes. */
static int check_extreme(void) {
  const int64_t n = 8;
  float *x = make_data(n, D), *g = malloc(sizeof(float) * P);
  Model *m = AE(create)(1);
  float *p = AE(params)(m), *saved = malloc(sizeof(float) * P);
  memcpy(saved, p, sizeof(float) * P);
  const aert_model_desc *desc = &AE(_desc);
  int64_t lvBias = -1, lvSize = 0;
  for (int64_t i = 0; i < desc->num_params; ++i)
    if (!strcmp(desc->params[i].name, "logvar.bias"))
      lvBias = desc->params[i].offset, lvSize = desc->params[i].size;
  const float scales[] = {1, 30, 1000};
  const float logvars[] = {-1e4f, -100, 0, 100, 1e4f};
  char msg[300] = "";
  int ok = lvBias >= 0;
  for (int s = 0; s < 3 && ok; ++s)
    for (int v = 0; v < 5 && ok; ++v) {
      for (int64_t i = 0; i < P; ++i)
        p[i] = saved[i] * scales[s];
      for (int64_t i = 0; i < lvSize; ++i)
        p[lvBias + i] = logvars[v];
      AE(set_seed)(m, 1);
      float loss = AE(loss)(m, x, n);
      AE(set_seed)(m, 1);
      float gl = AE(grad)(m, x, n, g);
      AE(set_seed)(m, 1);
      float rec, kl;
      float elbo = AE(elbo)(m, x, n, &rec, &kl);
      float step = AE(train_step)(m, x, n);
      int finite = isfinite(loss) && gl == loss && all_finite(g, P) &&
                   isfinite(elbo) && isfinite(step) && all_finite(p, P);
      printf("extreme: parameters x %g, logvar bias %g: loss %g, elbo %g\n",
             scales[s], logvars[v], loss, elbo);
      if (!finite) {
        ok = 0;
        snprintf(msg, sizeof msg,
                 "parameters x %g, logvar bias %g: loss %g, grad loss %g "
                 "(gradient finite: %d), elbo %g, train step %g",
                 scales[s], logvars[v], loss, gl, all_finite(g, P), elbo, step);
      }
    }
  AE(destroy)(m);
  free(x), free(g), free(saved);
  return report("extreme", ok, msg);
}

/* ---- abi ---------------------------------------------------------------- */
static int check_abi(void) {
  aert_model_desc old = AE(_desc);
  int ok = AE(_desc).abi_version == AERT_ABI_VERSION && AERT_ABI_VERSION >= 2;
  old.abi_version = 1;
  aert_clear_error();
  aert_model *m = aert_model_create(&old, 1);
  ok = ok && m == NULL && strstr(aert_last_error(), "ABI version 1");
  printf("abi: %s\n", aert_last_error());
  aert_model_destroy(m);
  return report("abi", ok, "an ABI 1 descriptor was not rejected");
}

/* ---- unsupported models ------------------------------------------------ */
static int check_unsupported(const char *check, int elboToo) {
  const int64_t n = 3;
  float *x = make_data(n, D);
  Model *m = AE(create)(1);
  char msg[400];
  aert_clear_error();
  float ll = AE(log_likelihood)(m, x, n, 10, 1);
  snprintf(msg, sizeof msg, "log_likelihood %g: '%s'", ll, aert_last_error());
  int ok =
      isnan(ll) && strstr(aert_last_error(), elboToo ? "no gaussian latent"
                                                     : "no Bernoulli decoder");
  if (elboToo) {
    float rec = 1, kl = 1;
    aert_clear_error();
    float elbo = AE(elbo)(m, x, n, &rec, &kl);
    ok = ok && isnan(elbo) && rec == 1 && kl == 1 &&
         strstr(aert_last_error(), "no gaussian latent");
    snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "; elbo %g: '%s'",
             elbo, aert_last_error());
  }
  printf("%s: %s\n", check, msg);
  AE(destroy)(m);
  free(x);
  return report(check, ok, msg);
}

/* ---- reference ---------------------------------------------------------- */
#ifdef AE_REF_ACT
enum { RD = 24, RH = 16, RL = 3 };

static const float *param(const float *p, const char *name) {
  const aert_model_desc *desc = &AE(_desc);
  for (int64_t i = 0; i < desc->num_params; ++i)
    if (!strcmp(desc->params[i].name, name))
      return p + desc->params[i].offset;
  fprintf(stderr, "no parameter %s\n", name);
  exit(100);
}

/* y[n, out] = act(x[n, in] W[in, out] + b), in double. act: 0 relu, 1 tanh,
   2 identity. */
static void dense(const double *x, int64_t n, int in, int out, const float *w,
                  const float *b, int act, double *y) {
  for (int64_t r = 0; r < n; ++r)
    for (int o = 0; o < out; ++o) {
      double s = b[o];
      for (int i = 0; i < in; ++i)
        s += x[r * in + i] * w[i * out + o];
      y[r * out + o] = act == 0 ? fmax(s, 0) : act == 1 ? tanh(s) : s;
    }
}

/* mu, logvar of x; the decoder's logits of z. */
static void ref_encode(const float *p, const float *x, int64_t n, double *mu,
                       double *lv) {
  double *xd = malloc(sizeof(double) * n * RD),
         *h = malloc(sizeof(double) * n * RH);
  for (int64_t i = 0; i < n * RD; ++i)
    xd[i] = x[i];
  dense(xd, n, RD, RH, param(p, "enc0.weight"), param(p, "enc0.bias"),
        AE_REF_ACT, h);
  dense(h, n, RH, RL, param(p, "mu.weight"), param(p, "mu.bias"), 2, mu);
  dense(h, n, RH, RL, param(p, "logvar.weight"), param(p, "logvar.bias"), 2,
        lv);
  free(xd), free(h);
}

static void ref_logits(const float *p, const double *z, int64_t n,
                       double *logits) {
  double *h = malloc(sizeof(double) * n * RH);
  dense(z, n, RL, RH, param(p, "dec0.weight"), param(p, "dec0.bias"),
        AE_REF_ACT, h);
  dense(h, n, RH, RD, param(p, "dec1.weight"), param(p, "dec1.bias"), 2,
        logits);
  free(h);
}

/* The loss at (seed, call) and its parts (reconstruction, kl). */
static double ref_loss(const float *p, const float *x, int64_t n, uint64_t seed,
                       uint64_t call, double *rec, double *kl) {
  double *mu = malloc(sizeof(double) * n * RL),
         *lv = malloc(sizeof(double) * n * RL),
         *z = calloc((size_t)(n * RL), sizeof(double)),
         *logits = malloc(sizeof(double) * n * RD);
  ref_encode(p, x, n, mu, lv);
  *kl = 0;
  for (int64_t i = 0; i < n * RL; ++i) {
    float eps = aert_normal(seed, AERT_STREAM_REPARAM, call, (uint64_t)i);
    z[i] = mu[i] + exp(0.5 * lv[i]) * eps;
    *kl += -0.5 * (1 + lv[i] - mu[i] * mu[i] - exp(lv[i]));
  }
  ref_logits(p, z, n, logits);
  double bce = 0, mse = 0;
  for (int64_t i = 0; i < n * RD; ++i) {
    double l = logits[i], t = x[i], y = 1 / (1 + exp(-l));
    bce += fmax(l, 0) - l * t + log1p(exp(-fabs(l)));
    mse += (y - t) * (y - t);
  }
  *kl /= (double)n;
  *rec = AE_W_BCE * bce / (double)n + AE_W_MSE * mse / (double)(n * RD);
  free(mu), free(lv), free(z), free(logits);
  return *rec + AE_KL_WEIGHT * *kl;
}

static int close(double got, double want, double rel) {
  return fabs(got - want) <= rel * fmax(fabs(want), 1e-3);
}

static int check_reference(void) {
  const int64_t n = 5;
  float *x = make_data(n, D);
  Model *m = trained_model(x, n, 10);
  const float *p = AE(params)(m);
  char msg[300] = "";
  int ok = D == RD && L == RL;
  /* M_loss at calls 0, 1, 2 after M_set_seed(21), then M_grad (call 3). */
  float *g = malloc(sizeof(float) * P);
  AE(set_seed)(m, 21);
  for (uint64_t call = 0; call < 4 && ok; ++call) {
    double rec, kl;
    double want = ref_loss(p, x, n, 21, call, &rec, &kl);
    float got = call < 3 ? AE(loss)(m, x, n) : AE(grad)(m, x, n, g);
    printf("reference: call %llu: loss %.7g, reference %.7g\n",
           (unsigned long long)call, got, want);
    if (!close(got, want, 2e-5)) {
      ok = 0;
      snprintf(msg, sizeof msg, "loss at call %llu: %.9g, reference %.9g",
               (unsigned long long)call, got, want);
    }
  }
  /* M_elbo's parts. */
  {
    double rec, kl;
    ref_loss(p, x, n, 22, 0, &rec, &kl);
    float frec, fkl;
    AE(set_seed)(m, 22);
    AE(elbo)(m, x, n, &frec, &fkl);
    if (ok && !(close(frec, rec, 2e-5) && close(fkl, kl, 2e-5))) {
      ok = 0;
      snprintf(msg, sizeof msg, "elbo parts %.9g %.9g, reference %.9g %.9g",
               frec, fkl, rec, kl);
    }
  }
  /* M_encode is mu; M_reconstruct decodes mu. */
  double *mu = malloc(sizeof(double) * n * RL),
         *lv = malloc(sizeof(double) * n * RL),
         *logits = malloc(sizeof(double) * n * RD);
  float *z = malloc(sizeof(float) * n * RL),
        *r = malloc(sizeof(float) * n * RD);
  ref_encode(p, x, n, mu, lv);
  ref_logits(p, mu, n, logits);
  AE(encode)(m, x, n, z);
  AE(reconstruct)(m, x, n, r);
  for (int64_t i = 0; i < n * RL && ok; ++i)
    if (!(fabs(z[i] - mu[i]) <= 1e-5 * (1 + fabs(mu[i])))) {
      ok = 0;
      snprintf(msg, sizeof msg, "encode[%lld] = %.9g, mu = %.9g", (long long)i,
               z[i], mu[i]);
    }
  for (int64_t i = 0; i < n * RD && ok; ++i) {
    double y = 1 / (1 + exp(-logits[i]));
    if (!(fabs(r[i] - y) <= 1e-5)) {
      ok = 0;
      snprintf(msg, sizeof msg, "reconstruct[%lld] = %.9g, decoded mu %.9g",
               (long long)i, r[i], y);
    }
  }
  AE(destroy)(m);
  free(x), free(g), free(mu), free(lv), free(logits), free(z), free(r);
  return report("reference", ok, msg);
}
#endif

int main(int argc, char **argv) {
  D = AE(input_size)();
  L = AE(latent_size)();
  P = AE(param_count)();
  int failed = 0;
  for (int i = 1; i < argc; ++i) {
    const char *c = argv[i];
    if (!strcmp(c, "streams"))
      failed += check_streams();
    else if (!strcmp(c, "elbo"))
      failed += check_elbo();
    else if (!strcmp(c, "maps"))
      failed += check_maps();
    else if (!strcmp(c, "loglik"))
      failed += check_loglik();
    else if (!strcmp(c, "extreme"))
      failed += check_extreme();
    else if (!strcmp(c, "abi"))
      failed += check_abi();
    else if (!strcmp(c, "no-loglik"))
      failed += check_unsupported(c, 0);
    else if (!strcmp(c, "no-vae"))
      failed += check_unsupported(c, 1);
#ifdef AE_REF_ACT
    else if (!strcmp(c, "reference"))
      failed += check_reference();
#endif
    else {
      fprintf(stderr, "vae_api: unknown check '%s'\n", c);
      return 100;
    }
  }
  return failed;
}
