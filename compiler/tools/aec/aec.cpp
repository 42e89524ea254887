//===- aec.cpp - The autoencoder compiler driver --------------------------===//
//
//   aec model.ae -o model.o            object file + model.h
//   aec model.ae --emit=ast            model summary with shapes
//   aec model.ae --emit=ae             the ae dialect (MLIR)
//
// One function per stage; each takes the previous stage's result, so a
// --emit=STAGE run stops after that stage and prints it. Exit codes are
// those of docs/internals.md. Outputs are written to a temporary file next
// to the destination and renamed at the end: on any error nothing is
// written.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/HeaderEmitter.h"
#include "compiler/codegen/ObjectEmitter.h"
#include "compiler/frontend/AST.h"
#include "compiler/frontend/Diagnostics.h"
#include "compiler/frontend/MLIRGen.h"
#include "compiler/frontend/Parser.h"
#include "compiler/frontend/Sema.h"
#include "compiler/pipeline/Pipelines.h"
#include "dialect/AeDialect.h"
#include "dialect/Passes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace cl = llvm::cl;

namespace {

/// docs/internals.md, "Driver exit codes".
enum ExitCode : int {
  ExitSuccess = 0,
  ExitModelError = 1,
  ExitUsageError = 2,
  ExitIOError = 3,
  ExitInternalError = 4,
};

enum class Emit { AST, AE, AEGrad, Linalg, LLVMMLIR, LLVM, Asm, Obj };

cl::OptionCategory aecCategory("aec options");

cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                   cl::desc("<model.ae>"),
                                   cl::cat(aecCategory));

cl::opt<std::string> outputFilename(
    "o",
    cl::desc("Output file ('-' for stdout). Default: stdout for text "
             "stages, <input stem>.o for --emit=obj"),
    cl::value_desc("file"), cl::cat(aecCategory));

cl::opt<Emit> emitStage(
    "emit", cl::desc("The stage to stop at and print"), cl::init(Emit::Obj),
    cl::values(
        clEnumValN(Emit::AST, "ast", "model summary: shapes and parameters"),
        clEnumValN(Emit::AE, "ae", "ae dialect (forward functions)"),
        clEnumValN(Emit::AEGrad, "ae-grad",
                   "ae dialect with gradient and train step"),
        clEnumValN(Emit::Linalg, "linalg", "linalg on tensors"),
        clEnumValN(Emit::LLVMMLIR, "llvm-mlir", "LLVM dialect"),
        clEnumValN(Emit::LLVM, "llvm", "LLVM IR"),
        clEnumValN(Emit::Asm, "asm", "assembly"),
        clEnumValN(Emit::Obj, "obj", "object file and C header (default)")),
    cl::cat(aecCategory));

cl::opt<std::string>
    headerFilename("header",
                   cl::desc("Where --emit=obj writes the C header (default: "
                            "the output path with extension .h)"),
                   cl::value_desc("path"), cl::cat(aecCategory));

cl::opt<unsigned> optLevel("O", cl::desc("Optimization level -O0 to -O3"),
                           cl::Prefix, cl::init(2), cl::cat(aecCategory));

cl::opt<std::string> targetCPU("mcpu",
                               cl::desc("Target CPU (default: the host's)"),
                               cl::value_desc("cpu"), cl::cat(aecCategory));

cl::opt<std::string>
    targetTriple("mtriple", cl::desc("Target triple (default: the host's)"),
                 cl::value_desc("triple"), cl::cat(aecCategory));

cl::opt<unsigned> threadCount(
    "j",
    cl::desc("Threads of the compiler (default 0: one per hardware "
             "thread, at most 8 for LLVM; 1: no threads). MLIR passes run "
             "on the functions in parallel; LLVM compiles groups of "
             "functions (a function with its callees) in parallel and "
             "merges their ELF objects into one, or compiles the module "
             "whole when the merge does not apply. Each function's code is "
             "the same for any count; the order of functions in the object "
             "is not"),
    cl::value_desc("threads"), cl::Prefix, cl::init(0), cl::cat(aecCategory));
