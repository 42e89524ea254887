// RUN: aec-opt %s -split-input-file -verify-diagnostics
// Every verifier message of the ae dialect, once each (plus a few of the
// ODS-generated type constraints).

//===----------------------------------------------------------------------===//
// ae.dense
//===----------------------------------------------------------------------===//

func.func @dense_weight_rows(%x: tensor<?x512xf32>, %w: tensor<784x400xf32>) {
  // expected-error @+1 {{'ae.dense' op weight type 'tensor<784x400xf32>' does not match input 'tensor<?x512xf32>': expected weight rows 512}}
  %0 = ae.dense %x, %w : (tensor<?x512xf32>, tensor<784x400xf32>) -> tensor<?x400xf32>
  return
}

// -----

func.func @dense_input_rank(%x: tensor<?x1x28x28xf32>, %w: tensor<784x400xf32>) {
  // expected-error @+1 {{'ae.dense' op input type 'tensor<?x1x28x28xf32>' must have rank 2 [batch, features]}}
  %0 = ae.dense %x, %w : (tensor<?x1x28x28xf32>, tensor<784x400xf32>) -> tensor<?x400xf32>
  return
}

// -----

func.func @dense_dynamic_features(%x: tensor<?x?xf32>, %w: tensor<784x400xf32>) {
  // expected-error @+1 {{'ae.dense' op input type 'tensor<?x?xf32>' must have static dimensions after the batch dimension}}
  %0 = ae.dense %x, %w : (tensor<?x?xf32>, tensor<784x400xf32>) -> tensor<?x400xf32>
  return
}

// -----

func.func @dense_weight_rank(%x: tensor<?x784xf32>, %w: tensor<784xf32>) {
  // expected-error @+1 {{'ae.dense' op weight type 'tensor<784xf32>' must have rank 2 [in, out]}}
  %0 = ae.dense %x, %w : (tensor<?x784xf32>, tensor<784xf32>) -> tensor<?x400xf32>
  return
}

// -----

func.func @dense_weight_dynamic(%x: tensor<?x784xf32>, %w: tensor<784x?xf32>) {
  // expected-error @+1 {{'ae.dense' op weight type 'tensor<784x?xf32>' must have a static shape}}
  %0 = ae.dense %x, %w : (tensor<?x784xf32>, tensor<784x?xf32>) -> tensor<?x400xf32>
  return
}

// -----

func.func @dense_bias(%x: tensor<?x784xf32>, %w: tensor<784x400xf32>, %b: tensor<300xf32>) {
  // expected-error @+1 {{'ae.dense' op bias type 'tensor<300xf32>' does not match weight 'tensor<784x400xf32>': expected 400 elements}}
  %0 = ae.dense %x, %w, %b : (tensor<?x784xf32>, tensor<784x400xf32>, tensor<300xf32>) -> tensor<?x400xf32>
  return
}

// -----

func.func @dense_bias_rank(%x: tensor<?x784xf32>, %w: tensor<784x400xf32>, %b: tensor<1x400xf32>) {
  // expected-error @+1 {{'ae.dense' op bias type 'tensor<1x400xf32>' must have rank 1 [out]}}
  %0 = ae.dense %x, %w, %b : (tensor<?x784xf32>, tensor<784x400xf32>, tensor<1x400xf32>) -> tensor<?x400xf32>
  return
}

// -----

func.func @dense_result(%x: tensor<?x784xf32>, %w: tensor<784x400xf32>) {
  // expected-error @+1 {{'ae.dense' op result type 'tensor<?x300xf32>' does not match expected 'tensor<?x400xf32>'}}
  %0 = ae.dense %x, %w : (tensor<?x784xf32>, tensor<784x400xf32>) -> tensor<?x300xf32>
  return
}

// -----

func.func @dense_result_batch(%x: tensor<?x784xf32>, %w: tensor<784x400xf32>) {
  // expected-error @+1 {{'ae.dense' op result type 'tensor<4x400xf32>' does not match expected 'tensor<?x400xf32>'}}
  %0 = ae.dense %x, %w : (tensor<?x784xf32>, tensor<784x400xf32>) -> tensor<4x400xf32>
  return
}

// -----

