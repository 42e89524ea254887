/*
 * contract.c - a client of the generated C API written only against the
 * contract of DESIGN.md. Compiled once per model:
 *
 *   cc -DAE_MODEL=<name> -include <name>.h contract.c <name>.o -laert ...
 *
 * and run as `contract.exe <check>...` with checks among:
 *   sizes     M_input_size / M_latent_size / M_param_count are sane
 *   init      same seed -> same parameters; other seed -> other parameters
 *   gradcheck M_grad against central differences of M_loss (after
 *             M_set_seed each time): a directional derivative along random
 *             directions and the largest coordinates one by one
 *   determinism  two models, same seed and calls -> bit-identical results
 *   train     M_train_step lowers the loss on a small synthetic set
 *   applygrad M_grad + M_apply_grad == M_train_step (same seed, bit-exact)
 *   maps      encode / decode / reconstruct shapes and consistency
 *   sample    M_fit_latent + M_sample give finite outputs
 *   checkpoint  save / load round trip; a corrupted or truncated file is
 *             rejected and leaves the model unchanged
 *   batches   any batch size n >= 1 (1, 3, 17, 130) gives the same per-row
 *             results as one batch
 * Every check prints "<check>: ok" or "<check>: FAILED ..." and the exit
 * code is the number of failed checks.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_DATA_SEED 0x9e3779b97f4a7c15ull
#include "test_data.h"

#ifndef AE_MODEL
#error "compile with -DAE_MODEL=<model name> -include <model>.h"
#endif
#define AE_CAT2(a, b) a##_##b
#define AE_CAT(a, b) AE_CAT2(a, b)
#define AE(fn) AE_CAT(AE_MODEL, fn)
typedef AE_MODEL Model;

static int64_t D, L, P;
static const char *tmpdir = ".";
static double fd_step = 1e-2; /* central-difference step (AE_FD_STEP) */

static int all_finite(const float *v, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!isfinite(v[i]))
      return 0;
  return 1;
}

static int report(const char *check, int ok, const char *detail) {
  if (ok)
    printf("%s: ok\n", check);
  else
    printf("%s: FAILED %s\n", check, detail ? detail : "");
  return ok ? 0 : 1;
}

static int check_sizes(void) {
  char msg[200];
  snprintf(msg, sizeof msg, "D=%lld L=%lld P=%lld", (long long)D, (long long)L,
           (long long)P);
  printf("sizes: D=%lld L=%lld P=%lld\n", (long long)D, (long long)L,
         (long long)P);
  return report("sizes", D > 0 && L > 0 && P > 0, msg);
}

static int check_init(void) {
  Model *a = AE(create)(42), *b = AE(create)(42), *c = AE(create)(43);
  int ok = a && b && c;
  ok = ok && memcmp(AE(params)(a), AE(params)(b), sizeof(float) * P) == 0;
  ok = ok && memcmp(AE(params)(a), AE(params)(c), sizeof(float) * P) != 0;
  ok = ok && all_finite(AE(params)(a), P);
  AE(destroy)(a), AE(destroy)(b), AE(destroy)(c);
  return report("init", ok, "parameters not reproducible from the seed");
}

/* Differences of M_loss along direction v with step h: central, forward
   and backward (each after M_set_seed, so every evaluation draws the same
   noise). */
static void differences(Model *m, const float *x, int64_t n, const float *v,
                        double h, double out[3]) {
  float *p = AE(params)(m);
  float *saved = malloc(sizeof(float) * P);
  memcpy(saved, p, sizeof(float) * P);
  AE(set_seed)(m, 7);
  double mid = AE(loss)(m, x, n);
  for (int64_t i = 0; i < P; ++i)
    p[i] = saved[i] + (float)(h * v[i]);
  AE(set_seed)(m, 7);
  double plus = AE(loss)(m, x, n);
  for (int64_t i = 0; i < P; ++i)
    p[i] = saved[i] - (float)(h * v[i]);
  AE(set_seed)(m, 7);
  double minus = AE(loss)(m, x, n);
  memcpy(p, saved, sizeof(float) * P);
  free(saved);
  out[0] = (plus - minus) / (2 * h);
  out[1] = (plus - mid) / h;
  out[2] = (mid - minus) / h;
}

