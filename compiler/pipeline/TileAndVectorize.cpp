//===- TileAndVectorize.cpp - Register tiling and vectorization -----------===//
//
// The CPU schedule of aec, applied to linalg on tensors before bufferization
// (shared/NOTES-MLIR22.md has the measurements behind it):
//
//  1. Contractions (matmul, possibly with transposed operands) are tiled into
//     tileM x tileN register tiles, N outer, with their zero fill and a
//     single elementwise consumer (bias + activation) fused into the tile.
//     Other linalg ops are tiled to vectorWidth along the innermost loop.
//  2. Tile loops whose trip count may not divide are peeled; after
//     canonicalization the main loops have static tiles.
//  3. Ops left with dynamic sizes (remainders of the dynamic batch
//     dimension) are tiled by 1 along those dimensions: still vector code.
//  4. The reduction dimension of contractions is tiled by 1.
//  5. Static ops are vectorized (as transform.structured.
//     vectorize_children_and_apply_patterns does), tensor subsets fold into
//     vector transfers, and loop-invariant subsets are hoisted so the
//     accumulator tile stays in registers across the reduction loop.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Convolution.h"
#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

#include "llvm/ADT/SetVector.h"

namespace aec {
#define GEN_PASS_DEF_TILEANDVECTORIZE
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

/// Largest iteration space (elements) vectorized as one op. Tiled ops are far
/// below it; it keeps an op that escaped tiling from becoming a huge vector.
constexpr int64_t kMaxVectorElements = 4096;

/// A plain matmul-like contraction: one M, one N, one K loop, any operand
/// transposition, no batch.
static std::optional<linalg::ContractionDimensions>
matmulDims(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumLoops() != 3 ||
      !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || !dims->batch.empty() || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1)
    return std::nullopt;
  return *dims;
}

static bool isConvolution(linalg::LinalgOp op) {
  return linalg::isaConvolutionOpInterface(op);
}

/// An all-parallel 2-D linalg op with one output that reads `value` with
/// the identity map and writes its output with the identity map: fusable
/// into the register tile of the contraction producing `value`.
///
/// One output: an op with several (an optimizer update: the new parameter
/// and the moments) stays a separate elementwise pass over its buffers.
/// Fused into the weight-gradient contraction, its epilogue read and wrote
/// four weight-sized buffers 16 rows of 64 bytes at a time, between the
/// tiles' reductions; measured on the MNIST AE and VAE (AMD EPYC Zen 4, one
/// thread), training was about 13% faster with the Adam update as its own
/// row-major pass, although the gradient then goes through memory.
static bool isFusableConsumer(Operation *user, Value value) {
  auto op = dyn_cast<linalg::LinalgOp>(user);
  if (!op || !op.hasPureTensorSemantics() || op.getNumLoops() != 2 ||
      op.getNumParallelLoops() != 2 || matmulDims(op) ||
      op.getNumDpsInits() != 1)
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    bool isInit = op.isDpsInit(&operand);
    if ((isInit || operand.get() == value) &&
        !op.getMatchingIndexingMap(&operand).isIdentity())
      return false;
  }
  return true;
}

