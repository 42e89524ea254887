// RUN: aec-opt %s | aec-opt | FileCheck %s --strict-whitespace
// RUN: aec-opt %s --mlir-print-op-generic | aec-opt | FileCheck %s --strict-whitespace
// Every op of the ae dialect in every form, printed, re-parsed and printed
// again (custom and generic form).

// CHECK-LABEL: func.func @dense
func.func @dense(%x: tensor<?x784xf32>, %w: tensor<784x400xf32>,
                 %b: tensor<400xf32>, %x4: tensor<4x784xf32>)
    -> (tensor<?x400xf32>, tensor<?x400xf32>, tensor<4x400xf32>) {
  // CHECK: ae.dense %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x400xf32>, tensor<400xf32>) -> tensor<?x400xf32>
  %0 = ae.dense %x, %w, %b : (tensor<?x784xf32>, tensor<784x400xf32>, tensor<400xf32>) -> tensor<?x400xf32>
  // CHECK: ae.dense %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x400xf32>) -> tensor<?x400xf32>
  %1 = ae.dense %x, %w : (tensor<?x784xf32>, tensor<784x400xf32>) -> tensor<?x400xf32>
  // CHECK: ae.dense %{{.*}}, %{{.*}} : (tensor<4x784xf32>, tensor<784x400xf32>) -> tensor<4x400xf32>
  %2 = ae.dense %x4, %w : (tensor<4x784xf32>, tensor<784x400xf32>) -> tensor<4x400xf32>
  return %0, %1, %2 : tensor<?x400xf32>, tensor<?x400xf32>, tensor<4x400xf32>
}

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>,
                %b: tensor<16xf32>, %w5: tensor<8x1x5x5xf32>)
    -> (tensor<?x16x14x14xf32>, tensor<?x16x26x26xf32>, tensor<?x8x24x24xf32>) {
  // CHECK: ae.conv2d %{{.*}}, %{{.*}}, %{{.*}} {pad = 1 : i64, stride = 2 : i64} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<?x16x14x14xf32>
  %0 = ae.conv2d %x, %w, %b {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<?x16x14x14xf32>
  // Default stride 1 and pad 0 are elided.
  // CHECK: ae.conv2d %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<?x16x26x26xf32>
  %1 = ae.conv2d %x, %w, %b : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>) -> tensor<?x16x26x26xf32>
  // CHECK: ae.conv2d %{{.*}}, %{{.*}} : (tensor<?x1x28x28xf32>, tensor<8x1x5x5xf32>) -> tensor<?x8x24x24xf32>
  %2 = ae.conv2d %x, %w5 {stride = 1 : i64, pad = 0 : i64} : (tensor<?x1x28x28xf32>, tensor<8x1x5x5xf32>) -> tensor<?x8x24x24xf32>
  return %0, %1, %2 : tensor<?x16x14x14xf32>, tensor<?x16x26x26xf32>, tensor<?x8x24x24xf32>
}

// CHECK-LABEL: func.func @deconv
func.func @deconv(%x: tensor<?x32x7x7xf32>, %w: tensor<32x16x3x3xf32>,
                  %b: tensor<16xf32>)
    -> (tensor<?x16x14x14xf32>, tensor<?x16x9x9xf32>) {
  // CHECK: ae.deconv2d %{{.*}}, %{{.*}}, %{{.*}} {output_padding = 1 : i64, pad = 1 : i64, stride = 2 : i64} : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>, tensor<16xf32>) -> tensor<?x16x14x14xf32>
  %0 = ae.deconv2d %x, %w, %b {stride = 2 : i64, pad = 1 : i64, output_padding = 1 : i64} : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>, tensor<16xf32>) -> tensor<?x16x14x14xf32>
  // CHECK: ae.deconv2d %{{.*}}, %{{.*}} : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<?x16x9x9xf32>
  %1 = ae.deconv2d %x, %w : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<?x16x9x9xf32>
  return %0, %1 : tensor<?x16x14x14xf32>, tensor<?x16x9x9xf32>
}

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<?x32x7x7xf32>) -> tensor<?x1568xf32> {
  // CHECK: ae.reshape %{{.*}} : tensor<?x32x7x7xf32> to tensor<?x1568xf32>
  %0 = ae.reshape %x : tensor<?x32x7x7xf32> to tensor<?x1568xf32>
  return %0 : tensor<?x1568xf32>
}

