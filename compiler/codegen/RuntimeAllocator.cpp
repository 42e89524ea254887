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

/// Points every reference to @from at @to: the callees of the calls that
/// memref-to-llvm generates (and any other op naming @from in one of its
/// attributes). SymbolTable::replaceAllSymbolUses would do the same but
/// walks every nested attribute of every op, which took as long as a
/// conversion pass.
static void renameUses(ModuleOp module, StringAttr from, StringAttr to) {
  auto fromRef = FlatSymbolRefAttr::get(from);
  auto toRef = FlatSymbolRefAttr::get(to);
  module.walk([&](Operation *op) {
    for (NamedAttribute attr : op->getAttrs())
      if (attr.getValue() == fromRef)
        op->setAttr(attr.getName(), toRef);
  });
}

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
      auto toName = StringAttr::get(&getContext(), to);
      renameUses(module, fn.getSymNameAttr(), toName);
      SymbolTable::setSymbolName(fn, toName);
    }
  }
};

} // namespace
} // namespace aec
