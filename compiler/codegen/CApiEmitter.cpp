//===- CApiEmitter.cpp - Model descriptor and C API trampolines -----------===//
//
// Adds to an LLVM-dialect module what the object of model M exports besides
// its kernels (runtime/aert_model.h, shared/DESIGN.md "The generated C API"):
//
//  - `<M>__params`: the constant `aert_param_desc` table,
//  - `<M>__desc`: the constant `aert_model_desc` with the model's sizes,
//    optimizer and pointers to the `_mlir_ciface_<M>__*` kernels,
//  - `M_create`, `M_train_step`, ...: trampolines into `aert_model_*`.
//
// Every descriptor field is 8 bytes wide, so the LLVM structs below have the
// layout of the C structs without padding.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/ModelInfo.h"
#include "compiler/codegen/Passes.h"
#include "dialect/AeAttributes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace aec {
#define GEN_PASS_DEF_EMITCAPI
#include "compiler/codegen/Passes.h.inc"
} // namespace aec

using namespace mlir;

namespace aec {
namespace {

/// AERT_ABI_VERSION of runtime/aert_model.h.
constexpr int64_t kAbiVersion = 2;

/// Kernels in the order of their pointers in aert_model_desc (ABI 1 part).
constexpr llvm::StringLiteral kKernels[] = {
    "loss",   "grad",   "train_step", "apply_grad",
    "encode", "decode", "reconstruct"};

/// Kernels appended in ABI 2, after the `likelihood` field.
constexpr llvm::StringLiteral kVaeKernels[] = {"elbo", "encode_gaussian",
                                               "decode_logits"};
constexpr int64_t kFirstKernelField = 17;
constexpr int64_t kLikelihoodField =
    kFirstKernelField + static_cast<int64_t>(std::size(kKernels));

class CApiEmitter {
public:
  CApiEmitter(ModuleOp module, const ModelInfo &info)
      : module(module), info(info), ctx(module.getContext()),
        b(module.getContext()), loc(module.getLoc()) {
    ptr = LLVM::LLVMPointerType::get(ctx);
    i32 = IntegerType::get(ctx, 32);
    i64 = IntegerType::get(ctx, 64);
    f32 = Float32Type::get(ctx);
    f64 = Float64Type::get(ctx);
    voidType = LLVM::LLVMVoidType::get(ctx);
    shape4 = LLVM::LLVMArrayType::get(i64, 4);
  }

  LogicalResult run();

private:
  LLVM::LLVMStructType paramDescType();
  LLVM::LLVMStructType modelDescType();
  LLVM::GlobalOp createString(StringRef symbol, StringRef text);
  LLVM::GlobalOp createParamTable();
  LLVM::GlobalOp createModelDesc(LLVM::GlobalOp paramTable);
  LLVM::LLVMFuncOp declareRuntime(StringRef name, Type result,
                                  ArrayRef<Type> args);
  LogicalResult createTrampolines(LLVM::GlobalOp desc);

  /// Values inside a global's initializer region.
  Value constI64(OpBuilder &r, int64_t v) {
    return LLVM::ConstantOp::create(r, loc, i64, r.getI64IntegerAttr(v));
  }
  Value constF64(OpBuilder &r, double v) {
    return LLVM::ConstantOp::create(r, loc, f64, r.getF64FloatAttr(v));
  }
  Value insert(OpBuilder &r, Value aggregate, Value field,
               ArrayRef<int64_t> position) {
    return LLVM::InsertValueOp::create(r, loc, aggregate, field, position);
  }
  Value shapeArray(OpBuilder &r, ArrayRef<int64_t> shape) {
    Value array = LLVM::UndefOp::create(r, loc, shape4);
    for (int64_t i = 0; i < 4; ++i)
      array = insert(
          r, array,
          constI64(r, i < static_cast<int64_t>(shape.size()) ? shape[i] : 0),
          {i});
    return array;
  }

