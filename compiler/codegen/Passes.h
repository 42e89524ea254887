//===- Passes.h - aec codegen passes ----------------------------*- C++ -*-===//

#ifndef AEC_CODEGEN_PASSES_H
#define AEC_CODEGEN_PASSES_H

#include "mlir/Pass/Pass.h"

namespace aec {

#define GEN_PASS_DECL
#include "compiler/codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/codegen/Passes.h.inc"

} // namespace aec

#endif // AEC_CODEGEN_PASSES_H
