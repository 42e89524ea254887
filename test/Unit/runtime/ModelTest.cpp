//===- ModelTest.cpp - The model object with fake descriptors -------------===//

#include "runtime/Model.h"
#include "FakeModel.h"
#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace aert_test;

namespace {

struct ModelDeleter {
  void operator()(aert_model *m) const { aert_model_destroy(m); }
};
using ModelPtr = std::unique_ptr<aert_model, ModelDeleter>;

std::vector<float> params(aert_model *m) {
  const float *p = aert_model_params(m);
  return std::vector<float>(p, p + aert_model_descriptor(m)->param_count);
}

std::vector<float> someInputs(int64_t n) {
  std::vector<float> x(size_t(n * kLinearInput));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = std::sin(0.7f * float(i)) * 0.8f;
  return x;
}

bool hasError(const char *needle) {
  return std::string(aert_last_error()).find(needle) != std::string::npos;
}

TEST(Model, CreateInitializesFromRng) {
  ModelPtr m(aert_model_create(&linearDesc, 1234));
  ASSERT_TRUE(m);
  EXPECT_EQ(aert_model_descriptor(m.get()), &linearDesc);
  const float *p = aert_model_params(m.get());
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  for (int64_t k = 0; k < linearDesc.num_params; ++k) {
    const aert_param_desc &pd = linearDesc.params[k];
    float bound = float(1.0 / std::sqrt(double(pd.fan_in)));
    for (int64_t e = 0; e < pd.size; ++e) {
      int64_t i = pd.offset + e;
      float u = aert_uniform(1234, AERT_STREAM_INIT, 0, uint64_t(i));
      EXPECT_EQ(p[i], (2.0f * u - 1.0f) * bound) << pd.name << "[" << e << "]";
      EXPECT_LE(std::fabs(p[i]), bound);
    }
  }
  // Optimizer state starts at zero.
  for (int64_t i = 0; i < kLinearState; ++i)
    EXPECT_EQ(m->state[i], 0.0f);
}

TEST(Model, InitIsDeterministicPerSeed) {
  ModelPtr a(aert_model_create(&linearDesc, 7));
  ModelPtr b(aert_model_create(&linearDesc, 7));
  ModelPtr c(aert_model_create(&linearDesc, 8));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(params(a.get()), params(b.get()));
  EXPECT_NE(params(a.get()), params(c.get()));
}

TEST(Model, InitFillsBoundsStatistically) {
  // A wide layer: values spread over the whole (-bound, bound) interval.
  static const aert_param_desc table[] = {
      {"w", 0, 10000, 100, 2, {100, 100, 0, 0}}};
  aert_model_desc desc = copyDesc(linearDesc);
  desc.param_count = 10000;
  desc.state_count = 0;
  desc.num_params = 1;
  desc.params = table;
  ModelPtr m(aert_model_create(&desc, 99));
  ASSERT_TRUE(m);
  const float *p = aert_model_params(m.get());
  float lo = 1, hi = -1;
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    lo = std::fmin(lo, p[i]);
    hi = std::fmax(hi, p[i]);
    sum += p[i];
  }
  EXPECT_GE(lo, -0.1f);
  EXPECT_LE(hi, 0.1f);
  EXPECT_LT(lo, -0.099f);
  EXPECT_GT(hi, 0.099f);
  EXPECT_NEAR(sum / 10000, 0.0, 0.003); // se 5.8e-4
}