/// `linalg.generic ins(%a, ...) outs(%a, ...)`, all-parallel, where an input
/// is the very tensor that is also an init with the same indexing map: read
/// the element through the init's block argument instead and drop the input.
/// Empty-tensor elimination produces this for in-place updates (new_p = f(p)
/// materialized in p); with the input gone, each tile reads the old value
/// from the same subset of the loop-carried destination it writes, which
/// One-Shot Bufferize accepts in place. Reading the untiled input would be a
/// read after the write of the previous tile: a full copy of the buffer.
struct ReadInitInPlace : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() ||
        op.getNumParallelLoops() != op.getNumLoops())
      return failure();
    Block *body = op.getBody();
    for (OpOperand *input : op.getDpsInputOperands()) {
      for (OpOperand &init : op.getDpsInitsMutable()) {
        if (input->get() != init.get() || op.getMatchingIndexingMap(input) !=
                                              op.getMatchingIndexingMap(&init))
          continue;
        BlockArgument initArg = op.getMatchingBlockArgument(&init);
        if (!initArg.use_empty())
          continue;
        BlockArgument inputArg = op.getMatchingBlockArgument(input);
        SmallVector<Value> inputs;
        SmallVector<AffineMap> maps;
        for (OpOperand *other : op.getDpsInputOperands()) {
          if (other == input)
            continue;
          inputs.push_back(other->get());
          maps.push_back(op.getMatchingIndexingMap(other));
        }
        for (OpOperand &other : op.getDpsInitsMutable())
          maps.push_back(op.getMatchingIndexingMap(&other));
        auto replacement = linalg::GenericOp::create(
            rewriter, op.getLoc(), op.getResultTypes(), inputs,
            op.getDpsInits(), maps, op.getIteratorTypesArray());
        Region &region = replacement.getRegion();
        rewriter.inlineRegionBefore(op.getRegion(), region, region.end());
        rewriter.replaceAllUsesWith(inputArg, initArg);
        body->eraseArgument(inputArg.getArgNumber());
        rewriter.replaceOp(op, replacement->getResults());
        return success();
      }
    }
    return failure();
  }
};

/// The register tile reads one contiguous row of B per reduction step. When
/// B is stored [N, K] (x W^T in backward passes), that row is a strided
/// column: materialize B^T [K, N] with a linalg.transpose (tiled 16x16 and
/// vectorized as register transposes) and use it instead. Strided loads made
/// this contraction 4x slower than the transposed copy costs.
static LogicalResult transposeStridedB(RewriterBase &rewriter,
                                       linalg::LinalgOp op) {
  std::optional<linalg::ContractionDimensions> dims = matmulDims(op);
  if (!dims || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return success();
  unsigned n = dims->n[0], k = dims->k[0];
  MLIRContext *ctx = op.getContext();
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.getNumResults() != 2 || !map.isProjectedPermutation() ||
        map.getDimPosition(0) != n || map.getDimPosition(1) != k)
      continue;
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value b = input->get();
    auto type = cast<RankedTensorType>(b.getType());
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, b, 1),
        tensor::getMixedSize(rewriter, loc, b, 0)};
    Value init =
        tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
    Value bt = linalg::TransposeOp::create(rewriter, loc, b, init,
                                           ArrayRef<int64_t>{1, 0})
                   ->getResult(0);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *other : op.getDpsInputOperands()) {
      inputs.push_back(other == input ? bt : other->get());
      maps.push_back(other == input ? AffineMap::get(map.getNumDims(), 0,
                                                     {getAffineDimExpr(k, ctx),
                                                      getAffineDimExpr(n, ctx)},
                                                     ctx)
                                    : op.getMatchingIndexingMap(other));
    }
    for (OpOperand &init : op.getDpsInitsMutable())
      maps.push_back(op.getMatchingIndexingMap(&init));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, op->getResultTypes(), inputs, op.getDpsInits(), maps,
        op.getIteratorTypesArray());
    IRMapping mapping;
    op->getRegion(0).cloneInto(&generic.getRegion(), mapping);
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
  return success();
}

/// Loops that every indexing map uses, if at all, as a plain dimension: only
/// those can be tiled independently (not `oh * s + a` of a convolution
/// window, nor `k - 1 - a` of a flipped kernel).
static llvm::SmallDenseSet<unsigned> plainLoops(linalg::LinalgOp op) {
  llvm::SmallDenseSet<unsigned> plain;
  for (unsigned i = 0; i < op.getNumLoops(); ++i)
    plain.insert(i);
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr expr : map.getResults())
      if (!isa<AffineDimExpr>(expr))
        expr.walk([&](AffineExpr e) {
          if (auto dim = dyn_cast<AffineDimExpr>(e))
            plain.erase(dim.getPosition());
        });
  return plain;
}

