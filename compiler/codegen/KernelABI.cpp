//===- KernelABI.cpp - Export model functions as aert kernels -------------===//
//
// Turns the tensor-level model functions (per-parameter tensor arguments
// marked `ae.param`) into the kernels of the aert ABI (runtime/aert_model.h,
// docs/internals.md "Kernel ABI"). Each kernel reads its buffers as tensors
// (`bufferization.to_tensor restrict`), slices the flat parameter buffer into
// the per-parameter tensors without copies, calls the model function and
// writes its results into the caller's buffers with
// `bufferization.materialize_in_destination`, so that after empty-tensor
// elimination and bufferization results are computed in place.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/ModelInfo.h"
#include "compiler/codegen/Passes.h"
#include "dialect/AeAttributes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace aec {
#define GEN_PASS_DEF_KERNELABI
#include "compiler/codegen/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

/// A tensor in one of the flat buffers (parameters, gradients, optimizer
/// state): its place and shape.
struct Slot {
  std::string name;
  int64_t offset = 0;
  llvm::SmallVector<int64_t, 4> shape;

  int64_t size() const { return ShapedType::getNumElements(shape); }
  /// Groups the one dimension of the slot's flat extent into its shape
  /// (expand_shape of [size] to `shape`).
  SmallVector<ReassociationIndices, 1> expansion() const {
    SmallVector<ReassociationIndices, 1> reassociation(1);
    for (unsigned i = 0; i < shape.size(); ++i)
      reassociation[0].push_back(i);
    return reassociation;
  }
};

/// How a batch buffer [n, D] expands to a tensor [n, example...]: dimension
/// 0 stays, dimension 1 becomes the example's dimensions; `n` is the batch
/// size of the buffer.
struct BatchExpansion {
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  SmallVector<OpFoldResult> outputShape;

  BatchExpansion(OpBuilder &b, OpFoldResult n, ArrayRef<int64_t> example)
      : shape{ShapedType::kDynamic}, reassociation{{0}, {}}, outputShape{n} {
    shape.append(example.begin(), example.end());
    for (unsigned i = 0; i < example.size(); ++i) {
      reassociation[1].push_back(i + 1);
      outputShape.push_back(b.getIndexAttr(example[i]));
    }
  }
};

/// Leading (non-buffer) arguments of a model function.
enum class Leading { Batch, Latent, I64 };

/// Groups of annotated tensor arguments, in argument order.
enum class Group { Grads, Params, States };

/// What a model function looks like (internals.md, "Kernel ABI").
struct FunctionSpec {
  llvm::StringLiteral name;
  SmallVector<Leading> leading;
  SmallVector<Group> groups;
};

/// Model functions and the signature they must have. Results are checked
/// separately.
static const FunctionSpec kLoss{
    "loss", {Leading::Batch, Leading::I64, Leading::I64}, {Group::Params}};
static const FunctionSpec kLossGrad{
    "loss_grad", {Leading::Batch, Leading::I64, Leading::I64}, {Group::Params}};
static const FunctionSpec kTrainStep{
    "train_step",
    {Leading::Batch, Leading::I64, Leading::I64, Leading::I64},
    {Group::Params, Group::States}};
static const FunctionSpec kApplyGrad{
    "apply_grad", {Leading::I64}, {Group::Grads, Group::Params, Group::States}};
static const FunctionSpec kEncode{"encode", {Leading::Batch}, {Group::Params}};
static const FunctionSpec kDecode{"decode", {Leading::Latent}, {Group::Params}};
static const FunctionSpec kReconstruct{
    "reconstruct", {Leading::Batch}, {Group::Params}};
// VAE evaluation (gaussian latents; docs/vae.md).
static const FunctionSpec kElbo{
    "elbo", {Leading::Batch, Leading::I64, Leading::I64}, {Group::Params}};
static const FunctionSpec kEncodeGaussian{
    "encode_gaussian", {Leading::Batch}, {Group::Params}};
static const FunctionSpec kDecodeLogits{
    "decode_logits", {Leading::Latent}, {Group::Params}};