/* The relative error of finite differences against `analytic`, beyond the
   resolution of the differences: relative to the larger of the two (but
   never to less than `floor`), after subtracting the rounding of the f32
   loss values (2 ulps, 2.4e-7 |loss|, divided by the step; a bce loss summed
   over pixels is ~10 nats, whose ulp is ~1e-6, and measured differences were
   within one ulp per evaluation).
   The central difference is the accurate one for a smooth loss. A ReLU-like
   kink within h of the current point (a pre-activation of 3e-5 happens)
   makes it average the slopes of both sides at every usable step; then one
   of the one-sided differences stays on the side M_grad differentiates, so
   it counts too. Steps tried: fd_step, 3 fd_step (less rounding), fd_step /
   3 (fewer kinks). *kinked is set when the one-sided differences disagree
   by more than 2% at every step: the loss is not differentiable within h
   along v there, and finite differences cannot judge the gradient at this
   point. A wrong gradient matches none of them. */
static double fd_error(Model *m, const float *x, int64_t n, const float *v,
                       double analytic, double floor, double loss,
                       double *numeric, int *kinked) {
  const double steps[3] = {fd_step, 3 * fd_step, fd_step / 3};
  double best = INFINITY;
  *kinked = 1;
  for (int i = 0; i < 3 && best >= 1e-2; ++i) {
    double h = steps[i], d[3];
    differences(m, x, n, v, h, d);
    for (int k = 0; k < 3; ++k) {
      double noise = fabs(loss) * 2.4e-7 / (k == 0 ? 2 * h : h);
      double s = fmax(fmax(fabs(d[k]), fabs(analytic)), floor);
      double excess = fmax(0.0, fabs(d[k] - analytic) - noise);
      double err = excess == 0 ? 0 : excess / s;
      if (err < best) {
        best = err;
        *numeric = d[k];
      }
    }
    if (fabs(d[1] - d[2]) <= 2e-2 * fmax(fabs(d[1]), fabs(d[2])))
      *kinked = 0;
  }
  return best;
}

/* A direction of the gradient check: the whole buffer (lo = 0, hi = P), a
   chunk's own gradient plus random signs, or a random direction. */
enum { DIR_GRADIENT, DIR_CHUNK, DIR_RANDOM, DIR_COORDINATE };

/* Fills v (unit norm) for a direction of `kind` over [lo, hi) and returns
   g.v. For a coordinate, lo is the element. */
static double make_direction(int kind, int64_t lo, int64_t hi, const float *g,
                             float *v) {
  double gchunk = 0;
  for (int64_t i = lo; i < hi; ++i)
    gchunk += (double)g[i] * g[i];
  gchunk = sqrt(gchunk);
  double vnorm = 0;
  for (int64_t i = 0; i < P; ++i) {
    double r = (rnd() < 0.5 ? -1.0 : 1.0) / sqrt((double)(hi - lo));
    v[i] = i < lo || i >= hi      ? 0.0f
           : kind == DIR_GRADIENT ? g[i]
           : kind == DIR_CHUNK
               ? (float)((gchunk > 0 ? g[i] / gchunk : 0) + 0.5 * r)
           : kind == DIR_RANDOM ? (float)(rnd() - 0.5)
                                : 1.0f;
    vnorm += (double)v[i] * v[i];
  }
  vnorm = sqrt(vnorm);
  double analytic = 0;
  for (int64_t i = 0; i < P; ++i) {
    v[i] = (float)(v[i] / vnorm);
    analytic += (double)g[i] * v[i];
  }
  return analytic;
}

/* M_grad against finite differences of M_loss. Directions: the whole
   gradient; with the flat buffer cut into up to 128 contiguous chunks, each
   chunk's own gradient plus a random sign vector within it (the derivative
   is then about |g_chunk|, so a chunk whose gradient is wrong, scaled or
   missing fails, whatever the magnitude of the others); random directions
   over everything (their derivative is tiny next to |g|, so their error is
   bounded relative to |g|); and the 12 largest coordinates. Each must match
   to a relative error < 1e-2 (fd_error). A direction along which the loss
   is not differentiable within h (a ReLU kink crossed) is judged again on a
   fresh batch of data, up to 3 batches, where the kinks are elsewhere; a
   failure at a smooth point is final. */
