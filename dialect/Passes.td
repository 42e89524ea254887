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

#endif // AE_PASSES_TD
