//===- AST.cpp - The syntax tree of a .ae model ---------------------------===//

#include "compiler/frontend/AST.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Format.h"

#include <algorithm>

using namespace aec;

std::string aec::formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string result = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      result += ", ";
    result += std::to_string(shape[i]);
  }
  return result + "]";
}

std::string aec::formatNumber(double value) {
  std::string result;
  llvm::raw_string_ostream os(result);
  os << llvm::format("%g", value);
  return result;
}

llvm::StringRef aec::getActivationName(ActivationKind kind) {
  switch (kind) {
  case ActivationKind::Relu:
    return "relu";
  case ActivationKind::Sigmoid:
    return "sigmoid";
  case ActivationKind::Tanh:
    return "tanh";
  case ActivationKind::Softplus:
    return "softplus";
  case ActivationKind::LeakyRelu:
    return "leaky_relu";
  case ActivationKind::Identity:
    return "identity";
  }
  return "?";
}

std::optional<ActivationKind> aec::parseActivationName(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<ActivationKind>>(name)
      .Case("relu", ActivationKind::Relu)
      .Case("sigmoid", ActivationKind::Sigmoid)
      .Case("tanh", ActivationKind::Tanh)
      .Case("softplus", ActivationKind::Softplus)
      .Case("leaky_relu", ActivationKind::LeakyRelu)
      .Case("identity", ActivationKind::Identity)
      .Default(std::nullopt);
}

std::string Activation::format() const {
  std::string result = getActivationName(kind).str();
  if (kind == ActivationKind::LeakyRelu)
    result += "(" + formatNumber(alpha.value) + ")";
  return result;
}

llvm::StringRef aec::getLayerKindName(LayerKind kind) {
  switch (kind) {
  case LayerKind::Dense:
    return "dense";
  case LayerKind::Conv:
    return "conv";
  case LayerKind::Deconv:
    return "deconv";
  case LayerKind::Flatten:
    return "flatten";
  case LayerKind::Reshape:
    return "reshape";
  case LayerKind::Activation:
    return "activation";
  }
  return "?";
}

std::string Layer::format() const {
  std::string result;
  switch (kind) {
  case LayerKind::Dense:
    result = "dense(" + std::to_string(size.value);
    if (!bias.value)
      result += ", bias=false";
    return result + ")";
  case LayerKind::Conv:
  case LayerKind::Deconv:
    result = getLayerKindName(kind).str() + "(" + std::to_string(size.value) +
             ", k=" + std::to_string(kernel.value);
    if (stride.value != 1)
      result += ", stride=" + std::to_string(stride.value);
    if (pad.value != 0)
      result += ", pad=" + std::to_string(pad.value);
    if (kind == LayerKind::Deconv && outputPadding.value != 0)
      result += ", outpad=" + std::to_string(outputPadding.value);
    if (!bias.value)
      result += ", bias=false";
    return result + ")";
  case LayerKind::Flatten:
    return "flatten";
  case LayerKind::Reshape: {
    Shape shape;
    for (const auto &dim : dims)
      shape.push_back(dim.value);
    return "reshape" + formatShape(shape);
  }
  case LayerKind::Activation:
    return activation ? activation->format() : "identity";
  }
  return "?";
}

llvm::StringRef aec::getNoiseKindName(NoiseKind kind) {
  switch (kind) {
  case NoiseKind::Mask:
    return "mask";
  case NoiseKind::Gaussian:
    return "gaussian";
  case NoiseKind::Blur:
    return "blur";
  case NoiseKind::Block:
    return "block";
  }
  return "?";
}

std::string NoiseSection::format() const {
  const char *param = "p";
  switch (kind) {
  case NoiseKind::Mask:
    param = "p";
    break;
  case NoiseKind::Gaussian:
  case NoiseKind::Blur:
    param = "sigma";
    break;
  case NoiseKind::Block:
    param = "size";
    break;
  }
  return getNoiseKindName(kind).str() + "(" + param + "=" +
         formatNumber(value.value) + ")";
}