/// Sums of dimensions times non-negative constants: tiling computes the
/// slices of such accesses correctly (not those of `k - 1 - a`).
static bool isMonotone(AffineExpr expr) {
  if (isa<AffineDimExpr, AffineConstantExpr>(expr))
    return true;
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return false;
  if (expr.getKind() == AffineExprKind::Add)
    return isMonotone(binary.getLHS()) && isMonotone(binary.getRHS());
  if (expr.getKind() == AffineExprKind::Mul) {
    auto factor = dyn_cast<AffineConstantExpr>(binary.getRHS());
    return factor && factor.getValue() >= 0 && isMonotone(binary.getLHS());
  }
  return false;
}

static bool isTileable(linalg::LinalgOp op) {
  for (AffineMap map : op.getIndexingMapsArray())
    if (!llvm::all_of(map.getResults(), isMonotone))
      return false;
  return true;
}

/// Marks the loops the schedule creates, so that ops inside them are not
/// scheduled a second time (loops over batches of a contraction are not
/// marked: their bodies still need tiles).
constexpr llvm::StringLiteral kTileLoopAttr = "__ae_tile_loop";

/// Marks the outermost tile loop of an op whose iterations are independent
/// (a parallel iterator of the tiled op): ae-parallelize may distribute it
/// over threads. The mark survives bufferization, where it is consumed.
constexpr llvm::StringLiteral kParallelLoopAttr = "ae.parallel";

static bool isInsideTile(Operation *op) {
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp())
    if (parent->hasAttr(kTileLoopAttr))
      return true;
  return false;
}

/// A contraction with more loops than a matmul: batch loops, or several M,
/// N or reduction loops (convolutions as contractions, where the examples
/// are an N loop of the shared weight; weight gradients summed over the
/// batch and the pixels). `extra` are the loops to tile by 1 so that a plain
/// matmul remains: all but the M and N loops innermost in the result and the
/// reduction loop innermost in the operand holding M.
static std::optional<SmallVector<unsigned>>
extraContractionLoops(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || !linalg::isaContractionOpInterface(op) ||
      op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return std::nullopt;
  for (AffineMap map : op.getIndexingMapsArray())
    if (!map.isProjectedPermutation())
      return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return std::nullopt;
  if (dims->batch.empty() && dims->m.size() == 1 && dims->n.size() == 1 &&
      dims->k.size() == 1)
    return std::nullopt;
  // The last of `candidates` among the results of `map`.
  auto innermost =
      [](AffineMap map,
         ArrayRef<unsigned> candidates) -> std::optional<unsigned> {
    for (AffineExpr e : llvm::reverse(map.getResults())) {
      unsigned pos = cast<AffineDimExpr>(e).getPosition();
      if (llvm::is_contained(candidates, pos))
        return pos;
    }
    return std::nullopt;
  };
  AffineMap resultMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  std::optional<unsigned> m = innermost(resultMap, dims->m);
  std::optional<unsigned> n = innermost(resultMap, dims->n);
  std::optional<unsigned> k;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (m && map.getResultPosition(getAffineDimExpr(*m, op.getContext())))
      k = innermost(map, dims->k);
  }
  if (!m || !n || !k)
    return std::nullopt;
  SmallVector<unsigned> extra;
  for (unsigned d = 0; d < op.getNumLoops(); ++d)
    if (d != *m && d != *n && d != *k)
      extra.push_back(d);
  return extra;
}

class Scheduler {
public:
  Scheduler(func::FuncOp func, int64_t tileM, int64_t tileN,
            int64_t vectorWidth)
      : func(func), rewriter(func.getContext()), tileM(tileM), tileN(tileN),
        vectorWidth(vectorWidth) {}

