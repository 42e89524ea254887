//===- Pipelines.cpp - Pass pipelines of the aec stages -------------------===//

#include "compiler/pipeline/Pipelines.h"

#include "compiler/codegen/ObjectEmitter.h"
#include "compiler/codegen/Passes.h"
#include "compiler/pipeline/Passes.h"

#include "dialect/AeDialect.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace aec {

void registerBackendDialects(DialectRegistry &registry) {
  registerCodegenDialects(registry);
  registry.insert<ae::AeDialect>();
}

void buildLinalgPipeline(OpPassManager &pm, bool kernelABI) {
  // The ae canonicalizations first (bce of a sigmoid -> bce from logits), in
  // every function alike: @loss and the forward part of @loss_grad must
  // compute the loss with the very same ops to agree bit for bit.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createAeToLinalg());
  if (kernelABI) {
    pm.addPass(createKernelABI());
    pm.addPass(createInlinerPass());
    pm.addPass(createSymbolDCEPass());
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildLowerToLLVMPipeline(OpPassManager &pm,
                              const LoweringOptions &options) {
  // Passes that work on one function at a time are nested under func.func
  // (or any op, once the functions are llvm.func): the pass manager then
  // runs them on all functions in parallel, and greedy rewrites stay local
  // to one function instead of iterating over the whole module.
  auto perFunction = [&]() -> OpPassManager & {
    return pm.nest<func::FuncOp>();
  };

  // Tensor level: fuse elementwise chains, then let results be computed in
  // the caller's buffers (empty-tensor elimination needs the
  // materialize_in_destination ops of the kernel ABI), then the schedule.
  {
    OpPassManager &fpm = perFunction();
    fpm.addPass(createFuseElementwise());
    fpm.addPass(createCanonicalizerPass());
  }
  {
    // One zero init per contraction or reduction, so that empty-tensor
    // elimination gives each result its own destination: an init that CSE
    // shared among several results becomes the first one's slice of an
    // output buffer, and each other result a temporary copied from it and
    // back to its own slice.
    SplitEmptyTensorsOptions split;
    split.minUses = 2;
    split.splitFills = true;
    perFunction().addPass(createSplitEmptyTensors(split));
  }
  // On the module: nested under each function it decides differently (and
  // the code differs).
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  {
    OpPassManager &fpm = perFunction();
    if (options.vectorize) {
      TileAndVectorizeOptions tiling;
      tiling.tileM = options.tileM;
      tiling.tileN = options.tileN;
      tiling.vectorWidth = options.vectorWidth;
      fpm.addPass(createTileAndVectorize(tiling));
    }
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
    // After the last CSE: one tensor.empty per use (see the pass).
    fpm.addPass(createSplitEmptyTensors());
  }

  // Bufferization, the kernels in parallel: the kernel ABI gives every
  // kernel memref arguments and scalar results, and kernels do not call
  // each other, so there are no tensor function boundaries.
  pm.addPass(createBufferize());
  {
    OpPassManager &fpm = perFunction();
    fpm.addPass(createCanonicalizerPass());
    fpm.addPass(createCSEPass());
  }
  bufferization::buildBufferDeallocationPipeline(pm);
  // Remainder tiles' temporaries on the stack (see the pass).
  perFunction().addPass(createStackTemporaries());

  // Threads: marked tile loops become OpenMP worksharing loops.
  if (options.parallelize) {
    ParallelizeOptions parallelize;
    parallelize.minWork = options.minParallelWork;
    pm.addPass(createParallelize(parallelize));
    // The kernels' shared layers were outlined once per kernel.
    pm.addPass(createMergeFunctions());
  }
  // The stack buffers to their function's entry (in the outlined bodies:
  // one per thread's call).
  perFunction().addPass(createHoistAllocas());

  // Vector lowering (transfers to rank 1 before unrolling n-D vectors).
  {
    OpPassManager &fpm = perFunction();
    fpm.addPass(createLowerVectors(LowerVectorsOptions{1}));
    fpm.addPass(createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll().setTargetRank(1)));
    fpm.addPass(createLowerVectors(LowerVectorsOptions{2}));
    fpm.addPass(createCanonicalizerPass());
    // Whatever was not vectorized becomes loops.
    fpm.addPass(createExpandCopies());
    fpm.addPass(createConvertLinalgToLoopsPass());
    fpm.addPass(memref::createExpandStridedMetadataPass());
    fpm.addPass(createLowerAffinePass());
  }
  // Then everything LLVM, in the order (and with the passes) the generated
  // code was tuned with: another order or a combined convert-to-llvm gives
  // equivalent but different code. memref before scf-to-cf (OpenMP regions).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = options.runtimeAllocator;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  {
    OpPassManager &fpm = perFunction();
    fpm.addPass(createSCFToControlFlowPass());
    fpm.addPass(createConvertMathToLLVMPass());
    fpm.addPass(createArithToLLVMConversionPass());
    fpm.addPass(createConvertVectorToLLVMPass());
    fpm.addPass(createConvertIndexToLLVMPass());
    fpm.addPass(createUBToLLVMConversionPass());
  }
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (options.runtimeAllocator)
    pm.addPass(createRuntimeAllocator());
  if (options.emitCApi)
    pm.addPass(createEmitCApi());
  // On each function (and global) on its own: in parallel, and no module-
  // wide worklist.
  pm.nestAny().addPass(createCanonicalizerPass());
  // After canonicalization has folded the descriptors: what a body does
  // not use is then unused; the callers' dead code goes in the last one.
  pm.addPass(createPruneArguments());
  pm.nestAny().addPass(createCanonicalizerPass());
}