TEST(Model, CreateRejectsBadDescriptors) {
  aert_clear_error();
  EXPECT_EQ(aert_model_create(nullptr, 1), nullptr);
  EXPECT_TRUE(hasError("NULL"));

  aert_model_desc wrongAbi = copyDesc(linearDesc);
  wrongAbi.abi_version = AERT_ABI_VERSION + 1;
  EXPECT_EQ(aert_model_create(&wrongAbi, 1), nullptr);
  // Both versions are named: the object's and the runtime's.
  std::string objectVersion =
      "ABI version " + std::to_string(AERT_ABI_VERSION + 1);
  std::string runtimeVersion =
      "ABI version " + std::to_string(AERT_ABI_VERSION);
  EXPECT_TRUE(hasError(objectVersion.c_str())) << aert_last_error();
  EXPECT_TRUE(hasError(runtimeVersion.c_str())) << aert_last_error();

  static const aert_param_desc outOfRange[] = {
      {"w", 10, 10, 3, 1, {10, 0, 0, 0}}};
  aert_model_desc badParam = copyDesc(linearDesc);
  badParam.num_params = 1;
  badParam.params = outOfRange;
  EXPECT_EQ(aert_model_create(&badParam, 1), nullptr);
  EXPECT_TRUE(hasError("'w'")) << aert_last_error();

  static const aert_param_desc zeroFanIn[] = {{"w", 0, 1, 0, 1, {1, 0, 0, 0}}};
  aert_model_desc badFan = copyDesc(linearDesc);
  badFan.num_params = 1;
  badFan.params = zeroFanIn;
  EXPECT_EQ(aert_model_create(&badFan, 1), nullptr);

  aert_model_desc negative = copyDesc(linearDesc);
  negative.param_count = -1;
  EXPECT_EQ(aert_model_create(&negative, 1), nullptr);

  aert_model_desc huge = copyDesc(linearDesc);
  huge.num_params = 0;
  huge.param_count = int64_t(1) << 58; // 1 EiB: cannot be allocated
  EXPECT_EQ(aert_model_create(&huge, 1), nullptr);
  EXPECT_TRUE(hasError("out of memory")) << aert_last_error();
  huge.param_count = int64_t(1) << 62; // byte count would overflow
  EXPECT_EQ(aert_model_create(&huge, 1), nullptr);
  EXPECT_TRUE(hasError("too large")) << aert_last_error();
}

TEST(Model, KernelsSeeTheCallersBuffersAsMemrefs) {
  ModelPtr m(aert_model_create(&linearDesc, 1));
  ASSERT_TRUE(m);
  std::vector<float> x = someInputs(5);
  std::vector<float> z(5 * kLinearLatent), xh(5 * kLinearInput);
  aert_model_encode(m.get(), x.data(), 5, z.data());
  EXPECT_EQ(kernelLog.x, x.data());
  EXPECT_EQ(kernelLog.out, z.data());
  EXPECT_EQ(kernelLog.inSizes[0], 5);
  EXPECT_EQ(kernelLog.inSizes[1], kLinearInput);
  EXPECT_EQ(kernelLog.inStrides[0], kLinearInput);
  EXPECT_EQ(kernelLog.inStrides[1], 1);
  EXPECT_EQ(kernelLog.inOffset, 0);
  EXPECT_EQ(kernelLog.outSizes[0], 5);
  EXPECT_EQ(kernelLog.outSizes[1], kLinearLatent);

  aert_model_decode(m.get(), z.data(), 5, xh.data());
  EXPECT_EQ(kernelLog.x, z.data());
  EXPECT_EQ(kernelLog.inStrides[0], kLinearLatent);
  EXPECT_EQ(kernelLog.outSizes[1], kLinearInput);

  std::vector<float> xh2(5 * kLinearInput);
  aert_model_reconstruct(m.get(), x.data(), 5, xh2.data());
  EXPECT_EQ(kernelLog.out, xh2.data());
  EXPECT_EQ(xh, xh2); // reconstruct == decode(encode(x)) for this model
}

TEST(Model, CallCounterAndSetSeed) {
  ModelPtr m(aert_model_create(&linearDesc, 11));
  ASSERT_TRUE(m);
  std::vector<float> x = someInputs(4);
  std::vector<float> grad(kLinearParams);

  aert_model_loss(m.get(), x.data(), 4);
  EXPECT_EQ(kernelLog.seed, 11);
  EXPECT_EQ(kernelLog.call, 0);
  aert_model_loss(m.get(), x.data(), 4);
  EXPECT_EQ(kernelLog.call, 1);
  aert_model_grad(m.get(), x.data(), 4, grad.data());
  EXPECT_EQ(kernelLog.call, 2);
  aert_model_train_step(m.get(), x.data(), 4);
  EXPECT_EQ(kernelLog.call, 3);

  // After set_seed, loss and grad each see call 0 with the new seed, so a
  // finite-difference check of grad through loss uses the same noise.
  aert_model_set_seed(m.get(), 500);
  float loss = aert_model_loss(m.get(), x.data(), 4);
  EXPECT_EQ(kernelLog.seed, 500);
  EXPECT_EQ(kernelLog.call, 0);
  aert_model_set_seed(m.get(), 500);
  float lossFromGrad = aert_model_grad(m.get(), x.data(), 4, grad.data());
  EXPECT_EQ(kernelLog.seed, 500);
  EXPECT_EQ(kernelLog.call, 0);
  EXPECT_EQ(loss, lossFromGrad);
  EXPECT_EQ(kernelLog.gradSize, kLinearParams);
  EXPECT_EQ(kernelLog.out, grad.data());

  // The full 64-bit seed is passed through (as the same bits).
  aert_model_set_seed(m.get(), 0xfedcba9876543210ULL);
  aert_model_loss(m.get(), x.data(), 4);
  EXPECT_EQ(uint64_t(kernelLog.seed), 0xfedcba9876543210ULL);

  // encode/decode do not advance the counter.
  std::vector<float> z(4 * kLinearLatent);
  aert_model_encode(m.get(), x.data(), 4, z.data());
  aert_model_loss(m.get(), x.data(), 4);
  EXPECT_EQ(kernelLog.call, 1);
}

