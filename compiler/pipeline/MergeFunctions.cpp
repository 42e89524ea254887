//===- MergeFunctions.cpp - One copy of identical private functions -------===//
//
// Every kernel of a model repeats the layers it shares with the others (the
// encoder's first layer runs in @loss, @grad, @train_step, @encode, ...), and
// layers of one shape repeat the same loops at other offsets of the
// parameter buffer (the VAE's two heads, a deep MLP's hidden layers). After
// ae-parallelize the module holds many outlined loop bodies that are the
// same function under different names, or the same up to the offsets they
// address. Each copy would be lowered, optimized and compiled on its own;
// this pass keeps the first and points every call of the others at it,
// passing the offsets that differ as arguments.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
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

/// An index constant that only addresses memory (an index of a load, store
/// or transfer) or is passed on to a private function: two functions that
/// differ only in such constants compute the same at other addresses, and
/// can be one function with the constant as an argument. Loop bounds and
/// shapes are never such constants, so the merged code is as static.
static bool isAddressConstant(Operation *op) {
  auto constant = dyn_cast<arith::ConstantIndexOp>(op);
  if (!constant || constant->use_empty())
    return false;
  for (OpOperand &use : constant->getUses()) {
    Operation *user = use.getOwner();
    if (auto call = dyn_cast<func::CallOp>(user)) {
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      if (!callee || !callee.isPrivate())
        return false;
      continue;
    }
    if (!isa<vector::TransferReadOp, vector::TransferWriteOp, vector::LoadOp,
             vector::StoreOp, memref::LoadOp, memref::StoreOp>(user))
      return false;
  }
  return true;
}

/// A hash of what `func` computes: its type, its other attributes and the
/// name, attributes and types of every op in its body, in order (of an
/// address constant, not its value). Values enter only through the
/// structure, so functions that may merge hash equal.
static llvm::hash_code structuralHash(func::FuncOp func) {
  llvm::hash_code hash =
      llvm::hash_combine(func.getFunctionType(), attributesWithoutName(func));
  func.getBody().walk([&](Operation *op) {
    if (isAddressConstant(op)) {
      hash = llvm::hash_combine(hash, op->getName());
      return;
    }
    hash = llvm::hash_combine(hash,
                              OperationEquivalence::computeHash(
                                  op, OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::ignoreHashValue,
                                  OperationEquivalence::IgnoreLocations),
                              op->getNumRegions(), op->getNumOperands());
  });
  return hash;
}

/// Compares two functions op by op. They match if they are the same up to
/// the values of address constants; `differences` gets each address
/// constant of `a` whose value in `b` differs, with that value.
class Comparison {
public:
  bool run(func::FuncOp a, func::FuncOp b,
           llvm::MapVector<Operation *, int64_t> &differences) {
    if (a.getFunctionType() != b.getFunctionType() ||
        attributesWithoutName(a) != attributesWithoutName(b))
      return false;
    return compareRegions(a.getBody(), b.getBody(), differences);
  }

private:
  bool compareRegions(Region &a, Region &b,
                      llvm::MapVector<Operation *, int64_t> &differences) {
    if (a.getBlocks().size() != b.getBlocks().size())
      return false;
    for (auto [blockA, blockB] : llvm::zip(a, b)) {
      if (blockA.getNumArguments() != blockB.getNumArguments())
        return false;
      for (auto [argA, argB] :
           llvm::zip(blockA.getArguments(), blockB.getArguments())) {
        if (argA.getType() != argB.getType())
          return false;
        values.map(argA, argB);
      }
      blocks.map(&blockA, &blockB);
    }
    for (auto [blockA, blockB] : llvm::zip(a, b)) {
      if (blockA.getOperations().size() != blockB.getOperations().size())
        return false;
      for (auto [opA, opB] : llvm::zip(blockA, blockB))
        if (!compareOps(opA, opB, differences))
          return false;
    }
    return true;
  }

  bool compareOps(Operation &a, Operation &b,
                  llvm::MapVector<Operation *, int64_t> &differences) {
    if (a.getName() != b.getName() ||
        a.getNumOperands() != b.getNumOperands() ||
        a.getNumResults() != b.getNumResults() ||
        a.getNumRegions() != b.getNumRegions() ||
        a.getNumSuccessors() != b.getNumSuccessors() ||
        a.getResultTypes() != b.getResultTypes())
      return false;
    for (auto [operandA, operandB] :
         llvm::zip(a.getOperands(), b.getOperands()))
      if (values.lookupOrNull(operandA) != operandB)
        return false;
    for (auto [successorA, successorB] :
         llvm::zip(a.getSuccessors(), b.getSuccessors()))
      if (blocks.lookupOrNull(successorA) != successorB)
        return false;
    if (a.getAttrDictionary() != b.getAttrDictionary() ||
        a.getPropertiesAsAttribute() != b.getPropertiesAsAttribute()) {
      if (!isAddressConstant(&a) || !isAddressConstant(&b))
        return false;
      differences[&a] = cast<arith::ConstantIndexOp>(b).value();
    }
    for (auto [resultA, resultB] : llvm::zip(a.getResults(), b.getResults()))
      values.map(resultA, resultB);
    for (auto [regionA, regionB] : llvm::zip(a.getRegions(), b.getRegions()))
      if (!compareRegions(regionA, regionB, differences))
        return false;
    return true;
  }

