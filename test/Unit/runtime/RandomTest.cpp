//===- RandomTest.cpp - Philox4x32-10 known answers and statistics --------===//

#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace {

struct KnownAnswer {
  uint32_t ctr[4];
  uint32_t key[2];
  uint32_t expected[4];
};

// Random123's kat_vectors for philox4x32_10.
const KnownAnswer kKnownAnswers[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

TEST(Philox, KnownAnswers) {
  for (const KnownAnswer &k : kKnownAnswers) {
    uint32_t out[4] = {0, 0, 0, 0};
    aert_philox4x32(k.ctr, k.key, out);
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(out[i], k.expected[i]) << "word " << i;
  }
}

TEST(Philox, CounterAndKeyLayout) {
  // key = (seed lo, seed hi); counter = (index lo, index hi, call lo, stream)
  const uint64_t seed = 0x0123456789abcdefULL;
  const uint64_t index = 0x0000000500000007ULL;
  const uint64_t call = 0x900000003ULL; // only the low word is used
  const uint32_t stream = 2;
  uint32_t key[2] = {0x89abcdef, 0x01234567};
  uint32_t ctr[4] = {7, 5, 3, stream};
  uint32_t words[4];
  aert_philox4x32(ctr, key, words);

  float u = (float(words[0]) + 0.5f) * 0x1p-32f;
  EXPECT_EQ(aert_uniform(seed, stream, call, index), u);

  float u1 = (float(words[0]) + 0.5f) * 0x1p-32f;
  float u2 = (float(words[1]) + 0.5f) * 0x1p-32f;
  float z =
      std::sqrt(-2.0f * std::log(u1)) * std::cos(6.28318530717958647692f * u2);
  EXPECT_EQ(aert_normal(seed, stream, call, index), z);

  // Every part of the counter and key matters.
  float base = aert_uniform(seed, stream, call, index);
  EXPECT_NE(aert_uniform(seed + 1, stream, call, index), base);
  EXPECT_NE(aert_uniform(seed ^ (1ULL << 40), stream, call, index), base);
  EXPECT_NE(aert_uniform(seed, stream + 1, call, index), base);
  EXPECT_NE(aert_uniform(seed, stream, call + 1, index), base);
  EXPECT_NE(aert_uniform(seed, stream, call, index + 1), base);
  EXPECT_NE(aert_uniform(seed, stream, call, index ^ (1ULL << 33)), base);
}

TEST(Philox, UniformEdges) {
  // The smallest word maps to 2^-33, never 0; the largest rounds to 1.0f in
  // float arithmetic, which is what generated f32 code computes too.
  EXPECT_EQ((float(0u) + 0.5f) * 0x1p-32f, 0x1p-33f);
  EXPECT_EQ((float(0xffffffffu) + 0.5f) * 0x1p-32f, 1.0f);
}

TEST(Philox, BulkFillersMatchScalar) {
  std::vector<float> u(1000), z(1000);
  aert_fill_uniform(42, AERT_STREAM_NOISE, 7, 1000, 1000, u.data());
  aert_fill_normal(42, AERT_STREAM_REPARAM, 7, 1000, 1000, z.data());
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(u[i], aert_uniform(42, AERT_STREAM_NOISE, 7, 1000 + i));
    EXPECT_EQ(z[i], aert_normal(42, AERT_STREAM_REPARAM, 7, 1000 + i));
  }
}

constexpr int kDraws = 1000000;

TEST(Philox, UniformStatistics) {
  std::vector<float> u(kDraws);
  aert_fill_uniform(20240601, AERT_STREAM_NOISE, 0, 0, kDraws, u.data());
  double sum = 0, sumSq = 0;
  const int kBuckets = 100;
  std::vector<int> counts(kBuckets, 0);
  for (float v : u) {
    ASSERT_GT(v, 0.0f);
    ASSERT_LE(v, 1.0f);
    sum += v;
    sumSq += double(v) * v;
    int b = int(v * kBuckets);
    counts[b < kBuckets ? b : kBuckets - 1]++;
  }
  double mean = sum / kDraws;
  double var = sumSq / kDraws - mean * mean;
  // Standard errors: 2.9e-4 for the mean, 7.5e-5 for the variance.
  EXPECT_NEAR(mean, 0.5, 1.5e-3);
  EXPECT_NEAR(var, 1.0 / 12.0, 4e-4);
  double chi2 = 0, expected = double(kDraws) / kBuckets;
  for (int c : counts)
    chi2 += (c - expected) * (c - expected) / expected;
  // 99 degrees of freedom: the 99.9% quantile is 148.2.
  EXPECT_LT(chi2, 148.2);
  // ... and a generator stuck on a few values would be far above it.
  EXPECT_GT(chi2, 50.0);
}

TEST(Philox, NormalStatistics) {
  std::vector<float> z(kDraws);
  aert_fill_normal(777, AERT_STREAM_SAMPLE, 3, 0, kDraws, z.data());
  double sum = 0, sumSq = 0, sumCube = 0, sumFourth = 0;
  int within1 = 0;
  for (float v : z) {
    ASSERT_TRUE(std::isfinite(v));
    double d = v;
    sum += d;
    sumSq += d * d;
    sumCube += d * d * d;
    sumFourth += d * d * d * d;
    within1 += std::fabs(d) < 1.0;
  }
  double mean = sum / kDraws;
  double var = sumSq / kDraws - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5e-3);               // standard error 1e-3
  EXPECT_NEAR(var, 1.0, 6e-3);                // standard error 1.4e-3
  EXPECT_NEAR(sumCube / kDraws, 0.0, 1.5e-2); // skewness, se 2.4e-3
  EXPECT_NEAR(sumFourth / kDraws, 3.0, 5e-2); // kurtosis, se 1e-2
  EXPECT_NEAR(double(within1) / kDraws, 0.682689, 2.5e-3);
}

TEST(Philox, StreamsAreIndependent) {
  // Correlation between stream 0 and stream 1 at the same indices.
  const int n = 200000;
  std::vector<float> a(n), b(n);
  aert_fill_uniform(5, 0, 0, 0, n, a.data());
  aert_fill_uniform(5, 1, 0, 0, n, b.data());
  double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; ++i) {
    sa += a[i];
    sb += b[i];
    sab += double(a[i]) * b[i];
    saa += double(a[i]) * a[i];
    sbb += double(b[i]) * b[i];
  }
  double cov = sab / n - sa / n * sb / n;
  double corr = cov / std::sqrt((saa / n - sa / n * sa / n) *
                                (sbb / n - sb / n * sb / n));
  EXPECT_LT(std::fabs(corr), 0.012); // 5 standard errors (2.2e-3)
}

TEST(Philox, NullArgumentsAreIgnored) {
  uint32_t out[4] = {1, 2, 3, 4};
  aert_philox4x32(nullptr, nullptr, out);
  EXPECT_EQ(out[0], 1u);
  aert_fill_uniform(1, 0, 0, 0, 10, nullptr);
  aert_fill_normal(1, 0, 0, 0, 10, nullptr);
}

} // namespace
