//===- Passes.td - aec lowering passes ---------------------*- tablegen -*-===//
//
// Passes of aec's lowering pipeline from linalg on tensors to the LLVM
// dialect that upstream MLIR does not provide in the form aec needs.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_PIPELINE_PASSES
#define AEC_PIPELINE_PASSES

include "mlir/Pass/PassBase.td"

def AeToLinalg : Pass<"ae-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower the ae dialect to linalg on tensors";
  let description = [{
    Forward and backward ae ops become `linalg.matmul` (transposes through
    its indexing maps), `linalg.conv_2d_nchw_fchw` (transposed convolutions
    as stride-1 convolutions of the dilated, padded input with the flipped
    weight), `linalg.generic` for elementwise ops, bias gradients and
    reductions, and tensor / arith / math ops. Losses are reductions to an
    f32 (bce with logits in the stable form max(z, 0) - z t +
    log(1 + exp(-|z|))). `ae.noise` and `ae.reparam` compute
    Philox4x32-10 inline (`arith.mului_extended` for the 32x32->64
    products), keyed like aert_uniform / aert_normal: key = seed, counter =
    (element index, call, stream) (docs/internals.md, "RNG").
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect",
  ];
}

def TileAndVectorize : Pass<"ae-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops on tensors into register tiles and vectorize";
  let description = [{
    Contractions (matmuls, with or without transposed operands) are tiled
    into `tile-m` x `tile-n` register tiles (N outer, M inner) together with
    their zero fill and a single elementwise consumer with one output
    (bias, activation; an optimizer update, with the parameter and its
    moments as outputs, stays a separate row-major pass);
    the reduction dimension is tiled by 1, and the accumulator tile is
    hoisted out of the reduction loop so that it stays in vector registers.
    Every other linalg op on tensors is tiled to `vector-width` along its
    innermost loop and 1 along the others. Loops whose trip count does not
    divide (the dynamic batch dimension) are peeled, and the remainders are
    re-tiled by 1, so every tile has a static shape and is vectorized; no
    shape silently stays scalar.
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", "16",
           "Register tile size along the M (rows) dimension of contractions">,
    Option<"tileN", "tile-n", "int64_t", "16",
           "Register tile size along the N (columns) dimension of contractions">,
    Option<"vectorWidth", "vector-width", "int64_t", "16",
           "Tile size of the innermost loop of other linalg ops">,
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect",
    "mlir::arith::ArithDialect",
    "mlir::linalg::LinalgDialect",
    "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect",
  ];
}

