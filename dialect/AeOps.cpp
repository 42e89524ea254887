//===- AeOps.cpp - verifiers, builders, folders of the ae ops -------------===//
//
// ODS has already checked that every tensor operand is a ranked f32 tensor
// when these verifiers run; they check the shapes. Every message names the
// offending types so that a mismatch can be traced back to its layer.
//
//===----------------------------------------------------------------------===//

#include "dialect/AeOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>

using namespace mlir;
using namespace mlir::ae;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// A type in single quotes, as verifier messages show it.
static std::string quoted(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << type << "'";
  return text;
}

static RankedTensorType tensorTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

static RankedTensorType f32Tensor(MLIRContext *ctx, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, Float32Type::get(ctx));
}

/// Checks a batched value: dimension 0 is the batch (any size), the others
/// are static. `rank` < 0 accepts any rank >= 1; `layout` names the dims.
static LogicalResult verifyBatched(Operation *op, StringRef what,
                                   RankedTensorType type, int64_t rank,
                                   StringRef layout) {
  if (rank >= 0 && type.getRank() != rank)
    return op->emitOpError() << what << " type " << quoted(type)
                             << " must have rank " << rank << " " << layout;
  if (type.getRank() < 1)
    return op->emitOpError() << what << " type " << quoted(type)
                             << " must have a batch dimension (rank >= 1)";
  for (int64_t size : type.getShape().drop_front())
    if (ShapedType::isDynamic(size))
      return op->emitOpError() << what << " type " << quoted(type)
                               << " must have static dimensions after the "
                                  "batch dimension";
  return success();
}

/// Checks a parameter-like value: the given rank and a fully static shape.
static LogicalResult verifyStatic(Operation *op, StringRef what,
                                  RankedTensorType type, int64_t rank,
                                  StringRef layout) {
  if (type.getRank() != rank)
    return op->emitOpError() << what << " type " << quoted(type)
                             << " must have rank " << rank << " " << layout;
  if (!type.hasStaticShape())
    return op->emitOpError()
           << what << " type " << quoted(type) << " must have a static shape";
  return success();
}

static LogicalResult verifyResultType(Operation *op, Type actual,
                                      Type expected) {
  if (actual != expected)
    return op->emitOpError() << "result type " << quoted(actual)
                             << " does not match expected " << quoted(expected);
  return success();
}

/// Bound on stride, pad and output_padding: far beyond any real layer, and
/// small enough that the size arithmetic below cannot overflow.
constexpr int64_t kMaxConvAttr = 1 << 16;

static LogicalResult verifyStrideAndPad(Operation *op, int64_t stride,
                                        int64_t pad) {
  if (stride < 1 || stride > kMaxConvAttr)
    return op->emitOpError()
           << "stride must be in [1, " << kMaxConvAttr << "], got " << stride;
  if (pad < 0 || pad > kMaxConvAttr)
    return op->emitOpError()
           << "pad must be in [0, " << kMaxConvAttr << "], got " << pad;
  return success();
}

/// A convolution weight: static rank 4 with a square kernel (dims 2, 3).
static LogicalResult verifyKernel(Operation *op, StringRef what,
                                  RankedTensorType type, StringRef layout) {
  if (failed(verifyStatic(op, what, type, 4, layout)))
    return failure();
  if (type.getDimSize(2) != type.getDimSize(3))
    return op->emitOpError() << what << " type " << quoted(type)
                             << " must have a square kernel " << layout;
  return success();
}

/// Output size of a convolution along one dimension (floor division), or
/// nothing when the kernel does not fit in the padded input.
static std::optional<int64_t> convOutputSize(int64_t in, int64_t kernel,
                                             int64_t stride, int64_t pad) {
  if (in + 2 * pad < kernel || stride < 1)
    return std::nullopt;
  return (in + 2 * pad - kernel) / stride + 1;
}

/// Output size of a transposed convolution along one dimension.
static int64_t deconvOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                int64_t pad, int64_t outputPadding) {
  return (in - 1) * stride - 2 * pad + kernel + outputPadding;
}

