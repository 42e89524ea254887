// RUN: aec-backend %s --run-passes="func.func(ae-tile-and-vectorize)" | FileCheck %s

// The CPU schedule on linalg on tensors with a dynamic batch.
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>

// A 16x16 register tile (N outer, M inner) of matmul + bias + relu: the
// accumulator is a loop-carried vector<16x16xf32> across the K loop (K tiled
// by 1: a 16x1 column of x times a 1x16 row of W per step), bias and relu
// applied in registers. Rows past the last multiple of 16 are peeled and
// computed one 1x16 row at a time: still vectors.
// CHECK-LABEL: func.func @dense_relu(
// CHECK: scf.for %[[J:.*]] = %c0 to %c32 step %c16
// CHECK: %[[SPLIT:.*]] = affine.apply #{{.*}}()[%[[N:.*]]]
// CHECK: scf.for %[[I:.*]] = %c0 to %[[SPLIT]] step %c16
// CHECK: %[[ACC:.*]] = scf.for %[[K:.*]] = %c0 to %c64 step %c1 iter_args(%[[C:.*]] = %{{.*}}) -> (vector<16x16xf32>)
// CHECK: vector.transfer_read %{{.*}}[%[[I]], %[[K]]]{{.*}} : tensor<?x64xf32>, vector<16x1xf32>
// CHECK: vector.transfer_read %{{.*}}[%[[K]], %[[J]]]{{.*}} : tensor<64x32xf32>, vector<1x16xf32>
// CHECK: vector.contract {{.*}} into vector<16x16xf32>
// CHECK: scf.yield %{{.*}} : vector<16x16xf32>
// CHECK: vector.broadcast %{{.*}} : vector<16xf32> to vector<16x16xf32>
// CHECK: arith.addf %[[ACC]], %{{.*}} : vector<16x16xf32>
// CHECK: arith.maximumf %{{.*}} : vector<16x16xf32>
// CHECK: vector.transfer_write %{{.*}}[%[[I]], %[[J]]] {in_bounds = [true, true]} : vector<16x16xf32>, tensor<?x32xf32>
// CHECK: scf.for %{{.*}} = %[[SPLIT]] to %[[N]] step %c16
// CHECK: scf.for %{{.*}} iter_args(%{{.*}}) -> (vector<1x16xf32>)
// CHECK: vector.contract {{.*}} into vector<1x16xf32>
// CHECK: arith.maximumf %{{.*}} : vector<1x16xf32>
// CHECK-NOT: linalg.
// CHECK-LABEL: func.func @transposed_b(
func.func @dense_relu(%x: tensor<?x64xf32>, %w: tensor<64x32xf32>, %b: tensor<32xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%n) : tensor<?x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  %m = linalg.matmul ins(%x, %w : tensor<?x64xf32>, tensor<64x32xf32>) outs(%f : tensor<?x32xf32>) -> tensor<?x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%m, %b : tensor<?x32xf32>, tensor<32xf32>) outs(%e : tensor<?x32xf32>) {
  ^bb0(%a: f32, %bb: f32, %o: f32):
    %s = arith.addf %a, %bb : f32
    %y = arith.maximumf %s, %zero : f32
    linalg.yield %y : f32
  } -> tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// W [64, 32] read as W^T: transposed once into a [32, 64] copy by 16x16
// register transposes, in the order of W's rows (the outer loop walks W's
// 64 rows, the inner one along them), then the same register tile reads
// contiguous rows.
// CHECK: %[[WT0:.*]] = tensor.empty() : tensor<32x64xf32>
// CHECK: %[[WT:.*]] = scf.for %[[TR:.*]] = %c0 to %c64 step %c16 iter_args(%{{.*}} = %[[WT0]]) -> (tensor<32x64xf32>)
// CHECK: scf.for %[[TC:.*]] = %c0 to %c32 step %c16
// CHECK: vector.transfer_read %{{.*}}[%[[TR]], %[[TC]]]{{.*}} : tensor<64x32xf32>, vector<16x16xf32>
// CHECK: vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// CHECK: scf.for %{{.*}} iter_args(%{{.*}}) -> (vector<16x16xf32>)
// CHECK: vector.transfer_read %[[WT]][{{.*}}]{{.*}} : tensor<32x64xf32>, vector<1x16xf32>
// CHECK: vector.contract {{.*}} into vector<16x16xf32>
// CHECK-NOT: linalg.
// CHECK-LABEL: func.func @elementwise(
func.func @transposed_b(%z: tensor<?x32xf32>, %w: tensor<64x32xf32>) -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %z, %c0 : tensor<?x32xf32>
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32>
  %m = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%z, %w : tensor<?x32xf32>, tensor<64x32xf32>) outs(%f : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %m : tensor<?x64xf32>
}
func.func @elementwise(%x: tensor<?x40xf32>) -> tensor<?x40xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x40xf32>
  %e = tensor.empty(%n) : tensor<?x40xf32>