  LogicalResult run();

private:
  LogicalResult convolutionsToContractions();
  LogicalResult reduceToMatmul(linalg::LinalgOp op,
                               SmallVectorImpl<linalg::LinalgOp> &matmuls);
  LogicalResult tileContraction(linalg::LinalgOp matmul);
  LogicalResult tileOther(linalg::LinalgOp op);
  LogicalResult peelLoops();
  LogicalResult tileDynamicDims();
  LogicalResult tileReductions();
  LogicalResult canonicalize();
  LogicalResult vectorize();
  void hoistSubsets();

  func::FuncOp func;
  IRRewriter rewriter;
  int64_t tileM, tileN, vectorWidth;
  /// Tile loops created in step 1, outermost first per root.
  SmallVector<scf::ForOp> tileLoops;
};

static void eraseIfDead(RewriterBase &rewriter, Operation *op) {
  if (op && op->use_empty())
    rewriter.eraseOp(op);
}

LogicalResult Scheduler::tileContraction(linalg::LinalgOp matmul) {
  linalg::ContractionDimensions dims = *matmulDims(matmul);
  // The zero fill of the accumulator and one elementwise consumer go into
  // the tile; other producers (activations feeding the matmul) are not
  // fused, they would be recomputed for every tile.
  llvm::SmallPtrSet<Operation *, 4> fusable{matmul};
  for (OpOperand &init : matmul.getDpsInitsMutable())
    if (auto fill = init.get().getDefiningOp<linalg::FillOp>())
      fusable.insert(fill);

  Value result = matmul->getResult(0);
  Operation *consumer = nullptr;
  if (result.hasOneUse() && isFusableConsumer(*result.user_begin(), result))
    consumer = *result.user_begin();

  // N outer when M is the (dynamic) batch: the strip of B for a column
  // tile stays in cache across the batch tiles. When M is static (weight
  // gradients X^T dY), M outer: successive tiles are then adjacent in the
  // rows of the gradient they write, which the hardware prefetchers follow
  // (N outer jumps 16 rows per tile).
  bool mOuter = !ShapedType::isDynamic(matmul.getStaticLoopRanges()[dims.m[0]]);
  SmallVector<OpFoldResult> tileSizes;
  SmallVector<int64_t> interchange;
  if (consumer) {
    // The consumer's loops are the (m, n) of the contraction's result.
    AffineMap resultMap =
        matmul.getIndexingMapMatchingResult(cast<OpResult>(result));
    bool mFirst = resultMap.getDimPosition(0) == dims.m[0];
    tileSizes = {rewriter.getIndexAttr(mFirst ? tileM : tileN),
                 rewriter.getIndexAttr(mFirst ? tileN : tileM)};
    interchange = mFirst == mOuter ? SmallVector<int64_t>{0, 1}
                                   : SmallVector<int64_t>{1, 0};
  } else {
    tileSizes.assign(3, rewriter.getIndexAttr(0));
    tileSizes[dims.m[0]] = rewriter.getIndexAttr(tileM);
    tileSizes[dims.n[0]] = rewriter.getIndexAttr(tileN);
    int64_t m = dims.m[0], n = dims.n[0], k = dims.k[0];
    interchange =
        mOuter ? SmallVector<int64_t>{m, n, k} : SmallVector<int64_t>{n, m, k};
  }

  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(tileSizes).setInterchange(interchange);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tiling);
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (fusable.contains(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });

  Operation *root = consumer ? consumer : matmul.getOperation();
  rewriter.setInsertionPoint(root);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(root), options);
  if (failed(tiled))
    return root->emitError("ae-tile-and-vectorize: cannot tile contraction");
  for (OpResult r : root->getResults())
    if (Value replacement = tiled->replacements.lookup(r))
      rewriter.replaceAllUsesWith(r, replacement);
  eraseIfDead(rewriter, root);
  if (consumer)
    eraseIfDead(rewriter, matmul);
  for (Operation *op : fusable)
    if (op != matmul.getOperation() && op != root)
      eraseIfDead(rewriter, op);
  for (LoopLikeOpInterface loop : tiled->loops)
    if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation())) {
      forOp->setAttr(kTileLoopAttr, rewriter.getUnitAttr());
      tileLoops.push_back(forOp);
    }
  // Both tile loops (over N and M) are parallel; the reduction is not tiled.
  // Both are marked: ae-parallelize shares the outermost that remains, and
  // the outer one may not (a dimension of 20 is peeled into 16 + 4 columns,
  // two loops of one iteration that canonicalization folds away).
  for (LoopLikeOpInterface loop : tiled->loops)
    loop->setAttr(kParallelLoopAttr, rewriter.getUnitAttr());
  return success();
}

