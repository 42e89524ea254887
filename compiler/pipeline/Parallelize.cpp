//===- Parallelize.cpp - Distribute tile loops over threads ---------------===//
//
// ae-tile-and-vectorize marks the outermost tile loop of every op whose
// tiles are independent (`ae.parallel`: N tiles of a contraction, rows of an
// elementwise op, ...). After bufferization this pass turns each marked loop
// that does enough work into an OpenMP worksharing loop, with a static
// schedule and as many threads as the runtime allows
// (aert_parallel_threads(): AEC_NUM_THREADS or aert_set_num_threads, else
// every core). Each iteration writes its own tiles and no value is reduced
// across iterations, so the result does not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <functional>

namespace aec {
#define GEN_PASS_DEF_PARALLELIZE
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

constexpr llvm::StringLiteral kParallelLoopAttr = "ae.parallel";
constexpr llvm::StringLiteral kThreadsFunction = "aert_parallel_threads";
constexpr llvm::StringLiteral kThreadNumFunction = "omp_get_thread_num";
constexpr llvm::StringLiteral kNumThreadsFunction = "omp_get_num_threads";

/// Trip count assumed for loops whose bounds are not known before the
/// parallel loop starts: a register tile's worth of rows.
constexpr int64_t kAssumedTripCount = 16;

/// The elements of the largest vector result of `op` (1 for scalars).
static int64_t elementsOf(Operation &op) {
  int64_t elements = 1;
  for (Type type : op.getResultTypes())
    if (auto vector = dyn_cast<VectorType>(type))
      elements = std::max(elements, vector.getNumElements());
  return elements;
}

/// Element operations one execution of `block` performs (every op counts
/// the elements of its result, nested loops multiply their bodies by their
/// trip count), if every trip count is a constant.
static std::optional<int64_t> staticWork(Block &block) {
  int64_t work = 0;
  for (Operation &op : block) {
    work += elementsOf(op);
    int64_t trips = 1;
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      std::optional<APInt> count = loop.getStaticTripCount();
      if (!count)
        return std::nullopt;
      trips = count->getSExtValue();
    }
    for (Region &region : op.getRegions())
      for (Block &inner : region) {
        std::optional<int64_t> innerWork = staticWork(inner);
        if (!innerWork)
          return std::nullopt;
        work += trips * *innerWork;
      }
  }
  return work;
}

/// The same estimate as an index value computed before `outer`: trip counts
/// whose bounds are defined outside `outer` (the batch size, after
/// loop-invariant code motion) are computed, the others count
/// kAssumedTripCount. Folds to a constant when everything is static.
static Value buildWork(OpBuilder &b, Location loc, Block &block,
                       scf::ForOp outer);

static Value buildTripCount(OpBuilder &b, Location loc, scf::ForOp loop,
                            scf::ForOp outer) {
  if (std::optional<APInt> count = loop.getStaticTripCount())
    return arith::ConstantIndexOp::create(b, loc, count->getSExtValue());
  Value lb = loop.getLowerBound(), ub = loop.getUpperBound(),
        step = loop.getStep();
  if (loop != outer &&
      !(outer.isDefinedOutsideOfLoop(lb) && outer.isDefinedOutsideOfLoop(ub) &&
        outer.isDefinedOutsideOfLoop(step)))
    return arith::ConstantIndexOp::create(b, loc, kAssumedTripCount);
  Value span = b.createOrFold<arith::SubIOp>(loc, ub, lb);
  span = b.createOrFold<arith::MaxSIOp>(
      loc, span, arith::ConstantIndexOp::create(b, loc, 0));
  return b.createOrFold<arith::CeilDivSIOp>(loc, span, step);
}