cl::alias threadCountLong("jobs", cl::desc("Alias for -j"),
                          cl::aliasopt(threadCount), cl::cat(aecCategory));

// Testing hook: crash after the frontend, to test that a crash exits with
// code 4 and writes nothing.
cl::opt<bool> debugCrash("aec-debug-crash", cl::Hidden,
                         cl::desc("Crash after the frontend (for testing)"));
// Testing hook: the crash report blocks forever (as the stack-trace printer
// does when the crash left the heap lock held), to test the watchdog.
cl::opt<bool> debugCrashHang(
    "aec-debug-crash-hang", cl::Hidden,
    cl::desc("With --aec-debug-crash, block in the crash report"));
cl::opt<unsigned> crashReportSeconds(
    "aec-crash-report-timeout", cl::Hidden, cl::init(10),
    cl::desc("Seconds a crash report may take before the process is ended"));

llvm::raw_ostream &printError() {
  llvm::WithColor(llvm::errs(), llvm::HighlightColor::Error) << "aec: error: ";
  return llvm::errs();
}

/// One file the run produces, kept in memory until every stage succeeded.
struct Output {
  std::string path; // "-" is stdout
  std::string contents;
};

/// Writes every output, each to a temporary file in its destination folder,
/// then renames them all into place. On failure, removes the temporaries
/// and returns ExitIOError.
int writeOutputs(std::vector<Output> &outputs) {
  std::vector<llvm::sys::fs::TempFile> temps;
  auto discardAll = [&] {
    for (auto &temp : temps)
      llvm::consumeError(temp.discard());
  };
  for (const Output &output : outputs) {
    if (output.path == "-")
      continue;
    llvm::SmallString<256> model(output.path);
    model += ".tmp-%%%%%%";
    auto temp = llvm::sys::fs::TempFile::create(model);
    if (!temp) {
      printError() << "cannot write '" << output.path
                   << "': " << llvm::toString(temp.takeError()) << "\n";
      discardAll();
      return ExitIOError;
    }
    llvm::raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    os << output.contents;
    os.flush();
    if (os.has_error()) {
      printError() << "cannot write '" << output.path
                   << "': " << os.error().message() << "\n";
      os.clear_error();
      temps.push_back(std::move(*temp));
      discardAll();
      return ExitIOError;
    }
    temps.push_back(std::move(*temp));
  }
  size_t next = 0;
  for (const Output &output : outputs) {
    if (output.path == "-")
      continue;
    if (llvm::Error error = temps[next].keep(output.path)) {
      printError() << "cannot write '" << output.path
                   << "': " << llvm::toString(std::move(error)) << "\n";
      // Earlier outputs are already in place; remove them so that a failed
      // run leaves nothing behind.
      for (size_t i = 0; i < next; ++i)
        llvm::sys::fs::remove(outputs[i].path);
      for (size_t i = next + 1; i < temps.size(); ++i)
        llvm::consumeError(temps[i].discard());
      return ExitIOError;
    }
    ++next;
  }
  for (const Output &output : outputs) {
    if (output.path != "-")
      continue;
    llvm::outs() << output.contents;
    llvm::outs().flush();
  }
  return ExitSuccess;
}

/// The default output path: stdout for text stages, the input's stem with
/// `extension` in the current folder for binary ones.
std::string getOutputPath(llvm::StringRef extension) {
  if (!outputFilename.empty())
    return outputFilename;
  if (extension.empty())
    return "-";
  llvm::StringRef stem = llvm::sys::path::stem(inputFilename);
  if (inputFilename == "-" || stem.empty())
    stem = "model";
  return (stem + extension).str();
}

//===----------------------------------------------------------------------===//
// Stages
//===----------------------------------------------------------------------===//

