// RUN: aec-opt %s --ae-parallelize | FileCheck %s
// RUN: aec-opt %s --ae-parallelize=min-work=1000000000 | FileCheck %s --check-prefix=SERIAL

// The runtime's thread count and OpenMP's thread number, declared once.
// CHECK-DAG: func.func private @aert_parallel_threads() -> i32
// CHECK-DAG: func.func private @omp_get_thread_num() -> i32
// CHECK-DAG: func.func private @omp_get_num_threads() -> i32

// A marked loop with enough work (32 iterations of a 16x16 tile over K=784)
// is outlined and shared among threads; the mark is removed everywhere.
// The kernel calls the loop's fork function with the range and whether
// the work is worth a fork (statically known here).
// CHECK-LABEL: func.func @big(
// CHECK-SAME: %{{.*}}: memref<?x784xf32>, %[[B:.*]]: memref<784x512xf32>
// Memrefs the body only reads and writes go with a dynamic offset (layers
// of the same shape at other offsets of the parameter buffer then share
// the body).
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: %[[BD:.*]] = memref.cast %[[B]] : memref<784x512xf32> to memref<784x512xf32, strided<[512, 1], offset: ?>>
// CHECK: call @big__par0__fork(%{{.*}}, %{{.*}}, %[[TRUE]], %[[BD]])
// CHECK-NOT: ae.parallel
// CHECK: return
// The body, once, internal and not inlined, over its range [%lo, %hi); only
// the values it uses are passed (not %a), constants are cloned.
// CHECK: func.func private @big__par0(%[[LO2:.*]]: index, %[[HI2:.*]]: index, %{{.*}}: memref<784x512xf32, strided<[512, 1], offset: ?>>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: scf.for %{{.*}} = %[[LO2]] to %[[HI2]] step %[[C16]] {
// CHECK: vector.transfer_read
// CHECK: return
// The fork function: several threads when the runtime has them and the
// work is enough, each calling the body on its share; else one call.
// CHECK: func.func private @big__par0__fork(%[[LB:.*]]: index, %[[UB:.*]]: index, %[[ENOUGH:.*]]: i1, %[[B3:.*]]: memref<784x512xf32, strided<[512, 1], offset: ?>>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: %[[T:.*]] = call @aert_parallel_threads() : () -> i32
// CHECK: %[[SEVERAL:.*]] = arith.cmpi sgt, %[[T]], %{{.*}} : i32
// CHECK: %[[FORK:.*]] = arith.andi %[[SEVERAL]], %[[ENOUGH]] : i1
// CHECK: scf.if %[[FORK]] {
// CHECK:   omp.parallel num_threads(%[[T]] : i32) {
// CHECK:     %[[I:.*]] = func.call @omp_get_thread_num() : () -> i32
// CHECK:     %[[K:.*]] = func.call @omp_get_num_threads() : () -> i32
// CHECK:     func.call @big__par0(%{{.*}}, %{{.*}}, %[[B3]])
// CHECK:     omp.terminator
// CHECK: } else {
// CHECK:   func.call @big__par0(%[[LB]], %[[UB]], %[[B3]])
// CHECK: return

// SERIAL-LABEL: func.func @big(
// SERIAL-NOT: omp.parallel
// SERIAL-NOT: ae.parallel
// SERIAL: call @big__par0(
// SERIAL-NOT: omp.parallel
// SERIAL-NOT: __fork
// SERIAL-LABEL: func.func @small(
func.func @big(%a: memref<?x784xf32>, %b: memref<784x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  %c784 = arith.constant 784 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %n = %c0 to %c512 step %c16 {
    scf.for %k = %c0 to %c784 step %c1 {
      %v = vector.transfer_read %b[%k, %n], %f0 {in_bounds = [true, true]} : memref<784x512xf32>, vector<16x16xf32>
      vector.transfer_write %v, %b[%k, %n] {in_bounds = [true, true]} : vector<16x16xf32>, memref<784x512xf32>
    }
  } {ae.parallel}
  return
}

// Little work (a fill of 49 vectors) is not shared: the loop is outlined
// all the same (kernels and layers that run the same loop then share one
// function, ae-merge-functions) and called directly, with no fork function.
// CHECK-LABEL: func.func @small(
// CHECK-NOT: omp.parallel
// CHECK: call @small__par[[SMALL:[0-9]+]](%{{.*}}, %{{.*}}, %{{.*}}) : (index, index, memref<784xf32, strided<[1], offset: ?>>) -> ()
// CHECK-NEXT: return
// CHECK: func.func private @small__par[[SMALL]](
// CHECK-NOT: omp.parallel
// CHECK: scf.for
// CHECK-NOT: ae.parallel
// CHECK: return
// CHECK-NOT: @small__par{{[0-9]+}}__fork
func.func @small(%a: memref<784xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c784 = arith.constant 784 : index
  %zero = arith.constant dense<0.0> : vector<16xf32>
  scf.for %i = %c0 to %c784 step %c16 {
    vector.transfer_write %zero, %a[%i] {in_bounds = [true]} : vector<16xf32>, memref<784xf32>
  } {ae.parallel}
  return
}

