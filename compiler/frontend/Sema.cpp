//===- Sema.cpp - Semantic checks and shape inference for .ae -------------===//

#include "compiler/frontend/Sema.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace aec;
using llvm::failure;
using llvm::LogicalResult;
using llvm::SMRange;
using llvm::success;

namespace {

class Sema {
public:
  Sema(ModelAST &model, DiagnosticEngine &diags) : model(model), diags(diags) {}

  LogicalResult run();

private:
  void checkName();
  void checkMissingSections();
  bool checkInput();
  bool checkLatent();
  void checkNoise(bool inputOk);
  void checkOptimizer();
  void checkLoss();
  void checkShapes();
  LogicalResult inferBlock(LayerBlock &block, llvm::StringRef prefix,
                           Shape &shape);
  LogicalResult inferLayer(Layer &layer, const Shape &input);
  LogicalResult inferDense(Layer &layer, const Shape &input);
  LogicalResult inferConv(Layer &layer, const Shape &input);
  void checkActivation(const Activation &activation);
  LogicalResult countParams();

  /// Reports unless `min <= value.value <= max`.
  bool checkSize(const Located<int64_t> &value, const llvm::Twine &what,
                 int64_t min = 1, int64_t max = kMaxSize);
  /// value in [min, max) (or (min, max) if `minExclusive`); max may be
  /// infinite. Reports with `what` and the allowed range otherwise.
  bool checkRange(const Located<double> &value, const llvm::Twine &what,
                  double min, bool minExclusive, double max,
                  llvm::StringRef allowed);
  /// Element count of `shape`, or -1 on int64 overflow.
  static int64_t getElementCount(llvm::ArrayRef<int64_t> shape);

  ModelAST &model;
  DiagnosticEngine &diags;
};

} // namespace

int64_t Sema::getElementCount(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    if (llvm::MulOverflow(count, dim, count))
      return -1;
  return count;
}

bool Sema::checkSize(const Located<int64_t> &value, const llvm::Twine &what,
                     int64_t min, int64_t max) {
  if (value.value < min) {
    diags.error(value.range, what + " must be at least " + llvm::Twine(min) +
                                 ", found " + llvm::Twine(value.value));
    return false;
  }
  if (value.value > max) {
    diags.error(value.range, what + " " + llvm::Twine(value.value) +
                                 " is too large (at most " + llvm::Twine(max) +
                                 ")");
    return false;
  }
  return true;
}

bool Sema::checkRange(const Located<double> &value, const llvm::Twine &what,
                      double min, bool minExclusive, double max,
                      llvm::StringRef allowed) {
  double v = value.value;
  bool ok = std::isfinite(v) && (minExclusive ? v > min : v >= min) && v < max;
  if (!ok)
    diags.error(value.range,
                what + " must be " + allowed + ", found " + formatNumber(v));
  return ok;
}

void Sema::checkName() {
  // The name becomes C identifiers (`M_create`) and the type `M` itself, in
  // a header that C and C++ both include.
  static const char *const keywords[] = {"alignas",
                                         "alignof",
                                         "and",
                                         "asm",
                                         "auto",
                                         "bool",
                                         "break",
                                         "case",
                                         "catch",
                                         "char",
                                         "class",
                                         "const",
                                         "constexpr",
                                         "continue",
                                         "default",
                                         "delete",
                                         "do",
                                         "double",
                                         "else",
                                         "enum",
                                         "explicit",
                                         "extern",
                                         "false",
                                         "float",
                                         "for",
                                         "friend",
                                         "goto",
                                         "if",
                                         "inline",
                                         "int",
                                         "long",
                                         "mutable",
                                         "namespace",
                                         "new",
                                         "not",
                                         "nullptr",
                                         "operator",
                                         "or",
                                         "private",
                                         "protected",
                                         "public",
                                         "register",
                                         "restrict",
                                         "return",
                                         "short",
                                         "signed",
                                         "sizeof",
                                         "static",
                                         "struct",
                                         "switch",
                                         "template",
                                         "this",
                                         "throw",
                                         "true",
                                         "try",
                                         "typedef",
                                         "typeid",
                                         "typename",
                                         "union",
                                         "unsigned",
                                         "using",
                                         "virtual",
                                         "void",
                                         "volatile",
                                         "while",
                                         "xor",
                                         "_Bool",
                                         "_Complex",
                                         "_Generic",
                                         "_Noreturn",
                                         "_Static_assert",
                                         "_Thread_local",
                                         "_Alignas",
                                         "_Alignof",
                                         "_Atomic"};
  for (const char *keyword : keywords) {
    if (model.name == keyword) {
      diags.error(model.nameRange,
                  "model name '" + model.name +
                      "' is a C or C++ keyword; it names the type of the "
                      "generated C API");
      return;
    }
  }
  if (llvm::StringRef(model.name).starts_with("aert"))
    diags.error(model.nameRange, "model name '" + model.name +
                                     "' is reserved: names starting with "
                                     "'aert' belong to the runtime");
}

