//===- ObjectEmitter.h - LLVM IR and object emission ------------*- C++ -*-===//
//
// The last stages of aec, in-process: an LLVM-dialect module is translated to
// LLVM IR, optimized with the new pass manager for the target machine, and
// emitted as an object file or assembly with llvm::TargetMachine. No llc or
// clang is run.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_CODEGEN_OBJECTEMITTER_H
#define AEC_CODEGEN_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
class raw_pwrite_stream;
} // namespace llvm

namespace mlir {
class DialectRegistry;
class TimingScope;
} // namespace mlir

namespace aec {

struct CodegenOptions {
  /// Target triple; empty means the host's default triple.
  std::string triple;
  /// Target CPU; empty means the host CPU (llvm::sys::getHostCPUName) when
  /// the triple is the host's, else "generic".
  std::string cpu;
  /// Target features ("+avx2,-avx512f"); empty means the host CPU's features
  /// when `cpu` is the host CPU, else none.
  std::string features;
  /// LLVM IR and code generation optimization level, 0 to 3.
  unsigned optLevel = 2;
  /// Threads of emitObject: the module is split into that many partitions
  /// (groups of functions that do not call each other) that are translated,
  /// optimized and compiled in parallel and merged into one object file.
  /// 0 means one per hardware thread (at most 8). Each function's code is
  /// the same whatever the count; the order of functions in the object is
  /// not. Assembly output and non-ELF targets always use one.
  unsigned threads = 1;
};

enum class OutputKind { Object, Assembly };

/// Registers everything the backend needs in `registry`: the upstream
/// dialects and their interface extensions, and the translations of the
/// LLVM, builtin and OpenMP dialects to LLVM IR.
void registerCodegenDialects(mlir::DialectRegistry &registry);

/// A TargetMachine for `options` (PIC relocation: the objects go into PIE
/// executables and shared libraries alike).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const CodegenOptions &options);

/// Translates an LLVM-dialect module to LLVM IR for `tm` (triple and data
/// layout set) and, if `optimize`, runs the default optimization pipeline of
/// `options.optLevel` on it.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  llvm::TargetMachine &tm, const CodegenOptions &options,
                  bool optimize = true);

/// Same, with a TargetMachine created from `options`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context,
                  const CodegenOptions &options, bool optimize = true);

/// Makes each internal noinline function that several top-level symbols
/// refer to (a loop body ae-merge-functions shared among kernels) a hidden
/// global, so that partitionModule can compile it once, apart from its
/// callers, with the same code whatever the partitions; emitObject's ELF
/// objects have them local again (mergeRelocatableELF).
void shareCalledBodies(mlir::ModuleOp module);

/// Splits an LLVM-dialect module into at most `count` modules that can be
/// compiled separately and linked: each holds the definitions of one set of
/// groups (a group: functions that refer to each other, with the globals
/// they use) and declarations of the other functions. Returns nothing if the
/// module has other top-level ops or fewer than two groups.
llvm::SmallVector<mlir::OwningOpRef<mlir::ModuleOp>>
partitionModule(mlir::ModuleOp module, unsigned count);

/// Translates, optimizes and emits `module` (LLVM dialect) as an object file
/// or assembly into `os`, on `options.threads` threads for objects.
/// With `timing`, each step (translation, optimization, code generation,
/// partitioning and merging) is timed in a child scope of it.
llvm::Error emitObject(mlir::ModuleOp module, const CodegenOptions &options,
                       llvm::raw_pwrite_stream &os,
                       OutputKind kind = OutputKind::Object,
                       mlir::TimingScope *timing = nullptr);

} // namespace aec

#endif // AEC_CODEGEN_OBJECTEMITTER_H
