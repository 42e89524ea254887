//===- AeDialect.cpp - the ae dialect -------------------------------------===//

#include "dialect/AeAttributes.h"
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

/// Verifies the ae.* attributes of function arguments and results; other
/// ae.* names are left to the passes that define them.
static LogicalResult verifyValueAttribute(Operation *op, StringRef what,
                                          unsigned index, NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == attrs::kParam || name == attrs::kGrad) {
    auto text = dyn_cast<StringAttr>(attr.getValue());
    if (!text || text.getValue().empty())
      return op->emitError()
             << "'" << name << "' on " << what << " #" << index
             << " must be a non-empty string naming the parameter, got "
             << attr.getValue();
    return success();
  }
  if (name == attrs::kFanIn) {
    auto fanIn = dyn_cast<IntegerAttr>(attr.getValue());
    if (!fanIn || !fanIn.getType().isInteger() || fanIn.getInt() < 1)
      return op->emitError()
             << "'" << name << "' on " << what << " #" << index
             << " must be a positive integer, got " << attr.getValue();
    return success();
  }
  return success();
}

LogicalResult AeDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                  unsigned argIndex,
                                                  NamedAttribute attr) {
  return verifyValueAttribute(op, "argument", argIndex, attr);
}

LogicalResult AeDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                     unsigned resultIndex,
                                                     NamedAttribute attr) {
  return verifyValueAttribute(op, "result", resultIndex, attr);
}