static int check_gradcheck(void) {
  const int64_t n = 8;
  Model *m = AE(create)(3);
  float *g = malloc(sizeof(float) * P), *v = malloc(sizeof(float) * P);
  int64_t chunks = P < 128 ? P : 128;
  int64_t total = 1 + chunks + 3 + 12;
  char *pending = malloc((size_t)total);
  memset(pending, 1, (size_t)total);
  char msg[300] = "";
  int failures = 0, remaining = (int)total;

  for (int batch = 0; batch < 3 && remaining > 0 && !failures; ++batch) {
    float *x = make_data(n, D);
    AE(set_seed)(m, 7);
    float loss = AE(grad)(m, x, n, g);
    AE(set_seed)(m, 7);
    float loss2 = AE(loss)(m, x, n);
    double gnorm = 0;
    for (int64_t i = 0; i < P; ++i)
      gnorm += (double)g[i] * g[i];
    gnorm = sqrt(gnorm);
    if (loss != loss2) {
      snprintf(msg, sizeof msg, "M_grad loss %.9g != M_loss %.9g", loss, loss2);
      ++failures;
    } else if (!(gnorm > 0) || !all_finite(g, P)) {
      snprintf(msg, sizeof msg, "gradient norm %g", gnorm);
      ++failures;
    }
    /* The largest coordinates of this batch's gradient. */
    int64_t top[12];
    char *used = calloc((size_t)P, 1);
    for (int k = 0; k < 12; ++k) {
      top[k] = -1;
      for (int64_t i = 0; i < P; ++i)
        if (!used[i] && (top[k] < 0 || fabsf(g[i]) > fabsf(g[top[k]])))
          top[k] = i;
      if (top[k] >= 0)
        used[top[k]] = 1;
    }
    free(used);

    for (int64_t d = 0; d < total && !failures; ++d) {
      if (!pending[d])
        continue;
      int kind;
      int64_t lo = 0, hi = P;
      double floor = 0;
      if (d == 0) {
        kind = DIR_GRADIENT;
      } else if (d <= chunks) {
        kind = DIR_CHUNK;
        lo = P * (d - 1) / chunks;
        hi = P * d / chunks;
      } else if (d <= chunks + 3) {
        kind = DIR_RANDOM;
        floor = gnorm;
      } else {
        kind = DIR_COORDINATE;
        lo = top[d - chunks - 4];
        hi = lo + 1;
        floor = 1e-3 * gnorm;
        if (lo < 0) {
          pending[d] = 0, --remaining;
          continue;
        }
      }
      double analytic = make_direction(kind, lo, hi, g, v);
      double numeric = 0;
      int kinked = 0;
      double err =
          fd_error(m, x, n, v, analytic, floor, loss, &numeric, &kinked);
      if (kind == DIR_GRADIENT || kind == DIR_RANDOM)
        printf("gradcheck: batch %d direction %lld analytic %.6g numeric "
               "%.6g rel %.2e\n",
               batch, (long long)d, analytic, numeric, err);
      if (err < 1e-2) {
        pending[d] = 0, --remaining;
      } else if (!kinked || batch == 2) {
        snprintf(msg, sizeof msg,
                 "direction %lld (elements %lld..%lld, batch %d%s): analytic "
                 "%.6g numeric %.6g rel error %.3g",
                 (long long)d, (long long)lo, (long long)hi - 1, batch,
                 kinked ? ", not differentiable within h" : "", analytic,
                 numeric, err);
        ++failures;
      } else {
        printf("gradcheck: direction %lld: loss not differentiable within h "
               "on batch %d; judged again on the next batch\n",
               (long long)d, batch);
      }
    }
    free(x);
  }

  AE(destroy)(m);
  free(g), free(v), free(pending);
  return report("gradcheck", failures == 0 && remaining == 0, msg);
}

