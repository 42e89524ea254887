//===- ModelInfo.h - Model metadata read from a module ----------*- C++ -*-===//
//
// The facts about a model that the backend needs (name, sizes, latent kind,
// optimizer, parameter layout), read from the module attributes and the
// `ae.param` argument attributes documented in docs/internals.md (their names
// are in dialect/AeAttributes.h). The kernel ABI pass, the C API pass and the
// header emitter all read the model through this one place.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_CODEGEN_MODELINFO_H
#define AEC_CODEGEN_MODELINFO_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace aec {

/// Must match the enums of runtime/aert_model.h.
enum class LatentKind : int64_t { Deterministic = 0, Gaussian = 1 };
enum class OptimizerKind : int64_t { SGD = 0, Adam = 1 };
enum class Likelihood : int64_t { None = 0, Bernoulli = 1 };

struct ParamInfo {
  std::string name;   ///< "enc0.weight"
  int64_t offset = 0; ///< first element in the flat buffer
  int64_t size = 0;   ///< number of elements
  int64_t fanIn = 0;  ///< initialization bound 1/sqrt(fan_in)
  llvm::SmallVector<int64_t, 4> shape;
};

struct OptimizerInfo {
  OptimizerKind kind = OptimizerKind::SGD;
  double lr = 0.0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, momentum = 0.0;
};

struct ModelInfo {
  std::string name;
  llvm::SmallVector<int64_t, 4> inputShape; ///< one example
  int64_t inputSize = 0;                    ///< product of inputShape
  int64_t latentSize = 0;
  LatentKind latentKind = LatentKind::Deterministic;
  OptimizerInfo optimizer;
  /// The decoder's p(x|z) for M_log_likelihood (`ae.likelihood`, optional:
  /// "none" | "bernoulli").
  Likelihood likelihood = Likelihood::None;
  std::string summary;
  std::vector<ParamInfo> params;
  int64_t paramCount = 0;
  /// Optimizer state floats. Known exactly once ae-kernel-abi ran (or from
  /// the `ae.state` arguments of @train_step / @apply_grad); before that it
  /// is derived from the optimizer (Adam 2P, SGD with momentum P, else 0).
  int64_t stateCount = 0;

  /// Reads the model from `module`. Reports errors on the module's location
  /// and fails if a required attribute is missing or malformed.
  static mlir::FailureOr<ModelInfo> read(mlir::ModuleOp module);
};

/// Returns the parameter list carried by the `ae.param` arguments of `func`
/// (layout: dense, in argument order), or failure with an error reported.
mlir::FailureOr<std::vector<ParamInfo>>
readParamArguments(mlir::func::FuncOp func);

/// Names of the exported symbols for model `model` (internals.md, Kernel
/// ABI): `<M>__loss`, `<M>__desc`, `_mlir_ciface_<M>__loss`, ...
std::string kernelName(llvm::StringRef model, llvm::StringRef kernel);
std::string cInterfaceName(llvm::StringRef model, llvm::StringRef kernel);

} // namespace aec

#endif // AEC_CODEGEN_MODELINFO_H
