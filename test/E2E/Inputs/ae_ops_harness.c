/* Checks every ae op lowered by ae-to-linalg (Inputs/ae_ops.mlir) against a
 * naive C reference, for batch sizes 1, 3 and 17. The random ops are
 * checked against the runtime's aert_uniform / aert_normal: uniforms (mask,
 * block) bit for bit, normals (gaussian noise, reparam) to 1e-5 because the
 * generated log / cos are polynomial approximations. */
#include "aert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strided memref descriptors (MLIR C interface) of rank 1 to 5. */
#define MEMREF(R)                                                              \
  struct {                                                                     \
    float *allocated, *aligned;                                                \
    int64_t offset, sizes[R], strides[R];                                      \
  }
typedef MEMREF(1) m1;
typedef MEMREF(2) m2;
typedef MEMREF(3) m3;
typedef MEMREF(4) m4;
typedef MEMREF(5) m5;

/* Fills a descriptor for a dense row-major buffer. */
static void describe(void *desc, float *data, int rank, const int64_t *dims) {
  int64_t *words = (int64_t *)((char *)desc + 2 * sizeof(float *));
  float **ptrs = (float **)desc;
  ptrs[0] = ptrs[1] = data;
  words[0] = 0;
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    words[1 + i] = dims[i];
    words[1 + rank + i] = stride;
    stride *= dims[i];
  }
}

void _mlir_ciface_conv(m4 *, m4 *, m1 *, m4 *);
void _mlir_ciface_deconv(m4 *, m4 *, m1 *, m4 *);
void _mlir_ciface_conv_grads(m4 *, m4 *, m4 *, m4 *, m4 *);
void _mlir_ciface_activations(m2 *, m2 *, m3 *, m3 *);
void _mlir_ciface_losses(m2 *, m2 *, m1 *);
void _mlir_ciface_loss_grads(m2 *, m2 *, float, m3 *);
void _mlir_ciface_random(m4 *, m2 *, m2 *, int64_t, int64_t, m5 *, m2 *);
void _mlir_ciface_updates(m2 *, m2 *, m2 *, m2 *, int64_t, m2 *, m2 *, m2 *);
void _mlir_ciface_misc(m2 *, m2 *, m2 *, m1 *, m4 *, m2 *, m2 *, m2 *, m1 *,
                       m1 *, m4 *);

static int failures;
static int n; /* batch size of the current round */

static void check(const char *what, const float *got, const float *want,
                  int count, float tol) {
  for (int i = 0; i < count; ++i) {
    float t = tol * (1.0f + fabsf(want[i]));
    if (!(fabsf(got[i] - want[i]) <= t)) {
      printf("FAIL %s n=%d [%d]: got %.9g, expected %.9g\n", what, n, i, got[i],
             want[i]);
      ++failures;
      return;
    }
  }
}

static uint32_t lcg = 4242u;
static float uniform(float lo, float hi) {
  lcg = lcg * 1664525u + 1013904223u;
  return lo + (hi - lo) * (float)(lcg >> 8) / 16777216.0f;
}
static float *random_buffer(int count, float lo, float hi) {
  float *p = malloc(sizeof(float) * (count ? count : 1));
  for (int i = 0; i < count; ++i)
    p[i] = uniform(lo, hi);
  return p;
}
static float *zeros(int count) {
  return calloc(count ? count : 1, sizeof(float));
}

/* ---- convolutions: x [n,2,7,7], w [4,2,3,3], stride 2, pad 1 ------------- */
#define X(i, c, y, x) x_[(((i)*2 + (c)) * 7 + (y)) * 7 + (x)]
#define W(f, c, a, b) w_[(((f)*2 + (c)) * 3 + (a)) * 3 + (b)]
#define DY(i, f, y, x) dy_[(((i)*4 + (f)) * 4 + (y)) * 4 + (x)]

