//===- AeOps.td - ops and enums of the ae dialect ----------*- tablegen -*-===//
//
// Forward ops (what MLIRGen emits), then the backward ops that the VJPs of
// DifferentiableOpInterface build. Every tensor is a ranked f32 tensor whose
// dimension 0 is the batch (`?` or static); scalars (losses) are plain f32.
//
//===----------------------------------------------------------------------===//

#ifndef AE_OPS_TD
#define AE_OPS_TD

include "dialect/AeDialect.td"
include "dialect/AeInterfaces.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Ae_ActivationKind : I32Enum<"ActivationKind", "activation function", [
    I32EnumCase<"Relu", 0, "relu">,
    I32EnumCase<"Sigmoid", 1, "sigmoid">,
    I32EnumCase<"Tanh", 2, "tanh">,
    I32EnumCase<"Softplus", 3, "softplus">,
    I32EnumCase<"LeakyRelu", 4, "leaky_relu">
  ]> {
  let cppNamespace = "::mlir::ae";
}

def Ae_ActivationKindAttr
    : EnumAttr<Ae_Dialect, Ae_ActivationKind, "activation">;

def Ae_NoiseKind : I32Enum<"NoiseKind", "training-time input corruption", [
    I32EnumCase<"Mask", 0, "mask">,
    I32EnumCase<"Gaussian", 1, "gaussian">,
    I32EnumCase<"Blur", 2, "blur">,
    I32EnumCase<"Block", 3, "block">
  ]> {
  let cppNamespace = "::mlir::ae";
}

def Ae_NoiseKindAttr : EnumAttr<Ae_Dialect, Ae_NoiseKind, "noise">;

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Ae_Tensor : RankedTensorOf<[F32]>;
defvar Ae_Scalar = F32;
def Ae_TensorOrScalar : AnyTypeOf<[Ae_Tensor, F32]>;

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def Ae_DenseOp : Ae_Op<"dense", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "fully connected layer: y = x W + b";
  let description = [{
    `x` is `[n, K]`, the weight `W` is `[K, N]` (stored `[in, out]`, so that
    `y = x W` needs no transpose), the optional bias `b` is `[N]`; the result
    is `[n, N]`. The batch dimension `n` is passed through unchanged.

    ```mlir
    %y = ae.dense %x, %w, %b
        : (tensor<?x784xf32>, tensor<784x400xf32>, tensor<400xf32>)
        -> tensor<?x400xf32>
    %h = ae.dense %x, %w
        : (tensor<?x784xf32>, tensor<784x32xf32>) -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$input, Ae_Tensor:$weight,
                       Optional<Ae_Tensor>:$bias);
  let results = (outs Ae_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    // Infers the result type [n, N] from the input and the weight.
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$weight,
                   CArg<"::mlir::Value", "{}">:$bias)>
  ];
  let hasVerifier = 1;
}

def Ae_Conv2DOp : Ae_Op<"conv2d", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "2-D convolution, NCHW, square kernel";
  let description = [{
    Cross-correlation like PyTorch's `Conv2d`: `x` is `[n, C, H, W]`, the
    weight is `[F, C, k, k]`, the optional bias is `[F]`, and the result is
    `[n, F, Ho, Wo]` with `Ho = (H + 2 pad - k) / stride + 1` (floor), and
    the same for `Wo`. Padding is with zeros.

    ```mlir
    %y = ae.conv2d %x, %w, %b {stride = 2 : i64, pad = 1 : i64}
        : (tensor<?x1x28x28xf32>, tensor<16x1x3x3xf32>, tensor<16xf32>)
        -> tensor<?x16x14x14xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$input, Ae_Tensor:$weight,
                       Optional<Ae_Tensor>:$bias,
                       DefaultValuedAttr<I64Attr, "1">:$stride,
                       DefaultValuedAttr<I64Attr, "0">:$pad);
  let results = (outs Ae_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    // Infers the result type from the input, the weight, stride and pad.
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$weight,
                   "::mlir::Value":$bias, "int64_t":$stride, "int64_t":$pad)>
  ];
  let hasVerifier = 1;
}