// CHECK-LABEL: func.func @activations
func.func @activations(%x: tensor<?x400xf32>) {
  // CHECK: ae.activation relu %{{.*}} : tensor<?x400xf32>
  %0 = ae.activation relu %x : tensor<?x400xf32>
  // CHECK: ae.activation sigmoid %{{.*}} : tensor<?x400xf32>
  %1 = ae.activation sigmoid %x : tensor<?x400xf32>
  // CHECK: ae.activation tanh %{{.*}} : tensor<?x400xf32>
  %2 = ae.activation tanh %x : tensor<?x400xf32>
  // CHECK: ae.activation softplus %{{.*}} : tensor<?x400xf32>
  %3 = ae.activation softplus %x : tensor<?x400xf32>
  // CHECK: ae.activation leaky_relu %{{.*}} {alpha = 1.000000e-02 : f64} : tensor<?x400xf32>
  %4 = ae.activation leaky_relu %x {alpha = 0.01 : f64} : tensor<?x400xf32>
  return
}

// CHECK-LABEL: func.func @losses
func.func @losses(%p: tensor<?x784xf32>, %x: tensor<?x784xf32>,
                  %mu: tensor<?x20xf32>, %lv: tensor<?x20xf32>) -> f32 {
  // CHECK: ae.mse %{{.*}}, %{{.*}} : tensor<?x784xf32>
  %0 = ae.mse %p, %x : tensor<?x784xf32>
  // CHECK: ae.bce %{{.*}}, %{{.*}} : tensor<?x784xf32>
  %1 = ae.bce %p, %x : tensor<?x784xf32>
  // CHECK: ae.bce %{{.*}}, %{{.*}} from_logits : tensor<?x784xf32>
  %2 = ae.bce %p, %x from_logits : tensor<?x784xf32>
  // CHECK: ae.kl_normal %{{.*}}, %{{.*}} : tensor<?x20xf32>
  %3 = ae.kl_normal %mu, %lv : tensor<?x20xf32>
  // CHECK: ae.loss_combine %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {weights = array<f64: 1.000000e+00, 5.000000e-01, 2.000000e+00, 1.000000e+00>}
  %4 = ae.loss_combine %0, %1, %2, %3 {weights = array<f64: 1.0, 0.5, 2.0, 1.0>}
  // CHECK: ae.loss_combine %{{.*}} {weights = array<f64: 1.000000e+00>}
  %5 = ae.loss_combine %4 {weights = array<f64: 1.0>}
  return %5 : f32
}

// CHECK-LABEL: func.func @random
func.func @random(%mu: tensor<?x20xf32>, %lv: tensor<?x20xf32>,
                  %x: tensor<?x784xf32>, %img: tensor<?x1x28x28xf32>,
                  %seed: i64, %call: i64) {
  // CHECK: ae.reparam %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x20xf32>
  %0 = ae.reparam %mu, %lv, %seed, %call : tensor<?x20xf32>
  // CHECK: ae.noise mask %{{.*}}, %{{.*}}, %{{.*}} {param = 5.000000e-01 : f64} : tensor<?x784xf32>
  %1 = ae.noise mask %x, %seed, %call {param = 0.5 : f64} : tensor<?x784xf32>
  // CHECK: ae.noise gaussian %{{.*}}, %{{.*}}, %{{.*}} {param = 1.000000e-01 : f64} : tensor<?x784xf32>
  %2 = ae.noise gaussian %x, %seed, %call {param = 0.1 : f64} : tensor<?x784xf32>
  // CHECK: ae.noise blur %{{.*}}, %{{.*}}, %{{.*}} {param = 1.500000e+00 : f64} : tensor<?x1x28x28xf32>
  %3 = ae.noise blur %img, %seed, %call {param = 1.5 : f64} : tensor<?x1x28x28xf32>
  // CHECK: ae.noise block %{{.*}}, %{{.*}}, %{{.*}} {param = 8.000000e+00 : f64} : tensor<?x1x28x28xf32>
  %4 = ae.noise block %img, %seed, %call {param = 8.0 : f64} : tensor<?x1x28x28xf32>
  return
}

