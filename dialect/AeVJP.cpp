//===- AeVJP.cpp - vector-Jacobian products of the ae ops -----------------===//
//
// DifferentiableOpInterface::buildVJP for every forward op, and external
// models for the upstream arith ops that may sit on a differentiable path.
// Each VJP returns one gradient per operand, in operand order, null where an
// operand is not differentiable or no result gradient was given.
//
//===----------------------------------------------------------------------===//

#include "dialect/AeInterfaces.h"
#include "dialect/AeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"

#include <tuple>
#include <utility>

using namespace mlir;
using namespace mlir::ae;

#include "dialect/AeInterfaces.cpp.inc"

/// The single result gradient of a one-result op (null when absent).
static Value singleGrad(ValueRange resultGrads) {
  return resultGrads.empty() ? Value() : resultGrads.front();
}

/// The VJP of a layer y = f(x, w) (+ b) on operands (x, w[, b]):
/// `inputAndWeight` builds (dx, dw) from dy; db sums dy over all dimensions
/// but the channels (dimension 1).
static SmallVector<Value>
layerVJP(Operation *op, Value bias, OpBuilder &builder, ValueRange resultGrads,
         function_ref<std::pair<Value, Value>(Value dy)> inputAndWeight) {
  SmallVector<Value> grads(op->getNumOperands());
  Value dy = singleGrad(resultGrads);
  if (!dy)
    return grads;
  std::tie(grads[0], grads[1]) = inputAndWeight(dy);
  if (bias)
    grads[2] = BiasGradOp::create(builder, op->getLoc(), dy);
  return grads;
}

SmallVector<Value> DenseOp::buildVJP(OpBuilder &builder,
                                     ValueRange resultGrads) {
  // y = x W + b: dx = dy W^T, dW = x^T dy, db = sum over the batch of dy.
  return layerVJP(*this, getBias(), builder, resultGrads, [&](Value dy) {
    Value dx = MatMulOp::create(builder, getLoc(), dy, getWeight(),
                                /*transposeA=*/false, /*transposeB=*/true);
    Value dw = MatMulOp::create(builder, getLoc(), getInput(), dy,
                                /*transposeA=*/true, /*transposeB=*/false);
    return std::make_pair(dx, dw);
  });
}

SmallVector<Value> Conv2DOp::buildVJP(OpBuilder &builder,
                                      ValueRange resultGrads) {
  return layerVJP(*this, getBias(), builder, resultGrads, [&](Value dy) {
    Value dx =
        Conv2DGradInputOp::create(builder, getLoc(), getInput().getType(), dy,
                                  getWeight(), getStrideAttr(), getPadAttr());
    Value dw = Conv2DGradWeightOp::create(builder, getLoc(),
                                          getWeight().getType(), getInput(), dy,
                                          getStrideAttr(), getPadAttr());
    return std::make_pair(dx, dw);
  });
}

SmallVector<Value> Deconv2DOp::buildVJP(OpBuilder &builder,
                                        ValueRange resultGrads) {
  // A transposed convolution with weight [C, F, k, k] is the adjoint of the
  // convolution with the same tensor read as [Cout = C, Cin = F, k, k]. So
  // dx = conv2d(dy, w), whose output is exactly x's size since
  // output_padding < stride, and dw = conv2d_grad_weight with the roles of
  // input (dy) and output gradient (x) swapped.
  return layerVJP(*this, getBias(), builder, resultGrads, [&](Value dy) {
    Value dx = Conv2DOp::create(builder, getLoc(), getInput().getType(), dy,
                                getWeight(), /*bias=*/Value(), getStrideAttr(),
                                getPadAttr());
    Value dw =
        Conv2DGradWeightOp::create(builder, getLoc(), getWeight().getType(), dy,
                                   getInput(), getStrideAttr(), getPadAttr());
    return std::make_pair(dx, dw);
  });
}

SmallVector<Value> ReshapeOp::buildVJP(OpBuilder &builder,
                                       ValueRange resultGrads) {
  Value dy = singleGrad(resultGrads);
  if (!dy)
    return {Value()};
  return {ReshapeOp::create(builder, getLoc(), getInput().getType(), dy)};
}

SmallVector<Value> ActivationOp::buildVJP(OpBuilder &builder,
                                          ValueRange resultGrads) {
  Value dy = singleGrad(resultGrads);
  if (!dy)
    return {Value()};
  // The derivative is read from the output: the input need not be kept.
  return {ActivationGradOp::create(builder, getLoc(), getType(), getKindAttr(),
                                   getOutput(), dy, getAlphaAttr())};
}

