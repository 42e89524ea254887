// RUN: aec-opt %s -split-input-file -ae-autodiff -verify-diagnostics -o /dev/null
// ae-autodiff reports what it cannot differentiate at the offending op and
// fails, without crashing and without leaving a partial @loss_grad.

func.func @loss(%x: tensor<?x4xf32>,
                %w: tensor<4x4xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64}) -> f32 {
  %h = ae.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  // expected-error @+1 {{'arith.maximumf' op lies on a differentiable path (from a parameter to the loss) but does not implement DifferentiableOpInterface}}
  %m = arith.maximumf %h, %x : tensor<?x4xf32>
  %l = ae.mse %m, %x : tensor<?x4xf32>
  return %l : f32
}

// -----

// expected-error @+1 {{'func.func' op must return a single f32 loss to be differentiated, got 'tensor<?x4xf32>'}}
func.func @loss(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{'func.func' op has no body to differentiate}}
func.func private @loss(%x: tensor<?x4xf32>) -> f32

// -----

// expected-error @+1 {{'func.func' op cannot be differentiated: '@loss_grad' already exists}}
func.func @loss(%x: tensor<?x4xf32>) -> f32 {
  %l = ae.mse %x, %x : tensor<?x4xf32>
  return %l : f32
}
func.func @loss_grad() {
  return
}

// -----

// expected-error @+1 {{'func.func' op must have a single block to be differentiated}}
func.func @loss(%x: tensor<?x4xf32>) -> f32 {
  %l = ae.mse %x, %x : tensor<?x4xf32>
  cf.br ^bb1(%l : f32)
^bb1(%r: f32):
  return %r : f32
}

// -----

// An op with a region on the path is not differentiated (even if its body
// only holds differentiable ops).
func.func @loss(%x: tensor<?x4xf32>, %c: i1,
                %w: tensor<4x4xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64}) -> f32 {
  // expected-error @+1 {{'scf.if' op lies on a differentiable path (from a parameter to the loss) but does not implement DifferentiableOpInterface}}
  %h = scf.if %c -> tensor<?x4xf32> {
    %d = ae.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
    scf.yield %d : tensor<?x4xf32>
  } else {
    scf.yield %x : tensor<?x4xf32>
  }
  %l = ae.mse %h, %x : tensor<?x4xf32>
  return %l : f32
}

// -----

func.func @loss(%x: tensor<?x4xf32>,
                // expected-error @+1 {{parameter #1 of type 'tensor<?xf32>' does not influence the loss and has no zero gradient (expected a float or a static float tensor)}}
                %p: tensor<?xf32> {ae.param = "enc0.bias", ae.fan_in = 4 : i64}) -> f32 {
  %l = ae.mse %x, %x : tensor<?x4xf32>
  return %l : f32
}

// -----

// expected-error @+1 {{'func.func' op must end with func.return to be differentiated}}
func.func @loss(%x: tensor<?x4xf32>) -> f32 {
  llvm.unreachable
}

// -----

// A loss target that depends on a parameter would lose its gradient.
func.func @loss(%x: tensor<?x4xf32>,
                %w: tensor<4x4xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64}) -> f32 {
  %h = ae.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  // expected-error @+1 {{'ae.mse' op operand #1 depends on a parameter but is not differentiable (loss targets and the input of ae.noise are data)}}
  %l = ae.mse %x, %h : tensor<?x4xf32>
  return %l : f32
}

// -----

// So would a hidden layer behind ae.noise (noise is for the input data).
func.func @loss(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                %w: tensor<4x4xf32> {ae.param = "enc0.weight", ae.fan_in = 4 : i64}) -> f32 {
  %h = ae.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  // expected-error @+1 {{'ae.noise' op operand #0 depends on a parameter but is not differentiable (loss targets and the input of ae.noise are data)}}
  %n = ae.noise mask %h, %seed, %call {param = 0.5 : f64} : tensor<?x4xf32>
  %l = ae.mse %n, %x : tensor<?x4xf32>
  return %l : f32
}
