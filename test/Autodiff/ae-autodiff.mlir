// RUN: aec-opt %s -split-input-file -ae-autodiff | FileCheck %s
// The gradient IR that ae-autodiff builds for each differentiable op. Each
// chunk is one @loss; @loss_grad is checked after its own canonicalize + CSE.

// Dense with and without bias, mse. The first layer's input gradient
// (dx = dy W^T) is dead and removed.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64,
// CHECK-SAME: %[[W0:[a-z0-9]+]]: tensor<4x3xf32> {ae.fan_in = 4 : i64, ae.param = "enc0.weight"},
// CHECK-SAME: %[[W1:[a-z0-9]+]]: tensor<3x4xf32> {{[^}]*}}}, %[[B1:[a-z0-9]+]]: tensor<4xf32> {{[^}]*}}})
// CHECK-SAME: -> (f32, tensor<4x3xf32> {ae.grad = "enc0.weight"}, tensor<3x4xf32> {ae.grad = "dec0.weight"}, tensor<4xf32> {ae.grad = "dec0.bias"})
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[H:.*]] = ae.dense %[[X]], %[[W0]] :
// CHECK-DAG: %[[Y:.*]] = ae.dense %[[H]], %[[W1]], %[[B1]] :
// CHECK: %[[L:.*]] = ae.mse %[[Y]], %[[X]]
// CHECK: %[[DY:.*]] = ae.mse_grad %[[Y]], %[[X]], %[[ONE]] : tensor<?x4xf32>
// CHECK: %[[DH:.*]] = ae.matmul %[[DY]], %[[W1]] {transpose_b} : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
// CHECK: %[[DW1:.*]] = ae.matmul %[[H]], %[[DY]] {transpose_a} : (tensor<?x3xf32>, tensor<?x4xf32>) -> tensor<3x4xf32>
// CHECK: %[[DB1:.*]] = ae.bias_grad %[[DY]] : tensor<?x4xf32> -> tensor<4xf32>
// CHECK: %[[DW0:.*]] = ae.matmul %[[X]], %[[DH]] {transpose_a} : (tensor<?x4xf32>, tensor<?x3xf32>) -> tensor<4x3xf32>
// CHECK-NOT: ae.matmul
// CHECK: return %[[L]], %[[DW0]], %[[DW1]], %[[DB1]] : f32, tensor<4x3xf32>, tensor<3x4xf32>, tensor<4xf32>
func.func @loss(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                %w0: tensor<4x3xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64},
                %w1: tensor<3x4xf32> {ae.param = "dec0.weight", ae.fan_in = 3 : i64},
                %b1: tensor<4xf32> {ae.param = "dec0.bias", ae.fan_in = 3 : i64}) -> f32 {
  %h = ae.dense %x, %w0 : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %y = ae.dense %h, %w1, %b1 : (tensor<?x3xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %l = ae.mse %y, %x : tensor<?x4xf32>
  return %l : f32
}

// -----

// Every activation: each derivative reads the activation's OUTPUT.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[W:[a-z0-9]+]]: tensor<4x4xf32>
// CHECK: %[[H:.*]] = ae.dense %[[X]], %[[W]]
// CHECK: %[[A:.*]] = ae.activation relu %[[H]]
// CHECK: %[[B:.*]] = ae.activation leaky_relu %[[A]] {alpha = 1.000000e-02 : f64}
// CHECK: %[[C:.*]] = ae.activation tanh %[[B]]
// CHECK: %[[D:.*]] = ae.activation softplus %[[C]]
// CHECK: %[[E:.*]] = ae.activation sigmoid %[[D]]
// CHECK: %[[DE:.*]] = ae.mse_grad %[[E]], %[[X]], %{{.*}}
// CHECK: %[[DD:.*]] = ae.activation_grad sigmoid %[[E]], %[[DE]] : tensor<?x4xf32>
// CHECK: %[[DC:.*]] = ae.activation_grad softplus %[[D]], %[[DD]] : tensor<?x4xf32>
// CHECK: %[[DB:.*]] = ae.activation_grad tanh %[[C]], %[[DC]] : tensor<?x4xf32>
// CHECK: %[[DA:.*]] = ae.activation_grad leaky_relu %[[B]], %[[DB]] {alpha = 1.000000e-02 : f64} : tensor<?x4xf32>
// CHECK: %[[DH:.*]] = ae.activation_grad relu %[[A]], %[[DA]] : tensor<?x4xf32>
// CHECK: %[[DW:.*]] = ae.matmul %[[X]], %[[DH]] {transpose_a}
// CHECK: return %{{.*}}, %[[DW]] : f32, tensor<4x4xf32>
func.func @loss(%x: tensor<?x4xf32>,
                %w: tensor<4x4xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64}) -> f32 {
  %h = ae.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %a = ae.activation relu %h : tensor<?x4xf32>
  %b = ae.activation leaky_relu %a {alpha = 0.01 : f64} : tensor<?x4xf32>
  %c = ae.activation tanh %b : tensor<?x4xf32>
  %d = ae.activation softplus %c : tensor<?x4xf32>
  %e = ae.activation sigmoid %d : tensor<?x4xf32>
  %l = ae.mse %e, %x : tensor<?x4xf32>
  return %l : f32
}

