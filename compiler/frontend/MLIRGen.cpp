//===- MLIRGen.cpp - AST to the ae dialect --------------------------------===//

#include "compiler/frontend/MLIRGen.h"

#include "dialect/AeAttributes.h"
#include "dialect/AeDialect.h"
#include "dialect/AeOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/SourceMgr.h"

using namespace aec;
using mlir::Location;
using mlir::Type;
using mlir::Value;
namespace attrs = mlir::ae::attrs;

namespace {

/// One trailing parameter argument of the model functions.
struct Param {
  std::string name; // "enc0.weight"
  mlir::RankedTensorType type;
  int64_t fanIn;
  Location loc;
};

class MLIRGen {
public:
  MLIRGen(mlir::MLIRContext &context, const ModelAST &model,
          const llvm::SourceMgr &sourceMgr)
      : context(context), builder(&context), model(model),
        sourceMgr(sourceMgr) {}

  mlir::OwningOpRef<mlir::ModuleOp> build();

private:
  //===--- Locations and types ------------------------------------------===//
  mlir::FileLineColLoc getLoc(llvm::SMLoc loc);
  /// `name` (e.g. the layer "enc0") at `loc`.
  Location getLoc(llvm::SMLoc loc, llvm::StringRef name);
  /// tensor<?xD...xf32>: a batch of examples of `shape`.
  mlir::RankedTensorType getBatchType(llvm::ArrayRef<int64_t> shape);

  //===--- Module structure ---------------------------------------------===//
  void collectParams();
  void setModuleAttributes(mlir::ModuleOp module);
  /// A function `name(leading..., params...) -> result` with its entry
  /// block; the insertion point is set inside it. `paramValues` gets the
  /// parameter block arguments.
  mlir::func::FuncOp createFunction(llvm::StringRef name,
                                    llvm::ArrayRef<Type> leading,
                                    llvm::ArrayRef<Location> leadingLocs,
                                    llvm::ArrayRef<Type> results, Location loc);
  /// The training objective of @loss and @elbo: the loss and, for @elbo,
  /// its reconstruction part (the weighted non-kl terms) and the unweighted
  /// KL term.
  struct Objective {
    Value loss, reconstruction, kl;
  };
  Objective emitObjective(Value x, Value seed, Value call, bool withParts);
  /// Creates `name(x: batch, seed: i64, call: i64, params...) -> results`.
  mlir::func::FuncOp createObjectiveFunction(llvm::StringRef name,
                                             llvm::ArrayRef<Type> results);
  void buildLoss();
  void buildEncode();
  void buildDecode();
  // VAE evaluation (gaussian latents; docs/vae.md).
  void buildElbo();
  void buildEncodeGaussian();
  void buildDecodeLogits();
  /// Whether the model's p(x|z) is Bernoulli with the decoder's logits: a
  /// gaussian latent and only bce reconstruction terms.
  bool hasBernoulliLikelihood() const;

  //===--- Layers -------------------------------------------------------===//
  /// Emits `layer`; `withoutActivation` drops its activation (the final
  /// sigmoid in @decode_logits).
  Value emitLayer(const Layer &layer, Value input,
                  bool withoutActivation = false);
  /// Emits `layers` in order, without the activation of `skipActivation`.
  Value emitLayers(const std::vector<Layer> &layers, Value input,
                   const Layer *skipActivation = nullptr);
  Value emitActivation(const Activation &activation, Value input, Location loc);

  mlir::MLIRContext &context;
  mlir::OpBuilder builder;
  const ModelAST &model;
  const llvm::SourceMgr &sourceMgr;

  std::vector<Param> params;
  /// Index in `params` of each layer's weight (its bias follows).
  llvm::DenseMap<const Layer *, unsigned> firstParam;
  /// The parameter arguments of the function being built.
  llvm::SmallVector<Value> paramValues;
};

} // namespace

//===----------------------------------------------------------------------===//
// Locations and types
//===----------------------------------------------------------------------===//

mlir::FileLineColLoc MLIRGen::getLoc(llvm::SMLoc loc) {
  unsigned bufferID = sourceMgr.FindBufferContainingLoc(loc);
  if (bufferID == 0)
    return mlir::FileLineColLoc::get(&context, "<unknown>", 0, 0);
  auto [line, column] = sourceMgr.getLineAndColumn(loc, bufferID);
  llvm::StringRef file =
      sourceMgr.getMemoryBuffer(bufferID)->getBufferIdentifier();
  return mlir::FileLineColLoc::get(&context, file, line, column);
}

