//===- Bufferize.cpp - One-Shot Bufferize one kernel at a time ------------===//
//
// Upstream's one-shot-bufferize bufferizes the kernels of a module one after
// the other. The kernels need almost nothing from the module: the kernel
// ABI gives them memref arguments and scalar results, and they do not call
// each other; only their tensor constants become globals of the module.
// With those created first, the same analysis and rewrite run on all
// functions in parallel.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/BufferUtils.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Threading.h"

namespace aec {
#define GEN_PASS_DEF_BUFFERIZE
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

struct BufferizePass : impl::BufferizeBase<BufferizePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    bufferization::OneShotBufferizationOptions options;
    SmallVector<func::FuncOp> funcs;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      // Function boundaries would need the callers: none here.
      auto isTensor = [](Type type) { return isa<TensorType>(type); };
      if (llvm::any_of(func.getArgumentTypes(), isTensor) ||
          llvm::any_of(func.getResultTypes(), isTensor)) {
        func.emitError("ae-bufferize: @")
            << func.getName()
            << " has tensor arguments or results (the kernel ABI gives "
               "kernels memrefs)";
        return signalPassFailure();
      }
      funcs.push_back(func);
    }
    // Tensor constants become memref.globals of the module: created here,
    // one after the other, so that bufferizing a function only finds them.
    SymbolTableCollection symbolTables;
    WalkResult globals = module.walk([&](arith::ConstantOp constant) {
      if (!isa<RankedTensorType>(constant.getType()))
        return WalkResult::advance();
      if (failed(bufferization::getGlobalFor(constant, symbolTables,
                                             options.bufferAlignment)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (globals.wasInterrupted())
      return signalPassFailure();
    if (failed(failableParallelForEach(
            &getContext(), funcs, [&](func::FuncOp func) {
              bufferization::BufferizationState state;
              return bufferization::runOneShotBufferize(func, options, state);
            })))
      return signalPassFailure();
  }
};

} // namespace
} // namespace aec
