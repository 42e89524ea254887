// RUN: split-file %s %t
// RUN: not aec-backend %t/keyword.mlir --emit=header -o %t/k.h 2>&1 | FileCheck %s --check-prefix=KEYWORD
// RUN: not aec-backend %t/shape.mlir --emit=header -o %t/s.h 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not aec-backend %t/capi.mlir --run-passes=ae-emit-c-api 2>&1 | FileCheck %s --check-prefix=CAPI
// RUN: not aec-backend %t/capi.mlir --emit=obj --mtriple=nonsense-unknown-none -o %t/x.o 2>&1 | FileCheck %s --check-prefix=TRIPLE

// The model name becomes C symbols and a C type name.
//--- keyword.mlir
// KEYWORD: error: model name 'int' is not a C identifier (or is a C/C++ keyword)
module attributes {ae.model = "int", ae.input_shape = array<i64: 3>, ae.latent_size = 1 : i64} {
}

//--- shape.mlir
// SHAPE: error: module needs 'ae.input_shape' as array<i64: ...> of 1 to 4 positive sizes
module attributes {ae.model = "m", ae.input_shape = array<i64: 3, 0>, ae.latent_size = 1 : i64} {
}

// The descriptor needs the layout recorded by ae-kernel-abi.
//--- capi.mlir
// CAPI: error: ae-emit-c-api needs the parameter layout recorded by ae-kernel-abi ('ae.params')
// TRIPLE: error: unknown target triple 'nonsense-unknown-none'
module attributes {ae.model = "m", ae.input_shape = array<i64: 3>, ae.latent_size = 1 : i64} {
  llvm.func @f() {
    llvm.return
  }
}
