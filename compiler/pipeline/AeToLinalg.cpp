//===- AeToLinalg.cpp - Lower the ae dialect to linalg on tensors ---------===//
//
// Every ae op becomes linalg named ops (matmul, conv_2d_nchw_fchw,
// transpose) or linalg.generic, plus tensor / arith / math ops; losses
// become reductions. The batch dimension stays dynamic. Random numbers
// (ae.noise, ae.reparam) are Philox4x32-10 computed inline with arith ops,
// keyed exactly like the runtime's aert_uniform / aert_normal
// (docs/internals.md, "RNG").
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Convolution.h"
#include "compiler/pipeline/Passes.h"

#include "dialect/AeDialect.h"
#include "dialect/AeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

namespace aec {
#define GEN_PASS_DEF_AETOLINALG
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

using BodyFn =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

Value f32Const(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// tensor.empty of `type`; its dynamic dimensions (ae: only the batch) have
/// the size of the same dimension of `like`.
Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type, Value like) {
  SmallVector<Value> dynamic;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      dynamic.push_back(tensor::DimOp::create(b, loc, like, i));
  return tensor::EmptyOp::create(b, loc, type, dynamic);
}

Value zeroFilled(OpBuilder &b, Location loc, RankedTensorType type,
                 Value like) {
  Value empty = emptyLike(b, loc, type, like);
  return linalg::FillOp::create(b, loc, f32Const(b, loc, 0.0), empty)
      .getResult(0);
}

SmallVector<utils::IteratorType> parallel(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

/// A linalg.generic over the shape of `like` (every map the identity) with
/// one result per element of `resultTypes`.
SmallVector<Value> elementwise(OpBuilder &b, Location loc,
                               TypeRange resultTypes, ValueRange inputs,
                               Value like, BodyFn body) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<Value> inits;
  for (Type t : resultTypes)
    inits.push_back(emptyLike(b, loc, cast<RankedTensorType>(t), like));
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps(inputs.size() + inits.size(), id);
  auto op = linalg::GenericOp::create(
      b, loc, resultTypes, inputs, inits, maps, parallel(type.getRank()),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> results =
            body(nb, nloc, args.take_front(inputs.size()));
        linalg::YieldOp::create(nb, nloc, results);
      });
  return SmallVector<Value>(op->getResults());
}

Value elementwise1(
    OpBuilder &b, Location loc, Type resultType, ValueRange inputs, Value like,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  return elementwise(b, loc, resultType, inputs, like,
                     [&](OpBuilder &nb, Location nloc, ValueRange args) {
                       return SmallVector<Value>{body(nb, nloc, args)};
                     })
      .front();
}

/// Replaces `op` by the elementwise() generic over the shape of its first
/// input that computes all its results.
LogicalResult replaceWithElementwise(PatternRewriter &rewriter, Operation *op,
                                     ValueRange inputs, BodyFn body) {
  rewriter.replaceOp(op,
                     elementwise(rewriter, op->getLoc(), op->getResultTypes(),
                                 inputs, inputs.front(), body));
  return success();
}

/// replaceWithElementwise for a one-result op.
LogicalResult replaceWithElementwise1(
    PatternRewriter &rewriter, Operation *op, ValueRange inputs,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  rewriter.replaceOp(op, elementwise1(rewriter, op->getLoc(),
                                      op->getResult(0).getType(), inputs,
                                      inputs.front(), body));
  return success();
}

/// Lanes of the per-example partial sums of sumAll: one vector register.
constexpr int64_t kSumLanes = 16;

/// sum over every element of the inputs (same shapes, batch first) of
/// `term(elements)`, as an f32 scalar. The sum is accumulated in f64: a loss
/// is a sum of n D terms, and f32 accumulation error would dominate the
/// finite differences that check gradients through it.
///
/// Two stages, so that the expensive one runs in parallel over examples and
/// vectorizes without a horizontal reduction per vector: each example's D
/// terms are summed into kSumLanes lane partials (when D divides; else into
/// one partial), a [batch, lanes] tensor whose rows are independent; then
/// the small tensor of partials is summed. The order of the additions is
/// fixed, so @loss and @loss_grad agree bit for bit at any thread count.
Value sumAll(OpBuilder &b, Location loc, ValueRange inputs,
             function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(inputs.front().getType());
  Type f64 = b.getF64Type();
  Value zero = arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0.0));
  int64_t rank = type.getRank();
  int64_t perExample = 1;
  for (int64_t d : type.getShape().drop_front())
    perExample =
        ShapedType::isDynamic(d) ? ShapedType::kDynamic : perExample * d;
  auto sumInto = [&](ValueRange ins, ArrayRef<AffineMap> inMaps,
                     RankedTensorType outType, Value like, AffineMap outMap,
                     ArrayRef<utils::IteratorType> iterators, bool applyTerm) {
    Value init =
        linalg::FillOp::create(b, loc, zero, emptyLike(b, loc, outType, like))
            .getResult(0);
    SmallVector<AffineMap> maps(inMaps);
    maps.push_back(outMap);
    return linalg::GenericOp::create(
               b, loc, outType, ins, init, maps, iterators,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value t = args.front();
                 if (applyTerm)
                   t = arith::ExtFOp::create(nb, nloc, f64,
                                             term(nb, nloc, args.drop_back()));
                 linalg::YieldOp::create(nb, nloc,
                                         ValueRange{arith::AddFOp::create(
                                             nb, nloc, args.back(), t)});
               })
        .getResult(0);
  };
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  using utils::IteratorType;
  Value partials;
  if (rank >= 2 && !ShapedType::isDynamic(perExample) &&
      perExample % kSumLanes == 0) {
    // [n, ...] -> [n, D / lanes, lanes]; (i, c, l): partials[i, l] += t.
    SmallVector<Value> grouped;
    auto groupedType = RankedTensorType::get(
        {type.getDimSize(0), perExample / kSumLanes, kSumLanes},
        type.getElementType());
    SmallVector<ReassociationIndices> flat = {{0}, {}};
    for (int64_t i = 1; i < rank; ++i)
      flat[1].push_back(i);
    for (Value input : inputs) {
      Value flatInput = tensor::CollapseShapeOp::create(b, loc, input, flat);
      SmallVector<OpFoldResult> shape = {tensor::getMixedSize(b, loc, input, 0),
                                         b.getIndexAttr(perExample / kSumLanes),
                                         b.getIndexAttr(kSumLanes)};
      grouped.push_back(tensor::ExpandShapeOp::create(
          b, loc, groupedType, flatInput,
          ArrayRef<ReassociationIndices>{{0}, {1, 2}}, shape));
    }
    SmallVector<AffineMap> inMaps(inputs.size(), b.getMultiDimIdentityMap(3));
    partials =
        sumInto(grouped, inMaps,
                RankedTensorType::get({type.getDimSize(0), kSumLanes}, f64),
                inputs.front(), AffineMap::get(3, 0, {d(0), d(2)}, ctx),
                {IteratorType::parallel, IteratorType::reduction,
                 IteratorType::parallel},
                /*applyTerm=*/true);
  } else {
    // One partial per example: (i, ...) -> partials[i, 0].
    SmallVector<AffineMap> inMaps(inputs.size(),
                                  b.getMultiDimIdentityMap(rank));
    SmallVector<IteratorType> iterators(rank, IteratorType::reduction);
    iterators[0] = IteratorType::parallel;
    partials = sumInto(
        inputs, inMaps, RankedTensorType::get({type.getDimSize(0), 1}, f64),
        inputs.front(),
        AffineMap::get(rank, 0, {d(0), getAffineConstantExpr(0, ctx)}, ctx),
        iterators, /*applyTerm=*/true);
  }
  // The partials, summed in a fixed order.
  auto scalarType = RankedTensorType::get({}, f64);
  Value total =
      linalg::FillOp::create(
          b, loc, zero,
          tensor::EmptyOp::create(b, loc, scalarType, ValueRange{}).getResult())
          .getResult(0);
  total =
      linalg::GenericOp::create(
          b, loc, scalarType, partials, total,
          ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2),
                              AffineMap::get(2, 0, {}, ctx)},
          {IteratorType::reduction, IteratorType::reduction},
          [](OpBuilder &nb, Location nloc, ValueRange args) {
            linalg::YieldOp::create(
                nb, nloc,
                ValueRange{arith::AddFOp::create(nb, nloc, args[1], args[0])});
          })
          .getResult(0);
  Value sum = tensor::ExtractOp::create(b, loc, total, ValueRange{});
  return arith::TruncFOp::create(b, loc, b.getF32Type(), sum);
}

