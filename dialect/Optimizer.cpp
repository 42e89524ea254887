//===- Optimizer.cpp - the ae-optimizer pass ------------------------------===//
//
// Builds @apply_grad and the fused @train_step from @loss_grad: see the
// description of AeOptimizer in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialect/AeAttributes.h"
#include "dialect/AeOps.h"
#include "dialect/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir {
namespace ae {
#define GEN_PASS_DEF_AEOPTIMIZER
#include "dialect/Passes.h.inc"
} // namespace ae
} // namespace mlir

using namespace mlir;
using namespace mlir::ae;

namespace {

using attrs::kGrad;
using attrs::kOptimizer;
using attrs::kParam;
using attrs::kState;

/// The optimizer of the model, from the module's `ae.optimizer` attribute.
struct OptimizerConfig {
  enum class Kind { Adam, Sgd, Momentum } kind = Kind::Adam;
  double lr = 0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, momentum = 0;

  /// Per-parameter state slots, in the order of the flat state buffer.
  SmallVector<StringRef, 2> slots() const {
    switch (kind) {
    case Kind::Adam:
      return {"m", "v"};
    case Kind::Momentum:
      return {"velocity"};
    case Kind::Sgd:
      return {};
    }
    return {};
  }
};

FailureOr<OptimizerConfig> readConfig(ModuleOp module) {
  auto dict = module->getAttrOfType<DictionaryAttr>(kOptimizer);
  if (!dict)
    return module.emitError()
           << "ae-optimizer needs the module attribute '" << kOptimizer
           << "' (a dictionary with kind = \"adam\" or \"sgd\")";
  auto kind = dict.getAs<StringAttr>("kind");
  if (!kind || (kind.getValue() != "adam" && kind.getValue() != "sgd"))
    return module.emitError()
           << "'" << kOptimizer
           << "' has no valid kind (\"adam\" or \"sgd\"): " << dict;
  OptimizerConfig config;
  // Reads an optional f64 field, keeping the default when absent.
  auto read = [&](StringRef name, double &value) -> LogicalResult {
    Attribute attr = dict.get(name);
    if (!attr)
      return success();
    auto f = dyn_cast<FloatAttr>(attr);
    if (!f)
      return module.emitError() << "'" << kOptimizer << "' field '" << name
                                << "' must be a float, got " << attr;
    value = f.getValueAsDouble();
    return success();
  };
  if (!dict.get("lr"))
    return module.emitError()
           << "'" << kOptimizer << "' has no learning rate 'lr'";
  if (failed(read("lr", config.lr)) || failed(read("beta1", config.beta1)) ||
      failed(read("beta2", config.beta2)) || failed(read("eps", config.eps)) ||
      failed(read("momentum", config.momentum)))
    return failure();
  if (kind.getValue() == "adam")
    config.kind = OptimizerConfig::Kind::Adam;
  else
    config.kind = config.momentum > 0 ? OptimizerConfig::Kind::Momentum
                                      : OptimizerConfig::Kind::Sgd;
  return config;
}

/// A trainable parameter of @loss_grad: its argument and attributes.
struct Param {
  unsigned argIndex;
  RankedTensorType type;
  StringAttr name;
  DictionaryAttr attrs; // ae.param, ae.fan_in, ...
};

struct AeOptimizerPass : public ae::impl::AeOptimizerBase<AeOptimizerPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto lossGrad = module.lookupSymbol<func::FuncOp>("loss_grad");
    if (!lossGrad) {
      module.emitError() << "ae-optimizer needs @loss_grad (run ae-autodiff "
                            "first)";
      return signalPassFailure();
    }
    for (StringRef name : {"apply_grad", "train_step"})
      if (Operation *existing = module.lookupSymbol(name)) {
        existing->emitError()
            << "@" << name << " already exists; ae-optimizer creates it";
        return signalPassFailure();
      }
    FailureOr<OptimizerConfig> config = readConfig(module);
    if (failed(config))
      return signalPassFailure();
    SmallVector<Param> params;
    if (failed(collectParams(lossGrad, params)))
      return signalPassFailure();