static StringRef groupAttr(Group g) {
  switch (g) {
  case Group::Grads:
    return ae::attrs::kGrad;
  case Group::Params:
    return ae::attrs::kParam;
  case Group::States:
    return ae::attrs::kState;
  }
  return "";
}

class KernelABI {
public:
  KernelABI(ModuleOp module, ModelInfo &info)
      : module(module), info(info), ctx(module.getContext()),
        f32(Float32Type::get(ctx)), i64(IntegerType::get(ctx, 64)) {}

  LogicalResult run();

private:
  // Signature checks.
  RankedTensorType batchTensorType() const;
  RankedTensorType latentTensorType() const;
  LogicalResult checkSignature(func::FuncOp func, const FunctionSpec &spec,
                               SmallVectorImpl<Slot> *states);
  LogicalResult checkResults(func::FuncOp func, ArrayRef<Type> expected);
  SmallVector<Type> tensorTypes(ArrayRef<Slot> slots) const;

  // Kernel construction.
  func::FuncOp createKernel(StringRef suffix, ArrayRef<Type> args,
                            ArrayRef<Type> results, Location loc);
  Value viewOfSlot(OpBuilder &b, Location loc, Value flat, const Slot &slot);
  SmallVector<Value> readSlots(OpBuilder &b, Location loc, Value flat,
                               ArrayRef<Slot> slots);
  void writeSlots(OpBuilder &b, Location loc, ValueRange tensors, Value flat,
                  ArrayRef<Slot> slots);
  SmallVector<Value> openInOut(OpBuilder &b, Location loc, Value flat,
                               ArrayRef<Slot> slots,
                               SmallVectorImpl<Value> &views);
  void closeInOut(OpBuilder &b, Location loc, ValueRange updated,
                  ValueRange old, ValueRange views);
  /// The parameters and optimizer state of @train_step / @apply_grad, open
  /// for an update in place (openInOut), and their views.
  struct ParamsAndStates {
    SmallVector<Value> params, states, paramViews, stateViews;
  };
  ParamsAndStates openParamsAndStates(OpBuilder &b, Location loc, Value params,
                                      Value states);
  /// Materializes `updated` (the new parameters, then the new states) in
  /// the buffers `open` came from.
  void closeParamsAndStates(OpBuilder &b, Location loc, ValueRange updated,
                            const ParamsAndStates &open);
  /// Calls `inner` on `leading` followed by the parameters read from the flat
  /// buffer `params`.
  func::CallOp callWithParams(OpBuilder &b, Location loc, func::FuncOp inner,
                              ArrayRef<Value> leading, Value params);
  Value readBatch(OpBuilder &b, Location loc, Value memref,
                  ArrayRef<int64_t> example);
  void writeBatch(OpBuilder &b, Location loc, Value tensor, Value memref,
                  ArrayRef<int64_t> example);

  void buildLoss(func::FuncOp inner);
  void buildGrad(func::FuncOp inner);
  void buildTrainStep(func::FuncOp inner);
  void buildApplyGrad(func::FuncOp inner);
  void buildMap(StringRef suffix, ArrayRef<func::FuncOp> chain,
                ArrayRef<int64_t> inExample, ArrayRef<int64_t> outExample);
  void buildElbo(func::FuncOp inner);
  void buildEncodeGaussian(func::FuncOp inner);

  ModuleOp module;
  ModelInfo &info;
  MLIRContext *ctx;
  Type f32, i64;
  SmallVector<Slot> paramSlots;
  SmallVector<Slot> stateSlots;
  int64_t stateCount = 0;
};

RankedTensorType KernelABI::batchTensorType() const {
  SmallVector<int64_t> shape{ShapedType::kDynamic};
  shape.append(info.inputShape.begin(), info.inputShape.end());
  return RankedTensorType::get(shape, f32);
}

RankedTensorType KernelABI::latentTensorType() const {
  return RankedTensorType::get({ShapedType::kDynamic, info.latentSize}, f32);
}

