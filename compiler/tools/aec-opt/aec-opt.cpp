//===- aec-opt.cpp - mlir-opt for the aec project -------------------------===//
//
// Every upstream dialect, extension and pass, plus the ae dialect, its
// DifferentiableOpInterface models for arith, and the ae passes. The lit
// tests use it to run one pass at a time.
//
//===----------------------------------------------------------------------===//

#include "dialect/AeDialect.h"
#include "dialect/AeInterfaces.h"
#include "dialect/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::ae::registerAePasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::ae::AeDialect>();
  mlir::ae::registerDifferentiableExternalModels(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "aec optimizer driver (MLIR with the ae dialect)\n",
      registry));
}
