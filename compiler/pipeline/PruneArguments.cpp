//===- PruneArguments.cpp - Drop unused arguments of local functions ------===//
//
// The loop bodies ae-parallelize outlines take whole memref descriptors
// (allocated and aligned pointer, offset, sizes, strides), of which the body
// uses a few fields. LLVM's dead-argument elimination drops the rest only
// for functions internal to the module it compiles; a body that several
// kernels share may be compiled in another partition than its callers
// (emitObject), where it cannot. Dropping them here, on the LLVM dialect,
// gives the same calls at every -j.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"

namespace aec {
#define GEN_PASS_DEF_PRUNEARGUMENTS
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

struct PruneArgumentsPass : impl::PruneArgumentsBase<PruneArgumentsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Local definitions whose every use is a direct call: only those calls
    // see their signature.
    llvm::DenseMap<StringAttr, LLVM::LLVMFuncOp> candidates;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
      LLVM::Linkage linkage = func.getLinkage();
      if (!func.isExternal() && !func.isVarArg() &&
          (linkage == LLVM::Linkage::Internal ||
           linkage == LLVM::Linkage::Private))
        candidates[func.getSymNameAttr()] = func;
    }
    llvm::DenseMap<StringAttr, SmallVector<LLVM::CallOp>> calls;
    std::optional<SymbolTable::UseRange> uses =
        SymbolTable::getSymbolUses(&module.getBodyRegion());
    if (!uses)
      return;
    for (const SymbolTable::SymbolUse &use : *uses) {
      StringAttr name = use.getSymbolRef().getRootReference();
      if (!candidates.count(name))
        continue;
      auto call = dyn_cast<LLVM::CallOp>(use.getUser());
      if (call && call.getCalleeAttr() &&
          call.getCalleeAttr().getAttr() == name &&
          call.getOpBundleOperands().empty())
        calls[name].push_back(call);
      else
        candidates.erase(name); // address taken, or an unusual call
    }
    // An argument a function only passes on to a pruned one is unused once
    // that one is pruned: repeat until nothing changes.
    bool changed = true;
    while (changed) {
      changed = false;
      for (auto [name, func] : candidates)
        changed |= prune(func, calls[name]);
    }
  }

  /// Drops the unused arguments of `func` and the operands of `calls` that
  /// pass them; returns whether there were any.
  static bool prune(LLVM::LLVMFuncOp func, ArrayRef<LLVM::CallOp> calls) {
    Block &entry = func.getBody().front();
    llvm::BitVector unused(entry.getNumArguments());
    for (BlockArgument arg : entry.getArguments())
      if (arg.use_empty())
        unused.set(arg.getArgNumber());
    if (unused.none())
      return false;
    // llvm.func does not implement the interface's type update: by hand
    // (the outlined bodies carry no argument attributes).
    if (func.getArgAttrs())
      return false;
    SmallVector<Type> kept;
    for (auto [i, type] : llvm::enumerate(func.getFunctionType().getParams()))
      if (!unused.test(i))
        kept.push_back(type);
    func.setFunctionType(LLVM::LLVMFunctionType::get(
        func.getFunctionType().getReturnType(), kept));
    entry.eraseArguments(unused);
    for (LLVM::CallOp call : calls) {
      SmallVector<Value> args;
      for (auto [i, arg] : llvm::enumerate(call.getArgOperands()))
        if (!unused.test(i))
          args.push_back(arg);
      call.getCalleeOperandsMutable().assign(args);
      call.setVarCalleeType(std::nullopt);
    }
    return true;
  }
};

} // namespace
} // namespace aec
