//===- VaeEvalTest.cpp - aert_model_elbo / aert_model_log_likelihood ------===//
//
// The runtime's VAE evaluation on a fake model whose log p(x) is known:
// latent size 1, decoder logits a_d z + b_d over 4 binary pixels, posterior
// q(z|x) = N(c + e mean(x), exp(lv)). log p(x) = log of a 1-D integral,
// computed here by quadrature, so the importance-sampled estimate can be
// checked against the exact value, and the k = 1 estimate against the exact
// ELBO.
//
//===----------------------------------------------------------------------===//

#include "runtime/aert.h"
#include "runtime/aert_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace {

constexpr int64_t kPixels = 4;
// Parameters: a[4], b[4], c, lv, e.
constexpr int64_t kA = 0, kB = 4, kC = 8, kLogvar = 9, kE = 10, kParams = 11;

const float *data(const aert_memref1d *m) { return m->aligned + m->offset; }
float *data(aert_memref2d *m) { return m->aligned + m->offset; }

// Calls of the fake loss / elbo kernels: their (seed, call).
int64_t lastSeed = -1, lastCall = -1;

void encodeGaussian(aert_memref1d *params, aert_memref2d *x, aert_memref2d *mu,
                    aert_memref2d *logvar) {
  const float *p = data(params);
  for (int64_t i = 0; i < x->sizes[0]; ++i) {
    double mean = 0;
    for (int64_t d = 0; d < kPixels; ++d)
      mean += data(x)[i * kPixels + d];
    mean /= kPixels;
    data(mu)[i] = float(p[kC] + p[kE] * mean);
    data(logvar)[i] = p[kLogvar];
  }
}

void decodeLogits(aert_memref1d *params, aert_memref2d *z,
                  aert_memref2d *logits) {
  const float *p = data(params);
  for (int64_t i = 0; i < z->sizes[0]; ++i)
    for (int64_t d = 0; d < kPixels; ++d)
      data(logits)[i * kPixels + d] = p[kA + d] * data(z)[i] + p[kB + d];
}

float fakeLoss(aert_memref1d *, aert_memref2d *, int64_t seed, int64_t call) {
  lastSeed = seed, lastCall = call;
  return 2.0f;
}

float fakeElbo(aert_memref1d *, aert_memref2d *, int64_t seed, int64_t call,
               aert_memref1d *parts) {
  lastSeed = seed, lastCall = call;
  parts->aligned[parts->offset] = 1.5f;
  parts->aligned[parts->offset + 1] = 0.25f;
  return 1.5f + 2.0f * 0.25f;
}

aert_model_desc makeDesc() {
  aert_model_desc d;
  std::memset(&d, 0, sizeof d);
  d.abi_version = AERT_ABI_VERSION;
  d.name = "fake_vae";
  d.input_size = kPixels;
  d.input_rank = 1;
  d.input_shape[0] = kPixels;
  d.latent_size = 1;
  d.latent_kind = AERT_LATENT_GAUSSIAN;
  d.param_count = kParams;
  d.optimizer = AERT_OPTIMIZER_SGD;
  d.lr = 0.1;
  d.loss = fakeLoss;
  d.likelihood = AERT_LIKELIHOOD_BERNOULLI;
  d.elbo = fakeElbo;
  d.encode_gaussian = encodeGaussian;
  d.decode_logits = decodeLogits;
  return d;
}

/// The fake model with parameters a, b, c, lv, e.
struct Fake {
  aert_model_desc desc = makeDesc();
  aert_model *m = nullptr;
  Fake(const float a[4], const float b[4], float c, float lv, float e) {
    m = aert_model_create(&desc, 1);
    if (!m)
      return;
    float *p = aert_model_params(m);
    for (int d = 0; d < 4; ++d)
      p[kA + d] = a[d], p[kB + d] = b[d];
    p[kC] = c, p[kLogvar] = lv, p[kE] = e;
  }
  ~Fake() { aert_model_destroy(m); }
};

double softplus(double l) {
  return l > 0 ? l + std::log1p(std::exp(-l)) : std::log1p(std::exp(l));
}

double logPxGivenZ(const float *p, const float *x, double z) {
  double s = 0;
  for (int d = 0; d < kPixels; ++d) {
    double l = p[kA + d] * z + p[kB + d];
    s += x[d] * l - softplus(l);
  }
  return s;
}

constexpr double kLog2Pi = 1.8378770664093453;

/// log p(x) = log of the integral of p(x|z) N(z; 0, 1) dz (trapezoid in
/// log space on [-14, 14]).
double exactLogPx(const float *p, const float *x) {
  const int steps = 28000;
  const double lo = -14, h = 28.0 / steps;
  std::vector<double> f(steps + 1);
  double top = -INFINITY;
  for (int i = 0; i <= steps; ++i) {
    double z = lo + i * h;
    f[i] = logPxGivenZ(p, x, z) - 0.5 * z * z - 0.5 * kLog2Pi;
    top = std::fmax(top, f[i]);
  }
  double sum = 0;
  for (int i = 0; i <= steps; ++i)
    sum += (i == 0 || i == steps ? 0.5 : 1.0) * std::exp(f[i] - top);
  return top + std::log(sum * h);
}