SmallVector<Type> KernelABI::tensorTypes(ArrayRef<Slot> slots) const {
  SmallVector<Type> types;
  for (const Slot &s : slots)
    types.push_back(RankedTensorType::get(s.shape, f32));
  return types;
}

LogicalResult KernelABI::checkSignature(func::FuncOp func,
                                        const FunctionSpec &spec,
                                        SmallVectorImpl<Slot> *states) {
  if (func.isExternal())
    return func.emitError()
           << "model function @" << spec.name << " has no body";
  ArrayRef<Type> args = func.getArgumentTypes();
  unsigned pos = 0;
  for (Leading lead : spec.leading) {
    if (pos >= args.size())
      return func.emitError() << "@" << spec.name << " has too few arguments";
    Type want = lead == Leading::Batch    ? Type(batchTensorType())
                : lead == Leading::Latent ? Type(latentTensorType())
                                          : i64;
    if (args[pos] != want)
      return func.emitError() << "@" << spec.name << " argument #" << pos
                              << " must be " << want << ", got " << args[pos];
    ++pos;
  }
  for (Group group : spec.groups) {
    StringRef attr = groupAttr(group);
    unsigned index = 0;
    int64_t offset = 0;
    for (; pos < args.size(); ++pos, ++index) {
      auto name = func.getArgAttrOfType<StringAttr>(pos, attr);
      if (!name)
        break;
      auto type = dyn_cast<RankedTensorType>(args[pos]);
      if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
        return func.emitError()
               << "@" << spec.name << " argument #" << pos << " ('"
               << name.getValue() << "') must be a static f32 tensor, got "
               << args[pos];
      if (group == Group::States) {
        if (!states)
          continue;
        Slot slot;
        slot.name = name.getValue().str();
        slot.offset = offset;
        slot.shape.assign(type.getShape().begin(), type.getShape().end());
        offset += type.getNumElements();
        states->push_back(std::move(slot));
        continue;
      }
      // Gradients and parameters follow the parameter layout exactly.
      if (index >= paramSlots.size() ||
          name.getValue() != paramSlots[index].name ||
          type.getShape() != ArrayRef<int64_t>(paramSlots[index].shape))
        return func.emitError() << "@" << spec.name << " argument #" << pos
                                << " ('" << name.getValue() << "' " << type
                                << ") does not match parameter #" << index
                                << " of the model's parameter list";
    }
    if (group != Group::States && index != paramSlots.size())
      return func.emitError()
             << "@" << spec.name << " has " << index << " arguments marked '"
             << attr << "', expected " << paramSlots.size();
  }
  if (pos != args.size())
    return func.emitError() << "@" << spec.name << " argument #" << pos
                            << " is not expected by the kernel ABI";
  return success();
}

LogicalResult KernelABI::checkResults(func::FuncOp func,
                                      ArrayRef<Type> expected) {
  if (func.getResultTypes() == expected)
    return success();
  auto diag = func.emitError() << "@" << func.getSymName() << " must return (";
  llvm::interleaveComma(expected, diag);
  return diag << "), got " << func.getFunctionType();
}

func::FuncOp KernelABI::createKernel(StringRef suffix, ArrayRef<Type> args,
                                     ArrayRef<Type> results, Location loc) {
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto kernel = func::FuncOp::create(b, loc, kernelName(info.name, suffix),
                                     FunctionType::get(ctx, args, results));
  kernel->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  kernel.addEntryBlock();
  return kernel;
}

/// A view of `slot` in the flat buffer `flat`, shaped like the tensor:
/// memref.subview + memref.expand_shape (no copy).
Value KernelABI::viewOfSlot(OpBuilder &b, Location loc, Value flat,
                            const Slot &slot) {
  Value view = memref::SubViewOp::create(
      b, loc, flat, ArrayRef<int64_t>{slot.offset},
      ArrayRef<int64_t>{slot.size()}, ArrayRef<int64_t>{1});
  if (slot.shape.size() == 1)
    return view;
  return memref::ExpandShapeOp::create(b, loc, slot.shape, view,
                                       slot.expansion());
}

