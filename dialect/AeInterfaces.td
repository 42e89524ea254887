//===- AeInterfaces.td - interfaces of the ae dialect ------*- tablegen -*-===//

#ifndef AE_INTERFACES_TD
#define AE_INTERFACES_TD

include "mlir/IR/OpBase.td"

def DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::ae";
  let description = [{
    An op that knows its vector-Jacobian product (VJP). Reverse-mode
    autodiff (`ae-autodiff`) walks the forward ops backwards and asks each op
    on a differentiable path for the gradients of its operands given the
    gradients of its results.

    The VJP may use the op's operands and results (the primal values): the
    forward computation is kept, so for example the activations
    differentiate through their output `y` only. Operands that have no
    meaningful gradient (loss targets, `seed`/`call`, the data that
    `ae.noise` corrupts) get a null `Value`.
  }];

  let methods = [
    InterfaceMethod<[{
        Builds, at the insertion point of `builder`, the ops computing the
        gradient of each operand from `resultGrads` (one per result, in
        result order; a null `Value` means that result does not influence
        the objective, i.e. its gradient is zero). Returns exactly one
        `Value` per operand, in operand order, each with the operand's type,
        or a null `Value` for an operand that is not differentiable.
      }],
      "::llvm::SmallVector<::mlir::Value>", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultGrads)>
  ];
}

#endif // AE_INTERFACES_TD