LogicalResult Scheduler::tileOther(linalg::LinalgOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ranges.empty() || !isTileable(op))
    return success();
  // Loops that are the innermost (contiguous) dimension of the output or of
  // an input get vector-width tiles: a permuted input (a transpose) then
  // becomes a square register transpose instead of strided scalar loads.
  llvm::SmallDenseSet<unsigned> wide;
  wide.insert(ranges.size() - 1);
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (map.getNumResults() == 0 || !map.isProjectedPermutation())
      continue;
    if (auto dim = dyn_cast<AffineDimExpr>(map.getResults().back()))
      wide.insert(dim.getPosition());
  }
  llvm::SmallDenseSet<unsigned> plain = plainLoops(op);
  SmallVector<OpFoldResult> tileSizes;
  bool any = false;
  for (auto [i, range] : llvm::enumerate(ranges)) {
    int64_t size = !plain.contains(i) ? 0 : wide.contains(i) ? vectorWidth : 1;
    // Nothing to tile along a static dimension that already fits.
    if (!ShapedType::isDynamic(range) && range <= size)
      size = 0;
    any |= size != 0;
    tileSizes.push_back(rewriter.getIndexAttr(size));
  }
  if (!any)
    return success();
  // Parallel loops outside reduction loops: the outermost tile loop can be
  // shared among threads, and a reduction (a bias gradient summed over the
  // batch) keeps its accumulator tile in registers along the inner loop.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> interchange;
  if (isa<linalg::TransposeOp>(op.getOperation())) {
    // In the order of the input's dimensions: each row band of the input is
    // then read front to back (one stream per row, which the hardware
    // prefetchers follow) and the stores scatter instead; in the output's
    // order every load of a column strip missed the cache (measured: the
    // MNIST AE's weight transposes spent 80% of their time on the loads).
    AffineMap inputMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
    for (AffineExpr result : inputMap.getResults())
      interchange.push_back(cast<AffineDimExpr>(result).getPosition());
  } else {
    for (bool parallelPass : {true, false})
      for (auto [i, iterator] : llvm::enumerate(iterators))
        if ((iterator == utils::IteratorType::parallel) == parallelPass)
          interchange.push_back(i);
  }
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(tileSizes).setInterchange(interchange);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), tiling);
  if (failed(tiled))
    return op->emitError("ae-tile-and-vectorize: cannot tile op");
  rewriter.replaceOp(op, tiled->replacements);
  for (LoopLikeOpInterface loop : tiled->loops)
    if (auto forOp = dyn_cast<scf::ForOp>(loop.getOperation())) {
      forOp->setAttr(kTileLoopAttr, rewriter.getUnitAttr());
      tileLoops.push_back(forOp);
    }
  // The loops are created for the tiled dimensions in interchange order,
  // parallel ones first: mark those (the outermost that survives
  // canonicalization is shared, see tileContraction).
  unsigned loopIndex = 0;
  for (int64_t i : interchange) {
    if (isZeroInteger(tileSizes[i]))
      continue;
    if (iterators[i] != utils::IteratorType::parallel ||
        loopIndex >= tiled->loops.size())
      break;
    tiled->loops[loopIndex++]->setAttr(kParallelLoopAttr,
                                       rewriter.getUnitAttr());
  }
  return success();
}

