//===- ObjectEmitter.cpp - LLVM IR and object emission --------------------===//

#include "compiler/codegen/ObjectEmitter.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

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

#include <mutex>

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

llvm::Error emitObject(ModuleOp module, const CodegenOptions &options,
                       llvm::raw_pwrite_stream &os, OutputKind kind) {
  auto tm = createTargetMachine(options);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext context;
  auto llvmModule = translateToLLVMIR(module, context, **tm, options);
  if (!llvmModule)
    return llvmModule.takeError();
  llvm::legacy::PassManager codegen;
  auto fileType = kind == OutputKind::Object
                      ? llvm::CodeGenFileType::ObjectFile
                      : llvm::CodeGenFileType::AssemblyFile;
  if ((*tm)->addPassesToEmitFile(codegen, os, nullptr, fileType))
    return llvm::createStringError("the target cannot emit this file type");
  codegen.run(**llvmModule);
  return llvm::Error::success();
}

} // namespace aec
