//===- Convolution.h - Convolutions as contractions -------------*- C++ -*-===//
//
// Building blocks shared by ae-to-linalg and the CPU schedule to express 2-D
// convolutions (NCHW, square kernels) with contractions, which the
// schedule turns into vectorized register tiles: im2col for convolutions
// and weight gradients, contraction + col2im for transposed convolutions.
//
//===----------------------------------------------------------------------===//

#ifndef AEC_PIPELINE_CONVOLUTION_H
#define AEC_PIPELINE_CONVOLUTION_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

namespace aec {

/// cols[i, (c, a, b), (y, x)] = xPadded[i, c, y s + a, x s + b] for a
/// k x k kernel, as a [n, C k k, outH outW] tensor (im2col of an already
/// zero-padded NCHW input).
mlir::Value buildIm2Col(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value xPadded, int64_t k, int64_t stride,
                        int64_t outH, int64_t outW);

/// A linalg.generic contraction out += lhs * rhs over the loops of the maps
/// (mul + add body, f32).
mlir::Value
buildContraction(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                 mlir::AffineMap lhsMap, mlir::Value rhs,
                 mlir::AffineMap rhsMap, mlir::Value init,
                 mlir::AffineMap initMap,
                 llvm::ArrayRef<mlir::utils::IteratorType> iterators);

/// The convolution of an already padded NCHW input with an FCHW weight, as
/// im2col + a contraction batched over the examples; the result has `type`
/// [n, F, outH, outW] and is accumulated into `init` (same type).
mlir::Value buildConvAsContraction(mlir::OpBuilder &b, mlir::Location loc,
                                   mlir::Value xPadded, mlir::Value weight,
                                   mlir::Value init, int64_t stride);

} // namespace aec

#endif // AEC_PIPELINE_CONVOLUTION_H
