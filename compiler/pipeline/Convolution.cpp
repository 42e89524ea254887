//===- Convolution.cpp - Convolutions as contractions ---------------------===//

#include "compiler/pipeline/Convolution.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace aec {

Value buildIm2Col(OpBuilder &b, Location loc, Value xPadded, int64_t k,
                  int64_t stride, int64_t outH, int64_t outW) {
  MLIRContext *ctx = b.getContext();
  auto xType = cast<RankedTensorType>(xPadded.getType());
  int64_t c = xType.getDimSize(1);
  auto colsType = RankedTensorType::get(
      {xType.getDimSize(0), c, k, k, outH, outW}, xType.getElementType());
  SmallVector<Value> dynamic;
  if (xType.isDynamicDim(0))
    dynamic.push_back(tensor::DimOp::create(b, loc, xPadded, 0));
  Value init = tensor::EmptyOp::create(b, loc, colsType, dynamic);
  // Loops (i, c, a, b, y, x).
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap read = AffineMap::get(
      6, 0, {d(0), d(1), d(4) * stride + d(2), d(5) * stride + d(3)}, ctx);
  Value cols =
      linalg::GenericOp::create(
          b, loc, colsType, xPadded, init,
          ArrayRef<AffineMap>{read, b.getMultiDimIdentityMap(6)},
          SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
          [](OpBuilder &nb, Location nloc, ValueRange args) {
            linalg::YieldOp::create(nb, nloc, ValueRange{args[0]});
          })
          .getResult(0);
  auto flatType = RankedTensorType::get(
      {xType.getDimSize(0), c * k * k, outH * outW}, xType.getElementType());
  return tensor::CollapseShapeOp::create(
      b, loc, flatType, cols,
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}});
}

Value buildContraction(OpBuilder &b, Location loc, Value lhs, AffineMap lhsMap,
                       Value rhs, AffineMap rhsMap, Value init,
                       AffineMap initMap,
                       ArrayRef<utils::IteratorType> iterators) {
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{lhs, rhs}, init,
             ArrayRef<AffineMap>{lhsMap, rhsMap, initMap}, iterators,
             [](OpBuilder &nb, Location nloc, ValueRange args) {
               Value prod = arith::MulFOp::create(nb, nloc, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, nloc,
                   ValueRange{arith::AddFOp::create(nb, nloc, args[2], prod)});
             })
      .getResult(0);
}

Value buildConvAsContraction(OpBuilder &b, Location loc, Value xPadded,
                             Value weight, Value init, int64_t stride) {
  MLIRContext *ctx = b.getContext();
  auto wType = cast<RankedTensorType>(weight.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t f = wType.getDimSize(0), k = wType.getDimSize(2);
  int64_t q = wType.getDimSize(1) * k * k;
  int64_t outH = outType.getDimSize(2), outW = outType.getDimSize(3);
  Value cols = buildIm2Col(b, loc, xPadded, k, stride, outH, outW);
  Value w2 = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({f, q}, wType.getElementType()), weight,
      ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  auto init3Type = RankedTensorType::get(
      {outType.getDimSize(0), f, outH * outW}, outType.getElementType());
  Value init3 = tensor::CollapseShapeOp::create(
      b, loc, init3Type, init,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  // Loops (i, f, p, q): y[i, f, p] += w[f, q] cols[i, q, p].
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Value y3 = buildContraction(
      b, loc, w2, AffineMap::get(4, 0, {d(1), d(3)}, ctx), cols,
      AffineMap::get(4, 0, {d(0), d(3), d(2)}, ctx), init3,
      AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx),
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::parallel, utils::IteratorType::reduction});
  SmallVector<OpFoldResult> outputShape = tensor::getMixedSizes(b, loc, init);
  return tensor::ExpandShapeOp::create(
      b, loc, outType, y3, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
      outputShape);
}

} // namespace aec