  ModuleOp module;
  const ModelInfo &info;
  MLIRContext *ctx;
  OpBuilder b;
  Location loc;
  Type ptr, i32, i64, f32, f64, voidType, shape4;
};

// struct aert_param_desc { const char *name; int64_t offset, size, fan_in,
//                          rank; int64_t shape[4]; }
LLVM::LLVMStructType CApiEmitter::paramDescType() {
  return LLVM::LLVMStructType::getLiteral(ctx,
                                          {ptr, i64, i64, i64, i64, shape4});
}

// struct aert_model_desc: see runtime/aert_model.h; the field indices used
// below follow that declaration.
LLVM::LLVMStructType CApiEmitter::modelDescType() {
  SmallVector<Type> fields = {
      i64,    // 0 abi_version
      ptr,    // 1 name
      i64,    // 2 input_size
      i64,    // 3 input_rank
      shape4, // 4 input_shape[4]
      i64,    // 5 latent_size
      i64,    // 6 latent_kind
      i64,    // 7 param_count
      i64,    // 8 state_count
      i64,    // 9 optimizer
      f64,    // 10 lr
      f64,    // 11 beta1
      f64,    // 12 beta2
      f64,    // 13 eps
      f64,    // 14 momentum
      i64,    // 15 num_params
      ptr,    // 16 params
  };
  for (size_t i = 0; i < std::size(kKernels); ++i)
    fields.push_back(ptr); // 17.. loss, grad, train_step, apply_grad,
                           //     encode, decode, reconstruct
  fields.push_back(i64);   // 24 likelihood (ABI 2)
  for (size_t i = 0; i < std::size(kVaeKernels); ++i)
    fields.push_back(ptr); // 25.. elbo, encode_gaussian, decode_logits
  return LLVM::LLVMStructType::getLiteral(ctx, fields);
}

LLVM::GlobalOp CApiEmitter::createString(StringRef symbol, StringRef text) {
  std::string bytes = text.str();
  bytes.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), bytes.size());
  return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                LLVM::Linkage::Private, symbol,
                                b.getStringAttr(bytes), /*alignment=*/1);
}

LLVM::GlobalOp CApiEmitter::createParamTable() {
  if (info.params.empty())
    return {};
  SmallVector<LLVM::GlobalOp> names;
  for (auto [i, p] : llvm::enumerate(info.params))
    names.push_back(createString(
        ("__aec_" + info.name + "_param_name_" + std::to_string(i)), p.name));
  auto type = LLVM::LLVMArrayType::get(paramDescType(), info.params.size());
  auto table = LLVM::GlobalOp::create(
      b, loc, type, /*isConstant=*/true, LLVM::Linkage::Private,
      kernelName(info.name, "params"), Attribute(), /*alignment=*/8);
  Block *init = b.createBlock(&table.getInitializerRegion());
  OpBuilder r = OpBuilder::atBlockBegin(init);
  Value array = LLVM::UndefOp::create(r, loc, type);
  for (auto [i, p] : llvm::enumerate(info.params)) {
    int64_t index = static_cast<int64_t>(i);
    Value entry = LLVM::UndefOp::create(r, loc, paramDescType());
    entry = insert(r, entry, LLVM::AddressOfOp::create(r, loc, names[i]), {0});
    entry = insert(r, entry, constI64(r, p.offset), {1});
    entry = insert(r, entry, constI64(r, p.size), {2});
    entry = insert(r, entry, constI64(r, p.fanIn), {3});
    entry = insert(r, entry, constI64(r, p.shape.size()), {4});
    entry = insert(r, entry, shapeArray(r, p.shape), {5});
    array = insert(r, array, entry, {index});
  }
  LLVM::ReturnOp::create(r, loc, array);
  b.setInsertionPointAfter(table);
  return table;
}