def Ae_Deconv2DOp : Ae_Op<"deconv2d", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "2-D transposed convolution, NCHW, square kernel";
  let description = [{
    Like PyTorch's `ConvTranspose2d`: `x` is `[n, C, H, W]`, the weight is
    `[C, F, k, k]` (input channels first), the optional bias is `[F]`, and
    the result is `[n, F, Ho, Wo]` with
    `Ho = (H - 1) stride - 2 pad + k + output_padding`, same for `Wo`;
    `0 <= output_padding < stride`. Input pixel `(i, j)` scatters
    `x * w[c, f]` to output `(i stride - pad + a, j stride - pad + b)` for
    kernel offsets `(a, b)`; contributions outside the output are dropped.

    It is the adjoint of `ae.conv2d` with the same weight tensor, so its VJP
    reuses the convolution ops with the roles swapped: the input gradient is
    `ae.conv2d(dy, w)` and the weight gradient is
    `ae.conv2d_grad_weight(dy, x)`.

    ```mlir
    %y = ae.deconv2d %x, %w, %b {stride = 2 : i64, pad = 1 : i64, output_padding = 1 : i64}
        : (tensor<?x32x7x7xf32>, tensor<32x16x3x3xf32>, tensor<16xf32>)
        -> tensor<?x16x14x14xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$input, Ae_Tensor:$weight,
                       Optional<Ae_Tensor>:$bias,
                       DefaultValuedAttr<I64Attr, "1">:$stride,
                       DefaultValuedAttr<I64Attr, "0">:$pad,
                       DefaultValuedAttr<I64Attr, "0">:$output_padding);
  let results = (outs Ae_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    // Infers the result type from the input, the weight and the attributes.
    OpBuilder<(ins "::mlir::Value":$input, "::mlir::Value":$weight,
                   "::mlir::Value":$bias, "int64_t":$stride, "int64_t":$pad,
                   "int64_t":$outputPadding)>
  ];
  let hasVerifier = 1;
}

def Ae_ReshapeOp : Ae_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "reshape each example, keeping the batch dimension";
  let description = [{
    Reinterprets each example (row-major) with a new shape. Dimension 0 (the
    batch) must be the same in both types and the number of elements per
    example must be preserved; every other dimension is static. Flatten is
    `ae.reshape` to rank 2.

    ```mlir
    %f = ae.reshape %x : tensor<?x32x7x7xf32> to tensor<?x1568xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$input);
  let results = (outs Ae_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Ae_ActivationOp : Ae_Op<"activation", [Pure,
    AllTypesMatch<["input", "output"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "elementwise activation function";
  let description = [{
    One op for all activations, selected by the `kind` enum:

    | kind | y = f(x) | f'(x) as a function of y |
    |---|---|---|
    | relu | max(x, 0) | y > 0 ? 1 : 0 |
    | sigmoid | 1 / (1 + exp(-x)) | y (1 - y) |
    | tanh | tanh(x) | 1 - y^2 |
    | softplus | log(1 + exp(x)) | 1 - exp(-y) |
    | leaky_relu | x > 0 ? x : alpha x | y > 0 ? 1 : alpha |

    Why one op and not five: the activations differ only in a scalar
    function, so one op gives one lowering pattern (a `linalg.generic` whose
    body switches on `kind`), one VJP building one derivative op
    (`ae.activation_grad`), and one fusion rule ("an activation after a
    dense/conv folds into its epilogue") instead of five of each.

    Every derivative above is a function of the output `y` alone (for
    leaky_relu because `alpha >= 0` keeps the sign of `x` visible in `y`),
    so the backward pass needs only the forward result, never `x`: the input
    of an activation need not be kept alive for training.

    `alpha` (f64) is required for, and only allowed with, `leaky_relu`, and
    must be >= 0.

    ```mlir
    %h = ae.activation relu %x : tensor<?x400xf32>
    %l = ae.activation leaky_relu %x {alpha = 0.01 : f64} : tensor<?x400xf32>
    ```
  }];
  let arguments = (ins Ae_ActivationKindAttr:$kind, Ae_Tensor:$input,
                       OptionalAttr<F64Attr>:$alpha);
  let results = (outs Ae_Tensor:$output);
  let assemblyFormat = "custom<Kind>($kind) $input attr-dict `:` type($input)";
  let builders = [
    OpBuilder<(ins "::mlir::ae::ActivationKind":$kind, "::mlir::Value":$input,
                   CArg<"std::optional<double>", "std::nullopt">:$alpha)>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses (scalar f32 results: the batch mean of a per-example loss)
//===----------------------------------------------------------------------===//

def Ae_MseOp : Ae_Op<"mse", [Pure, AllTypesMatch<["pred", "target"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "mean squared error";
  let description = [{
    `(1/n) sum_i (1/D) sum_j (pred[i, j] - target[i, j])^2`: the batch mean
    of the per-example mean of the squared error, where `D` is the number of
    elements per example (every dimension but the batch). Only `pred` is
    differentiated: the target is data.

    ```mlir
    %l = ae.mse %xhat, %x : tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$pred, Ae_Tensor:$target);
  let results = (outs Ae_Scalar:$loss);
  let assemblyFormat = "$pred `,` $target attr-dict `:` type($pred)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$pred, "::mlir::Value":$target), [{
      build($_builder, $_state, $_builder.getF32Type(), pred, target);
    }]>
  ];
  let hasVerifier = 1;
}

def Ae_BceOp : Ae_Op<"bce", [Pure, AllTypesMatch<["pred", "target"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "binary cross-entropy";
  let description = [{
    The batch mean of the per-example SUM over elements of the binary
    cross-entropy, in nats:
    `(1/n) sum_i sum_j -(t log p + (1 - t) log(1 - p))`, with each log
    clamped to >= -100 like PyTorch's `BCELoss`.

    With `from_logits`, `pred` holds logits `z` (`p = sigmoid(z)`) and the
    stable form `max(z, 0) - z t + log(1 + exp(-|z|))` is meant. The
    canonicalizer rewrites `ae.bce(ae.activation sigmoid(z), t)` into
    `ae.bce(z, t) from_logits`. Only `pred` is differentiated.

    ```mlir
    %l = ae.bce %p, %x : tensor<?x784xf32>
    %m = ae.bce %z, %x from_logits : tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$pred, Ae_Tensor:$target,
                       UnitAttr:$from_logits);
  let results = (outs Ae_Scalar:$loss);
  let assemblyFormat = [{
    $pred `,` $target (`from_logits` $from_logits^)? attr-dict `:` type($pred)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$pred, "::mlir::Value":$target,
                   CArg<"bool", "false">:$fromLogits), [{
      build($_builder, $_state, $_builder.getF32Type(), pred, target,
            fromLogits);
    }]>
  ];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Ae_KlNormalOp : Ae_Op<"kl_normal", [Pure,
    AllTypesMatch<["mu", "logvar"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "KL(N(mu, exp(logvar)) || N(0, I)), batch mean";
  let description = [{
    `(1/n) sum_i -1/2 sum_j (1 + lv - mu^2 - exp(lv))`: the KL divergence of
    the diagonal Gaussian posterior from the standard normal prior, summed
    over the latent dimensions, averaged over the batch.

    ```mlir
    %kl = ae.kl_normal %mu, %logvar : tensor<?x20xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$mu, Ae_Tensor:$logvar);
  let results = (outs Ae_Scalar:$loss);
  let assemblyFormat = "$mu `,` $logvar attr-dict `:` type($mu)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$mu, "::mlir::Value":$logvar), [{
      build($_builder, $_state, $_builder.getF32Type(), mu, logvar);
    }]>
  ];
  let hasVerifier = 1;
}

def Ae_LossCombineOp : Ae_Op<"loss_combine", [Pure,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "weighted sum of scalar losses";
  let description = [{
    `sum_i weights[i] * terms[i]`; one weight per term (verified). A single
    term of weight 1 folds to that term.

    ```mlir
    %l = ae.loss_combine %rec, %kl {weights = array<f64: 1.0, 0.5>}
    ```
  }];
  let arguments = (ins Variadic<Ae_Scalar>:$terms,
                       DenseF64ArrayAttr:$weights);
  let results = (outs Ae_Scalar:$loss);
  let assemblyFormat = "$terms attr-dict";
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ValueRange":$terms,
                   "::llvm::ArrayRef<double>":$weights), [{
      build($_builder, $_state, $_builder.getF32Type(), terms,
            $_builder.getDenseF64ArrayAttr(weights));
    }]>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Randomness
//===----------------------------------------------------------------------===//

def Ae_ReparamOp : Ae_Op<"reparam", [Pure,
    AllTypesMatch<["mu", "logvar", "z"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "VAE reparameterization: z = mu + exp(logvar / 2) * eps";
  let description = [{
    `eps ~ N(0, I)` comes from the runtime's counter-based RNG
    (docs/internals.md, RNG): `eps[i] = aert_normal(seed, 2, call, i)`
    (runtime/aert.h: Philox4x32-10, stream 2, Box-Muller) for the row-major
    index `i` of the element in the whole batch tensor. The op is a pure
    function of its operands, so the same `seed` and `call` give the same
    `z`.

    VJP: `dmu = dz`, `dlogvar = ae.reparam_grad(mu, z, dz)
    = 0.5 dz (z - mu)`; seed and call get no gradient.

    ```mlir
    %z = ae.reparam %mu, %logvar, %seed, %call : tensor<?x20xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$mu, Ae_Tensor:$logvar, I64:$seed, I64:$call);
  let results = (outs Ae_Tensor:$z);
  let assemblyFormat = [{
    $mu `,` $logvar `,` $seed `,` $call attr-dict `:` type($mu)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$mu, "::mlir::Value":$logvar,
                   "::mlir::Value":$seed, "::mlir::Value":$call), [{
      build($_builder, $_state, mu.getType(), mu, logvar, seed, call);
    }]>
  ];
  let hasVerifier = 1;
}

def Ae_NoiseOp : Ae_Op<"noise", [Pure, AllTypesMatch<["input", "output"]>,
    DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let summary = "training-time corruption of the input";
  let description = [{
    Corrupts the input data with noise from the runtime's counter-based RNG
    (docs/internals.md, RNG), stream 1. With `i` the row-major index of an
    element in the whole batch tensor, `u(j) = aert_uniform(seed, 1, call,
    j)` and `g(j) = aert_normal(seed, 1, call, j)` (runtime/aert.h):

    | kind | param | y |
    |---|---|---|
    | mask | p in [0, 1] | `u(i) < p ? 0 : x[i]` (no rescaling) |
    | gaussian | sigma >= 0 | `x[i] + sigma * g(i)` |
    | blur | sigma > 0 | each H x W plane (last two dims) convolved with the normalized Gaussian of std sigma, radius `ceil(3 sigma)`, zero padding; deterministic |
    | block | size, integer >= 1 | per example `e`, the `size x size` square at row `min(floor(u(2e) (H - size + 1)), H - size)`, column `min(floor(u(2e + 1) (W - size + 1)), W - size)` is zeroed in every channel |

    `blur` and `block` need an image input (rank >= 3: the last two
    dimensions are H and W). Not differentiable: it applies to the data, so
    its VJP returns no gradient for any operand.

    ```mlir
    %xn = ae.noise mask %x, %seed, %call {param = 5.000000e-01 : f64} : tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Ae_NoiseKindAttr:$kind, Ae_Tensor:$input, I64:$seed,
                       I64:$call, F64Attr:$param);
  let results = (outs Ae_Tensor:$output);
  let assemblyFormat = [{
    custom<Kind>($kind) $input `,` $seed `,` $call attr-dict `:` type($input)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::ae::NoiseKind":$kind, "::mlir::Value":$input,
                   "::mlir::Value":$seed, "::mlir::Value":$call,
                   "double":$param), [{
      build($_builder, $_state, input.getType(),
            NoiseKindAttr::get($_builder.getContext(), kind), input, seed,
            call, $_builder.getF64FloatAttr(param));
    }]>
  ];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Backward ops (built by the VJPs)
//===----------------------------------------------------------------------===//

def Ae_AddOp : Ae_Op<"add", [Pure, Commutative,
    AllTypesMatch<["lhs", "rhs", "result"]>]> {
  let summary = "elementwise sum (gradient accumulation)";
  let description = [{
    Sums two gradients of the same value (a value with several uses). Works
    on tensors and on f32 scalars.

    ```mlir
    %g = ae.add %g0, %g1 : tensor<?x400xf32>
    ```
  }];
  let arguments = (ins Ae_TensorOrScalar:$lhs, Ae_TensorOrScalar:$rhs);
  let results = (outs Ae_TensorOrScalar:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs), [{
      build($_builder, $_state, lhs.getType(), lhs, rhs);
    }]>
  ];
}

def Ae_MatMulOp : Ae_Op<"matmul", [Pure]> {
  let summary = "2-D matrix product with optional transposes";
  let description = [{
    `op(a) op(b)` where `op` transposes when `transpose_a` / `transpose_b` is
    set. The VJP of `ae.dense` uses `dx = dy W^T` (`transpose_b`) and
    `dW = x^T dy` (`transpose_a`: a contraction over the batch).

    ```mlir
    %dx = ae.matmul %dy, %w {transpose_b}
        : (tensor<?x400xf32>, tensor<784x400xf32>) -> tensor<?x784xf32>
    %dw = ae.matmul %x, %dy {transpose_a}
        : (tensor<?x784xf32>, tensor<?x400xf32>) -> tensor<784x400xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$lhs, Ae_Tensor:$rhs, UnitAttr:$transpose_a,
                       UnitAttr:$transpose_b);
  let results = (outs Ae_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let builders = [
    // Infers the result type from the operands and the transposes.
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs,
                   "bool":$transposeA, "bool":$transposeB)>
  ];
  let hasVerifier = 1;
}

def Ae_BiasGradOp : Ae_Op<"bias_grad", [Pure]> {
  let summary = "bias gradient: sum over every dimension but the channel";
  let description = [{
    `grad` is `[n, C, ...]`; the result `[C]` sums it over dimension 0 and
    every dimension after 1: `[n, N] -> [N]` for dense layers,
    `[n, C, H, W] -> [C]` for convolutions.

    ```mlir
    %db = ae.bias_grad %dy : tensor<?x16x14x14xf32> -> tensor<16xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$grad);
  let results = (outs Ae_Tensor:$result);
  let assemblyFormat = "$grad attr-dict `:` type($grad) `->` type($result)";
  let builders = [OpBuilder<(ins "::mlir::Value":$grad)>];
  let hasVerifier = 1;
}

def Ae_ActivationGradOp : Ae_Op<"activation_grad", [Pure,
    AllTypesMatch<["output", "grad", "result"]>]> {
  let summary = "input gradient of an activation, from its output";
  let description = [{
    `dx = f'(x) * dy` with `f'` written in terms of the activation's output
    `y` (see `ae.activation`): relu `y > 0`, sigmoid `y (1 - y)`, tanh
    `1 - y^2`, softplus `1 - exp(-y)`, leaky_relu `y > 0 ? 1 : alpha`.

    ```mlir
    %dx = ae.activation_grad sigmoid %y, %dy : tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Ae_ActivationKindAttr:$kind, Ae_Tensor:$output,
                       Ae_Tensor:$grad, OptionalAttr<F64Attr>:$alpha);
  let results = (outs Ae_Tensor:$result);
  let assemblyFormat = "custom<Kind>($kind) $output `,` $grad attr-dict `:` type($output)";
  let builders = [
    OpBuilder<(ins "::mlir::ae::ActivationKind":$kind, "::mlir::Value":$output,
                   "::mlir::Value":$grad,
                   CArg<"std::optional<double>", "std::nullopt">:$alpha)>
  ];
  let hasVerifier = 1;
}

def Ae_MseGradOp : Ae_Op<"mse_grad", [Pure,
    AllTypesMatch<["pred", "target", "result"]>]> {
  let summary = "gradient of ae.mse with respect to pred";
  let description = [{
    `dpred = 2 (pred - target) / (n D) * dl`, where `n` is the batch size,
    `D` the elements per example and `dl` the (scalar) loss gradient.

    ```mlir
    %dp = ae.mse_grad %xhat, %x, %dl : tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$pred, Ae_Tensor:$target, Ae_Scalar:$grad);
  let results = (outs Ae_Tensor:$result);
  let assemblyFormat = "$pred `,` $target `,` $grad attr-dict `:` type($pred)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$pred, "::mlir::Value":$target,
                   "::mlir::Value":$grad), [{
      build($_builder, $_state, pred.getType(), pred, target, grad);
    }]>
  ];
  let hasVerifier = 1;
}

def Ae_BceGradOp : Ae_Op<"bce_grad", [Pure,
    AllTypesMatch<["pred", "target", "result"]>]> {
  let summary = "gradient of ae.bce with respect to pred";
  let description = [{
    With `from_logits`: `dz = (sigmoid(z) - t) / n * dl`. Without:
    `dp = (p - t) / max(p (1 - p), 1e-12) / n * dl` (the clamp mirrors the
    log clamp of the loss).

    ```mlir
    %dz = ae.bce_grad %z, %x, %dl from_logits : tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$pred, Ae_Tensor:$target, Ae_Scalar:$grad,
                       UnitAttr:$from_logits);
  let results = (outs Ae_Tensor:$result);
  let assemblyFormat = [{
    $pred `,` $target `,` $grad (`from_logits` $from_logits^)? attr-dict `:` type($pred)
  }];
  let builders = [
    OpBuilder<(ins "::mlir::Value":$pred, "::mlir::Value":$target,
                   "::mlir::Value":$grad, CArg<"bool", "false">:$fromLogits), [{
      build($_builder, $_state, pred.getType(), pred, target, grad,
            fromLogits);
    }]>
  ];
  let hasVerifier = 1;
}

def Ae_KlNormalGradOp : Ae_Op<"kl_normal_grad", [Pure,
    AllTypesMatch<["mu", "logvar", "mu_grad", "logvar_grad"]>]> {
  let summary = "gradients of ae.kl_normal";
  let description = [{
    `dmu = mu / n * dl`, `dlogvar = 0.5 (exp(logvar) - 1) / n * dl`.

    ```mlir
    %dmu, %dlv = ae.kl_normal_grad %mu, %logvar, %dl : tensor<?x20xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$mu, Ae_Tensor:$logvar, Ae_Scalar:$grad);
  let results = (outs Ae_Tensor:$mu_grad, Ae_Tensor:$logvar_grad);
  let assemblyFormat = "$mu `,` $logvar `,` $grad attr-dict `:` type($mu)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$mu, "::mlir::Value":$logvar,
                   "::mlir::Value":$grad), [{
      build($_builder, $_state, mu.getType(), logvar.getType(), mu, logvar,
            grad);
    }]>
  ];
  let hasVerifier = 1;
}

def Ae_ReparamGradOp : Ae_Op<"reparam_grad", [Pure,
    AllTypesMatch<["mu", "z", "grad", "result"]>]> {
  let summary = "logvar gradient of ae.reparam";
  let description = [{
    `dlogvar = 0.5 dz (z - mu)`, since `z - mu = exp(logvar / 2) eps`. It
    needs neither `logvar` nor the noise: the forward `z` carries both.
    (`dmu = dz` needs no op.)

    ```mlir
    %dlv = ae.reparam_grad %mu, %z, %dz : tensor<?x20xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$mu, Ae_Tensor:$z, Ae_Tensor:$grad);
  let results = (outs Ae_Tensor:$result);
  let assemblyFormat = "$mu `,` $z `,` $grad attr-dict `:` type($mu)";
  let builders = [
    OpBuilder<(ins "::mlir::Value":$mu, "::mlir::Value":$z,
                   "::mlir::Value":$grad), [{
      build($_builder, $_state, mu.getType(), mu, z, grad);
    }]>
  ];
  let hasVerifier = 1;
}

def Ae_Conv2DGradInputOp : Ae_Op<"conv2d_grad_input", [Pure]> {
  let summary = "input gradient of ae.conv2d";
  let description = [{
    Given `dy` `[n, F, Ho, Wo]` and the convolution weight `[F, C, k, k]`,
    computes `dx` `[n, C, H, W]` (a transposed convolution of `dy`). The
    result type is explicit because the floor in `Ho = (H + 2 pad - k) /
    stride + 1` does not determine `H`; it must be consistent with `dy`.
    This is not `ae.deconv2d` because the leftover rows may differ between
    height and width.

    ```mlir
    %dx = ae.conv2d_grad_input %dy, %w {stride = 2 : i64, pad = 1 : i64}
        : (tensor<?x16x14x14xf32>, tensor<16x1x3x3xf32>) -> tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$grad, Ae_Tensor:$weight,
                       DefaultValuedAttr<I64Attr, "1">:$stride,
                       DefaultValuedAttr<I64Attr, "0">:$pad);
  let results = (outs Ae_Tensor:$result);
  let assemblyFormat = [{
    $grad `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ae_Conv2DGradWeightOp : Ae_Op<"conv2d_grad_weight", [Pure]> {
  let summary = "weight gradient of ae.conv2d";
  let description = [{
    Given the convolution input `x` `[n, C, H, W]` and `dy` `[n, F, Ho, Wo]`,
    computes `dw[f, c, a, b] = sum_{i, oh, ow} dy[i, f, oh, ow]
    x[i, c, oh stride - pad + a, ow stride - pad + b]` (zero outside `x`),
    of type `[F, C, k, k]` (explicit: `k` comes from the result type).

    `ae.deconv2d` uses it with the roles swapped: its weight `[C, F, k, k]`
    gets `ae.conv2d_grad_weight(dy, x)`, since a transposed convolution of
    `x` is the adjoint of a convolution of `dy`.

    ```mlir
    %dw = ae.conv2d_grad_weight %x, %dy {stride = 2 : i64, pad = 1 : i64}
        : (tensor<?x1x28x28xf32>, tensor<?x16x14x14xf32>) -> tensor<16x1x3x3xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$input, Ae_Tensor:$grad,
                       DefaultValuedAttr<I64Attr, "1">:$stride,
                       DefaultValuedAttr<I64Attr, "0">:$pad);
  let results = (outs Ae_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $grad attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Optimizer updates (built by ae-optimizer)
//===----------------------------------------------------------------------===//

def Ae_AdamUpdateOp : Ae_Op<"adam_update", [Pure,
    AllTypesMatch<["param", "grad", "m", "v", "new_param", "new_m", "new_v"]>]> {
  let summary = "one bias-corrected Adam step on a parameter tensor";
  let description = [{
    Adam (Kingma & Ba 2015) exactly as PyTorch's `torch.optim.Adam` without
    weight decay, for the 1-based step number `step`:

        m' = beta1 m + (1 - beta1) g
        v' = beta2 v + (1 - beta2) g^2
        p' = p - lr / (1 - beta1^step) * m' / (sqrt(v') / sqrt(1 - beta2^step) + eps)

    One elementwise pass reading p, g, m, v and writing p', m', v': after
    bufferization all three updates happen in place in the model's flat
    parameter and optimizer-state buffers.

    ```mlir
    %p2, %m2, %v2 = ae.adam_update %p, %g, %m, %v, %step
        {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64}
        : tensor<784x400xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$param, Ae_Tensor:$grad, Ae_Tensor:$m,
                       Ae_Tensor:$v, I64:$step, F64Attr:$lr, F64Attr:$beta1,
                       F64Attr:$beta2, F64Attr:$eps);
  let results = (outs Ae_Tensor:$new_param, Ae_Tensor:$new_m,
                      Ae_Tensor:$new_v);
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `,` $step attr-dict `:` type($param)
  }];
  let hasVerifier = 1;
}

def Ae_SgdUpdateOp : Ae_Op<"sgd_update", [Pure,
    AllTypesMatch<["param", "grad", "new_param"]>]> {
  let summary = "one plain SGD step on a parameter tensor";
  let description = [{
    `p' = p - lr g`: `torch.optim.SGD` with momentum 0 (no optimizer state).

    ```mlir
    %p2 = ae.sgd_update %p, %g {lr = 5.0e-02 : f64} : tensor<32x784xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$param, Ae_Tensor:$grad, F64Attr:$lr);
  let results = (outs Ae_Tensor:$new_param);
  let assemblyFormat = "$param `,` $grad attr-dict `:` type($param)";
  let hasVerifier = 1;
}

def Ae_MomentumUpdateOp : Ae_Op<"momentum_update", [Pure,
    AllTypesMatch<["param", "grad", "velocity", "new_param", "new_velocity"]>]> {
  let summary = "one SGD-with-momentum step on a parameter tensor";
  let description = [{
    `torch.optim.SGD` with momentum `mu > 0` (no dampening, no Nesterov):
    `b' = mu b + g`, `p' = p - lr b'`. The velocity `b` starts at zero, which
    makes the first step `b' = g` as in PyTorch.

    ```mlir
    %p2, %b2 = ae.momentum_update %p, %g, %b {lr = 1.0e-02 : f64, momentum = 0.9 : f64}
        : tensor<32x784xf32>
    ```
  }];
  let arguments = (ins Ae_Tensor:$param, Ae_Tensor:$grad, Ae_Tensor:$velocity,
                       F64Attr:$lr, F64Attr:$momentum);
  let results = (outs Ae_Tensor:$new_param, Ae_Tensor:$new_velocity);
  let assemblyFormat = "$param `,` $grad `,` $velocity attr-dict `:` type($param)";
  let hasVerifier = 1;
}

#endif // AE_OPS_TD