/// .ae text -> checked AST. Returns ExitSuccess and sets `model`, or the
/// exit code after the diagnostics are printed.
int loadModel(llvm::SourceMgr &sourceMgr,
              std::unique_ptr<aec::ModelAST> &model) {
  auto buffer = llvm::MemoryBuffer::getFileOrSTDIN(inputFilename,
                                                   /*IsText=*/true);
  if (std::error_code error = buffer.getError()) {
    printError() << "cannot open '" << inputFilename << "': " << error.message()
                 << "\n";
    return ExitIOError;
  }
  unsigned bufferID =
      sourceMgr.AddNewSourceBuffer(std::move(*buffer), llvm::SMLoc());
  aec::DiagnosticEngine diags(sourceMgr);
  model = aec::parseModel(bufferID, diags);
  if (!model || failed(aec::checkModel(*model, diags)))
    return ExitModelError;
  return ExitSuccess;
}

int emitAST(const aec::ModelAST &model, std::vector<Output> &outputs) {
  Output output{getOutputPath(""), ""};
  llvm::raw_string_ostream os(output.contents);
  aec::printModelSummary(model, os);
  outputs.push_back(std::move(output));
  return ExitSuccess;
}

/// Prints a module with the printing flags of the command line
/// (--mlir-print-debuginfo, --mlir-print-op-generic, ...).
int printModule(mlir::ModuleOp module, std::vector<Output> &outputs) {
  Output output{getOutputPath(""), ""};
  llvm::raw_string_ostream os(output.contents);
  module.print(os, mlir::OpPrintingFlags());
  os << "\n";
  outputs.push_back(std::move(output));
  return ExitSuccess;
}

/// Checked AST -> ae dialect. A module that fails to verify is a bug of
/// MLIRGen: the diagnostics are printed and the exit code is 4.
int runMLIRGen(mlir::MLIRContext &context, const aec::ModelAST &model,
               const llvm::SourceMgr &sourceMgr,
               mlir::OwningOpRef<mlir::ModuleOp> &module) {
  module = aec::buildModule(context, model, sourceMgr);
  if (!module) {
    printError() << "internal error: the generated ae module does not "
                    "verify (a bug: please report)\n";
    return ExitInternalError;
  }
  return ExitSuccess;
}

/// Runs `build`'s passes on `module` with the pass manager options of the
/// command line (--mlir-print-ir-after-all, ...), timed in `timing` (one
/// --mlir-timing report covers the whole run). A failing pass on a checked
/// model is a bug: exit code 4.
int runPasses(mlir::ModuleOp module, mlir::TimingScope &timing,
              llvm::StringRef name,
              llvm::function_ref<void(mlir::PassManager &)> build) {
  mlir::PassManager pm(module->getContext());
  if (failed(mlir::applyPassManagerCLOptions(pm)))
    return ExitUsageError;
  mlir::TimingScope scope = timing.nest(name);
  pm.enableTiming(scope);
  build(pm);
  if (failed(pm.run(module))) {
    printError() << "internal error: a compiler pass failed (a bug: please "
                    "report)\n";
    return ExitInternalError;
  }
  return ExitSuccess;
}

/// ae dialect -> + @loss_grad (ae-autodiff), @apply_grad and @train_step
/// (ae-optimizer).
int runAEGrad(mlir::ModuleOp module, mlir::TimingScope &timing) {
  return runPasses(module, timing, "ae-autodiff, ae-optimizer",
                   [](mlir::PassManager &pm) {
                     pm.addPass(mlir::ae::createAeAutodiff());
                     pm.addPass(mlir::ae::createAeOptimizer());
                   });
}

aec::CodegenOptions getCodegenOptions() {
  aec::CodegenOptions options;
  options.triple = targetTriple;
  // "native" is the host CPU, which is also the default.
  if (targetCPU != "native")
    options.cpu = targetCPU;
  options.optLevel = optLevel;
  options.threads = threadCount;
  return options;
}

