// RUN: aec-backend %s --run-passes=ae-kernel-abi | FileCheck %s

// @train_step and @apply_grad: parameters and optimizer state (`ae.state`,
// laid out densely in argument order) are read and updated in place; the
// update materializes in the tensor of the old value, so that One-Shot
// Bufferize checks that no read of the old value follows the write.

module attributes {ae.model = "t", ae.input_shape = array<i64: 3>,
                   ae.latent_size = 1 : i64,
                   ae.optimizer = {kind = "sgd", lr = 1.0e-01 : f64, momentum = 5.0e-01 : f64}} {
  func.func @train_step(%x: tensor<?x3xf32>, %seed: i64, %call: i64, %step: i64,
                        %w: tensor<3x2xf32> {ae.param = "dec0.weight", ae.fan_in = 3 : i64},
                        %b: tensor<2xf32> {ae.param = "dec0.bias", ae.fan_in = 3 : i64},
                        %vw: tensor<3x2xf32> {ae.state = "dec0.weight.velocity"},
                        %vb: tensor<2xf32> {ae.state = "dec0.bias.velocity"})
      -> (f32, tensor<3x2xf32>, tensor<2xf32>, tensor<3x2xf32>, tensor<2xf32>) {
    %c = arith.constant 0.0 : f32
    return %c, %w, %b, %vw, %vb : f32, tensor<3x2xf32>, tensor<2xf32>, tensor<3x2xf32>, tensor<2xf32>
  }
  func.func @apply_grad(%step: i64,
                        %gw: tensor<3x2xf32> {ae.grad = "dec0.weight"},
                        %gb: tensor<2xf32> {ae.grad = "dec0.bias"},
                        %w: tensor<3x2xf32> {ae.param = "dec0.weight", ae.fan_in = 3 : i64},
                        %b: tensor<2xf32> {ae.param = "dec0.bias", ae.fan_in = 3 : i64},
                        %vw: tensor<3x2xf32> {ae.state = "dec0.weight.velocity"},
                        %vb: tensor<2xf32> {ae.state = "dec0.bias.velocity"})
      -> (tensor<3x2xf32>, tensor<2xf32>, tensor<3x2xf32>, tensor<2xf32>) {
    return %gw, %gb, %vw, %vb : tensor<3x2xf32>, tensor<2xf32>, tensor<3x2xf32>, tensor<2xf32>
  }
}

// CHECK: ae.param_count = 8 : i64
// CHECK-SAME: ae.state_count = 8 : i64

// CHECK-LABEL: func.func @t__train_step(
// CHECK-SAME: %[[P:.*]]: memref<8xf32>, %[[S:.*]]: memref<8xf32>, %[[X:.*]]: memref<?x3xf32>, %[[SEED:.*]]: i64, %[[CALL:.*]]: i64, %[[STEP:.*]]: i64) -> f32
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict : memref<?x3xf32>
// CHECK: %[[VW:.*]] = memref.subview %[[P]][0] [6] [1]
// CHECK: %[[VWE:.*]] = memref.expand_shape %[[VW]] {{\[\[}}0, 1]] output_shape [3, 2]
// CHECK: %[[TW:.*]] = bufferization.to_tensor %[[VWE]] restrict writable : memref<3x2xf32> to tensor<3x2xf32>
// CHECK: %[[VB:.*]] = memref.subview %[[P]][6] [2] [1] : memref<8xf32> to memref<2xf32, strided<[1], offset: 6>>
// CHECK: %[[TB:.*]] = bufferization.to_tensor %[[VB]] restrict writable
// CHECK: %[[SW:.*]] = memref.subview %[[S]][0] [6] [1]
// CHECK: %[[SWE:.*]] = memref.expand_shape %[[SW]]
// CHECK: %[[TSW:.*]] = bufferization.to_tensor %[[SWE]] restrict writable
// CHECK: %[[SB:.*]] = memref.subview %[[S]][6] [2] [1]
// CHECK: %[[TSB:.*]] = bufferization.to_tensor %[[SB]] restrict writable
// CHECK: %[[R:.*]]:5 = call @train_step(%[[XT]], %[[SEED]], %[[CALL]], %[[STEP]], %[[TW]], %[[TB]], %[[TSW]], %[[TSB]])
// CHECK: %[[U0:.*]] = bufferization.materialize_in_destination %[[R]]#1 in %[[TW]] : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: bufferization.materialize_in_destination %[[U0]] in writable %[[VWE]] : (tensor<3x2xf32>, memref<3x2xf32>) -> ()
// CHECK: %[[U1:.*]] = bufferization.materialize_in_destination %[[R]]#2 in %[[TB]]
// CHECK: bufferization.materialize_in_destination %[[U1]] in writable %[[VB]]
// CHECK: %[[U2:.*]] = bufferization.materialize_in_destination %[[R]]#3 in %[[TSW]]
// CHECK: bufferization.materialize_in_destination %[[U2]] in writable %[[SWE]]
// CHECK: %[[U3:.*]] = bufferization.materialize_in_destination %[[R]]#4 in %[[TSB]]
// CHECK: bufferization.materialize_in_destination %[[U3]] in writable %[[SB]]
// CHECK: return %[[R]]#0 : f32

// CHECK-LABEL: func.func @t__apply_grad(
// CHECK-SAME: %[[P:.*]]: memref<8xf32>, %[[S:.*]]: memref<8xf32>, %[[G:.*]]: memref<8xf32>, %[[STEP:.*]]: i64)
// CHECK: %[[GT:.*]] = bufferization.to_tensor %[[G]] restrict : memref<8xf32> to tensor<8xf32>
// CHECK: %[[GW:.*]] = tensor.extract_slice %[[GT]][0] [6] [1]
// CHECK: %[[GWE:.*]] = tensor.expand_shape %[[GW]]
// CHECK: %[[GB:.*]] = tensor.extract_slice %[[GT]][6] [2] [1]
// CHECK: call @apply_grad(%[[STEP]], %[[GWE]], %[[GB]],
// CHECK-COUNT-4: bufferization.materialize_in_destination %{{.*}} in writable
// CHECK: return