TEST(Model, TrainStepCountsAdamSteps) {
  ModelPtr m(aert_model_create(&linearDesc, 3));
  ASSERT_TRUE(m);
  std::vector<float> x = someInputs(8);
  float first = aert_model_train_step(m.get(), x.data(), 8);
  EXPECT_EQ(kernelLog.step, 1);
  EXPECT_EQ(kernelLog.stateSize, kLinearState);
  EXPECT_EQ(kernelLog.paramsSize, kLinearParams);
  aert_model_train_step(m.get(), x.data(), 8);
  EXPECT_EQ(kernelLog.step, 2);
  std::vector<float> grad(kLinearParams);
  aert_model_grad(m.get(), x.data(), 8, grad.data());
  aert_model_apply_grad(m.get(), grad.data());
  EXPECT_EQ(kernelLog.step, 3);
  EXPECT_EQ(kernelLog.gradSize, kLinearParams);
  float last = 0;
  for (int i = 0; i < 200; ++i)
    last = aert_model_train_step(m.get(), x.data(), 8);
  EXPECT_EQ(kernelLog.step, 203);
  EXPECT_EQ(m->step, 203u);
  EXPECT_EQ(m->state[0], 203.0f); // the kernels' own update counter
  EXPECT_LT(last, first);         // SGD on the fake model does learn
  // set_seed does not reset the optimizer.
  aert_model_set_seed(m.get(), 1);
  aert_model_train_step(m.get(), x.data(), 8);
  EXPECT_EQ(kernelLog.step, 204);
}

TEST(Model, BadBatchesDoNothing) {
  ModelPtr m(aert_model_create(&linearDesc, 3));
  ASSERT_TRUE(m);
  std::vector<float> x = someInputs(2);
  std::vector<float> grad(kLinearParams, 123.0f);
  std::vector<float> before = params(m.get());
  int callsBefore = kernelLog.calls;

  aert_clear_error();
  EXPECT_TRUE(std::isnan(aert_model_train_step(m.get(), x.data(), 0)));
  EXPECT_TRUE(hasError("n = 0")) << aert_last_error();
  EXPECT_TRUE(std::isnan(aert_model_train_step(m.get(), nullptr, 2)));
  EXPECT_TRUE(std::isnan(aert_model_loss(m.get(), x.data(), -3)));
  EXPECT_TRUE(std::isnan(aert_model_grad(m.get(), x.data(), 2, nullptr)));
  EXPECT_TRUE(std::isnan(aert_model_grad(m.get(), x.data(), 0, grad.data())));
  EXPECT_TRUE(std::isnan(aert_model_loss(nullptr, x.data(), 2)));
  aert_model_apply_grad(m.get(), nullptr);
  aert_model_encode(m.get(), x.data(), 0, grad.data());
  aert_model_encode(m.get(), x.data(), 2, nullptr);
  aert_model_decode(m.get(), nullptr, 2, grad.data());
  aert_model_reconstruct(m.get(), x.data(), 2, nullptr);
  aert_model_fit_latent(m.get(), x.data(), 0);
  aert_model_sample(m.get(), 1, 0, grad.data());
  aert_model_sample(m.get(), 1, 2, nullptr);
  aert_model_encode(nullptr, x.data(), 2, grad.data());
  aert_model_set_seed(nullptr, 1);
  aert_model_destroy(nullptr);
  EXPECT_EQ(aert_model_params(nullptr), nullptr);
  EXPECT_EQ(aert_model_descriptor(nullptr), nullptr);

  EXPECT_EQ(kernelLog.calls, callsBefore); // no kernel ran
  EXPECT_EQ(params(m.get()), before);
  EXPECT_EQ(grad, std::vector<float>(kLinearParams, 123.0f));
  EXPECT_EQ(m->step, 0u);
  EXPECT_EQ(m->call, 0u);
}

