// RUN: aec-opt %s --ae-hoist-allocas | FileCheck %s

// Static stack buffers in loops move to the start of the entry block (one
// slot per call, not one per iteration); in a parallel region or an
// alloca_scope, and with dynamic sizes, they stay.

// CHECK-LABEL: func.func private @body(
// CHECK: %[[B:.*]] = memref.alloca() {alignment = 64 : i64} : memref<15x16xf32>
// CHECK-NEXT: scf.for
// CHECK-NOT: memref.alloca
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[B]] : memref<15x16xf32>)
func.func private @body(%lo: index, %hi: index, %x: f32) {
  %c16 = arith.constant 16 : index
  scf.for %j = %lo to %hi step %c16 {
    %b = memref.alloca() {alignment = 64 : i64} : memref<15x16xf32>
    linalg.fill ins(%x : f32) outs(%b : memref<15x16xf32>)
  }
  return
}

// CHECK-LABEL: func.func @kept(
// CHECK: scf.parallel
// CHECK: memref.alloca() : memref<4xf32>
// CHECK: memref.alloca_scope
// CHECK: memref.alloca() : memref<8xf32>
// CHECK: scf.for
// CHECK: memref.alloca(%{{.*}}) : memref<?xf32>
func.func @kept(%n: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %a = memref.alloca() : memref<4xf32>
    linalg.fill ins(%x : f32) outs(%a : memref<4xf32>)
    scf.reduce
  }
  memref.alloca_scope {
    %s = memref.alloca() : memref<8xf32>
    linalg.fill ins(%x : f32) outs(%s : memref<8xf32>)
  }
  scf.for %i = %c0 to %n step %c1 {
    %d = memref.alloca(%i) : memref<?xf32>
    linalg.fill ins(%x : f32) outs(%d : memref<?xf32>)
  }
  return
}