// 40 = 2 x 16 + 8: the remainder of the static dimension is a static
// vector<1x8>, not scalar code.
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK: math.tanh %{{.*}} : vector<1x16xf32>
// CHECK: math.tanh %{{.*}} : vector<1x8xf32>
// CHECK-NOT: linalg.
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<?x40xf32>) outs(%e : tensor<?x40xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = math.tanh %a : f32
    linalg.yield %y : f32
  } -> tensor<?x40xf32>
  return %r : tensor<?x40xf32>
}

// A weight gradient X^T dY (M static: M outer) whose consumer, an update
// with two outputs (like Adam's parameter and moments), is not fused into
// the register tile: the tile writes the gradient, and the update is its
// own row-major pass of 1x16 vectors over the gradient and its buffers.
// CHECK-LABEL: func.func @weight_grad_update(
// CHECK: scf.for %[[WM:.*]] = %c0 to %c32 step %c16
// CHECK: scf.for %[[WN:.*]] = %c0 to %c48 step %c16
// CHECK: %[[G:.*]] = scf.for {{.*}} -> (vector<16x16xf32>)
// CHECK: vector.contract {{.*}} into vector<16x16xf32>
// CHECK-NOT: arith.subf
// CHECK: vector.transfer_write %[[G]], {{.*}} : vector<16x16xf32>, tensor<16x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c48 step %c16
// CHECK: arith.subf %{{.*}} : vector<1x16xf32>
// CHECK-NOT: linalg.
func.func @weight_grad_update(%x: tensor<?x32xf32>, %dy: tensor<?x48xf32>, %p: tensor<32x48xf32>, %v: tensor<32x48xf32>) -> (tensor<32x48xf32>, tensor<32x48xf32>) {
  %zero = arith.constant 0.0 : f32
  %lr = arith.constant 0.01 : f32
  %e = tensor.empty() : tensor<32x48xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<32x48xf32>) -> tensor<32x48xf32>
  %g = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %dy : tensor<?x32xf32>, tensor<?x48xf32>) outs(%f : tensor<32x48xf32>) -> tensor<32x48xf32>
  %r:2 = linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%g, %p, %v : tensor<32x48xf32>, tensor<32x48xf32>, tensor<32x48xf32>) outs(%p, %v : tensor<32x48xf32>, tensor<32x48xf32>) {
  ^bb0(%gg: f32, %pp: f32, %vv: f32, %o1: f32, %o2: f32):
    %v2 = arith.addf %vv, %gg : f32
    %s = arith.mulf %v2, %lr : f32
    %p2 = arith.subf %pp, %s : f32
    linalg.yield %p2, %v2 : f32, f32
  } -> (tensor<32x48xf32>, tensor<32x48xf32>)
  return %r#0, %r#1 : tensor<32x48xf32>, tensor<32x48xf32>
}

// A convolution becomes im2col + one matmul per example: the weight [32, 144]
// times the example's columns [144, 49], on 16x16 register tiles with the
// 144 reductions in a loop.
// CHECK-LABEL: func.func @conv(
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x1x15x15xf32>) outs(%{{.*}} : tensor<1x1x3x3x7x7xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %{{.*}} step %c1
// CHECK: scf.for %{{.*}} iter_args(%{{.*}}) -> (vector<16x16xf32>)
// CHECK: vector.contract {{.*}} into vector<16x16xf32>
// CHECK-NOT: linalg.conv_2d
// CHECK: return
func.func @conv(%x: tensor<?x16x15x15xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<?x32x7x7xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x16x15x15xf32>
  %e = tensor.empty(%n) : tensor<?x32x7x7xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<?x16x15x15xf32>, tensor<32x16x3x3xf32>) outs(%f : tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32>
  return %y : tensor<?x32x7x7xf32>
}