func.func @dense_f64(%x: tensor<?x784xf64>, %w: tensor<784x400xf32>) {
  // expected-error @+1 {{'ae.dense' op operand #0 must be ranked tensor of 32-bit float values}}
  %0 = ae.dense %x, %w : (tensor<?x784xf64>, tensor<784x400xf32>) -> tensor<?x400xf32>
  return
}

//===----------------------------------------------------------------------===//
// ae.conv2d
//===----------------------------------------------------------------------===//

// -----

func.func @conv_stride(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d' op stride must be in [1, 65536], got 0}}
  %0 = ae.conv2d %x, %w {stride = 0 : i64} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x26x26xf32>
  return
}

// -----

func.func @conv_pad(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d' op pad must be in [0, 65536], got -1}}
  %0 = ae.conv2d %x, %w {pad = -1 : i64} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x26x26xf32>
  return
}

// -----

func.func @conv_input_rank(%x: tensor<?x784xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d' op input type 'tensor<?x784xf32>' must have rank 4 [batch, C, H, W]}}
  %0 = ae.conv2d %x, %w : (tensor<?x784xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x26x26xf32>
  return
}

// -----

func.func @conv_square(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x5xf32>) {
  // expected-error @+1 {{'ae.conv2d' op weight type 'tensor<16x1x3x5xf32>' must have a square kernel [F, C, k, k]}}
  %0 = ae.conv2d %x, %w : (tensor<?x1x28x28xf32>, tensor<16x1x3x5xf32>) -> tensor<?x16x26x24xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<?x3x28x28xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d' op weight type 'tensor<16x1x3x3xf32>' does not match input 'tensor<?x3x28x28xf32>': expected 3 input channels (weight dim 1)}}
  %0 = ae.conv2d %x, %w : (tensor<?x3x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x26x26xf32>
  return
}

// -----

func.func @conv_kernel_too_big(%x: tensor<?x1x4x4xf32>, %w: tensor<16x1x5x5xf32>) {
  // expected-error @+1 {{'ae.conv2d' op kernel size 5 does not fit input 'tensor<?x1x4x4xf32>' with pad 0}}
  %0 = ae.conv2d %x, %w : (tensor<?x1x4x4xf32>, tensor<16x1x5x5xf32>) -> tensor<?x16x1x1xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'ae.conv2d' op bias type 'tensor<8xf32>' does not match weight 'tensor<16x1x3x3xf32>': expected 16 elements}}
  %0 = ae.conv2d %x, %w, %b : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<8xf32>) -> tensor<?x16x26x26xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d' op result type 'tensor<?x16x28x28xf32>' does not match expected 'tensor<?x16x14x14xf32>'}}
  %0 = ae.conv2d %x, %w {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x28x28xf32>
  return
}

// -----

func.func @conv_huge_pad(%x: tensor<?x1x28x28xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d' op pad must be in [0, 65536], got 9223372036854775807}}
  %0 = ae.conv2d %x, %w {pad = 9223372036854775807 : i64} : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x26x26xf32>
  return
}

//===----------------------------------------------------------------------===//
// ae.deconv2d
//===----------------------------------------------------------------------===//

// -----

func.func @deconv_output_padding(%x: tensor<?x32x7x7xf32>, %w: tensor<32x16x3x3xf32>) {
  // expected-error @+1 {{'ae.deconv2d' op output_padding must be in [0, stride), got 2 with stride 2}}
  %0 = ae.deconv2d %x, %w {stride = 2 : i64, pad = 1 : i64, output_padding = 2 : i64} : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<?x16x15x15xf32>
  return
}

// -----

func.func @deconv_stride(%x: tensor<?x32x7x7xf32>, %w: tensor<32x16x3x3xf32>) {
  // expected-error @+1 {{'ae.deconv2d' op stride must be in [1, 65536], got -2}}
  %0 = ae.deconv2d %x, %w {stride = -2 : i64} : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<?x16x9x9xf32>
  return
}

// -----

func.func @deconv_channels(%x: tensor<?x32x7x7xf32>, %w: tensor<16x32x3x3xf32>) {
  // expected-error @+1 {{'ae.deconv2d' op weight type 'tensor<16x32x3x3xf32>' does not match input 'tensor<?x32x7x7xf32>': expected 32 input channels (weight dim 0)}}
  %0 = ae.deconv2d %x, %w : (tensor<?x32x7x7xf32>, tensor<16x32x3x3xf32>) -> tensor<?x32x9x9xf32>
  return
}

