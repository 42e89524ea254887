//===- Passes.h - aec lowering passes ---------------------------*- C++ -*-===//

#ifndef AEC_PIPELINE_PASSES_H
#define AEC_PIPELINE_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace aec {

#define GEN_PASS_DECL
#include "compiler/pipeline/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/pipeline/Passes.h.inc"

} // namespace aec

#endif // AEC_PIPELINE_PASSES_H