/// An optional bias `[channels]` next to `weight`.
static LogicalResult verifyBias(Operation *op, Value bias,
                                RankedTensorType weight, int64_t channels) {
  if (!bias)
    return success();
  RankedTensorType type = tensorTypeOf(bias);
  if (failed(verifyStatic(op, "bias", type, 1, "[out]")))
    return failure();
  if (type.getDimSize(0) != channels)
    return op->emitOpError()
           << "bias type " << quoted(type) << " does not match weight "
           << quoted(weight) << ": expected " << channels << " elements";
  return success();
}

static LogicalResult verifyAlpha(Operation *op, ActivationKind kind,
                                 FloatAttr alpha) {
  if (kind == ActivationKind::LeakyRelu) {
    if (!alpha)
      return op->emitOpError() << "leaky_relu requires an 'alpha' attribute";
    double value = alpha.getValueAsDouble();
    if (!(value >= 0.0))
      return op->emitOpError()
             << "leaky_relu alpha must be >= 0 (its derivative is read from "
                "the sign of the output), got "
             << value;
    return success();
  }
  if (alpha)
    return op->emitOpError() << "'alpha' is only allowed with leaky_relu, not "
                             << stringifyActivationKind(kind);
  return success();
}

//===----------------------------------------------------------------------===//
// custom<Kind>: an enum attribute as a bare keyword (`ae.activation relu`)
//===----------------------------------------------------------------------===//

template <typename EnumAttrT>
static ParseResult parseKind(OpAsmParser &parser, EnumAttrT &kind) {
  using EnumT = decltype(std::declval<EnumAttrT>().getValue());
  FailureOr<EnumT> value = FieldParser<EnumT, EnumT>::parse(parser);
  if (failed(value))
    return failure();
  kind = EnumAttrT::get(parser.getContext(), *value);
  return success();
}

template <typename EnumAttrT>
static void printKind(OpAsmPrinter &printer, Operation *, EnumAttrT kind) {
  printer << stringifyEnum(kind.getValue());
}

//===----------------------------------------------------------------------===//
// DenseOp
//===----------------------------------------------------------------------===//

void DenseOp::build(OpBuilder &builder, OperationState &state, Value input,
                    Value weight, Value bias) {
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  auto weightType = dyn_cast<RankedTensorType>(weight.getType());
  Type resultType = input.getType();
  if (inputType && weightType && inputType.getRank() == 2 &&
      weightType.getRank() == 2)
    resultType = f32Tensor(builder.getContext(),
                           {inputType.getDimSize(0), weightType.getDimSize(1)});
  build(builder, state, resultType, input, weight, bias);
}

