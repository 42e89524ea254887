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

struct SplitEmptyTensorsPass
    : impl::SplitEmptyTensorsBase<SplitEmptyTensorsPass> {
  using SplitEmptyTensorsBase::SplitEmptyTensorsBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    if (splitFills) {
      // A fill of an empty tensor used by several ops (CSE merged their
      // zero inits): each use gets its own fill of its own empty tensor.
      SmallVector<linalg::FillOp> fills;
      getOperation().walk([&](linalg::FillOp fill) {
        if (fill.hasPureTensorSemantics() && fill->getNumResults() == 1 &&
            fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>() &&
            fill->getResult(0).hasNUsesOrMore(2))
          fills.push_back(fill);
      });
      for (linalg::FillOp fill : fills) {
        SmallVector<OpOperand *> uses;
        for (OpOperand &use : fill->getResult(0).getUses())
          uses.push_back(&use);
        auto empty = fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>();
        rewriter.setInsertionPointAfter(fill);
        for (OpOperand *use : llvm::drop_begin(uses)) {
          IRMapping mapping;
          rewriter.clone(*empty, mapping);
          Operation *clone = rewriter.clone(*fill, mapping);
          rewriter.modifyOpInPlace(use->getOwner(),
                                   [&] { use->set(clone->getResult(0)); });
        }
      }
    }
    SmallVector<tensor::EmptyOp> shared;
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (!empty.getResult().hasNUsesOrMore(std::max(minUses.getValue(), 2u)))
        return;
      shared.push_back(empty);
    });
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
