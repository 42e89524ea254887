//===- AeDialect.h - the ae dialect -----------------------------*- C++ -*-===//

#ifndef AEC_DIALECT_AEDIALECT_H
#define AEC_DIALECT_AEDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"

#include "dialect/AeDialect.h.inc"

#endif // AEC_DIALECT_AEDIALECT_H
