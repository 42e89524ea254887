//===- AST.h - The syntax tree of a .ae model -------------------*- C++ -*-===//
//
// One ModelAST per file. The parser fills the sections as written, with
// source ranges on everything a diagnostic may point at; Sema then fills the
// shapes, layer names and parameter counts that later stages read (MLIRGen,
// the --emit=ast summary).
//
//===----------------------------------------------------------------------===//

#ifndef AEC_FRONTEND_AST_H
#define AEC_FRONTEND_AST_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aec {

/// The shape of one example (the batch dimension is implicit).
using Shape = llvm::SmallVector<int64_t, 4>;

/// "[1, 28, 28]".
std::string formatShape(llvm::ArrayRef<int64_t> shape);
/// A float as written in summaries and messages: "0.001", "1e-08".
std::string formatNumber(double value);

/// A value together with where it was written. `range` is invalid when the
/// value is a default.
template <typename T> struct Located {
  T value{};
  llvm::SMRange range;

  Located() = default;
  Located(T value) : value(value) {}
  Located(T value, llvm::SMRange range) : value(value), range(range) {}
  bool isWritten() const { return range.isValid(); }
};

enum class ActivationKind {
  Relu,
  Sigmoid,
  Tanh,
  Softplus,
  LeakyRelu,
  Identity
};

llvm::StringRef getActivationName(ActivationKind kind);
/// Parses an activation name ("relu", ...); std::nullopt if it is none.
std::optional<ActivationKind> parseActivationName(llvm::StringRef name);

struct Activation {
  ActivationKind kind = ActivationKind::Identity;
  /// leaky_relu's negative slope.
  Located<double> alpha;
  llvm::SMRange range;

  /// "relu", "leaky_relu(0.2)".
  std::string format() const;
};

enum class LayerKind { Dense, Conv, Deconv, Flatten, Reshape, Activation };

llvm::StringRef getLayerKindName(LayerKind kind);

struct Layer {
  LayerKind kind = LayerKind::Dense;
  /// The layer as written without its trailing activation: `conv(16, k=3)`.
  /// For a synthesized latent head, the `latent` statement.
  llvm::SMRange range;

  /// Dense: units. Conv / deconv: output channels.
  Located<int64_t> size;
  Located<bool> bias{true};
  Located<int64_t> kernel;
  Located<int64_t> stride{1};
  Located<int64_t> pad{0};
  Located<int64_t> outputPadding{0};
  /// Reshape: the target shape.
  llvm::SmallVector<Located<int64_t>, 4> dims;
  /// The activation applied after the layer; for LayerKind::Activation the
  /// layer itself.
  std::optional<Activation> activation;

  // Filled by Sema.
  /// "enc0", ..., "head" | "mu" | "logvar", "dec0", ...: the statement's
  /// index in its block, so parameter names follow the source.
  std::string name;
  Shape inputShape;
  Shape outputShape;
  /// Parameter tensors in the layout of docs/internals.md; empty if none.
  Shape weightShape;
  Shape biasShape;
  /// Fan-in for initialization (docs/internals.md).
  int64_t fanIn = 0;
  int64_t weightCount = 0;
  int64_t biasCount = 0;

  llvm::SMLoc getLoc() const { return range.Start; }
  int64_t getParamCount() const { return weightCount + biasCount; }
  bool hasWeights() const {
    return kind == LayerKind::Dense || kind == LayerKind::Conv ||
           kind == LayerKind::Deconv;
  }
  bool hasBias() const { return hasWeights() && bias.value; }
  /// The layer call as it would be written: "conv(16, k=3, stride=2, pad=1)",
  /// "dense(784, bias=false)", "reshape[32, 7, 7]", "relu".
  std::string format() const;
};

/// A block of layers: `encoder { ... }`.
struct LayerBlock {
  /// The keyword (`encoder` / `decoder`).
  llvm::SMRange keywordRange;
  llvm::SMLoc openLoc;
  llvm::SMLoc closeLoc;
  std::vector<Layer> layers;
};

struct InputSection {
  llvm::SMRange range;
  llvm::SmallVector<Located<int64_t>, 4> dims;
};

struct LatentSection {
  enum class Kind { Deterministic, Gaussian };

  llvm::SMRange range;
  Kind kind = Kind::Deterministic;
  Located<int64_t> size;
};

enum class NoiseKind { Mask, Gaussian, Blur, Block };

llvm::StringRef getNoiseKindName(NoiseKind kind);

struct NoiseSection {
  llvm::SMRange range;
  NoiseKind kind = NoiseKind::Mask;
  /// mask: drop probability p; gaussian / blur: sigma; block: size (an
  /// integer).
  Located<double> value;

  /// "mask(p=0.5)".
  std::string format() const;
};

enum class LossTermKind { MSE, BCE, KL };

llvm::StringRef getLossTermName(LossTermKind kind);

struct LossTerm {
  LossTermKind kind = LossTermKind::MSE;
  llvm::SMRange range;
  Located<double> weight{1.0};
};

struct LossSection {
  llvm::SMRange range;
  std::vector<LossTerm> terms;

  /// "bce + kl", "mse + 0.5 * kl".
  std::string format() const;
};

struct OptimizerSection {
  enum class Kind { Adam, SGD };

  llvm::SMRange range;
  Kind kind = Kind::Adam;
  // Defaults of DESIGN.md; `lr` depends on the kind (set by the parser).
  Located<double> lr{1e-3};
  Located<double> beta1{0.9};
  Located<double> beta2{0.999};
  Located<double> eps{1e-8};
  Located<double> momentum{0.0};

  /// "adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)".
  std::string format() const;
};

struct ModelAST {
  std::string name;
  llvm::SMRange nameRange;
  /// The `model` keyword.
  llvm::SMRange keywordRange;
  llvm::SMLoc openLoc;
  llvm::SMLoc closeLoc;

  std::optional<InputSection> input;
  std::optional<LatentSection> latent;
  std::optional<NoiseSection> noise;
  std::optional<LayerBlock> encoder;
  std::optional<LayerBlock> decoder;
  std::optional<LossSection> loss;
  std::optional<OptimizerSection> optimizer;

  // Filled by Sema.
  Shape inputShape;
  int64_t inputSize = 0;
  int64_t latentSize = 0;
  /// `head` for a deterministic latent; `mu`, `logvar` for a gaussian one.
  std::vector<Layer> heads;
  int64_t paramCount = 0;

  bool isGaussian() const {
    return latent && latent->kind == LatentSection::Kind::Gaussian;
  }
  /// Every layer in parameter order: encoder, head(s), decoder.
  std::vector<const Layer *> getAllLayers() const;
};

/// The `--emit=ast` model summary (after Sema): the sections, then one line
/// per layer with its call, activation, shapes and parameter count, then the
/// total.
void printModelSummary(const ModelAST &model, llvm::raw_ostream &os);

} // namespace aec

#endif // AEC_FRONTEND_AST_H
