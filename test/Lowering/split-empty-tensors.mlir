// ae-split-empty-tensors gives each use of a tensor.empty with at least
// min-uses uses its own tensor.empty (placed after the original, where its
// dynamic size is defined); with fewer uses (default 16) nothing changes.
// RUN: aec-opt %s --ae-split-empty-tensors='min-uses=3' | FileCheck %s
// RUN: aec-opt %s --ae-split-empty-tensors='min-uses=2 split-fills=true' | FileCheck %s --check-prefix=FILLS
// RUN: aec-opt %s --ae-split-empty-tensors | FileCheck %s --check-prefix=KEEP

// CHECK-LABEL: func.func @shared(
// CHECK-SAME: %[[N:.*]]: index
// CHECK: %[[E0:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: %[[E1:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK: %[[E2:.*]] = tensor.empty(%[[N]]) : tensor<?x4xf32>
// CHECK-NOT: tensor.empty
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] :
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] :
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] :
// KEEP-LABEL: func.func @shared(
// KEEP-COUNT-1: tensor.empty
// KEEP-NOT: tensor.empty
func.func @shared(%n: index, %a: f32, %b: f32, %c: f32)
    -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %0 = linalg.fill ins(%a : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = linalg.fill ins(%b : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  %2 = linalg.fill ins(%c : f32) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0, %1, %2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// Two uses: below min-uses=3, kept shared.
// CHECK-LABEL: func.func @two_uses(
// KEEP-LABEL: func.func @two_uses(
// CHECK-COUNT-1: tensor.empty
// CHECK-NOT: tensor.empty
func.func @two_uses(%a: f32, %b: f32) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.fill ins(%a : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %1 = linalg.fill ins(%b : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// split-fills: a zero fill of an empty tensor that CSE shared among two
// reductions becomes one fill of its own empty tensor per reduction, so
// empty-tensor elimination can give each result its own destination.
// FILLS-LABEL: func.func @shared_fill(
// FILLS: %[[E0:.*]] = tensor.empty() : tensor<4xf32>
// FILLS: %[[F0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E0]] : tensor<4xf32>)
// FILLS: %[[E1:.*]] = tensor.empty() : tensor<4xf32>
// FILLS: %[[F1:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E1]] : tensor<4xf32>)
// FILLS: linalg.reduce ins(%{{.*}} : tensor<4x8xf32>) outs(%[[F1]] : tensor<4xf32>)
// FILLS: linalg.reduce ins(%{{.*}} : tensor<4x8xf32>) outs(%[[F0]] : tensor<4xf32>)
// Without split-fills the fill stays shared.
// CHECK-LABEL: func.func @shared_fill(
// CHECK-COUNT-1: linalg.fill
// CHECK-NOT: linalg.fill
// CHECK: return
func.func @shared_fill(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>)
    -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %0 = linalg.reduce ins(%a : tensor<4x8xf32>) outs(%f : tensor<4xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  %1 = linalg.reduce ins(%b : tensor<4x8xf32>) outs(%f : tensor<4xf32>) dimensions = [1]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}
