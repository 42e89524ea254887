// RUN: aec-opt %s --split-input-file --ae-stack-temporaries | FileCheck %s
// RUN: aec-opt %s --split-input-file --ae-stack-temporaries='max-bytes=512' | FileCheck %s --check-prefix=SMALL

// A batch-remainder tile's temporary: its rows are n - (n floordiv 16) * 16
// at most, so 15. It becomes a 15x16 stack buffer in its place, viewed as
// the original type, without the alloc's over-alignment (it would make
// LLVM realign the frame); its dealloc goes.
// CHECK-LABEL: func.func @remainder(
// CHECK-SAME: %[[N:.*]]: index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} {
// CHECK: %[[REM:.*]] = affine.apply #{{.*}}(%[[I]])[%[[N]]]
// CHECK: %[[BUF:.*]] = memref.alloca() : memref<15x16xf32>
// CHECK: %[[VIEW:.*]] = memref.reinterpret_cast %[[BUF]] to offset: [0], sizes: [%[[REM]], 16], strides: [16, 1] : memref<15x16xf32> to memref<?x16xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[VIEW]] : memref<?x16xf32>)
// CHECK-NOT: memref.alloc(
// CHECK-NOT: memref.dealloc
// 15 x 16 floats are 960 bytes: over max-bytes=512, kept on the heap.
// SMALL-LABEL: func.func @remainder(
// SMALL: memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x16xf32>
// SMALL: memref.dealloc
func.func @remainder(%n: index, %x: f32) {
  %c16 = arith.constant 16 : index
  %lo = affine.apply affine_map<()[s0] -> ((s0 floordiv 16) * 16)>()[%n]
  scf.for %i = %lo to %n step %c16 {
    %rem = affine.apply affine_map<(d0)[s0] -> (-d0 + s0)>(%i)[%n]
    %t = memref.alloc(%rem) {alignment = 64 : i64} : memref<?x16xf32>
    linalg.fill ins(%x : f32) outs(%t : memref<?x16xf32>)
    memref.dealloc %t : memref<?x16xf32>
  }
  return
}

// -----

// No constant bound on the size: stays on the heap.
// CHECK-LABEL: func.func @unbounded(
// CHECK: memref.alloc(%{{.*}}) : memref<?x16xf32>
// CHECK: memref.dealloc
func.func @unbounded(%n: index, %x: f32) {
  %t = memref.alloc(%n) : memref<?x16xf32>
  linalg.fill ins(%x : f32) outs(%t : memref<?x16xf32>)
  memref.dealloc %t : memref<?x16xf32>
  return
}

// -----

// Freed in another block (its lifetime leaves the block): stays.
// CHECK-LABEL: func.func @freed_elsewhere(
// CHECK: memref.alloc(%{{.*}}) : memref<?x16xf32>
func.func @freed_elsewhere(%n: index, %x: f32, %c: i1) {
  %c8 = arith.constant 8 : index
  %m = arith.minsi %n, %c8 : index
  %t = memref.alloc(%m) : memref<?x16xf32>
  linalg.fill ins(%x : f32) outs(%t : memref<?x16xf32>)
  scf.if %c {
    memref.dealloc %t : memref<?x16xf32>
  }
  return
}

// -----

// Inside a parallel loop: each iteration needs its own buffer, and a stack
// buffer there would be shared if hoisted. Stays.
// CHECK-LABEL: func.func @in_parallel(
// CHECK: scf.parallel
// CHECK: memref.alloc(%{{.*}}) : memref<?x16xf32>
func.func @in_parallel(%n: index, %x: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %m = arith.minsi %n, %c8 : index
    %t = memref.alloc(%m) : memref<?x16xf32>
    linalg.fill ins(%x : f32) outs(%t : memref<?x16xf32>)
    memref.dealloc %t : memref<?x16xf32>
    scf.reduce
  }
  return
}