def FuseElementwise : Pass<"ae-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg.generic producers into consumers";
  let description = [{
    `linalg-fuse-elementwise-ops` restricted to what keeps the CPU schedule
    intact: a producer with a single use and plain (projected permutation)
    accesses fuses into a consumer that is not a contraction. Gathers
    (im2col) and contraction operands stay separate ops, so contractions
    stay contractions and run on register tiles; no reshapes are moved.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ExpandCopies : Pass<"ae-expand-copies", "mlir::func::FuncOp"> {
  let summary = "Turn strided memref.copy into linalg.copy loops";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between contiguous
    buffers to `llvm.memcpy`, but a strided one (a padded or sliced view) to
    a call of `memrefCopy` from MLIR's C runner utilities, which generated
    objects must not depend on. This pass rewrites the strided ones as
    `linalg.copy`, which the pipeline then lowers to loops.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def LowerVectors : Pass<"ae-lower-vectors", "mlir::func::FuncOp"> {
  let summary = "Lower high-level vector ops for the CPU";
  let description = [{
    Contractions to outer products (FMAs), transfer permutations to
    transposes/broadcasts, multi-reductions in the inner-parallel form, then
    (after `convert-vector-to-scf{full-unroll target-rank=1}`, which the
    pipeline runs in between) shape casts, transposes (1-D shuffles), outer
    products and broadcasts; math functions on f32 (exp, log, tanh, ...)
    become polynomial approximations so that they vectorize. Run with
    `stage=1` before and `stage=2` after the transfer lowering.
  }];
  let options = [
    Option<"stage", "stage", "unsigned", "1",
           "1: contractions, transfer permutations, reductions; "
           "2: shape casts, transposes, outer products, broadcasts, math">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::math::MathDialect",
    "mlir::vector::VectorDialect",
  ];
}

def Parallelize : Pass<"ae-parallelize", "mlir::ModuleOp"> {
  let summary = "Share independent tile loops among threads with OpenMP";
  let description = [{
    `ae-tile-and-vectorize` marks the outermost tile loop of each op whose
    tiles are independent with `ae.parallel`. After bufferization, each
    marked `scf.for` without results whose estimated work (element
    operations, inner loops of unknown trip count counted as 16
    iterations) can reach `min-work` is outlined into an internal, noinline
    function of its iteration range, `@f__par<k>`, and a second one,
    `@f__par<k>__fork`, that calls it either directly (one thread, or too
    little work: the kernel computes the estimate from the batch size and
    passes the verdict) or from an `omp.parallel` region of
    `aert_parallel_threads()` threads, each running one contiguous share of
    the iterations. The kernel keeps one call per loop, and kernels that
    share a loop body share both functions after `ae-merge-functions`. The
    thread count is the runtime's (`AEC_NUM_THREADS`,
    `aert_set_num_threads`, else every core). Tiles write disjoint memory
    and the shares depend only on the thread count, so results are
    bit-identical for a fixed thread count (and in fact for any). One
    thread never enters the OpenMP runtime, and no OpenMP worksharing entry
    point is called (some libomp builds allocate in them). Loops with less
    work stay sequential (a fork costs about a microsecond) but are
    outlined all the same and called directly, so that the kernels and
    layers running the same loop share one function after
    `ae-merge-functions`. Memrefs the body only reads and writes
    element- or vector-wise are passed with a dynamic offset (layers of one
    shape at other offsets of the parameter buffer then have the same
    body), and vectors computed from passed values by pure ops (hoisted
    splats) are recomputed in the body rather than passed. The mark is
    removed from every loop.

    Before:

    ```mlir
    func.func @f(...) {
      scf.for %n = %c0 to %c512 step %c16 {
        scf.for %m = %c0 to %rows step %c16 { ... }
      } {ae.parallel}
    }
    ```

    After:

    ```mlir
    func.func @f(...) {
      %enough = arith.cmpi sge, %work, %c262144 : index
      func.call @f__par0__fork(%c0, %c512, %enough, ...) : (index, index, i1, ...) -> ()
    }
    func.func private @f__par0(%lo: index, %hi: index, ...)
        attributes {llvm.linkage = #llvm.linkage<internal>,
                    passthrough = ["noinline"]} {
      scf.for %n = %lo to %hi step %c16 {
        scf.for %m = %c0 to %rows step %c16 { ... }
      }
      return
    }
    func.func private @f__par0__fork(%lb: index, %ub: index, %enough: i1, ...)
        attributes {llvm.linkage = #llvm.linkage<internal>,
                    passthrough = ["noinline"]} {
      %t = func.call @aert_parallel_threads() : () -> i32
      %several = arith.cmpi sgt, %t, %c1_i32 : i32
      %fork = arith.andi %several, %enough : i1
      scf.if %fork {
        omp.parallel num_threads(%t : i32) {
          %i = func.call @omp_get_thread_num() : () -> i32
          %k = func.call @omp_get_num_threads() : () -> i32
          ... share [%lo, %hi) of thread %i of %k ...
          func.call @f__par0(%lo, %hi, ...) : (index, index, ...) -> ()
          omp.terminator
        }
      } else {
        func.call @f__par0(%lb, %ub, ...) : (index, index, ...) -> ()
      }
      return
    }
    ```
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", "262144",
           "Least estimated element operations of a loop worth sharing">,
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect",
    "mlir::func::FuncDialect",
    "mlir::LLVM::LLVMDialect",
    "mlir::memref::MemRefDialect",
    "mlir::omp::OpenMPDialect",
    "mlir::scf::SCFDialect",
  ];
}

def MergeFunctions : Pass<"ae-merge-functions", "mlir::ModuleOp"> {
  let summary = "Keep one copy of structurally identical private functions";
  let description = [{
    The kernels of a model repeat the layers they share: the encoder's
    first layer runs in `@loss`, `@grad`, `@train_step`, `@encode` and
    more, so `ae-parallelize` outlines the same loop body once per kernel,
    under different names. Each copy would then be lowered, optimized by
    LLVM and compiled on its own. This pass keeps the first of each set of
    private functions with a body that are the same (type, attributes other
    than the name, and body, up to locations) and points the calls of the
    others at it; it repeats until no two are the same, since merged
    callees can make their callers equal. Public functions (the exported
    kernels) are never merged. Run after `ae-parallelize`.

    Functions that differ only in address constants (index constants used
    only as indices of loads, stores and vector transfers, or passed on to
    private functions: layers of one shape at other offsets of the
    parameter buffer) merge too, when every use of them is a call: each
    such constant that differs becomes a trailing argument of the kept
    function, and each call passes its function's value. Loop bounds,
    steps and shapes never differ, so the merged code is as static.

    Before:

    ```mlir
    func.func @loss(...) {
      func.call @loss__par0(%c0, %n, %x, %w) : (index, index, memref<?x784xf32>, memref<784x400xf32>) -> ()
      ...
    }
    func.func @encode(...) {
      func.call @encode__par7(%c0, %n, %x, %w) : (index, index, memref<?x784xf32>, memref<784x400xf32>) -> ()
      ...
    }
    func.func private @loss__par0(%lo: index, %hi: index, ...) { <body> }
    func.func private @encode__par7(%lo: index, %hi: index, ...) { <the same body> }
    ```

    After:

    ```mlir
    func.func @loss(...) {
      func.call @loss__par0(%c0, %n, %x, %w) : (index, index, memref<?x784xf32>, memref<784x400xf32>) -> ()
      ...
    }
    func.func @encode(...) {
      func.call @loss__par0(%c0, %n, %x, %w) : (index, index, memref<?x784xf32>, memref<784x400xf32>) -> ()
      ...
    }
    func.func private @loss__par0(%lo: index, %hi: index, ...) { <body> }
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def PruneArguments : Pass<"ae-prune-arguments", "mlir::ModuleOp"> {
  let summary = "Drop the unused arguments of local LLVM functions";
  let description = [{
    The loop bodies `ae-parallelize` outlines take their memrefs as whole
    descriptors, of which the body uses a few fields. LLVM's dead-argument
    elimination drops the others only in functions internal to the module
    it compiles, but a body shared by several kernels
    (`ae-merge-functions`) may be compiled in another partition than its
    callers (`aec -j`). This pass drops them on the LLVM dialect, for every
    internal or private `llvm.func` whose only uses are direct calls, and
    from those calls, so that the calls are the same at every `-j`.

    Before:

    ```mlir
    llvm.func internal @f__par0(%lo: i64, %hi: i64, %alloc: !llvm.ptr, %data: !llvm.ptr, %off: i64) {
      ... uses %lo, %hi, %data ...
    }
    llvm.call @f__par0(%a, %b, %p, %q, %c0) : (i64, i64, !llvm.ptr, !llvm.ptr, i64) -> ()
    ```

    After:

    ```mlir
    llvm.func internal @f__par0(%lo: i64, %hi: i64, %data: !llvm.ptr) { ... }
    llvm.call @f__par0(%a, %b, %q) : (i64, i64, !llvm.ptr) -> ()
    ```
  }];
}

def Bufferize : Pass<"ae-bufferize", "mlir::ModuleOp"> {
  let summary = "One-Shot Bufferize the kernels in parallel";
  let description = [{
    Runs upstream One-Shot Bufferize (analysis and rewrite, default
    options) on each function with a body, on all of them in parallel:
    `one-shot-bufferize` bufferizes the kernels one after the other. The
    functions must not need each other: no tensor arguments or results (the
    kernel ABI gives kernels memref arguments, `bufferization.to_tensor`
    inside, and `bufferization.materialize_in_destination` into the output
    memrefs; anything else is an error). Tensor constants (the blur
    noise's kernel) become `memref.global`s of the module, created first,
    one after the other.

    Before:

    ```mlir
    func.func @k(%x: memref<?x4xf32>, %out: memref<?x4xf32>) {
      %t = bufferization.to_tensor %x restrict : memref<?x4xf32> to tensor<?x4xf32>
      %r = linalg.generic ... ins(%t : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) ...
      bufferization.materialize_in_destination %r in restrict writable %out
          : (tensor<?x4xf32>, memref<?x4xf32>) -> ()
      return
    }
    ```

    After:

    ```mlir
    func.func @k(%x: memref<?x4xf32>, %out: memref<?x4xf32>) {
      linalg.generic ... ins(%x : memref<?x4xf32>) outs(%out : memref<?x4xf32>) ...
      return
    }
    ```
  }];
  let dependentDialects = [
    "mlir::bufferization::BufferizationDialect",
    "mlir::memref::MemRefDialect",
  ];
}

def StackTemporaries : Pass<"ae-stack-temporaries", "mlir::func::FuncOp"> {
  let summary = "Put small temporaries of bounded dynamic size on the stack";
  let description = [{
    A tile of a dynamic remainder (the batch rows past the last multiple of
    the 16-row tile) needs a temporary whose leading size is dynamic but
    bounded: `memref.alloc(%rem) : memref<?x16xf32>`, %rem < 16. On the
    heap, inside a loop that threads share, every thread allocates it at
    the same time: the runtime's cache of freed blocks then needs a block
    per thread that overlaps there, and calls allocate until they once
    have. This pass replaces each `memref.alloc` whose only dynamic size is
    the leading one, with a constant upper bound
    (`ValueBoundsConstraintSet`), at most `max-bytes` bytes at that bound,
    and one `memref.dealloc` in its own block, by a `memref.alloca` of the
    bound, viewed as the original type (`memref.reinterpret_cast`); the
    dealloc goes. The buffer stays where the alloc was, inside any loop that
    `ae-parallelize` outlines; `ae-hoist-allocas` moves it to the entry of
    the function it ends up in. Run after buffer deallocation.

    Before:

    ```mlir
    %lo = affine.apply affine_map<()[s0] -> ((s0 floordiv 16) * 16)>()[%n]
    scf.for %i = %lo to %n step %c16 {
      %rem = affine.apply affine_map<(d0)[s0] -> (-d0 + s0)>(%i)[%n]
      %t = memref.alloc(%rem) {alignment = 64 : i64} : memref<?x16xf32>
      ...
      memref.dealloc %t : memref<?x16xf32>
    }
    ```

    After:

    ```mlir
    scf.for %i = %lo to %n step %c16 {
      %rem = affine.apply affine_map<(d0)[s0] -> (-d0 + s0)>(%i)[%n]
      %b = memref.alloca() : memref<15x16xf32>
      %t = memref.reinterpret_cast %b to offset: [0], sizes: [%rem, 16], strides: [16, 1]
          : memref<15x16xf32> to memref<?x16xf32>
      ...
    }
    ```
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "int64_t", "16384",
           "Largest temporary (at its bound) put on the stack">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def HoistAllocas : Pass<"ae-hoist-allocas", "mlir::func::FuncOp"> {
  let summary = "Move static stack buffers to the entry block";
  let description = [{
    LLVM treats an `alloca` outside the entry block as a dynamic one: in a
    loop, the stack grows with every iteration until the function returns.
    This pass moves each static, operand-less `memref.alloca` to the start
    of its function's entry block, unless it is inside a parallel loop or
    region (each iteration or thread needs its own buffer) or an
    `memref.alloca_scope`. Run after `ae-parallelize` and
    `ae-merge-functions`: a buffer of a loop that threads share is then in
    the outlined body, one per thread's call.

    Before:

    ```mlir
    func.func private @k__par0(%lo: index, %hi: index, ...) {
      scf.for %j = %lo to %hi step %c16 {
        %b = memref.alloca() : memref<15x16xf32>
        ...
      }
      return
    }
    ```

    After:

    ```mlir
    func.func private @k__par0(%lo: index, %hi: index, ...) {
      %b = memref.alloca() : memref<15x16xf32>
      scf.for %j = %lo to %hi step %c16 {
        ...
      }
      return
    }
    ```
  }];
}

def SplitEmptyTensors : Pass<"ae-split-empty-tensors", "mlir::func::FuncOp"> {
  let summary = "Give every use of a tensor.empty its own tensor.empty";
  let description = [{
    CSE merges all `tensor.empty` ops of one type into one value: in a deep
    model, one `tensor.empty(%n) : tensor<?x64xf32>` then seeds the output
    of every layer. One-Shot Bufferize puts all tensors that may share a
    buffer into one alias set and checks every write in it against every
    read, so one shared empty tensor makes its analysis quadratic in the
    number of layers (a 100-layer MLP: 58 s in one-shot-bufferize and 134 s
    for the whole lowering, against 4 s and 31 s with this pass, measured
    with aec-opt --mlir-timing on a loaded 2-core machine). An empty tensor
    has no contents, so a separate one per use means the same thing, and
    each alias set stays one layer's. Run right before one-shot-bufferize (CSE
    would merge them again).

    Only a `tensor.empty` with at least `min-uses` uses is split: a shared
    one can let bufferization give two layers one buffer, so splitting
    changes the generated code (more, separate temporaries), while with few
    uses the quadratic term stays small. The examples'
    models (at most 12 uses) compile as without the pass; a 10-layer MLP
    (39 uses) is split.
  }];
  let options = [
    Option<"minUses", "min-uses", "unsigned", "16",
           "Least uses of a tensor.empty for it to be split">,
    Option<"splitFills", "split-fills", "bool", "false",
           "Also give each use of a linalg.fill of a tensor.empty its own "
           "fill (before empty-tensor elimination: a fill shared by several "
           "results makes all but one of them a copied temporary)">,
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

#endif // AEC_PIPELINE_PASSES
