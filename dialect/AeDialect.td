//===- AeDialect.td - the ae dialect -----------------------*- tablegen -*-===//
//
// The ae dialect: high-level autoencoder operations on f32 tensors, produced
// by the aec frontend and consumed by ae-autodiff and ae-to-linalg.
//
//===----------------------------------------------------------------------===//

#ifndef AE_DIALECT_TD
#define AE_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Ae_Dialect : Dialect {
  let name = "ae";
  let cppNamespace = "::mlir::ae";
  let summary = "High-level operations of autoencoders on f32 tensors";
  let description = [{
    The `ae` dialect is the first MLIR level of the aec compiler. It models the
    layers of an autoencoder (dense, convolution, transposed convolution,
    reshape, activations), its training-time corruption (`ae.noise`), the
    reparameterization of a VAE (`ae.reparam`) and its losses (`ae.mse`,
    `ae.bce`, `ae.kl_normal`, `ae.loss_combine`) as ops on ranked f32 tensors
    whose dimension 0 is the batch (dynamic `?` or static).

    A second group of ops exists only to express gradients: `ae-autodiff`
    builds them through the `DifferentiableOpInterface` of the forward ops
    (`ae.matmul`, `ae.bias_grad`, `ae.activation_grad`, `ae.mse_grad`,
    `ae.bce_grad`, `ae.kl_normal_grad`, `ae.reparam_grad`,
    `ae.conv2d_grad_input`, `ae.conv2d_grad_weight`, `ae.add`).
    `ae-to-linalg` lowers both groups to linalg on tensors.

    Every op is `Pure`: the random ops are pure functions of their explicit
    `seed` and `call` operands (counter-based Philox RNG), so dead gradient
    code is removed by canonicalization and common forward code is CSE'd.
  }];
  let useDefaultAttributePrinterParser = 1;
  // Checks the function argument / result attributes of the ae-level IR:
  // `ae.param = "<layer>.<weight|bias>"`, `ae.fan_in = <i64 >= 1>` and
  // `ae.grad = "<param name>"` (see docs/internals.md).
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

class Ae_Op<string mnemonic, list<Trait> traits = []>
    : Op<Ae_Dialect, mnemonic, traits>;

#endif // AE_DIALECT_TD
