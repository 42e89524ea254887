//===- Passes.h - passes of the ae dialect ----------------------*- C++ -*-===//

#ifndef AEC_DIALECT_PASSES_H
#define AEC_DIALECT_PASSES_H

#include "dialect/AeDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
namespace ae {

#define GEN_PASS_DECL
#include "dialect/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialect/Passes.h.inc"

} // namespace ae
} // namespace mlir

#endif // AEC_DIALECT_PASSES_H