LogicalResult DenseOp::verify() {
  RankedTensorType input = tensorTypeOf(getInput());
  RankedTensorType weight = tensorTypeOf(getWeight());
  if (failed(verifyBatched(*this, "input", input, 2, "[batch, features]")) ||
      failed(verifyStatic(*this, "weight", weight, 2, "[in, out]")))
    return failure();
  if (weight.getDimSize(0) != input.getDimSize(1))
    return emitOpError() << "weight type " << quoted(weight)
                         << " does not match input " << quoted(input)
                         << ": expected weight rows " << input.getDimSize(1);
  if (failed(verifyBias(*this, getBias(), weight, weight.getDimSize(1))))
    return failure();
  return verifyResultType(
      *this, getOutput().getType(),
      f32Tensor(getContext(), {input.getDimSize(0), weight.getDimSize(1)}));
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

void Conv2DOp::build(OpBuilder &builder, OperationState &state, Value input,
                     Value weight, Value bias, int64_t stride, int64_t pad) {
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  auto weightType = dyn_cast<RankedTensorType>(weight.getType());
  Type resultType = input.getType();
  if (inputType && weightType && inputType.getRank() == 4 &&
      weightType.getRank() == 4) {
    std::optional<int64_t> height = convOutputSize(
        inputType.getDimSize(2), weightType.getDimSize(2), stride, pad);
    std::optional<int64_t> width = convOutputSize(
        inputType.getDimSize(3), weightType.getDimSize(3), stride, pad);
    if (height && width)
      resultType = f32Tensor(
          builder.getContext(),
          {inputType.getDimSize(0), weightType.getDimSize(0), *height, *width});
  }
  build(builder, state, resultType, input, weight, bias,
        builder.getI64IntegerAttr(stride), builder.getI64IntegerAttr(pad));
}

LogicalResult Conv2DOp::verify() {
  int64_t stride = getStrideAttr().getInt(), pad = getPadAttr().getInt();
  if (failed(verifyStrideAndPad(*this, stride, pad)))
    return failure();
  RankedTensorType input = tensorTypeOf(getInput());
  RankedTensorType weight = tensorTypeOf(getWeight());
  if (failed(verifyBatched(*this, "input", input, 4, "[batch, C, H, W]")) ||
      failed(verifyKernel(*this, "weight", weight, "[F, C, k, k]")))
    return failure();
  if (weight.getDimSize(1) != input.getDimSize(1))
    return emitOpError() << "weight type " << quoted(weight)
                         << " does not match input " << quoted(input)
                         << ": expected " << input.getDimSize(1)
                         << " input channels (weight dim 1)";
  int64_t kernel = weight.getDimSize(2);
  std::optional<int64_t> height =
      convOutputSize(input.getDimSize(2), kernel, stride, pad);
  std::optional<int64_t> width =
      convOutputSize(input.getDimSize(3), kernel, stride, pad);
  if (!height || !width)
    return emitOpError() << "kernel size " << kernel << " does not fit input "
                         << quoted(input) << " with pad " << pad;
  if (failed(verifyBias(*this, getBias(), weight, weight.getDimSize(0))))
    return failure();
  return verifyResultType(
      *this, getOutput().getType(),
      f32Tensor(getContext(),
                {input.getDimSize(0), weight.getDimSize(0), *height, *width}));
}

//===----------------------------------------------------------------------===//
// Deconv2DOp
//===----------------------------------------------------------------------===//

void Deconv2DOp::build(OpBuilder &builder, OperationState &state, Value input,
                       Value weight, Value bias, int64_t stride, int64_t pad,
                       int64_t outputPadding) {
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  auto weightType = dyn_cast<RankedTensorType>(weight.getType());
  Type resultType = input.getType();
  if (inputType && weightType && inputType.getRank() == 4 &&
      weightType.getRank() == 4) {
    int64_t kernel = weightType.getDimSize(2);
    resultType = f32Tensor(builder.getContext(),
                           {inputType.getDimSize(0), weightType.getDimSize(1),
                            deconvOutputSize(inputType.getDimSize(2), kernel,
                                             stride, pad, outputPadding),
                            deconvOutputSize(inputType.getDimSize(3), kernel,
                                             stride, pad, outputPadding)});
  }
  build(builder, state, resultType, input, weight, bias,
        builder.getI64IntegerAttr(stride), builder.getI64IntegerAttr(pad),
        builder.getI64IntegerAttr(outputPadding));
}

LogicalResult Deconv2DOp::verify() {
  int64_t stride = getStrideAttr().getInt(), pad = getPadAttr().getInt();
  int64_t outputPadding = getOutputPaddingAttr().getInt();
  if (failed(verifyStrideAndPad(*this, stride, pad)))
    return failure();
  if (outputPadding < 0 || outputPadding >= stride)
    return emitOpError() << "output_padding must be in [0, stride), got "
                         << outputPadding << " with stride " << stride;
  RankedTensorType input = tensorTypeOf(getInput());
  RankedTensorType weight = tensorTypeOf(getWeight());
  if (failed(verifyBatched(*this, "input", input, 4, "[batch, C, H, W]")) ||
      failed(verifyKernel(*this, "weight", weight, "[C, F, k, k]")))
    return failure();
  if (weight.getDimSize(0) != input.getDimSize(1))
    return emitOpError() << "weight type " << quoted(weight)
                         << " does not match input " << quoted(input)
                         << ": expected " << input.getDimSize(1)
                         << " input channels (weight dim 0)";
  int64_t kernel = weight.getDimSize(2);
  int64_t height =
      deconvOutputSize(input.getDimSize(2), kernel, stride, pad, outputPadding);
  int64_t width =
      deconvOutputSize(input.getDimSize(3), kernel, stride, pad, outputPadding);
  if (height < 1 || width < 1)
    return emitOpError() << "pad " << pad
                         << " leaves an empty output for input "
                         << quoted(input) << " (output " << height << "x"
                         << width << ")";
  if (failed(verifyBias(*this, getBias(), weight, weight.getDimSize(1))))
    return failure();
  return verifyResultType(
      *this, getOutput().getType(),
      f32Tensor(getContext(),
                {input.getDimSize(0), weight.getDimSize(1), height, width}));
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType input = tensorTypeOf(getInput());
  RankedTensorType output = tensorTypeOf(getOutput());
  if (failed(verifyBatched(*this, "input", input, -1, "")) ||
      failed(verifyBatched(*this, "result", output, -1, "")))
    return failure();
  if (input.getDimSize(0) != output.getDimSize(0))
    return emitOpError() << "result type " << quoted(output)
                         << " changes the batch dimension of input "
                         << quoted(input);
  // Saturating: absurd shapes must not overflow into a false match.
  uint64_t inputElements = 1, outputElements = 1;
  for (int64_t size : input.getShape().drop_front())
    inputElements =
        llvm::SaturatingMultiply(inputElements, static_cast<uint64_t>(size));
  for (int64_t size : output.getShape().drop_front())
    outputElements =
        llvm::SaturatingMultiply(outputElements, static_cast<uint64_t>(size));
  if (inputElements != outputElements)
    return emitOpError() << "result type " << quoted(output) << " has "
                         << outputElements << " elements per example, input "
                         << quoted(input) << " has " << inputElements;
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  // reshape(reshape(x)) = reshape(x): per-example data stays row-major.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getOutput();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// ActivationOp
//===----------------------------------------------------------------------===//

void ActivationOp::build(OpBuilder &builder, OperationState &state,
                         ActivationKind kind, Value input,
                         std::optional<double> alpha) {
  build(builder, state, input.getType(),
        ActivationKindAttr::get(builder.getContext(), kind), input,
        alpha ? builder.getF64FloatAttr(*alpha) : FloatAttr());
}

LogicalResult ActivationOp::verify() {
  return verifyAlpha(*this, getKind(), getAlphaAttr());
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult MseOp::verify() {
  return verifyBatched(*this, "pred", tensorTypeOf(getPred()), -1, "");
}

LogicalResult BceOp::verify() {
  return verifyBatched(*this, "pred", tensorTypeOf(getPred()), -1, "");
}

namespace {
/// bce(sigmoid(z), t) -> bce(z, t) from_logits: the logits form is
/// numerically stable (no log of a sigmoid that rounded to 0 or 1) and its
/// gradient is the simple sigmoid(z) - t.
struct BceOfSigmoidToLogits : OpRewritePattern<BceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BceOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getFromLogits())
      return failure();
    auto sigmoid = op.getPred().getDefiningOp<ActivationOp>();
    if (!sigmoid || sigmoid.getKind() != ActivationKind::Sigmoid)
      return failure();
    rewriter.replaceOpWithNewOp<BceOp>(op, rewriter.getF32Type(),
                                       sigmoid.getInput(), op.getTarget(),
                                       rewriter.getUnitAttr());
    return success();
  }
};
} // namespace

void BceOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *context) {
  patterns.add<BceOfSigmoidToLogits>(context);
}

LogicalResult KlNormalOp::verify() {
  return verifyBatched(*this, "mu", tensorTypeOf(getMu()), -1, "");
}

LogicalResult LossCombineOp::verify() {
  if (getTerms().empty())
    return emitOpError() << "expects at least one term";
  if (getWeights().size() != getTerms().size())
    return emitOpError() << "expects one weight per term: " << getTerms().size()
                         << " terms, " << getWeights().size() << " weights";
  return success();
}

OpFoldResult LossCombineOp::fold(FoldAdaptor) {
  if (getTerms().size() == 1 && getWeights().size() == 1 &&
      getWeights()[0] == 1.0)
    return getTerms()[0];
  return {};
}

//===----------------------------------------------------------------------===//
// ReparamOp, NoiseOp
//===----------------------------------------------------------------------===//

LogicalResult ReparamOp::verify() {
  return verifyBatched(*this, "mu", tensorTypeOf(getMu()), -1, "");
}

LogicalResult NoiseOp::verify() {
  RankedTensorType input = tensorTypeOf(getInput());
  if (failed(verifyBatched(*this, "input", input, -1, "")))
    return failure();
  double param = getParamAttr().getValueAsDouble();
  switch (getKind()) {
  case NoiseKind::Mask:
    if (!(param >= 0.0 && param <= 1.0))
      return emitOpError() << "mask probability must be in [0, 1], got "
                           << param;
    return success();
  case NoiseKind::Gaussian:
    if (!(param >= 0.0))
      return emitOpError() << "gaussian sigma must be >= 0, got " << param;
    return success();
  case NoiseKind::Blur:
  case NoiseKind::Block:
    break;
  }
  StringRef kind = stringifyNoiseKind(getKind());
  if (input.getRank() < 3)
    return emitOpError() << kind
                         << " noise needs an image input (rank >= 3, the last "
                            "two dimensions are H and W), got "
                         << quoted(input);
  if (getKind() == NoiseKind::Blur) {
    if (!(param > 0.0))
      return emitOpError() << "blur sigma must be > 0, got " << param;
    return success();
  }
  if (!(param >= 1.0 && param <= 1e9) || param != std::floor(param))
    return emitOpError() << "block size must be a positive integer, got "
                         << param;
  int64_t height = input.getDimSize(input.getRank() - 2);
  int64_t width = input.getDimSize(input.getRank() - 1);
  if (param > static_cast<double>(std::min(height, width)))
    return emitOpError() << "block size " << static_cast<int64_t>(param)
                         << " exceeds the image " << quoted(input);
  return success();
}

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

