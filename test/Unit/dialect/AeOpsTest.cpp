//===- AeOpsTest.cpp - C++ builders and VJPs of the ae dialect ------------===//
//
// The builders that infer result types (used by MLIRGen and the VJPs) and
// the VJPs themselves: every op they build must verify, for every geometry.
//
//===----------------------------------------------------------------------===//

#include "dialect/AeOps.h"
#include "dialect/AeInterfaces.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::ae;

namespace {

class AeOpsTest : public ::testing::Test {
protected:
  AeOpsTest() {
    DialectRegistry registry;
    registry.insert<AeDialect, arith::ArithDialect, func::FuncDialect>();
    registerDifferentiableExternalModels(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    // Kept to explain a failure (some tests expect a verifier error).
    context.getDiagEngine().registerHandler(
        [this](Diagnostic &diag) { diagnostics += diag.str() + "\n"; });
    module = ModuleOp::create(UnknownLoc::get(&context));
    builder.setInsertionPointToEnd(module->getBody());
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  /// A fresh function whose arguments have the given types; the builder
  /// inserts into its body.
  SmallVector<Value> function(ArrayRef<Type> argTypes) {
    builder.setInsertionPointToEnd(module->getBody());
    auto func = func::FuncOp::create(builder, builder.getUnknownLoc(),
                                     "f" + std::to_string(counter++),
                                     builder.getFunctionType(argTypes, {}));
    Block *body = func.addEntryBlock();
    OpBuilder atEnd = OpBuilder::atBlockEnd(body);
    func::ReturnOp::create(atEnd, builder.getUnknownLoc());
    builder.setInsertionPoint(body->getTerminator());
    // A copy: vjp() adds arguments, which may move the block's own list.
    return SmallVector<Value>(body->getArguments());
  }

  /// Builds the VJP of `op` for a result gradient of the result's type and
  /// checks its shape: one gradient per operand, each of the operand's type.
  SmallVector<Value> vjp(Operation *op, unsigned nonNull) {
    // The result gradients are new arguments of the enclosing function.
    auto func = cast<func::FuncOp>(op->getParentOp());
    Block &body = func.getBody().front();
    SmallVector<Value> resultGrads;
    for (Value result : op->getResults())
      resultGrads.push_back(
          body.addArgument(result.getType(), builder.getUnknownLoc()));
    func.setFunctionType(builder.getFunctionType(body.getArgumentTypes(), {}));
    auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
    EXPECT_TRUE(differentiable) << op->getName().getStringRef().str();
    if (!differentiable)
      return {};
    SmallVector<Value> grads = differentiable.buildVJP(builder, resultGrads);
    EXPECT_EQ(grads.size(), op->getNumOperands());
    unsigned count = 0;
    for (auto [grad, operand] : llvm::zip(grads, op->getOperands())) {
      if (!grad)
        continue;
      ++count;
      EXPECT_EQ(grad.getType(), operand.getType());
    }
    EXPECT_EQ(count, nonNull);
    return grads;
  }

  bool verifies() { return succeeded(mlir::verify(*module)); }

  MLIRContext context;
  OpBuilder builder{&context};
  OwningOpRef<ModuleOp> module;
  int counter = 0;
  std::string diagnostics;
};

TEST_F(AeOpsTest, DenseInfersResultAndDifferentiates) {
  SmallVector<Value> args = function(
      {tensor({ShapedType::kDynamic, 784}), tensor({784, 400}), tensor({400})});
  auto dense = DenseOp::create(builder, builder.getUnknownLoc(), args[0],
                               args[1], args[2]);
  EXPECT_EQ(dense.getType(), tensor({ShapedType::kDynamic, 400}));
  vjp(dense, 3);
  auto noBias =
      DenseOp::create(builder, builder.getUnknownLoc(), args[0], args[1]);
  EXPECT_FALSE(noBias.getBias());
  vjp(noBias, 2);
  EXPECT_TRUE(verifies()) << diagnostics;
}

TEST_F(AeOpsTest, ActivationsAndLosses) {
  Type batch = tensor({ShapedType::kDynamic, 8});
  SmallVector<Value> args = function({batch, batch, builder.getI64Type()});
  Location loc = builder.getUnknownLoc();
  for (ActivationKind kind : {ActivationKind::Relu, ActivationKind::Sigmoid,
                              ActivationKind::Tanh, ActivationKind::Softplus}) {
    auto act = ActivationOp::create(builder, loc, kind, args[0]);
    EXPECT_EQ(act.getType(), batch);
    vjp(act, 1);
  }
  auto leaky = ActivationOp::create(builder, loc, ActivationKind::LeakyRelu,
                                    args[0], 0.2);
  ASSERT_TRUE(leaky.getAlphaAttr());
  EXPECT_EQ(leaky.getAlphaAttr().getValueAsDouble(), 0.2);
  vjp(leaky, 1);

  auto mse = MseOp::create(builder, loc, args[0], args[1]);
  auto bce = BceOp::create(builder, loc, args[0], args[1], true);
  auto kl = KlNormalOp::create(builder, loc, args[0], args[1]);
  EXPECT_TRUE(mse.getType().isF32());
  EXPECT_TRUE(bce.getFromLogits());
  vjp(mse, 1);
  vjp(bce, 1);
  vjp(kl, 2);
  auto combined = LossCombineOp::create(builder, loc, ValueRange{mse, bce, kl},
                                        ArrayRef<double>{1.0, 0.5, 2.0});
  vjp(combined, 3);

  auto z = ReparamOp::create(builder, loc, args[0], args[1], args[2], args[2]);
  EXPECT_EQ(z.getType(), batch);
  vjp(z, 2);
  auto noisy = NoiseOp::create(builder, loc, NoiseKind::Mask, args[0], args[2],
                               args[2], 0.25);
  vjp(noisy, 0);
  EXPECT_TRUE(verifies()) << diagnostics;
}

TEST_F(AeOpsTest, AddAndBackwardBuilders) {
  Location loc = builder.getUnknownLoc();
  SmallVector<Value> args =
      function({tensor({ShapedType::kDynamic, 5}), tensor({3, 5}),
                tensor({ShapedType::kDynamic, 3, 4, 4}), builder.getF32Type()});
  EXPECT_EQ(
      MatMulOp::create(builder, loc, args[0], args[1], false, true).getType(),
      tensor({ShapedType::kDynamic, 3}));
  EXPECT_EQ(
      MatMulOp::create(builder, loc, args[0], args[0], true, false).getType(),
      tensor({5, 5}));
  EXPECT_EQ(BiasGradOp::create(builder, loc, args[2]).getType(), tensor({3}));
  EXPECT_EQ(AddOp::create(builder, loc, args[3], args[3]).getType(),
            builder.getF32Type());
  EXPECT_TRUE(verifies()) << diagnostics;
}

TEST_F(AeOpsTest, ArithExternalModels) {
  Location loc = builder.getUnknownLoc();
  SmallVector<Value> args =
      function({builder.getF32Type(), builder.getF32Type()});
  vjp(arith::AddFOp::create(builder, loc, args[0], args[1]), 2);
  vjp(arith::SubFOp::create(builder, loc, args[0], args[1]), 2);
  vjp(arith::MulFOp::create(builder, loc, args[0], args[1]), 2);
  vjp(arith::NegFOp::create(builder, loc, args[0]), 1);
  EXPECT_TRUE(verifies()) << diagnostics;
}

// For every small geometry, the inferred result type of conv2d / deconv2d
// verifies, and so does every op of its VJP (conv2d_grad_input's floor,
// deconv2d's conv2d with swapped roles, conv2d_grad_weight both ways).
TEST_F(AeOpsTest, ConvolutionVJPsVerifyForEveryGeometry) {
  Location loc = builder.getUnknownLoc();
  int built = 0;
  for (int64_t height = 1; height <= 9; ++height)
    for (int64_t width : {height, height + 1})
      for (int64_t kernel = 1; kernel <= 4; ++kernel)
        for (int64_t stride = 1; stride <= 3; ++stride)
          for (int64_t pad = 0; pad <= 2; ++pad) {
            if (height + 2 * pad < kernel || width + 2 * pad < kernel)
              continue;
            SmallVector<Value> args =
                function({tensor({ShapedType::kDynamic, 2, height, width}),
                          tensor({3, 2, kernel, kernel}), tensor({3}),
                          tensor({2, 3, kernel, kernel})});
            auto conv = Conv2DOp::create(builder, loc, args[0], args[1],
                                         args[2], stride, pad);
            vjp(conv, 3);
            for (int64_t outPad = 0; outPad < stride; ++outPad) {
              if ((height - 1) * stride - 2 * pad + kernel + outPad < 1 ||
                  (width - 1) * stride - 2 * pad + kernel + outPad < 1)
                continue;
              auto deconv = Deconv2DOp::create(builder, loc, args[0], args[3],
                                               Value(), stride, pad, outPad);
              vjp(deconv, 2);
            }
            ++built;
          }
  EXPECT_GT(built, 100);
  EXPECT_TRUE(verifies()) << diagnostics;
}

TEST_F(AeOpsTest, VerifierRejectsMismatchedDense) {
  SmallVector<Value> args =
      function({tensor({ShapedType::kDynamic, 512}), tensor({784, 400})});
  DenseOp::create(builder, builder.getUnknownLoc(), args[0], args[1]);
  EXPECT_FALSE(verifies());
}

} // namespace
