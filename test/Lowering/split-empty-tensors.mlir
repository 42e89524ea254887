// ae-split-empty-tensors gives each use of a tensor.empty with at least
// min-uses uses its own tensor.empty (placed after the original, where its
// dynamic size is defined); with fewer uses (default 16) nothing changes.
// RUN: aec-opt %s --ae-split-empty-tensors='min-uses=3' | FileCheck %s
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