/// Read-only tensors of `slots`: one `to_tensor restrict` of the whole
/// buffer, then extract_slice + expand_shape per tensor.
SmallVector<Value> KernelABI::readSlots(OpBuilder &b, Location loc, Value flat,
                                        ArrayRef<Slot> slots) {
  auto memrefType = cast<MemRefType>(flat.getType());
  Value whole = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(memrefType.getShape(), f32), flat,
      /*restrict=*/true, /*writable=*/false);
  SmallVector<Value> tensors;
  for (const Slot &slot : slots) {
    Value t = tensor::ExtractSliceOp::create(
        b, loc, whole, ArrayRef<OpFoldResult>{b.getIndexAttr(slot.offset)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(slot.size())},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    if (slot.shape.size() > 1)
      t = tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get(slot.shape, f32), t, slot.expansion());
    tensors.push_back(t);
  }
  return tensors;
}

/// Write-only outputs: each tensor materializes in its view of `flat`.
void KernelABI::writeSlots(OpBuilder &b, Location loc, ValueRange tensors,
                           Value flat, ArrayRef<Slot> slots) {
  for (auto [tensor, slot] : llvm::zip_equal(tensors, slots)) {
    Value view = viewOfSlot(b, loc, flat, slot);
    bufferization::MaterializeInDestinationOp::create(
        b, loc, TypeRange{}, tensor, view, /*restrict=*/true,
        /*writable=*/true);
  }
}

/// Read-write buffers (parameters and optimizer state in @train_step and
/// @apply_grad): each tensor is a writable `to_tensor restrict` of its view.
/// The update materializes in that same tensor (see closeInOut), so One-Shot
/// Bufferize either updates the buffer in place or reports a conflict;
/// materializing in the memref directly would hide the read of the old
/// value from its analysis.
SmallVector<Value> KernelABI::openInOut(OpBuilder &b, Location loc, Value flat,
                                        ArrayRef<Slot> slots,
                                        SmallVectorImpl<Value> &views) {
  SmallVector<Value> tensors;
  for (const Slot &slot : slots) {
    Value view = viewOfSlot(b, loc, flat, slot);
    views.push_back(view);
    tensors.push_back(bufferization::ToTensorOp::create(
        b, loc, RankedTensorType::get(slot.shape, f32), view,
        /*restrict=*/true, /*writable=*/true));
  }
  return tensors;
}

void KernelABI::closeInOut(OpBuilder &b, Location loc, ValueRange updated,
                           ValueRange old, ValueRange views) {
  for (auto [next, prev, view] : llvm::zip_equal(updated, old, views)) {
    // In the future buffer of `prev`, i.e. in `view`...
    auto inPlace = bufferization::MaterializeInDestinationOp::create(
        b, loc, prev.getType(), next, prev);
    // ...and anchored by a write to `view`, which folds to nothing once the
    // first materialization bufferized in place (a self-copy).
    bufferization::MaterializeInDestinationOp::create(
        b, loc, TypeRange{}, inPlace.getResult(), view, /*restrict=*/false,
        /*writable=*/true);
  }
}

KernelABI::ParamsAndStates KernelABI::openParamsAndStates(OpBuilder &b,
                                                          Location loc,
                                                          Value params,
                                                          Value states) {
  ParamsAndStates open;
  open.params = openInOut(b, loc, params, paramSlots, open.paramViews);
  open.states = openInOut(b, loc, states, stateSlots, open.stateViews);
  return open;
}

void KernelABI::closeParamsAndStates(OpBuilder &b, Location loc,
                                     ValueRange updated,
                                     const ParamsAndStates &open) {
  size_t count = open.params.size();
  closeInOut(b, loc, updated.take_front(count), open.params, open.paramViews);
  closeInOut(b, loc, updated.drop_front(count), open.states, open.stateViews);
}

