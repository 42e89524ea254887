//===- StackTemporaries.cpp - Small bounded temporaries on the stack ------===//
//
// A tile of a dynamic remainder (the batch rows past the last multiple of
// 16) needs a temporary whose leading size is dynamic but bounded by the
// tile: `memref.alloc(%rem) : memref<?x16xf32>` with %rem < 16. On the heap,
// inside a loop that threads share, it makes each thread allocate at the
// same time, so the runtime's cache of freed blocks needs one block per
// thread that overlaps there, and a call allocates until the threads once
// have. ae-stack-temporaries gives such a temporary a stack buffer of its
// bound, in place; ae-hoist-allocas then moves static stack buffers to the
// entry block of their function (after ae-parallelize: a loop body's
// buffer lands in the outlined body, one per thread's frame).
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace aec {
#define GEN_PASS_DEF_STACKTEMPORARIES
#define GEN_PASS_DEF_HOISTALLOCAS
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

/// Whether `op` is inside a region whose iterations or threads may run at
/// the same time: a buffer there must stay where it is.
static bool inParallelRegion(Operation *op) {
  return op->getParentOfType<scf::ParallelOp>() ||
         op->getParentOfType<scf::ForallOp>() ||
         op->getParentOfType<omp::ParallelOp>();
}

/// memref.alloc(%n) : memref<?xAxB...> with a constant bound on %n, freed in
/// its own block -> memref.alloca() : memref<NxAxB...> in its place, viewed
/// as the original type.
struct BoundedAllocToAlloca : OpRewritePattern<memref::AllocOp> {
  BoundedAllocToAlloca(MLIRContext *context, int64_t maxBytes)
      : OpRewritePattern(context), maxBytes(maxBytes) {}

  LogicalResult matchAndRewrite(memref::AllocOp alloc,
                                PatternRewriter &rewriter) const override {
    MemRefType type = alloc.getType();
    // Only the leading size dynamic: the bound buffer then has the strides
    // of the original identity layout.
    if (!type.getLayout().isIdentity() || type.getRank() == 0 ||
        !type.isDynamicDim(0) || type.getNumDynamicDims() != 1 ||
        !alloc.getSymbolOperands().empty() ||
        !type.getElementType().isIntOrFloat())
      return rewriter.notifyMatchFailure(alloc, "not a leading-size alloc");
    if (inParallelRegion(alloc))
      return rewriter.notifyMatchFailure(alloc, "in a parallel region");
    // Freed once, in the same block: its lifetime is within the block.
    memref::DeallocOp dealloc;
    for (Operation *user : alloc->getUsers()) {
      auto candidate = dyn_cast<memref::DeallocOp>(user);
      if (!candidate)
        continue;
      if (dealloc || candidate->getBlock() != alloc->getBlock())
        return rewriter.notifyMatchFailure(alloc, "freed elsewhere");
      dealloc = candidate;
    }
    if (!dealloc)
      return rewriter.notifyMatchFailure(alloc, "not freed in its block");
    Value size = alloc.getDynamicSizes()[0];
    FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
        presburger::BoundType::UB, ValueBoundsConstraintSet::Variable(size),
        /*stopCondition=*/nullptr, /*closedUB=*/true);
    if (failed(bound) || *bound < 1)
      return rewriter.notifyMatchFailure(alloc, "no constant bound");
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = *bound;
    auto boundType = MemRefType::get(shape, type.getElementType(), AffineMap(),
                                     type.getMemorySpace());
    int64_t bytes = boundType.getNumElements() *
                    llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    if (bytes > maxBytes)
      return rewriter.notifyMatchFailure(alloc, "too large for the stack");

    // No over-alignment: a stack slot aligned beyond the ABI's 16 bytes
    // makes LLVM realign the frame and keep a frame pointer, one register
    // less in the loop nest around it (the vector accesses do not rely on
    // it: they are emitted with element alignment).
    auto buffer = memref::AllocaOp::create(rewriter, alloc.getLoc(), boundType,
                                           IntegerAttr());
    // Only the leading size differs, so the bound buffer's identity strides
    // are the original type's.
    SmallVector<int64_t> strides;
    int64_t offset;
    (void)boundType.getStridesAndOffset(strides, offset);
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        alloc, type, buffer, rewriter.getIndexAttr(0),
        getMixedValues(type.getShape(), alloc.getDynamicSizes(), rewriter),
        getAsIndexOpFoldResult(rewriter.getContext(), strides));
    rewriter.eraseOp(dealloc);
    return success();
  }

  int64_t maxBytes;
};

struct StackTemporariesPass : impl::StackTemporariesBase<StackTemporariesPass> {
  using StackTemporariesBase::StackTemporariesBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<BoundedAllocToAlloca>(&getContext(), maxBytes);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

/// A static memref.alloca below the entry block of its function (in a loop,
/// say) moves to the start of the entry block: one stack slot per call
/// instead of stack that grows with every iteration.
struct HoistStaticAlloca : OpRewritePattern<memref::AllocaOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::AllocaOp alloca,
                                PatternRewriter &rewriter) const override {
    auto func = alloca->getParentOfType<func::FuncOp>();
    if (!func || !alloca.getType().hasStaticShape() ||
        !alloca.getOperands().empty() ||
        alloca->getBlock() == &func.getBody().front())
      return rewriter.notifyMatchFailure(alloca, "already at the entry");
    // Iterations of a parallel loop, threads of a parallel region, and
    // scopes that free their allocas each need their own buffer.
    if (inParallelRegion(alloca) ||
        alloca->getParentOfType<memref::AllocaScopeOp>())
      return rewriter.notifyMatchFailure(alloca, "needs its own buffer");
    rewriter.moveOpBefore(alloca, &func.getBody().front().front());
    return success();
  }
};

struct HoistAllocasPass : impl::HoistAllocasBase<HoistAllocasPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<HoistStaticAlloca>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace aec