/// The batch size (dimension 0) of `t` as an f32.
Value batchSizeF32(OpBuilder &b, Location loc, Value t) {
  Value n = tensor::DimOp::create(b, loc, t, 0);
  Value n64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), n);
  return arith::SIToFPOp::create(b, loc, b.getF32Type(), n64);
}

/// Elements per example: the product of the static dimensions after the
/// batch.
int64_t exampleSize(Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t size = 1;
  for (int64_t d : type.getShape().drop_front())
    size *= d;
  return size;
}

/// The number of elements of the batch `t` (n times the example size) as
/// an f32.
Value elementCountF32(OpBuilder &b, Location loc, Value t) {
  return arith::MulFOp::create(b, loc, batchSizeF32(b, loc, t),
                               f32Const(b, loc, exampleSize(t)));
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = f32Const(b, loc, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one,
                               arith::AddFOp::create(b, loc, one, e));
}

/// log(1 + exp(-|x|)) + max(x, 0): softplus without overflow.
Value softplus(OpBuilder &b, Location loc, Value x) {
  Value zero = f32Const(b, loc, 0.0);
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  Value log1p =
      math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
  return arith::AddFOp::create(b, loc, log1p,
                               arith::MaximumFOp::create(b, loc, x, zero));
}

//===----------------------------------------------------------------------===//
// Philox4x32-10 (runtime/Random.cpp computes the same function)
//===----------------------------------------------------------------------===//

constexpr uint32_t kPhiloxMul0 = 0xD2511F53u, kPhiloxMul1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxWeyl0 = 0x9E3779B9u, kPhiloxWeyl1 = 0xBB67AE85u;
constexpr int kPhiloxRounds = 10;

Value i32Const(OpBuilder &b, Location loc, uint32_t v) {
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(b.getI32Type(), static_cast<int32_t>(v)));
}

/// The high 32 bits of the i64 `v`, as an i32.
Value high32(OpBuilder &b, Location loc, Value v) {
  return arith::TruncIOp::create(
      b, loc, b.getI32Type(),
      arith::ShRUIOp::create(
          b, loc, v,
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32))));
}

/// The per-round keys of (seed lo, seed hi), computed once outside the
/// element loop.
struct PhiloxKeys {
  SmallVector<Value, kPhiloxRounds> k0, k1;
};

PhiloxKeys philoxKeys(OpBuilder &b, Location loc, Value seed) {
  Type i32 = b.getI32Type();
  Value lo = arith::TruncIOp::create(b, loc, i32, seed);
  Value hi = high32(b, loc, seed);
  PhiloxKeys keys;
  for (int r = 0; r < kPhiloxRounds; ++r) {
    // Round r uses key + r * Weyl (mod 2^32).
    keys.k0.push_back(
        r == 0 ? lo
               : arith::AddIOp::create(
                     b, loc, lo, i32Const(b, loc, uint32_t(r) * kPhiloxWeyl0)));
    keys.k1.push_back(
        r == 0 ? hi
               : arith::AddIOp::create(
                     b, loc, hi, i32Const(b, loc, uint32_t(r) * kPhiloxWeyl1)));
  }
  return keys;
}

/// philox(counter = (index lo, index hi, call lo, stream), keys): 4 words.
std::array<Value, 4> philox(OpBuilder &b, Location loc, Value index, Value call,
                            uint32_t stream, const PhiloxKeys &keys) {
  Type i32 = b.getI32Type();
  Value c0 = arith::TruncIOp::create(b, loc, i32, index);
  Value c1 = high32(b, loc, index);
  Value c2 = arith::TruncIOp::create(b, loc, i32, call);
  Value c3 = i32Const(b, loc, stream);
  Value m0 = i32Const(b, loc, kPhiloxMul0), m1 = i32Const(b, loc, kPhiloxMul1);
  for (int r = 0; r < kPhiloxRounds; ++r) {
    auto p0 = arith::MulUIExtendedOp::create(b, loc, m0, c0);
    auto p1 = arith::MulUIExtendedOp::create(b, loc, m1, c2);
    Value n0 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p1.getHigh(), c1), keys.k0[r]);
    Value n2 = arith::XOrIOp::create(
        b, loc, arith::XOrIOp::create(b, loc, p0.getHigh(), c3), keys.k1[r]);
    c0 = n0;
    c1 = p1.getLow();
    c2 = n2;
    c3 = p0.getLow();
  }
  return {c0, c1, c2, c3};
}

/// (float(word) + 0.5f) * 2^-32 in f32 arithmetic, like aert_uniform.
Value wordToUniform(OpBuilder &b, Location loc, Value word) {
  Value f = arith::UIToFPOp::create(b, loc, b.getF32Type(), word);
  Value half = arith::AddFOp::create(b, loc, f, f32Const(b, loc, 0.5));
  return arith::MulFOp::create(b, loc, half, f32Const(b, loc, 0x1p-32));
}

/// Box-Muller like aert_normal: sqrt(-2 log(u1)) cos(2 pi u2).
Value wordsToNormal(OpBuilder &b, Location loc, Value w0, Value w1) {
  Value u1 = wordToUniform(b, loc, w0), u2 = wordToUniform(b, loc, w1);
  Value r = math::SqrtOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, f32Const(b, loc, -2.0),
                            math::LogOp::create(b, loc, u1)));
  Value angle = arith::MulFOp::create(
      b, loc, f32Const(b, loc, 6.28318530717958647692), u2);
  return arith::MulFOp::create(b, loc, r, math::CosOp::create(b, loc, angle));
}

