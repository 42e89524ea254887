//===- SplitEmptyTensors.cpp - One tensor.empty per use -------------------===//
//
// Keeps One-Shot Bufferize linear in the size of a function: see the pass
// description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>

namespace aec {
#define GEN_PASS_DEF_SPLITEMPTYTENSORS
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

/// The first use of `op`'s result keeps it; each other use gets the result
/// of `clone()`, called with the insertion point right after `op` (where
/// its operands are defined too).
static void giveEachUseItsOwn(RewriterBase &rewriter, Operation *op,
                              function_ref<Operation *()> clone) {
  SmallVector<OpOperand *> uses;
  for (OpOperand &use : op->getResult(0).getUses())
    uses.push_back(&use);
  rewriter.setInsertionPointAfter(op);
  for (OpOperand *use : llvm::drop_begin(uses)) {
    Operation *copy = clone();
    rewriter.modifyOpInPlace(use->getOwner(),
                             [&] { use->set(copy->getResult(0)); });
  }
}

struct SplitEmptyTensorsPass
    : impl::SplitEmptyTensorsBase<SplitEmptyTensorsPass> {
  using SplitEmptyTensorsBase::SplitEmptyTensorsBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    if (splitFills) {
      // A fill of an empty tensor used by several ops (CSE merged their
      // zero inits): each use gets its own fill of its own empty tensor.
      SmallVector<std::pair<linalg::FillOp, tensor::EmptyOp>> fills;
      getOperation().walk([&](linalg::FillOp fill) {
        if (!fill.hasPureTensorSemantics() || fill->getNumResults() != 1 ||
            !fill->getResult(0).hasNUsesOrMore(2))
          return;
        if (auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>())
          fills.push_back({fill, empty});
      });
      for (auto [fill, empty] : fills)
        giveEachUseItsOwn(rewriter, fill, [&] {
          IRMapping mapping;
          rewriter.clone(*empty, mapping);
          return rewriter.clone(*fill, mapping);
        });
    }
    SmallVector<tensor::EmptyOp> shared;
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (empty.getResult().hasNUsesOrMore(std::max(minUses.getValue(), 2u)))
        shared.push_back(empty);
    });
    for (tensor::EmptyOp empty : shared)
      giveEachUseItsOwn(rewriter, empty,
                        [&] { return rewriter.clone(*empty); });
  }
};

} // namespace
} // namespace aec