static void test_convolutions(void) {
  float *x_ = random_buffer(n * 98, -1, 1), *w_ = random_buffer(72, -1, 1);
  float *b4 = random_buffer(4, -1, 1), *b2 = random_buffer(2, -1, 1);
  float *dy_ = random_buffer(n * 64, -1, 1);
  float *y = zeros(n * 64), *yref = zeros(n * 64);
  float *d = zeros(n * 128), *dref = zeros(n * 128);
  float *dx = zeros(n * 98), *dxref = zeros(n * 98);
  float *dw = zeros(72), *dwref = zeros(72);
  m4 mx, mw, my, mdy, md, mdx, mdw;
  m1 mb4, mb2;
  int64_t dx_[] = {n, 2, 7, 7}, dw_[] = {4, 2, 3, 3}, dy4[] = {n, 4, 4, 4},
          dd[] = {n, 2, 8, 8}, d4[] = {4}, d2[] = {2};
  describe(&mx, x_, 4, dx_), describe(&mw, w_, 4, dw_),
      describe(&my, y, 4, dy4);
  describe(&mdy, dy_, 4, dy4), describe(&md, d, 4, dd);
  describe(&mdx, dx, 4, dx_), describe(&mdw, dw, 4, dw_);
  describe(&mb4, b4, 1, d4), describe(&mb2, b2, 1, d2);

  /* conv2d */
  for (int i = 0; i < n; ++i)
    for (int f = 0; f < 4; ++f)
      for (int oy = 0; oy < 4; ++oy)
        for (int ox = 0; ox < 4; ++ox) {
          float s = b4[f];
          for (int c = 0; c < 2; ++c)
            for (int a = 0; a < 3; ++a)
              for (int b = 0; b < 3; ++b) {
                int iy = oy * 2 - 1 + a, ix = ox * 2 - 1 + b;
                if (iy >= 0 && iy < 7 && ix >= 0 && ix < 7)
                  s += X(i, c, iy, ix) * W(f, c, a, b);
              }
          yref[((i * 4 + f) * 4 + oy) * 4 + ox] = s;
        }
  _mlir_ciface_conv(&mx, &mw, &mb4, &my);
  check("conv2d", y, yref, n * 64, 1e-5f);

  /* deconv2d of dy ([n,4,4,4]) with w read as [C=4, F=2, 3, 3] */
  for (int i = 0; i < n * 128; ++i)
    dref[i] = b2[(i / 64) % 2];
  for (int i = 0; i < n; ++i)
    for (int c = 0; c < 4; ++c)
      for (int iy = 0; iy < 4; ++iy)
        for (int ix = 0; ix < 4; ++ix)
          for (int f = 0; f < 2; ++f)
            for (int a = 0; a < 3; ++a)
              for (int b = 0; b < 3; ++b) {
                int oy = iy * 2 - 1 + a, ox = ix * 2 - 1 + b;
                if (oy >= 0 && oy < 8 && ox >= 0 && ox < 8)
                  dref[((i * 2 + f) * 8 + oy) * 8 + ox] +=
                      DY(i, c, iy, ix) * w_[((c * 2 + f) * 3 + a) * 3 + b];
              }
  _mlir_ciface_deconv(&mdy, &mw, &mb2, &md);
  check("deconv2d", d, dref, n * 128, 1e-5f);

  /* conv2d_grad_input and conv2d_grad_weight */
  for (int i = 0; i < n; ++i)
    for (int f = 0; f < 4; ++f)
      for (int oy = 0; oy < 4; ++oy)
        for (int ox = 0; ox < 4; ++ox)
          for (int c = 0; c < 2; ++c)
            for (int a = 0; a < 3; ++a)
              for (int b = 0; b < 3; ++b) {
                int iy = oy * 2 - 1 + a, ix = ox * 2 - 1 + b;
                if (iy < 0 || iy >= 7 || ix < 0 || ix >= 7)
                  continue;
                dxref[((i * 2 + c) * 7 + iy) * 7 + ix] +=
                    DY(i, f, oy, ox) * W(f, c, a, b);
                dwref[((f * 2 + c) * 3 + a) * 3 + b] +=
                    DY(i, f, oy, ox) * X(i, c, iy, ix);
              }
  _mlir_ciface_conv_grads(&mx, &mw, &mdy, &mdx, &mdw);
  check("conv2d_grad_input", dx, dxref, n * 98, 1e-5f);
  check("conv2d_grad_weight", dw, dwref, 72, 1e-4f);
  free(x_), free(w_), free(b4), free(b2), free(dy_), free(y), free(yref);
  free(d), free(dref), free(dx), free(dxref), free(dw), free(dwref);
}