// CHECK-LABEL: func.func @backward
func.func @backward(%x: tensor<?x784xf32>, %w: tensor<784x400xf32>,
                    %dy: tensor<?x400xf32>, %y: tensor<?x400xf32>,
                    %dl: f32, %mu: tensor<?x20xf32>, %lv: tensor<?x20xf32>,
                    %z: tensor<?x20xf32>, %dz: tensor<?x20xf32>) {
  // CHECK: ae.add %{{.*}}, %{{.*}} : tensor<?x400xf32>
  %0 = ae.add %dy, %dy : tensor<?x400xf32>
  // CHECK: ae.add %{{.*}}, %{{.*}} : f32
  %1 = ae.add %dl, %dl : f32
  // CHECK: ae.matmul %{{.*}}, %{{.*}} {transpose_b} : (tensor<?x400xf32>, tensor<784x400xf32>) -> tensor<?x784xf32>
  %2 = ae.matmul %dy, %w {transpose_b} : (tensor<?x400xf32>, tensor<784x400xf32>) -> tensor<?x784xf32>
  // CHECK: ae.matmul %{{.*}}, %{{.*}} {transpose_a} : (tensor<?x784xf32>, tensor<?x400xf32>) -> tensor<784x400xf32>
  %3 = ae.matmul %x, %dy {transpose_a} : (tensor<?x784xf32>, tensor<?x400xf32>) -> tensor<784x400xf32>
  // CHECK: ae.matmul %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x400xf32>) -> tensor<?x400xf32>
  %4 = ae.matmul %x, %w : (tensor<?x784xf32>, tensor<784x400xf32>) -> tensor<?x400xf32>
  // CHECK: ae.matmul %{{.*}}, %{{.*}} {transpose_a, transpose_b} : (tensor<784x400xf32>, tensor<?x784xf32>) -> tensor<400x?xf32>
  %5 = ae.matmul %w, %x {transpose_a, transpose_b} : (tensor<784x400xf32>, tensor<?x784xf32>) -> tensor<400x?xf32>
  // CHECK: ae.bias_grad %{{.*}} : tensor<?x400xf32> -> tensor<400xf32>
  %6 = ae.bias_grad %dy : tensor<?x400xf32> -> tensor<400xf32>
  // CHECK: ae.activation_grad relu %{{.*}}, %{{.*}} : tensor<?x400xf32>
  %7 = ae.activation_grad relu %y, %dy : tensor<?x400xf32>
  // CHECK: ae.activation_grad sigmoid %{{.*}}, %{{.*}} : tensor<?x400xf32>
  %8 = ae.activation_grad sigmoid %y, %dy : tensor<?x400xf32>
  // CHECK: ae.activation_grad tanh %{{.*}}, %{{.*}} : tensor<?x400xf32>
  %9 = ae.activation_grad tanh %y, %dy : tensor<?x400xf32>
  // CHECK: ae.activation_grad softplus %{{.*}}, %{{.*}} : tensor<?x400xf32>
  %10 = ae.activation_grad softplus %y, %dy : tensor<?x400xf32>
  // CHECK: ae.activation_grad leaky_relu %{{.*}}, %{{.*}} {alpha = 2.000000e-01 : f64} : tensor<?x400xf32>
  %11 = ae.activation_grad leaky_relu %y, %dy {alpha = 0.2 : f64} : tensor<?x400xf32>
  // CHECK: ae.mse_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x784xf32>
  %12 = ae.mse_grad %x, %x, %dl : tensor<?x784xf32>
  // CHECK: ae.bce_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x784xf32>
  %13 = ae.bce_grad %x, %x, %dl : tensor<?x784xf32>
  // CHECK: ae.bce_grad %{{.*}}, %{{.*}}, %{{.*}} from_logits : tensor<?x784xf32>
  %14 = ae.bce_grad %x, %x, %dl from_logits : tensor<?x784xf32>
  // CHECK: ae.kl_normal_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x20xf32>
  %15:2 = ae.kl_normal_grad %mu, %lv, %dl : tensor<?x20xf32>
  // CHECK: ae.reparam_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x20xf32>
  %16 = ae.reparam_grad %mu, %z, %dz : tensor<?x20xf32>
  return
}

