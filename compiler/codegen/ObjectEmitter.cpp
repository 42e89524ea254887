//===- ObjectEmitter.cpp - LLVM IR and object emission --------------------===//

#include "compiler/codegen/ObjectEmitter.h"

#include "compiler/codegen/ElfMerge.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Support/Timing.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <mutex>
#include <numeric>
#include <thread>

using namespace mlir;

namespace aec {

void registerCodegenDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
}

static void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
  });
}

static std::string hostFeatures() {
  llvm::SubtargetFeatures features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature.first(), feature.second);
  return features.getString();
}

static llvm::CodeGenOptLevel codeGenOptLevel(unsigned level) {
  switch (level) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CodegenOptions &options) {
  initializeTargets();
  if (options.optLevel > 3)
    return llvm::createStringError("optimization level must be 0 to 3, got " +
                                   std::to_string(options.optLevel));
  std::string hostTriple = llvm::sys::getDefaultTargetTriple();
  llvm::Triple triple(options.triple.empty() ? hostTriple : options.triple);
  bool isHost = triple.str() == llvm::Triple(hostTriple).str();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("unknown target triple '" + triple.str() +
                                   "': " + error);
  std::string cpu = options.cpu;
  std::string features = options.features;
  if (cpu.empty())
    cpu = isHost ? llvm::sys::getHostCPUName().str() : "generic";
  if (features.empty() && isHost && cpu == llvm::sys::getHostCPUName())
    features = hostFeatures();

  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      codeGenOptLevel(options.optLevel)));
  if (!tm)
    return llvm::createStringError("cannot create a target machine for '" +
                                   triple.str() + "' (cpu '" + cpu + "')");
  return tm;
}

static void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                           unsigned level) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = level >= 2;
  tuning.SLPVectorization = level >= 2;
  llvm::PassBuilder pb(&tm, tuning);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  switch (level) {
  case 0:
    mpm = pb.buildO0DefaultPipeline(llvm::OptimizationLevel::O0);
    break;
  case 1:
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O1);
    break;
  case 2:
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
    break;
  default:
    mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
    break;
  }
  mpm.run(module, mam);
}

llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &tm, const CodegenOptions &options,
                  bool optimize) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "aec");
  if (!llvmModule)
    return llvm::createStringError(
        "cannot translate the module to LLVM IR (is it fully lowered to the "
        "LLVM dialect?)");
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());
  std::string message;
  llvm::raw_string_ostream messageStream(message);
  if (llvm::verifyModule(*llvmModule, &messageStream))
    return llvm::createStringError("invalid LLVM IR: " + message);
  if (optimize)
    optimizeModule(*llvmModule, tm, options.optLevel);
  return llvmModule;
}

llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                  const CodegenOptions &options, bool optimize) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  return translateToLLVMIR(module, context, **tm, options, optimize);
}

/// Translates, optimizes and emits one module with its own LLVM context.
/// `timing` (may be empty) gets one child per step.
static llvm::Error emitOne(ModuleOp module, llvm::TargetMachine &tm,
                           const CodegenOptions &options,
                           llvm::raw_pwrite_stream &os, OutputKind kind,
                           TimingScope &timing) {
  llvm::LLVMContext context;
  TimingScope translation = timing.nest("LLVM: translate to LLVM IR");
  auto llvmModule =
      translateToLLVMIR(module, context, tm, options, /*optimize=*/false);
  if (!llvmModule)
    return llvmModule.takeError();
  translation.stop();
  {
    TimingScope optimization = timing.nest("LLVM: optimize (new PM)");
    optimizeModule(**llvmModule, tm, options.optLevel);
  }
  TimingScope codegenTiming = timing.nest("LLVM: code generation");
  llvm::legacy::PassManager codegen;
  auto fileType = kind == OutputKind::Object
                      ? llvm::CodeGenFileType::ObjectFile
                      : llvm::CodeGenFileType::AssemblyFile;
  if (tm.addPassesToEmitFile(codegen, os, nullptr, fileType))
    return llvm::createStringError("the target cannot emit this file type");
  codegen.run(**llvmModule);
  return llvm::Error::success();
}