/// The ELBO E_q[log p(x|z)] - KL(q || p) with q = N(mu, exp(lv)), by
/// quadrature.
double exactElbo(const float *p, const float *x, double mu, double lv) {
  double sigma = std::exp(0.5 * lv);
  const int steps = 20000;
  const double h = 20.0 / steps;
  double sum = 0;
  for (int i = 0; i <= steps; ++i) {
    double t = -10 + i * h;
    double w = std::exp(-0.5 * t * t) / std::sqrt(2 * M_PI);
    sum += (i == 0 || i == steps ? 0.5 : 1.0) * w *
           logPxGivenZ(p, x, mu + sigma * t);
  }
  double kl = -0.5 * (1 + lv - mu * mu - std::exp(lv));
  return sum * h - kl;
}

const float kA0[4] = {0, 0, 0, 0};
const float kAz[4] = {2.0f, -1.5f, 1.0f, 0.5f};
const float kB4[4] = {0.3f, -0.2f, 1.0f, -1.0f};
const float kX[4] = {1, 0, 1, 1};

TEST(VaeEval, ExactWhenTheDecoderIgnoresZAndQIsThePrior) {
  // p(x|z) = p(x) and q = p(z): every importance weight is p(x).
  Fake f(kA0, kB4, 0.0f, 0.0f, 0.0f);
  ASSERT_NE(f.m, nullptr) << aert_last_error();
  double exact = logPxGivenZ(aert_model_params(f.m), kX, 0.0);
  for (int64_t k : {1, 7, 100})
    EXPECT_NEAR(aert_model_log_likelihood(f.m, kX, 1, k, 3), exact, 1e-5)
        << "k = " << k;
}

TEST(VaeEval, ConvergesToTheExactLogLikelihood) {
  Fake f(kAz, kB4, 0.2f, -0.5f, 0.0f);
  ASSERT_NE(f.m, nullptr) << aert_last_error();
  const float *p = aert_model_params(f.m);
  double exact = exactLogPx(p, kX);
  double elbo = exactElbo(p, kX, 0.2, -0.5);
  ASSERT_GT(exact - elbo, 0.05) << "the posterior must differ from q";
  // Large k: the estimate is close to log p(x).
  double big = aert_model_log_likelihood(f.m, kX, 1, 200000, 11);
  EXPECT_NEAR(big, exact, 2e-3);
  // Means over seeds: k = 1 is the ELBO; the bound tightens with k and
  // stays below log p(x) in expectation (Jensen), within the sampling error.
  const int seeds = 2000;
  std::vector<double> l1, l10, l100;
  for (int s = 0; s < seeds; ++s) {
    l1.push_back(aert_model_log_likelihood(f.m, kX, 1, 1, 100 + s));
    l10.push_back(aert_model_log_likelihood(f.m, kX, 1, 10, 5000 + s));
    if (s < seeds / 4)
      l100.push_back(aert_model_log_likelihood(f.m, kX, 1, 100, 9000 + s));
  }
  auto meanSe = [](const std::vector<double> &v, double &se) {
    double m = 0, ss = 0;
    for (double x : v)
      m += x;
    m /= double(v.size());
    for (double x : v)
      ss += (x - m) * (x - m);
    se = std::sqrt(ss / double(v.size() - 1) / double(v.size()));
    return m;
  };
  double se1, se10, se100;
  double m1 = meanSe(l1, se1), m10 = meanSe(l10, se10),
         m100 = meanSe(l100, se100);
  EXPECT_NEAR(m1, elbo, 4 * se1);
  EXPECT_GT(m10 - m1, 4 * std::hypot(se1, se10));
  EXPECT_GT(m100 - m10, 4 * std::hypot(se10, se100));
  EXPECT_LT(m100, exact + 4 * se100);
  EXPECT_GT(m100, exact - 0.05);
}

TEST(VaeEval, BatchesKeyTheirSamplesByRowAndSampleIndex) {
  // The estimate of a batch of 150 rows (three chunks of at most 64, samples
  // grouped into decoder batches) equals the estimator computed here from
  // aert_normal(seed, AERT_STREAM_IMPORTANCE, j, row) directly.
  const int64_t n = 150, k = 37;
  const uint64_t seed = 21;
  Fake f(kAz, kB4, 0.1f, -1.0f, 0.8f);
  ASSERT_NE(f.m, nullptr) << aert_last_error();
  const float *p = aert_model_params(f.m);
  std::vector<float> x(n * kPixels);
  for (int64_t i = 0; i < n * kPixels; ++i)
    x[i] = float((i * 7 + i / 3) % 5 > 1);
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float *xi = &x[i * kPixels];
    double mean = (xi[0] + xi[1] + xi[2] + xi[3]) / 4.0;
    float mu = float(p[kC] + p[kE] * mean), lv = p[kLogvar];
    double top = -INFINITY, sum = 0;
    std::vector<double> w(k);
    for (int64_t j = 0; j < k; ++j) {
      float eps =
          aert_normal(seed, AERT_STREAM_IMPORTANCE, uint64_t(j), uint64_t(i));
      float z = mu + std::exp(0.5f * lv) * eps;
      w[j] = logPxGivenZ(p, xi, z) -
             0.5 * (double(z) * z - double(eps) * eps - lv);
      top = std::fmax(top, w[j]);
    }
    for (int64_t j = 0; j < k; ++j)
      sum += std::exp(w[j] - top);
    total += top + std::log(sum / double(k));
  }
  EXPECT_NEAR(aert_model_log_likelihood(f.m, x.data(), n, k, seed),
              total / double(n), 2e-5);
}