/// Peels every tile loop whose trip count may not divide. Outer loops come
/// first in tileLoops, so inner loops are peeled in every copy of the body
/// made by peeling their parent.
LogicalResult Scheduler::peelLoops() {
  // Peeling an outer loop clones its body, so the loops to peel are found
  // again by walking: any scf.for nested in a peeled region is a tile loop.
  llvm::SetVector<Operation *> pending;
  for (scf::ForOp loop : tileLoops)
    pending.insert(loop);
  SmallVector<scf::ForOp> worklist;
  for (scf::ForOp loop : tileLoops)
    if (!loop->getParentOfType<scf::ForOp>() ||
        !pending.contains(loop->getParentOfType<scf::ForOp>()))
      worklist.push_back(loop);
  while (!worklist.empty()) {
    scf::ForOp loop = worklist.pop_back_val();
    scf::ForOp partial;
    rewriter.setInsertionPoint(loop);
    bool peeled =
        succeeded(scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial));
    // Directly nested tile loops of the main and partial bodies.
    for (scf::ForOp body : {loop, peeled ? partial : scf::ForOp()}) {
      if (!body)
        continue;
      for (Operation &inner : body.getBody()->without_terminator())
        if (auto innerFor = dyn_cast<scf::ForOp>(inner))
          worklist.push_back(innerFor);
    }
  }
  tileLoops.clear();
  return success();
}

LogicalResult Scheduler::canonicalize() {
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
  if (failed(applyPatternsGreedily(func, std::move(patterns))))
    return func.emitError("ae-tile-and-vectorize: canonicalization did not "
                          "converge");
  return success();
}

/// Remainder tiles of dynamic dimensions: tile those dimensions by 1, which
/// gives static shapes again.
LogicalResult Scheduler::tileDynamicDims() {
  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureTensorSemantics() && !isConvolution(op) && isTileable(op) &&
        llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
      ops.push_back(op);
  });
  for (linalg::LinalgOp op : ops) {
    llvm::SmallDenseSet<unsigned> plain = plainLoops(op);
    SmallVector<OpFoldResult> tileSizes;
    bool any = false;
    for (auto [i, range] : llvm::enumerate(op.getStaticLoopRanges())) {
      bool tile = ShapedType::isDynamic(range) && plain.contains(i);
      any |= tile;
      tileSizes.push_back(rewriter.getIndexAttr(tile ? 1 : 0));
    }
    if (!any)
      continue;
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(tileSizes);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), tiling);
    if (failed(tiled))
      return op->emitError("ae-tile-and-vectorize: cannot tile remainder");
    rewriter.replaceOp(op, tiled->replacements);
  }
  return success();
}

/// The reduction dimension of contractions by 1: each step is one rank-1
/// update (broadcast FMAs) of the accumulator tile.
LogicalResult Scheduler::tileReductions() {
  SmallVector<std::pair<linalg::LinalgOp, unsigned>> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (auto dims = matmulDims(op)) {
      int64_t k = op.getStaticLoopRanges()[dims->k[0]];
      if (k != 1)
        ops.push_back({op, dims->k[0]});
    }
  });
  for (auto [op, k] : ops) {
    SmallVector<OpFoldResult> tileSizes(3, rewriter.getIndexAttr(0));
    tileSizes[k] = rewriter.getIndexAttr(1);
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(tileSizes);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), tiling);
    if (failed(tiled))
      return op->emitError("ae-tile-and-vectorize: cannot tile reduction");
    rewriter.replaceOp(op, tiled->replacements);
  }
  return success();
}