LLVM::GlobalOp CApiEmitter::createModelDesc(LLVM::GlobalOp paramTable) {
  LLVM::GlobalOp name =
      createString("__aec_" + info.name + "_model_name", info.name);
  auto type = modelDescType();
  auto desc = LLVM::GlobalOp::create(
      b, loc, type, /*isConstant=*/true, LLVM::Linkage::External,
      kernelName(info.name, "desc"), Attribute(), /*alignment=*/8);
  Block *init = b.createBlock(&desc.getInitializerRegion());
  OpBuilder r = OpBuilder::atBlockBegin(init);
  const OptimizerInfo &opt = info.optimizer;
  Value d = LLVM::UndefOp::create(r, loc, type);
  d = insert(r, d, constI64(r, kAbiVersion), {0});
  d = insert(r, d, LLVM::AddressOfOp::create(r, loc, name), {1});
  d = insert(r, d, constI64(r, info.inputSize), {2});
  d = insert(r, d, constI64(r, info.inputShape.size()), {3});
  d = insert(r, d, shapeArray(r, info.inputShape), {4});
  d = insert(r, d, constI64(r, info.latentSize), {5});
  d = insert(r, d, constI64(r, static_cast<int64_t>(info.latentKind)), {6});
  d = insert(r, d, constI64(r, info.paramCount), {7});
  d = insert(r, d, constI64(r, info.stateCount), {8});
  d = insert(r, d, constI64(r, static_cast<int64_t>(opt.kind)), {9});
  d = insert(r, d, constF64(r, opt.lr), {10});
  d = insert(r, d, constF64(r, opt.beta1), {11});
  d = insert(r, d, constF64(r, opt.beta2), {12});
  d = insert(r, d, constF64(r, opt.eps), {13});
  d = insert(r, d, constF64(r, opt.momentum), {14});
  d = insert(r, d, constI64(r, info.params.size()), {15});
  Value params = paramTable
                     ? Value(LLVM::AddressOfOp::create(r, loc, paramTable))
                     : Value(LLVM::ZeroOp::create(r, loc, ptr));
  d = insert(r, d, params, {16});
  // Kernels the module does not define (e.g. no optimizer yet, no VAE
  // kernels for a deterministic latent) are null; the runtime reports them
  // as unsupported.
  auto kernelPointer = [&](StringRef kernel) -> Value {
    auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(
        cInterfaceName(info.name, kernel));
    return fn && !fn.isExternal() ? Value(LLVM::AddressOfOp::create(r, loc, fn))
                                  : Value(LLVM::ZeroOp::create(r, loc, ptr));
  };
  for (auto [i, kernel] : llvm::enumerate(kKernels))
    d = insert(r, d, kernelPointer(kernel),
               {kFirstKernelField + static_cast<int64_t>(i)});
  d = insert(r, d, constI64(r, static_cast<int64_t>(info.likelihood)),
             {kLikelihoodField});
  for (auto [i, kernel] : llvm::enumerate(kVaeKernels))
    d = insert(r, d, kernelPointer(kernel),
               {kLikelihoodField + 1 + static_cast<int64_t>(i)});
  LLVM::ReturnOp::create(r, loc, d);
  b.setInsertionPointAfter(desc);
  return desc;
}

LLVM::LLVMFuncOp CApiEmitter::declareRuntime(StringRef name, Type result,
                                             ArrayRef<Type> args) {
  auto type = LLVM::LLVMFunctionType::get(result, args);
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing.getFunctionType() == type ? existing : LLVM::LLVMFuncOp();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  return LLVM::LLVMFuncOp::create(b, loc, name, type);
}

