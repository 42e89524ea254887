// RUN: aec-opt %s --ae-prune-arguments | FileCheck %s

// ae-prune-arguments drops the arguments that internal or private
// llvm.funcs do not use, and the matching operands of their direct calls,
// until nothing changes. Exported functions and functions whose address is
// taken keep their signature.

// CHECK-LABEL: llvm.func @kernel(
// CHECK-SAME: %[[A:.*]]: i64, %[[B:.*]]: i64, %[[P:.*]]: !llvm.ptr, %[[Q:.*]]: !llvm.ptr)
// CHECK: llvm.call @body(%[[A]], %[[B]], %[[Q]]) : (i64, i64, !llvm.ptr) -> ()
// CHECK: llvm.call @forward(%[[A]]) : (i64) -> ()
// CHECK: llvm.call @taken(%[[A]], %[[B]]) : (i64, i64) -> ()
llvm.func @kernel(%a: i64, %b: i64, %p: !llvm.ptr, %q: !llvm.ptr) {
  llvm.call @body(%a, %b, %p, %q, %a) : (i64, i64, !llvm.ptr, !llvm.ptr, i64) -> ()
  llvm.call @forward(%a, %p) : (i64, !llvm.ptr) -> ()
  llvm.call @taken(%a, %b) : (i64, i64) -> ()
  llvm.return
}

// Only %lo, %hi and %data are used.
// CHECK: llvm.func internal @body(%[[LO:.*]]: i64, %[[HI:.*]]: i64, %[[DATA:.*]]: !llvm.ptr)
// CHECK: llvm.store %[[LO]], %[[DATA]]
// CHECK: llvm.store %[[HI]], %[[DATA]]
llvm.func internal @body(%lo: i64, %hi: i64, %alloc: !llvm.ptr, %data: !llvm.ptr, %off: i64) {
  llvm.store %lo, %data : i64, !llvm.ptr
  llvm.store %hi, %data : i64, !llvm.ptr
  llvm.return
}

// %p is only passed on to @sink, which does not use it: gone from both.
// CHECK: llvm.func private @forward(%[[X:.*]]: i64)
// CHECK: llvm.call @sink(%[[X]]) : (i64) -> ()
// CHECK: llvm.func private @sink(%{{.*}}: i64)
llvm.func private @forward(%x: i64, %p: !llvm.ptr) {
  llvm.call @sink(%x, %p) : (i64, !llvm.ptr) -> ()
  llvm.return
}
llvm.func private @sink(%x: i64, %p: !llvm.ptr) {
  %one = llvm.mlir.constant(1 : i64) : i64
  %y = llvm.add %x, %one : i64
  llvm.return
}

// Its address is taken: kept as it is.
// CHECK: llvm.func internal @taken(%{{.*}}: i64, %{{.*}}: i64)
llvm.func internal @taken(%x: i64, %unused: i64) {
  llvm.return
}
llvm.mlir.global internal constant @table() : !llvm.ptr {
  %0 = llvm.mlir.addressof @taken : !llvm.ptr
  llvm.return %0 : !llvm.ptr
}

// Exported: kept as it is.
// CHECK: llvm.func @exported(%{{.*}}: i64, %{{.*}}: i64)
llvm.func @exported(%x: i64, %unused: i64) {
  llvm.return
}
