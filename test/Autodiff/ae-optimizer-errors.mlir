// RUN: aec-opt %s -split-input-file -ae-optimizer -verify-diagnostics -o /dev/null

// expected-error @+1 {{ae-optimizer needs @loss_grad (run ae-autodiff first)}}
module attributes {ae.optimizer = {kind = "adam", lr = 1.0e-03 : f64}} {
  func.func @loss(%x: tensor<?x4xf32>) -> f32 {
    %l = arith.constant 1.0 : f32
    return %l : f32
  }
}

// -----

// expected-error @+1 {{ae-optimizer needs the module attribute 'ae.optimizer' (a dictionary with kind = "adam" or "sgd")}}
module {
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"}) {
    %l = arith.constant 1.0 : f32
    return %l, %w : f32, tensor<4x4xf32>
  }
}

// -----

// expected-error @+1 {{'ae.optimizer' has no valid kind ("adam" or "sgd"): {kind = "rmsprop", lr = 1.000000e-03 : f64}}}
module attributes {ae.optimizer = {kind = "rmsprop", lr = 1.0e-03 : f64}} {
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"}) {
    %l = arith.constant 1.0 : f32
    return %l, %w : f32, tensor<4x4xf32>
  }
}

// -----

// expected-error @+1 {{'ae.optimizer' has no learning rate 'lr'}}
module attributes {ae.optimizer = {kind = "adam"}} {
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"}) {
    %l = arith.constant 1.0 : f32
    return %l, %w : f32, tensor<4x4xf32>
  }
}

// -----

// expected-error @+1 {{'ae.optimizer' field 'beta1' must be a float, got "high"}}
module attributes {ae.optimizer = {kind = "adam", lr = 1.0e-03 : f64, beta1 = "high"}} {
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"}) {
    %l = arith.constant 1.0 : f32
    return %l, %w : f32, tensor<4x4xf32>
  }
}

// -----

module attributes {ae.optimizer = {kind = "adam", lr = 1.0e-03 : f64}} {
  // expected-error @+1 {{gradient #0 has type 'tensor<4x3xf32>' but parameter 'dec0.weight' has type 'tensor<4x4xf32>'}}
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x3xf32>) {
    %l = arith.constant 1.0 : f32
    %g = tensor.empty() : tensor<4x3xf32>
    return %l, %g : f32, tensor<4x3xf32>
  }
}

// -----

module attributes {ae.optimizer = {kind = "adam", lr = 1.0e-03 : f64}} {
  // expected-error @+1 {{@loss_grad must return the f32 loss and one gradient per parameter (1), got 1 results}}
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64}) -> f32 {
    %l = arith.constant 1.0 : f32
    return %l : f32
  }
}

// -----

module attributes {ae.optimizer = {kind = "adam", lr = 1.0e-03 : f64}} {
  // expected-error @+1 {{parameters must be the trailing arguments of @loss_grad}}
  func.func @loss_grad(%w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64},
                       %x: tensor<?x4xf32>) -> (f32, tensor<4x4xf32>) {
    %l = arith.constant 1.0 : f32
    return %l, %w : f32, tensor<4x4xf32>
  }
}

// -----

module attributes {ae.optimizer = {kind = "adam", lr = 1.0e-03 : f64}} {
  func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                       %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
      -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"}) {
    %l = arith.constant 1.0 : f32
    return %l, %w : f32, tensor<4x4xf32>
  }
  // expected-error @+1 {{@train_step already exists; ae-optimizer creates it}}
  func.func @train_step() {
    return
  }
}