/// Row-major index (i64) of the current element of a linalg.generic whose
/// loops span `shape` (dimension 0 may be dynamic).
Value linearIndex(OpBuilder &b, Location loc, ArrayRef<int64_t> shape) {
  Value index = linalg::IndexOp::create(b, loc, 0);
  for (size_t d = 1; d < shape.size(); ++d) {
    Value scaled =
        arith::MulIOp::create(b, loc, index, indexConst(b, loc, shape[d]));
    index = arith::AddIOp::create(b, loc, scaled,
                                  linalg::IndexOp::create(b, loc, d));
  }
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
}

constexpr uint32_t kStreamNoise = 1, kStreamReparam = 2;

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

/// y[i, j] = x[i, j] + b[channel], for a bias broadcast along dimension 1.
Value addChannelBias(OpBuilder &b, Location loc, Value y, Value bias) {
  auto type = cast<RankedTensorType>(y.getType());
  int64_t rank = type.getRank();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap channel = AffineMap::get(rank, 0, b.getAffineDimExpr(1));
  Value init = emptyLike(b, loc, type, y);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{y, bias}, init,
             ArrayRef<AffineMap>{id, channel, id}, parallel(rank),
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               linalg::YieldOp::create(nb, nloc,
                                       ValueRange{arith::AddFOp::create(
                                           nb, nloc, args[0], args[1])});
             })
      .getResult(0);
}

/// linalg.matmul computing op(lhs) op(rhs) into a zero-filled `type`.
Value matmul(OpBuilder &b, Location loc, RankedTensorType type, Value lhs,
             Value rhs, bool transposeA, bool transposeB, Value batchLike) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  AffineMap a = AffineMap::get(3, 0,
                               transposeA ? ArrayRef<AffineExpr>{k, m}
                                          : ArrayRef<AffineExpr>{m, k},
                               ctx);
  AffineMap bm = AffineMap::get(3, 0,
                                transposeB ? ArrayRef<AffineExpr>{n, k}
                                           : ArrayRef<AffineExpr>{k, n},
                                ctx);
  AffineMap c = AffineMap::get(3, 0, {m, n}, ctx);
  Value init = zeroFilled(b, loc, type, batchLike);
  SmallVector<NamedAttribute> attrs;
  if (transposeA || transposeB)
    attrs.push_back(
        b.getNamedAttr("indexing_maps", b.getAffineMapArrayAttr({a, bm, c})));
  return linalg::MatmulOp::create(b, loc, TypeRange{type}, ValueRange{lhs, rhs},
                                  ValueRange{init}, attrs)
      .getResult(0);
}

struct DenseLowering : OpRewritePattern<ae::DenseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::DenseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value y = matmul(rewriter, loc, type, op.getInput(), op.getWeight(), false,
                     false, op.getInput());
    if (Value bias = op.getBias())
      y = addChannelBias(rewriter, loc, y, bias);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct MatMulLowering : OpRewritePattern<ae::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    // A dynamic result dimension is the batch: dimension 0 of lhs
    // (no transpose_a) or of rhs (transpose_a with a batch column count).
    Value like = op.getLhs();
    if (type.isDynamicDim(1) && !type.isDynamicDim(0))
      like = op.getRhs();
    rewriter.replaceOp(op, matmul(rewriter, op.getLoc(), type, op.getLhs(),
                                  op.getRhs(), op.getTransposeA(),
                                  op.getTransposeB(), like));
    return success();
  }
};

/// Zero-pads dimensions 2 and 3 of an NCHW tensor by (lo, hi) each.
Value padSpatial(OpBuilder &b, Location loc, Value x, int64_t loH, int64_t hiH,
                 int64_t loW, int64_t hiW) {
  if (loH == 0 && hiH == 0 && loW == 0 && hiW == 0)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += loH + hiH;
  shape[3] += loW + hiW;
  auto padded = RankedTensorType::get(shape, type.getElementType());
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                   b.getIndexAttr(loH), b.getIndexAttr(loW)};
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(hiH), b.getIndexAttr(hiW)};
  return tensor::PadOp::create(b, loc, padded, x, low, high,
                               f32Const(b, loc, 0.0));
}

/// linalg.conv_2d_nchw_fchw of x (already padded) and w into `type`.
Value conv2d(OpBuilder &b, Location loc, RankedTensorType type, Value x,
             Value w, int64_t stride) {
  Value init = zeroFilled(b, loc, type, x);
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides", b.getI64TensorAttr({stride, stride})),
      b.getNamedAttr("dilations", b.getI64TensorAttr({1, 1}))};
  return linalg::Conv2DNchwFchwOp::create(
             b, loc, TypeRange{type}, ValueRange{x, w}, ValueRange{init}, attrs)
      .getResult(0);
}

int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

/// A transposed convolution (the adjoint of a convolution with stride s and
/// padding p): every input pixel scatters x * w[ci, co] into a k x k window
/// of the output. Computed as a contraction
/// cols[i, (co, a, b), (y, x)] = sum_ci w[ci, (co, a, b)] x[i, ci, (y, x)]
/// followed by col2im: for each kernel tap (a, b), a strided add of
/// cols[i, co, a, b, y, x] into out[i, co, y s - p + a, x s - p + b] over the
/// (statically known) pixels that land inside the output. `w` is stored
/// [Ci, Co, k, k]; the result has type `type` [n, Co, outH, outW].
Value transposedConv(OpBuilder &b, Location loc, RankedTensorType type, Value x,
                     Value w, int64_t s, int64_t p) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  Type f32 = b.getF32Type();
  int64_t ci = wType.getDimSize(0), co = wType.getDimSize(1);
  int64_t k = wType.getDimSize(2);
  int64_t h = xType.getDimSize(2), wd = xType.getDimSize(3);
  int64_t outH = type.getDimSize(2), outW = type.getDimSize(3);
  int64_t q = co * k * k;

  Value w2 = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({ci, q}, f32), w,
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  Value x3 = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({xType.getDimSize(0), ci, h * wd}, f32), x,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  auto colsType = RankedTensorType::get({xType.getDimSize(0), q, h * wd}, f32);
  // Loops (i, q, hw, ci): cols[i, q, hw] += w[ci, q] x[i, ci, hw].
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Value cols = buildContraction(
      b, loc, w2, AffineMap::get(4, 0, {d(3), d(1)}, ctx), x3,
      AffineMap::get(4, 0, {d(0), d(3), d(2)}, ctx),
      zeroFilled(b, loc, colsType, x),
      AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx),
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::parallel, utils::IteratorType::reduction});
  SmallVector<OpFoldResult> colsShape = {tensor::getMixedSize(b, loc, x, 0),
                                         b.getIndexAttr(co),
                                         b.getIndexAttr(k),
                                         b.getIndexAttr(k),
                                         b.getIndexAttr(h),
                                         b.getIndexAttr(wd)};
  Value cols6 = tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({xType.getDimSize(0), co, k, k, h, wd}, f32), cols,
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}}, colsShape);

  // col2im, one strided add per kernel tap.
  Value y = zeroFilled(b, loc, type, x);
  OpFoldResult n = tensor::getMixedSize(b, loc, x, 0);
  auto range = [&](int64_t tap, int64_t in, int64_t out) {
    // Input rows y with 0 <= y s - p + tap < out.
    int64_t first = std::max<int64_t>(0, ceilDiv(p - tap, s));
    int64_t last = std::min<int64_t>(in - 1, floorDiv(out - 1 + p - tap, s));
    return std::make_pair(first, last - first + 1);
  };
  for (int64_t a = 0; a < k; ++a) {
    auto [y0, cy] = range(a, h, outH);
    if (cy <= 0)
      continue;
    for (int64_t bb = 0; bb < k; ++bb) {
      auto [x0, cx] = range(bb, wd, outW);
      if (cx <= 0)
        continue;
      auto tileType =
          RankedTensorType::get({xType.getDimSize(0), co, cy, cx}, f32);
      Value src = tensor::ExtractSliceOp::create(
          b, loc, tileType, cols6,
          ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0),
                                 b.getIndexAttr(a), b.getIndexAttr(bb),
                                 b.getIndexAttr(y0), b.getIndexAttr(x0)},
          ArrayRef<OpFoldResult>{n, b.getIndexAttr(co), b.getIndexAttr(1),
                                 b.getIndexAttr(1), b.getIndexAttr(cy),
                                 b.getIndexAttr(cx)},
          ArrayRef<OpFoldResult>(
              SmallVector<OpFoldResult>(6, b.getIndexAttr(1))));
      SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0),
                                           b.getIndexAttr(y0 * s - p + a),
                                           b.getIndexAttr(x0 * s - p + bb)};
      SmallVector<OpFoldResult> sizes = {
          n, b.getIndexAttr(co), b.getIndexAttr(cy), b.getIndexAttr(cx)};
      SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1),
                                           b.getIndexAttr(s),
                                           b.getIndexAttr(s)};
      Value dst = tensor::ExtractSliceOp::create(b, loc, tileType, y, offsets,
                                                 sizes, strides);
      Value sum = elementwise1(
          b, loc, tileType, ValueRange{dst, src}, dst,
          [](OpBuilder &nb, Location nloc, ValueRange args) {
            return arith::AddFOp::create(nb, nloc, args[0], args[1]);
          });
      y = tensor::InsertSliceOp::create(b, loc, sum, y, offsets, sizes,
                                        strides);
    }
  }
  return y;
}