Location MLIRGen::getLoc(llvm::SMLoc loc, llvm::StringRef name) {
  return mlir::NameLoc::get(builder.getStringAttr(name), getLoc(loc));
}

mlir::RankedTensorType MLIRGen::getBatchType(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t, 5> dims = {mlir::ShapedType::kDynamic};
  dims.append(shape.begin(), shape.end());
  return mlir::RankedTensorType::get(dims, builder.getF32Type());
}

//===----------------------------------------------------------------------===//
// Module structure
//===----------------------------------------------------------------------===//

void MLIRGen::collectParams() {
  for (const Layer *layer : model.getAllLayers()) {
    if (!layer->hasWeights())
      continue;
    firstParam[layer] = params.size();
    Location loc = getLoc(layer->getLoc(), layer->name);
    params.push_back(
        {layer->name + ".weight",
         mlir::RankedTensorType::get(layer->weightShape, builder.getF32Type()),
         layer->fanIn, loc});
    if (layer->hasBias())
      params.push_back(
          {layer->name + ".bias",
           mlir::RankedTensorType::get(layer->biasShape, builder.getF32Type()),
           layer->fanIn, loc});
  }
}

void MLIRGen::setModuleAttributes(mlir::ModuleOp module) {
  auto f64 = [&](double value) { return builder.getF64FloatAttr(value); };
  module->setAttr(attrs::kModel, builder.getStringAttr(model.name));
  module->setAttr(attrs::kInputShape,
                  builder.getDenseI64ArrayAttr(model.inputShape));
  module->setAttr(attrs::kLatentSize,
                  builder.getI64IntegerAttr(model.latentSize));
  module->setAttr(
      attrs::kLatentKind,
      builder.getStringAttr(model.isGaussian() ? "gaussian" : "deterministic"));
  const OptimizerSection &opt = *model.optimizer;
  llvm::SmallVector<mlir::NamedAttribute> fields;
  if (opt.kind == OptimizerSection::Kind::Adam) {
    fields = {builder.getNamedAttr("kind", builder.getStringAttr("adam")),
              builder.getNamedAttr("lr", f64(opt.lr.value)),
              builder.getNamedAttr("beta1", f64(opt.beta1.value)),
              builder.getNamedAttr("beta2", f64(opt.beta2.value)),
              builder.getNamedAttr("eps", f64(opt.eps.value))};
  } else {
    fields = {builder.getNamedAttr("kind", builder.getStringAttr("sgd")),
              builder.getNamedAttr("lr", f64(opt.lr.value)),
              builder.getNamedAttr("momentum", f64(opt.momentum.value))};
  }
  module->setAttr(attrs::kOptimizer, builder.getDictionaryAttr(fields));
  std::string summary;
  llvm::raw_string_ostream os(summary);
  printModelSummary(model, os);
  module->setAttr(attrs::kSummary, builder.getStringAttr(summary));
  module->setAttr(
      attrs::kLikelihood,
      builder.getStringAttr(hasBernoulliLikelihood() ? "bernoulli" : "none"));
}