LogicalResult CApiEmitter::createTrampolines(LLVM::GlobalOp desc) {
  // One entry per function of DESIGN.md's C API: M_<suffix> forwards its
  // arguments to aert_model_<suffix> (M_create prepends &<M>__desc).
  struct Forward {
    StringRef suffix;
    Type result;
    SmallVector<Type, 4> args;
  };
  SmallVector<Forward> forwards = {
      {"destroy", voidType, {ptr}},
      {"params", ptr, {ptr}},
      {"set_seed", voidType, {ptr, i64}},
      {"train_step", f32, {ptr, ptr, i64}},
      {"loss", f32, {ptr, ptr, i64}},
      {"grad", f32, {ptr, ptr, i64, ptr}},
      {"apply_grad", voidType, {ptr, ptr}},
      {"encode", voidType, {ptr, ptr, i64, ptr}},
      {"decode", voidType, {ptr, ptr, i64, ptr}},
      {"reconstruct", voidType, {ptr, ptr, i64, ptr}},
      {"fit_latent", voidType, {ptr, ptr, i64}},
      {"sample", voidType, {ptr, i64, i64, ptr}},
      {"elbo", f32, {ptr, ptr, i64, ptr, ptr}},
      {"log_likelihood", f32, {ptr, ptr, i64, i64, i64}},
      {"save", i32, {ptr, ptr}},
      {"load", i32, {ptr, ptr}},
  };

  auto define = [&](StringRef name, Type result,
                    ArrayRef<Type> args) -> LLVM::LLVMFuncOp {
    if (module.lookupSymbol(name)) {
      module.emitError() << "symbol @" << name << " already exists";
      return {};
    }
    auto fn = LLVM::LLVMFuncOp::create(
        b, loc, name, LLVM::LLVMFunctionType::get(result, args));
    fn.addEntryBlock(b);
    b.setInsertionPointAfter(fn);
    return fn;
  };
  auto ret = [&](OpBuilder &r, Value v) {
    if (v)
      LLVM::ReturnOp::create(r, loc, v);
    else
      LLVM::ReturnOp::create(r, loc, ValueRange{});
  };
  auto runtimeFn = [&](StringRef suffix, Type result,
                       ArrayRef<Type> args) -> LLVM::LLVMFuncOp {
    std::string name = ("aert_model_" + suffix).str();
    LLVM::LLVMFuncOp fn = declareRuntime(name, result, args);
    if (!fn)
      module.emitError() << "@" << name
                         << " is declared with an unexpected type";
    return fn;
  };

  // M_create(seed) -> aert_model_create(&M__desc, seed)
  {
    LLVM::LLVMFuncOp callee = runtimeFn("create", ptr, {ptr, i64});
    LLVM::LLVMFuncOp fn = define(info.name + "_create", ptr, {i64});
    if (!callee || !fn)
      return failure();
    OpBuilder r = OpBuilder::atBlockBegin(&fn.front());
    Value descPtr = LLVM::AddressOfOp::create(r, loc, desc);
    auto call = LLVM::CallOp::create(r, loc, callee,
                                     ValueRange{descPtr, fn.getArgument(0)});
    ret(r, call.getResult());
  }
  // Sizes are compile-time constants.
  for (auto [suffix, value] :
       {std::pair<StringRef, int64_t>{"input_size", info.inputSize},
        {"latent_size", info.latentSize},
        {"param_count", info.paramCount}}) {
    LLVM::LLVMFuncOp fn = define(info.name + "_" + suffix.str(), i64, {});
    if (!fn)
      return failure();
    OpBuilder r = OpBuilder::atBlockBegin(&fn.front());
    ret(r, constI64(r, value));
  }
  for (const Forward &f : forwards) {
    LLVM::LLVMFuncOp callee = runtimeFn(f.suffix, f.result, f.args);
    LLVM::LLVMFuncOp fn =
        define(info.name + "_" + f.suffix.str(), f.result, f.args);
    if (!callee || !fn)
      return failure();
    OpBuilder r = OpBuilder::atBlockBegin(&fn.front());
    auto call = LLVM::CallOp::create(r, loc, callee, fn.getArguments());
    ret(r, isa<LLVM::LLVMVoidType>(f.result) ? Value() : call.getResult());
  }
  return success();
}

LogicalResult CApiEmitter::run() {
  if (module.lookupSymbol(kernelName(info.name, "desc")))
    return module.emitError() << "@" << kernelName(info.name, "desc")
                              << " already exists (ae-emit-c-api ran twice?)";
  if (!module->hasAttr(ae::attrs::kParams))
    return module.emitError() << "ae-emit-c-api needs the parameter layout "
                                 "recorded by ae-kernel-abi ('"
                              << ae::attrs::kParams << "')";
  b.setInsertionPointToEnd(module.getBody());
  LLVM::GlobalOp table = createParamTable();
  LLVM::GlobalOp desc = createModelDesc(table);
  return createTrampolines(desc);
}

struct EmitCApiPass : impl::EmitCApiBase<EmitCApiPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<ModelInfo> info = ModelInfo::read(module);
    if (failed(info) || failed(CApiEmitter(module, *info).run()))
      signalPassFailure();
  }
};

} // namespace
} // namespace aec