TEST(Model, MissingKernelIsAnError) {
  ModelPtr m(aert_model_create(&identityDesc, 3));
  ASSERT_TRUE(m);
  float x[2] = {1, 2};
  aert_clear_error();
  EXPECT_TRUE(std::isnan(aert_model_train_step(m.get(), x, 1)));
  EXPECT_TRUE(hasError("identity2")) << aert_last_error();
  EXPECT_EQ(m->step, 0u);
}

// Known data for fit_latent through the identity encoder.
std::vector<float> knownCodes() {
  // Six 2-d points with mean (1, 2); deviations (2,1), (-2,-1), (0,0),
  // (0,0), (1,2), (-1,-2), so the covariance (divided by n - 1 = 5) is
  // [[2, 1.6], [1.6, 2]].
  return {3, 3, -1, 1, 1, 2, 1, 2, 2, 4, 0, 0};
}

TEST(Model, FitLatentMeanCovarianceCholesky) {
  ModelPtr m(aert_model_create(&identityDesc, 3));
  ASSERT_TRUE(m);
  std::vector<float> codes = knownCodes();
  const int64_t n = int64_t(codes.size() / 2);
  // Reference statistics in double, straight from the definition.
  double mean[2] = {0, 0};
  for (int64_t r = 0; r < n; ++r)
    for (int j = 0; j < 2; ++j)
      mean[j] += codes[2 * r + j] / double(n);
  double cov[2][2] = {{0, 0}, {0, 0}};
  for (int64_t r = 0; r < n; ++r)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        cov[i][j] += (codes[2 * r + i] - mean[i]) *
                     (codes[2 * r + j] - mean[j]) / double(n - 1);
  aert_model_fit_latent(m.get(), codes.data(), n);
  ASSERT_TRUE(m->latentFitted);
  EXPECT_NEAR(m->latentMean[0], 1.0, 1e-12);
  EXPECT_NEAR(m->latentMean[1], 2.0, 1e-12);
  EXPECT_NEAR(m->latentMean[0], mean[0], 1e-12);
  EXPECT_NEAR(m->latentMean[1], mean[1], 1e-12);
  const double *l = m->latentChol;
  EXPECT_EQ(l[1], 0.0); // lower triangular
  // L L^T == covariance
  EXPECT_NEAR(l[0] * l[0], cov[0][0], 1e-12);
  EXPECT_NEAR(l[2] * l[0], cov[1][0], 1e-12);
  EXPECT_NEAR(l[2] * l[2] + l[3] * l[3], cov[1][1], 1e-12);
  EXPECT_GT(l[0], 0.0);
  EXPECT_GT(l[3], 0.0);
  EXPECT_NEAR(cov[0][0], 2.0, 1e-12);
  EXPECT_NEAR(cov[1][1], 2.0, 1e-12);
  EXPECT_NEAR(cov[0][1], 1.6, 1e-12);
}