/// Vectorizes small static linalg ops (what linalg::vectorize accepts).
struct VectorizeSmallOps : public RewritePattern {
  explicit VectorizeSmallOps(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || !linalg::hasVectorizationImpl(op))
      return failure();
    int64_t volume = 1;
    for (int64_t range : linalgOp.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(range))
        return failure();
      volume *= range;
    }
    if (volume > kMaxVectorElements)
      return rewriter.notifyMatchFailure(op, "too large to vectorize whole");
    FailureOr<linalg::VectorizationResult> result =
        linalg::vectorize(rewriter, op);
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, result->replacements);
    return success();
  }
};

LogicalResult Scheduler::vectorize() {
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  patterns.add<VectorizeSmallOps>(ctx);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::populateVectorReductionToContractPatterns(patterns);
  vector::populateSinkVectorOpsPatterns(patterns);
  patterns.add<linalg::LinalgCopyVTRForwardingPattern,
               linalg::LinalgCopyVTWForwardingPattern>(ctx, /*benefit=*/2);
  vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
  vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
  vector::populateVectorStepLoweringPatterns(patterns);
  if (failed(applyPatternsGreedily(func, std::move(patterns))))
    return func.emitError("ae-tile-and-vectorize: vectorization did not "
                          "converge");
  return success();
}

/// Keeps accumulator tiles in registers: a transfer_read / transfer_write
/// pair of the same tile of a loop-carried tensor moves out of the loop,
/// innermost loops first.
void Scheduler::hoistSubsets() {
  SmallVector<scf::ForOp> loops;
  func.walk<WalkOrder::PostOrder>(
      [&](scf::ForOp loop) { loops.push_back(loop); });
  for (scf::ForOp loop : loops)
    (void)hoistLoopInvariantSubsets(rewriter, loop);
}

/// linalg.conv_2d_nchw_fchw (stride s, no dilation, input already padded)
/// as im2col + a contraction batched over the examples, which then runs on
/// the register tiles of matmuls instead of scalar loops.
LogicalResult Scheduler::convolutionsToContractions() {
  SmallVector<linalg::Conv2DNchwFchwOp> convs;
  func.walk([&](linalg::Conv2DNchwFchwOp conv) {
    if (conv.hasPureTensorSemantics())
      convs.push_back(conv);
  });
  for (linalg::Conv2DNchwFchwOp conv : convs) {
    auto strides = conv.getStrides().getValues<int64_t>();
    auto dilations = conv.getDilations().getValues<int64_t>();
    if (strides[0] != strides[1] || dilations[0] != 1 || dilations[1] != 1)
      continue;
    auto wType = cast<RankedTensorType>(conv.getInputs()[1].getType());
    if (!wType.hasStaticShape() || wType.getDimSize(2) != wType.getDimSize(3))
      continue;
    rewriter.setInsertionPoint(conv);
    Value y = buildConvAsContraction(rewriter, conv.getLoc(),
                                     conv.getInputs()[0], conv.getInputs()[1],
                                     conv.getOutputs()[0], strides[0]);
    rewriter.replaceOp(conv, y);
  }
  return success();
}

/// Tiles the batch and outer reduction loops of a contraction by 1 and
/// drops them: a plain matmul per example remains.
LogicalResult
Scheduler::reduceToMatmul(linalg::LinalgOp op,
                          SmallVectorImpl<linalg::LinalgOp> &matmuls) {
  std::optional<SmallVector<unsigned>> extra = extraContractionLoops(op);
  if (!extra)
    return success();
  SmallVector<OpFoldResult> tileSizes(op.getNumLoops(),
                                      rewriter.getIndexAttr(0));
  for (unsigned d : *extra)
    tileSizes[d] = rewriter.getIndexAttr(1);
  scf::SCFTilingOptions tiling;
  tiling.setTileSizes(tileSizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), tiling);
  if (failed(tiled))
    return op->emitError("ae-tile-and-vectorize: cannot tile batch loops");
  rewriter.replaceOp(op, tiled->replacements);
  auto generic = dyn_cast<linalg::GenericOp>(tiled->tiledOps.front());
  if (!generic)
    return success();
  linalg::ControlDropUnitDims control;
  SmallVector<unsigned> dropped(extra->begin(), extra->end());
  control.controlFn = [dropped](Operation *) { return dropped; };
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::DropUnitDimsResult> result =
      linalg::dropUnitDims(rewriter, generic, control);
  if (failed(result))
    return success();
  rewriter.replaceOp(generic, result->replacements);
  if (auto matmul = dyn_cast<linalg::LinalgOp>(result->resultOp.getOperation()))
    if (matmulDims(matmul))
      matmuls.push_back(matmul);
  return success();
}

