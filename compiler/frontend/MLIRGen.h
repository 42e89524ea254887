//===- MLIRGen.h - AST to the ae dialect ------------------------*- C++ -*-===//
//
// Builds the ae-level module of a checked model (docs/internals.md, "ae-level
// IR produced by MLIRGen"): @loss, @encode and @decode on tensors with the
// parameters as trailing `ae.param` arguments (for a gaussian latent also
// @elbo, @encode_gaussian and, with a Bernoulli decoder, @decode_logits:
// docs/vae.md), and the model's metadata as module attributes. Every op carries the location of the .ae text it comes
// from (NameLoc "enc0" around a FileLineColLoc for layers).
//
//===----------------------------------------------------------------------===//

#ifndef AEC_FRONTEND_MLIRGEN_H
#define AEC_FRONTEND_MLIRGEN_H

#include "compiler/frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace llvm {
class SourceMgr;
} // namespace llvm

namespace mlir {
class DialectRegistry;
class MLIRContext;
} // namespace mlir

namespace aec {

/// Registers the dialects MLIRGen emits (ae, arith, func).
void registerMLIRGenDialects(mlir::DialectRegistry &registry);

/// Builds the module for `model`, which Sema must have checked. Locations
/// refer to the buffers of `sourceMgr`. Returns null (after emitting an
/// error diagnostic on the context) if the module fails to verify, which
/// would be a bug.
mlir::OwningOpRef<mlir::ModuleOp> buildModule(mlir::MLIRContext &context,
                                              const ModelAST &model,
                                              const llvm::SourceMgr &sourceMgr);

} // namespace aec

#endif // AEC_FRONTEND_MLIRGEN_H