static Value buildWork(OpBuilder &b, Location loc, Block &block,
                       scf::ForOp outer) {
  int64_t constantPart = 0;
  Value work;
  auto add = [&](Value v) {
    work = work ? b.createOrFold<arith::AddIOp>(loc, work, v) : v;
  };
  for (Operation &op : block) {
    constantPart += elementsOf(op);
    Value trips;
    if (auto loop = dyn_cast<scf::ForOp>(op))
      trips = buildTripCount(b, loc, loop, outer);
    for (Region &region : op.getRegions())
      for (Block &inner : region) {
        Value innerWork = buildWork(b, loc, inner, outer);
        add(trips ? b.createOrFold<arith::MulIOp>(loc, trips, innerWork)
                  : innerWork);
      }
  }
  add(arith::ConstantIndexOp::create(b, loc, constantPart));
  return work;
}

static bool isInsideParallelRegion(Operation *op) {
  return op->getParentOfType<omp::ParallelOp>() ||
         op->getParentOfType<scf::ParallelOp>();
}

/// scf.for {ae.parallel} without results, in function @f ->
///
///   func.func private @f__par<k>(%lo: index, %hi: index, <captured values>)
///       attributes {no_inline} {
///     scf.for %iv = %lo to %hi step <step> { <body> }
///   }
///   func.func private @f__par<k>__fork(%lb, %ub, %enough: i1, <captured>)
///       (see outlineFork: threads or not, each calling @f__par<k>)
///   ...
///   %enough = <work estimate> >= min-work
///   func.call @f__par<k>__fork(%lb, %ub, %enough, <captured values>)
///
/// The body is outlined once and called from both paths (no duplicated
/// code); the choice of path is outlined too, so that a kernel keeps one
/// call per loop and kernels sharing a body (ae-merge-functions) share it;
/// and the shares are computed here rather than by an OpenMP
/// worksharing loop: one thread never enters the OpenMP runtime, and the
/// runtime's worksharing entry points allocate in some libomp builds
/// (Debian's formats a debug trace on every __kmpc_for_static_init), which
/// would break "steady-state calls allocate nothing".
struct OutlineParallelLoop : public OpRewritePattern<scf::ForOp> {
  OutlineParallelLoop(MLIRContext *ctx, int64_t minWork)
      : OpRewritePattern(ctx), minWork(minWork) {}