void Sema::checkMissingSections() {
  struct Required {
    bool present;
    const char *name;
    const char *example;
  } required[] = {
      {model.input.has_value(), "input", "input [784]"},
      {model.latent.has_value(), "latent", "latent 32"},
      {model.encoder.has_value(), "encoder", "encoder { dense(128) relu }"},
      {model.decoder.has_value(), "decoder", "decoder { dense(784) sigmoid }"},
      {model.loss.has_value(), "loss", "loss mse"},
      {model.optimizer.has_value(), "optimizer", "optimizer adam(lr=1e-3)"},
  };
  for (const Required &section : required)
    if (!section.present)
      diags.error(model.nameRange, "model '" + model.name + "' has no '" +
                                       section.name + "' section (e.g. '" +
                                       section.example + "')");
}

bool Sema::checkInput() {
  if (!model.input)
    return false;
  bool ok = true;
  for (const auto &dim : model.input->dims)
    ok &= checkSize(dim, "input dimension");
  if (!ok)
    return false;
  if (model.input->dims.size() > 8) {
    diags.error(model.input->range, "input has rank " +
                                        llvm::Twine(model.input->dims.size()) +
                                        "; at most 8 dimensions are supported");
    return false;
  }
  model.inputShape.clear();
  for (const auto &dim : model.input->dims)
    model.inputShape.push_back(dim.value);
  model.inputSize = getElementCount(model.inputShape);
  if (model.inputSize < 0 || model.inputSize > kMaxSize) {
    diags.error(model.input->range,
                "input " + formatShape(model.inputShape) +
                    " has too many elements per example (at most " +
                    llvm::Twine(kMaxSize) + ")");
    return false;
  }
  return true;
}

bool Sema::checkLatent() {
  if (!model.latent)
    return false;
  if (!checkSize(model.latent->size, "latent size"))
    return false;
  model.latentSize = model.latent->size.value;
  return true;
}

void Sema::checkNoise(bool inputOk) {
  if (!model.noise)
    return;
  const NoiseSection &noise = *model.noise;
  switch (noise.kind) {
  case NoiseKind::Mask:
    checkRange(noise.value, "mask probability p", 0.0, false, 1.0, "in [0, 1)");
    return;
  case NoiseKind::Gaussian:
    checkRange(noise.value, "gaussian noise sigma", 0.0, true, HUGE_VAL, "> 0");
    return;
  case NoiseKind::Blur:
  case NoiseKind::Block:
    break;
  }
  llvm::StringRef kind = getNoiseKindName(noise.kind);
  if (noise.kind == NoiseKind::Blur &&
      !checkRange(noise.value, "blur sigma", 0.0, true, HUGE_VAL, "> 0"))
    return;
  if (!inputOk)
    return;
  if (model.inputShape.size() != 3) {
    diags.error(noise.range, "'" + kind +
                                 "' noise needs an image input "
                                 "[C, H, W], but the input is " +
                                 formatShape(model.inputShape));
    diags.note(model.input->range.Start, "input declared here");
    return;
  }
  if (noise.kind == NoiseKind::Blur) {
    // A wider blur is a flat image; the bound keeps the kernel (radius
    // ceil(3 sigma)) of the lowering small.
    int64_t maxSigma = std::max(model.inputShape[1], model.inputShape[2]);
    if (noise.value.value > static_cast<double>(maxSigma))
      diags.error(noise.value.range,
                  "blur sigma must be at most the image's larger side (" +
                      llvm::Twine(maxSigma) + " for input " +
                      formatShape(model.inputShape) + "), found " +
                      formatNumber(noise.value.value));
    return;
  }
  if (noise.kind == NoiseKind::Block) {
    double size = noise.value.value;
    int64_t maxSize = std::min(model.inputShape[1], model.inputShape[2]);
    if (size < 1 || size > static_cast<double>(maxSize))
      diags.error(noise.value.range,
                  "block size must be between 1 and the image's smaller side "
                  "(" +
                      llvm::Twine(maxSize) + " for input " +
                      formatShape(model.inputShape) + "), found " +
                      formatNumber(size));
  }
}