    OpBuilder builder(module.getContext());
    builder.setInsertionPointAfter(lossGrad);
    func::FuncOp applyGrad =
        buildApplyGrad(builder, lossGrad.getLoc(), *config, params);
    builder.setInsertionPointAfter(applyGrad);
    buildTrainStep(builder, lossGrad, applyGrad, *config, params);
  }

  /// The `ae.param` arguments of @loss_grad, checked against its gradient
  /// results.
  LogicalResult collectParams(func::FuncOp lossGrad,
                              SmallVectorImpl<Param> &params) {
    for (unsigned i = 0, e = lossGrad.getNumArguments(); i < e; ++i) {
      auto name = lossGrad.getArgAttrOfType<StringAttr>(i, kParam);
      if (!name)
        continue;
      auto type = dyn_cast<RankedTensorType>(lossGrad.getArgumentTypes()[i]);
      if (!type || !type.hasStaticShape())
        return lossGrad.emitError() << "parameter '" << name.getValue()
                                    << "' must be a static tensor, got "
                                    << lossGrad.getArgumentTypes()[i];
      if (!params.empty() && params.back().argIndex + 1 != i)
        return lossGrad.emitError()
               << "parameter '" << name.getValue()
               << "' does not follow the previous parameter: parameters must "
                  "be the trailing arguments";
      params.push_back(Param{i, type, name, lossGrad.getArgAttrDict(i)});
    }
    if (!params.empty() &&
        params.back().argIndex + 1 != lossGrad.getNumArguments())
      return lossGrad.emitError()
             << "parameters must be the trailing arguments of @loss_grad";
    ArrayRef<Type> results = lossGrad.getResultTypes();
    if (results.size() != params.size() + 1 || !results[0].isF32())
      return lossGrad.emitError()
             << "@loss_grad must return the f32 loss and one gradient per "
                "parameter ("
             << params.size() << "), got " << results.size() << " results";
    for (auto [i, p] : llvm::enumerate(params))
      if (results[i + 1] != p.type)
        return lossGrad.emitError()
               << "gradient #" << i << " has type " << results[i + 1]
               << " but parameter '" << p.name.getValue() << "' has type "
               << p.type;
    return success();
  }

  /// Argument attributes of the optimizer-state tensors, slot-major.
  static SmallVector<DictionaryAttr> stateAttrs(OpBuilder &b,
                                                const OptimizerConfig &config,
                                                ArrayRef<Param> params) {
    SmallVector<DictionaryAttr> attrs;
    for (StringRef slot : config.slots())
      for (const Param &p : params)
        attrs.push_back(b.getDictionaryAttr(b.getNamedAttr(
            kState, b.getStringAttr(p.name.getValue() + "." + slot))));
    return attrs;
  }

  func::FuncOp buildApplyGrad(OpBuilder &b, Location loc,
                              const OptimizerConfig &config,
                              ArrayRef<Param> params) {
    size_t numSlots = config.slots().size();
    SmallVector<Type> argTypes{b.getI64Type()};
    SmallVector<DictionaryAttr> argAttrs{b.getDictionaryAttr({})};
    for (const Param &p : params) {
      argTypes.push_back(p.type);
      argAttrs.push_back(
          b.getDictionaryAttr(b.getNamedAttr(kGrad, p.name)));
    }
    for (const Param &p : params) {
      argTypes.push_back(p.type);
      argAttrs.push_back(p.attrs);
    }
    for (size_t s = 0; s < numSlots; ++s)
      for (const Param &p : params)
        argTypes.push_back(p.type);
    llvm::append_range(argAttrs, stateAttrs(b, config, params));
    SmallVector<Type> resultTypes(argTypes.begin() + 1 + params.size(),
                                  argTypes.end());

    auto func = func::FuncOp::create(b, loc, "apply_grad",
                                     b.getFunctionType(argTypes, resultTypes));
    func.setAllArgAttrs(argAttrs);
    Block *entry = func.addEntryBlock();
    OpBuilder body = OpBuilder::atBlockBegin(entry);
    size_t n = params.size();
    Value step = entry->getArgument(0);
    auto grad = [&](size_t i) { return entry->getArgument(1 + i); };
    auto param = [&](size_t i) { return entry->getArgument(1 + n + i); };
    auto state = [&](size_t slot, size_t i) {
      return entry->getArgument(1 + 2 * n + slot * n + i);
    };

    SmallVector<Value> newParams(n), newStates(numSlots * n);
    FloatAttr lr = body.getF64FloatAttr(config.lr);
    for (size_t i = 0; i < n; ++i) {
      switch (config.kind) {
      case OptimizerConfig::Kind::Adam: {
        auto update = AdamUpdateOp::create(
            body, loc, param(i).getType(), param(i).getType(),
            param(i).getType(), param(i), grad(i), state(0, i), state(1, i),
            step, lr, body.getF64FloatAttr(config.beta1),
            body.getF64FloatAttr(config.beta2),
            body.getF64FloatAttr(config.eps));
        newParams[i] = update.getNewParam();
        newStates[i] = update.getNewM();
        newStates[n + i] = update.getNewV();
        break;
      }
      case OptimizerConfig::Kind::Momentum: {
        auto update = MomentumUpdateOp::create(
            body, loc, param(i).getType(), param(i).getType(), param(i),
            grad(i), state(0, i), lr, body.getF64FloatAttr(config.momentum));
        newParams[i] = update.getNewParam();
        newStates[i] = update.getNewVelocity();
        break;
      }
      case OptimizerConfig::Kind::Sgd:
        newParams[i] = SgdUpdateOp::create(body, loc, param(i).getType(),
                                           param(i), grad(i), lr)
                           .getNewParam();
        break;
      }
    }
    SmallVector<Value> results(newParams);
    llvm::append_range(results, newStates);
    func::ReturnOp::create(body, loc, results);
    return func;
  }

  void buildTrainStep(OpBuilder &b, func::FuncOp lossGrad,
                      func::FuncOp applyGrad, const OptimizerConfig &config,
                      ArrayRef<Param> params) {
    Location loc = lossGrad.getLoc();
    size_t n = params.size(), numStates = config.slots().size() * n;
    // The leading (non-parameter) arguments of @loss_grad: x, seed, call.
    unsigned numLeading =
        params.empty() ? lossGrad.getNumArguments() : params.front().argIndex;
    ArrayRef<Type> lossArgs = lossGrad.getArgumentTypes();
    SmallVector<Type> argTypes(lossArgs.begin(), lossArgs.begin() + numLeading);
    SmallVector<DictionaryAttr> argAttrs;
    for (unsigned i = 0; i < numLeading; ++i)
      argAttrs.push_back(lossGrad.getArgAttrDict(i) ? lossGrad.getArgAttrDict(i)
                                                    : b.getDictionaryAttr({}));
    unsigned stepIndex = argTypes.size();
    argTypes.push_back(b.getI64Type());
    argAttrs.push_back(b.getDictionaryAttr({}));
    for (const Param &p : params) {
      argTypes.push_back(p.type);
      argAttrs.push_back(p.attrs);
    }
    ArrayRef<Type> applyArgs = applyGrad.getArgumentTypes();
    argTypes.append(applyArgs.end() - numStates, applyArgs.end());
    llvm::append_range(argAttrs, stateAttrs(b, config, params));
    SmallVector<Type> resultTypes{b.getF32Type()};
    llvm::append_range(resultTypes, applyGrad.getResultTypes());

    auto func = func::FuncOp::create(b, loc, "train_step",
                                     b.getFunctionType(argTypes, resultTypes));
    func.setAllArgAttrs(argAttrs);
    Block *entry = func.addEntryBlock();
    OpBuilder body = OpBuilder::atBlockBegin(entry);

    // @loss_grad(leading..., params...).
    SmallVector<Value> lossOperands;
    for (unsigned i = 0; i < numLeading; ++i)
      lossOperands.push_back(entry->getArgument(i));
    for (size_t i = 0; i < n; ++i)
      lossOperands.push_back(entry->getArgument(stepIndex + 1 + i));
    auto gradCall = func::CallOp::create(body, loc, lossGrad, lossOperands);

    // @apply_grad(step, grads..., params..., states...).
    SmallVector<Value> applyOperands{entry->getArgument(stepIndex)};
    for (size_t i = 0; i < n; ++i)
      applyOperands.push_back(gradCall.getResult(1 + i));
    for (size_t i = 0; i < n + numStates; ++i)
      applyOperands.push_back(entry->getArgument(stepIndex + 1 + i));
    auto applyCall = func::CallOp::create(body, loc, applyGrad, applyOperands);

    SmallVector<Value> results{gradCall.getResult(0)};
    llvm::append_range(results, applyCall.getResults());
    func::ReturnOp::create(body, loc, results);
  }
};

} // namespace
