//===- HeaderEmitter.h - The generated C header M.h -------------*- C++ -*-===//
//
// Writes the C header of a compiled model: the C API of shared/DESIGN.md for
// model M, size macros, the model summary and the parameter layout. The
// header is self-contained C99 and C++-compatible.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_CODEGEN_HEADEREMITTER_H
#define AEC_CODEGEN_HEADEREMITTER_H

#include "compiler/codegen/ModelInfo.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace aec {

struct HeaderOptions {
  /// Object file named in the usage comment; empty means "<M>.o".
  std::string objectName;
};

/// Writes M.h for `info`.
void emitHeader(const ModelInfo &info, llvm::raw_ostream &os,
                const HeaderOptions &options = {});

/// Reads the model from `module` (any stage from the ae dialect on: module
/// attributes plus `ae.param` arguments or the `ae.params` table) and writes
/// its header. Fails, with an error on the module, if the model metadata is
/// missing or malformed.
mlir::LogicalResult emitHeader(mlir::ModuleOp module, llvm::raw_ostream &os,
                               const HeaderOptions &options = {});

} // namespace aec

#endif // AEC_CODEGEN_HEADEREMITTER_H
