//===- AeAttributes.h - names of the ae.* attributes ------------*- C++ -*-===//
//
// The discardable ae.* attributes that carry the model through the pipeline
// (docs/internals.md): one place for their names, used by MLIRGen, the
// dialect's passes and the backend.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_DIALECT_AEATTRIBUTES_H
#define AEC_DIALECT_AEATTRIBUTES_H

#include "llvm/ADT/StringRef.h"

namespace mlir {
namespace ae {
namespace attrs {

// Module attributes written by MLIRGen.
inline constexpr llvm::StringLiteral kModel = "ae.model";
inline constexpr llvm::StringLiteral kInputShape = "ae.input_shape";
inline constexpr llvm::StringLiteral kLatentSize = "ae.latent_size";
inline constexpr llvm::StringLiteral kLatentKind = "ae.latent_kind";
inline constexpr llvm::StringLiteral kOptimizer = "ae.optimizer";
inline constexpr llvm::StringLiteral kSummary = "ae.summary";
inline constexpr llvm::StringLiteral kLikelihood = "ae.likelihood";
// Module attributes written by ae-kernel-abi.
inline constexpr llvm::StringLiteral kParams = "ae.params";
inline constexpr llvm::StringLiteral kParamCount = "ae.param_count";
inline constexpr llvm::StringLiteral kStateCount = "ae.state_count";
// Argument and result attributes of the model functions.
inline constexpr llvm::StringLiteral kParam = "ae.param";
inline constexpr llvm::StringLiteral kFanIn = "ae.fan_in";
inline constexpr llvm::StringLiteral kGrad = "ae.grad";
inline constexpr llvm::StringLiteral kState = "ae.state";

} // namespace attrs
} // namespace ae
} // namespace mlir

#endif // AEC_DIALECT_AEATTRIBUTES_H
