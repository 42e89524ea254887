// RUN: aec-opt %s --split-input-file --eliminate-empty-tensors --ae-bufferize --verify-diagnostics | FileCheck %s

// ae-bufferize runs One-Shot Bufferize on every kernel (in parallel): the
// kernel ABI's to_tensor arguments and materialize_in_destination results
// become the memrefs themselves, and tensor constants become one
// memref.global of the module, shared by the kernels that use it. As in
// the pipeline, empty-tensor elimination runs first (no temporary).

// CHECK: memref.global "private" constant @[[G:.*]] : memref<4xf32> = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>
// CHECK-NOT: memref.global

// CHECK-LABEL: func.func @scale(
// CHECK-SAME: %[[X:.*]]: memref<?x4xf32>, %[[OUT:.*]]: memref<?x4xf32>
// CHECK: %[[W:.*]] = memref.get_global @[[G]] : memref<4xf32>
// CHECK-NOT: memref.alloc
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]], %[[W]] : memref<?x4xf32>, memref<4xf32>) outs(%[[OUT]] : memref<?x4xf32>)
// CHECK-NOT: bufferization.
// CHECK: return
#id = affine_map<(i, j) -> (i, j)>
#col = affine_map<(i, j) -> (j)>
func.func @scale(%x: memref<?x4xf32>, %out: memref<?x4xf32>) {
  %w = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c0 = arith.constant 0 : index
  %t = bufferization.to_tensor %x restrict : memref<?x4xf32> to tensor<?x4xf32>
  %n = tensor.dim %t, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%t, %w : tensor<?x4xf32>, tensor<4xf32>) outs(%e : tensor<?x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<?x4xf32>
  bufferization.materialize_in_destination %r in restrict writable %out
      : (tensor<?x4xf32>, memref<?x4xf32>) -> ()
  return
}

// The same constant in another kernel: the same global.
// CHECK-LABEL: func.func @first(
// CHECK-SAME: %[[OUT2:.*]]: memref<4xf32>
// CHECK: %[[W2:.*]] = memref.get_global @[[G]] : memref<4xf32>
// CHECK: memref.copy %[[W2]], %[[OUT2]]
func.func @first(%out: memref<4xf32>) {
  %w = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  bufferization.materialize_in_destination %w in restrict writable %out
      : (tensor<4xf32>, memref<4xf32>) -> ()
  return
}

// -----

// Kernels take memrefs: a tensor boundary would need the callers.
// expected-error @+1 {{ae-bufferize: @tensor_arg has tensor arguments or results (the kernel ABI gives kernels memrefs)}}
func.func @tensor_arg(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