func::CallOp KernelABI::callWithParams(OpBuilder &b, Location loc,
                                       func::FuncOp inner,
                                       ArrayRef<Value> leading, Value params) {
  SmallVector<Value> operands(leading);
  llvm::append_range(operands, readSlots(b, loc, params, paramSlots));
  return func::CallOp::create(b, loc, inner, operands);
}

/// A batch memref [n, D] as a tensor [n, example...].
Value KernelABI::readBatch(OpBuilder &b, Location loc, Value memref,
                           ArrayRef<int64_t> example) {
  auto memrefType = cast<MemRefType>(memref.getType());
  Value flat = bufferization::ToTensorOp::create(
      b, loc, RankedTensorType::get(memrefType.getShape(), f32), memref,
      /*restrict=*/true, /*writable=*/false);
  if (example.size() == 1)
    return flat;
  BatchExpansion e(b, tensor::DimOp::create(b, loc, flat, 0).getResult(),
                   example);
  return tensor::ExpandShapeOp::create(b, loc,
                                       RankedTensorType::get(e.shape, f32),
                                       flat, e.reassociation, e.outputShape);
}

/// Materializes a tensor [n, example...] in the batch memref [n, D].
void KernelABI::writeBatch(OpBuilder &b, Location loc, Value tensor,
                           Value memref, ArrayRef<int64_t> example) {
  Value dest = memref;
  if (example.size() > 1) {
    BatchExpansion e(b, memref::DimOp::create(b, loc, memref, 0).getResult(),
                     example);
    dest =
        memref::ExpandShapeOp::create(b, loc, MemRefType::get(e.shape, f32),
                                      memref, e.reassociation, e.outputShape);
  }
  bufferization::MaterializeInDestinationOp::create(
      b, loc, TypeRange{}, tensor, dest, /*restrict=*/true, /*writable=*/true);
}

// float M__loss(params[P], x[n,D], i64 seed, i64 call)
void KernelABI::buildLoss(func::FuncOp inner) {
  Location loc = inner.getLoc();
  auto kernel = createKernel(
      "loss",
      {MemRefType::get({info.paramCount}, f32),
       MemRefType::get({ShapedType::kDynamic, info.inputSize}, f32), i64, i64},
      {f32}, loc);
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.front());
  ValueRange args = kernel.getArguments();
  Value x = readBatch(b, loc, args[1], info.inputShape);
  auto call = callWithParams(b, loc, inner, {x, args[2], args[3]}, args[0]);
  func::ReturnOp::create(b, loc, call.getResult(0));
}

// float M__grad(params[P], x[n,D], i64 seed, i64 call, grad[P] (out))
void KernelABI::buildGrad(func::FuncOp inner) {
  Location loc = inner.getLoc();
  Type params = MemRefType::get({info.paramCount}, f32);
  auto kernel = createKernel(
      "grad",
      {params, MemRefType::get({ShapedType::kDynamic, info.inputSize}, f32),
       i64, i64, params},
      {f32}, loc);
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.front());
  ValueRange args = kernel.getArguments();
  Value x = readBatch(b, loc, args[1], info.inputShape);
  auto call = callWithParams(b, loc, inner, {x, args[2], args[3]}, args[0]);
  writeSlots(b, loc, call.getResults().drop_front(), args[4], paramSlots);
  func::ReturnOp::create(b, loc, call.getResult(0));
}

// float M__train_step(params[P] (inout), state[S] (inout), x[n,D], i64 seed,
//                     i64 call, i64 step)
void KernelABI::buildTrainStep(func::FuncOp inner) {
  Location loc = inner.getLoc();
  auto kernel = createKernel(
      "train_step",
      {MemRefType::get({info.paramCount}, f32),
       MemRefType::get({stateCount}, f32),
       MemRefType::get({ShapedType::kDynamic, info.inputSize}, f32), i64, i64,
       i64},
      {f32}, loc);
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.front());
  ValueRange args = kernel.getArguments();
  Value x = readBatch(b, loc, args[2], info.inputShape);
  ParamsAndStates open = openParamsAndStates(b, loc, args[0], args[1]);
  SmallVector<Value> operands{x, args[3], args[4], args[5]};
  llvm::append_range(operands, open.params);
  llvm::append_range(operands, open.states);
  auto call = func::CallOp::create(b, loc, inner, operands);
  closeParamsAndStates(b, loc, call.getResults().drop_front(), open);
  func::ReturnOp::create(b, loc, call.getResult(0));
}