/// Reports a failure of the LLVM backend (translation, target lookup,
/// emission). With a valid --mtriple / --mcpu this is a bug; an unknown
/// target is the user's: the message says which.
int reportBackendError(llvm::Error error) {
  printError() << llvm::toString(std::move(error)) << "\n";
  return ExitInternalError;
}

/// Checks --mtriple and --mcpu before any work: an unknown target is a bad
/// command line (exit 2), not a failure at the end of the pipeline.
int validateTarget() {
  if (targetTriple.empty() && targetCPU.empty())
    return ExitSuccess;
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::Triple triple(targetTriple.empty() ? llvm::sys::getDefaultTargetTriple()
                                           : std::string(targetTriple));
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    printError() << "unknown target triple '" << triple.str() << "': " << error
                 << "\n";
    return ExitUsageError;
  }
  if (!targetCPU.empty() && targetCPU != "native" && targetCPU != "generic") {
    std::unique_ptr<llvm::MCSubtargetInfo> info(
        target->createMCSubtargetInfo(triple, "", ""));
    if (info && !info->isCPUStringValid(targetCPU)) {
      printError() << "unknown CPU '" << targetCPU << "' for target '"
                   << triple.str() << "'\n";
      return ExitUsageError;
    }
  }
  return ExitSuccess;
}

/// The header's path: --header, else the object's path with extension .h.
std::string getHeaderPath(llvm::StringRef objectPath) {
  if (!headerFilename.empty())
    return headerFilename;
  llvm::SmallString<256> path(objectPath);
  llvm::sys::path::replace_extension(path, ".h");
  return std::string(path);
}

/// Runs the stages up to --emit and collects the outputs.
int runStages(llvm::SourceMgr &sourceMgr, const aec::ModelAST &model,
              std::vector<Output> &outputs) {
  if (emitStage == Emit::AST)
    return emitAST(model, outputs);

  mlir::DialectRegistry registry;
  aec::registerMLIRGenDialects(registry);
  aec::registerCodegenDialects(registry);
  registry.insert<mlir::ae::AeDialect>();
  // -j: 0 keeps MLIR's default pool (one thread per hardware
  // thread), 1 runs everything on this thread, N > 1 uses a pool of N.
  std::unique_ptr<llvm::DefaultThreadPool> threadPool;
  if (threadCount > 1)
    threadPool = std::make_unique<llvm::DefaultThreadPool>(
        llvm::hardware_concurrency(threadCount));
  mlir::MLIRContext context(
      registry, threadCount == 0 ? mlir::MLIRContext::Threading::ENABLED
                                 : mlir::MLIRContext::Threading::DISABLED);
  if (threadPool)
    context.setThreadPool(*threadPool);
  // Diagnostics from MLIR point into the .ae file (ops carry its locations).
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);

  // --mlir-timing: one report for the run, stage by stage.
  mlir::DefaultTimingManager timingManager;
  mlir::applyDefaultTimingManagerCLOptions(timingManager);
  mlir::TimingScope timing = timingManager.getRootScope();

  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::TimingScope mlirGenTiming = timing.nest("MLIRGen");
  if (int code = runMLIRGen(context, model, sourceMgr, module))
    return code;
  mlirGenTiming.stop();
  if (emitStage == Emit::AE)
    return printModule(*module, outputs);

  if (int code = runAEGrad(*module, timing))
    return code;
  if (emitStage == Emit::AEGrad)
    return printModule(*module, outputs);

  // ae dialect -> exported kernels on linalg + tensors (ae-to-linalg,
  // ae-kernel-abi). The header is written from this module: it carries the
  // exact parameter and optimizer-state layout (`ae.params`).
  if (int code = runPasses(
          *module, timing, "linalg pipeline",
          [](mlir::PassManager &pm) { aec::buildLinalgPipeline(pm); }))
    return code;
  if (emitStage == Emit::Linalg)
    return printModule(*module, outputs);
  std::string header;
  if (emitStage == Emit::Obj) {
    std::string objectPath = getOutputPath(".o");
    llvm::raw_string_ostream os(header);
    aec::HeaderOptions options;
    options.objectName = llvm::sys::path::filename(objectPath).str();
    if (failed(aec::emitHeader(*module, os, options))) {
      printError() << "internal error: cannot write the C header (a bug: "
                      "please report)\n";
      return ExitInternalError;
    }
  }

  // Kernels -> LLVM dialect with the model descriptor and the C API.
  if (int code = runPasses(
          *module, timing, "lower-to-LLVM pipeline",
          [](mlir::PassManager &pm) { aec::buildLowerToLLVMPipeline(pm); }))
    return code;
  if (emitStage == Emit::LLVMMLIR)
    return printModule(*module, outputs);

  aec::CodegenOptions codegen = getCodegenOptions();
  if (emitStage == Emit::LLVM) {
    llvm::LLVMContext llvmContext;
    auto llvmModule = aec::translateToLLVMIR(*module, llvmContext, codegen);
    if (!llvmModule)
      return reportBackendError(llvmModule.takeError());
    Output output{getOutputPath(""), ""};
    llvm::raw_string_ostream os(output.contents);
    (*llvmModule)->print(os, nullptr);
    outputs.push_back(std::move(output));
    return ExitSuccess;
  }

  bool isAsm = emitStage == Emit::Asm;
  Output output{getOutputPath(isAsm ? "" : ".o"), ""};
  if (!isAsm && output.path == "-" && headerFilename.empty()) {
    printError() << "--emit=obj to stdout needs --header <path>\n";
    return ExitUsageError;
  }
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  if (llvm::Error error = aec::emitObject(
          *module, codegen, os,
          isAsm ? aec::OutputKind::Assembly : aec::OutputKind::Object, &timing))
    return reportBackendError(std::move(error));
  output.contents.assign(buffer.begin(), buffer.end());
  if (!isAsm)
    outputs.push_back({getHeaderPath(output.path), std::move(header)});
  outputs.push_back(std::move(output));
  return ExitSuccess;
}

} // namespace