struct Conv2DLowering : OpRewritePattern<ae::Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t pad = op.getPad();
    Value x = padSpatial(rewriter, loc, op.getInput(), pad, pad, pad, pad);
    Value y = conv2d(rewriter, loc, cast<RankedTensorType>(op.getType()), x,
                     op.getWeight(), op.getStride());
    if (Value bias = op.getBias())
      y = addChannelBias(rewriter, loc, y, bias);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct Deconv2DLowering : OpRewritePattern<ae::Deconv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::Deconv2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value y = transposedConv(
        rewriter, loc, cast<RankedTensorType>(op.getType()), op.getInput(),
        op.getWeight(), op.getStride(), op.getPad());
    if (Value bias = op.getBias())
      y = addChannelBias(rewriter, loc, y, bias);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// The adjoint of the convolution: a transposed convolution of dy with the
/// same [F, C, k, k] weight (F input, C output channels).
struct Conv2DGradInputLowering : OpRewritePattern<ae::Conv2DGradInputOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::Conv2DGradInputOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, transposedConv(rewriter, op.getLoc(),
                                          cast<RankedTensorType>(op.getType()),
                                          op.getGrad(), op.getWeight(),
                                          op.getStride(), op.getPad()));
    return success();
  }
};

/// dw[f, (c, a, b)] = sum_{i, p} dy[i, f, p] cols[i, (c, a, b), p] with the
/// im2col of the padded input: a contraction over the batch and the output
/// pixels.
struct Conv2DGradWeightLowering : OpRewritePattern<ae::Conv2DGradWeightOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::Conv2DGradWeightOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    auto dyType = cast<RankedTensorType>(op.getGrad().getType());
    Type f32 = rewriter.getF32Type();
    int64_t f = type.getDimSize(0), k = type.getDimSize(2);
    int64_t q = type.getDimSize(1) * k * k;
    int64_t outH = dyType.getDimSize(2), outW = dyType.getDimSize(3);
    int64_t p = op.getPad();
    Value x = padSpatial(rewriter, loc, op.getInput(), p, p, p, p);
    Value cols = buildIm2Col(rewriter, loc, x, k, op.getStride(), outH, outW);
    Value dy3 = tensor::CollapseShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({dyType.getDimSize(0), f, outH * outW}, f32),
        op.getGrad(), ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    auto flatType = RankedTensorType::get({f, q}, f32);
    // Loops (f, q, i, p).
    Value dw2 = buildContraction(
        rewriter, loc, dy3, AffineMap::get(4, 0, {d(2), d(0), d(3)}, ctx), cols,
        AffineMap::get(4, 0, {d(2), d(1), d(3)}, ctx),
        zeroFilled(rewriter, loc, flatType, Value()),
        AffineMap::get(4, 0, {d(0), d(1)}, ctx),
        {utils::IteratorType::parallel, utils::IteratorType::parallel,
         utils::IteratorType::reduction, utils::IteratorType::reduction});
    rewriter.replaceOp(op, tensor::ExpandShapeOp::create(
                               rewriter, loc, type, dw2,
                               ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}}));
    return success();
  }
};

/// Collapses every dimension but the batch, then expands to the result.
struct ReshapeLowering : OpRewritePattern<ae::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getType());
    Value v = op.getInput();
    int64_t d = exampleSize(v);
    auto flatType = RankedTensorType::get({inType.getDimSize(0), d},
                                          inType.getElementType());
    if (inType.getRank() != 2) {
      SmallVector<ReassociationIndices> groups{{0}, {}};
      for (int64_t i = 1; i < inType.getRank(); ++i)
        groups[1].push_back(i);
      if (inType.getRank() == 1)
        groups.pop_back();
      v = tensor::CollapseShapeOp::create(rewriter, loc, flatType, v, groups);
    }
    if (outType.getRank() != 2) {
      SmallVector<ReassociationIndices> groups{{0}, {}};
      for (int64_t i = 1; i < outType.getRank(); ++i)
        groups[1].push_back(i);
      SmallVector<OpFoldResult> outputShape{
          tensor::getMixedSize(rewriter, loc, v, 0)};
      for (int64_t dim : outType.getShape().drop_front())
        outputShape.push_back(rewriter.getIndexAttr(dim));
      v = tensor::ExpandShapeOp::create(rewriter, loc, outType, v, groups,
                                        outputShape);
    }
    if (v.getType() != outType)
      v = tensor::CastOp::create(rewriter, loc, outType, v);
    rewriter.replaceOp(op, v);
    return success();
  }
};

double alphaOf(std::optional<APFloat> alpha) {
  return alpha ? alpha->convertToDouble() : 0.0;
}

