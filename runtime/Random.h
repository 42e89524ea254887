//===- Random.h - Philox4x32-10 inside aert ---------------------*- C++ -*-===//
#ifndef AERT_RANDOM_H
#define AERT_RANDOM_H

#include <cstdint>

namespace aert {

/// Philox4x32-10: out = philox(ctr, key).
void philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/// The block for (seed, stream, call, index) as laid out in
/// docs/internals.md: key = (seed lo, seed hi), counter = (index lo,
/// index hi, call lo, stream).
void philoxBlock(uint64_t seed, uint32_t stream, uint64_t call, uint64_t index,
                 uint32_t out[4]);

/// (w + 0.5) * 2^-32 in float arithmetic.
float wordToUniform(uint32_t word);

/// Box-Muller: sqrt(-2 ln u1) * cos(2 pi u2).
float wordsToNormal(uint32_t word0, uint32_t word1);

} // namespace aert

#endif // AERT_RANDOM_H
