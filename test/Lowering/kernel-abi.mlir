// RUN: aec-backend %s --run-passes=ae-kernel-abi | FileCheck %s
// RUN: aec-backend %s --emit=linalg | FileCheck %s --check-prefix=LINALG

// The kernel ABI of docs/internals.md on a model with a [2, 3] input, latent
// 2 and two parameters: flat parameter buffer, [n, D] batches, results
// materialized in the caller's buffers, parameters as views of the flat
// buffer.

module attributes {ae.model = "m", ae.input_shape = array<i64: 2, 3>,
                   ae.latent_size = 2 : i64, ae.latent_kind = "gaussian",
                   ae.optimizer = {kind = "adam", lr = 1.0e-03 : f64}} {
  func.func @loss(%x: tensor<?x2x3xf32>, %seed: i64, %call: i64,
                  %w: tensor<6x2xf32> {ae.param = "enc0.weight", ae.fan_in = 6 : i64},
                  %b: tensor<2xf32> {ae.param = "enc0.bias", ae.fan_in = 6 : i64}) -> f32 {
    %c = arith.constant 1.0 : f32
    return %c : f32
  }
  func.func @loss_grad(%x: tensor<?x2x3xf32>, %seed: i64, %call: i64,
                  %w: tensor<6x2xf32> {ae.param = "enc0.weight", ae.fan_in = 6 : i64},
                  %b: tensor<2xf32> {ae.param = "enc0.bias", ae.fan_in = 6 : i64})
      -> (f32, tensor<6x2xf32>, tensor<2xf32>) {
    %c = arith.constant 1.0 : f32
    return %c, %w, %b : f32, tensor<6x2xf32>, tensor<2xf32>
  }
  func.func @encode(%x: tensor<?x2x3xf32>,
                    %w: tensor<6x2xf32> {ae.param = "enc0.weight", ae.fan_in = 6 : i64},
                    %b: tensor<2xf32> {ae.param = "enc0.bias", ae.fan_in = 6 : i64}) -> tensor<?x2xf32> {
    %f = tensor.collapse_shape %x [[0], [1, 2]] : tensor<?x2x3xf32> into tensor<?x6xf32>
    %z = tensor.extract_slice %f[0, 0] [1, 2] [1, 1] : tensor<?x6xf32> to tensor<1x2xf32>
    %c = tensor.cast %z : tensor<1x2xf32> to tensor<?x2xf32>
    return %c : tensor<?x2xf32>
  }
  func.func @decode(%z: tensor<?x2xf32>,
                    %w: tensor<6x2xf32> {ae.param = "enc0.weight", ae.fan_in = 6 : i64},
                    %b: tensor<2xf32> {ae.param = "enc0.bias", ae.fan_in = 6 : i64}) -> tensor<?x2x3xf32> {
    %c0 = arith.constant 0 : index
    %n = tensor.dim %z, %c0 : tensor<?x2xf32>
    %e = tensor.empty(%n) : tensor<?x2x3xf32>
    return %e : tensor<?x2x3xf32>
  }
}

// CHECK: module attributes {
// CHECK-SAME: ae.param_count = 14 : i64
// CHECK-SAME: ae.params = [{fan_in = 6 : i64, name = "enc0.weight", offset = 0 : i64, shape = array<i64: 6, 2>}, {fan_in = 6 : i64, name = "enc0.bias", offset = 12 : i64, shape = array<i64: 2>}]
// CHECK-SAME: ae.state_count = 28 : i64

// The model functions stay, private, for the inliner.
// CHECK: func.func private @loss(
// CHECK: func.func private @loss_grad(
// CHECK: func.func private @encode(
// CHECK: func.func private @decode(

