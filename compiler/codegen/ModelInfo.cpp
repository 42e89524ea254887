//===- ModelInfo.cpp - Model metadata read from a module ------------------===//

#include "compiler/codegen/ModelInfo.h"

#include "dialect/AeAttributes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace aec {

std::string kernelName(StringRef model, StringRef kernel) {
  return (model + "__" + kernel).str();
}

std::string cInterfaceName(StringRef model, StringRef kernel) {
  return ("_mlir_ciface_" + model + "__" + kernel).str();
}

/// The model name prefixes C symbols and names a C type (`typedef struct M
/// M;`): it must be an identifier and not a keyword of C99 or C++.
static bool isCIdentifier(StringRef name) {
  if (name.empty() || llvm::isDigit(name.front()))
    return false;
  if (!llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
    return false;
  static constexpr llvm::StringLiteral kKeywords[] = {
      "auto",     "bool",      "break",    "case",      "catch",    "char",
      "class",    "const",     "continue", "default",   "delete",   "do",
      "double",   "else",      "enum",     "explicit",  "extern",   "false",
      "float",    "for",       "friend",   "goto",      "if",       "inline",
      "int",      "long",      "mutable",  "namespace", "new",      "operator",
      "private",  "protected", "public",   "register",  "restrict", "return",
      "short",    "signed",    "sizeof",   "static",    "struct",   "switch",
      "template", "this",      "throw",    "true",      "try",      "typedef",
      "typename", "union",     "unsigned", "using",     "virtual",  "void",
      "volatile", "while"};
  return !llvm::is_contained(kKeywords, name);
}

FailureOr<std::vector<ParamInfo>> readParamArguments(func::FuncOp func) {
  std::vector<ParamInfo> params;
  int64_t offset = 0;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    auto name = func.getArgAttrOfType<StringAttr>(i, ae::attrs::kParam);
    if (!name)
      continue;
    auto type = dyn_cast<RankedTensorType>(func.getArgument(i).getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32() ||
        type.getRank() < 1 || type.getRank() > 4)
      return func.emitError() << "parameter '" << name.getValue()
                              << "' must be a static f32 tensor of rank 1-4, "
                                 "got "
                              << func.getArgument(i).getType();
    auto fanIn = func.getArgAttrOfType<IntegerAttr>(i, ae::attrs::kFanIn);
    if (!fanIn || fanIn.getInt() <= 0)
      return func.emitError() << "parameter '" << name.getValue()
                              << "' needs a positive integer '"
                              << ae::attrs::kFanIn << "' argument attribute";
    ParamInfo p;
    p.name = name.getValue().str();
    p.shape.assign(type.getShape().begin(), type.getShape().end());
    p.size = type.getNumElements();
    p.offset = offset;
    p.fanIn = fanIn.getInt();
    offset += p.size;
    params.push_back(std::move(p));
  }
  return params;
}

/// Reads the `ae.params` table written by ae-kernel-abi.
static FailureOr<std::vector<ParamInfo>> readParamTable(ModuleOp module,
                                                        ArrayAttr table) {
  std::vector<ParamInfo> params;
  for (Attribute entry : table) {
    auto dict = dyn_cast<DictionaryAttr>(entry);
    auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr();
    auto offset = dict ? dict.getAs<IntegerAttr>("offset") : IntegerAttr();
    auto fanIn = dict ? dict.getAs<IntegerAttr>("fan_in") : IntegerAttr();
    auto shape =
        dict ? dict.getAs<DenseI64ArrayAttr>("shape") : DenseI64ArrayAttr();
    if (!name || !offset || !fanIn || !shape)
      return module.emitError()
             << "malformed '" << ae::attrs::kParams << "' entry " << entry
             << " (expected {name, offset, shape, fan_in})";
    ParamInfo p;
    p.name = name.getValue().str();
    p.offset = offset.getInt();
    p.fanIn = fanIn.getInt();
    p.shape.assign(shape.asArrayRef().begin(), shape.asArrayRef().end());
    p.size = 1;
    for (int64_t d : p.shape)
      p.size *= d;
    params.push_back(std::move(p));
  }
  return params;
}

/// The model functions in the order in which their parameter list is looked
/// up (all of them carry the same list, internals.md).
static constexpr llvm::StringLiteral kModelFunctions[] = {
    "loss",   "loss_grad",   "train_step", "apply_grad",      "encode",
    "decode", "reconstruct", "elbo",       "encode_gaussian", "decode_logits"};