TEST(VaeEval, HugeLogvarStaysFinite) {
  for (float lv : {-1e4f, 100.0f, 1e4f}) {
    Fake f(kAz, kB4, 0.0f, lv, 0.0f);
    ASSERT_NE(f.m, nullptr) << aert_last_error();
    float ll = aert_model_log_likelihood(f.m, kX, 1, 50, 1);
    EXPECT_TRUE(std::isfinite(ll)) << "logvar " << lv << ": " << ll;
    EXPECT_LE(ll, 0.0f);
  }
}

TEST(VaeEval, ElboForwardsTheStreamLikeLoss) {
  Fake f(kAz, kB4, 0.0f, 0.0f, 0.0f);
  ASSERT_NE(f.m, nullptr) << aert_last_error();
  aert_model_set_seed(f.m, 42);
  float rec = 0, kl = 0;
  EXPECT_EQ(aert_model_elbo(f.m, kX, 1, &rec, &kl), -(1.5f + 0.25f));
  EXPECT_EQ(rec, 1.5f);
  EXPECT_EQ(kl, 0.25f);
  EXPECT_EQ(lastSeed, 42);
  EXPECT_EQ(lastCall, 0);
  EXPECT_EQ(aert_model_loss(f.m, kX, 1), 2.0f);
  EXPECT_EQ(lastCall, 1);
  EXPECT_EQ(aert_model_elbo(f.m, kX, 1, nullptr, nullptr), -1.75f);
  EXPECT_EQ(lastCall, 2);
  // The log-likelihood leaves the stream alone.
  aert_model_log_likelihood(f.m, kX, 1, 5, 9);
  aert_model_loss(f.m, kX, 1);
  EXPECT_EQ(lastCall, 3);
}

TEST(VaeEval, ErrorsAreReportedNotCrashes) {
  Fake f(kAz, kB4, 0.0f, 0.0f, 0.0f);
  ASSERT_NE(f.m, nullptr) << aert_last_error();
  aert_clear_error();
  EXPECT_TRUE(std::isnan(aert_model_log_likelihood(f.m, kX, 1, 0, 1)));
  EXPECT_NE(std::strstr(aert_last_error(), "k = 0"), nullptr);
  EXPECT_TRUE(std::isnan(aert_model_log_likelihood(f.m, kX, 0, 10, 1)));
  EXPECT_TRUE(std::isnan(aert_model_log_likelihood(f.m, nullptr, 1, 10, 1)));
  EXPECT_TRUE(std::isnan(aert_model_log_likelihood(nullptr, kX, 1, 10, 1)));
  EXPECT_TRUE(std::isnan(aert_model_elbo(nullptr, kX, 1, nullptr, nullptr)));

  aert_model_desc mse = makeDesc();
  mse.likelihood = AERT_LIKELIHOOD_NONE;
  mse.decode_logits = nullptr;
  aert_model *m = aert_model_create(&mse, 1);
  ASSERT_NE(m, nullptr);
  aert_clear_error();
  EXPECT_TRUE(std::isnan(aert_model_log_likelihood(m, kX, 1, 10, 1)));
  EXPECT_NE(std::strstr(aert_last_error(), "no Bernoulli decoder"), nullptr);
  aert_model_destroy(m);

  aert_model_desc plain = makeDesc();
  plain.latent_kind = AERT_LATENT_DETERMINISTIC;
  plain.likelihood = AERT_LIKELIHOOD_NONE;
  plain.elbo = nullptr;
  plain.encode_gaussian = nullptr;
  plain.decode_logits = nullptr;
  m = aert_model_create(&plain, 1);
  ASSERT_NE(m, nullptr);
  aert_clear_error();
  EXPECT_TRUE(std::isnan(aert_model_elbo(m, kX, 1, nullptr, nullptr)));
  EXPECT_NE(std::strstr(aert_last_error(), "no gaussian latent"), nullptr);
  EXPECT_TRUE(std::isnan(aert_model_log_likelihood(m, kX, 1, 10, 1)));
  aert_model_destroy(m);
}

TEST(VaeEval, OlderDescriptorsAreRejected) {
  aert_model_desc old = makeDesc();
  old.abi_version = 1;
  aert_clear_error();
  EXPECT_EQ(aert_model_create(&old, 1), nullptr);
  EXPECT_NE(std::strstr(aert_last_error(), "ABI version 1"), nullptr);
}

} // namespace
