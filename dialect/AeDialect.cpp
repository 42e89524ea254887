//===- AeDialect.cpp - the ae dialect -------------------------------------===//

#include "dialect/AeDialect.h"
#include "dialect/AeOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ae;

#include "dialect/AeDialect.cpp.inc"
#include "dialect/AeEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialect/AeAttrs.cpp.inc"

void AeDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/AeAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialect/AeOps.cpp.inc"
      >();
}
