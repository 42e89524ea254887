// RUN: aec-backend %s --run-passes="func.func(ae-lower-vectors{stage=2})" | FileCheck %s

// A 16x16 transpose (the packing of a weight for dY W^T) becomes the
// AVX-512 unpack/shuffle sequence on 16-float rows, not one shuffle of the
// whole 256-element vector (which LLVM turned into about 450 instructions).
// CHECK-LABEL: func.func @transpose16x16(
// CHECK-NOT: vector<256xf32>
// CHECK: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK-NOT: vector<256xf32>
// CHECK: return
func.func @transpose16x16(%a: vector<16x16xf32>) -> vector<16x16xf32> {
  %t = vector.transpose %a, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
  return %t : vector<16x16xf32>
}

// Other shapes keep the 1-D shuffle.
// CHECK-LABEL: func.func @transpose4x16(
// CHECK: vector.shuffle {{.*}} : vector<64xf32>, vector<64xf32>
func.func @transpose4x16(%a: vector<4x16xf32>) -> vector<16x4xf32> {
  %t = vector.transpose %a, [1, 0] : vector<4x16xf32> to vector<16x4xf32>
  return %t : vector<16x4xf32>
}