// -----

func.func @deconv_weight_rank(%x: tensor<?x32x7x7xf32>, %w: tensor<32x16x3xf32>) {
  // expected-error @+1 {{'ae.deconv2d' op weight type 'tensor<32x16x3xf32>' must have rank 4 [C, F, k, k]}}
  %0 = ae.deconv2d %x, %w : (tensor<?x32x7x7xf32>, tensor<32x16x3xf32>) -> tensor<?x16x9x9xf32>
  return
}

// -----

func.func @deconv_empty(%x: tensor<?x32x1x1xf32>, %w: tensor<32x16x3x3xf32>) {
  // expected-error @+1 {{'ae.deconv2d' op pad 2 leaves an empty output for input 'tensor<?x32x1x1xf32>' (output -1x-1)}}
  %0 = ae.deconv2d %x, %w {pad = 2 : i64} : (tensor<?x32x1x1xf32>, tensor<32x16x3x3xf32>) -> tensor<?x16x1x1xf32>
  return
}

// -----

func.func @deconv_bias(%x: tensor<?x32x7x7xf32>, %w: tensor<32x16x3x3xf32>, %b: tensor<32xf32>) {
  // expected-error @+1 {{'ae.deconv2d' op bias type 'tensor<32xf32>' does not match weight 'tensor<32x16x3x3xf32>': expected 16 elements}}
  %0 = ae.deconv2d %x, %w, %b : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>) -> tensor<?x16x9x9xf32>
  return
}

// -----

func.func @deconv_result(%x: tensor<?x32x7x7xf32>, %w: tensor<32x16x3x3xf32>) {
  // expected-error @+1 {{'ae.deconv2d' op result type 'tensor<?x16x14x14xf32>' does not match expected 'tensor<?x16x13x13xf32>'}}
  %0 = ae.deconv2d %x, %w {stride = 2 : i64, pad = 1 : i64} : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<?x16x14x14xf32>
  return
}

//===----------------------------------------------------------------------===//
// ae.reshape
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_batch(%x: tensor<?x784xf32>) {
  // expected-error @+1 {{'ae.reshape' op result type 'tensor<4x784xf32>' changes the batch dimension of input 'tensor<?x784xf32>'}}
  %0 = ae.reshape %x : tensor<?x784xf32> to tensor<4x784xf32>
  return
}

// -----

func.func @reshape_elements(%x: tensor<?x784xf32>) {
  // expected-error @+1 {{'ae.reshape' op result type 'tensor<?x1x28x29xf32>' has 812 elements per example, input 'tensor<?x784xf32>' has 784}}
  %0 = ae.reshape %x : tensor<?x784xf32> to tensor<?x1x28x29xf32>
  return
}

// -----

func.func @reshape_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'ae.reshape' op input type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.reshape %x : tensor<f32> to tensor<?x1xf32>
  return
}

// -----

func.func @reshape_dynamic(%x: tensor<?x784xf32>) {
  // expected-error @+1 {{'ae.reshape' op result type 'tensor<?x?xf32>' must have static dimensions after the batch dimension}}
  %0 = ae.reshape %x : tensor<?x784xf32> to tensor<?x?xf32>
  return
}

//===----------------------------------------------------------------------===//
// ae.activation
//===----------------------------------------------------------------------===//

// -----

func.func @leaky_without_alpha(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'ae.activation' op leaky_relu requires an 'alpha' attribute}}
  %0 = ae.activation leaky_relu %x : tensor<?x4xf32>
  return
}

// -----

func.func @leaky_negative_alpha(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'ae.activation' op leaky_relu alpha must be >= 0 (its derivative is read from the sign of the output), got -1.000000e-01}}
  %0 = ae.activation leaky_relu %x {alpha = -0.1 : f64} : tensor<?x4xf32>
  return
}

// -----

func.func @alpha_on_relu(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'ae.activation' op 'alpha' is only allowed with leaky_relu, not relu}}
  %0 = ae.activation relu %x {alpha = 0.1 : f64} : tensor<?x4xf32>
  return
}

// -----

func.func @unknown_activation(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{expected one of [relu, sigmoid, tanh, softplus, leaky_relu] for activation function, got: gelu}}
  %0 = ae.activation gelu %x : tensor<?x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