// -----

// VAE: bce of a sigmoid is differentiated in its logits form; kl_normal,
// reparam and the weighted loss_combine; mu and logvar each get the sum of
// two gradients (from the KL term and through z).
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[SEED:[a-z0-9]+]]: i64, %[[CALL:[a-z0-9]+]]: i64,
// CHECK-SAME: %[[WMU:[a-z0-9]+]]: tensor<4x2xf32> {{[^}]*}}}, %[[WLV:[a-z0-9]+]]: tensor<4x2xf32> {{[^}]*}}}, %[[WD:[a-z0-9]+]]: tensor<2x4xf32>
// CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[MU:.*]] = ae.dense %[[X]], %[[WMU]]
// CHECK: %[[LV:.*]] = ae.dense %[[X]], %[[WLV]]
// CHECK: %[[Z:.*]] = ae.reparam %[[MU]], %[[LV]], %[[SEED]], %[[CALL]] : tensor<?x2xf32>
// CHECK: %[[Y:.*]] = ae.dense %[[Z]], %[[WD]]
// CHECK-NOT: ae.activation
// CHECK: %[[REC:.*]] = ae.bce %[[Y]], %[[X]] from_logits
// CHECK: %[[KL:.*]] = ae.kl_normal %[[MU]], %[[LV]]
// CHECK: %[[L:.*]] = ae.loss_combine %[[REC]], %[[KL]] {weights = array<f64: 1.000000e+00, 5.000000e-01>}
// CHECK: %[[DMU_KL:.*]], %[[DLV_KL:.*]] = ae.kl_normal_grad %[[MU]], %[[LV]], %[[HALF]] : tensor<?x2xf32>
// CHECK: %[[DY:.*]] = ae.bce_grad %[[Y]], %[[X]], %[[ONE]] from_logits : tensor<?x4xf32>
// CHECK: %[[DZ:.*]] = ae.matmul %[[DY]], %[[WD]] {transpose_b}
// CHECK: %[[DWD:.*]] = ae.matmul %[[Z]], %[[DY]] {transpose_a}
// CHECK: %[[DLV_Z:.*]] = ae.reparam_grad %[[MU]], %[[Z]], %[[DZ]] : tensor<?x2xf32>
// CHECK-DAG: %[[DMU:.*]] = ae.add %[[DMU_KL]], %[[DZ]] : tensor<?x2xf32>
// CHECK-DAG: %[[DLV:.*]] = ae.add %[[DLV_KL]], %[[DLV_Z]] : tensor<?x2xf32>
// CHECK-DAG: %[[DWLV:.*]] = ae.matmul %[[X]], %[[DLV]] {transpose_a}
// CHECK-DAG: %[[DWMU:.*]] = ae.matmul %[[X]], %[[DMU]] {transpose_a}
// CHECK: return %[[L]], %[[DWMU]], %[[DWLV]], %[[DWD]]
func.func @loss(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                %wmu: tensor<4x2xf32> {ae.param = "mu.weight", ae.fan_in = 4 : i64},
                %wlv: tensor<4x2xf32> {ae.param = "logvar.weight", ae.fan_in = 4 : i64},
                %wd: tensor<2x4xf32> {ae.param = "dec0.weight", ae.fan_in = 2 : i64}) -> f32 {
  %mu = ae.dense %x, %wmu : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %lv = ae.dense %x, %wlv : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  %z = ae.reparam %mu, %lv, %seed, %call : tensor<?x2xf32>
  %y = ae.dense %z, %wd : (tensor<?x2xf32>, tensor<2x4xf32>) -> tensor<?x4xf32>
  %p = ae.activation sigmoid %y : tensor<?x4xf32>
  %rec = ae.bce %p, %x : tensor<?x4xf32>
  %kl = ae.kl_normal %mu, %lv : tensor<?x2xf32>
  %l = ae.loss_combine %rec, %kl {weights = array<f64: 1.0, 0.5>}
  return %l : f32
}

