//===- Model.h - The model object behind the generated C API ----*- C++ -*-===//
#ifndef AERT_MODEL_IMPL_H
#define AERT_MODEL_IMPL_H

#include "runtime/aert_model.h"

#include <cstddef>
#include <cstdint>

/// Everything a compiled model needs at run time. Owned by the runtime; the
/// generated `M*` is a pointer to this.
struct aert_model {
  const aert_model_desc *desc = nullptr;
  float *params = nullptr; // P floats
  float *state = nullptr;  // S floats (optimizer state)
  uint64_t seed = 0;
  uint64_t call = 0; // next `call` passed to loss/grad/train_step
  uint64_t step = 0; // optimizer updates done; kernels get step + 1

  // Latent statistics from aert_model_fit_latent (deterministic latents).
  bool latentFitted = false;
  double *latentMean = nullptr; // L
  double *latentChol = nullptr; // L x L, lower triangular, row-major

  // Scratch for latent codes (fit_latent chunks, sample); grows only.
  float *scratchCodes = nullptr;
  int64_t scratchRows = 0;

  // Scratch of aert_model_log_likelihood (posterior parameters, codes,
  // logits, per-example log-sum-exp state); grows only.
  void *scratchEval = nullptr;
  size_t scratchEvalBytes = 0;
};

#endif // AERT_MODEL_IMPL_H