SmallVector<Value> MseOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  Value dl = singleGrad(resultGrads);
  if (!dl)
    return {Value(), Value()};
  return {MseGradOp::create(builder, getLoc(), getPred().getType(), getPred(),
                            getTarget(), dl),
          Value()};
}

SmallVector<Value> BceOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  Value dl = singleGrad(resultGrads);
  if (!dl)
    return {Value(), Value()};
  return {BceGradOp::create(builder, getLoc(), getPred().getType(), getPred(),
                            getTarget(), dl, getFromLogitsAttr()),
          Value()};
}

SmallVector<Value> KlNormalOp::buildVJP(OpBuilder &builder,
                                        ValueRange resultGrads) {
  Value dl = singleGrad(resultGrads);
  if (!dl)
    return {Value(), Value()};
  auto grad =
      KlNormalGradOp::create(builder, getLoc(), getMu().getType(),
                             getLogvar().getType(), getMu(), getLogvar(), dl);
  return {grad.getMuGrad(), grad.getLogvarGrad()};
}

SmallVector<Value> LossCombineOp::buildVJP(OpBuilder &builder,
                                           ValueRange resultGrads) {
  SmallVector<Value> grads(getNumOperands());
  Value dl = singleGrad(resultGrads);
  if (!dl)
    return grads;
  ArrayRef<double> weights = getWeights();
  for (auto [index, weight] : llvm::enumerate(weights)) {
    if (index >= grads.size())
      break;
    if (weight == 1.0) {
      grads[index] = dl;
      continue;
    }
    Value factor = arith::ConstantOp::create(
        builder, getLoc(), builder.getF32FloatAttr(static_cast<float>(weight)));
    grads[index] = arith::MulFOp::create(builder, getLoc(), dl, factor);
  }
  return grads;
}

SmallVector<Value> ReparamOp::buildVJP(OpBuilder &builder,
                                       ValueRange resultGrads) {
  Value dz = singleGrad(resultGrads);
  if (!dz)
    return {Value(), Value(), Value(), Value()};
  // z = mu + exp(lv / 2) eps: dmu = dz, dlv = 0.5 dz (z - mu).
  Value dlogvar = ReparamGradOp::create(builder, getLoc(), getMu().getType(),
                                        getMu(), getZ(), dz);
  return {dz, dlogvar, Value(), Value()};
}

SmallVector<Value> NoiseOp::buildVJP(OpBuilder &, ValueRange) {
  // The corruption applies to the data, never to a parameter.
  return SmallVector<Value>(getNumOperands());
}

//===----------------------------------------------------------------------===//
// External models for arith
//===----------------------------------------------------------------------===//

namespace {

struct AddFVJP
    : DifferentiableOpInterface::ExternalModel<AddFVJP, arith::AddFOp> {
  SmallVector<Value> buildVJP(Operation *, OpBuilder &,
                              ValueRange resultGrads) const {
    Value dy = singleGrad(resultGrads);
    return {dy, dy};
  }
};

struct SubFVJP
    : DifferentiableOpInterface::ExternalModel<SubFVJP, arith::SubFOp> {
  SmallVector<Value> buildVJP(Operation *op, OpBuilder &builder,
                              ValueRange resultGrads) const {
    Value dy = singleGrad(resultGrads);
    if (!dy)
      return {Value(), Value()};
    return {dy, arith::NegFOp::create(builder, op->getLoc(), dy)};
  }
};

struct MulFVJP
    : DifferentiableOpInterface::ExternalModel<MulFVJP, arith::MulFOp> {
  SmallVector<Value> buildVJP(Operation *op, OpBuilder &builder,
                              ValueRange resultGrads) const {
    Value dy = singleGrad(resultGrads);
    if (!dy)
      return {Value(), Value()};
    auto mul = cast<arith::MulFOp>(op);
    return {arith::MulFOp::create(builder, op->getLoc(), dy, mul.getRhs()),
            arith::MulFOp::create(builder, op->getLoc(), dy, mul.getLhs())};
  }
};

struct NegFVJP
    : DifferentiableOpInterface::ExternalModel<NegFVJP, arith::NegFOp> {
  SmallVector<Value> buildVJP(Operation *op, OpBuilder &builder,
                              ValueRange resultGrads) const {
    Value dy = singleGrad(resultGrads);
    if (!dy)
      return {Value()};
    return {arith::NegFOp::create(builder, op->getLoc(), dy)};
  }
};

} // namespace

void mlir::ae::registerDifferentiableExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, arith::ArithDialect *) {
    arith::AddFOp::attachInterface<AddFVJP>(*context);
    arith::SubFOp::attachInterface<SubFVJP>(*context);
    arith::MulFOp::attachInterface<MulFVJP>(*context);
    arith::NegFOp::attachInterface<NegFVJP>(*context);
  });
}