Value activation(OpBuilder &b, Location loc, ae::ActivationKind kind,
                 double alpha, Value x) {
  Value zero = f32Const(b, loc, 0.0);
  switch (kind) {
  case ae::ActivationKind::Relu:
    return arith::MaximumFOp::create(b, loc, x, zero);
  case ae::ActivationKind::Sigmoid:
    return sigmoid(b, loc, x);
  case ae::ActivationKind::Tanh:
    return math::TanhOp::create(b, loc, x);
  case ae::ActivationKind::Softplus:
    return softplus(b, loc, x);
  case ae::ActivationKind::LeakyRelu: {
    Value positive =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    Value scaled = arith::MulFOp::create(b, loc, x, f32Const(b, loc, alpha));
    return arith::SelectOp::create(b, loc, positive, x, scaled);
  }
  }
  return x;
}

struct ActivationLowering : OpRewritePattern<ae::ActivationOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::ActivationOp op,
                                PatternRewriter &rewriter) const override {
    ae::ActivationKind kind = op.getKind();
    double alpha = alphaOf(op.getAlpha());
    return replaceWithElementwise1(
        rewriter, op, op.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return activation(b, loc, kind, alpha, args[0]);
        });
  }
};

/// dx = f'(x) dy with f' in terms of the output y.
struct ActivationGradLowering : OpRewritePattern<ae::ActivationGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::ActivationGradOp op,
                                PatternRewriter &rewriter) const override {
    ae::ActivationKind kind = op.getKind();
    double alpha = alphaOf(op.getAlpha());
    auto body = [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
      Value y = args[0], dy = args[1];
      Value zero = f32Const(b, loc, 0.0), one = f32Const(b, loc, 1.0);
      switch (kind) {
      case ae::ActivationKind::Relu: {
        Value positive =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, y, zero);
        return arith::SelectOp::create(b, loc, positive, dy, zero);
      }
      case ae::ActivationKind::Sigmoid: {
        Value d = arith::MulFOp::create(b, loc, y,
                                        arith::SubFOp::create(b, loc, one, y));
        return arith::MulFOp::create(b, loc, dy, d);
      }
      case ae::ActivationKind::Tanh: {
        Value d = arith::SubFOp::create(b, loc, one,
                                        arith::MulFOp::create(b, loc, y, y));
        return arith::MulFOp::create(b, loc, dy, d);
      }
      case ae::ActivationKind::Softplus: {
        Value d = arith::SubFOp::create(
            b, loc, one,
            math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, y)));
        return arith::MulFOp::create(b, loc, dy, d);
      }
      case ae::ActivationKind::LeakyRelu: {
        Value positive =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, y, zero);
        Value scaled =
            arith::MulFOp::create(b, loc, dy, f32Const(b, loc, alpha));
        return arith::SelectOp::create(b, loc, positive, dy, scaled);
      }
      }
      return dy;
    };
    return replaceWithElementwise1(
        rewriter, op, ValueRange{op.getOutput(), op.getGrad()}, body);
  }
};

struct BiasGradLowering : OpRewritePattern<ae::BiasGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::BiasGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto gradType = cast<RankedTensorType>(op.getGrad().getType());
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = gradType.getRank();
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::reduction);
    iterators[1] = utils::IteratorType::parallel;
    AffineMap in = rewriter.getMultiDimIdentityMap(rank);
    AffineMap out = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(1));
    Value init = zeroFilled(rewriter, loc, type, Value());
    rewriter.replaceOp(
        op, linalg::GenericOp::create(
                rewriter, loc, type, op.getGrad(), init,
                ArrayRef<AffineMap>{in, out}, iterators,
                [](OpBuilder &b, Location nloc, ValueRange args) {
                  linalg::YieldOp::create(b, nloc,
                                          ValueRange{arith::AddFOp::create(
                                              b, nloc, args[1], args[0])});
                })
                .getResult(0));
    return success();
  }
};

struct AddLowering : OpRewritePattern<ae::AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::AddOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(op.getType())) {
      rewriter.replaceOpWithNewOp<arith::AddFOp>(op, op.getLhs(), op.getRhs());
      return success();
    }
    return replaceWithElementwise1(
        rewriter, op, ValueRange{op.getLhs(), op.getRhs()},
        [](OpBuilder &b, Location loc, ValueRange args) {
          return arith::AddFOp::create(b, loc, args[0], args[1]);
        });
  }
};

//===----------------------------------------------------------------------===//
// Losses and their gradients
//===----------------------------------------------------------------------===//

struct MseLowering : OpRewritePattern<ae::MseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::MseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value sum = sumAll(rewriter, loc, ValueRange{op.getPred(), op.getTarget()},
                       [](OpBuilder &b, Location nloc, ValueRange args) {
                         Value d =
                             arith::SubFOp::create(b, nloc, args[0], args[1]);
                         return arith::MulFOp::create(b, nloc, d, d);
                       });
    Value count = elementCountF32(rewriter, loc, op.getPred());
    rewriter.replaceOpWithNewOp<arith::DivFOp>(op, sum, count);
    return success();
  }
};

struct MseGradLowering : OpRewritePattern<ae::MseGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::MseGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value count = elementCountF32(rewriter, loc, op.getPred());
    // 2 dl / (n D), once per call.
    Value scale = arith::DivFOp::create(
        rewriter, loc,
        arith::MulFOp::create(rewriter, loc, f32Const(rewriter, loc, 2.0),
                              op.getGrad()),
        count);
    return replaceWithElementwise1(
        rewriter, op, ValueRange{op.getPred(), op.getTarget()},
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value d = arith::SubFOp::create(b, nloc, args[0], args[1]);
          return arith::MulFOp::create(b, nloc, d, scale);
        });
  }
};

/// Per-element binary cross-entropy (nats).
Value bceTerm(OpBuilder &b, Location loc, Value p, Value t, bool fromLogits) {
  if (fromLogits) {
    // max(z, 0) - z t + log(1 + exp(-|z|))
    return arith::SubFOp::create(b, loc, softplus(b, loc, p),
                                 arith::MulFOp::create(b, loc, p, t));
  }
  // -(t max(log p, -100) + (1 - t) max(log(1 - p), -100)), like BCELoss.
  Value one = f32Const(b, loc, 1.0), floor = f32Const(b, loc, -100.0);
  Value logP =
      arith::MaximumFOp::create(b, loc, math::LogOp::create(b, loc, p), floor);
  Value log1mP = arith::MaximumFOp::create(
      b, loc,
      math::LogOp::create(b, loc, arith::SubFOp::create(b, loc, one, p)),
      floor);
  Value sum = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, t, logP),
      arith::MulFOp::create(b, loc, arith::SubFOp::create(b, loc, one, t),
                            log1mP));
  return arith::NegFOp::create(b, loc, sum);
}

struct BceLowering : OpRewritePattern<ae::BceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::BceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool fromLogits = op.getFromLogits();
    Value sum = sumAll(rewriter, loc, ValueRange{op.getPred(), op.getTarget()},
                       [&](OpBuilder &b, Location nloc, ValueRange args) {
                         return bceTerm(b, nloc, args[0], args[1], fromLogits);
                       });
    rewriter.replaceOpWithNewOp<arith::DivFOp>(
        op, sum, batchSizeF32(rewriter, loc, op.getPred()));
    return success();
  }
};