  LogicalResult matchAndRewrite(scf::ForOp loop,
                                PatternRewriter &rewriter) const override {
    if (!loop->hasAttr(kParallelLoopAttr))
      return failure();
    auto parent = loop->getParentOfType<func::FuncOp>();
    if (!parent || loop.getNumResults() != 0 || isInsideParallelRegion(loop))
      return rewriter.notifyMatchFailure(loop, "carried values or nested");
    std::optional<APInt> trips = loop.getStaticTripCount();
    if (trips && trips->getSExtValue() < 2)
      return rewriter.notifyMatchFailure(loop, "fewer than two iterations");
    // Decided here when the work is known statically, else at run time
    // (at batch 1 a fork costs more than the loop).
    std::optional<int64_t> perIteration = staticWork(*loop.getBody());
    // Too little work to share is still outlined, and called directly: the
    // body is then one function for every kernel and layer that runs it
    // (ae-merge-functions), instead of a copy in each.
    bool serial = trips && perIteration &&
                  *perIteration * trips->getSExtValue() < minWork;

    // Loops nested in this one run on the thread that runs their share.
    loop.getBody()->walk(
        [](scf::ForOp inner) { inner->removeAttr(kParallelLoopAttr); });
    Location loc = loop.getLoc();
    SmallVector<Value> captured;
    func::FuncOp body = outlineBody(rewriter, loop, parent, captured);

    rewriter.setInsertionPoint(loop);
    auto call = [&](func::FuncOp callee, SmallVector<Value> args) {
      for (auto [value, type] : llvm::zip(
               captured, callee.getArgumentTypes().drop_front(args.size())))
        args.push_back(value.getType() == type
                           ? value
                           : memref::CastOp::create(rewriter, loc, type, value)
                                 .getResult());
      func::CallOp::create(rewriter, loc, callee, args);
      rewriter.eraseOp(loop);
      return success();
    };
    if (serial)
      return call(body, {loop.getLowerBound(), loop.getUpperBound()});

    // Whether the loop is worth a fork, from the work estimate computed
    // here (the batch size is known only to the kernel).
    Value enough;
    if (!trips || !perIteration) {
      Value work = rewriter.createOrFold<arith::MulIOp>(
          loc, buildTripCount(rewriter, loc, loop, loop),
          buildWork(rewriter, loc, *loop.getBody(), loop));
      enough = rewriter.createOrFold<arith::CmpIOp>(
          loc, arith::CmpIPredicate::sge, work,
          arith::ConstantIndexOp::create(rewriter, loc, minWork));
    } else {
      enough = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
    }
    func::FuncOp fork = outlineFork(rewriter, loop, body, captured);
    return call(fork, {loop.getLowerBound(), loop.getUpperBound(), enough});
  }

private:
  /// The type `value` is passed as: a memref with a static offset (a
  /// parameter's slice of the flat buffer) that the body only reads and
  /// writes element- or vector-wise is passed with a dynamic offset, so that
  /// the bodies of two layers of the same shape (the VAE's mean and
  /// log-variance heads, a deep MLP's hidden layers) are the same function
  /// for ae-merge-functions.
  static Type passedType(Value value, Region &body) {
    auto type = dyn_cast<MemRefType>(value.getType());
    if (!type)
      return value.getType();
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(offset))
      return type;
    for (OpOperand &use : value.getUses()) {
      if (!body.isAncestor(use.getOwner()->getParentRegion()))
        continue;
      if (!isa<vector::TransferReadOp, vector::TransferWriteOp, vector::LoadOp,
               vector::StoreOp, memref::LoadOp, memref::StoreOp, memref::DimOp>(
              use.getOwner()))
        return type; // a view whose type depends on the layout
    }
    auto layout = StridedLayoutAttr::get(type.getContext(),
                                         ShapedType::kDynamic, strides);
    return MemRefType::get(type.getShape(), type.getElementType(), layout,
                           type.getMemorySpace());
  }

  /// The body as a function of its iteration range and of `captured`, the
  /// values it uses from above (constants are cloned into it instead, so
  /// that LLVM still sees them).
  static func::FuncOp outlineBody(PatternRewriter &rewriter, scf::ForOp loop,
                                  func::FuncOp parent,
                                  SmallVectorImpl<Value> &captured) {
    llvm::SetVector<Value> above;
    getUsedValuesDefinedAbove(loop.getRegion(), above);
    above.insert(loop.getStep());
    // Constants, and vectors that pure ops compute from other values (the
    // splats of loop invariants that hoisting moved out of the loop), are
    // recomputed in the body rather than passed: a vector<16x16xf32>
    // argument is a kilobyte copied through every call and OpenMP region,
    // its broadcast one instruction.
    SmallVector<Operation *> recomputed; // operands before users
    llvm::SmallPtrSet<Operation *, 8> seen;
    llvm::SetVector<Value> passed;
    std::function<void(Value)> visit = [&](Value value) {
      Operation *def = value.getDefiningOp();
      bool recompute =
          def && (def->hasTrait<OpTrait::ConstantLike>() ||
                  (isa<VectorType>(value.getType()) &&
                   def->getNumRegions() == 0 && isMemoryEffectFree(def)));
      if (!recompute) {
        passed.insert(value);
        return;
      }
      if (!seen.insert(def).second)
        return;
      for (Value operand : def->getOperands())
        visit(operand);
      recomputed.push_back(def);
    };
    for (Value value : above)
      visit(value);
    captured.append(passed.begin(), passed.end());
    SmallVector<Type> argTypes(2, rewriter.getIndexType());
    for (Value value : captured)
      argTypes.push_back(passedType(value, loop.getRegion()));

    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointAfter(parent);
    // Unique: the pass numbered the marked loops of the module.
    auto id = loop->getAttrOfType<IntegerAttr>(kParallelLoopAttr);
    std::string name =
        (parent.getName() + "__par" + Twine(id ? id.getInt() : 0)).str();
    auto func = func::FuncOp::create(rewriter, loop.getLoc(), name,
                                     rewriter.getFunctionType(argTypes, {}));
    func.setPrivate();
    // Internal to the object, and one copy of the body: LLVM would otherwise
    // inline it into both the threaded and the single-thread path.
    func->setAttr(
        "llvm.linkage",
        LLVM::LinkageAttr::get(rewriter.getContext(), LLVM::Linkage::Internal));
    func->setAttr("passthrough",
                  rewriter.getArrayAttr({rewriter.getStringAttr("noinline")}));
    Block *entry = func.addEntryBlock();
    rewriter.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (auto [value, arg] :
         llvm::zip(captured, entry->getArguments().drop_front(2)))
      mapping.map(value, arg);
    for (Operation *def : recomputed)
      rewriter.clone(*def, mapping);
    Value step = mapping.lookupOrDefault(loop.getStep());
    auto inner =
        scf::ForOp::create(rewriter, loop.getLoc(), entry->getArgument(0),
                           entry->getArgument(1), step);
    mapping.map(loop.getInductionVar(), inner.getInductionVar());
    rewriter.setInsertionPointToStart(inner.getBody());
    for (Operation &op : loop.getBody()->without_terminator())
      rewriter.clone(op, mapping);
    rewriter.setInsertionPointToEnd(entry);
    func::ReturnOp::create(rewriter, loop.getLoc());
    return func;
  }

  /// The choice between threads and one thread, next to the body so that
  /// kernels sharing a loop body (ae-merge-functions) share it too:
  ///
  ///   func.func private @f__par<k>__fork(%lb, %ub, %enough: i1,
  ///                                      <captured values>) {
  ///     %t = func.call @aert_parallel_threads() : () -> i32
  ///     scf.if (%t > 1 and %enough) {
  ///       omp.parallel num_threads(%t : i32) {
  ///         <this thread's share [%lo, %hi) of the iterations>
  ///         func.call @f__par<k>(%lo, %hi, <captured values>)
  ///       }
  ///     } else {
  ///       func.call @f__par<k>(%lb, %ub, <captured values>)
  ///     }
  ///   }
  static func::FuncOp outlineFork(PatternRewriter &rewriter, scf::ForOp loop,
                                  func::FuncOp body, ArrayRef<Value> captured) {
    Location loc = loop.getLoc();
    Type index = rewriter.getIndexType();
    Type i1 = rewriter.getI1Type();
    Type i32 = rewriter.getI32Type();
    SmallVector<Type> argTypes = {index, index, i1};
    llvm::append_range(argTypes, body.getArgumentTypes().drop_front(2));

    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPointAfter(body);
    auto fork =
        func::FuncOp::create(rewriter, loc, (body.getName() + "__fork").str(),
                             rewriter.getFunctionType(argTypes, {}));
    fork.setPrivate();
    fork->setAttr("llvm.linkage", body->getAttr("llvm.linkage"));
    fork->setAttr("passthrough", body->getAttr("passthrough"));
    Block *entry = fork.addEntryBlock();
    rewriter.setInsertionPointToStart(entry);
    Value lb = entry->getArgument(0), ub = entry->getArgument(1),
          enough = entry->getArgument(2);
    ValueRange capturedArgs = entry->getArguments().drop_front(3);
    Value step;
    if (Operation *def = loop.getStep().getDefiningOp();
        def && def->hasTrait<OpTrait::ConstantLike>())
      step = rewriter.clone(*def)->getResult(0);
    else
      step =
          capturedArgs[llvm::find(captured, loop.getStep()) - captured.begin()];
    auto callBody = [&](OpBuilder &b, Value lo, Value hi) {
      SmallVector<Value> args = {lo, hi};
      args.append(capturedArgs.begin(), capturedArgs.end());
      func::CallOp::create(b, loc, body, args);
    };

    Value threads = func::CallOp::create(rewriter, loc, kThreadsFunction,
                                         TypeRange{i32}, ValueRange{})
                        .getResult(0);
    Value one = arith::ConstantIntOp::create(rewriter, loc, i32, 1);
    Value several = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::sgt, threads, one);
    several = arith::AndIOp::create(rewriter, loc, several, enough);
    scf::IfOp::create(
        rewriter, loc, several,
        [&](OpBuilder &b, Location nloc) {
          omp::ParallelOperands clauses;
          clauses.numThreads = threads;
          auto parallel = omp::ParallelOp::create(b, nloc, clauses);
          OpBuilder::InsertionGuard guard(b);
          b.createBlock(&parallel.getRegion());
          auto [lo, hi] = threadShare(b, nloc, lb, ub, step);
          callBody(b, lo, hi);
          omp::TerminatorOp::create(b, nloc);
          b.setInsertionPointAfter(parallel);
          scf::YieldOp::create(b, nloc);
        },
        [&](OpBuilder &b, Location nloc) {
          callBody(b, lb, ub);
          scf::YieldOp::create(b, nloc);
        });
    func::ReturnOp::create(rewriter, loc);
    return fork;
  }

  /// [lo, hi): the iterations of thread omp_get_thread_num() of
  /// omp_get_num_threads(), in contiguous equal shares (the last ones
  /// shorter), so each thread's share depends only on the thread count.
  static std::pair<Value, Value> threadShare(OpBuilder &b, Location loc,
                                             Value lb, Value ub, Value step) {
    Type i32 = b.getI32Type();
    Type index = b.getIndexType();
    auto ompCall = [&](StringRef name) -> Value {
      Value v = func::CallOp::create(b, loc, name, TypeRange{i32}, ValueRange{})
                    .getResult(0);
      return arith::IndexCastOp::create(b, loc, index, v);
    };
    Value thread = ompCall(kThreadNumFunction);
    Value count = ompCall(kNumThreadsFunction);
    // trips = ceil((ub - lb) / step); share = ceil(trips / count).
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    Value trips = arith::CeilDivUIOp::create(b, loc, span, step);
    Value share = arith::CeilDivUIOp::create(b, loc, trips, count);
    Value first = arith::MulIOp::create(b, loc, thread, share);
    Value last = arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, first, share), trips);
    first = arith::MinUIOp::create(b, loc, first, trips);
    auto toIV = [&](Value i) -> Value {
      return arith::AddIOp::create(b, loc, lb,
                                   arith::MulIOp::create(b, loc, i, step));
    };
    return {toIV(first), arith::MinUIOp::create(b, loc, toIV(last), ub)};
  }

  int64_t minWork;
};

