//===- RuntimeAllocator.cpp - Kernel scratch memory from aert -------------===//

#include "compiler/codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace aec {
#define GEN_PASS_DEF_RUNTIMEALLOCATOR
#include "compiler/codegen/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

struct RuntimeAllocatorPass : impl::RuntimeAllocatorBase<RuntimeAllocatorPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto [from, to] : {std::pair<StringRef, StringRef>{
                                "_mlir_memref_to_llvm_alloc", "aert_alloc"},
                            {"_mlir_memref_to_llvm_free", "aert_free"}}) {
      auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(from);
      if (!fn)
        continue;
      if (!fn.isExternal() || module.lookupSymbol(to)) {
        fn.emitError() << "cannot route @" << from << " to @" << to
                       << ": unexpected definition or existing @" << to;
        return signalPassFailure();
      }
      if (failed(SymbolTable::replaceAllSymbolUses(
              fn, StringAttr::get(&getContext(), to), module))) {
        fn.emitError() << "cannot rename the uses of @" << from;
        return signalPassFailure();
      }
      SymbolTable::setSymbolName(fn, to);
    }
  }
};

} // namespace
} // namespace aec
