//===- LowerVectors.cpp - Lower high-level vector ops for the CPU ---------===//
//
// The vector lowering that gave fast FMA code on AVX-512
// (shared/NOTES-MLIR22.md): contractions become outer products, reductions
// the inner-parallel form; transfers are reduced to rank 1 by
// convert-vector-to-scf in between the two stages; then the remaining n-D
// vector ops are unrolled. 16x16 transposes (the packing of a weight for
// dY W^T) become the unpack/shuffle sequence of 16-float vectors; other
// shapes stay one 1-D shuffle of the whole vector, which for a 16x16 tile
// LLVM lowered to about 450 instructions (measured: the MNIST AE's weight
// transposes took 6% of a training step that way, 3% with the sequence).
// Each group is applied in its own greedy rewrite: shape-cast lowering and
// canonicalization in one set never terminated.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace aec {
#define GEN_PASS_DEF_LOWERVECTORS
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

struct LowerVectorsPass : impl::LowerVectorsBase<LowerVectorsPass> {
  using LowerVectorsBase::LowerVectorsBase;

  LogicalResult apply(function_ref<void(RewritePatternSet &)> populate) {
    RewritePatternSet patterns(&getContext());
    populate(patterns);
    return applyPatternsGreedily(getOperation(), std::move(patterns));
  }

  void runOnOperation() override {
    if (stage != 1 && stage != 2) {
      getOperation().emitError() << "ae-lower-vectors: stage must be 1 or 2";
      return signalPassFailure();
    }
    auto steps =
        stage == 1
            ? SmallVector<std::function<void(RewritePatternSet &)>>{
                  [](RewritePatternSet &p) {
                    vector::populateVectorContractLoweringPatterns(
                        p, vector::VectorContractLowering::OuterProduct);
                    vector::
                        populateVectorTransferPermutationMapLoweringPatterns(p);
                  },
                  [](RewritePatternSet &p) {
                    vector::populateVectorMultiReductionLoweringPatterns(
                        p, vector::VectorMultiReductionLowering::InnerParallel);
                  },
                  [](RewritePatternSet &p) {
                    vector::populateVectorMaskOpLoweringPatterns(p);
                    vector::
                        populateVectorTransferPermutationMapLoweringPatterns(p);
                  }}
            : SmallVector<std::function<void(RewritePatternSet &)>>{
                  [](RewritePatternSet &p) {
                    vector::populateVectorShapeCastLoweringPatterns(p);
                  },
                  [](RewritePatternSet &p) {
                    vector::populateVectorTransposeLoweringPatterns(
                        p, vector::VectorTransposeLowering::Shuffle16x16);
                  },
                  [](RewritePatternSet &p) {
                    vector::populateVectorOuterProductLoweringPatterns(p);
                    vector::populateVectorBroadcastLoweringPatterns(p);
                    vector::populateVectorMaskOpLoweringPatterns(p);
                  },
                  [](RewritePatternSet &p) {
                    populateMathPolynomialApproximationPatterns(p);
                  }};
    for (auto &step : steps)
      if (failed(apply(step)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace aec
