// RUN: split-file %s %t
// RUN: not aec-backend %t/no-model.mlir --run-passes=ae-kernel-abi 2>&1 | FileCheck %s --check-prefix=NOMODEL
// RUN: not aec-backend %t/mismatch.mlir --run-passes=ae-kernel-abi 2>&1 | FileCheck %s --check-prefix=MISMATCH
// RUN: not aec-backend %t/batch.mlir --run-passes=ae-kernel-abi 2>&1 | FileCheck %s --check-prefix=BATCH
// RUN: not aec-backend %t/fanin.mlir --run-passes=ae-kernel-abi 2>&1 | FileCheck %s --check-prefix=FANIN
// RUN: not aec-backend %t/result.mlir --run-passes=ae-kernel-abi 2>&1 | FileCheck %s --check-prefix=RESULT
// RUN: not aec-backend %t/state.mlir --run-passes=ae-kernel-abi 2>&1 | FileCheck %s --check-prefix=STATE

//--- no-model.mlir
// NOMODEL: no-model.mlir:2:1: error: module lacks the 'ae.model' string attribute
module {
  func.func @encode(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
    return %x : tensor<?x3xf32>
  }
}

//--- mismatch.mlir
// MISMATCH: error: @encode argument #1 ('b' 'tensor<2xf32>') does not match parameter #0 of the model's parameter list
module attributes {ae.model = "m", ae.input_shape = array<i64: 3>, ae.latent_size = 3 : i64} {
  func.func @loss(%x: tensor<?x3xf32>, %s: i64, %c: i64,
                  %a: tensor<2xf32> {ae.param = "a", ae.fan_in = 1 : i64}) -> f32 {
    %f = arith.constant 0.0 : f32
    return %f : f32
  }
  func.func @encode(%x: tensor<?x3xf32>, %b: tensor<2xf32> {ae.param = "b", ae.fan_in = 1 : i64}) -> tensor<?x3xf32> {
    return %x : tensor<?x3xf32>
  }
}

//--- batch.mlir
// BATCH: error: @encode argument #0 must be 'tensor<?x3xf32>', got 'tensor<?x4xf32>'
module attributes {ae.model = "m", ae.input_shape = array<i64: 3>, ae.latent_size = 3 : i64} {
  func.func @encode(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
    %c = arith.constant dense<0.0> : tensor<1x3xf32>
    %d = tensor.cast %c : tensor<1x3xf32> to tensor<?x3xf32>
    return %d : tensor<?x3xf32>
  }
}

//--- fanin.mlir
// FANIN: error: parameter 'w' needs a positive integer 'ae.fan_in' argument attribute
module attributes {ae.model = "m", ae.input_shape = array<i64: 3>, ae.latent_size = 3 : i64} {
  func.func @encode(%x: tensor<?x3xf32>, %w: tensor<3xf32> {ae.param = "w"}) -> tensor<?x3xf32> {
    return %x : tensor<?x3xf32>
  }
}

//--- result.mlir
// RESULT: error: @decode must return ('tensor<?x3xf32>'), got '(tensor<?x1xf32>, tensor<2xf32>) -> tensor<?x2xf32>'
module attributes {ae.model = "m", ae.input_shape = array<i64: 3>, ae.latent_size = 1 : i64} {
  func.func @decode(%z: tensor<?x1xf32>, %w: tensor<2xf32> {ae.param = "w", ae.fan_in = 1 : i64}) -> tensor<?x2xf32> {
    %c = arith.constant dense<0.0> : tensor<1x2xf32>
    %d = tensor.cast %c : tensor<1x2xf32> to tensor<?x2xf32>
    return %d : tensor<?x2xf32>
  }
}

//--- state.mlir
// STATE: error: @apply_grad and @train_step disagree on the optimizer state arguments ('ae.state')
module attributes {ae.model = "m", ae.input_shape = array<i64: 1>, ae.latent_size = 1 : i64} {
  func.func @train_step(%x: tensor<?x1xf32>, %s: i64, %c: i64, %k: i64,
                        %w: tensor<2xf32> {ae.param = "w", ae.fan_in = 1 : i64},
                        %v: tensor<2xf32> {ae.state = "w.m"}) -> (f32, tensor<2xf32>, tensor<2xf32>) {
    %f = arith.constant 0.0 : f32
    return %f, %w, %v : f32, tensor<2xf32>, tensor<2xf32>
  }
  func.func @apply_grad(%k: i64, %g: tensor<2xf32> {ae.grad = "w"},
                        %w: tensor<2xf32> {ae.param = "w", ae.fan_in = 1 : i64},
                        %v: tensor<2xf32> {ae.state = "w.v"}) -> (tensor<2xf32>, tensor<2xf32>) {
    return %w, %v : tensor<2xf32>, tensor<2xf32>
  }
}