namespace {

/// Union-find over the top-level symbols of a module.
class SymbolGroups {
public:
  explicit SymbolGroups(size_t count) : parent(count) {
    std::iota(parent.begin(), parent.end(), 0);
  }
  size_t find(size_t i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }
  void join(size_t a, size_t b) { parent[find(a)] = find(b); }

private:
  std::vector<size_t> parent;
};

bool isDefinition(Operation *op) {
  if (auto func = dyn_cast<LLVM::LLVMFuncOp>(op))
    return !func.isExternal();
  return true; // llvm.mlir.global: a declaration too is kept whole
}

/// Whether `op` is a function LLVM must not inline (an outlined loop body
/// of ae-parallelize, which ae-merge-functions may share among kernels).
bool isNoInline(Operation *op) {
  auto func = dyn_cast<LLVM::LLVMFuncOp>(op);
  if (!func || func.getNoInline())
    return static_cast<bool>(func);
  std::optional<ArrayAttr> passthrough = func.getPassthrough();
  return passthrough && llvm::any_of(*passthrough, [](Attribute attr) {
           auto name = dyn_cast<StringAttr>(attr);
           return name && name.getValue() == "noinline";
         });
}

bool isLocal(Operation *op) {
  LLVM::Linkage linkage;
  if (auto func = dyn_cast<LLVM::LLVMFuncOp>(op))
    linkage = func.getLinkage();
  else
    linkage = cast<LLVM::GlobalOp>(op).getLinkage();
  return linkage == LLVM::Linkage::Private ||
         linkage == LLVM::Linkage::Internal;
}

/// A function shareCalledBodies made a hidden global.
bool isSharedBody(Operation *op) {
  auto func = dyn_cast<LLVM::LLVMFuncOp>(op);
  return func && isNoInline(func) &&
         func.getVisibility_() == LLVM::Visibility::Hidden;
}

} // namespace

void shareCalledBodies(ModuleOp module) {
  llvm::DenseMap<StringAttr, llvm::SmallDenseSet<Operation *, 4>> callers;
  for (Operation &op : module.getBody()->getOperations()) {
    std::optional<SymbolTable::UseRange> uses = SymbolTable::getSymbolUses(&op);
    if (!uses)
      continue;
    for (const SymbolTable::SymbolUse &use : *uses)
      callers[use.getSymbolRef().getRootReference()].insert(&op);
  }
  for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
    if (func.isExternal() || !isLocal(func) || !isNoInline(func) ||
        callers.lookup(func.getSymNameAttr()).size() < 2)
      continue;
    func.setLinkage(LLVM::Linkage::External);
    func.setVisibility_(LLVM::Visibility::Hidden);
    SymbolTable::setSymbolVisibility(func, SymbolTable::Visibility::Public);
  }
}

