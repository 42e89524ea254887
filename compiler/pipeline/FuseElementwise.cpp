//===- FuseElementwise.cpp - Elementwise fusion that keeps contractions ---===//
//
// Upstream elementwise fusion also fuses producers into contractions written
// as linalg.generic (convolutions as contractions) and propagates reshapes
// through ops, which turns an im2col + contraction back into a convolution
// loop nest that only lowers to scalar loops. This pass fuses elementwise
// chains only.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace aec {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

bool hasPlainAccesses(linalg::LinalgOp op) {
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    return map.isProjectedPermutation();
  });
}

struct FuseElementwisePass : impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *fused) {
          auto producer = fused->get().getDefiningOp<linalg::LinalgOp>();
          auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
          return producer && consumer && producer->hasOneUse() &&
                 hasPlainAccesses(producer) &&
                 !linalg::isaContractionOpInterface(consumer);
        });
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace aec