struct BceGradLowering : OpRewritePattern<ae::BceGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::BceGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    bool fromLogits = op.getFromLogits();
    Value scale = arith::DivFOp::create(
        rewriter, loc, op.getGrad(), batchSizeF32(rewriter, loc, op.getPred()));
    return replaceWithElementwise1(
        rewriter, op, ValueRange{op.getPred(), op.getTarget()},
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value p = args[0], t = args[1];
          if (fromLogits) {
            Value d = arith::SubFOp::create(b, nloc, sigmoid(b, nloc, p), t);
            return arith::MulFOp::create(b, nloc, d, scale);
          }
          Value one = f32Const(b, nloc, 1.0);
          Value var = arith::MaximumFOp::create(
              b, nloc,
              arith::MulFOp::create(b, nloc, p,
                                    arith::SubFOp::create(b, nloc, one, p)),
              f32Const(b, nloc, 1e-12));
          Value d = arith::DivFOp::create(
              b, nloc, arith::SubFOp::create(b, nloc, p, t), var);
          return arith::MulFOp::create(b, nloc, d, scale);
        });
  }
};

/// Largest log-variance used as is (variance e^20 = 4.9e8, far beyond any
/// useful posterior under an N(0, I) prior). Above it the sampling standard
/// deviation stays at e^10 and the KL's exp(logvar) continues linearly, so
/// that a diverging logvar head gives finite losses and gradients instead of
/// exp overflowing to inf and NaN (docs/vae.md, "Numerics"). Must equal
/// AERT_VAE_LOGVAR_MAX of runtime/aert_model.h (the runtime samples q(z|x)
/// for M_log_likelihood the same way).
constexpr double kLogvarMax = 20.0;

/// exp(min(lv, kLogvarMax)): the variance ae.reparam samples with, and the
/// derivative of varianceC1.
Value clampedExp(OpBuilder &b, Location loc, Value lv) {
  return math::ExpOp::create(
      b, loc,
      arith::MinimumFOp::create(b, loc, lv, f32Const(b, loc, kLogvarMax)));
}

/// exp(lv) below kLogvarMax, its tangent line above: exp(min(lv, c)) *
/// (1 + max(lv - c, 0)). C1, finite for every finite lv < 7e29.
Value varianceC1(OpBuilder &b, Location loc, Value lv) {
  Value excess = arith::MaximumFOp::create(
      b, loc, arith::SubFOp::create(b, loc, lv, f32Const(b, loc, kLogvarMax)),
      f32Const(b, loc, 0.0));
  return arith::MulFOp::create(
      b, loc, clampedExp(b, loc, lv),
      arith::AddFOp::create(b, loc, f32Const(b, loc, 1.0), excess));
}

struct KlNormalLowering : OpRewritePattern<ae::KlNormalOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::KlNormalOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    // sum of -1/2 (1 + lv - mu^2 - exp(lv)), over the batch mean; exp(lv)
    // continues linearly above kLogvarMax.
    Value sum = sumAll(
        rewriter, loc, ValueRange{op.getMu(), op.getLogvar()},
        [](OpBuilder &b, Location nloc, ValueRange args) {
          Value mu = args[0], lv = args[1];
          Value t = arith::AddFOp::create(b, nloc, f32Const(b, nloc, 1.0), lv);
          t = arith::SubFOp::create(b, nloc, t,
                                    arith::MulFOp::create(b, nloc, mu, mu));
          t = arith::SubFOp::create(b, nloc, t, varianceC1(b, nloc, lv));
          return arith::MulFOp::create(b, nloc, f32Const(b, nloc, -0.5), t);
        });
    rewriter.replaceOpWithNewOp<arith::DivFOp>(
        op, sum, batchSizeF32(rewriter, loc, op.getMu()));
    return success();
  }
};

struct KlNormalGradLowering : OpRewritePattern<ae::KlNormalGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::KlNormalGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scale = arith::DivFOp::create(
        rewriter, loc, op.getGrad(), batchSizeF32(rewriter, loc, op.getMu()));
    return replaceWithElementwise(
        rewriter, op, ValueRange{op.getMu(), op.getLogvar()},
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value dmu = arith::MulFOp::create(b, nloc, args[0], scale);
          // d varianceC1 / d lv = exp(min(lv, kLogvarMax)).
          Value e = arith::SubFOp::create(b, nloc, clampedExp(b, nloc, args[1]),
                                          f32Const(b, nloc, 1.0));
          Value dlv = arith::MulFOp::create(
              b, nloc,
              arith::MulFOp::create(b, nloc, f32Const(b, nloc, 0.5), e), scale);
          return SmallVector<Value>{dmu, dlv};
        });
  }
};

struct LossCombineLowering : OpRewritePattern<ae::LossCombineOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::LossCombineOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value total;
    for (auto [term, weight] : llvm::zip(op.getTerms(), op.getWeights())) {
      Value weighted =
          weight == 1.0
              ? term
              : Value(arith::MulFOp::create(
                    rewriter, loc, f32Const(rewriter, loc, weight), term));
      total = total
                  ? Value(arith::AddFOp::create(rewriter, loc, total, weighted))
                  : weighted;
    }
    if (!total)
      total = f32Const(rewriter, loc, 0.0);
    rewriter.replaceOp(op, total);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Randomness
//===----------------------------------------------------------------------===//

struct ReparamLowering : OpRewritePattern<ae::ReparamOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::ReparamOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    PhiloxKeys keys = philoxKeys(rewriter, loc, op.getSeed());
    Value call = op.getCall();
    auto shape = cast<RankedTensorType>(op.getType()).getShape();
    return replaceWithElementwise1(
        rewriter, op, ValueRange{op.getMu(), op.getLogvar()},
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value index = linearIndex(b, nloc, shape);
          auto words = philox(b, nloc, index, call, kStreamReparam, keys);
          Value eps = wordsToNormal(b, nloc, words[0], words[1]);
          // exp(min(lv, kLogvarMax) / 2): finite for any logvar. Above
          // the bound, ae.reparam_grad's 0.5 dz (z - mu) passes the
          // gradient of the unclamped formula (straight through).
          Value sigma = math::ExpOp::create(
              b, nloc,
              arith::MulFOp::create(
                  b, nloc,
                  arith::MinimumFOp::create(b, nloc, args[1],
                                            f32Const(b, nloc, kLogvarMax)),
                  f32Const(b, nloc, 0.5)));
          return arith::AddFOp::create(
              b, nloc, args[0], arith::MulFOp::create(b, nloc, sigma, eps));
        });
  }
};

struct ReparamGradLowering : OpRewritePattern<ae::ReparamGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::ReparamGradOp op,
                                PatternRewriter &rewriter) const override {
    return replaceWithElementwise1(
        rewriter, op, ValueRange{op.getMu(), op.getZ(), op.getGrad()},
        [](OpBuilder &b, Location loc, ValueRange args) {
          Value d = arith::SubFOp::create(b, loc, args[1], args[0]);
          Value h =
              arith::MulFOp::create(b, loc, f32Const(b, loc, 0.5), args[2]);
          return arith::MulFOp::create(b, loc, h, d);
        });
  }
};

