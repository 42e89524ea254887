// RUN: aec-opt %s --ae-merge-functions | FileCheck %s

// ae-merge-functions keeps the first of each set of private functions that
// are the same, up to the values of "address constants" (index constants
// used only as load/store/transfer indices or passed to private
// functions), which become trailing arguments; calls pass each merged
// function's own values. Loop bounds and steps are not address constants:
// a function that differs in one stays.

// CHECK-LABEL: func.func @kernel(
// CHECK-SAME: %[[M:.*]]: memref<64xf32>, %[[N:.*]]: index
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: call @kernel__par0(%[[C0]], %[[N]], %[[M]], %[[C8]]) : (index, index, memref<64xf32>, index) -> ()
// CHECK: %[[C8B:.*]] = arith.constant 8 : index
// CHECK: call @kernel__par0(%[[C0]], %[[N]], %[[M]], %[[C8B]])
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: call @kernel__par0(%[[C0]], %[[N]], %[[M]], %[[C16]])
// CHECK: call @kernel__par3(%[[C0]], %[[N]], %[[M]]) : (index, index, memref<64xf32>) -> ()
// The callers of merged functions became the same, and merged in turn.
// CHECK: call @outer0(%[[M]])
// CHECK: call @outer0(%[[M]])
// CHECK: return
func.func @kernel(%m: memref<64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  call @kernel__par0(%c0, %n, %m) : (index, index, memref<64xf32>) -> ()
  call @kernel__par1(%c0, %n, %m) : (index, index, memref<64xf32>) -> ()
  call @kernel__par2(%c0, %n, %m) : (index, index, memref<64xf32>) -> ()
  call @kernel__par3(%c0, %n, %m) : (index, index, memref<64xf32>) -> ()
  call @outer0(%m) : (memref<64xf32>) -> ()
  call @outer1(%m) : (memref<64xf32>) -> ()
  return
}

// The kept body reads at its new argument.
// CHECK: func.func private @kernel__par0(%[[LO:.*]]: index, %[[HI:.*]]: index, %[[MB:.*]]: memref<64xf32>, %[[AT:.*]]: index)
// CHECK: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NOT: arith.constant
// CHECK: scf.for %[[I:.*]] = %[[LO]] to %[[HI]] step %[[ONE]]
// CHECK: memref.load %[[MB]][%[[AT]]]
// CHECK: memref.store %{{.*}}, %[[MB]][%[[I]]]
func.func private @kernel__par0(%lo: index, %hi: index, %m: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %lo to %hi step %c1 {
    %v = memref.load %m[%c8] : memref<64xf32>
    memref.store %v, %m[%i] : memref<64xf32>
  }
  return
}

// The same function under another name: merged.
// CHECK-NOT: func.func private @kernel__par1
func.func private @kernel__par1(%lo: index, %hi: index, %m: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %lo to %hi step %c1 {
    %v = memref.load %m[%c8] : memref<64xf32>
    memref.store %v, %m[%i] : memref<64xf32>
  }
  return
}

// The same but for the address it loads from: merged, with 16 passed.
// CHECK-NOT: func.func private @kernel__par2
func.func private @kernel__par2(%lo: index, %hi: index, %m: memref<64xf32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %lo to %hi step %c1 {
    %v = memref.load %m[%c16] : memref<64xf32>
    memref.store %v, %m[%i] : memref<64xf32>
  }
  return
}

// Another loop step: kept, with its constants.
// CHECK: func.func private @kernel__par3(
// CHECK: arith.constant 2 : index
// CHECK: arith.constant 8 : index
func.func private @kernel__par3(%lo: index, %hi: index, %m: memref<64xf32>) {
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %lo to %hi step %c2 {
    %v = memref.load %m[%c8] : memref<64xf32>
    memref.store %v, %m[%i] : memref<64xf32>
  }
  return
}

// Two callers of different but mergeable functions.
// CHECK: func.func private @outer0(
// CHECK-NOT: func.func private @outer1
// CHECK-NOT: func.func private @leaf1
func.func private @outer0(%m: memref<64xf32>) {
  call @leaf0(%m) : (memref<64xf32>) -> ()
  return
}
func.func private @outer1(%m: memref<64xf32>) {
  call @leaf1(%m) : (memref<64xf32>) -> ()
  return
}
func.func private @leaf0(%m: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %m[%c0] : memref<64xf32>
  memref.store %v, %m[%c0] : memref<64xf32>
  return
}
func.func private @leaf1(%m: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %m[%c0] : memref<64xf32>
  memref.store %v, %m[%c0] : memref<64xf32>
  return
}

// Public functions are never merged, however alike.
// CHECK: func.func @public0(
// CHECK: func.func @public1(
func.func @public0(%m: memref<64xf32>) {
  return
}
func.func @public1(%m: memref<64xf32>) {
  return
}
