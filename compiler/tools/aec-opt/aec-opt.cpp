//===- aec-opt.cpp - mlir-opt for the aec project -------------------------===//
//
// Every upstream dialect, extension and pass, plus the ae dialect, its
// DifferentiableOpInterface models for arith, the ae passes, the backend
// passes of compiler/pipeline and compiler/codegen (ae-to-linalg,
// ae-kernel-abi, ae-tile-and-vectorize, ae-emit-c-api, ...) and the named
// pipelines aec-linalg / aec-lower-to-llvm. The lit tests use it to run one
// pass or one stage at a time.
//
//===----------------------------------------------------------------------===//

#include "compiler/pipeline/Pipelines.h"
#include "dialect/AeInterfaces.h"
#include "dialect/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::ae::registerAePasses();
  aec::registerPasses();
  aec::registerPipelines();

  // Every upstream dialect and extension, the LLVM IR translations, and ae.
  mlir::DialectRegistry registry;
  aec::registerBackendDialects(registry);
  mlir::ae::registerDifferentiableExternalModels(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "aec optimizer driver (MLIR with the ae dialect)\n",
      registry));
}