// -----

// bce already in logits form, and a loss_combine weight of 1 needs no mulf.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[W:[a-z0-9]+]]: tensor<4x4xf32>
// CHECK-DAG: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[Z:.*]] = ae.dense %[[X]], %[[W]]
// CHECK: %[[DZM:.*]] = ae.mse_grad %[[Z]], %[[X]], %[[ONE]]
// CHECK: %[[DZB:.*]] = ae.bce_grad %[[Z]], %[[X]], %[[TWO]] from_logits
// CHECK: %[[DZ:.*]] = ae.add %[[DZM]], %[[DZB]]
// CHECK: %[[DW:.*]] = ae.matmul %[[X]], %[[DZ]] {transpose_a}
// CHECK: return %{{.*}}, %[[DW]]
func.func @loss(%x: tensor<?x4xf32>,
                %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64}) -> f32 {
  %z = ae.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %b = ae.bce %z, %x from_logits : tensor<?x4xf32>
  %m = ae.mse %z, %x : tensor<?x4xf32>
  %l = ae.loss_combine %m, %b {weights = array<f64: 1.0, 2.0>}
  return %l : f32
}

// -----

// Convolutional AE with input noise: the noise is not on a differentiable
// path (it corrupts data); conv2d's VJP is conv2d_grad_input/_weight, a
// reshape's VJP is the inverse reshape, deconv2d's VJP reuses conv2d and
// conv2d_grad_weight with the roles of x and dy swapped. The first conv's
// input gradient is dead and removed.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x1x8x8xf32>, %{{[a-z0-9]+}}: i64, %{{[a-z0-9]+}}: i64,
// CHECK-SAME: %[[WC:[a-z0-9]+]]: tensor<4x1x3x3xf32> {{[^}]*}}}, %[[BC:[a-z0-9]+]]: tensor<4xf32> {{[^}]*}}}, %[[WC2:[a-z0-9]+]]: tensor<8x4x3x3xf32> {{[^}]*}}},
// CHECK-SAME: %[[WD:[a-z0-9]+]]: tensor<32x16xf32> {{[^}]*}}}, %[[WT:[a-z0-9]+]]: tensor<4x1x3x3xf32> {{[^}]*}}}, %[[BT:[a-z0-9]+]]: tensor<1xf32>
// CHECK: %[[XN:.*]] = ae.noise mask %[[X]]
// CHECK: %[[C:.*]] = ae.conv2d %[[XN]], %[[WC]], %[[BC]] {pad = 1 : i64, stride = 2 : i64}
// CHECK: %[[C2:.*]] = ae.conv2d %[[C]], %[[WC2]] {pad = 1 : i64, stride = 2 : i64}
// CHECK: %[[F:.*]] = ae.reshape %[[C2]] : tensor<?x8x2x2xf32> to tensor<?x32xf32>
// CHECK: %[[D:.*]] = ae.dense %[[F]], %[[WD]]
// CHECK: %[[U:.*]] = ae.reshape %[[D]] : tensor<?x16xf32> to tensor<?x4x2x2xf32>
// CHECK: %[[Y:.*]] = ae.deconv2d %[[U]], %[[WT]], %[[BT]] {output_padding = 1 : i64, stride = 4 : i64}
// CHECK: %[[DY:.*]] = ae.mse_grad %[[Y]], %[[X]], %{{.*}} : tensor<?x1x8x8xf32>
// CHECK: %[[DU:.*]] = ae.conv2d %[[DY]], %[[WT]] {stride = 4 : i64} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x2x2xf32>
// CHECK: %[[DWT:.*]] = ae.conv2d_grad_weight %[[DY]], %[[U]] {stride = 4 : i64} : (tensor<?x1x8x8xf32>, tensor<?x4x2x2xf32>) -> tensor<4x1x3x3xf32>
// CHECK: %[[DBT:.*]] = ae.bias_grad %[[DY]] : tensor<?x1x8x8xf32> -> tensor<1xf32>
// CHECK: %[[DD:.*]] = ae.reshape %[[DU]] : tensor<?x4x2x2xf32> to tensor<?x16xf32>
// CHECK: %[[DF:.*]] = ae.matmul %[[DD]], %[[WD]] {transpose_b}
// CHECK: %[[DWD:.*]] = ae.matmul %[[F]], %[[DD]] {transpose_a}
// CHECK: %[[DC2:.*]] = ae.reshape %[[DF]] : tensor<?x32xf32> to tensor<?x8x2x2xf32>
// CHECK: %[[DC:.*]] = ae.conv2d_grad_input %[[DC2]], %[[WC2]] {pad = 1 : i64, stride = 2 : i64} : (tensor<?x8x2x2xf32>, tensor<8x4x3x3xf32>) -> tensor<?x4x4x4xf32>
// CHECK: %[[DWC2:.*]] = ae.conv2d_grad_weight %[[C]], %[[DC2]] {pad = 1 : i64, stride = 2 : i64} : (tensor<?x4x4x4xf32>, tensor<?x8x2x2xf32>) -> tensor<8x4x3x3xf32>
// CHECK-NOT: ae.conv2d_grad_input
// CHECK: %[[DWC:.*]] = ae.conv2d_grad_weight %[[XN]], %[[DC]] {pad = 1 : i64, stride = 2 : i64} : (tensor<?x1x8x8xf32>, tensor<?x4x4x4xf32>) -> tensor<4x1x3x3xf32>
// CHECK: %[[DBC:.*]] = ae.bias_grad %[[DC]] : tensor<?x4x4x4xf32> -> tensor<4xf32>
// CHECK-NOT: ae.conv2d_grad_input
// CHECK: return %{{.*}}, %[[DWC]], %[[DBC]], %[[DWC2]], %[[DWD]], %[[DWT]], %[[DBT]]
func.func @loss(%x: tensor<?x1x8x8xf32>, %seed: i64, %call: i64,
                %wc: tensor<4x1x3x3xf32> {ae.param = "enc0.weight", ae.fan_in = 9 : i64},
                %bc: tensor<4xf32> {ae.param = "enc0.bias", ae.fan_in = 9 : i64},
                %wc2: tensor<8x4x3x3xf32> {ae.param = "enc1.weight", ae.fan_in = 36 : i64},
                %wd: tensor<32x16xf32> {ae.param = "dec0.weight", ae.fan_in = 32 : i64},
                %wt: tensor<4x1x3x3xf32> {ae.param = "dec1.weight", ae.fan_in = 9 : i64},
                %bt: tensor<1xf32> {ae.param = "dec1.bias", ae.fan_in = 9 : i64}) -> f32 {
  %xn = ae.noise mask %x, %seed, %call {param = 0.5 : f64} : tensor<?x1x8x8xf32>
  %c = ae.conv2d %xn, %wc, %bc {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x4x4xf32>
  %c2 = ae.conv2d %c, %wc2 {stride = 2 : i64, pad = 1 : i64} : (tensor<?x4x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x2x2xf32>
  %f = ae.reshape %c2 : tensor<?x8x2x2xf32> to tensor<?x32xf32>
  %d = ae.dense %f, %wd : (tensor<?x32xf32>, tensor<32x16xf32>) -> tensor<?x16xf32>
  %u = ae.reshape %d : tensor<?x16xf32> to tensor<?x4x2x2xf32>
  %y = ae.deconv2d %u, %wt, %bt {stride = 4 : i64, pad = 0 : i64, output_padding = 1 : i64} : (tensor<?x4x2x2xf32>, tensor<4x1x3x3xf32>, tensor<1xf32>) -> tensor<?x1x8x8xf32>
  %l = ae.mse %y, %x : tensor<?x1x8x8xf32>
  return %l : f32
}

// -----

// Fan-out: the hidden value and the (tied) weight are used twice, so their
// gradients are summed with ae.add. An unused parameter gets a zero
// gradient. arith ops on the path use their external VJP models.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[W:[a-z0-9]+]]: tensor<4x4xf32> {{[^}]*}}}, %[[UNUSED:[a-z0-9]+]]: tensor<3xf32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[THREE:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-DAG: %[[MINUS_ONE:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: %[[H:.*]] = ae.dense %[[X]], %[[W]]
// CHECK: %[[Y:.*]] = ae.dense %[[H]], %[[W]]
// CHECK: %[[M1:.*]] = ae.mse %[[H]], %[[X]]
// CHECK: %[[M2:.*]] = ae.mse %[[Y]], %[[X]]
// CHECK: %[[DY:.*]] = ae.mse_grad %[[Y]], %[[X]], %[[MINUS_ONE]]
// CHECK: %[[DH1:.*]] = ae.mse_grad %[[H]], %[[X]], %[[THREE]]
// CHECK: %[[DH2:.*]] = ae.matmul %[[DY]], %[[W]] {transpose_b}
// CHECK: %[[DW2:.*]] = ae.matmul %[[H]], %[[DY]] {transpose_a}
// CHECK: %[[DH:.*]] = ae.add %[[DH1]], %[[DH2]] : tensor<?x4xf32>
// CHECK: %[[DW1:.*]] = ae.matmul %[[X]], %[[DH]] {transpose_a}
// CHECK: %[[DW:.*]] = ae.add %[[DW2]], %[[DW1]] : tensor<4x4xf32>
// CHECK: return %{{.*}}, %[[DW]], %[[ZERO]] : f32, tensor<4x4xf32>, tensor<3xf32>
func.func @loss(%x: tensor<?x4xf32>,
                %w: tensor<4x4xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64},
                %unused: tensor<3xf32> {ae.param = "enc0.bias", ae.fan_in = 4 : i64}) -> f32 {
  %h = ae.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %y = ae.dense %h, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %m1 = ae.mse %h, %x : tensor<?x4xf32>
  %m2 = ae.mse %y, %x : tensor<?x4xf32>
  %three = arith.constant 3.0 : f32
  %t = arith.mulf %m1, %three : f32
  %l = arith.subf %t, %m2 : f32
  return %l : f32
}

// -----

// A module without @loss is left alone.
// CHECK-LABEL: func.func @encode
// CHECK-NOT: @loss_grad
func.func @encode(%x: tensor<?x4xf32>, %w: tensor<4x2xf32> {ae.param = "head.weight", ae.fan_in = 4 : i64}) -> tensor<?x2xf32> {
  %z = ae.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

// -----

// An op without the interface is fine off the differentiable path: on the
// data only, or with a result that does not reach the loss (then removed).
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x4xf32>, %[[T:[a-z0-9]+]]: tensor<?x4xf32>
// CHECK: %[[XC:.*]] = arith.maximumf %[[X]], %[[T]] : tensor<?x4xf32>
// CHECK-NOT: arith.maximumf
// CHECK: ae.dense %[[XC]]
// CHECK: ae.matmul %[[XC]], %{{.*}} {transpose_a}
// CHECK: return
func.func @loss(%x: tensor<?x4xf32>, %t: tensor<?x4xf32>,
                %w: tensor<4x4xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64}) -> f32 {
  %xc = arith.maximumf %x, %t : tensor<?x4xf32>
  %h = ae.dense %xc, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %unused = arith.maximumf %h, %t : tensor<?x4xf32>
  %l = ae.mse %h, %x : tensor<?x4xf32>
  return %l : f32
}
