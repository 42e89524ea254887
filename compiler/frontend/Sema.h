//===- Sema.h - Semantic checks and shape inference for .ae -----*- C++ -*-===//
//
// Checks a parsed model and fills the AST for later stages: every section
// is present once, every value is in its sane range, and shapes flow from
// the input through the encoder, the latent head(s) and the decoder back to
// the input shape. Sema names the layers (enc0, head, mu, logvar, dec0, ...)
// and fills their shapes, parameter tensor shapes, fan-in and counts.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_FRONTEND_SEMA_H
#define AEC_FRONTEND_SEMA_H

#include "compiler/frontend/AST.h"
#include "compiler/frontend/Diagnostics.h"

#include "llvm/Support/LogicalResult.h"

namespace aec {

/// The largest size (dimension, units, channels, kernel, latent size, ...)
/// a model may declare.
inline constexpr int64_t kMaxSize = 2147483647; // 2^31 - 1
/// The largest conv / deconv stride, pad and outpad (the ae dialect's bound).
inline constexpr int64_t kMaxStrideOrPad = 65536;

/// Checks `model` and fills its shapes; reports every problem found.
/// Returns failure if any error was reported.
llvm::LogicalResult checkModel(ModelAST &model, DiagnosticEngine &diags);

} // namespace aec

#endif // AEC_FRONTEND_SEMA_H