// void M__apply_grad(params[P] (inout), state[S] (inout), grad[P], i64 step)
void KernelABI::buildApplyGrad(func::FuncOp inner) {
  Location loc = inner.getLoc();
  Type params = MemRefType::get({info.paramCount}, f32);
  auto kernel = createKernel(
      "apply_grad", {params, MemRefType::get({stateCount}, f32), params, i64},
      {}, loc);
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.front());
  ValueRange args = kernel.getArguments();
  SmallVector<Value> grads = readSlots(b, loc, args[2], paramSlots);
  ParamsAndStates open = openParamsAndStates(b, loc, args[0], args[1]);
  SmallVector<Value> operands{args[3]};
  llvm::append_range(operands, grads);
  llvm::append_range(operands, open.params);
  llvm::append_range(operands, open.states);
  auto call = func::CallOp::create(b, loc, inner, operands);
  closeParamsAndStates(b, loc, call.getResults(), open);
  func::ReturnOp::create(b, loc);
}

// void M__<map>(params[P], in[n, I], out[n, O]) for encode, decode and
// reconstruct; `chain` is applied left to right (reconstruct may be
// synthesized as decode(encode(x))).
void KernelABI::buildMap(StringRef suffix, ArrayRef<func::FuncOp> chain,
                         ArrayRef<int64_t> inExample,
                         ArrayRef<int64_t> outExample) {
  Location loc = func::FuncOp(chain.front()).getLoc();
  int64_t inSize = ShapedType::getNumElements(inExample);
  int64_t outSize = ShapedType::getNumElements(outExample);
  auto kernel =
      createKernel(suffix,
                   {MemRefType::get({info.paramCount}, f32),
                    MemRefType::get({ShapedType::kDynamic, inSize}, f32),
                    MemRefType::get({ShapedType::kDynamic, outSize}, f32)},
                   {}, loc);
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.front());
  ValueRange args = kernel.getArguments();
  Value value = readBatch(b, loc, args[1], inExample);
  SmallVector<Value> params = readSlots(b, loc, args[0], paramSlots);
  for (func::FuncOp func : chain) {
    SmallVector<Value> operands{value};
    llvm::append_range(operands, params);
    value = func::CallOp::create(b, loc, func, operands).getResult(0);
  }
  writeBatch(b, loc, value, args[2], outExample);
  func::ReturnOp::create(b, loc);
}

// float M__elbo(params[P], x[n,D], i64 seed, i64 call, parts[2] (out)):
// returns the loss, parts = {reconstruction, kl}.
void KernelABI::buildElbo(func::FuncOp inner) {
  Location loc = inner.getLoc();
  auto kernel = createKernel(
      "elbo",
      {MemRefType::get({info.paramCount}, f32),
       MemRefType::get({ShapedType::kDynamic, info.inputSize}, f32), i64, i64,
       MemRefType::get({2}, f32)},
      {f32}, loc);
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.front());
  ValueRange args = kernel.getArguments();
  Value x = readBatch(b, loc, args[1], info.inputShape);
  auto call = callWithParams(b, loc, inner, {x, args[2], args[3]}, args[0]);
  for (int64_t i = 0; i < 2; ++i)
    memref::StoreOp::create(
        b, loc, call.getResult(1 + i), args[4],
        ValueRange{arith::ConstantIndexOp::create(b, loc, i).getResult()});
  func::ReturnOp::create(b, loc, call.getResult(0));
}

