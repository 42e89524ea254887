//===- Passes.td - aec codegen passes ----------------------*- tablegen -*-===//
//
// Passes of the aec backend that are specific to aec's kernel ABI: exporting
// the model functions as C-interface kernels and adding the model descriptor
// and C API trampolines (runtime/aert_model.h, docs/internals.md).
//
//===----------------------------------------------------------------------===//

#ifndef AEC_CODEGEN_PASSES
#define AEC_CODEGEN_PASSES

include "mlir/Pass/PassBase.td"

def KernelABI : Pass<"ae-kernel-abi", "mlir::ModuleOp"> {
  let summary = "Export the model functions as the kernels of the aert ABI";
  let description = [{
    Wraps the tensor-level model functions (`@loss`, `@loss_grad`,
    `@train_step`, `@apply_grad`, `@encode`, `@decode`, `@reconstruct`, and
    for VAEs `@elbo`, `@encode_gaussian`, `@decode_logits`), whose
    parameters are per-tensor arguments marked `ae.param`, into the exported
    kernels `@<M>__loss`, `@<M>__grad`, ... of runtime/aert_model.h: flat
    `memref<Pxf32>` parameter / state / gradient buffers and `memref<?xDxf32>`
    batches, read through `bufferization.to_tensor restrict` and written with
    `bufferization.materialize_in_destination` (destination-passing style, no
    output copies). Parameters are slices of the flat buffer
    (`tensor.extract_slice` + `tensor.expand_shape`). The model functions
    become private (run `inline` and `symbol-dce` afterwards). The parameter
    layout is recorded in the module attributes `ae.params`,
    `ae.param_count` and `ae.state_count`.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::bufferization::BufferizationDialect",
    "mlir::func::FuncDialect",
    "mlir::memref::MemRefDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def EmitCApi : Pass<"ae-emit-c-api", "mlir::ModuleOp"> {
  let summary = "Add the model descriptor and the C API trampolines";
  let description = [{
    On a module lowered to the LLVM dialect (after `ae-kernel-abi` and the
    lowering pipeline), adds the constant `aert_param_desc` table, the
    `aert_model_desc` global `<M>__desc` pointing at the
    `_mlir_ciface_<M>__*` kernels, and the exported C API of DESIGN.md
    (`M_create`, `M_train_step`, ...) as `llvm.func`s forwarding to the
    `aert_model_*` runtime entry points.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def RuntimeAllocator : Pass<"ae-runtime-allocator", "mlir::ModuleOp"> {
  let summary = "Allocate kernel scratch memory through the aert runtime";
  let description = [{
    After `finalize-memref-to-llvm{use-generic-functions}`, the kernels
    allocate their temporaries with `_mlir_memref_to_llvm_alloc` and
    `_mlir_memref_to_llvm_free`; this pass renames those to the runtime's
    `aert_alloc` / `aert_free` (runtime/aert.h), so that the runtime decides
    how scratch memory is obtained and reused between calls. Every call of a
    kernel allocates the same sizes again: with plain malloc, large blocks go
    back to the system and fault in again on every step.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // AEC_CODEGEN_PASSES