void Sema::checkOptimizer() {
  if (!model.optimizer)
    return;
  const OptimizerSection &opt = *model.optimizer;
  checkRange(opt.lr, "learning rate lr", 0.0, true, HUGE_VAL, "> 0 and finite");
  if (opt.kind == OptimizerSection::Kind::SGD) {
    checkRange(opt.momentum, "momentum", 0.0, false, 1.0, "in [0, 1)");
    return;
  }
  checkRange(opt.beta1, "beta1", 0.0, false, 1.0, "in [0, 1)");
  checkRange(opt.beta2, "beta2", 0.0, false, 1.0, "in [0, 1)");
  checkRange(opt.eps, "eps", 0.0, true, HUGE_VAL, "> 0 and finite");
}

void Sema::checkLoss() {
  if (!model.loss)
    return;
  const LossTerm *seen[3] = {nullptr, nullptr, nullptr};
  for (const LossTerm &term : model.loss->terms) {
    llvm::StringRef name = getLossTermName(term.kind);
    checkRange(term.weight, "weight of loss term '" + name + "'", 0.0, true,
               HUGE_VAL, "> 0 and finite");
    const LossTerm *&previous = seen[static_cast<int>(term.kind)];
    if (previous) {
      diags.error(term.range, "loss term '" + name + "' appears twice");
      diags.note(previous->range.Start, "first '" + name + "' is here");
    }
    previous = &term;
    if (term.kind == LossTermKind::KL && model.latent && !model.isGaussian()) {
      diags.error(term.range, "'kl' needs a gaussian latent: write 'latent "
                              "gaussian " +
                                  llvm::Twine(model.latent->size.value) + "'");
      diags.note(model.latent->range.Start, "latent declared here");
    }
  }
}

void Sema::checkActivation(const Activation &activation) {
  if (activation.kind == ActivationKind::LeakyRelu)
    checkRange(activation.alpha, "leaky_relu slope alpha", 0.0, false, HUGE_VAL,
               ">= 0 and finite");
}

LogicalResult Sema::inferDense(Layer &layer, const Shape &input) {
  if (input.size() != 1) {
    diags.error(layer.range,
                "'" + layer.format() +
                    "' needs a flat input (rank 1), but its input has shape " +
                    formatShape(input) + "; add 'flatten' before it");
    return failure();
  }
  if (!checkSize(layer.size, "dense units"))
    return failure();
  int64_t in = input[0], out = layer.size.value;
  layer.outputShape = {out};
  layer.weightShape = {in, out};
  layer.biasShape.clear();
  if (layer.bias.value)
    layer.biasShape = {out};
  layer.fanIn = in;
  return success();
}