TEST(Model, FitLatentInChunksWithLargeOffset) {
  // 1000 rows (several 256-row chunks) around a large mean: the shifted
  // accumulation must still recover the small covariance.
  ModelPtr m(aert_model_create(&identityDesc, 3));
  ASSERT_TRUE(m);
  const int64_t n = 1000;
  std::vector<float> codes(size_t(2 * n));
  for (int64_t r = 0; r < n; ++r) {
    float a = aert_normal(1, 9, 0, uint64_t(2 * r));
    float b = aert_normal(1, 9, 0, uint64_t(2 * r + 1));
    codes[2 * r] = 1000.0f + 0.5f * a;
    codes[2 * r + 1] = -300.0f + 0.25f * a + 0.1f * b;
  }
  double mean[2] = {0, 0}, cov[3] = {0, 0, 0};
  for (int64_t r = 0; r < n; ++r) {
    mean[0] += codes[2 * r] / double(n);
    mean[1] += codes[2 * r + 1] / double(n);
  }
  for (int64_t r = 0; r < n; ++r) {
    double d0 = codes[2 * r] - mean[0], d1 = codes[2 * r + 1] - mean[1];
    cov[0] += d0 * d0 / double(n - 1);
    cov[1] += d1 * d0 / double(n - 1);
    cov[2] += d1 * d1 / double(n - 1);
  }
  int callsBefore = kernelLog.calls;
  aert_model_fit_latent(m.get(), codes.data(), n);
  EXPECT_EQ(kernelLog.calls - callsBefore, 4); // ceil(1000 / 256) chunks
  ASSERT_TRUE(m->latentFitted);
  const double *l = m->latentChol;
  EXPECT_NEAR(m->latentMean[0], mean[0], 1e-9);
  EXPECT_NEAR(m->latentMean[1], mean[1], 1e-9);
  EXPECT_NEAR(l[0] * l[0], cov[0], 1e-9);
  EXPECT_NEAR(l[2] * l[0], cov[1], 1e-9);
  EXPECT_NEAR(l[2] * l[2] + l[3] * l[3], cov[2], 1e-9);
  EXPECT_NEAR(cov[0], 0.25, 0.03); // sanity of the data itself
}

TEST(Model, FitLatentSingularGetsJitter) {
  ModelPtr m(aert_model_create(&identityDesc, 3));
  ASSERT_TRUE(m);
  // Second coordinate = 2 * first: rank-one covariance.
  std::vector<float> codes = {1, 2, 2, 4, 3, 6, 4, 8};
  aert_clear_error();
  aert_model_fit_latent(m.get(), codes.data(), 4);
  ASSERT_TRUE(m->latentFitted);
  EXPECT_TRUE(hasError("not positive definite")) << aert_last_error();
  const double *l = m->latentChol;
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(std::isfinite(l[i]));
  EXPECT_GT(l[3], 0.0);
  EXPECT_LT(l[3], 0.01); // only a tiny jitter was needed
  EXPECT_NEAR(l[0] * l[0], 5.0 / 3.0, 1e-6);

  // A single example: zero covariance, still factored.
  float one[2] = {5, -5};
  aert_model_fit_latent(m.get(), one, 1);
  EXPECT_EQ(m->latentMean[0], 5.0);
  EXPECT_EQ(m->latentMean[1], -5.0);
  EXPECT_GT(l[0], 0.0);
  EXPECT_LT(l[0], 1e-3);
}

TEST(Model, FitLatentRejectsNaNCodes) {
  ModelPtr m(aert_model_create(&identityDesc, 3));
  ASSERT_TRUE(m);
  std::vector<float> good = knownCodes();
  aert_model_fit_latent(m.get(), good.data(), 6);
  ASSERT_TRUE(m->latentFitted);
  double meanBefore = m->latentMean[0];
  std::vector<float> bad = {1, 2, NAN, 3, 4, 5};
  aert_clear_error();
  aert_model_fit_latent(m.get(), bad.data(), 3);
  EXPECT_TRUE(hasError("not finite")) << aert_last_error();
  EXPECT_EQ(m->latentMean[0], meanBefore); // previous fit kept
}