mlir::func::FuncOp MLIRGen::createFunction(llvm::StringRef name,
                                           llvm::ArrayRef<Type> leading,
                                           llvm::ArrayRef<Location> leadingLocs,
                                           llvm::ArrayRef<Type> results,
                                           Location loc) {
  llvm::SmallVector<Type> inputs(leading.begin(), leading.end());
  llvm::SmallVector<Location> argLocs(leadingLocs.begin(), leadingLocs.end());
  for (const Param &param : params) {
    inputs.push_back(param.type);
    argLocs.push_back(param.loc);
  }
  auto type = builder.getFunctionType(inputs, results);
  auto func = mlir::func::FuncOp::create(builder, loc, name, type);
  for (size_t i = 0; i < params.size(); ++i) {
    unsigned index = leading.size() + i;
    func.setArgAttr(index, attrs::kParam,
                    builder.getStringAttr(params[i].name));
    func.setArgAttr(index, attrs::kFanIn,
                    builder.getI64IntegerAttr(params[i].fanIn));
  }
  mlir::Block *entry =
      builder.createBlock(&func.getBody(), {}, inputs, argLocs);
  paramValues.assign(entry->args_begin() + leading.size(), entry->args_end());
  builder.setInsertionPointToStart(entry);
  return func;
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

static mlir::ae::ActivationKind convertActivation(ActivationKind kind) {
  switch (kind) {
  case ActivationKind::Relu:
    return mlir::ae::ActivationKind::Relu;
  case ActivationKind::Sigmoid:
    return mlir::ae::ActivationKind::Sigmoid;
  case ActivationKind::Tanh:
    return mlir::ae::ActivationKind::Tanh;
  case ActivationKind::Softplus:
    return mlir::ae::ActivationKind::Softplus;
  case ActivationKind::LeakyRelu:
  case ActivationKind::Identity:
    break;
  }
  return mlir::ae::ActivationKind::LeakyRelu;
}

Value MLIRGen::emitActivation(const Activation &activation, Value input,
                              Location loc) {
  if (activation.kind == ActivationKind::Identity)
    return input;
  std::optional<double> alpha;
  if (activation.kind == ActivationKind::LeakyRelu)
    alpha = activation.alpha.value;
  return mlir::ae::ActivationOp::create(
      builder, loc, convertActivation(activation.kind), input, alpha);
}

Value MLIRGen::emitLayer(const Layer &layer, Value input,
                         bool withoutActivation) {
  Location loc = getLoc(layer.getLoc(), layer.name);
  Value weight, bias;
  if (layer.hasWeights()) {
    unsigned first = firstParam.lookup(&layer);
    weight = paramValues[first];
    if (layer.hasBias())
      bias = paramValues[first + 1];
  }
  Value output = input;
  switch (layer.kind) {
  case LayerKind::Dense:
    output = mlir::ae::DenseOp::create(builder, loc, input, weight, bias);
    break;
  case LayerKind::Conv:
    output = mlir::ae::Conv2DOp::create(builder, loc, input, weight, bias,
                                        layer.stride.value, layer.pad.value);
    break;
  case LayerKind::Deconv:
    output = mlir::ae::Deconv2DOp::create(builder, loc, input, weight, bias,
                                          layer.stride.value, layer.pad.value,
                                          layer.outputPadding.value);
    break;
  case LayerKind::Flatten:
  case LayerKind::Reshape: {
    auto type = getBatchType(layer.outputShape);
    if (type != input.getType())
      output = mlir::ae::ReshapeOp::create(builder, loc, type, input);
    break;
  }
  case LayerKind::Activation:
    if (withoutActivation)
      return input;
    return emitActivation(*layer.activation, input, loc);
  }
  if (layer.activation && !withoutActivation)
    output = emitActivation(*layer.activation, output,
                            getLoc(layer.activation->range.Start, layer.name));
  return output;
}

Value MLIRGen::emitLayers(const std::vector<Layer> &layers, Value input,
                          const Layer *skipActivation) {
  for (const Layer &layer : layers)
    input = emitLayer(layer, input, &layer == skipActivation);
  return input;
}

/// The layer whose activation is the decoder's final one (Sema's rule: the
/// last non-identity activation, looking through flatten, reshape and
/// identity), if that activation is a sigmoid.
static const Layer *getFinalSigmoid(const LayerBlock &block) {
  for (const Layer &layer : llvm::reverse(block.layers)) {
    if (layer.activation && layer.activation->kind != ActivationKind::Identity)
      return layer.activation->kind == ActivationKind::Sigmoid ? &layer
                                                               : nullptr;
    if (layer.kind == LayerKind::Flatten || layer.kind == LayerKind::Reshape ||
        layer.kind == LayerKind::Activation)
      continue;
    return nullptr;
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

static mlir::ae::NoiseKind convertNoise(NoiseKind kind) {
  switch (kind) {
  case NoiseKind::Mask:
    return mlir::ae::NoiseKind::Mask;
  case NoiseKind::Gaussian:
    return mlir::ae::NoiseKind::Gaussian;
  case NoiseKind::Blur:
    return mlir::ae::NoiseKind::Blur;
  case NoiseKind::Block:
    break;
  }
  return mlir::ae::NoiseKind::Block;
}

mlir::func::FuncOp
MLIRGen::createObjectiveFunction(llvm::StringRef name,
                                 llvm::ArrayRef<Type> results) {
  Location inputLoc = getLoc(model.input->range.Start, "x");
  Type i64 = builder.getI64Type();
  Location modelLoc = getLoc(model.nameRange.Start, model.name);
  return createFunction(name, {getBatchType(model.inputShape), i64, i64},
                        {inputLoc, getLoc(model.nameRange.Start, "seed"),
                         getLoc(model.nameRange.Start, "call")},
                        results, modelLoc);
}

MLIRGen::Objective MLIRGen::emitObjective(Value x, Value seed, Value call,
                                          bool withParts) {
  // Training-time corruption of the input; the loss compares against the
  // clean input.
  Value input = x;
  if (model.noise)
    input = mlir::ae::NoiseOp::create(builder,
                                      getLoc(model.noise->range.Start, "noise"),
                                      convertNoise(model.noise->kind), x, seed,
                                      call, model.noise->value.value);

  Value features = emitLayers(model.encoder->layers, input);
  Value z, mu, logvar;
  if (model.isGaussian()) {
    mu = emitLayer(model.heads[0], features);
    logvar = emitLayer(model.heads[1], features);
    z = mlir::ae::ReparamOp::create(
        builder, getLoc(model.latent->range.Start, "reparam"), mu, logvar, seed,
        call);
  } else {
    z = emitLayer(model.heads[0], features);
  }
  Value reconstruction = emitLayers(model.decoder->layers, z);

  llvm::SmallVector<Value> terms;
  llvm::SmallVector<double> weights;
  Objective objective;
  llvm::SmallVector<Value> recTerms;
  llvm::SmallVector<double> recWeights;
  for (const LossTerm &term : model.loss->terms) {
    Location loc = getLoc(term.range.Start, getLossTermName(term.kind));
    switch (term.kind) {
    case LossTermKind::MSE:
      terms.push_back(mlir::ae::MseOp::create(builder, loc, reconstruction, x));
      break;
    case LossTermKind::BCE:
      // The canonicalizer fuses a final sigmoid into the stable
      // with-logits form.
      terms.push_back(mlir::ae::BceOp::create(builder, loc, reconstruction, x));
      break;
    case LossTermKind::KL:
      terms.push_back(mlir::ae::KlNormalOp::create(builder, loc, mu, logvar));
      objective.kl = terms.back();
      break;
    }
    weights.push_back(term.weight.value);
    if (term.kind != LossTermKind::KL) {
      recTerms.push_back(terms.back());
      recWeights.push_back(term.weight.value);
    }
  }
  Location lossLoc = getLoc(model.loss->range.Start, "loss");
  // One term of weight 1 is the loss itself; otherwise the weighted sum.
  auto combine = [&](llvm::ArrayRef<Value> values,
                     llvm::ArrayRef<double> factors) -> Value {
    if (values.size() == 1 && factors[0] == 1.0)
      return values[0];
    return mlir::ae::LossCombineOp::create(builder, lossLoc, values, factors);
  };
  objective.loss = combine(terms, weights);
  if (!withParts)
    return objective;

  // The parts @elbo reports: the weighted reconstruction terms (0 without
  // any) and the KL divergence, computed even when the loss leaves it out.
  if (recTerms.empty())
    objective.reconstruction = mlir::arith::ConstantOp::create(
        builder, lossLoc, builder.getF32FloatAttr(0.0f));
  else
    objective.reconstruction = combine(recTerms, recWeights);
  if (!objective.kl)
    objective.kl = mlir::ae::KlNormalOp::create(
        builder, getLoc(model.latent->range.Start, "kl"), mu, logvar);
  return objective;
}

void MLIRGen::buildLoss() {
  auto func = createObjectiveFunction("loss", {builder.getF32Type()});
  Objective objective = emitObjective(func.getArgument(0), func.getArgument(1),
                                      func.getArgument(2), /*withParts=*/false);
  mlir::func::ReturnOp::create(builder, func.getLoc(), objective.loss);
}

// @elbo(x, seed, call, params) -> (loss, reconstruction, kl): the loss of
// @loss (same ops, same noise and reparameterization draws) and its parts.
void MLIRGen::buildElbo() {
  Type f32 = builder.getF32Type();
  auto func = createObjectiveFunction("elbo", {f32, f32, f32});
  Objective objective = emitObjective(func.getArgument(0), func.getArgument(1),
                                      func.getArgument(2), /*withParts=*/true);
  mlir::func::ReturnOp::create(
      builder, func.getLoc(),
      mlir::ValueRange{objective.loss, objective.reconstruction, objective.kl});
}

// @encode_gaussian(x, params) -> (mu, logvar): q(z|x), no noise.
void MLIRGen::buildEncodeGaussian() {
  Location inputLoc = getLoc(model.input->range.Start, "x");
  Location modelLoc = getLoc(model.nameRange.Start, model.name);
  Type latent = getBatchType({model.latentSize});
  auto func =
      createFunction("encode_gaussian", {getBatchType(model.inputShape)},
                     {inputLoc}, {latent, latent}, modelLoc);
  Value features = emitLayers(model.encoder->layers, func.getArgument(0));
  Value mu = emitLayer(model.heads[0], features);
  Value logvar = emitLayer(model.heads[1], features);
  mlir::func::ReturnOp::create(builder, modelLoc, mlir::ValueRange{mu, logvar});
}

// @decode_logits(z, params) -> logits: the decoder without its final
// sigmoid, the natural parameters of the Bernoulli p(x|z).
void MLIRGen::buildDecodeLogits() {
  Location latentLoc = getLoc(model.latent->range.Start, "z");
  Location modelLoc = getLoc(model.nameRange.Start, model.name);
  auto func =
      createFunction("decode_logits", {getBatchType({model.latentSize})},
                     {latentLoc}, {getBatchType(model.inputShape)}, modelLoc);
  Value logits = emitLayers(model.decoder->layers, func.getArgument(0),
                            getFinalSigmoid(*model.decoder));
  mlir::func::ReturnOp::create(builder, modelLoc, logits);
}

bool MLIRGen::hasBernoulliLikelihood() const {
  if (!model.isGaussian() || !getFinalSigmoid(*model.decoder))
    return false;
  bool anyBce = false;
  for (const LossTerm &term : model.loss->terms) {
    if (term.kind == LossTermKind::MSE)
      return false;
    anyBce |= term.kind == LossTermKind::BCE;
  }
  return anyBce;
}

void MLIRGen::buildEncode() {
  Location inputLoc = getLoc(model.input->range.Start, "x");
  Location modelLoc = getLoc(model.nameRange.Start, model.name);
  auto func =
      createFunction("encode", {getBatchType(model.inputShape)}, {inputLoc},
                     {getBatchType({model.latentSize})}, modelLoc);
  Value features = emitLayers(model.encoder->layers, func.getArgument(0));
  // A VAE encodes to the mean of q(z|x).
  Value z = emitLayer(model.heads[0], features);
  mlir::func::ReturnOp::create(builder, modelLoc, z);
}

void MLIRGen::buildDecode() {
  Location latentLoc = getLoc(model.latent->range.Start, "z");
  Location modelLoc = getLoc(model.nameRange.Start, model.name);
  auto func =
      createFunction("decode", {getBatchType({model.latentSize})}, {latentLoc},
                     {getBatchType(model.inputShape)}, modelLoc);
  Value output = emitLayers(model.decoder->layers, func.getArgument(0));
  mlir::func::ReturnOp::create(builder, modelLoc, output);
}

mlir::OwningOpRef<mlir::ModuleOp> MLIRGen::build() {
  context.loadDialect<mlir::ae::AeDialect, mlir::arith::ArithDialect,
                      mlir::func::FuncDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::ModuleOp::create(getLoc(model.keywordRange.Start, model.name));
  setModuleAttributes(*module);
  collectParams();

  builder.setInsertionPointToEnd(module->getBody());
  buildLoss();
  builder.setInsertionPointToEnd(module->getBody());
  buildEncode();
  builder.setInsertionPointToEnd(module->getBody());
  buildDecode();
  if (model.isGaussian()) {
    builder.setInsertionPointToEnd(module->getBody());
    buildElbo();
    builder.setInsertionPointToEnd(module->getBody());
    buildEncodeGaussian();
    if (hasBernoulliLikelihood()) {
      builder.setInsertionPointToEnd(module->getBody());
      buildDecodeLogits();
    }
  }

  if (failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

void aec::registerMLIRGenDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::ae::AeDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect>();
}

mlir::OwningOpRef<mlir::ModuleOp>
aec::buildModule(mlir::MLIRContext &context, const ModelAST &model,
                 const llvm::SourceMgr &sourceMgr) {
  return MLIRGen(context, model, sourceMgr).build();
}
