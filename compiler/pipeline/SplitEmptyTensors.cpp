//===- SplitEmptyTensors.cpp - One tensor.empty per use -------------------===//
//
// Keeps One-Shot Bufferize linear in the size of a function: see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>

namespace aec {
#define GEN_PASS_DEF_SPLITEMPTYTENSORS
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

struct SplitEmptyTensorsPass
    : impl::SplitEmptyTensorsBase<SplitEmptyTensorsPass> {
  using SplitEmptyTensorsBase::SplitEmptyTensorsBase;

  void runOnOperation() override {
    SmallVector<tensor::EmptyOp> shared;
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (!empty.getResult().hasNUsesOrMore(std::max(minUses.getValue(), 2u)))
        return;
      shared.push_back(empty);
    });
    IRRewriter rewriter(&getContext());
    for (tensor::EmptyOp empty : shared) {
      // The first use keeps the original; each other use gets a clone placed
      // right after it, where the dynamic sizes are defined too.
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : empty->getUses())
        uses.push_back(&use);
      rewriter.setInsertionPointAfter(empty);
      for (OpOperand *use : llvm::drop_begin(uses)) {
        Operation *clone = rewriter.clone(*empty);
        rewriter.modifyOpInPlace(use->getOwner(),
                                 [&] { use->set(clone->getResult(0)); });
      }
    }
  }
};

} // namespace
} // namespace aec