SmallVector<OwningOpRef<ModuleOp>> partitionModule(ModuleOp module,
                                                   unsigned count) {
  SmallVector<OwningOpRef<ModuleOp>> parts;
  if (count < 2)
    return parts;
  // Only functions and globals: anything else (comdats, aliases, global
  // constructors) keeps the module whole.
  SmallVector<Operation *> ops;
  llvm::DenseMap<StringAttr, size_t> indexOf;
  for (Operation &op : module.getBody()->getOperations()) {
    if (!isa<LLVM::LLVMFuncOp, LLVM::GlobalOp>(op))
      return parts;
    indexOf[SymbolTable::getSymbolName(&op)] = ops.size();
    ops.push_back(&op);
  }

  // Who refers to whom, among definitions.
  std::vector<SmallVector<size_t>> targets(ops.size());
  std::vector<llvm::SmallDenseSet<size_t, 4>> referrers(ops.size());
  for (auto [i, op] : llvm::enumerate(ops)) {
    if (!isDefinition(op))
      continue;
    std::optional<SymbolTable::UseRange> uses = SymbolTable::getSymbolUses(op);
    if (!uses)
      return parts;
    for (const SymbolTable::SymbolUse &use : *uses) {
      auto it = indexOf.find(use.getSymbolRef().getRootReference());
      if (it == indexOf.end())
        return parts;
      if (!isDefinition(ops[it->second]))
        continue;
      targets[i].push_back(it->second);
      referrers[it->second].insert(i);
    }
  }
  // A body that several functions call (see shareCalledBodies) is compiled
  // once, in a partition of its own, and called from the others: joining
  // it with its callers would put every kernel in one partition.
  std::vector<bool> shared(ops.size(), false);
  for (auto [i, op] : llvm::enumerate(ops))
    shared[i] = isDefinition(op) && isSharedBody(op);

  // Symbols that must be compiled together: a definition and every global
  // it refers to (a global is only ever defined, never declared, in a
  // partition), and functions and the functions they refer to (a kernel and
  // its C-interface wrapper). A global that refers to an external function
  // (the descriptor's kernel pointers) only needs its declaration.
  SymbolGroups groups(ops.size());
  std::vector<int64_t> weight(ops.size(), 0);
  for (auto [i, op] : llvm::enumerate(ops)) {
    if (!isDefinition(op))
      continue;
    op->walk([&](Operation *) { ++weight[i]; });
    for (size_t target : targets[i]) {
      bool declarationSuffices =
          shared[target] ||
          (isa<LLVM::GlobalOp>(op) && isa<LLVM::LLVMFuncOp>(ops[target]) &&
           !isLocal(ops[target]));
      if (!declarationSuffices)
        groups.join(i, target);
    }
  }

  // Largest groups first, each to the least loaded partition: the
  // assignment depends on the module only, so the output is reproducible.
  llvm::DenseMap<size_t, int64_t> groupWeight;
  SmallVector<size_t> roots;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (!isDefinition(ops[i]))
      continue;
    auto [it, inserted] = groupWeight.try_emplace(groups.find(i), 0);
    if (inserted)
      roots.push_back(groups.find(i));
    it->second += weight[i];
  }
  if (roots.size() < 2)
    return parts;
  count = std::min<unsigned>(count, roots.size());
  llvm::stable_sort(roots, [&](size_t a, size_t b) {
    return groupWeight[a] > groupWeight[b];
  });
  std::vector<int64_t> load(count, 0);
  llvm::DenseMap<size_t, unsigned> partOf;
  for (size_t root : roots) {
    unsigned least = std::min_element(load.begin(), load.end()) - load.begin();
    partOf[root] = least;
    load[least] += groupWeight[root];
  }

  // Each partition: its definitions, and declarations of the functions of
  // the other partitions (unused ones cost nothing).
  OpBuilder builder(module.getContext());
  for (unsigned p = 0; p < count; ++p) {
    OwningOpRef<ModuleOp> part = ModuleOp::create(module.getLoc());
    (*part)->setAttrs(module->getAttrDictionary());
    builder.setInsertionPointToEnd(part->getBody());
    for (auto [i, op] : llvm::enumerate(ops)) {
      if (!isDefinition(op) || partOf[groups.find(i)] == p)
        builder.clone(*op);
      else if (isa<LLVM::LLVMFuncOp>(op) && !isLocal(op))
        builder.insert(op->cloneWithoutRegions());
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

/// The number of partitions compiled in parallel for `options`.
static unsigned codegenThreads(const CodegenOptions &options) {
  if (options.threads)
    return options.threads;
  return std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
}

/// Compiles `module` as partitions on as many threads into one object.
/// Returns false (and writes nothing) where that is not possible: the
/// caller then compiles the module whole.
static llvm::Expected<bool> emitObjectInParallel(ModuleOp module,
                                                 const CodegenOptions &options,
                                                 const llvm::Triple &triple,
                                                 llvm::raw_pwrite_stream &os,
                                                 TimingScope &timing) {
  unsigned threads = codegenThreads(options);
  // Partitions are translated concurrently: that needs a thread-safe
  // context. The merge handles 64-bit little-endian ELF only.
  if (threads < 2 || !module.getContext()->isMultithreadingEnabled() ||
      !triple.isOSBinFormatELF() || !triple.isArch64Bit() ||
      !triple.isLittleEndian())
    return false;
  TimingScope partitioning = timing.nest("LLVM: partition the module");
  SmallVector<OwningOpRef<ModuleOp>> parts = partitionModule(module, threads);
  partitioning.stop();
  if (parts.size() < 2)
    return false;

  std::vector<llvm::SmallVector<char, 0>> objects(parts.size());
  std::vector<std::string> errors(parts.size());
  TimingScope parallel = timing.nest("LLVM: compile partitions in parallel");
  auto compile = [&](size_t i) {
    auto tm = createTargetMachine(options);
    llvm::Error error = tm ? llvm::Error::success() : tm.takeError();
    if (!error) {
      llvm::raw_svector_ostream stream(objects[i]);
      error = emitOne(*parts[i], **tm, options, stream, OutputKind::Object,
                      parallel);
    }
    if (error)
      errors[i] = llvm::toString(std::move(error));
  };
  std::vector<std::thread> workers;
  for (size_t i = 1; i < parts.size(); ++i)
    workers.emplace_back(compile, i);
  compile(0);
  for (std::thread &worker : workers)
    worker.join();
  parallel.stop();
  for (const std::string &error : errors)
    if (!error.empty())
      return llvm::createStringError(error);

  TimingScope merging = timing.nest("LLVM: merge the objects");
  SmallVector<StringRef> views;
  for (const auto &object : objects)
    views.push_back(StringRef(object.data(), object.size()));
  llvm::SmallVector<char, 0> merged;
  if (llvm::Error error = mergeRelocatableELF(views, merged)) {
    // Not an object the merge knows (a new section kind, say): compile
    // the module whole rather than fail.
    llvm::consumeError(std::move(error));
    return false;
  }
  os << StringRef(merged.data(), merged.size());
  return true;
}

llvm::Error emitObject(ModuleOp module, const CodegenOptions &options,
                       llvm::raw_pwrite_stream &os, OutputKind kind,
                       TimingScope *timing) {
  TimingScope none;
  TimingScope &scope = timing ? *timing : none;
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  // The same functions at every -j: shared bodies are hidden globals
  // whether or not their callers end up in other partitions.
  shareCalledBodies(module);
  if (kind != OutputKind::Object)
    return emitOne(module, **tm, options, os, kind, scope);
  auto parallel = emitObjectInParallel(module, options,
                                       (*tm)->getTargetTriple(), os, scope);
  if (!parallel)
    return parallel.takeError();
  if (*parallel)
    return llvm::Error::success();
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream stream(object);
  if (llvm::Error error = emitOne(module, **tm, options, stream, kind, scope))
    return error;
  // Through the merge, alone, for what it does to hidden symbols (they
  // become local, as in a merged object); as it is where it cannot.
  llvm::SmallVector<char, 0> localized;
  const llvm::Triple &triple = (*tm)->getTargetTriple();
  if (triple.isOSBinFormatELF() && triple.isArch64Bit() &&
      triple.isLittleEndian()) {
    if (llvm::Error error = mergeRelocatableELF(
            {StringRef(object.data(), object.size())}, localized))
      llvm::consumeError(std::move(error));
    else
      object = std::move(localized);
  }
  os << StringRef(object.data(), object.size());
  return llvm::Error::success();
}

} // namespace aec