// CHECK-LABEL: func.func @conv_backward
func.func @conv_backward(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>,
                         %dy: tensor<?x16x14x14xf32>) {
  // CHECK: ae.bias_grad %{{.*}} : tensor<?x16x14x14xf32> -> tensor<16xf32>
  %0 = ae.bias_grad %dy : tensor<?x16x14x14xf32> -> tensor<16xf32>
  // CHECK: ae.conv2d_grad_input %{{.*}}, %{{.*}} {pad = 1 : i64, stride = 2 : i64} : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x28x28xf32>
  %1 = ae.conv2d_grad_input %dy, %w {stride = 2 : i64, pad = 1 : i64} : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x28x28xf32>
  // An input one pixel smaller gives the same grad shape (the floor).
  // CHECK: ae.conv2d_grad_input %{{.*}}, %{{.*}} {pad = 1 : i64, stride = 2 : i64} : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x27x28xf32>
  %2 = ae.conv2d_grad_input %dy, %w {stride = 2 : i64, pad = 1 : i64} : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x27x28xf32>
  // CHECK: ae.conv2d_grad_weight %{{.*}}, %{{.*}} {pad = 1 : i64, stride = 2 : i64} : (tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>) -> tensor<16x1x3x3xf32>
  %3 = ae.conv2d_grad_weight %x, %dy {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>) -> tensor<16x1x3x3xf32>
  return
}

// The argument and result attributes of the ae-level IR.
// CHECK-LABEL: func.func @attributes
// CHECK-SAME: (%{{.*}}: tensor<4x3xf32> {ae.fan_in = 4 : i64, ae.param = "enc0.weight"})
// CHECK-SAME: -> (f32, tensor<4x3xf32> {ae.grad = "enc0.weight"})
func.func @attributes(%w: tensor<4x3xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64})
    -> (f32, tensor<4x3xf32> {ae.grad = "enc0.weight"}) {
  %0 = arith.constant 0.0 : f32
  return %0, %w : f32, tensor<4x3xf32>
}

// Optimizer updates (built by ae-optimizer).
// CHECK-LABEL: func.func @optimizer_updates
func.func @optimizer_updates(%p: tensor<4x3xf32>, %g: tensor<4x3xf32>, %m: tensor<4x3xf32>, %v: tensor<4x3xf32>, %step: i64) {
  // CHECK: ae.adam_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64} : tensor<4x3xf32>
  %p1, %m1, %v1 = ae.adam_update %p, %g, %m, %v, %step {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64} : tensor<4x3xf32>
  // CHECK: ae.sgd_update %{{.*}}, %{{.*}} {lr = 5.000000e-02 : f64} : tensor<4x3xf32>
  %p2 = ae.sgd_update %p, %g {lr = 5.0e-02 : f64} : tensor<4x3xf32>
  // CHECK: ae.momentum_update %{{.*}}, %{{.*}}, %{{.*}} {lr = 1.000000e-02 : f64, momentum = 9.000000e-01 : f64} : tensor<4x3xf32>
  %p3, %b3 = ae.momentum_update %p, %g, %m {lr = 1.0e-02 : f64, momentum = 0.9 : f64} : tensor<4x3xf32>
  return
}