// -----

func.func @mse_rank0(%p: tensor<f32>) {
  // expected-error @+1 {{'ae.mse' op pred type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.mse %p, %p : tensor<f32>
  return
}

// -----

func.func @mse_types(%p: tensor<?x4xf32>, %t: tensor<?x5xf32>) {
  // expected-error @+1 {{'ae.mse' op failed to verify that all of {pred, target} have same type}}
  %0 = "ae.mse"(%p, %t) : (tensor<?x4xf32>, tensor<?x5xf32>) -> f32
  return
}

// -----

func.func @bce_rank0(%p: tensor<f32>) {
  // expected-error @+1 {{'ae.bce' op pred type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.bce %p, %p from_logits : tensor<f32>
  return
}

// -----

func.func @kl_rank0(%p: tensor<f32>) {
  // expected-error @+1 {{'ae.kl_normal' op mu type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.kl_normal %p, %p : tensor<f32>
  return
}

// -----

func.func @loss_combine_empty() {
  // expected-error @+1 {{'ae.loss_combine' op expects at least one term}}
  %0 = ae.loss_combine {weights = array<f64>}
  return
}

// -----

func.func @loss_combine_weights(%a: f32, %b: f32) {
  // expected-error @+1 {{'ae.loss_combine' op expects one weight per term: 2 terms, 3 weights}}
  %0 = ae.loss_combine %a, %b {weights = array<f64: 1.0, 1.0, 1.0>}
  return
}

//===----------------------------------------------------------------------===//
// ae.reparam, ae.noise
//===----------------------------------------------------------------------===//

// -----

func.func @reparam_rank0(%mu: tensor<f32>, %seed: i64) {
  // expected-error @+1 {{'ae.reparam' op mu type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.reparam %mu, %mu, %seed, %seed : tensor<f32>
  return
}

// -----

func.func @noise_rank0(%x: tensor<f32>, %seed: i64) {
  // expected-error @+1 {{'ae.noise' op input type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.noise gaussian %x, %seed, %seed {param = 0.5 : f64} : tensor<f32>
  return
}

// -----

func.func @noise_mask(%x: tensor<?x784xf32>, %seed: i64) {
  // expected-error @+1 {{'ae.noise' op mask probability must be in [0, 1], got 1.500000e+00}}
  %0 = ae.noise mask %x, %seed, %seed {param = 1.5 : f64} : tensor<?x784xf32>
  return
}

// -----

func.func @noise_gaussian(%x: tensor<?x784xf32>, %seed: i64) {
  // expected-error @+1 {{'ae.noise' op gaussian sigma must be >= 0, got -1.000000e+00}}
  %0 = ae.noise gaussian %x, %seed, %seed {param = -1.0 : f64} : tensor<?x784xf32>
  return
}

// -----

func.func @noise_blur_flat(%x: tensor<?x784xf32>, %seed: i64) {
  // expected-error @+1 {{'ae.noise' op blur noise needs an image input (rank >= 3, the last two dimensions are H and W), got 'tensor<?x784xf32>'}}
  %0 = ae.noise blur %x, %seed, %seed {param = 1.0 : f64} : tensor<?x784xf32>
  return
}

// -----

func.func @noise_blur_sigma(%x: tensor<?x1x28x28xf32>, %seed: i64) {
  // expected-error @+1 {{'ae.noise' op blur sigma must be > 0, got 0.000000e+00}}
  %0 = ae.noise blur %x, %seed, %seed {param = 0.0 : f64} : tensor<?x1x28x28xf32>
  return
}

// -----

func.func @noise_block_fraction(%x: tensor<?x1x28x28xf32>, %seed: i64) {
  // expected-error @+1 {{'ae.noise' op block size must be a positive integer, got 2.500000e+00}}
  %0 = ae.noise block %x, %seed, %seed {param = 2.5 : f64} : tensor<?x1x28x28xf32>
  return
}

// -----

func.func @noise_block_huge(%x: tensor<?x1x28x28xf32>, %seed: i64) {
  // expected-error @+1 {{'ae.noise' op block size must be a positive integer, got 1.000000e+300}}
  %0 = ae.noise block %x, %seed, %seed {param = 1.0e300 : f64} : tensor<?x1x28x28xf32>
  return
}

// -----