LogicalResult Scheduler::run() {
  {
    RewritePatternSet patterns(func.getContext());
    patterns.add<ReadInitInPlace>(func.getContext());
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return func.emitError("ae-tile-and-vectorize: in-place rewrite did not "
                            "converge");
  }
  // Every contraction becomes a plain matmul (per example, for
  // convolutions and batched products) with B contiguous along N.
  if (failed(convolutionsToContractions()))
    return failure();
  SmallVector<linalg::LinalgOp> contractions;
  {
    SmallVector<linalg::LinalgOp> general;
    func.walk([&](linalg::LinalgOp op) {
      if (matmulDims(op))
        contractions.push_back(op);
      else if (extraContractionLoops(op))
        general.push_back(op);
    });
    for (linalg::LinalgOp op : general)
      if (failed(reduceToMatmul(op, contractions)))
        return failure();
    SmallVector<linalg::LinalgOp> plain;
    for (linalg::LinalgOp op : contractions) {
      rewriter.setInsertionPoint(op);
      if (failed(transposeStridedB(rewriter, op)))
        return failure();
    }
    // transposeStridedB replaced some of them: collect again.
    contractions.clear();
    func.walk([&](linalg::LinalgOp op) {
      if (matmulDims(op))
        contractions.push_back(op);
    });
  }
  // Contractions first: their zero fills and elementwise consumers are
  // fused into their tiles. Then whatever is left outside tiles; it is
  // collected only now, since fusion erased some ops.
  for (linalg::LinalgOp op : contractions)
    if (failed(tileContraction(op)))
      return failure();
  // Peel while the tile loops are known (canonicalization may replace them),
  // then fold: fused fills may still feed the tensor.dim of a loop bound.
  if (failed(peelLoops()) || failed(canonicalize()))
    return failure();
  SmallVector<linalg::LinalgOp> others;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureTensorSemantics() && !isInsideTile(op) && !matmulDims(op) &&
        !isConvolution(op))
      others.push_back(op);
  });
  for (linalg::LinalgOp op : others)
    if (failed(tileOther(op)))
      return failure();
  if (failed(peelLoops()) || failed(canonicalize()) ||
      failed(tileDynamicDims()) || failed(tileReductions()) ||
      failed(canonicalize()) || failed(vectorize()))
    return failure();
  hoistSubsets();
  if (failed(canonicalize()))
    return failure();
  DominanceInfo dominance(func);
  eliminateCommonSubExpressions(rewriter, dominance, func);
  func.walk([](scf::ForOp loop) { loop->removeAttr(kTileLoopAttr); });
  return success();
}

struct TileAndVectorizePass : impl::TileAndVectorizeBase<TileAndVectorizePass> {
  using TileAndVectorizeBase::TileAndVectorizeBase;

  void runOnOperation() override {
    if (tileM <= 0 || tileN <= 0 || vectorWidth <= 0) {
      getOperation().emitError(
          "ae-tile-and-vectorize: tile sizes must be positive");
      return signalPassFailure();
    }
    if (failed(Scheduler(getOperation(), tileM, tileN, vectorWidth).run()))
      signalPassFailure();
  }
};

} // namespace
} // namespace aec