/* ---- activations, losses and their gradients on [n, 37] ----------------- */
static void test_activations_and_losses(void) {
  int count = n * 37;
  float *x = random_buffer(count, -4, 4), *dy = random_buffer(count, -1, 1);
  float *y = zeros(5 * count), *dx = zeros(5 * count);
  float *yref = zeros(5 * count), *dxref = zeros(5 * count);
  m2 mx, mdy;
  m3 my, mdx;
  int64_t d2[] = {n, 37}, d3[] = {5, n, 37};
  describe(&mx, x, 2, d2), describe(&mdy, dy, 2, d2);
  describe(&my, y, 3, d3), describe(&mdx, dx, 3, d3);
  for (int i = 0; i < count; ++i) {
    float v = x[i], g = dy[i];
    float r = v > 0 ? v : 0, s = 1.0f / (1.0f + expf(-v)), t = tanhf(v);
    float sp = log1pf(expf(-fabsf(v))) + (v > 0 ? v : 0);
    float l = v > 0 ? v : 0.1f * v;
    yref[i] = r, yref[count + i] = s, yref[2 * count + i] = t;
    yref[3 * count + i] = sp, yref[4 * count + i] = l;
    dxref[i] = r > 0 ? g : 0;
    dxref[count + i] = g * s * (1 - s);
    dxref[2 * count + i] = g * (1 - t * t);
    dxref[3 * count + i] = g * (1 - expf(-sp));
    dxref[4 * count + i] = l > 0 ? g : 0.1f * g;
  }
  _mlir_ciface_activations(&mx, &mdy, &my, &mdx);
  check("activations", y, yref, 5 * count, 2e-6f);
  check("activation_grad", dx, dxref, 5 * count, 1e-5f);

  /* losses: p in (0.01, 0.99), t in [0, 1] */
  float *p = random_buffer(count, 0.01f, 0.99f),
        *t = random_buffer(count, 0, 1);
  float out[5], ref[5] = {0, 0, 0, 0, 0};
  m2 mp, mt;
  m1 mo;
  int64_t d5[] = {5};
  describe(&mp, p, 2, d2), describe(&mt, t, 2, d2), describe(&mo, out, 1, d5);
  for (int i = 0; i < count; ++i) {
    double d = p[i] - t[i];
    ref[0] += d * d;
    ref[1] += -(t[i] * log(p[i]) + (1 - t[i]) * log(1 - p[i]));
    ref[2] += (p[i] > 0 ? p[i] : 0) - p[i] * t[i] + log1p(exp(-fabs(p[i])));
    ref[3] += -0.5 * (1 + t[i] - (double)p[i] * p[i] - exp(t[i]));
  }
  ref[0] /= count, ref[1] /= n, ref[2] /= n, ref[3] /= n;
  ref[4] = ref[1] + 0.5f * ref[3];
  _mlir_ciface_losses(&mp, &mt, &mo);
  check("losses (mse, bce, bce logits, kl, combine)", out, ref, 5, 1e-5f);

  /* loss gradients with dl = 1.5 */
  float dl = 1.5f;
  float *g = zeros(6 * count), *gref = zeros(6 * count);
  m3 mg;
  int64_t d6[] = {6, n, 37};
  describe(&mg, g, 3, d6);
  for (int i = 0; i < count; ++i) {
    float pv = p[i], tv = t[i];
    gref[i] = 2 * (pv - tv) / (float)count * dl;
    gref[count + i] = (pv - tv) / (pv * (1 - pv)) / n * dl;
    gref[2 * count + i] = (1.0f / (1.0f + expf(-pv)) - tv) / n * dl;
    gref[3 * count + i] = pv / n * dl;
    gref[4 * count + i] = 0.5f * (expf(tv) - 1) / n * dl;
    gref[5 * count + i] = 0.5f * pv * (tv - pv);
  }
  _mlir_ciface_loss_grads(&mp, &mt, dl, &mg);
  check("loss gradients", g, gref, 6 * count, 1e-5f);
  free(x), free(dy), free(y), free(dx), free(yref), free(dxref), free(p);
  free(t), free(g), free(gref);
}