void registerPasses() {
  registerAecCodegenPasses();
  registerAecPipelinePasses();
}

namespace {
struct LowerToLLVMPipelineOptions
    : public PassPipelineOptions<LowerToLLVMPipelineOptions> {
  Option<bool> vectorize{*this, "vectorize",
                         llvm::cl::desc("Tile, fuse and vectorize"),
                         llvm::cl::init(true)};
  Option<bool> runtimeAllocator{
      *this, "runtime-allocator",
      llvm::cl::desc("Allocate temporaries with aert_alloc / aert_free"),
      llvm::cl::init(true)};
  Option<bool> cApi{*this, "c-api",
                    llvm::cl::desc("Add the descriptor and the C API"),
                    llvm::cl::init(true)};
  Option<int64_t> tileM{*this, "tile-m", llvm::cl::desc("Register tile rows"),
                        llvm::cl::init(16)};
  Option<int64_t> tileN{*this, "tile-n",
                        llvm::cl::desc("Register tile columns"),
                        llvm::cl::init(16)};
  Option<bool> parallelize{
      *this, "parallelize",
      llvm::cl::desc("Share independent tile loops among threads (OpenMP)"),
      llvm::cl::init(true)};
  Option<int64_t> vectorWidth{*this, "vector-width",
                              llvm::cl::desc("Elementwise tile width"),
                              llvm::cl::init(16)};
};
} // namespace

void registerPipelines() {
  PassPipelineRegistration<>(
      "aec-linalg",
      "aec: model functions on tensors -> exported kernels (--emit=linalg)",
      [](OpPassManager &pm) { buildLinalgPipeline(pm); });
  PassPipelineRegistration<LowerToLLVMPipelineOptions>(
      "aec-lower-to-llvm",
      "aec: kernels on linalg + tensors -> LLVM dialect with the C API "
      "(--emit=llvm-mlir)",
      [](OpPassManager &pm, const LowerToLLVMPipelineOptions &opts) {
        LoweringOptions options;
        options.vectorize = opts.vectorize;
        options.emitCApi = opts.cApi;
        options.runtimeAllocator = opts.runtimeAllocator;
        options.tileM = opts.tileM;
        options.tileN = opts.tileN;
        options.vectorWidth = opts.vectorWidth;
        options.parallelize = opts.parallelize;
        buildLowerToLLVMPipeline(pm, options);
      });
}

} // namespace aec
