//===- MergeFunctions.cpp - One copy of identical private functions -------===//
//
// Every kernel of a model repeats the layers it shares with the others (the
// encoder's first layer runs in @loss, @grad, @train_step, @encode, ...), so
// after ae-parallelize the module holds several outlined loop bodies that
// are the same function under different names. Each copy would be lowered,
// optimized and compiled on its own; this pass keeps the first and points
// every call of the others at it.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

namespace aec {
#define GEN_PASS_DEF_MERGEFUNCTIONS
#include "compiler/pipeline/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

/// The attributes of `func` that make it what it is: all but its name.
static DictionaryAttr attributesWithoutName(func::FuncOp func) {
  NamedAttrList attrs(func->getAttrDictionary());
  attrs.erase(SymbolTable::getSymbolAttrName());
  return attrs.getDictionary(func.getContext());
}

/// A hash of what `func` computes: its type, its other attributes and the
/// name, attributes and types of every op in its body, in order. Values
/// enter only through the structure (equal functions hash equal).
static llvm::hash_code structuralHash(func::FuncOp func) {
  llvm::hash_code hash =
      llvm::hash_combine(func.getFunctionType(), attributesWithoutName(func));
  func.getBody().walk([&](Operation *op) {
    hash = llvm::hash_combine(hash,
                              OperationEquivalence::computeHash(
                                  op, OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::IgnoreLocations),
                              op->getNumRegions(), op->getNumOperands());
  });
  return hash;
}

static bool isEquivalent(func::FuncOp a, func::FuncOp b) {
  return a.getFunctionType() == b.getFunctionType() &&
         attributesWithoutName(a) == attributesWithoutName(b) &&
         OperationEquivalence::isRegionEquivalentTo(
             &a.getBody(), &b.getBody(), OperationEquivalence::IgnoreLocations);
}

struct MergeFunctionsPass : impl::MergeFunctionsBase<MergeFunctionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Merging callees can make their callers equal: repeat until stable.
    while (mergeOnce(module)) {
    }
  }

  /// Merges each private function with a body into the first equivalent one
  /// before it; returns whether anything was merged.
  bool mergeOnce(ModuleOp module) {
    llvm::DenseMap<llvm::hash_code, SmallVector<func::FuncOp, 1>> kept;
    llvm::DenseMap<StringAttr, FlatSymbolRefAttr> replacement;
    SmallVector<func::FuncOp> duplicates;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPrivate() || func.isExternal())
        continue;
      SmallVector<func::FuncOp, 1> &candidates = kept[structuralHash(func)];
      auto same = llvm::find_if(candidates, [&](func::FuncOp other) {
        return isEquivalent(other, func);
      });
      if (same == candidates.end()) {
        candidates.push_back(func);
        continue;
      }
      replacement[func.getSymNameAttr()] =
          FlatSymbolRefAttr::get(same->getSymNameAttr());
      duplicates.push_back(func);
    }
    if (duplicates.empty())
      return false;
    // One walk over the module for all references (the duplicates are
    // private: every reference is in this module).
    AttrTypeReplacer replacer;
    replacer.addReplacement(
        [&](FlatSymbolRefAttr ref) -> std::optional<Attribute> {
          auto it = replacement.find(ref.getAttr());
          if (it == replacement.end())
            return std::nullopt;
          return it->second;
        });
    for (func::FuncOp duplicate : duplicates)
      duplicate.erase();
    replacer.recursivelyReplaceElementsIn(module, /*replaceAttrs=*/true,
                                          /*replaceLocs=*/false,
                                          /*replaceTypes=*/false);
    return true;
  }
};

} // namespace
} // namespace aec
