//===- AeOps.h - ops, enums and attributes of the ae dialect ----*- C++ -*-===//

#ifndef AEC_DIALECT_AEOPS_H
#define AEC_DIALECT_AEOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialect/AeDialect.h"
#include "dialect/AeInterfaces.h"

#include "dialect/AeEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/AeAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialect/AeOps.h.inc"

#endif // AEC_DIALECT_AEOPS_H