// void M__encode_gaussian(params[P], x[n,D], mu[n,L] (out), logvar[n,L] (out))
void KernelABI::buildEncodeGaussian(func::FuncOp inner) {
  Location loc = inner.getLoc();
  Type latent = MemRefType::get({ShapedType::kDynamic, info.latentSize}, f32);
  auto kernel = createKernel(
      "encode_gaussian",
      {MemRefType::get({info.paramCount}, f32),
       MemRefType::get({ShapedType::kDynamic, info.inputSize}, f32), latent,
       latent},
      {}, loc);
  OpBuilder b = OpBuilder::atBlockBegin(&kernel.front());
  ValueRange args = kernel.getArguments();
  Value x = readBatch(b, loc, args[1], info.inputShape);
  auto call = callWithParams(b, loc, inner, {x}, args[0]);
  SmallVector<int64_t> latentExample{info.latentSize};
  writeBatch(b, loc, call.getResult(0), args[2], latentExample);
  writeBatch(b, loc, call.getResult(1), args[3], latentExample);
  func::ReturnOp::create(b, loc);
}

LogicalResult KernelABI::run() {
  if (module->hasAttr(ae::attrs::kParams))
    return module.emitError() << "ae-kernel-abi already ran on this module ('"
                              << ae::attrs::kParams << "' is set)";
  for (const ParamInfo &p : info.params)
    paramSlots.push_back(Slot{p.name, p.offset, p.shape});

  auto lookup = [&](const FunctionSpec &spec) {
    return module.lookupSymbol<func::FuncOp>(spec.name);
  };
  func::FuncOp loss = lookup(kLoss), lossGrad = lookup(kLossGrad),
               trainStep = lookup(kTrainStep), applyGrad = lookup(kApplyGrad),
               encode = lookup(kEncode), decode = lookup(kDecode),
               reconstruct = lookup(kReconstruct), elbo = lookup(kElbo),
               encodeGaussian = lookup(kEncodeGaussian),
               decodeLogits = lookup(kDecodeLogits);
  if (!loss && !lossGrad && !trainStep && !applyGrad && !encode && !decode &&
      !reconstruct && !elbo && !encodeGaussian && !decodeLogits)
    return module.emitError() << "no model function (@loss, @encode, ...) to "
                                 "export";

  // Signatures. The optimizer state layout comes from @train_step and
  // @apply_grad, which must agree.
  Type lossType = f32;
  SmallVector<Type> paramTypes = tensorTypes(paramSlots);
  if (loss && (failed(checkSignature(loss, kLoss, nullptr)) ||
               failed(checkResults(loss, {lossType}))))
    return failure();
  if (lossGrad) {
    SmallVector<Type> results{lossType};
    llvm::append_range(results, paramTypes);
    if (failed(checkSignature(lossGrad, kLossGrad, nullptr)) ||
        failed(checkResults(lossGrad, results)))
      return failure();
  }
  SmallVector<Slot> trainStates, applyStates;
  if (trainStep && failed(checkSignature(trainStep, kTrainStep, &trainStates)))
    return failure();
  if (applyGrad && failed(checkSignature(applyGrad, kApplyGrad, &applyStates)))
    return failure();
  if (trainStep && applyGrad) {
    bool same = trainStates.size() == applyStates.size();
    for (unsigned i = 0; same && i < trainStates.size(); ++i)
      same = trainStates[i].name == applyStates[i].name &&
             trainStates[i].shape == applyStates[i].shape;
    if (!same)
      return applyGrad.emitError()
             << "@apply_grad and @train_step disagree on the optimizer "
                "state arguments ('"
             << ae::attrs::kState << "')";
  }
  stateSlots = trainStep ? trainStates : applyStates;
  if (trainStep || applyGrad) {
    stateCount = 0;
    for (const Slot &s : stateSlots)
      stateCount += s.size();
  } else {
    stateCount = info.stateCount;
  }
  SmallVector<Type> stateTypes = tensorTypes(stateSlots);
  if (trainStep) {
    SmallVector<Type> results{lossType};
    llvm::append_range(results, paramTypes);
    llvm::append_range(results, stateTypes);
    if (failed(checkResults(trainStep, results)))
      return failure();
  }
  if (applyGrad) {
    SmallVector<Type> results(paramTypes);
    llvm::append_range(results, stateTypes);
    if (failed(checkResults(applyGrad, results)))
      return failure();
  }
  if (encode && (failed(checkSignature(encode, kEncode, nullptr)) ||
                 failed(checkResults(encode, {latentTensorType()}))))
    return failure();
  if (decode && (failed(checkSignature(decode, kDecode, nullptr)) ||
                 failed(checkResults(decode, {batchTensorType()}))))
    return failure();
  if (reconstruct &&
      (failed(checkSignature(reconstruct, kReconstruct, nullptr)) ||
       failed(checkResults(reconstruct, {batchTensorType()}))))
    return failure();
  if (elbo && (failed(checkSignature(elbo, kElbo, nullptr)) ||
               failed(checkResults(elbo, {f32, f32, f32}))))
    return failure();
  if (encodeGaussian &&
      (failed(checkSignature(encodeGaussian, kEncodeGaussian, nullptr)) ||
       failed(checkResults(encodeGaussian,
                           {latentTensorType(), latentTensorType()}))))
    return failure();
  if (decodeLogits &&
      (failed(checkSignature(decodeLogits, kDecodeLogits, nullptr)) ||
       failed(checkResults(decodeLogits, {batchTensorType()}))))
    return failure();

  for (StringRef kernel :
       {"loss", "grad", "train_step", "apply_grad", "encode", "decode",
        "reconstruct", "elbo", "encode_gaussian", "decode_logits"})
    if (module.lookupSymbol(kernelName(info.name, kernel)))
      return module.emitError() << "symbol @" << kernelName(info.name, kernel)
                                << " already exists";

  // Kernels.
  SmallVector<int64_t> latentExample{info.latentSize};
  if (loss)
    buildLoss(loss);
  if (lossGrad)
    buildGrad(lossGrad);
  if (trainStep)
    buildTrainStep(trainStep);
  if (applyGrad)
    buildApplyGrad(applyGrad);
  if (encode)
    buildMap("encode", {encode}, info.inputShape, latentExample);
  if (decode)
    buildMap("decode", {decode}, latentExample, info.inputShape);
  if (reconstruct)
    buildMap("reconstruct", {reconstruct}, info.inputShape, info.inputShape);
  else if (encode && decode)
    buildMap("reconstruct", {encode, decode}, info.inputShape, info.inputShape);
  if (elbo)
    buildElbo(elbo);
  if (encodeGaussian)
    buildEncodeGaussian(encodeGaussian);
  if (decodeLogits)
    buildMap("decode_logits", {decodeLogits}, latentExample, info.inputShape);

  // The model functions are now implementation details of the kernels.
  for (func::FuncOp f : {loss, lossGrad, trainStep, applyGrad, encode, decode,
                         reconstruct, elbo, encodeGaussian, decodeLogits})
    if (f)
      f.setPrivate();

  // Record the layout for the C API pass and the header emitter, which run
  // after the model functions are gone.
  Builder b(ctx);
  SmallVector<Attribute> table;
  for (const ParamInfo &p : info.params)
    table.push_back(b.getDictionaryAttr({
        b.getNamedAttr("name", b.getStringAttr(p.name)),
        b.getNamedAttr("offset", b.getI64IntegerAttr(p.offset)),
        b.getNamedAttr("shape", b.getDenseI64ArrayAttr(p.shape)),
        b.getNamedAttr("fan_in", b.getI64IntegerAttr(p.fanIn)),
    }));
  module->setAttr(ae::attrs::kParams, b.getArrayAttr(table));
  module->setAttr(ae::attrs::kParamCount, b.getI64IntegerAttr(info.paramCount));
  module->setAttr(ae::attrs::kStateCount, b.getI64IntegerAttr(stateCount));
  info.stateCount = stateCount;
  return success();
}

struct KernelABIPass : impl::KernelABIBase<KernelABIPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<ModelInfo> info = ModelInfo::read(module);
    if (failed(info) || failed(KernelABI(module, *info).run()))
      signalPassFailure();
  }
};

} // namespace
} // namespace aec