struct ParallelizePass : impl::ParallelizeBase<ParallelizePass> {
  using ParallelizeBase::ParallelizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    // Number the marked loops (the outlined bodies are named after them),
    // and hoist what their bodies compute from invariants (bounds of the
    // batch loops) so that the run-time work estimate can use it.
    int64_t count = 0;
    module.walk([&](scf::ForOp loop) {
      if (!loop->hasAttr(kParallelLoopAttr))
        return;
      loop->setAttr(kParallelLoopAttr,
                    IntegerAttr::get(IndexType::get(ctx), count++));
      moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
    });
    RewritePatternSet patterns(ctx);
    patterns.add<OutlineParallelLoop>(ctx, minWork);
    // Outer loops first: a marked loop nested in a shared one is unmarked
    // when its parent is outlined; it is shared only when its parents are
    // not (one iteration, or too little work).
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true);
    if (failed(applyPatternsGreedily(module, std::move(patterns), config))) {
      module.emitError("ae-parallelize: rewrite did not converge");
      return signalPassFailure();
    }
    bool used = false;
    module.walk([&](Operation *op) {
      op->removeAttr(kParallelLoopAttr);
      used |= isa<omp::ParallelOp>(op);
    });
    if (!used)
      return;
    OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
    for (StringRef name :
         {kThreadsFunction, kThreadNumFunction, kNumThreadsFunction}) {
      if (SymbolTable::lookupSymbolIn(module, name))
        continue;
      auto decl = func::FuncOp::create(
          builder, module.getLoc(), name,
          builder.getFunctionType({}, {builder.getI32Type()}));
      decl.setPrivate();
    }
  }
};

} // namespace
} // namespace aec