static int check_determinism(void) {
  const int64_t n = 16;
  float *x = make_data(n, D);
  Model *a = AE(create)(5), *b = AE(create)(5);
  int ok = 1;
  for (int step = 0; step < 5; ++step) {
    float la = AE(train_step)(a, x, n), lb = AE(train_step)(b, x, n);
    ok = ok && memcmp(&la, &lb, sizeof la) == 0;
  }
  ok = ok && memcmp(AE(params)(a), AE(params)(b), sizeof(float) * P) == 0;
  AE(destroy)(a), AE(destroy)(b);
  free(x);
  return report("determinism", ok, "results differ between identical runs");
}

static int check_train(void) {
  const int64_t n = 32;
  float *x = make_data(n, D);
  Model *m = AE(create)(11);
  AE(set_seed)(m, 1);
  float before = AE(loss)(m, x, n), last = before;
  for (int step = 0; step < 300; ++step) {
    last = AE(train_step)(m, x, n);
    if (!isfinite(last))
      break;
  }
  AE(set_seed)(m, 1);
  float after = AE(loss)(m, x, n);
  printf("train: loss %.6g -> %.6g (last step %.6g)\n", before, after, last);
  char msg[120];
  snprintf(msg, sizeof msg, "loss %.6g -> %.6g", before, after);
  AE(destroy)(m);
  free(x);
  return report("train", isfinite(after) && after < 0.7f * before, msg);
}

static int check_applygrad(void) {
  const int64_t n = 8;
  float *x = make_data(n, D);
  Model *a = AE(create)(9), *b = AE(create)(9);
  float *g = malloc(sizeof(float) * P);
  int ok = 1;
  for (int step = 0; step < 3; ++step) {
    AE(set_seed)(a, 100 + step);
    AE(set_seed)(b, 100 + step);
    float la = AE(train_step)(a, x, n);
    float lb = AE(grad)(b, x, n, g);
    AE(apply_grad)(b, g);
    ok = ok && la == lb;
  }
  ok = ok && memcmp(AE(params)(a), AE(params)(b), sizeof(float) * P) == 0;
  AE(destroy)(a), AE(destroy)(b);
  free(x), free(g);
  return report("applygrad", ok, "M_grad + M_apply_grad != M_train_step");
}

static int check_maps(void) {
  const int64_t n = 5;
  float *x = make_data(n, D);
  Model *m = AE(create)(2);
  float *z = malloc(sizeof(float) * n * L), *xr = malloc(sizeof(float) * n * D),
        *xd = malloc(sizeof(float) * n * D);
  AE(encode)(m, x, n, z);
  AE(decode)(m, z, n, xd);
  AE(reconstruct)(m, x, n, xr);
  int ok = all_finite(z, n * L) && all_finite(xr, n * D);
  double maxdiff = 0;
  for (int64_t i = 0; i < n * D; ++i)
    maxdiff = fmax(maxdiff, fabs((double)xr[i] - xd[i]));
  ok = ok && maxdiff <= 1e-5;
  char msg[100];
  snprintf(msg, sizeof msg, "reconstruct vs decode(encode): %g", maxdiff);
  AE(destroy)(m);
  free(x), free(z), free(xr), free(xd);
  return report("maps", ok, msg);
}

static int check_sample(void) {
  const int64_t n = 64;
  float *x = make_data(n, D);
  Model *m = AE(create)(4);
  float *out = malloc(sizeof(float) * 10 * D),
        *out2 = malloc(sizeof(float) * 10 * D);
  AE(fit_latent)(m, x, n);
  AE(sample)(m, 123, 10, out);
  AE(sample)(m, 123, 10, out2);
  int ok =
      all_finite(out, 10 * D) && memcmp(out, out2, sizeof(float) * 10 * D) == 0;
  AE(destroy)(m);
  free(x), free(out), free(out2);
  return report("sample", ok, "non-finite or non-reproducible samples");
}