// CHECK-LABEL: func.func @m__loss(
// CHECK-SAME: %[[P:.*]]: memref<14xf32>, %[[X:.*]]: memref<?x6xf32>, %[[SEED:.*]]: i64, %[[CALL:.*]]: i64) -> f32
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict : memref<?x6xf32> to tensor<?x6xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[XT]], %{{.*}} : tensor<?x6xf32>
// CHECK: %[[XE:.*]] = tensor.expand_shape %[[XT]] {{\[\[}}0], [1, 2]] output_shape [%[[N]], 2, 3]
// CHECK: %[[PT:.*]] = bufferization.to_tensor %[[P]] restrict : memref<14xf32> to tensor<14xf32>
// CHECK: %[[W:.*]] = tensor.extract_slice %[[PT]][0] [12] [1] : tensor<14xf32> to tensor<12xf32>
// CHECK: %[[WE:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1]] output_shape [6, 2] : tensor<12xf32> into tensor<6x2xf32>
// CHECK: %[[B:.*]] = tensor.extract_slice %[[PT]][12] [2] [1] : tensor<14xf32> to tensor<2xf32>
// CHECK: %[[L:.*]] = call @loss(%[[XE]], %[[SEED]], %[[CALL]], %[[WE]], %[[B]])
// CHECK: return %[[L]] : f32

// CHECK-LABEL: func.func @m__grad(
// CHECK-SAME: %{{.*}}: memref<14xf32>, %{{.*}}: memref<?x6xf32>, %{{.*}}: i64, %{{.*}}: i64, %[[G:.*]]: memref<14xf32>) -> f32
// CHECK: %[[R:.*]]:3 = call @loss_grad(
// CHECK: %[[GW:.*]] = memref.subview %[[G]][0] [12] [1] : memref<14xf32> to memref<12xf32, strided<[1]>>
// CHECK: %[[GWE:.*]] = memref.expand_shape %[[GW]] {{\[\[}}0, 1]] output_shape [6, 2]
// CHECK: bufferization.materialize_in_destination %[[R]]#1 in restrict writable %[[GWE]]
// CHECK: %[[GB:.*]] = memref.subview %[[G]][12] [2] [1] : memref<14xf32> to memref<2xf32, strided<[1], offset: 12>>
// CHECK: bufferization.materialize_in_destination %[[R]]#2 in restrict writable %[[GB]]
// CHECK: return %[[R]]#0 : f32

// CHECK-LABEL: func.func @m__encode(
// CHECK-SAME: %{{.*}}: memref<14xf32>, %{{.*}}: memref<?x6xf32>, %[[Z:.*]]: memref<?x2xf32>)
// CHECK: %[[E:.*]] = call @encode(
// CHECK: bufferization.materialize_in_destination %[[E]] in restrict writable %[[Z]] : (tensor<?x2xf32>, memref<?x2xf32>) -> ()

// CHECK-LABEL: func.func @m__decode(
// CHECK-SAME: %{{.*}}: memref<14xf32>, %{{.*}}: memref<?x2xf32>, %[[XH:.*]]: memref<?x6xf32>)
// CHECK: %[[D:.*]] = call @decode(
// CHECK: %[[XHE:.*]] = memref.expand_shape %[[XH]] {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 2, 3] : memref<?x6xf32> into memref<?x2x3xf32>
// CHECK: bufferization.materialize_in_destination %[[D]] in restrict writable %[[XHE]]

// Synthesized as decode(encode(x)).
// CHECK-LABEL: func.func @m__reconstruct(
// CHECK-SAME: %{{.*}}: memref<14xf32>, %{{.*}}: memref<?x6xf32>, %{{.*}}: memref<?x6xf32>)
// CHECK: %[[ZZ:.*]] = call @encode(
// CHECK: call @decode(%[[ZZ]],

// Without @train_step / @apply_grad there are no such kernels.
// CHECK-NOT: @m__train_step
// CHECK-NOT: @m__apply_grad

// After inlining only the kernels remain.
// LINALG-NOT: func.func private
// LINALG: func.func @m__loss(
// LINALG: func.func @m__grad(
// LINALG: func.func @m__encode(
// LINALG: func.func @m__decode(
// LINALG: func.func @m__reconstruct(
