// RUN: aec-backend %s --run-passes=ae-to-linalg | FileCheck %s
// RUN: aec-backend %s --run-passes=ae-to-linalg | mlir-opt -o /dev/null

// ae ops become linalg named ops and linalg.generic on tensors; the batch
// dimension stays dynamic.

// Map aliases are printed first.
// CHECK-DAG: #[[TB_A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[TB_B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[TA_A:.*]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[TA_B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>

// CHECK-LABEL: func.func @dense(
// CHECK-SAME: %[[X:.*]]: tensor<?x784xf32>, %[[W:.*]]: tensor<784x400xf32>, %[[B:.*]]: tensor<400xf32>
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x784xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x400xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x400xf32>)
// CHECK: %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<?x784xf32>, tensor<784x400xf32>) outs(%[[F]] : tensor<?x400xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[M]], %[[B]] : tensor<?x400xf32>, tensor<400xf32>)
// CHECK: arith.addf
// CHECK-NOT: ae.
func.func @dense(%x: tensor<?x784xf32>, %w: tensor<784x400xf32>, %b: tensor<400xf32>) -> tensor<?x400xf32> {
  %y = ae.dense %x, %w, %b : (tensor<?x784xf32>, tensor<784x400xf32>, tensor<400xf32>) -> tensor<?x400xf32>
  return %y : tensor<?x400xf32>
}

// Transposes through the indexing maps of linalg.matmul.
// CHECK-LABEL: func.func @matmuls(
// CHECK: linalg.matmul indexing_maps = [#[[TB_A]], #[[TB_B]], #[[C]]] ins(%{{.*}}, %{{.*}} : tensor<?x400xf32>, tensor<784x400xf32>) outs(%{{.*}} : tensor<?x784xf32>)
// CHECK: linalg.matmul indexing_maps = [#[[TA_A]], #[[TA_B]], #[[C]]] ins(%{{.*}}, %{{.*}} : tensor<?x784xf32>, tensor<?x400xf32>) outs(%{{.*}} : tensor<784x400xf32>)
func.func @matmuls(%dy: tensor<?x400xf32>, %w: tensor<784x400xf32>, %x: tensor<?x784xf32>) -> (tensor<?x784xf32>, tensor<784x400xf32>) {
  %dx = ae.matmul %dy, %w {transpose_b} : (tensor<?x400xf32>, tensor<784x400xf32>) -> tensor<?x784xf32>
  %dw = ae.matmul %x, %dy {transpose_a} : (tensor<?x784xf32>, tensor<?x400xf32>) -> tensor<784x400xf32>
  return %dx, %dw : tensor<?x784xf32>, tensor<784x400xf32>
}

