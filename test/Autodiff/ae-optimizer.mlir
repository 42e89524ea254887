// RUN: aec-opt %s -split-input-file -ae-optimizer | FileCheck %s

// Adam: two state slots, slot-major (every m, then every v).
module attributes {ae.optimizer = {kind = "adam", lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64}} {
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x2xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64},
                       %b: tensor<2xf32> {ae.param = "enc0.bias", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x2xf32> {ae.grad = "enc0.weight"}, tensor<2xf32> {ae.grad = "enc0.bias"}) {
    %l = arith.constant 1.0 : f32
    return %l, %w, %b : f32, tensor<4x2xf32>, tensor<2xf32>
  }
}

// CHECK-LABEL: func.func @apply_grad
// CHECK-SAME: (%[[STEP:[^ ,:)]*]]: i64,
// CHECK-SAME: %[[GW:[^ ,:)]*]]: tensor<4x2xf32> {ae.grad = "enc0.weight"}, %[[GB:[^ ,:)]*]]: tensor<2xf32> {ae.grad = "enc0.bias"},
// CHECK-SAME: %[[W:[^ ,:)]*]]: tensor<4x2xf32> {ae.fan_in = 4 : i64, ae.param = "enc0.weight"}, %[[B:[^ ,:)]*]]: tensor<2xf32> {ae.fan_in = 4 : i64, ae.param = "enc0.bias"},
// CHECK-SAME: %[[MW:[^ ,:)]*]]: tensor<4x2xf32> {ae.state = "enc0.weight.m"}, %[[MB:[^ ,:)]*]]: tensor<2xf32> {ae.state = "enc0.bias.m"},
// CHECK-SAME: %[[VW:[^ ,:)]*]]: tensor<4x2xf32> {ae.state = "enc0.weight.v"}, %[[VB:[^ ,:)]*]]: tensor<2xf32> {ae.state = "enc0.bias.v"})
// CHECK-SAME: -> (tensor<4x2xf32>, tensor<2xf32>, tensor<4x2xf32>, tensor<2xf32>, tensor<4x2xf32>, tensor<2xf32>)
// CHECK: %[[W2:[^ ,:)]*]], %[[MW2:[^ ,:)]*]], %[[VW2:[^ ,:)]*]] = ae.adam_update %[[W]], %[[GW]], %[[MW]], %[[VW]], %[[STEP]] {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64} : tensor<4x2xf32>
// CHECK: %[[B2:[^ ,:)]*]], %[[MB2:[^ ,:)]*]], %[[VB2:[^ ,:)]*]] = ae.adam_update %[[B]], %[[GB]], %[[MB]], %[[VB]], %[[STEP]]
// CHECK: return %[[W2]], %[[B2]], %[[MW2]], %[[MB2]], %[[VW2]], %[[VB2]]

// CHECK-LABEL: func.func @train_step
// CHECK-SAME: (%[[X:[^ ,:)]*]]: tensor<?x4xf32>, %[[SEED:[^ ,:)]*]]: i64, %[[CALL:[^ ,:)]*]]: i64, %[[TSTEP:[^ ,:)]*]]: i64,
// CHECK-SAME: %[[TW:[^ ,:)]*]]: tensor<4x2xf32> {ae.fan_in = 4 : i64, ae.param = "enc0.weight"}, %[[TB:[^ ,:)]*]]: tensor<2xf32> {ae.fan_in = 4 : i64, ae.param = "enc0.bias"},
// CHECK-SAME: %[[S0:[^ ,:)]*]]: tensor<4x2xf32> {ae.state = "enc0.weight.m"}, %[[S1:[^ ,:)]*]]: tensor<2xf32> {ae.state = "enc0.bias.m"},
// CHECK-SAME: %[[S2:[^ ,:)]*]]: tensor<4x2xf32> {ae.state = "enc0.weight.v"}, %[[S3:[^ ,:)]*]]: tensor<2xf32> {ae.state = "enc0.bias.v"})
// CHECK-SAME: -> (f32, tensor<4x2xf32>, tensor<2xf32>, tensor<4x2xf32>, tensor<2xf32>, tensor<4x2xf32>, tensor<2xf32>)
// CHECK: %[[G:[^ ,:)]*]]:3 = call @loss_grad(%[[X]], %[[SEED]], %[[CALL]], %[[TW]], %[[TB]])
// CHECK: %[[U:[^ ,:)]*]]:6 = call @apply_grad(%[[TSTEP]], %[[G]]#1, %[[G]]#2, %[[TW]], %[[TB]], %[[S0]], %[[S1]], %[[S2]], %[[S3]])
// CHECK: return %[[G]]#0, %[[U]]#0, %[[U]]#1, %[[U]]#2, %[[U]]#3, %[[U]]#4, %[[U]]#5

// -----

// SGD with momentum: one velocity slot.
module attributes {ae.optimizer = {kind = "sgd", lr = 1.0e-02 : f64, momentum = 0.9 : f64}} {
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"}) {
    %l = arith.constant 1.0 : f32
    return %l, %w : f32, tensor<4x4xf32>
  }
}

// CHECK-LABEL: func.func @apply_grad
// CHECK-SAME: %{{.*}}: tensor<4x4xf32> {ae.state = "dec0.weight.velocity"})
// CHECK: ae.momentum_update %{{.*}}, %{{.*}}, %{{.*}} {lr = 1.000000e-02 : f64, momentum = 9.000000e-01 : f64} : tensor<4x4xf32>
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: -> (f32, tensor<4x4xf32>, tensor<4x4xf32>)

// -----

// Plain SGD (momentum 0, the default): no optimizer state at all.
module attributes {ae.optimizer = {kind = "sgd", lr = 5.0e-02 : f64}} {
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"}) {
    %l = arith.constant 1.0 : f32
    return %l, %w : f32, tensor<4x4xf32>
  }
}

// CHECK-LABEL: func.func @apply_grad
// CHECK-SAME: (%{{.*}}: i64, %[[G:[^ ,:)]*]]: tensor<4x4xf32> {ae.grad = "dec0.weight"}, %[[W:[^ ,:)]*]]: tensor<4x4xf32> {ae.fan_in = 4 : i64, ae.param = "dec0.weight"}) -> tensor<4x4xf32>
// CHECK: ae.sgd_update %[[W]], %[[G]] {lr = 5.000000e-02 : f64} : tensor<4x4xf32>
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: -> (f32, tensor<4x4xf32>)