/// The normalized 2-D Gaussian kernel of std `sigma`, radius ceil(3 sigma).
DenseElementsAttr gaussianKernel(OpBuilder &b, double sigma, int64_t &size) {
  int64_t radius = static_cast<int64_t>(std::ceil(3.0 * sigma));
  size = 2 * radius + 1;
  std::vector<double> g(size);
  double total = 0.0;
  for (int64_t i = 0; i < size; ++i) {
    double t = static_cast<double>(i - radius);
    g[i] = std::exp(-t * t / (2.0 * sigma * sigma));
    total += g[i];
  }
  std::vector<float> k2(size * size);
  for (int64_t i = 0; i < size; ++i)
    for (int64_t j = 0; j < size; ++j)
      k2[i * size + j] = static_cast<float>(g[i] * g[j] / (total * total));
  auto type = RankedTensorType::get({size, size}, b.getF32Type());
  return DenseElementsAttr::get(type, ArrayRef<float>(k2));
}

struct NoiseLowering : OpRewritePattern<ae::NoiseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::NoiseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    double param = op.getParam().convertToDouble();
    Value x = op.getInput();
    Value call = op.getCall();
    switch (op.getKind()) {
    case ae::NoiseKind::Mask:
    case ae::NoiseKind::Gaussian: {
      PhiloxKeys keys = philoxKeys(rewriter, loc, op.getSeed());
      bool mask = op.getKind() == ae::NoiseKind::Mask;
      return replaceWithElementwise1(
          rewriter, op, x,
          [&](OpBuilder &b, Location nloc, ValueRange args) -> Value {
            Value index = linearIndex(b, nloc, type.getShape());
            auto words = philox(b, nloc, index, call, kStreamNoise, keys);
            if (mask) {
              Value u = wordToUniform(b, nloc, words[0]);
              Value drop =
                  arith::CmpFOp::create(b, nloc, arith::CmpFPredicate::OLT, u,
                                        f32Const(b, nloc, param));
              return arith::SelectOp::create(b, nloc, drop,
                                             f32Const(b, nloc, 0.0), args[0]);
            }
            Value g = wordsToNormal(b, nloc, words[0], words[1]);
            return arith::AddFOp::create(
                b, nloc, args[0],
                arith::MulFOp::create(b, nloc, f32Const(b, nloc, param), g));
          });
    }
    case ae::NoiseKind::Blur:
      return lowerBlur(op, rewriter, param);
    case ae::NoiseKind::Block:
      return lowerBlock(op, rewriter, static_cast<int64_t>(param));
    }
    return failure();
  }

  /// Each H x W plane (the last two dimensions) convolved with the Gaussian
  /// kernel, zero padding.
  LogicalResult lowerBlur(ae::NoiseOp op, PatternRewriter &rewriter,
                          double sigma) const {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t size = 0;
    DenseElementsAttr kernelAttr = gaussianKernel(rewriter, sigma, size);
    int64_t radius = size / 2;
    Value kernel = arith::ConstantOp::create(rewriter, loc, kernelAttr);
    // Pad the last two dimensions.
    SmallVector<OpFoldResult> low(rank, rewriter.getIndexAttr(0)),
        high(rank, rewriter.getIndexAttr(0));
    low[rank - 2] = low[rank - 1] = high[rank - 2] = high[rank - 1] =
        rewriter.getIndexAttr(radius);
    SmallVector<int64_t> padded(type.getShape());
    padded[rank - 2] += 2 * radius;
    padded[rank - 1] += 2 * radius;
    Value x = tensor::PadOp::create(
        rewriter, loc, RankedTensorType::get(padded, type.getElementType()),
        op.getInput(), low, high, f32Const(rewriter, loc, 0.0));
    // Loops: the output dims, then the two kernel dims (reductions).
    unsigned loops = rank + 2;
    SmallVector<AffineExpr> xExprs, outExprs;
    for (int64_t i = 0; i < rank; ++i) {
      AffineExpr e = getAffineDimExpr(i, ctx);
      outExprs.push_back(e);
      if (i == rank - 2)
        e = e + getAffineDimExpr(rank, ctx);
      if (i == rank - 1)
        e = e + getAffineDimExpr(rank + 1, ctx);
      xExprs.push_back(e);
    }
    AffineMap xMap = AffineMap::get(loops, 0, xExprs, ctx);
    AffineMap kMap = AffineMap::get(
        loops, 0,
        {getAffineDimExpr(rank, ctx), getAffineDimExpr(rank + 1, ctx)}, ctx);
    AffineMap outMap = AffineMap::get(loops, 0, outExprs, ctx);
    SmallVector<utils::IteratorType> iterators = parallel(rank);
    iterators.append(2, utils::IteratorType::reduction);
    Value init = zeroFilled(rewriter, loc, type, op.getInput());
    rewriter.replaceOp(
        op, linalg::GenericOp::create(
                rewriter, loc, type, ValueRange{x, kernel}, init,
                ArrayRef<AffineMap>{xMap, kMap, outMap}, iterators,
                [](OpBuilder &b, Location nloc, ValueRange args) {
                  Value prod = arith::MulFOp::create(b, nloc, args[0], args[1]);
                  linalg::YieldOp::create(b, nloc,
                                          ValueRange{arith::AddFOp::create(
                                              b, nloc, args[2], prod)});
                })
                .getResult(0));
    return success();
  }

  /// Per example e, the size x size square at row min(floor(u(2e) (H - size
  /// + 1)), H - size), column likewise from u(2e + 1), zeroed in every
  /// channel.
  LogicalResult lowerBlock(ae::NoiseOp op, PatternRewriter &rewriter,
                           int64_t size) const {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t h = type.getDimSize(rank - 2), w = type.getDimSize(rank - 1);
    PhiloxKeys keys = philoxKeys(rewriter, loc, op.getSeed());
    Value call = op.getCall();
    // Corners per example: [n] x 2 index tensors.
    auto cornerType =
        RankedTensorType::get({type.getDimSize(0)}, rewriter.getIndexType());
    auto corners = elementwise(
        rewriter, loc, TypeRange{cornerType, cornerType}, ValueRange{},
        emptyLike(rewriter, loc, cornerType, op.getInput()),
        [&](OpBuilder &b, Location nloc, ValueRange) {
          Value e = arith::IndexCastOp::create(
              b, nloc, b.getI64Type(), linalg::IndexOp::create(b, nloc, 0));
          Value two =
              arith::ConstantOp::create(b, nloc, b.getI64IntegerAttr(2));
          Value first = arith::MulIOp::create(b, nloc, e, two);
          Value second = arith::AddIOp::create(
              b, nloc, first,
              arith::ConstantOp::create(b, nloc, b.getI64IntegerAttr(1)));
          SmallVector<Value> result;
          for (auto [index, extent] :
               {std::pair<Value, int64_t>{first, h}, {second, w}}) {
            auto words = philox(b, nloc, index, call, kStreamNoise, keys);
            Value u = wordToUniform(b, nloc, words[0]);
            Value scaled = arith::MulFOp::create(
                b, nloc, u,
                f32Const(b, nloc, static_cast<double>(extent - size + 1)));
            Value pos =
                arith::FPToUIOp::create(b, nloc, b.getI64Type(), scaled);
            pos = arith::MinUIOp::create(
                b, nloc, pos,
                arith::ConstantOp::create(b, nloc,
                                          b.getI64IntegerAttr(extent - size)));
            result.push_back(
                arith::IndexCastOp::create(b, nloc, b.getIndexType(), pos));
          }
          return result;
        });
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    AffineMap perExample = AffineMap::get(rank, 0, getAffineDimExpr(0, ctx));
    Value init = emptyLike(rewriter, loc, type, op.getInput());
    rewriter.replaceOp(
        op,
        linalg::GenericOp::create(
            rewriter, loc, type,
            ValueRange{op.getInput(), corners[0], corners[1]}, init,
            ArrayRef<AffineMap>{id, perExample, perExample, id}, parallel(rank),
            [&](OpBuilder &b, Location nloc, ValueRange args) {
              Value r = linalg::IndexOp::create(b, nloc, rank - 2);
              Value c = linalg::IndexOp::create(b, nloc, rank - 1);
              auto inside = [&](Value i, Value start) {
                Value ge = arith::CmpIOp::create(
                    b, nloc, arith::CmpIPredicate::uge, i, start);
                Value end = arith::AddIOp::create(b, nloc, start,
                                                  indexConst(b, nloc, size));
                Value lt = arith::CmpIOp::create(
                    b, nloc, arith::CmpIPredicate::ult, i, end);
                return arith::AndIOp::create(b, nloc, ge, lt);
              };
              Value hit = arith::AndIOp::create(b, nloc, inside(r, args[1]),
                                                inside(c, args[2]));
              linalg::YieldOp::create(
                  b, nloc,
                  ValueRange{arith::SelectOp::create(
                      b, nloc, hit, f32Const(b, nloc, 0.0), args[0])});
            })
            .getResult(0));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

struct SgdUpdateLowering : OpRewritePattern<ae::SgdUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::SgdUpdateOp op,
                                PatternRewriter &rewriter) const override {
    double lr = op.getLr().convertToDouble();
    return replaceWithElementwise1(
        rewriter, op, ValueRange{op.getParam(), op.getGrad()},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value step =
              arith::MulFOp::create(b, loc, f32Const(b, loc, lr), args[1]);
          return arith::SubFOp::create(b, loc, args[0], step);
        });
  }
};

