//===- aec-backend.cpp - The backend stages of aec on .mlir input ---------===//
//
// Runs the stages of aec after the ae dialect on a module given as MLIR:
//
//   aec-backend model.mlir --emit=linalg|llvm-mlir|llvm|asm|obj|header -o out
//
// The input is either model functions on tensors (docs/internals.md: @loss,
// @encode, ... with `ae.param` arguments), exported kernels (the output of
// --emit=linalg, recognized by the `ae.params` module attribute) or an
// LLVM-dialect module (the output of --emit=llvm-mlir). A module without
// `ae.model` is not a model: its functions are lowered as they are (no
// kernel ABI, no C API), for tests of single ops.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/HeaderEmitter.h"
#include "compiler/codegen/ModelInfo.h"
#include "compiler/codegen/ObjectEmitter.h"
#include "compiler/pipeline/Pipelines.h"
#include "dialect/AeAttributes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {
enum class Emit { Linalg, LLVMMLIR, LLVM, Asm, Obj, Header };
} // namespace

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                                      cl::init("-"));
static cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                       cl::value_desc("file"), cl::init("-"));
static cl::opt<Emit>
    emit("emit", cl::desc("Stage to emit"), cl::init(Emit::Obj),
         cl::values(clEnumValN(Emit::Linalg, "linalg", "kernels on tensors"),
                    clEnumValN(Emit::LLVMMLIR, "llvm-mlir", "LLVM dialect"),
                    clEnumValN(Emit::LLVM, "llvm", "LLVM IR (optimized)"),
                    clEnumValN(Emit::Asm, "asm", "assembly"),
                    clEnumValN(Emit::Obj, "obj", "object file"),
                    clEnumValN(Emit::Header, "header", "the C header M.h")));
static cl::opt<std::string> mtriple("mtriple", cl::desc("Target triple"),
                                    cl::init(""));
static cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU"), cl::init(""));
static cl::opt<std::string> mattr("mattr", cl::desc("Target features"),
                                  cl::init(""));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3"),
                                  cl::Prefix, cl::init(2));
static cl::opt<bool> noVectorize("no-vectorize",
                                 cl::desc("Lower linalg to scalar loops"),
                                 cl::init(false));
static cl::opt<bool> noCApi("no-c-api",
                            cl::desc("Do not add the descriptor and C API"),
                            cl::init(false));
static cl::opt<bool> mallocScratch(
    "malloc-scratch",
    cl::desc("Allocate kernel temporaries with malloc/free instead of the "
             "runtime's aert_alloc/aert_free"),
    cl::init(false));
static cl::opt<int64_t> tileM("tile-m", cl::desc("Register tile rows"),
                              cl::init(16));
static cl::opt<int64_t> tileN("tile-n", cl::desc("Register tile columns"),
                              cl::init(16));
static cl::opt<int64_t> vectorWidth("vector-width",
                                    cl::desc("Elementwise tile width"),
                                    cl::init(16));
static cl::opt<std::string> runPasses(
    "run-passes",
    cl::desc("Instead of the stages, run these passes on the module (e.g. "
             "'ae-kernel-abi,inline' or 'func.func(ae-lower-vectors)', no "
             "builtin.module anchor) and print the result"),
    cl::init(""));
static cl::opt<bool> timing("time-stages", cl::desc("Print pass timings"),
                            cl::init(false));

static bool isLLVMDialect(ModuleOp module) {
  return module.getOps<func::FuncOp>().empty();
}

static LogicalResult
runPipeline(ModuleOp module, llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(module.getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  if (timing)
    pm.enableTiming();
  build(pm);
  return pm.run(module);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllPasses();
  aec::registerPasses();
  aec::registerPipelines();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "aec backend stages\n");

  DialectRegistry registry;
  aec::registerBackendDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << "aec-backend: error: " << error << "\n";
    return 3;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1;

  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "aec-backend: error: " << error << "\n";
    return 3;
  }

  if (!runPasses.empty()) {
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)) ||
        failed(parsePassPipeline(runPasses, pm, llvm::errs())))
      return 2;
    if (failed(pm.run(*module)))
      return 4;
    module->print(output->os());
    output->keep();
    return 0;
  }

  if (emit == Emit::Header) {
    if (failed(aec::emitHeader(*module, output->os())))
      return 1;
    output->keep();
    return 0;
  }

  bool isModel = (*module)->hasAttr(ae::attrs::kModel);
  bool exported = (*module)->hasAttr(ae::attrs::kParams);
  if (!exported && !isLLVMDialect(*module) &&
      failed(runPipeline(*module, [&](OpPassManager &pm) {
        aec::buildLinalgPipeline(pm, /*kernelABI=*/isModel);
      })))
    return 4;
  if (emit == Emit::Linalg) {
    module->print(output->os());
    output->keep();
    return 0;
  }
  if (!isLLVMDialect(*module)) {
    aec::LoweringOptions options;
    options.vectorize = !noVectorize;
    options.emitCApi = !noCApi && isModel;
    options.runtimeAllocator = !mallocScratch;
    options.tileM = tileM;
    options.tileN = tileN;
    options.vectorWidth = vectorWidth;
    if (failed(runPipeline(*module, [&](OpPassManager &pm) {
          aec::buildLowerToLLVMPipeline(pm, options);
        })))
      return 4;
  }
  if (emit == Emit::LLVMMLIR) {
    module->print(output->os());
    output->keep();
    return 0;
  }

  aec::CodegenOptions codegen;
  codegen.triple = mtriple;
  codegen.cpu = mcpu;
  codegen.features = mattr;
  codegen.optLevel = optLevel;
  if (emit == Emit::LLVM) {
    llvm::LLVMContext llvmContext;
    auto llvmModule = aec::translateToLLVMIR(*module, llvmContext, codegen);
    if (!llvmModule) {
      llvm::errs() << "aec-backend: error: "
                   << llvm::toString(llvmModule.takeError()) << "\n";
      return 4;
    }
    (*llvmModule)->print(output->os(), nullptr);
    output->keep();
    return 0;
  }
  if (llvm::Error err =
          aec::emitObject(*module, codegen, output->os(),
                          emit == Emit::Asm ? aec::OutputKind::Assembly
                                            : aec::OutputKind::Object)) {
    llvm::errs() << "aec-backend: error: " << llvm::toString(std::move(err))
                 << "\n";
    return 4;
  }
  output->keep();
  return 0;
}