/* ---- randomness ---------------------------------------------------------- */
static void test_random(void) {
  const uint64_t seed = 0x123456789abcdefULL;
  const int64_t call = 7;
  int per = 90, count = n * per;
  float *x = random_buffer(count, -1, 1);
  float *mu = random_buffer(n * 7, -1, 1), *lv = random_buffer(n * 7, -2, 1);
  float *noisy = zeros(4 * count), *z = zeros(n * 7);
  float *ref = zeros(4 * count), *zref = zeros(n * 7);
  m4 mx;
  m2 mmu, mlv, mz;
  m5 mn;
  int64_t d4[] = {n, 3, 5, 6}, d7[] = {n, 7}, d5[] = {4, n, 3, 5, 6};
  describe(&mx, x, 4, d4), describe(&mmu, mu, 2, d7), describe(&mlv, lv, 2, d7);
  describe(&mz, z, 2, d7), describe(&mn, noisy, 5, d5);
  _mlir_ciface_random(&mx, &mmu, &mlv, (int64_t)seed, call, &mn, &mz);

  for (int i = 0; i < count; ++i) {
    ref[i] = aert_uniform(seed, AERT_STREAM_NOISE, call, i) < 0.3f ? 0 : x[i];
    ref[count + i] =
        x[i] + 0.5f * aert_normal(seed, AERT_STREAM_NOISE, call, i);
  }
  check("noise mask", noisy, ref, count, 0.0f);
  check("noise gaussian", noisy + count, ref + count, count, 1e-5f);

  /* block 2x2 on each 5x6 plane */
  for (int e = 0; e < n; ++e) {
    int r = (int)(aert_uniform(seed, AERT_STREAM_NOISE, call, 2 * e) * 4.0f);
    int c =
        (int)(aert_uniform(seed, AERT_STREAM_NOISE, call, 2 * e + 1) * 5.0f);
    r = r > 3 ? 3 : r, c = c > 4 ? 4 : c;
    for (int k = 0; k < per; ++k) {
      int h = (k / 6) % 5, w = k % 6;
      int hit = h >= r && h < r + 2 && w >= c && w < c + 2;
      ref[2 * count + e * per + k] = hit ? 0 : x[e * per + k];
    }
  }
  check("noise block", noisy + 2 * count, ref + 2 * count, count, 0.0f);

  /* blur sigma 0.8: radius 3, normalized 7x7 Gaussian, zero padding */
  double g1[7], total = 0;
  for (int i = 0; i < 7; ++i)
    total += g1[i] = exp(-(i - 3.0) * (i - 3.0) / (2 * 0.64));
  for (int plane = 0; plane < n * 3; ++plane)
    for (int h = 0; h < 5; ++h)
      for (int w = 0; w < 6; ++w) {
        double s = 0;
        for (int a = 0; a < 7; ++a)
          for (int b = 0; b < 7; ++b) {
            int hh = h + a - 3, ww = w + b - 3;
            if (hh >= 0 && hh < 5 && ww >= 0 && ww < 6)
              s +=
                  g1[a] * g1[b] / (total * total) * x[plane * 30 + hh * 6 + ww];
          }
        ref[3 * count + plane * 30 + h * 6 + w] = (float)s;
      }
  check("noise blur", noisy + 3 * count, ref + 3 * count, count, 1e-5f);

  for (int i = 0; i < n * 7; ++i)
    zref[i] = mu[i] + expf(0.5f * lv[i]) *
                          aert_normal(seed, AERT_STREAM_REPARAM, call, i);
  check("reparam", z, zref, n * 7, 1e-5f);
  free(x), free(mu), free(lv), free(noisy), free(z), free(ref), free(zref);
}

/* ---- optimizer updates ----------------------------------------------------
 */