TEST(Model, SampleUsesFittedGaussian) {
  ModelPtr m(aert_model_create(&identityDesc, 3));
  ASSERT_TRUE(m);
  std::vector<float> codes = knownCodes();
  aert_model_fit_latent(m.get(), codes.data(), 6);
  const double *l = m->latentChol;
  const int64_t n = 20000;
  std::vector<float> out(size_t(2 * n));
  aert_model_sample(m.get(), 77, n, out.data());
  // Exactly mu + L eps with eps from stream 3, index row * L + j.
  for (int64_t r = 0; r < 5; ++r) {
    float e0 = aert_normal(77, AERT_STREAM_SAMPLE, 0, uint64_t(2 * r));
    float e1 = aert_normal(77, AERT_STREAM_SAMPLE, 0, uint64_t(2 * r + 1));
    EXPECT_FLOAT_EQ(out[2 * r], float(1.0 + l[0] * e0));
    EXPECT_FLOAT_EQ(out[2 * r + 1], float(2.0 + l[2] * e0 + l[3] * e1));
  }
  // ... so the samples have the fitted mean and covariance.
  double s0 = 0, s1 = 0, c00 = 0, c01 = 0, c11 = 0;
  for (int64_t r = 0; r < n; ++r) {
    s0 += out[2 * r];
    s1 += out[2 * r + 1];
  }
  s0 /= n;
  s1 /= n;
  for (int64_t r = 0; r < n; ++r) {
    double d0 = out[2 * r] - s0, d1 = out[2 * r + 1] - s1;
    c00 += d0 * d0 / n;
    c01 += d0 * d1 / n;
    c11 += d1 * d1 / n;
  }
  EXPECT_NEAR(s0, 1.0, 0.05);
  EXPECT_NEAR(s1, 2.0, 0.05);
  EXPECT_NEAR(c00, 2.0, 0.1);
  EXPECT_NEAR(c01, 1.6, 0.1);
  EXPECT_NEAR(c11, 2.0, 0.1);

  // Same seed, same samples; another seed, other samples.
  std::vector<float> again(size_t(2 * n)), other(size_t(2 * n));
  aert_model_sample(m.get(), 77, n, again.data());
  aert_model_sample(m.get(), 78, n, other.data());
  EXPECT_EQ(out, again);
  EXPECT_NE(out, other);
}

TEST(Model, SampleWithoutFitWarnsAndUsesStandardNormal) {
  ModelPtr m(aert_model_create(&identityDesc, 3));
  ASSERT_TRUE(m);
  float out[6];
  aert_clear_error();
  aert_model_sample(m.get(), 5, 3, out);
  EXPECT_TRUE(hasError("fit_latent")) << aert_last_error();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(out[i], aert_normal(5, AERT_STREAM_SAMPLE, 0, uint64_t(i)));
}

TEST(Model, GaussianLatentSamplesThePrior) {
  aert_model_desc vae = copyDesc(identityDesc);
  vae.latent_kind = AERT_LATENT_GAUSSIAN;
  ModelPtr m(aert_model_create(&vae, 3));
  ASSERT_TRUE(m);
  std::vector<float> codes = knownCodes();
  aert_model_fit_latent(m.get(), codes.data(), 6); // ignored for sampling
  float out[8];
  aert_clear_error();
  aert_model_sample(m.get(), 9, 4, out);
  EXPECT_STREQ(aert_last_error(), ""); // no warning for a VAE
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(out[i], aert_normal(9, AERT_STREAM_SAMPLE, 0, uint64_t(i)));
}

TEST(Model, SampleShapeAndScratchReuse) {
  ModelPtr m(aert_model_create(&linearDesc, 3));
  ASSERT_TRUE(m);
  std::vector<float> x = someInputs(50);
  aert_model_fit_latent(m.get(), x.data(), 50);
  std::vector<float> out(size_t(10 * kLinearInput) + 1, -7.0f);
  aert_model_sample(m.get(), 1, 10, out.data());
  EXPECT_EQ(kernelLog.inSizes[0], 10);
  EXPECT_EQ(kernelLog.inSizes[1], kLinearLatent);
  EXPECT_EQ(kernelLog.outSizes[0], 10);
  EXPECT_EQ(kernelLog.outSizes[1], kLinearInput);
  EXPECT_EQ(kernelLog.out, out.data());
  for (int i = 0; i < 10 * kLinearInput; ++i)
    EXPECT_NE(out[i], -7.0f);
  EXPECT_EQ(out[10 * kLinearInput], -7.0f); // nothing written past the end

  // Steady state: the scratch buffer is reused, grown only for larger n.
  const float *scratch = m->scratchCodes;
  aert_model_sample(m.get(), 2, 10, out.data());
  aert_model_sample(m.get(), 3, 4, out.data());
  EXPECT_EQ(m->scratchCodes, scratch);
  std::vector<float> big(size_t(300 * kLinearInput));
  aert_model_sample(m.get(), 3, 300, big.data());
  EXPECT_GE(m->scratchRows, 300);
  scratch = m->scratchCodes;
  aert_model_sample(m.get(), 4, 300, big.data());
  aert_model_fit_latent(m.get(), x.data(), 50);
  EXPECT_EQ(m->scratchCodes, scratch);
}

} // namespace