/// The (rows, cols) of a matmul operand after its optional transpose.
static std::pair<int64_t, int64_t> transposedDims(RankedTensorType type,
                                                  bool transpose) {
  return transpose ? std::make_pair(type.getDimSize(1), type.getDimSize(0))
                   : std::make_pair(type.getDimSize(0), type.getDimSize(1));
}

void MatMulOp::build(OpBuilder &builder, OperationState &state, Value lhs,
                     Value rhs, bool transposeA, bool transposeB) {
  auto lhsType = dyn_cast<RankedTensorType>(lhs.getType());
  auto rhsType = dyn_cast<RankedTensorType>(rhs.getType());
  Type resultType = lhs.getType();
  if (lhsType && rhsType && lhsType.getRank() == 2 && rhsType.getRank() == 2)
    resultType = f32Tensor(builder.getContext(),
                           {transposedDims(lhsType, transposeA).first,
                            transposedDims(rhsType, transposeB).second});
  build(builder, state, resultType, lhs, rhs, transposeA, transposeB);
}

LogicalResult MatMulOp::verify() {
  RankedTensorType lhs = tensorTypeOf(getLhs());
  RankedTensorType rhs = tensorTypeOf(getRhs());
  if (lhs.getRank() != 2)
    return emitOpError() << "lhs type " << quoted(lhs) << " must have rank 2";
  if (rhs.getRank() != 2)
    return emitOpError() << "rhs type " << quoted(rhs) << " must have rank 2";
  auto [rows, lhsInner] = transposedDims(lhs, getTransposeA());
  auto [rhsInner, cols] = transposedDims(rhs, getTransposeB());
  if (lhsInner != rhsInner && !ShapedType::isDynamic(lhsInner) &&
      !ShapedType::isDynamic(rhsInner))
    return emitOpError() << "contraction dimensions differ: lhs " << quoted(lhs)
                         << (getTransposeA() ? " (transposed)" : "") << " has "
                         << lhsInner << ", rhs " << quoted(rhs)
                         << (getTransposeB() ? " (transposed)" : "") << " has "
                         << rhsInner;
  return verifyResultType(*this, getResult().getType(),
                          f32Tensor(getContext(), {rows, cols}));
}

void BiasGradOp::build(OpBuilder &builder, OperationState &state, Value grad) {
  auto gradType = dyn_cast<RankedTensorType>(grad.getType());
  Type resultType = grad.getType();
  if (gradType && gradType.getRank() >= 2)
    resultType = f32Tensor(builder.getContext(), {gradType.getDimSize(1)});
  build(builder, state, resultType, grad);
}