/// A crash is an internal failure, exit code 4 (docs/internals.md), even
/// when the crash corrupted the heap so badly that no signal handler can
/// run. So the work runs in a child process and the parent turns the
/// child's death by a fault signal into exit code 4. Nothing is written
/// before the very end, so a crash leaves no output. AEC_NO_FORK=1 runs
/// everything in one process (for debuggers).
static int superviseChild() {
  if (const char *noFork = ::getenv("AEC_NO_FORK"); noFork && *noFork == '1')
    return -1;
  pid_t child = ::fork();
  if (child <= 0)
    return -1; // the child, or fork failed: do the work in this process
  int status = 0;
  while (::waitpid(child, &status, 0) < 0)
    if (errno != EINTR)
      return ExitInternalError;
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  int signal = WTERMSIG(status);
  switch (signal) {
  case SIGSEGV:
  case SIGBUS:
  case SIGILL:
  case SIGFPE:
  case SIGABRT:
  case SIGTRAP:
  case SIGVTALRM: // the crash watchdog ended a hung crash report
    llvm::errs() << "aec: error: internal compiler error: "
                 << (signal == SIGVTALRM ? "crash (its report did not finish)"
                                         : ::strsignal(signal))
                 << " (a bug: please report it with the model file)\n";
    return ExitInternalError;
  default:
    // Interrupted or killed from outside: die the same way.
    ::signal(signal, SIG_DFL);
    ::raise(signal);
    return ExitInternalError;
  }
}

