//===- Random.cpp - Philox4x32-10 counter-based RNG -----------------------===//
//
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as
// easy as 1, 2, 3", SC 2011), the same function generated code computes for
// noise and reparameterization (docs/internals.md, "RNG"). Being counter
// based, any element of any stream can be drawn independently, so bulk
// fills, generated kernels and this file agree element by element.
//
//===----------------------------------------------------------------------===//

#include "runtime/Random.h"
#include "runtime/aert.h"

#include <cmath>

void aert::philox4x32(const uint32_t ctr[4], const uint32_t key[2],
                      uint32_t out[4]) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    uint64_t p0 = uint64_t(kMul0) * c0;
    uint64_t p1 = uint64_t(kMul1) * c2;
    uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

void aert::philoxBlock(uint64_t seed, uint32_t stream, uint64_t call,
                       uint64_t index, uint32_t out[4]) {
  const uint32_t key[2] = {uint32_t(seed), uint32_t(seed >> 32)};
  const uint32_t ctr[4] = {uint32_t(index), uint32_t(index >> 32),
                           uint32_t(call), stream};
  philox4x32(ctr, key, out);
}

float aert::wordToUniform(uint32_t word) {
  // Float arithmetic on purpose: generated code computes
  // uitofp(w) + 0.5 then * 2^-32 in f32, and both must agree bit for bit.
  return (float(word) + 0.5f) * 0x1p-32f;
}

float aert::wordsToNormal(uint32_t word0, uint32_t word1) {
  float u1 = wordToUniform(word0);
  float u2 = wordToUniform(word1);
  constexpr float kTwoPi = 6.28318530717958647692f;
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(kTwoPi * u2);
}

extern "C" void aert_philox4x32(const uint32_t ctr[4], const uint32_t key[2],
                                uint32_t out[4]) {
  if (!ctr || !key || !out)
    return;
  aert::philox4x32(ctr, key, out);
}

extern "C" float aert_uniform(uint64_t seed, uint32_t stream, uint64_t call,
                              uint64_t index) {
  uint32_t words[4];
  aert::philoxBlock(seed, stream, call, index, words);
  return aert::wordToUniform(words[0]);
}

extern "C" float aert_normal(uint64_t seed, uint32_t stream, uint64_t call,
                             uint64_t index) {
  uint32_t words[4];
  aert::philoxBlock(seed, stream, call, index, words);
  return aert::wordsToNormal(words[0], words[1]);
}

extern "C" void aert_fill_uniform(uint64_t seed, uint32_t stream, uint64_t call,
                                  uint64_t first_index, int64_t count,
                                  float *out) {
  if (!out)
    return;
  for (int64_t i = 0; i < count; ++i)
    out[i] = aert_uniform(seed, stream, call, first_index + uint64_t(i));
}

extern "C" void aert_fill_normal(uint64_t seed, uint32_t stream, uint64_t call,
                                 uint64_t first_index, int64_t count,
                                 float *out) {
  if (!out)
    return;
  for (int64_t i = 0; i < count; ++i)
    out[i] = aert_normal(seed, stream, call, first_index + uint64_t(i));
}
