//===- Pipelines.h - Pass pipelines of the aec stages -----------*- C++ -*-===//
//
// The pass pipelines between the --emit stages after the ae dialect:
//
//   ae (after autodiff + optimizer)
//     -- buildLinalgPipeline -->        --emit=linalg   (tensor kernels)
//     -- buildLowerToLLVMPipeline -->   --emit=llvm-mlir (LLVM dialect with
//                                        descriptor and C API)
//     -- translateToLLVMIR / emitObject (compiler/codegen/ObjectEmitter.h)
//
//===----------------------------------------------------------------------===//

#ifndef AEC_PIPELINE_PIPELINES_H
#define AEC_PIPELINE_PIPELINES_H

#include <cstdint>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace aec {

struct LoweringOptions {
  /// Tile, fuse and vectorize linalg ops (ae-tile-and-vectorize). Off, every
  /// linalg op becomes scalar loops (a reference for debugging).
  bool vectorize = true;
  /// Register tile of contractions (rows x columns of the accumulator).
  int64_t tileM = 16;
  int64_t tileN = 16;
  /// Tile width of the innermost loop of other linalg ops.
  int64_t vectorWidth = 16;
  /// Share independent tile loops among threads (ae-parallelize, OpenMP)
  /// when they do at least `minParallelWork` estimated element operations.
  bool parallelize = true;
  int64_t minParallelWork = 1 << 18;
  /// Add the model descriptor and the C API trampolines (ae-emit-c-api).
  bool emitCApi = true;
  /// Allocate kernel temporaries with the runtime's aert_alloc / aert_free
  /// (ae-runtime-allocator) instead of malloc / free.
  bool runtimeAllocator = true;
};

/// Registers every dialect, extension and translation the stages after the
/// ae dialect need: the upstream ones (registerCodegenDialects) and ae.
void registerBackendDialects(mlir::DialectRegistry &registry);

/// Model functions on tensors (ae dialect or linalg) -> exported kernels on
/// linalg + tensors: ae-to-linalg, ae-kernel-abi, inline, symbol-dce,
/// canonicalize, cse. Without `kernelABI` (modules that are not models, e.g.
/// tests that write their own C-interface functions) only ae-to-linalg and
/// the cleanups run.
void buildLinalgPipeline(mlir::OpPassManager &pm, bool kernelABI = true);

/// Kernels on linalg + tensors -> LLVM dialect: elementwise fusion,
/// empty-tensor elimination, tiling + vectorization, one-shot bufferization,
/// buffer deallocation, vector lowering, conversion to the LLVM dialect, and
/// the descriptor + C API.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LoweringOptions &options = {});

/// Registers the passes of compiler/pipeline and compiler/codegen
/// (ae-kernel-abi, ae-emit-c-api, ae-tile-and-vectorize, ae-lower-vectors)
/// with the global pass registry.
void registerPasses();

/// Registers the named pipelines `aec-linalg` (buildLinalgPipeline) and
/// `aec-lower-to-llvm` (buildLowerToLLVMPipeline with default options), so
/// that aec-opt can run them: `aec-opt --aec-lower-to-llvm`.
void registerPipelines();

} // namespace aec

#endif // AEC_PIPELINE_PIPELINES_H