  IRMapping values;
  IRMapping blocks;
};

struct MergeFunctionsPass : impl::MergeFunctionsBase<MergeFunctionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Merging callees can make their callers equal: repeat until stable.
    while (mergeOnce(module)) {
    }
  }

  /// A function others merge into, with the values its address constants
  /// have in each of them (where they differ).
  struct Group {
    func::FuncOp kept;
    SmallVector<std::pair<func::FuncOp, llvm::MapVector<Operation *, int64_t>>>
        merged;
  };

  /// Merges each private function with a body into the first one before it
  /// that it matches; returns whether anything was merged.
  bool mergeOnce(ModuleOp module) {
    // Calls of each function; a function used otherwise is only merged
    // when it is the same (its signature cannot grow).
    llvm::DenseMap<StringAttr, SmallVector<func::CallOp>> calls;
    llvm::DenseSet<StringAttr> usedOtherwise;
    if (std::optional<SymbolTable::UseRange> uses =
            SymbolTable::getSymbolUses(&module.getBodyRegion())) {
      for (const SymbolTable::SymbolUse &use : *uses) {
        StringAttr name = use.getSymbolRef().getRootReference();
        auto call = dyn_cast<func::CallOp>(use.getUser());
        if (call && call.getCalleeAttr().getAttr() == name)
          calls[name].push_back(call);
        else
          usedOtherwise.insert(name);
      }
    } else {
      return false;
    }

    llvm::DenseMap<llvm::hash_code, SmallVector<unsigned, 1>> byHash;
    SmallVector<Group> groups;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (!func.isPrivate() || func.isExternal())
        continue;
      SmallVector<unsigned, 1> &candidates = byHash[structuralHash(func)];
      bool placed = false;
      for (unsigned index : candidates) {
        Group &group = groups[index];
        llvm::MapVector<Operation *, int64_t> differences;
        if (!Comparison().run(group.kept, func, differences))
          continue;
        // Differences become arguments: only of a function whose every use
        // is a call, and without argument attributes to extend.
        if (!differences.empty() &&
            (usedOtherwise.contains(func.getSymNameAttr()) ||
             usedOtherwise.contains(group.kept.getSymNameAttr()) ||
             group.kept.getArgAttrsAttr()))
          continue;
        group.merged.push_back({func, std::move(differences)});
        placed = true;
        break;
      }
      if (!placed) {
        candidates.push_back(groups.size());
        groups.push_back(Group{func, {}});
      }
    }

    bool changed = false;
    for (Group &group : groups) {
      if (group.merged.empty())
        continue;
      changed = true;
      merge(group, calls);
    }
    // Last: a merged function may hold calls that another group redirects.
    for (Group &group : groups)
      for (auto &[func, differences] : group.merged)
        func.erase();
    return changed;
  }

  /// Turns the address constants of `group.kept` that differ in a merged
  /// function into trailing arguments, then points every call of the
  /// merged functions at it, each with its own values.
  static void
  merge(Group &group,
        llvm::DenseMap<StringAttr, SmallVector<func::CallOp>> &calls) {
    func::FuncOp kept = group.kept;
    llvm::SetVector<Operation *> varying;
    for (auto &[func, differences] : group.merged)
      for (auto &[constant, value] : differences)
        varying.insert(constant);
    SmallVector<int64_t> keptValues;
    for (Operation *constant : varying)
      keptValues.push_back(cast<arith::ConstantIndexOp>(constant).value());

    auto redirect = [&](func::CallOp call, ArrayRef<int64_t> extra) {
      OpBuilder builder(call);
      SmallVector<Value> operands(call.getOperands());
      for (int64_t value : extra)
        operands.push_back(
            arith::ConstantIndexOp::create(builder, call.getLoc(), value));
      func::CallOp::create(builder, call.getLoc(), kept, operands);
      call.erase();
    };

    if (!varying.empty()) {
      Block &entry = kept.getBody().front();
      SmallVector<Type> inputs(kept.getFunctionType().getInputs());
      for (Operation *constant : varying) {
        BlockArgument arg = entry.addArgument(constant->getResult(0).getType(),
                                              constant->getLoc());
        inputs.push_back(arg.getType());
        constant->getResult(0).replaceAllUsesWith(arg);
        constant->erase();
      }
      kept.setFunctionType(FunctionType::get(
          kept.getContext(), inputs, kept.getFunctionType().getResults()));
      for (func::CallOp call : calls.lookup(kept.getSymNameAttr()))
        redirect(call, keptValues);
    }
    for (auto &[func, differences] : group.merged) {
      SmallVector<int64_t> values;
      for (auto [constant, keptValue] : llvm::zip(varying, keptValues)) {
        auto it = differences.find(constant); // a key, not dereferenced
        values.push_back(it != differences.end() ? it->second : keptValue);
      }
      for (func::CallOp call : calls.lookup(func.getSymNameAttr()))
        redirect(call, values);
    }
  }
};

} // namespace
} // namespace aec