static void test_updates(void) {
  float *p = random_buffer(15, -1, 1), *g = random_buffer(15, -1, 1);
  float *m = random_buffer(15, -0.1f, 0.1f), *v = random_buffer(15, 0, 0.01f);
  float *vel = random_buffer(15, -0.1f, 0.1f);
  float pref[15], mref[15], vref[15], sgd[15], sref[15], mom[15], momref[15],
      velref[15];
  const int step = 3;
  double bc1 = 1 - pow(0.9, step), bc2 = 1 - pow(0.999, step);
  float step_size = (float)(0.01 / bc1), c2 = (float)sqrt(bc2);
  for (int i = 0; i < 15; ++i) {
    sref[i] = p[i] - 0.1f * g[i];
    velref[i] = 0.9f * vel[i] + g[i];
    momref[i] = p[i] - 0.1f * velref[i];
    mref[i] = 0.9f * m[i] + 0.1f * g[i];
    vref[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
    pref[i] = p[i] - step_size * (mref[i] / (sqrtf(vref[i]) / c2 + 1e-8f));
  }
  m2 mp, mg, mm, mv, ms, mmom, mvel;
  int64_t d[] = {3, 5};
  describe(&mp, p, 2, d), describe(&mg, g, 2, d), describe(&mm, m, 2, d);
  describe(&mv, v, 2, d), describe(&ms, sgd, 2, d), describe(&mmom, mom, 2, d);
  describe(&mvel, vel, 2, d);
  _mlir_ciface_updates(&mp, &mg, &mm, &mv, step, &ms, &mmom, &mvel);
  check("sgd_update", sgd, sref, 15, 1e-6f);
  check("momentum_update param", mom, momref, 15, 1e-6f);
  check("momentum_update velocity", vel, velref, 15, 1e-6f);
  check("adam_update param", p, pref, 15, 1e-6f);
  check("adam_update m", m, mref, 15, 1e-6f);
  check("adam_update v", v, vref, 15, 1e-6f);
  free(p), free(g), free(m), free(v), free(vel);
}

/* ---- dense, matmul transposes, bias gradients, reshape, add -------------- */
static void test_misc(void) {
  float *a = random_buffer(n * 6, -1, 1), *b = random_buffer(n * 4, -1, 1);
  float *w = random_buffer(24, -1, 1), *bias = random_buffer(4, -1, 1);
  float *img = random_buffer(n * 12, -1, 1);
  float *dense = zeros(n * 4), *ta = zeros(24), *tb = zeros(n * 6);
  float bg4[3], bg2[4], *sum = zeros(n * 12);
  float *denseref = zeros(n * 4), taref[24] = {0}, *tbref = zeros(n * 6);
  float bg4ref[3] = {0}, bg2ref[4] = {0}, *sumref = zeros(n * 12);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 4; ++j) {
      float s = bias[j];
      for (int k = 0; k < 6; ++k) {
        s += a[i * 6 + k] * w[k * 4 + j];
        taref[k * 4 + j] += a[i * 6 + k] * b[i * 4 + j];
        tbref[i * 6 + k] += b[i * 4 + j] * w[k * 4 + j];
      }
      denseref[i * 4 + j] = s;
      bg2ref[j] += b[i * 4 + j];
    }
  for (int i = 0; i < n * 12; ++i) {
    bg4ref[(i / 4) % 3] += img[i];
    sumref[i] = 2 * img[i];
  }
  m2 ma, mb, mw, mdense, mta, mtb;
  m1 mbias, mbg4, mbg2;
  m4 mimg, msum;
  int64_t d6[] = {n, 6}, d4[] = {n, 4}, d64[] = {6, 4}, d4b[] = {4}, d3[] = {3},
          dimg[] = {n, 3, 2, 2};
  describe(&ma, a, 2, d6), describe(&mb, b, 2, d4), describe(&mw, w, 2, d64);
  describe(&mbias, bias, 1, d4b), describe(&mimg, img, 4, dimg);
  describe(&mdense, dense, 2, d4), describe(&mta, ta, 2, d64);
  describe(&mtb, tb, 2, d6), describe(&mbg4, bg4, 1, d3);
  describe(&mbg2, bg2, 1, d4b), describe(&msum, sum, 4, dimg);
  _mlir_ciface_misc(&ma, &mb, &mw, &mbias, &mimg, &mdense, &mta, &mtb, &mbg4,
                    &mbg2, &msum);
  check("dense", dense, denseref, n * 4, 1e-5f);
  check("matmul transpose_a", ta, taref, 24, 1e-5f);
  check("matmul transpose_b", tb, tbref, n * 6, 1e-5f);
  check("bias_grad 4-D", bg4, bg4ref, 3, 1e-5f);
  check("bias_grad 2-D", bg2, bg2ref, 4, 1e-5f);
  check("reshape + add", sum, sumref, n * 12, 1e-6f);
  free(a), free(b), free(w), free(bias), free(img), free(dense), free(ta);
  free(tb), free(sum), free(denseref), free(tbref), free(sumref);
}

int main(void) {
  static const int sizes[] = {1, 3, 17};
  for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i) {
    n = sizes[i];
    test_convolutions();
    test_activations_and_losses();
    test_random();
    test_updates();
    test_misc();
  }
  if (failures) {
    printf("%d failures\n", failures);
    return 1;
  }
  printf("ae ops: all checks passed\n");
  return 0;
}