/// The first crash callback, before InitLLVM's stack-trace printer: arms a
/// watchdog. After heap corruption the printer can block forever on the
/// allocator's lock, which the crash left held; the watchdog's SIGVTALRM
/// then ends the process, and the parent reports the crash as usual. A
/// POSIX timer rather than alarm(): the printer runs llvm-symbolizer through
/// ExecuteAndWait, which uses alarm() and SIGALRM for its own timeout and
/// cancels any other. (sigaction, timer_create and timer_settime are
/// system calls, safe here.)
static void armCrashWatchdog(void *) {
  struct sigaction action = {};
  action.sa_handler = SIG_DFL;
  ::sigaction(SIGVTALRM, &action, nullptr);
  struct sigevent event = {};
  event.sigev_notify = SIGEV_SIGNAL;
  event.sigev_signo = SIGVTALRM;
  timer_t timer;
  if (::timer_create(CLOCK_MONOTONIC, &event, &timer) != 0)
    return;
  struct itimerspec when = {};
  when.it_value.tv_sec = std::max(1u, crashReportSeconds.getValue());
  ::timer_settime(timer, 0, &when, nullptr);
}

/// The --aec-debug-crash-hang hook: a crash report that never finishes.
static void blockForever(void *) {
  for (;;)
    ::pause();
}

int main(int argc, char **argv) {
  if (int code = superviseChild(); code >= 0)
    return code;
  llvm::sys::AddSignalHandler(armCrashWatchdog, nullptr);
  llvm::InitLLVM initLLVM(argc, argv);
  // MLIR's options (--mlir-print-ir-after-all, --mlir-print-debuginfo,
  // --mlir-timing, ...) apply to the MLIR stages. Their pass names
  // (--mlir-print-ir-after=<pass>) are those registered when the options
  // are: register aec's passes first, as mlir-opt tools do, so that e.g.
  // --mlir-print-ir-after=ae-parallelize works.
  mlir::ae::registerAePasses();
  aec::registerPasses();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();

  // libLLVM registers hundreds of backend options: --help shows aec's and
  // MLIR's own (the others still work, and --help-hidden lists them).
  cl::HideUnrelatedOptions(aecCategory);
  for (auto &entry : cl::getRegisteredOptions())
    if (entry.first.starts_with("mlir-"))
      entry.second->setHiddenFlag(cl::NotHidden);

  if (!cl::ParseCommandLineOptions(
          argc, argv, "aec: ahead-of-time compiler for autoencoders\n",
          &llvm::errs()))
    return ExitUsageError;
  if (optLevel > 3) {
    printError() << "invalid optimization level -O" << optLevel
                 << " (expected -O0 to -O3)\n";
    return ExitUsageError;
  }
  if (int code = validateTarget())
    return code;
  if (emitStage == Emit::Obj) {
    std::string objectPath = getOutputPath(".o");
    if (objectPath != "-" && getHeaderPath(objectPath) == objectPath) {
      printError() << "the header would overwrite the object '" << objectPath
                   << "': name the object *.o or give --header <path>\n";
      return ExitUsageError;
    }
  }
  if (!headerFilename.empty() && emitStage != Emit::Obj) {
    printError() << "--header applies to --emit=obj only\n";
    return ExitUsageError;
  }

  llvm::SourceMgr sourceMgr;
  std::unique_ptr<aec::ModelAST> model;
  if (int code = loadModel(sourceMgr, model))
    return code;

  if (debugCrash) {
    // After InitLLVM's stack-trace printer, like a printer that hangs.
    if (debugCrashHang)
      llvm::sys::AddSignalHandler(blockForever, nullptr);
    ::raise(SIGSEGV);
  }

  std::vector<Output> outputs;
  if (int code = runStages(sourceMgr, *model, outputs))
    return code;

  // Never overwrite the model with an output.
  for (const Output &output : outputs) {
    if (output.path != "-" && inputFilename != "-" &&
        llvm::sys::fs::equivalent(output.path, inputFilename)) {
      printError() << "output '" << output.path
                   << "' would overwrite the input\n";
      return ExitUsageError;
    }
  }
  return writeOutputs(outputs);
}