struct MomentumUpdateLowering : OpRewritePattern<ae::MomentumUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::MomentumUpdateOp op,
                                PatternRewriter &rewriter) const override {
    double lr = op.getLr().convertToDouble();
    double mu = op.getMomentum().convertToDouble();
    return replaceWithElementwise(
        rewriter, op, ValueRange{op.getParam(), op.getGrad(), op.getVelocity()},
        [&](OpBuilder &b, Location loc, ValueRange args) {
          // b' = mu b + g; p' = p - lr b'
          Value v = arith::AddFOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, f32Const(b, loc, mu), args[2]),
              args[1]);
          Value p = arith::SubFOp::create(
              b, loc, args[0],
              arith::MulFOp::create(b, loc, f32Const(b, loc, lr), v));
          return SmallVector<Value>{p, v};
        });
  }
};

struct AdamUpdateLowering : OpRewritePattern<ae::AdamUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ae::AdamUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double lr = op.getLr().convertToDouble();
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    double eps = op.getEps().convertToDouble();
    // Bias corrections in f64 once per call, as PyTorch computes them in
    // Python floats: step_size = lr / (1 - beta1^t), c2 = sqrt(1 - beta2^t).
    Type f64 = rewriter.getF64Type();
    Value t = arith::SIToFPOp::create(rewriter, loc, f64, op.getStep());
    auto f64Const = [&](double v) -> Value {
      return arith::ConstantOp::create(rewriter, loc,
                                       rewriter.getF64FloatAttr(v));
    };
    Value one = f64Const(1.0);
    Value bc1 = arith::SubFOp::create(
        rewriter, loc, one,
        math::PowFOp::create(rewriter, loc, f64Const(beta1), t));
    Value bc2 = arith::SubFOp::create(
        rewriter, loc, one,
        math::PowFOp::create(rewriter, loc, f64Const(beta2), t));
    Value stepSize = arith::TruncFOp::create(
        rewriter, loc, rewriter.getF32Type(),
        arith::DivFOp::create(rewriter, loc, f64Const(lr), bc1));
    // 1 / c2 in f64, rounded once: each element then multiplies by it
    // instead of dividing, which leaves one division (and the sqrt) per
    // element. The update is a pass of its own, bound by the vector
    // divider, not by memory.
    Value invC2 = arith::TruncFOp::create(
        rewriter, loc, rewriter.getF32Type(),
        arith::DivFOp::create(rewriter, loc, one,
                              math::SqrtOp::create(rewriter, loc, bc2)));
    return replaceWithElementwise(
        rewriter, op,
        ValueRange{op.getParam(), op.getGrad(), op.getM(), op.getV()},
        [&](OpBuilder &b, Location nloc, ValueRange args) {
          Value p = args[0], g = args[1], m = args[2], v = args[3];
          // m' = beta1 m + (1 - beta1) g; v' = beta2 v + (1 - beta2) g^2
          Value m2 = arith::AddFOp::create(
              b, nloc,
              arith::MulFOp::create(b, nloc, f32Const(b, nloc, beta1), m),
              arith::MulFOp::create(b, nloc, f32Const(b, nloc, 1.0 - beta1),
                                    g));
          Value g2 = arith::MulFOp::create(b, nloc, g, g);
          Value v2 = arith::AddFOp::create(
              b, nloc,
              arith::MulFOp::create(b, nloc, f32Const(b, nloc, beta2), v),
              arith::MulFOp::create(b, nloc, f32Const(b, nloc, 1.0 - beta2),
                                    g2));
          // p' = p - step_size m' / (sqrt(v') (1 / c2) + eps)
          Value denom = arith::AddFOp::create(
              b, nloc,
              arith::MulFOp::create(b, nloc, math::SqrtOp::create(b, nloc, v2),
                                    invC2),
              f32Const(b, nloc, eps));
          Value update = arith::MulFOp::create(
              b, nloc, stepSize, arith::DivFOp::create(b, nloc, m2, denom));
          Value p2 = arith::SubFOp::create(b, nloc, p, update);
          return SmallVector<Value>{p2, m2, v2};
        });
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct AeToLinalgPass : impl::AeToLinalgBase<AeToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<ae::AeDialect>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect,
                           func::FuncDialect>();
    RewritePatternSet patterns(ctx);
    patterns.add<ActivationGradLowering, ActivationLowering, AdamUpdateLowering,
                 AddLowering, BceGradLowering, BceLowering, BiasGradLowering,
                 Conv2DGradInputLowering, Conv2DGradWeightLowering,
                 Conv2DLowering, Deconv2DLowering, DenseLowering,
                 KlNormalGradLowering, KlNormalLowering, LossCombineLowering,
                 MatMulLowering, MomentumUpdateLowering, MseGradLowering,
                 MseLowering, NoiseLowering, ReparamGradLowering,
                 ReparamLowering, ReshapeLowering, SgdUpdateLowering>(ctx);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace aec