// Unmarked loops are left alone, however much work they do.
// CHECK-LABEL: func.func @unmarked(
// CHECK-NOT: omp.parallel
// CHECK: scf.for
// CHECK: return
func.func @unmarked(%b: memref<784x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  %c784 = arith.constant 784 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %n = %c0 to %c512 step %c16 {
    scf.for %k = %c0 to %c784 step %c1 {
      %v = vector.transfer_read %b[%k, %n], %f0 {in_bounds = [true, true]} : memref<784x512xf32>, vector<16x16xf32>
      vector.transfer_write %v, %b[%k, %n] {in_bounds = [true, true]} : vector<16x16xf32>, memref<784x512xf32>
    }
  }
  return
}

// With the batch size dynamic, whether to fork is decided at run time from
// the work estimate: trip counts of loops whose bounds are known before the
// loop (%rows), after hoisting what the body computes from invariants. The
// kernel computes it and passes it to the fork function.
// CHECK-LABEL: func.func @dynamic(
// CHECK-SAME: %[[X:.*]]: memref<?x784xf32>
// CHECK: %[[ROWS:.*]] = memref.dim %[[X]]
// CHECK: arith.muli
// CHECK: %[[ENOUGH:.*]] = arith.cmpi sge, %{{.*}}, %c262144 : index
// CHECK: call @dynamic__par{{[0-9]+}}__fork(%{{.*}}, %{{.*}}, %[[ENOUGH]],
// CHECK: func.func private @dynamic__par
// CHECK: func.func private @dynamic__par{{[0-9]+}}__fork(
// CHECK: omp.parallel
func.func @dynamic(%x: memref<?x784xf32>, %b: memref<784x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  %f0 = arith.constant 0.0 : f32
  %rows = memref.dim %x, %c0 : memref<?x784xf32>
  scf.for %n = %c0 to %c512 step %c16 {
    %tiles = arith.divui %rows, %c16 : index
    scf.for %m = %c0 to %tiles step %c1 {
      %v = vector.transfer_read %b[%m, %n], %f0 {in_bounds = [true, true]} : memref<784x512xf32>, vector<16x16xf32>
      vector.transfer_write %v, %b[%m, %n] {in_bounds = [true, true]} : vector<16x16xf32>, memref<784x512xf32>
    }
  } {ae.parallel}
  return
}

// Nested marked loops (the N and M tile loops of a contraction): the
// outermost is shared, the inner one runs on each thread as a plain loop.
// CHECK-LABEL: func.func @nested(
// CHECK: call @nested__par[[OUTER:[0-9]+]]__fork(
// CHECK: return
// CHECK: func.func private @nested__par[[OUTER]](
// CHECK-NOT: omp.parallel
// CHECK-NOT: ae.parallel
// CHECK: return
// CHECK: func.func private @nested__par[[OUTER]]__fork(
// CHECK: omp.parallel
func.func @nested(%b: memref<784x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  %c784 = arith.constant 784 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %n = %c0 to %c512 step %c16 {
    scf.for %m = %c0 to %c784 step %c16 {
      scf.for %k = %c0 to %c16 step %c1 {
        %v = vector.transfer_read %b[%m, %n], %f0 {in_bounds = [true, true]} : memref<784x512xf32>, vector<16x16xf32>
        vector.transfer_write %v, %b[%m, %n] {in_bounds = [true, true]} : vector<16x16xf32>, memref<784x512xf32>
      }
    } {ae.parallel}
  } {ae.parallel}
  return
}

// An outer marked loop of one iteration (16 of 20 columns after peeling) is
// not worth a fork; the marked loop inside it is shared instead.
// CHECK-LABEL: func.func @one_trip(
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c16 {
// CHECK: call @one_trip__par[[INNER:[0-9]+]]__fork(
// CHECK: func.func private @one_trip__par[[INNER]](
// CHECK-NOT: omp.parallel
// CHECK: return
// CHECK: func.func private @one_trip__par[[INNER]]__fork(
// CHECK: omp.parallel
func.func @one_trip(%b: memref<784x20xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c784 = arith.constant 784 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %n = %c0 to %c16 step %c16 {
    scf.for %m = %c0 to %c784 step %c16 {
      scf.for %k = %c0 to %c784 step %c1 {
        %v = vector.transfer_read %b[%m, %n], %f0 {in_bounds = [true, true]} : memref<784x20xf32>, vector<16x16xf32>
        vector.transfer_write %v, %b[%m, %n] {in_bounds = [true, true]} : vector<16x16xf32>, memref<784x20xf32>
      }
    } {ae.parallel}
  } {ae.parallel}
  return
}