// CHECK-LABEL: func.func @conv(
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor<?x1x28x28xf32> to tensor<?x1x30x30xf32>
// CHECK: %[[Y:.*]] = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %{{.*}} : tensor<?x1x30x30xf32>, tensor<16x1x3x3xf32>) outs(%{{.*}} : tensor<?x16x14x14xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[Y]], %{{.*}} : tensor<?x16x14x14xf32>, tensor<16xf32>)
func.func @conv(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>, %b: tensor<16xf32>) -> tensor<?x16x14x14xf32> {
  %y = ae.conv2d %x, %w, %b {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<?x16x14x14xf32>
  return %y : tensor<?x16x14x14xf32>
}

// Transposed convolution: a contraction over the input channels gives
// every pixel's k x k contributions (cols[i, (co, a, b), (y, x)] =
// sum_ci w[ci, (co, a, b)] x[i, ci, (y, x)]), then col2im adds each kernel
// tap's contributions into a stride-2 view of the output: 9 strided adds,
// the first one (tap 0, 0) lands at output row/column 1 (pad 1), 6 x 6 pixels.
// CHECK-LABEL: func.func @deconv(
// CHECK: %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<32x16x3x3xf32> into tensor<32x144xf32>
// CHECK: %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<?x32x7x7xf32> into tensor<?x32x49xf32>
// CHECK: %[[COLS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[W]], %[[X]] : tensor<32x144xf32>, tensor<?x32x49xf32>) outs(%{{.*}} : tensor<?x144x49xf32>)
// CHECK: %[[C6:.*]] = tensor.expand_shape %[[COLS]] {{\[\[}}0], [1, 2, 3], [4, 5]] {{.*}} into tensor<?x16x3x3x7x7xf32>
// CHECK: %[[Y0:.*]] = linalg.fill {{.*}} -> tensor<?x16x14x14xf32>
// CHECK: %[[SRC:.*]] = tensor.extract_slice %[[C6]][0, 0, 0, 0, 1, 1] [%{{.*}}, 16, 1, 1, 6, 6] [1, 1, 1, 1, 1, 1] : tensor<?x16x3x3x7x7xf32> to tensor<?x16x6x6xf32>
// CHECK: %[[DST:.*]] = tensor.extract_slice %[[Y0]][0, 0, 1, 1] [%{{.*}}, 16, 6, 6] [1, 1, 2, 2]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[DST]], %[[SRC]] :
// CHECK: tensor.insert_slice %[[SUM]] into %[[Y0]][0, 0, 1, 1] [%{{.*}}, 16, 6, 6] [1, 1, 2, 2]
// CHECK-COUNT-8: tensor.insert_slice
// CHECK-NOT: linalg.conv_2d
// CHECK: return
func.func @deconv(%x: tensor<?x32x7x7xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<?x16x14x14xf32> {
  %y = ae.deconv2d %x, %w {stride = 2 : i64, pad = 1 : i64, output_padding = 1 : i64} : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<?x16x14x14xf32>
  return %y : tensor<?x16x14x14xf32>
}

// BCE with logits in the stable form max(z, 0) - z t + log(1 + exp(-|z|)),
// summed in f64, divided by the batch size. The sum has two stages: each
// example's 784 terms into 16 lane partials (784 = 49 x 16), rows
// independent (parallel), then the [n, 16] partials into one scalar.
// CHECK-LABEL: func.func @bce(
// CHECK: %[[Z3:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 49, 16] : tensor<?x784xf32> into tensor<?x49x16xf32>
// CHECK: %[[T3:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 49, 16] : tensor<?x784xf32> into tensor<?x49x16xf32>
// CHECK: %[[P0:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<?x16xf64>)
// CHECK: %[[PART:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[Z3]], %[[T3]] : {{.*}}) outs(%[[P0]] : tensor<?x16xf64>)
// CHECK: %[[ZT:.*]] = arith.mulf
// CHECK: %[[ABS:.*]] = math.absf
// CHECK: %[[NEG:.*]] = arith.negf %[[ABS]]
// CHECK: %[[EXP:.*]] = math.exp %[[NEG]]
// CHECK: %[[LOG:.*]] = math.log1p %[[EXP]]
// CHECK: %[[MAX:.*]] = arith.maximumf
// CHECK: %[[SP:.*]] = arith.addf %[[LOG]], %[[MAX]]
// CHECK: %[[TERM:.*]] = arith.subf %[[SP]], %[[ZT]]
// CHECK: %[[WIDE:.*]] = arith.extf %[[TERM]] : f32 to f64
// CHECK: arith.addf %{{.*}}, %[[WIDE]] : f64
// CHECK: %[[S0:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<f64>)
// CHECK: %[[TOTAL:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[PART]] : tensor<?x16xf64>) outs(%[[S0]] : tensor<f64>)
// CHECK: %[[SUM64:.*]] = tensor.extract %[[TOTAL]][]
// CHECK: %[[SUM:.*]] = arith.truncf %[[SUM64]] : f64 to f32
// CHECK: %[[NF:.*]] = arith.sitofp
// CHECK: arith.divf %[[SUM]], %[[NF]] : f32
func.func @bce(%z: tensor<?x784xf32>, %t: tensor<?x784xf32>) -> f32 {
  %l = ae.bce %z, %t from_logits : tensor<?x784xf32>
  return %l : f32
}

// When the terms per example do not fill whole 16-lane groups (20 here),
// each example sums into one partial.
// CHECK-LABEL: func.func @mse_narrow(
// CHECK: %[[P0:.*]] = linalg.fill ins(%{{.*}} : f64) outs(%{{.*}} : tensor<?x1xf64>)
// CHECK: %[[PART:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<?x20xf32>, tensor<?x20xf32>) outs(%[[P0]] : tensor<?x1xf64>)
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[PART]] : tensor<?x1xf64>)
func.func @mse_narrow(%p: tensor<?x20xf32>, %t: tensor<?x20xf32>) -> f32 {
  %l = ae.mse %p, %t : tensor<?x20xf32>
  return %l : f32
}

