//===- FakeModel.cpp - Descriptors with plain C++ kernels for tests -------===//

#include "FakeModel.h"

#include <cstring>

namespace aert_test {

KernelLog kernelLog;

namespace {

constexpr int64_t D = kLinearInput, L = kLinearLatent;
constexpr int64_t kEncW = 0, kEncB = 6, kDecW = 8, kDecB = 14;

const float *at(const aert_memref2d *m, int64_t row) {
  return m->aligned + m->offset + row * m->strides[0];
}

void logBatch(const aert_memref2d *in) {
  kernelLog.calls++;
  kernelLog.x = in->aligned;
  kernelLog.inSizes[0] = in->sizes[0];
  kernelLog.inSizes[1] = in->sizes[1];
  kernelLog.inStrides[0] = in->strides[0];
  kernelLog.inStrides[1] = in->strides[1];
  kernelLog.inOffset = in->offset;
}

void encodeRow(const float *p, const float *x, float *z) {
  for (int64_t j = 0; j < L; ++j) {
    float s = p[kEncB + j];
    for (int64_t i = 0; i < D; ++i)
      s += x[i] * p[kEncW + i * L + j];
    z[j] = s;
  }
}

void decodeRow(const float *p, const float *z, float *x) {
  for (int64_t i = 0; i < D; ++i) {
    float s = p[kDecB + i];
    for (int64_t j = 0; j < L; ++j)
      s += z[j] * p[kDecW + j * D + i];
    x[i] = s;
  }
}

/// Mean over the batch of the mean squared error; adds its gradient to
/// `grad` if non-null.
float lossAndGrad(const float *p, const aert_memref2d *x, float *grad) {
  int64_t n = x->sizes[0];
  if (grad)
    memset(grad, 0, sizeof(float) * kLinearParams);
  double total = 0;
  for (int64_t r = 0; r < n; ++r) {
    const float *xr = at(x, r);
    float z[L], xh[D], dxh[D], dz[L] = {0, 0};
    encodeRow(p, xr, z);
    decodeRow(p, z, xh);
    for (int64_t i = 0; i < D; ++i) {
      float e = xh[i] - xr[i];
      total += double(e) * e / D;
      dxh[i] = 2.0f * e / D / float(n);
    }
    if (!grad)
      continue;
    for (int64_t i = 0; i < D; ++i) {
      grad[kDecB + i] += dxh[i];
      for (int64_t j = 0; j < L; ++j) {
        grad[kDecW + j * D + i] += z[j] * dxh[i];
        dz[j] += p[kDecW + j * D + i] * dxh[i];
      }
    }
    for (int64_t j = 0; j < L; ++j) {
      grad[kEncB + j] += dz[j];
      for (int64_t i = 0; i < D; ++i)
        grad[kEncW + i * L + j] += xr[i] * dz[j];
    }
  }
  return float(total / double(n));
}

float linearLoss(aert_memref1d *params, aert_memref2d *x, int64_t seed,
                 int64_t call) {
  logBatch(x);
  kernelLog.seed = seed;
  kernelLog.call = call;
  kernelLog.paramsSize = params->sizes[0];
  return lossAndGrad(params->aligned, x, nullptr);
}

float linearGrad(aert_memref1d *params, aert_memref2d *x, int64_t seed,
                 int64_t call, aert_memref1d *grad) {
  logBatch(x);
  kernelLog.seed = seed;
  kernelLog.call = call;
  kernelLog.paramsSize = params->sizes[0];
  kernelLog.gradSize = grad->sizes[0];
  kernelLog.out = grad->aligned;
  return lossAndGrad(params->aligned, x, grad->aligned);
}

void sgdUpdate(float *p, float *state, const float *grad, int64_t step) {
  for (int64_t i = 0; i < kLinearParams; ++i)
    p[i] -= 0.05f * grad[i];
  state[0] += 1.0f;       // updates so far
  state[1] = float(step); // last step seen
}

float linearTrainStep(aert_memref1d *params, aert_memref1d *state,
                      aert_memref2d *x, int64_t seed, int64_t call,
                      int64_t step) {
  logBatch(x);
  kernelLog.seed = seed;
  kernelLog.call = call;
  kernelLog.step = step;
  kernelLog.paramsSize = params->sizes[0];
  kernelLog.stateSize = state->sizes[0];
  float grad[kLinearParams];
  float loss = lossAndGrad(params->aligned, x, grad);
  sgdUpdate(params->aligned, state->aligned, grad, step);
  return loss;
}

void linearApplyGrad(aert_memref1d *params, aert_memref1d *state,
                     aert_memref1d *grad, int64_t step) {
  kernelLog.calls++;
  kernelLog.step = step;
  kernelLog.gradSize = grad->sizes[0];
  sgdUpdate(params->aligned, state->aligned, grad->aligned, step);
}

void linearEncode(aert_memref1d *params, aert_memref2d *x, aert_memref2d *z) {
  logBatch(x);
  kernelLog.out = z->aligned;
  kernelLog.outSizes[0] = z->sizes[0];
  kernelLog.outSizes[1] = z->sizes[1];
  for (int64_t r = 0; r < x->sizes[0]; ++r)
    encodeRow(params->aligned, at(x, r), const_cast<float *>(at(z, r)));
}

void linearDecode(aert_memref1d *params, aert_memref2d *z, aert_memref2d *x) {
  logBatch(z);
  kernelLog.out = x->aligned;
  kernelLog.outSizes[0] = x->sizes[0];
  kernelLog.outSizes[1] = x->sizes[1];
  for (int64_t r = 0; r < z->sizes[0]; ++r)
    decodeRow(params->aligned, at(z, r), const_cast<float *>(at(x, r)));
}

void linearReconstruct(aert_memref1d *params, aert_memref2d *x,
                       aert_memref2d *xh) {
  logBatch(x);
  kernelLog.out = xh->aligned;
  kernelLog.outSizes[0] = xh->sizes[0];
  kernelLog.outSizes[1] = xh->sizes[1];
  for (int64_t r = 0; r < x->sizes[0]; ++r) {
    float z[L];
    encodeRow(params->aligned, at(x, r), z);
    decodeRow(params->aligned, z, const_cast<float *>(at(xh, r)));
  }
}

const aert_param_desc kLinearParamsTable[] = {
    {"enc.weight", kEncW, 6, 3, 2, {3, 2, 0, 0}},
    {"enc.bias", kEncB, 2, 3, 1, {2, 0, 0, 0}},
    {"dec.weight", kDecW, 6, 2, 2, {2, 3, 0, 0}},
    {"dec.bias", kDecB, 3, 2, 1, {3, 0, 0, 0}},
};

void copyRows(aert_memref2d *in, aert_memref2d *out) {
  logBatch(in);
  kernelLog.out = out->aligned;
  kernelLog.outSizes[0] = out->sizes[0];
  kernelLog.outSizes[1] = out->sizes[1];
  for (int64_t r = 0; r < in->sizes[0]; ++r)
    for (int64_t j = 0; j < in->sizes[1]; ++j)
      const_cast<float *>(at(out, r))[j] = at(in, r)[j];
}

void identityMap(aert_memref1d *, aert_memref2d *in, aert_memref2d *out) {
  copyRows(in, out);
}

const aert_param_desc kIdentityParamsTable[] = {
    {"unused.bias", 0, 1, 4, 1, {1, 0, 0, 0}},
};

} // namespace

aert_model_desc linearDesc = {
    AERT_ABI_VERSION,
    "linear",
    kLinearInput,
    1,
    {kLinearInput, 0, 0, 0},
    kLinearLatent,
    AERT_LATENT_DETERMINISTIC,
    kLinearParams,
    kLinearState,
    AERT_OPTIMIZER_ADAM,
    1e-3,
    0.9,
    0.999,
    1e-8,
    0.0,
    4,
    kLinearParamsTable,
    linearLoss,
    linearGrad,
    linearTrainStep,
    linearApplyGrad,
    linearEncode,
    linearDecode,
    linearReconstruct,
};

aert_model_desc identityDesc = {
    AERT_ABI_VERSION,
    "identity2",
    2,
    1,
    {2, 0, 0, 0},
    2,
    AERT_LATENT_DETERMINISTIC,
    1,
    0,
    AERT_OPTIMIZER_SGD,
    0.01,
    0.0,
    0.0,
    0.0,
    0.0,
    1,
    kIdentityParamsTable,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    identityMap,
    identityMap,
    identityMap,
};

aert_model_desc copyDesc(const aert_model_desc &base) { return base; }

} // namespace aert_test
