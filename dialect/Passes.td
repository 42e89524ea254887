//===- Passes.td - passes of the ae dialect ----------------*- tablegen -*-===//
//
// Every flag starts with `ae-`. Registered in aec-opt by registerAePasses().
//
//===----------------------------------------------------------------------===//

#ifndef AE_PASSES_TD
#define AE_PASSES_TD

include "mlir/Pass/PassBase.td"

def AeAutodiff : Pass<"ae-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode autodiff: builds @loss_grad from @loss";
  let description = [{
    For the function `@loss` (option `function`), whose single result is the
    f32 training objective and whose parameters are the arguments carrying an
    `ae.param` attribute, creates `@loss_grad` with the same arguments
    (and argument attributes) returning the loss and then d loss / d param
    for each `ae.param` argument, in argument order (each result has an
    `ae.grad = "<param name>"` attribute).

    The forward computation is cloned once into `@loss_grad` and
    canonicalized (so `bce(sigmoid(z))` becomes the stable logits form
    before it is differentiated). The pass then seeds d loss / d loss = 1,
    walks the forward ops backwards and, for every op that lies on a
    differentiable path (an operand depends on a parameter and a result
    reaches the loss), calls its `DifferentiableOpInterface::buildVJP`; the
    backward ops read the forward values directly. A value used several
    times gets the sum of its gradients (`ae.add`). A parameter that does not
    influence the loss gets a zero gradient. Finally the gradient function is
    canonicalized and CSE'd, which also drops the gradients nobody needs
    (e.g. the input gradient of the first layer).

    Errors, reported at the op, after which the pass fails without changing
    the module: an op without the interface (or with regions) on a
    differentiable path, and a parameter reaching an operand that the op
    treats as data (a loss target, the input of `ae.noise`), whose
    gradient would otherwise be silently dropped.

    Before:

    ```mlir
    func.func @loss(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                    %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64},
                    %b: tensor<4xf32> {ae.param = "dec0.bias", ae.fan_in = 4 : i64}) -> f32 {
      %y = ae.dense %x, %w, %b
          : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
      %l = ae.mse %y, %x : tensor<?x4xf32>
      return %l : f32
    }
    ```

    After (next to the unchanged `@loss`):

    ```mlir
    func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                         %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64},
                         %b: tensor<4xf32> {ae.param = "dec0.bias", ae.fan_in = 4 : i64})
        -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"},
            tensor<4xf32> {ae.grad = "dec0.bias"}) {
      %one = arith.constant 1.000000e+00 : f32
      %y = ae.dense %x, %w, %b
          : (tensor<?x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
      %l = ae.mse %y, %x : tensor<?x4xf32>
      %dy = ae.mse_grad %y, %x, %one : tensor<?x4xf32>
      %dw = ae.matmul %x, %dy {transpose_a}
          : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<4x4xf32>
      %db = ae.bias_grad %dy : tensor<?x4xf32> -> tensor<4xf32>
      return %l, %dw, %db : f32, tensor<4x4xf32>, tensor<4xf32>
    }
    ```
  }];
  let options = [
    Option<"functionName", "function", "std::string", "\"loss\"",
           "name of the function to differentiate; the gradient function "
           "is named <function>_grad">
  ];
  let dependentDialects = [
    "::mlir::ae::AeDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect"
  ];
}

def AeOptimizer : Pass<"ae-optimizer", "::mlir::ModuleOp"> {
  let summary = "Builds @apply_grad and the fused @train_step from @loss_grad";
  let description = [{
    Reads the optimizer from the module attribute `ae.optimizer` (a
    dictionary: `kind = "adam"` with `lr`, `beta1`, `beta2`, `eps`, or
    `kind = "sgd"` with `lr`, `momentum`) and, next to `@loss_grad` (built by
    `ae-autodiff`), creates:

    - `@apply_grad(%step: i64, grads..., params..., states...) -> (params'...,
      states'...)`: one `ae.adam_update` / `ae.momentum_update` /
      `ae.sgd_update` per parameter tensor.
    - `@train_step(%x, %seed, %call, %step: i64, params..., states...) ->
      (f32, params'..., states'...)`: `@loss_grad` followed by `@apply_grad`,
      as calls that the lowering inlines, so the gradient never goes through
      user memory.

    Gradients carry `ae.grad`, parameters `ae.param` (and `ae.fan_in`), and
    optimizer state tensors `ae.state = "<param>.<slot>"`. The state order is
    the layout of the model's flat optimizer-state buffer: slot-major, i.e.
    for Adam every parameter's first moment `m` (in parameter order) and then
    every `v`, so each slot is laid out exactly like the parameter buffer.
    Plain SGD (momentum 0) has no state.

    Before (`ae.optimizer = {kind = "sgd", lr = 5.0e-02 : f64, momentum = 9.0e-01 : f64}`):

    ```mlir
    func.func @loss_grad(%x: tensor<?x4xf32>, %seed: i64, %call: i64,
                         %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64})
        -> (f32, tensor<4x4xf32> {ae.grad = "dec0.weight"})
    ```

    After (added next to it):

    ```mlir
    func.func @apply_grad(%step: i64,
        %g: tensor<4x4xf32> {ae.grad = "dec0.weight"},
        %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64},
        %b: tensor<4x4xf32> {ae.state = "dec0.weight.velocity"})
        -> (tensor<4x4xf32>, tensor<4x4xf32>) {
      %w2, %b2 = ae.momentum_update %w, %g, %b {lr = 5.0e-02 : f64, momentum = 9.0e-01 : f64}
          : tensor<4x4xf32>
      return %w2, %b2 : tensor<4x4xf32>, tensor<4x4xf32>
    }
    func.func @train_step(%x: tensor<?x4xf32>, %seed: i64, %call: i64, %step: i64,
        %w: tensor<4x4xf32> {ae.param = "dec0.weight", ae.fan_in = 4 : i64},
        %b: tensor<4x4xf32> {ae.state = "dec0.weight.velocity"})
        -> (f32, tensor<4x4xf32>, tensor<4x4xf32>) {
      %l, %g = call @loss_grad(%x, %seed, %call, %w)
          : (tensor<?x4xf32>, i64, i64, tensor<4x4xf32>) -> (f32, tensor<4x4xf32>)
      %w2, %b2 = call @apply_grad(%step, %g, %w, %b) : (...) -> (...)
      return %l, %w2, %b2 : f32, tensor<4x4xf32>, tensor<4x4xf32>
    }
    ```

    Errors (the pass fails and leaves the module unchanged): no
    `@loss_grad`, a missing or malformed `ae.optimizer` attribute, a gradient
    result that does not match its parameter.
  }];
  let dependentDialects = [
    "::mlir::ae::AeDialect",
    "::mlir::func::FuncDialect"
  ];
}

#endif // AE_PASSES_TD