LogicalResult Sema::inferConv(Layer &layer, const Shape &input) {
  bool isDeconv = layer.kind == LayerKind::Deconv;
  llvm::StringRef kind = getLayerKindName(layer.kind);
  if (input.size() != 3) {
    diags.error(
        layer.range,
        "'" + layer.format() +
            "' needs an image input [C, H, W], but its input has "
            "shape " +
            formatShape(input) +
            (input.size() == 1 ? "; add 'reshape[C, H, W]' before it" : ""));
    return failure();
  }
  bool ok = checkSize(layer.size, kind + " channels");
  ok &= checkSize(layer.kernel, kind + " kernel size k");
  ok &= checkSize(layer.stride, kind + " stride", 1, kMaxStrideOrPad);
  ok &= checkSize(layer.pad, kind + " pad", 0, kMaxStrideOrPad);
  if (isDeconv) {
    ok &= checkSize(layer.outputPadding, "deconv outpad", 0, kMaxStrideOrPad);
    if (ok && layer.outputPadding.value >= layer.stride.value) {
      diags.error(layer.outputPadding.isWritten() ? layer.outputPadding.range
                                                  : layer.range,
                  "deconv outpad must be smaller than stride (" +
                      llvm::Twine(layer.stride.value) + "), found " +
                      llvm::Twine(layer.outputPadding.value));
      ok = false;
    }
  }
  if (!ok)
    return failure();

  int64_t channelsIn = input[0], channelsOut = layer.size.value;
  int64_t k = layer.kernel.value, s = layer.stride.value, p = layer.pad.value,
          op = layer.outputPadding.value;
  Shape output = {channelsOut, 0, 0};
  for (int i = 1; i <= 2; ++i) {
    // All operands are below 2^31, so these cannot overflow int64.
    int64_t extent = input[i];
    int64_t result;
    if (isDeconv) {
      result = (extent - 1) * s - 2 * p + k + op;
    } else {
      int64_t padded = extent + 2 * p - k;
      result = padded < 0 ? 0 : padded / s + 1;
    }
    if (result < 1) {
      std::string formula = isDeconv ? "(H - 1) * stride - 2 * pad + k + outpad"
                                     : "(H + 2 * pad - k) / stride + 1";
      diags.error(layer.range,
                  "'" + layer.format() + "' on input " + formatShape(input) +
                      " gives an empty output: " + formula +
                      " is less than 1 for " + (i == 1 ? "H = " : "W = ") +
                      llvm::Twine(extent));
      return failure();
    }
    output[i] = result;
  }
  layer.outputShape = output;
  if (isDeconv) {
    layer.weightShape = {channelsIn, channelsOut, k, k};
    layer.fanIn = channelsOut * k * k;
  } else {
    layer.weightShape = {channelsOut, channelsIn, k, k};
    layer.fanIn = channelsIn * k * k;
  }
  layer.biasShape.clear();
  if (layer.bias.value)
    layer.biasShape = {channelsOut};
  return success();
}

LogicalResult Sema::inferLayer(Layer &layer, const Shape &input) {
  layer.inputShape = input;
  layer.weightShape.clear();
  layer.biasShape.clear();
  if (layer.activation)
    checkActivation(*layer.activation);
  LogicalResult result = success();
  switch (layer.kind) {
  case LayerKind::Dense:
    result = inferDense(layer, input);
    break;
  case LayerKind::Conv:
  case LayerKind::Deconv:
    result = inferConv(layer, input);
    break;
  case LayerKind::Flatten:
    layer.outputShape = {getElementCount(input)};
    break;
  case LayerKind::Reshape: {
    bool ok = true;
    for (const auto &dim : layer.dims)
      ok &= checkSize(dim, "reshape dimension");
    if (!ok)
      return failure();
    Shape target;
    for (const auto &dim : layer.dims)
      target.push_back(dim.value);
    int64_t count = getElementCount(target);
    int64_t inputCount = getElementCount(input);
    if (count != inputCount) {
      diags.error(
          layer.range,
          "'" + layer.format() + "' cannot reshape " + formatShape(input) +
              " (" + llvm::Twine(inputCount) + " elements) to " +
              formatShape(target) + " (" +
              (count < 0 ? std::string("too many") : std::to_string(count)) +
              " elements)");
      return failure();
    }
    layer.outputShape = target;
    break;
  }
  case LayerKind::Activation:
    layer.outputShape = input;
    break;
  }
  if (failed(result))
    return failure();

  int64_t outputCount = getElementCount(layer.outputShape);
  if (outputCount < 0 || outputCount > kMaxSize) {
    diags.error(layer.range, "'" + layer.format() + "' on input " +
                                 formatShape(input) + " gives " +
                                 formatShape(layer.outputShape) +
                                 ", too many elements per example (at most " +
                                 llvm::Twine(kMaxSize) + ")");
    return failure();
  }
  layer.weightCount =
      layer.weightShape.empty() ? 0 : getElementCount(layer.weightShape);
  layer.biasCount =
      layer.biasShape.empty() ? 0 : getElementCount(layer.biasShape);
  int64_t paramCount;
  if (layer.weightCount < 0 || layer.biasCount < 0 ||
      llvm::AddOverflow(layer.weightCount, layer.biasCount, paramCount)) {
    diags.error(layer.range, "'" + layer.format() + "' on input " +
                                 formatShape(input) +
                                 " has more parameters than fit in 64 bits");
    return failure();
  }
  return success();
}

