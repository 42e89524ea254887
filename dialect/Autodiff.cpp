//===- Autodiff.cpp - the ae-autodiff pass --------------------------------===//
//
// Reverse-mode differentiation of the loss function: see the description of
// AeAutodiff in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialect/AeAttributes.h"
#include "dialect/AeInterfaces.h"
#include "dialect/AeOps.h"
#include "dialect/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace mlir {
namespace ae {
#define GEN_PASS_DEF_AEAUTODIFF
#include "dialect/Passes.h.inc"
} // namespace ae
} // namespace mlir

using namespace mlir;
using namespace mlir::ae;

namespace {

using attrs::kGrad;
using attrs::kParam;

/// Calls `fn` for every value `op` reads: its operands and the values
/// defined outside it that its regions use.
template <typename Fn> void forEachInput(Operation *op, Fn fn) {
  for (Value operand : op->getOperands())
    fn(operand);
  if (op->getNumRegions() == 0)
    return;
  op->walk([&](Operation *nested) {
    if (nested == op)
      return;
    for (Value operand : nested->getOperands())
      if (!op->isAncestor(operand.getParentBlock()->getParentOp()))
        fn(operand);
  });
}

/// Builds the backward pass of one single-block function in place.
class ReverseModeBuilder {
public:
  explicit ReverseModeBuilder(func::FuncOp func) : func(func) {}

  /// Appends the backward ops before the terminator and returns the
  /// gradient of each parameter argument (in `params` order).
  FailureOr<SmallVector<Value>> build(ArrayRef<BlockArgument> params);

private:
  /// Adds `grad` to the gradient accumulated for `value`.
  void accumulate(OpBuilder &builder, Value value, Value grad);