FailureOr<ModelInfo> ModelInfo::read(ModuleOp module) {
  ModelInfo info;
  auto name = module->getAttrOfType<StringAttr>(ae::attrs::kModel);
  if (!name)
    return module.emitError() << "module lacks the '" << ae::attrs::kModel
                              << "' string attribute (the model name)";
  if (!isCIdentifier(name.getValue()))
    return module.emitError() << "model name '" << name.getValue()
                              << "' is not a C identifier (or is a C/C++ "
                                 "keyword)";
  info.name = name.getValue().str();

  auto shape = module->getAttrOfType<DenseI64ArrayAttr>(ae::attrs::kInputShape);
  if (!shape || shape.empty() || shape.size() > 4 ||
      llvm::any_of(shape.asArrayRef(), [](int64_t d) { return d <= 0; }))
    return module.emitError()
           << "module needs '" << ae::attrs::kInputShape
           << "' as array<i64: ...> of 1 to 4 positive sizes";
  info.inputShape.assign(shape.asArrayRef().begin(), shape.asArrayRef().end());
  info.inputSize = 1;
  for (int64_t d : info.inputShape)
    info.inputSize *= d;

  auto latent = module->getAttrOfType<IntegerAttr>(ae::attrs::kLatentSize);
  if (!latent || latent.getInt() <= 0)
    return module.emitError() << "module needs a positive integer '"
                              << ae::attrs::kLatentSize << "' attribute";
  info.latentSize = latent.getInt();

  if (auto kind = module->getAttrOfType<StringAttr>(ae::attrs::kLatentKind)) {
    if (kind.getValue() == "gaussian")
      info.latentKind = LatentKind::Gaussian;
    else if (kind.getValue() != "deterministic")
      return module.emitError() << "unknown '" << ae::attrs::kLatentKind << "' "
                                << kind << " (deterministic | gaussian)";
  }

  if (auto opt = module->getAttrOfType<DictionaryAttr>(ae::attrs::kOptimizer)) {
    auto kind = opt.getAs<StringAttr>("kind");
    if (!kind || (kind.getValue() != "adam" && kind.getValue() != "sgd"))
      return module.emitError() << "'" << ae::attrs::kOptimizer
                                << "' needs kind = \"adam\" | \"sgd\"";
    info.optimizer.kind =
        kind.getValue() == "adam" ? OptimizerKind::Adam : OptimizerKind::SGD;
    auto readF64 = [&](StringRef key, double &out) -> LogicalResult {
      Attribute a = opt.get(key);
      if (!a)
        return success();
      if (auto f = dyn_cast<FloatAttr>(a)) {
        out = f.getValueAsDouble();
        return success();
      }
      return module.emitError() << "'" << ae::attrs::kOptimizer << "' field '"
                                << key << "' must be a float";
    };
    if (failed(readF64("lr", info.optimizer.lr)) ||
        failed(readF64("beta1", info.optimizer.beta1)) ||
        failed(readF64("beta2", info.optimizer.beta2)) ||
        failed(readF64("eps", info.optimizer.eps)) ||
        failed(readF64("momentum", info.optimizer.momentum)))
      return failure();
  }

  if (auto likelihood =
          module->getAttrOfType<StringAttr>(ae::attrs::kLikelihood)) {
    if (likelihood.getValue() == "bernoulli")
      info.likelihood = Likelihood::Bernoulli;
    else if (likelihood.getValue() != "none")
      return module.emitError() << "unknown '" << ae::attrs::kLikelihood << "' "
                                << likelihood << " (none | bernoulli)";
  }

  if (auto summary = module->getAttrOfType<StringAttr>(ae::attrs::kSummary))
    info.summary = summary.getValue().str();

  // Parameters: the table written by ae-kernel-abi, else the arguments of the
  // first model function present.
  if (auto table = module->getAttrOfType<ArrayAttr>(ae::attrs::kParams)) {
    auto params = readParamTable(module, table);
    if (failed(params))
      return failure();
    info.params = std::move(*params);
  } else {
    for (StringRef fn : kModelFunctions) {
      auto func = module.lookupSymbol<func::FuncOp>(fn);
      if (!func)
        continue;
      auto params = readParamArguments(func);
      if (failed(params))
        return failure();
      info.params = std::move(*params);
      break;
    }
  }
  for (const ParamInfo &p : info.params)
    info.paramCount = std::max(info.paramCount, p.offset + p.size);
  if (auto count = module->getAttrOfType<IntegerAttr>(ae::attrs::kParamCount))
    info.paramCount = count.getInt();

  if (auto count = module->getAttrOfType<IntegerAttr>(ae::attrs::kStateCount)) {
    info.stateCount = count.getInt();
  } else if (info.optimizer.kind == OptimizerKind::Adam) {
    info.stateCount = 2 * info.paramCount;
  } else if (info.optimizer.momentum != 0.0) {
    info.stateCount = info.paramCount;
  }
  return info;
}

} // namespace aec