func.func @noise_block_too_big(%x: tensor<?x1x28x28xf32>, %seed: i64) {
  // expected-error @+1 {{'ae.noise' op block size 30 exceeds the image 'tensor<?x1x28x28xf32>'}}
  %0 = ae.noise block %x, %seed, %seed {param = 30.0 : f64} : tensor<?x1x28x28xf32>
  return
}

// -----

func.func @noise_seed_type(%x: tensor<?x784xf32>, %seed: i32) {
  // expected-error @+1 {{'ae.noise' op operand #1 must be 64-bit signless integer}}
  %0 = "ae.noise"(%x, %seed, %seed) {kind = #ae<noise mask>, param = 0.5 : f64} : (tensor<?x784xf32>, i32, i32) -> tensor<?x784xf32>
  return
}

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_lhs_rank(%a: tensor<?x4x4xf32>, %b: tensor<4x4xf32>) {
  // expected-error @+1 {{'ae.matmul' op lhs type 'tensor<?x4x4xf32>' must have rank 2}}
  %0 = ae.matmul %a, %b : (tensor<?x4x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @matmul_rhs_rank(%a: tensor<?x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'ae.matmul' op rhs type 'tensor<4xf32>' must have rank 2}}
  %0 = ae.matmul %a, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<?x5xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'ae.matmul' op contraction dimensions differ: lhs 'tensor<?x5xf32>' has 5, rhs 'tensor<3x4xf32>' (transposed) has 4}}
  %0 = ae.matmul %a, %b {transpose_b} : (tensor<?x5xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<?x5xf32>, %b: tensor<?x4xf32>) {
  // expected-error @+1 {{'ae.matmul' op result type 'tensor<4x5xf32>' does not match expected 'tensor<5x4xf32>'}}
  %0 = ae.matmul %a, %b {transpose_a} : (tensor<?x5xf32>, tensor<?x4xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @bias_grad_rank(%dy: tensor<?xf32>) {
  // expected-error @+1 {{'ae.bias_grad' op grad type 'tensor<?xf32>' must have rank >= 2 [batch, channels, ...]}}
  %0 = ae.bias_grad %dy : tensor<?xf32> -> tensor<1xf32>
  return
}

// -----

func.func @bias_grad_dynamic(%dy: tensor<?x?xf32>) {
  // expected-error @+1 {{'ae.bias_grad' op grad type 'tensor<?x?xf32>' must have static dimensions after the batch dimension}}
  %0 = ae.bias_grad %dy : tensor<?x?xf32> -> tensor<4xf32>
  return
}

// -----

func.func @bias_grad_result(%dy: tensor<?x16x14x14xf32>) {
  // expected-error @+1 {{'ae.bias_grad' op result type 'tensor<14xf32>' does not match expected 'tensor<16xf32>'}}
  %0 = ae.bias_grad %dy : tensor<?x16x14x14xf32> -> tensor<14xf32>
  return
}

// -----

func.func @activation_grad_alpha(%y: tensor<?x4xf32>) {
  // expected-error @+1 {{'ae.activation_grad' op leaky_relu requires an 'alpha' attribute}}
  %0 = ae.activation_grad leaky_relu %y, %y : tensor<?x4xf32>
  return
}

// -----

func.func @mse_grad_rank0(%p: tensor<f32>, %dl: f32) {
  // expected-error @+1 {{'ae.mse_grad' op pred type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.mse_grad %p, %p, %dl : tensor<f32>
  return
}

// -----

func.func @bce_grad_rank0(%p: tensor<f32>, %dl: f32) {
  // expected-error @+1 {{'ae.bce_grad' op pred type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.bce_grad %p, %p, %dl : tensor<f32>
  return
}

// -----

func.func @kl_grad_rank0(%p: tensor<f32>, %dl: f32) {
  // expected-error @+1 {{'ae.kl_normal_grad' op mu type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0:2 = ae.kl_normal_grad %p, %p, %dl : tensor<f32>
  return
}

// -----

func.func @reparam_grad_rank0(%p: tensor<f32>) {
  // expected-error @+1 {{'ae.reparam_grad' op mu type 'tensor<f32>' must have a batch dimension (rank >= 1)}}
  %0 = ae.reparam_grad %p, %p, %p : tensor<f32>
  return
}

// -----

func.func @grad_input_pad(%dy: tensor<?x16x14x14xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_input' op pad must be in [0, 65536], got -3}}
  %0 = ae.conv2d_grad_input %dy, %w {pad = -3 : i64} : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x16x16xf32>
  return
}

// -----

func.func @grad_input_channels(%dy: tensor<?x8x14x14xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_input' op weight type 'tensor<16x1x3x3xf32>' does not match grad 'tensor<?x8x14x14xf32>': expected 8 output channels (weight dim 0)}}
  %0 = ae.conv2d_grad_input %dy, %w : (tensor<?x8x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x16x16xf32>
  return
}

// -----

func.func @grad_input_batch(%dy: tensor<?x16x14x14xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_input' op result type 'tensor<2x1x16x16xf32>' changes the batch dimension of grad 'tensor<?x16x14x14xf32>'}}
  %0 = ae.conv2d_grad_input %dy, %w : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<2x1x16x16xf32>
  return
}

// -----

func.func @grad_input_result_channels(%dy: tensor<?x16x14x14xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_input' op result type 'tensor<?x3x16x16xf32>' does not match weight 'tensor<16x1x3x3xf32>': expected 1 channels (weight dim 1)}}
  %0 = ae.conv2d_grad_input %dy, %w : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x3x16x16xf32>
  return
}

// -----

func.func @grad_input_spatial(%dy: tensor<?x16x14x14xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_input' op result type 'tensor<?x1x30x28xf32>' is inconsistent with grad 'tensor<?x16x14x14xf32>': convolving it (k = 3, stride 2, pad 1) gives 15x14, not 14x14}}
  %0 = ae.conv2d_grad_input %dy, %w {stride = 2 : i64, pad = 1 : i64} : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x30x28xf32>
  return
}

// -----

func.func @grad_input_grad_rank(%dy: tensor<?x16xf32>, %w: tensor<16x1x3x3xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_input' op grad type 'tensor<?x16xf32>' must have rank 4 [batch, F, Ho, Wo]}}
  %0 = ae.conv2d_grad_input %dy, %w : (tensor<?x16xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x3x3xf32>
  return
}

// -----

func.func @grad_weight_stride(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x16x14x14xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_weight' op stride must be in [1, 65536], got 0}}
  %0 = ae.conv2d_grad_weight %x, %dy {stride = 0 : i64} : (tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>) -> tensor<16x1x3x3xf32>
  return
}

// -----

func.func @grad_weight_batch(%x: tensor<?x1x28x28xf32>, %dy: tensor<8x16x14x14xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_weight' op grad type 'tensor<8x16x14x14xf32>' has another batch dimension than input 'tensor<?x1x28x28xf32>'}}
  %0 = ae.conv2d_grad_weight %x, %dy {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<8x16x14x14xf32>) -> tensor<16x1x3x3xf32>
  return
}

// -----

func.func @grad_weight_out_channels(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x16x14x14xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_weight' op result type 'tensor<8x1x3x3xf32>' does not match grad 'tensor<?x16x14x14xf32>': expected 16 output channels (result dim 0)}}
  %0 = ae.conv2d_grad_weight %x, %dy {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>) -> tensor<8x1x3x3xf32>
  return
}

// -----

func.func @grad_weight_in_channels(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x16x14x14xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_weight' op result type 'tensor<16x2x3x3xf32>' does not match input 'tensor<?x1x28x28xf32>': expected 1 input channels (result dim 1)}}
  %0 = ae.conv2d_grad_weight %x, %dy {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>) -> tensor<16x2x3x3xf32>
  return
}

// -----

func.func @grad_weight_spatial(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x16x14x14xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_weight' op grad type 'tensor<?x16x14x14xf32>' is inconsistent with input 'tensor<?x1x28x28xf32>': convolving it (k = 5, stride 2, pad 1) gives 13x13, not 14x14}}
  %0 = ae.conv2d_grad_weight %x, %dy {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>) -> tensor<16x1x5x5xf32>
  return
}

// -----

func.func @grad_weight_square(%x: tensor<?x1x28x28xf32>, %dy: tensor<?x16x14x14xf32>) {
  // expected-error @+1 {{'ae.conv2d_grad_weight' op result type 'tensor<16x1x3x4xf32>' must have a square kernel [F, C, k, k]}}
  %0 = ae.conv2d_grad_weight %x, %dy {stride = 2 : i64, pad = 1 : i64} : (tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>) -> tensor<16x1x3x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Function argument / result attributes
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{'ae.param' on argument #0 must be a non-empty string naming the parameter, got 3 : i64}}
func.func @param_not_string(%w: tensor<4xf32> {ae.param = 3 : i64}) {
  return
}

// -----

// expected-error @+1 {{'ae.param' on argument #1 must be a non-empty string naming the parameter, got ""}}
func.func @param_empty(%x: tensor<?x4xf32>, %w: tensor<4xf32> {ae.param = ""}) {
  return
}

// -----

// expected-error @+1 {{'ae.fan_in' on argument #0 must be a positive integer, got 0 : i64}}
func.func @fan_in_zero(%w: tensor<4xf32> {ae.param = "enc0.bias", ae.fan_in = 0 : i64}) {
  return
}

// -----

// expected-error @+1 {{'ae.fan_in' on argument #0 must be a positive integer, got "4"}}
func.func @fan_in_string(%w: tensor<4xf32> {ae.param = "enc0.bias", ae.fan_in = "4"}) {
  return
}

// -----

// expected-error @+1 {{'ae.grad' on result #1 must be a non-empty string naming the parameter, got unit}}
func.func @grad_not_string(%w: tensor<4xf32>) -> (f32, tensor<4xf32> {ae.grad}) {
  %0 = arith.constant 0.0 : f32
  return %0, %w : f32, tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

func.func @adam_lr(%p: tensor<4xf32>, %step: i64) {
  // expected-error @+1 {{'ae.adam_update' op lr = 0 is out of range: expected a value in (0, inf)}}
  %a, %b, %c = ae.adam_update %p, %p, %p, %p, %step {lr = 0.0 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64} : tensor<4xf32>
  return
}

// -----

func.func @adam_beta1(%p: tensor<4xf32>, %step: i64) {
  // expected-error @+1 {{'ae.adam_update' op beta1 = 1 is out of range: expected a value in [0, 1)}}
  %a, %b, %c = ae.adam_update %p, %p, %p, %p, %step {lr = 1.0e-03 : f64, beta1 = 1.0 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64} : tensor<4xf32>
  return
}

// -----

func.func @adam_beta2(%p: tensor<4xf32>, %step: i64) {
  // expected-error @+1 {{'ae.adam_update' op beta2 = -0.5 is out of range: expected a value in [0, 1)}}
  %a, %b, %c = ae.adam_update %p, %p, %p, %p, %step {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = -0.5 : f64, eps = 1.0e-08 : f64} : tensor<4xf32>
  return
}

// -----

func.func @adam_eps(%p: tensor<4xf32>, %step: i64) {
  // expected-error @+1 {{'ae.adam_update' op eps = 0 is out of range: expected a value in (0, inf)}}
  %a, %b, %c = ae.adam_update %p, %p, %p, %p, %step {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @adam_types(%p: tensor<4xf32>, %q: tensor<5xf32>, %step: i64) {
  // expected-error @+1 {{'ae.adam_update' op failed to verify that all of {param, grad, m, v, new_param, new_m, new_v} have same type}}
  %a, %b, %c = "ae.adam_update"(%p, %q, %p, %p, %step) {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64} : (tensor<4xf32>, tensor<5xf32>, tensor<4xf32>, tensor<4xf32>, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @sgd_lr(%p: tensor<4xf32>) {
  // expected-error @+1 {{'ae.sgd_update' op lr = -1 is out of range: expected a value in (0, inf)}}
  %a = ae.sgd_update %p, %p {lr = -1.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @momentum_lr(%p: tensor<4xf32>) {
  // expected-error @+1 {{'ae.momentum_update' op lr = 0 is out of range: expected a value in (0, inf)}}
  %a, %b = ae.momentum_update %p, %p, %p {lr = 0.0 : f64, momentum = 0.9 : f64} : tensor<4xf32>
  return
}

// -----

func.func @momentum_range(%p: tensor<4xf32>) {
  // expected-error @+1 {{'ae.momentum_update' op momentum = 1 is out of range: expected a value in (0, 1)}}
  %a, %b = ae.momentum_update %p, %p, %p {lr = 1.0e-02 : f64, momentum = 1.0 : f64} : tensor<4xf32>
  return
}