  func::FuncOp func;
  /// Values that depend on a parameter.
  llvm::DenseSet<Value> varied;
  /// The gradient of the loss with respect to each value reached so far.
  llvm::DenseMap<Value, Value> adjoint;
};

void ReverseModeBuilder::accumulate(OpBuilder &builder, Value value,
                                    Value grad) {
  auto [it, inserted] = adjoint.try_emplace(value, grad);
  if (!inserted)
    it->second = AddOp::create(builder, grad.getLoc(), it->second, grad);
}

FailureOr<SmallVector<Value>>
ReverseModeBuilder::build(ArrayRef<BlockArgument> params) {
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Value loss = ret.getOperand(0);

  // Forward activity: which values depend on a parameter.
  for (BlockArgument param : params)
    varied.insert(param);
  for (Operation &op : body.without_terminator()) {
    bool dependsOnParam = false;
    forEachInput(
        &op, [&](Value input) { dependsOnParam |= varied.contains(input); });
    if (dependsOnParam)
      for (Value result : op.getResults())
        varied.insert(result);
  }

  OpBuilder builder(ret);
  Location loc = func.getLoc();
  adjoint[loss] =
      arith::ConstantOp::create(builder, loc, builder.getF32FloatAttr(1.0f));

  // Reverse sweep. Ops are visited after all their users (reverse program
  // order in a single block), so each result's gradient is complete.
  SmallVector<Operation *> forwardOps;
  for (Operation &op : body.without_terminator())
    forwardOps.push_back(&op);
  for (Operation *op : llvm::reverse(forwardOps)) {
    SmallVector<Value> resultGrads;
    bool reachesLoss = false;
    for (Value result : op->getResults()) {
      Value grad = adjoint.lookup(result);
      reachesLoss |= static_cast<bool>(grad);
      resultGrads.push_back(grad);
    }
    bool dependsOnParam = false;
    forEachInput(
        op, [&](Value input) { dependsOnParam |= varied.contains(input); });
    if (!reachesLoss || !dependsOnParam)
      continue;

    auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
    if (!differentiable || op->getNumRegions() != 0)
      return op->emitOpError()
             << "lies on a differentiable path (from a parameter to the "
                "loss) but does not implement DifferentiableOpInterface";

    SmallVector<Value> operandGrads =
        differentiable.buildVJP(builder, resultGrads);
    if (operandGrads.size() != op->getNumOperands())
      return op->emitOpError()
             << "VJP returned " << operandGrads.size() << " gradients for "
             << op->getNumOperands() << " operands";
    for (auto [index, operand, grad] :
         llvm::enumerate(op->getOperands(), operandGrads)) {
      if (!varied.contains(operand))
        continue;
      // A parameter reaches an operand the op treats as data (a loss
      // target, the input of ae.noise): its gradient would silently be
      // dropped, so refuse.
      if (!grad)
        return op->emitOpError()
               << "operand #" << index
               << " depends on a parameter but is not differentiable (loss "
                  "targets and the input of ae.noise are data)";
      if (grad.getType() != operand.getType())
        return op->emitOpError()
               << "VJP gradient of operand #" << index << " has type "
               << grad.getType() << ", expected " << operand.getType();
      accumulate(builder, operand, grad);
    }
  }

  SmallVector<Value> paramGrads;
  for (BlockArgument param : params) {
    if (Value grad = adjoint.lookup(param)) {
      paramGrads.push_back(grad);
      continue;
    }
    // The parameter does not influence the loss: its gradient is zero.
    Type type = param.getType();
    TypedAttr zero;
    if (auto tensor = dyn_cast<RankedTensorType>(type);
        tensor && tensor.hasStaticShape() &&
        isa<FloatType>(tensor.getElementType()))
      zero = DenseElementsAttr::get(
          tensor, builder.getFloatAttr(tensor.getElementType(), 0.0));
    else if (isa<FloatType>(type))
      zero = builder.getFloatAttr(type, 0.0);
    if (!zero)
      return emitError(param.getLoc())
             << "parameter #" << param.getArgNumber() << " of type " << type
             << " does not influence the loss and has no zero gradient "
                "(expected a float or a static float tensor)";
    paramGrads.push_back(arith::ConstantOp::create(builder, loc, zero));
  }
  return paramGrads;
}

struct AeAutodiffPass : public ae::impl::AeAutodiffBase<AeAutodiffPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto loss = module.lookupSymbol<func::FuncOp>(functionName);
    if (!loss)
      return; // Nothing to differentiate (e.g. an inference-only module).
    func::FuncOp grad = createGradientFunction(loss);
    if (!grad)
      return signalPassFailure();
    if (failed(differentiate(grad))) {
      grad.erase();
      return signalPassFailure();
    }
  }

  /// Checks @loss and clones it into a new @loss_grad.
  func::FuncOp createGradientFunction(func::FuncOp loss) {
    std::string gradName = functionName + "_grad";
    if (loss.isExternal()) {
      loss.emitOpError() << "has no body to differentiate";
      return {};
    }
    FunctionType type = loss.getFunctionType();
    if (type.getNumResults() != 1 || !type.getResult(0).isF32()) {
      loss.emitOpError() << "must return a single f32 loss to be "
                            "differentiated, got "
                         << type.getResults();
      return {};
    }
    if (!loss.getBody().hasOneBlock()) {
      loss.emitOpError() << "must have a single block to be differentiated";
      return {};
    }
    Block &body = loss.getBody().front();
    if (body.empty() || !isa<func::ReturnOp>(body.back())) {
      loss.emitOpError() << "must end with func.return to be differentiated";
      return {};
    }
    if (SymbolTable::lookupSymbolIn(getOperation(), gradName)) {
      loss.emitOpError() << "cannot be differentiated: '@" << gradName
                         << "' already exists";
      return {};
    }

    OpBuilder builder(loss);
    builder.setInsertionPointAfter(loss);
    // Same signature as @loss for now: the gradient results are added once
    // they exist, so that the function verifies at every step.
    auto grad = func::FuncOp::create(builder, loss.getLoc(), gradName, type);
    grad.setVisibility(loss.getVisibility());
    if (ArrayAttr argAttrs = loss.getAllArgAttrs())
      grad.setAllArgAttrs(argAttrs);
    IRMapping mapping;
    loss.getBody().cloneInto(&grad.getBody(), mapping);
    return grad;
  }

  LogicalResult differentiate(func::FuncOp grad) {
    // Canonicalize the primal first, so that e.g. bce(sigmoid(z)) is
    // differentiated in its stable logits form.
    OpPassManager cleanup(func::FuncOp::getOperationName());
    cleanup.addPass(createCanonicalizerPass());
    cleanup.addPass(createCSEPass());
    if (failed(runPipeline(cleanup, grad)))
      return failure();

    SmallVector<BlockArgument> params;
    for (BlockArgument arg : grad.getArguments())
      if (grad.getArgAttrOfType<StringAttr>(arg.getArgNumber(), kParam))
        params.push_back(arg);

    ReverseModeBuilder reverse(grad);
    FailureOr<SmallVector<Value>> paramGrads = reverse.build(params);
    if (failed(paramGrads))
      return failure();

    // Return (loss, d loss / d param...), each gradient result tagged with
    // the name of its parameter.
    auto ret = cast<func::ReturnOp>(grad.getBody().front().getTerminator());
    SmallVector<Value> results{ret.getOperand(0)};
    llvm::append_range(results, *paramGrads);
    SmallVector<Attribute> resultAttrs{DictionaryAttr::get(&getContext())};
    for (BlockArgument param : params)
      resultAttrs.push_back(DictionaryAttr::get(
          &getContext(),
          {NamedAttribute(kGrad,
                          grad.getArgAttr(param.getArgNumber(), kParam))}));
    OpBuilder builder(ret);
    func::ReturnOp::create(builder, ret.getLoc(), results);
    ret.erase();
    grad.setFunctionType(FunctionType::get(&getContext(),
                                           grad.getArgumentTypes(),
                                           ValueRange(results).getTypes()));
    grad.setAllResultAttrs(resultAttrs);

    return runPipeline(cleanup, grad);
  }
};

} // namespace