static int check_checkpoint(void) {
  const int64_t n = 8;
  float *x = make_data(n, D);
  char path[512], bad[512];
  snprintf(path, sizeof path, "%s/contract.ckpt", tmpdir);
  snprintf(bad, sizeof bad, "%s/contract-bad.ckpt", tmpdir);
  Model *m = AE(create)(21);
  AE(train_step)(m, x, n);
  int ok = AE(save)(m, path) == 0;
  float *saved = malloc(sizeof(float) * P);
  memcpy(saved, AE(params)(m), sizeof(float) * P);
  AE(train_step)(m, x, n);
  ok = ok && AE(load)(m, path) == 0;
  ok = ok && memcmp(saved, AE(params)(m), sizeof(float) * P) == 0;
  /* Loading restores the training state: the next steps match a model that
     never stopped. */
  Model *twin = AE(create)(21);
  AE(train_step)(twin, x, n);
  float lt = AE(train_step)(twin, x, n), lm = AE(train_step)(m, x, n);
  ok = ok && lt == lm;
  memcpy(saved, AE(params)(m), sizeof(float) * P);

  /* Corrupt one byte in the middle, then truncate: both are rejected. */
  FILE *f = fopen(path, "rb");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *bytes = malloc((size_t)size);
  ok = ok && fread(bytes, 1, (size_t)size, f) == (size_t)size;
  fclose(f);
  bytes[size / 2] ^= 0x40;
  f = fopen(bad, "wb");
  fwrite(bytes, 1, (size_t)size, f);
  fclose(f);
  int corrupted = AE(load)(m, bad);
  bytes[size / 2] ^= 0x40;
  f = fopen(bad, "wb");
  fwrite(bytes, 1, (size_t)size / 3, f);
  fclose(f);
  int truncated = AE(load)(m, bad);
  int missing = AE(load)(m, "/nonexistent/dir/x.ckpt");
  ok = ok && corrupted != 0 && truncated != 0 && missing != 0;
  ok = ok && memcmp(saved, AE(params)(m), sizeof(float) * P) == 0;
  remove(bad);
  remove(path);
  AE(destroy)(m), AE(destroy)(twin);
  free(x), free(saved), free(bytes);
  return report("checkpoint", ok, "round trip or corruption handling");
}

static int check_batches(void) {
  const int64_t n = 130;
  float *x = make_data(n, D);
  Model *m = AE(create)(8);
  float *whole = malloc(sizeof(float) * n * D),
        *part = malloc(sizeof(float) * n * D);
  AE(reconstruct)(m, x, n, whole);
  const int64_t sizes[] = {1, 3, 17, 109};
  int64_t row = 0;
  for (int k = 0; k < 4; ++k) {
    AE(reconstruct)(m, x + row * D, sizes[k], part + row * D);
    row += sizes[k];
  }
  double maxdiff = 0;
  for (int64_t i = 0; i < n * D; ++i)
    maxdiff = fmax(maxdiff, fabs((double)whole[i] - part[i]));
  char msg[100];
  snprintf(msg, sizeof msg, "max difference %g", maxdiff);
  AE(destroy)(m);
  free(x), free(whole), free(part);
  return report("batches", maxdiff <= 1e-5, msg);
}

int main(int argc, char **argv) {
  D = AE(input_size)();
  L = AE(latent_size)();
  P = AE(param_count)();
  if (getenv("AE_FD_STEP"))
    fd_step = atof(getenv("AE_FD_STEP"));
  if (getenv("TMPDIR"))
    tmpdir = getenv("TMPDIR");
  int failed = 0;
  for (int i = 1; i < argc; ++i) {
    const char *c = argv[i];
    if (!strcmp(c, "sizes"))
      failed += check_sizes();
    else if (!strcmp(c, "init"))
      failed += check_init();
    else if (!strcmp(c, "gradcheck"))
      failed += check_gradcheck();
    else if (!strcmp(c, "determinism"))
      failed += check_determinism();
    else if (!strcmp(c, "train"))
      failed += check_train();
    else if (!strcmp(c, "applygrad"))
      failed += check_applygrad();
    else if (!strcmp(c, "maps"))
      failed += check_maps();
    else if (!strcmp(c, "sample"))
      failed += check_sample();
    else if (!strcmp(c, "checkpoint"))
      failed += check_checkpoint();
    else if (!strcmp(c, "batches"))
      failed += check_batches();
    else {
      fprintf(stderr, "contract: unknown check '%s'\n", c);
      return 100;
    }
  }
  return failed;
}
