// RUN: aec-opt %s -canonicalize -split-input-file | FileCheck %s

// bce of a sigmoid becomes the stable logits form; the sigmoid stays only if
// something else uses it.
// CHECK-LABEL: func.func @bce_of_sigmoid
// CHECK-SAME: (%[[Z:.*]]: tensor<?x784xf32>, %[[T:.*]]: tensor<?x784xf32>)
// CHECK-NOT: ae.activation
// CHECK: %[[L:.*]] = ae.bce %[[Z]], %[[T]] from_logits : tensor<?x784xf32>
// CHECK: return %[[L]]
func.func @bce_of_sigmoid(%z: tensor<?x784xf32>, %t: tensor<?x784xf32>) -> f32 {
  %p = ae.activation sigmoid %z : tensor<?x784xf32>
  %l = ae.bce %p, %t : tensor<?x784xf32>
  return %l : f32
}

// -----

// CHECK-LABEL: func.func @bce_of_shared_sigmoid
// CHECK: %[[P:.*]] = ae.activation sigmoid %[[Z:.*]] : tensor<?x784xf32>
// CHECK: %[[L:.*]] = ae.bce %[[Z]], %{{.*}} from_logits : tensor<?x784xf32>
// CHECK: return %[[L]], %[[P]]
func.func @bce_of_shared_sigmoid(%z: tensor<?x784xf32>, %t: tensor<?x784xf32>) -> (f32, tensor<?x784xf32>) {
  %p = ae.activation sigmoid %z : tensor<?x784xf32>
  %l = ae.bce %p, %t : tensor<?x784xf32>
  return %l, %p : f32, tensor<?x784xf32>
}

// -----

// Only a sigmoid is absorbed; bce of another activation is left alone.
// CHECK-LABEL: func.func @bce_of_tanh
// CHECK: %[[P:.*]] = ae.activation tanh
// CHECK: ae.bce %[[P]], %{{.*}} : tensor<?x784xf32>
func.func @bce_of_tanh(%z: tensor<?x784xf32>, %t: tensor<?x784xf32>) -> f32 {
  %p = ae.activation tanh %z : tensor<?x784xf32>
  %l = ae.bce %p, %t : tensor<?x784xf32>
  return %l : f32
}

// -----

// Already logits: a sigmoid feeding a from_logits bce is a different loss.
// CHECK-LABEL: func.func @bce_logits_of_sigmoid
// CHECK: %[[P:.*]] = ae.activation sigmoid
// CHECK: ae.bce %[[P]], %{{.*}} from_logits
func.func @bce_logits_of_sigmoid(%z: tensor<?x784xf32>, %t: tensor<?x784xf32>) -> f32 {
  %p = ae.activation sigmoid %z : tensor<?x784xf32>
  %l = ae.bce %p, %t from_logits : tensor<?x784xf32>
  return %l : f32
}

// -----

// CHECK-LABEL: func.func @reshape_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<?x784xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_same_type(%x: tensor<?x784xf32>) -> tensor<?x784xf32> {
  %0 = ae.reshape %x : tensor<?x784xf32> to tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x28x28xf32>)
// CHECK-NEXT: %[[R:.*]] = ae.reshape %[[X]] : tensor<?x1x28x28xf32> to tensor<?x28x28xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<?x1x28x28xf32>) -> tensor<?x28x28xf32> {
  %0 = ae.reshape %x : tensor<?x1x28x28xf32> to tensor<?x784xf32>
  %1 = ae.reshape %0 : tensor<?x784xf32> to tensor<?x28x28xf32>
  return %1 : tensor<?x28x28xf32>
}

// -----

// flatten then unflatten is the identity.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-SAME: (%[[X:.*]]: tensor<?x32x7x7xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_round_trip(%x: tensor<?x32x7x7xf32>) -> tensor<?x32x7x7xf32> {
  %0 = ae.reshape %x : tensor<?x32x7x7xf32> to tensor<?x1568xf32>
  %1 = ae.reshape %0 : tensor<?x1568xf32> to tensor<?x32x7x7xf32>
  return %1 : tensor<?x32x7x7xf32>
}

// -----

// Unused ae ops are pure and disappear.
// CHECK-LABEL: func.func @dead_ops
// CHECK-NOT: ae.
// CHECK: return
func.func @dead_ops(%x: tensor<?x784xf32>, %w: tensor<784x4xf32>, %seed: i64) {
  %0 = ae.dense %x, %w : (tensor<?x784xf32>, tensor<784x4xf32>) -> tensor<?x4xf32>
  %1 = ae.noise mask %x, %seed, %seed {param = 0.5 : f64} : tensor<?x784xf32>
  %2 = ae.reparam %0, %0, %seed, %seed : tensor<?x4xf32>
  return
}

// -----

// A single loss term of weight 1 is the loss itself; other weights stay.
// CHECK-LABEL: func.func @loss_combine_single
// CHECK-SAME: (%[[A:.*]]: f32, %[[B:.*]]: f32)
// CHECK-NEXT: %[[W:.*]] = ae.loss_combine %[[B]] {weights = array<f64: 2.000000e+00>}
// CHECK-NEXT: return %[[A]], %[[W]]
func.func @loss_combine_single(%a: f32, %b: f32) -> (f32, f32) {
  %0 = ae.loss_combine %a {weights = array<f64: 1.0>}
  %1 = ae.loss_combine %b {weights = array<f64: 2.0>}
  return %0, %1 : f32, f32
}
