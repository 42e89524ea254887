//===- AeInterfaces.h - DifferentiableOpInterface ---------------*- C++ -*-===//

#ifndef AEC_DIALECT_AEINTERFACES_H
#define AEC_DIALECT_AEINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/SmallVector.h"

#include "dialect/AeInterfaces.h.inc"

namespace mlir {
class DialectRegistry;
namespace ae {

/// Attaches DifferentiableOpInterface to the upstream ops that MLIRGen or the
/// user may put on a differentiable path: arith.addf, arith.subf,
/// arith.mulf, arith.negf (scalars or tensors) and arith.constant.
void registerDifferentiableExternalModels(DialectRegistry &registry);

} // namespace ae
} // namespace mlir

#endif // AEC_DIALECT_AEINTERFACES_H