llvm::StringRef aec::getLossTermName(LossTermKind kind) {
  switch (kind) {
  case LossTermKind::MSE:
    return "mse";
  case LossTermKind::BCE:
    return "bce";
  case LossTermKind::KL:
    return "kl";
  }
  return "?";
}

std::string LossSection::format() const {
  std::string result;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (i)
      result += " + ";
    if (terms[i].weight.value != 1.0)
      result += formatNumber(terms[i].weight.value) + " * ";
    result += getLossTermName(terms[i].kind).str();
  }
  return result;
}

std::string OptimizerSection::format() const {
  if (kind == OptimizerSection::Kind::SGD)
    return "sgd(lr=" + formatNumber(lr.value) +
           ", momentum=" + formatNumber(momentum.value) + ")";
  return "adam(lr=" + formatNumber(lr.value) +
         ", beta1=" + formatNumber(beta1.value) +
         ", beta2=" + formatNumber(beta2.value) +
         ", eps=" + formatNumber(eps.value) + ")";
}

std::vector<const Layer *> ModelAST::getAllLayers() const {
  std::vector<const Layer *> layers;
  if (encoder)
    for (const Layer &layer : encoder->layers)
      layers.push_back(&layer);
  for (const Layer &layer : heads)
    layers.push_back(&layer);
  if (decoder)
    for (const Layer &layer : decoder->layers)
      layers.push_back(&layer);
  return layers;
}

void aec::printModelSummary(const ModelAST &model, llvm::raw_ostream &os) {
  os << "model " << model.name << "\n";
  if (model.input)
    os << "  input      " << formatShape(model.inputShape) << " ("
       << model.inputSize << " values per example)\n";
  if (model.latent)
    os << "  latent     " << (model.isGaussian() ? "gaussian " : "")
       << model.latentSize << "\n";
  if (model.noise)
    os << "  noise      " << model.noise->format() << "\n";
  if (model.loss)
    os << "  loss       " << model.loss->format() << "\n";
  if (model.optimizer)
    os << "  optimizer  " << model.optimizer->format() << "\n";

  struct Row {
    std::string name, op, act, in, out, params;
  };
  std::vector<Row> rows;
  rows.push_back({"layer", "op", "activation", "input", "output", "params"});
  for (const Layer *layer : model.getAllLayers()) {
    Row row;
    row.name = layer->name;
    row.op = layer->format();
    row.act = layer->kind != LayerKind::Activation && layer->activation
                  ? layer->activation->format()
                  : "-";
    row.in = formatShape(layer->inputShape);
    row.out = formatShape(layer->outputShape);
    row.params = std::to_string(layer->getParamCount());
    rows.push_back(row);
  }
  size_t nameWidth = 0, opWidth = 0, actWidth = 0, inWidth = 0, outWidth = 0,
         paramsWidth = 0;
  for (const Row &row : rows) {
    nameWidth = std::max(nameWidth, row.name.size());
    opWidth = std::max(opWidth, row.op.size());
    actWidth = std::max(actWidth, row.act.size());
    inWidth = std::max(inWidth, row.in.size());
    outWidth = std::max(outWidth, row.out.size());
    paramsWidth = std::max(paramsWidth, row.params.size());
  }
  os << "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row &row = rows[i];
    os << "  " << llvm::left_justify(row.name, nameWidth) << "  "
       << llvm::left_justify(row.op, opWidth) << "  "
       << llvm::left_justify(row.act, actWidth) << "  "
       << llvm::left_justify(row.in, inWidth) << (i ? " -> " : "    ")
       << llvm::left_justify(row.out, outWidth) << "  "
       << llvm::right_justify(row.params, paramsWidth) << "\n";
  }
  os << "  total parameters: " << model.paramCount << "\n";
}