LogicalResult Sema::inferBlock(LayerBlock &block, llvm::StringRef prefix,
                               Shape &shape) {
  for (size_t i = 0; i < block.layers.size(); ++i) {
    Layer &layer = block.layers[i];
    layer.name = (prefix + llvm::Twine(i)).str();
    if (failed(inferLayer(layer, shape)))
      return failure();
    shape = layer.outputShape;
  }
  return success();
}

/// The activation that produces the block's output values, looking through
/// shape-only layers and identities; Identity if there is none.
static ActivationKind getFinalActivation(const LayerBlock &block) {
  for (const Layer &layer : llvm::reverse(block.layers)) {
    if (layer.activation && layer.activation->kind != ActivationKind::Identity)
      return layer.activation->kind;
    if (layer.kind == LayerKind::Flatten || layer.kind == LayerKind::Reshape ||
        layer.kind == LayerKind::Activation)
      continue;
    return ActivationKind::Identity;
  }
  return ActivationKind::Identity;
}

void Sema::checkShapes() {
  bool inputOk = checkInput();
  bool latentOk = checkLatent();
  checkNoise(inputOk);

  // Encoder and heads.
  if (inputOk && latentOk && model.encoder) {
    Shape shape = model.inputShape;
    if (succeeded(inferBlock(*model.encoder, "enc", shape))) {
      if (shape.size() != 1) {
        SMRange at = model.encoder->layers.empty()
                         ? model.encoder->keywordRange
                         : model.encoder->layers.back().range;
        diags.error(at, "the latent head needs a flat encoder output (rank "
                        "1), but the encoder ends with shape " +
                            formatShape(shape) +
                            "; add 'flatten' at the end of the encoder");
      } else {
        auto makeHead = [&](const char *name) {
          Layer head;
          head.kind = LayerKind::Dense;
          head.range = model.latent->range;
          head.size =
              Located<int64_t>(model.latentSize, model.latent->size.range);
          head.name = name;
          (void)inferLayer(head, shape);
          model.heads.push_back(std::move(head));
        };
        if (model.isGaussian()) {
          makeHead("mu");
          makeHead("logvar");
        } else {
          makeHead("head");
        }
      }
    }
  }

  // Decoder: from the latent back to the input shape. Checked even if the
  // encoder has errors, since it starts from the latent.
  if (latentOk && model.decoder) {
    Shape shape = {model.latentSize};
    if (succeeded(inferBlock(*model.decoder, "dec", shape)) && inputOk &&
        shape != model.inputShape) {
      diags.error(model.decoder->keywordRange,
                  "the decoder must end at the input shape " +
                      formatShape(model.inputShape) + ", but it ends with " +
                      formatShape(shape));
      diags.note(model.input->range.Start, "input declared here");
    }
  }

  // bce: outputs must be probabilities.
  if (model.loss && model.decoder) {
    for (const LossTerm &term : model.loss->terms) {
      if (term.kind != LossTermKind::BCE ||
          getFinalActivation(*model.decoder) == ActivationKind::Sigmoid)
        continue;
      diags.error(term.range, "'bce' needs outputs in (0, 1): the decoder "
                              "must end with a sigmoid");
      if (!model.decoder->layers.empty())
        diags.note(model.decoder->layers.back().range.Start,
                   "the decoder ends here");
      else
        diags.note(model.decoder->keywordRange.Start, "the decoder is empty");
    }
  }
}

LogicalResult Sema::countParams() {
  int64_t total = 0;
  for (const Layer *layer : model.getAllLayers()) {
    if (llvm::AddOverflow(total, layer->getParamCount(), total)) {
      diags.error(layer->range, "the model has more parameters than fit in "
                                "64 bits (at '" +
                                    layer->format() + "')");
      return failure();
    }
  }
  model.paramCount = total;
  return success();
}

LogicalResult Sema::run() {
  // The checks below run section by section; report in source order.
  diags.startDeferring();
  checkName();
  checkMissingSections();
  checkShapes();
  checkOptimizer();
  checkLoss();
  if (!diags.hasErrors())
    (void)countParams();
  diags.flushDeferred();
  return diags.hasErrors() ? failure() : success();
}

LogicalResult aec::checkModel(ModelAST &model, DiagnosticEngine &diags) {
  return Sema(model, diags).run();
}