LogicalResult BiasGradOp::verify() {
  RankedTensorType grad = tensorTypeOf(getGrad());
  if (grad.getRank() < 2)
    return emitOpError() << "grad type " << quoted(grad)
                         << " must have rank >= 2 [batch, channels, ...]";
  if (failed(verifyBatched(*this, "grad", grad, -1, "")))
    return failure();
  return verifyResultType(*this, getResult().getType(),
                          f32Tensor(getContext(), {grad.getDimSize(1)}));
}

void ActivationGradOp::build(OpBuilder &builder, OperationState &state,
                             ActivationKind kind, Value output, Value grad,
                             std::optional<double> alpha) {
  build(builder, state, output.getType(),
        ActivationKindAttr::get(builder.getContext(), kind), output, grad,
        alpha ? builder.getF64FloatAttr(*alpha) : FloatAttr());
}

LogicalResult ActivationGradOp::verify() {
  return verifyAlpha(*this, getKind(), getAlphaAttr());
}

LogicalResult MseGradOp::verify() {
  return verifyBatched(*this, "pred", tensorTypeOf(getPred()), -1, "");
}

LogicalResult BceGradOp::verify() {
  return verifyBatched(*this, "pred", tensorTypeOf(getPred()), -1, "");
}

LogicalResult KlNormalGradOp::verify() {
  return verifyBatched(*this, "mu", tensorTypeOf(getMu()), -1, "");
}

LogicalResult ReparamGradOp::verify() {
  return verifyBatched(*this, "mu", tensorTypeOf(getMu()), -1, "");
}

namespace {
/// A value of a convolution as one of its gradient ops sees it: the type and
/// the name the op's diagnostics give it ("grad", "weight", "result", ...).
struct ConvValue {
  RankedTensorType type;
  StringRef name;
};

/// The convolution operand a gradient op computes as its result.
enum class ConvGradOf { Input, Weight };
} // namespace

/// Checks that `input` [batch, C, H, W], `weight` [F, C, k, k] and `grad`
/// [batch, F, Ho, Wo] (ranks and square kernel verified already) belong to
/// one convolution with `stride` and `pad`: the same batch, matching channels,
/// and `input` convolved to Ho x Wo. The messages name the op's result (`of`)
/// first wherever it takes part.
static LogicalResult verifyConvGeometry(Operation *op, ConvGradOf of,
                                        ConvValue input, ConvValue weight,
                                        ConvValue grad, int64_t stride,
                                        int64_t pad) {
  bool ofInput = of == ConvGradOf::Input;
  // "<subject> type '<t>' <relation> <object> '<t>'".
  auto mismatch = [&](ConvValue subject, StringRef relation, ConvValue object) {
    return op->emitOpError()
           << subject.name << " type " << quoted(subject.type) << " "
           << relation << " " << object.name << " " << quoted(object.type);
  };
  if (input.type.getDimSize(0) != grad.type.getDimSize(0))
    return ofInput ? mismatch(input, "changes the batch dimension of", grad)
                   : mismatch(grad, "has another batch dimension than", input);
  if (weight.type.getDimSize(0) != grad.type.getDimSize(1))
    return mismatch(weight, "does not match", grad)
           << ": expected " << grad.type.getDimSize(1) << " output channels ("
           << weight.name << " dim 0)";
  if (weight.type.getDimSize(1) != input.type.getDimSize(1)) {
    ConvValue subject = ofInput ? input : weight;
    ConvValue object = ofInput ? weight : input;
    return mismatch(subject, "does not match", object)
           << ": expected " << object.type.getDimSize(1)
           << (ofInput ? " channels" : " input channels") << " (" << weight.name
           << " dim 1)";
  }
  int64_t kernel = weight.type.getDimSize(2);
  std::optional<int64_t> height =
      convOutputSize(input.type.getDimSize(2), kernel, stride, pad);
  std::optional<int64_t> width =
      convOutputSize(input.type.getDimSize(3), kernel, stride, pad);
  if (height != grad.type.getDimSize(2) || width != grad.type.getDimSize(3))
    return mismatch(ofInput ? input : grad, "is inconsistent with",
                    ofInput ? grad : input)
           << ": convolving it (k = " << kernel << ", stride " << stride
           << ", pad " << pad << ") gives " << height.value_or(0) << "x"
           << width.value_or(0) << ", not " << grad.type.getDimSize(2) << "x"
           << grad.type.getDimSize(3);
  return success();
}