// A rank-1 loss (one value per example) sums into one partial per example.
// CHECK-LABEL: func.func @mse_rank1(
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xf32>) outs(%{{.*}} : tensor<?x1xf64>)
func.func @mse_rank1(%p: tensor<?xf32>, %t: tensor<?xf32>) -> f32 {
  %l = ae.mse %p, %t : tensor<?xf32>
  return %l : f32
}

// Philox4x32-10: per-round keys from the seed outside the loop (Weyl
// constants 0x9E3779B9, 0xBB67AE85), counter = (index, call, stream 1), ten
// rounds of two 32x32->64 products inside.
// CHECK-LABEL: func.func @noise(
// CHECK-SAME: %{{.*}}: tensor<?x784xf32>, %[[SEED:.*]]: i64, %[[CALL:.*]]: i64
// CHECK: %[[K0:.*]] = arith.trunci %[[SEED]] : i64 to i32
// CHECK: %[[C1:.*]] = arith.constant -1640531527 : i32
// CHECK: arith.addi %[[K0]], %[[C1]] : i32
// CHECK: %[[C2:.*]] = arith.constant -1150833019 : i32
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.constant 784 : index
// CHECK: linalg.index 1
// CHECK: arith.trunci %[[CALL]] : i64 to i32
// CHECK: arith.constant 1 : i32
// CHECK-COUNT-20: arith.mului_extended
// CHECK: arith.uitofp %{{.*}} : i32 to f32
// CHECK: arith.constant 2.32830644E-10 : f32
// CHECK: arith.cmpf olt
// CHECK: arith.select
func.func @noise(%x: tensor<?x784xf32>, %seed: i64, %call: i64) -> tensor<?x784xf32> {
  %y = ae.noise mask %x, %seed, %call {param = 5.000000e-01 : f64} : tensor<?x784xf32>
  return %y : tensor<?x784xf32>
}

// Adam: bias corrections once per call (f64, like PyTorch), 1 / c2 among
// them, then one elementwise pass with three results that multiplies
// sqrt(v') by 1 / c2 and divides once per element.
// CHECK-LABEL: func.func @adam(
// CHECK: %[[T:.*]] = arith.sitofp %{{.*}} : i64 to f64
// CHECK: math.powf %{{.*}}, %[[T]] : f64
// CHECK: math.powf %{{.*}}, %[[T]] : f64
// CHECK: %[[C2:.*]] = math.sqrt %{{.*}} : f64
// CHECK: %[[INV64:.*]] = arith.divf %{{.*}}, %[[C2]] : f64
// CHECK: %[[INV:.*]] = arith.truncf %[[INV64]] : f64 to f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
// CHECK-NOT: arith.divf
// CHECK: %[[S:.*]] = math.sqrt %{{.*}} : f32
// CHECK-NEXT: arith.mulf %[[S]], %[[INV]] : f32
// CHECK: arith.divf
// CHECK-NOT: arith.divf
// CHECK: linalg.yield %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32
func.func @adam(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %step: i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %p2, %m2, %v2 = ae.adam_update %p, %g, %m, %v, %step {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64} : tensor<4xf32>
  return %p2, %m2, %v2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
