//===- ExpandCopies.cpp - Strided memref.copy to linalg.copy --------------===//
//
// Generated objects link against aert and libm only. A memref.copy whose
// operands are not both contiguous would become a call to `memrefCopy` of
// MLIR's runner utilities; as a linalg.copy it becomes plain loops instead.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace aec {
#define GEN_PASS_DEF_EXPANDCOPIES
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

/// Whether finalize-memref-to-llvm lowers a copy from/to this type to
/// llvm.memcpy: static-or-dynamic sizes with the identity layout.
bool isContiguous(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.getLayout().isIdentity();
}

struct ExpandCopiesPass : impl::ExpandCopiesBase<ExpandCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp copy) {
      if (!isContiguous(copy.getSource().getType()) ||
          !isContiguous(copy.getTarget().getType()))
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      rewriter.eraseOp(copy);
    }
  }
};

} // namespace
} // namespace aec