LogicalResult Conv2DGradInputOp::verify() {
  int64_t stride = getStrideAttr().getInt(), pad = getPadAttr().getInt();
  if (failed(verifyStrideAndPad(*this, stride, pad)))
    return failure();
  RankedTensorType grad = tensorTypeOf(getGrad());
  RankedTensorType weight = tensorTypeOf(getWeight());
  RankedTensorType result = tensorTypeOf(getResult());
  if (failed(verifyBatched(*this, "grad", grad, 4, "[batch, F, Ho, Wo]")) ||
      failed(verifyKernel(*this, "weight", weight, "[F, C, k, k]")) ||
      failed(verifyBatched(*this, "result", result, 4, "[batch, C, H, W]")))
    return failure();
  return verifyConvGeometry(*this, ConvGradOf::Input, {result, "result"},
                            {weight, "weight"}, {grad, "grad"}, stride, pad);
}

LogicalResult Conv2DGradWeightOp::verify() {
  int64_t stride = getStrideAttr().getInt(), pad = getPadAttr().getInt();
  if (failed(verifyStrideAndPad(*this, stride, pad)))
    return failure();
  RankedTensorType input = tensorTypeOf(getInput());
  RankedTensorType grad = tensorTypeOf(getGrad());
  RankedTensorType result = tensorTypeOf(getResult());
  if (failed(verifyBatched(*this, "input", input, 4, "[batch, C, H, W]")) ||
      failed(verifyBatched(*this, "grad", grad, 4, "[batch, F, Ho, Wo]")) ||
      failed(verifyKernel(*this, "result", result, "[F, C, k, k]")))
    return failure();
  return verifyConvGeometry(*this, ConvGradOf::Weight, {input, "input"},
                            {result, "result"}, {grad, "grad"}, stride, pad);
}

#define GET_OP_CLASSES
#include "dialect/AeOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Optimizer updates
//===----------------------------------------------------------------------===//

/// Checks a hyper-parameter of an optimizer update against [lo, hi) (or
/// (lo, hi) when `openLow`); NaN fails every comparison and is rejected.
static LogicalResult verifyHyperParameter(Operation *op, StringRef name,
                                          double value, double lo, double hi,
                                          bool openLow) {
  bool ok = openLow ? (value > lo && value < hi) : (value >= lo && value < hi);
  if (ok)
    return success();
  // %g: "0", "0.5", "inf" rather than the diagnostic's default "0.000000e+00".
  std::string text;
  llvm::raw_string_ostream os(text);
  os << name << " = " << llvm::format("%g", value)
     << " is out of range: expected a value in " << (openLow ? "(" : "[")
     << llvm::format("%g", lo) << ", " << llvm::format("%g", hi) << ")";
  return op->emitOpError() << text;
}

static constexpr double kInf = std::numeric_limits<double>::infinity();

LogicalResult AdamUpdateOp::verify() {
  Operation *op = getOperation();
  return success(
      succeeded(verifyHyperParameter(op, "lr", getLr().convertToDouble(), 0,
                                     kInf, /*openLow=*/true)) &&
      succeeded(verifyHyperParameter(op, "beta1", getBeta1().convertToDouble(),
                                     0, 1, /*openLow=*/false)) &&
      succeeded(verifyHyperParameter(op, "beta2", getBeta2().convertToDouble(),
                                     0, 1, /*openLow=*/false)) &&
      succeeded(verifyHyperParameter(op, "eps", getEps().convertToDouble(), 0,
                                     kInf, /*openLow=*/true)));
}

LogicalResult SgdUpdateOp::verify() {
  return verifyHyperParameter(getOperation(), "lr", getLr().convertToDouble(),
                              0, kInf, /*openLow=*/true);
}

LogicalResult MomentumUpdateOp::verify() {
  Operation *op = getOperation();
  return success(
      succeeded(verifyHyperParameter(op, "lr", getLr().convertToDouble(), 0,
                                     kInf, /*openLow=*/true)) &&
      succeeded(verifyHyperParameter(op, "momentum",
                                     getMomentum().convertToDouble(), 0, 1,
                                     /*openLow=*/true)));
}
