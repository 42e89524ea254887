//===- Model.cpp - aert_model_*: the runtime side of the generated API ----===//
//
// The generated object's C API (M_create, M_train_step, ...) forwards here.
// The model object owns the buffers, the RNG state and the latent statistics,
// and calls the generated kernels through the descriptor's function
// pointers with MLIR memref descriptors wrapping the caller's buffers.
//
//===----------------------------------------------------------------------===//

#include "runtime/Model.h"
#include "runtime/Internal.h"
#include "runtime/Random.h"
#include "runtime/aert.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <new>

using aert::setError;

namespace {

constexpr int64_t kFitChunkRows = 256;

float nan() { return std::numeric_limits<float>::quiet_NaN(); }

aert_memref1d flat(float *data, int64_t size) {
  aert_memref1d ref;
  ref.allocated = data;
  ref.aligned = data;
  ref.offset = 0;
  ref.sizes[0] = size;
  ref.strides[0] = 1;
  return ref;
}

/// A row-major [rows, cols] view of a caller's buffer. Kernels never write
/// their inputs, so casting const away for inputs is safe.
aert_memref2d batch(const float *data, int64_t rows, int64_t cols) {
  aert_memref2d ref;
  ref.allocated = const_cast<float *>(data);
  ref.aligned = const_cast<float *>(data);
  ref.offset = 0;
  ref.sizes[0] = rows;
  ref.sizes[1] = cols;
  ref.strides[0] = cols;
  ref.strides[1] = 1;
  return ref;
}

bool validateDescriptor(const aert_model_desc *desc) {
  if (!desc) {
    setError("aert_model_create: NULL model descriptor");
    return false;
  }
  if (desc->abi_version != AERT_ABI_VERSION) {
    setError("aert_model_create: model object has ABI version %lld but this "
             "runtime implements ABI version %d; recompile the model with a "
             "matching aec",
             (long long)desc->abi_version, AERT_ABI_VERSION);
    return false;
  }
  const char *name = desc->name ? desc->name : "(unnamed)";
  if (desc->input_size < 1 || desc->latent_size < 1 || desc->param_count < 0 ||
      desc->state_count < 0 || desc->num_params < 0 ||
      (desc->num_params > 0 && !desc->params)) {
    setError("aert_model_create: descriptor of model '%s' is malformed "
             "(input_size %lld, latent_size %lld, param_count %lld, "
             "state_count %lld, num_params %lld)",
             name, (long long)desc->input_size, (long long)desc->latent_size,
             (long long)desc->param_count, (long long)desc->state_count,
             (long long)desc->num_params);
    return false;
  }
  // Limits that keep every byte count below 2^62 (no overflow anywhere).
  constexpr int64_t kMaxCount = int64_t(1) << 59, kMaxLatent = 1 << 24;
  if (desc->param_count > kMaxCount || desc->state_count > kMaxCount ||
      desc->input_size > kMaxCount || desc->latent_size > kMaxLatent) {
    setError("aert_model_create: model '%s' is too large", name);
    return false;
  }
  for (int64_t i = 0; i < desc->num_params; ++i) {
    const aert_param_desc &p = desc->params[i];
    if (p.offset < 0 || p.size < 0 || p.offset > desc->param_count ||
        p.size > desc->param_count - p.offset || p.fan_in < 1) {
      setError("aert_model_create: parameter '%s' of model '%s' is malformed "
               "(offset %lld, size %lld, fan_in %lld, param_count %lld)",
               p.name ? p.name : "?", name, (long long)p.offset,
               (long long)p.size, (long long)p.fan_in,
               (long long)desc->param_count);
      return false;
    }
  }
  return true;
}

/// PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and
/// bias, drawn from stream 0 / call 0 with the element's offset in the flat
/// buffer as the counter index.
void initializeParams(aert_model *m) {
  const aert_model_desc *desc = m->desc;
  for (int64_t i = 0; i < desc->num_params; ++i) {
    const aert_param_desc &p = desc->params[i];
    float bound = float(1.0 / std::sqrt(double(p.fan_in)));
    for (int64_t e = 0; e < p.size; ++e) {
      uint64_t index = uint64_t(p.offset + e);
      float u = aert_uniform(m->seed, AERT_STREAM_INIT, 0, index);
      m->params[p.offset + e] = (2.0f * u - 1.0f) * bound;
    }
  }
}

/// Common checks for calls taking a batch. Returns false (error set) if the
/// call must do nothing.
bool checkBatch(const aert_model *m, const char *what, const void *in,
                int64_t n, const void *out, bool needsOut) {
  if (!m) {
    setError("%s: NULL model", what);
    return false;
  }
  if (n < 1) {
    setError("%s: batch size n = %lld, must be >= 1", what, (long long)n);
    return false;
  }
  if (!in || (needsOut && !out)) {
    setError("%s: NULL buffer", what);
    return false;
  }
  return true;
}

bool checkKernel(const aert_model *m, const char *what, const void *fn) {
  if (fn)
    return true;
  setError("%s: model '%s' has no such kernel", what,
           m->desc->name ? m->desc->name : "?");
  return false;
}

/// Makes room for `rows` latent codes; grows only, so steady-state calls
/// do not allocate.
bool reserveCodes(aert_model *m, int64_t rows) {
  if (rows <= m->scratchRows)
    return true;
  int64_t latent = m->desc->latent_size;
  if (rows >
      std::numeric_limits<int64_t>::max() / int64_t(sizeof(float)) / latent) {
    setError("batch of %lld rows is too large", (long long)rows);
    return false;
  }
  float *codes =
      static_cast<float *>(aert_alloc(size_t(rows * latent) * sizeof(float)));
  if (!codes)
    return false;
  aert_free(m->scratchCodes);
  m->scratchCodes = codes;
  m->scratchRows = rows;
  return true;
}

/// In-place Cholesky of the symmetric a (lower triangle used) into l.
/// Fails on a pivot that is not clearly positive.
bool cholesky(const double *a, double *l, int64_t n) {
  double maxDiag = 0;
  for (int64_t i = 0; i < n; ++i)
    maxDiag = std::fmax(maxDiag, std::fabs(a[i * n + i]));
  double tiny = 1e-12 * maxDiag;
  for (int64_t i = 0; i < n * n; ++i)
    l[i] = 0;
  for (int64_t j = 0; j < n; ++j) {
    double pivot = a[j * n + j];
    for (int64_t k = 0; k < j; ++k)
      pivot -= l[j * n + k] * l[j * n + k];
    if (!(pivot > tiny) || !std::isfinite(pivot))
      return false;
    double diag = std::sqrt(pivot);
    l[j * n + j] = diag;
    for (int64_t i = j + 1; i < n; ++i) {
      double sum = a[i * n + j];
      for (int64_t k = 0; k < j; ++k)
        sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = sum / diag;
    }
  }
  return true;
}

} // namespace

extern "C" aert_model *aert_model_create(const aert_model_desc *desc,
                                         uint64_t seed) {
  if (!validateDescriptor(desc))
    return nullptr;
  aert_model *m = new (std::nothrow) aert_model;
  if (!m) {
    setError("aert_model_create: out of memory");
    return nullptr;
  }
  m->desc = desc;
  m->seed = seed;
  int64_t latent = desc->latent_size;
  m->params = static_cast<float *>(
      aert_alloc(size_t(desc->param_count) * sizeof(float)));
  m->state = static_cast<float *>(
      aert_alloc(size_t(desc->state_count) * sizeof(float)));
  m->latentMean =
      static_cast<double *>(aert_alloc(size_t(latent) * sizeof(double)));
  m->latentChol = static_cast<double *>(
      aert_alloc(size_t(latent) * size_t(latent) * sizeof(double)));
  if (!m->params || !m->state || !m->latentMean || !m->latentChol) {
    setError("aert_model_create: out of memory allocating model '%s' (%lld "
             "parameters)",
             desc->name ? desc->name : "?", (long long)desc->param_count);
    aert_model_destroy(m);
    return nullptr;
  }
  memset(m->params, 0, size_t(desc->param_count) * sizeof(float));
  memset(m->state, 0, size_t(desc->state_count) * sizeof(float));
  initializeParams(m);
  return m;
}

extern "C" void aert_model_destroy(aert_model *m) {
  if (!m)
    return;
  aert_free(m->params);
  aert_free(m->state);
  aert_free(m->latentMean);
  aert_free(m->latentChol);
  aert_free(m->scratchCodes);
  delete m;
}

extern "C" const aert_model_desc *aert_model_descriptor(const aert_model *m) {
  return m ? m->desc : nullptr;
}

extern "C" float *aert_model_params(aert_model *m) {
  return m ? m->params : nullptr;
}

extern "C" void aert_model_set_seed(aert_model *m, uint64_t seed) {
  if (!m) {
    setError("aert_model_set_seed: NULL model");
    return;
  }
  m->seed = seed;
  m->call = 0;
}

extern "C" float aert_model_train_step(aert_model *m, const float *x,
                                       int64_t n) {
  const char *what = "train_step";
  if (!checkBatch(m, what, x, n, nullptr, false) ||
      !checkKernel(m, what, (const void *)m->desc->train_step))
    return nan();
  const aert_model_desc *desc = m->desc;
  aert_memref1d params = flat(m->params, desc->param_count);
  aert_memref1d state = flat(m->state, desc->state_count);
  aert_memref2d batchRef = batch(x, n, desc->input_size);
  uint64_t call = m->call++;
  float loss = desc->train_step(&params, &state, &batchRef, int64_t(m->seed),
                                int64_t(call), int64_t(m->step + 1));
  ++m->step;
  return loss;
}

extern "C" float aert_model_loss(aert_model *m, const float *x, int64_t n) {
  const char *what = "loss";
  if (!checkBatch(m, what, x, n, nullptr, false) ||
      !checkKernel(m, what, (const void *)m->desc->loss))
    return nan();
  aert_memref1d params = flat(m->params, m->desc->param_count);
  aert_memref2d batchRef = batch(x, n, m->desc->input_size);
  uint64_t call = m->call++;
  return m->desc->loss(&params, &batchRef, int64_t(m->seed), int64_t(call));
}

extern "C" float aert_model_grad(aert_model *m, const float *x, int64_t n,
                                 float *grad) {
  const char *what = "grad";
  if (!checkBatch(m, what, x, n, grad, true) ||
      !checkKernel(m, what, (const void *)m->desc->grad))
    return nan();
  aert_memref1d params = flat(m->params, m->desc->param_count);
  aert_memref2d batchRef = batch(x, n, m->desc->input_size);
  aert_memref1d gradRef = flat(grad, m->desc->param_count);
  uint64_t call = m->call++;
  return m->desc->grad(&params, &batchRef, int64_t(m->seed), int64_t(call),
                       &gradRef);
}

extern "C" void aert_model_apply_grad(aert_model *m, const float *grad) {
  const char *what = "apply_grad";
  if (!m) {
    setError("%s: NULL model", what);
    return;
  }
  if (!grad) {
    setError("%s: NULL gradient", what);
    return;
  }
  if (!checkKernel(m, what, (const void *)m->desc->apply_grad))
    return;
  aert_memref1d params = flat(m->params, m->desc->param_count);
  aert_memref1d state = flat(m->state, m->desc->state_count);
  aert_memref1d gradRef = flat(const_cast<float *>(grad), m->desc->param_count);
  m->desc->apply_grad(&params, &state, &gradRef, int64_t(m->step + 1));
  ++m->step;
}

namespace {
void runMap(aert_model *m, const char *what, aert_map_fn fn, const float *in,
            int64_t inCols, int64_t n, float *out, int64_t outCols) {
  if (!checkBatch(m, what, in, n, out, true) ||
      !checkKernel(m, what, (const void *)fn))
    return;
  aert_memref1d params = flat(m->params, m->desc->param_count);
  aert_memref2d inRef = batch(in, n, inCols);
  aert_memref2d outRef = batch(out, n, outCols);
  fn(&params, &inRef, &outRef);
}
} // namespace

extern "C" void aert_model_encode(aert_model *m, const float *x, int64_t n,
                                  float *z) {
  if (!m) {
    setError("encode: NULL model");
    return;
  }
  runMap(m, "encode", m->desc->encode, x, m->desc->input_size, n, z,
         m->desc->latent_size);
}

extern "C" void aert_model_decode(aert_model *m, const float *z, int64_t n,
                                  float *x_hat) {
  if (!m) {
    setError("decode: NULL model");
    return;
  }
  runMap(m, "decode", m->desc->decode, z, m->desc->latent_size, n, x_hat,
         m->desc->input_size);
}

extern "C" void aert_model_reconstruct(aert_model *m, const float *x, int64_t n,
                                       float *x_hat) {
  if (!m) {
    setError("reconstruct: NULL model");
    return;
  }
  runMap(m, "reconstruct", m->desc->reconstruct, x, m->desc->input_size, n,
         x_hat, m->desc->input_size);
}

extern "C" void aert_model_fit_latent(aert_model *m, const float *x,
                                      int64_t n) {
  const char *what = "fit_latent";
  if (!checkBatch(m, what, x, n, nullptr, false) ||
      !checkKernel(m, what, (const void *)m->desc->encode))
    return;
  const aert_model_desc *desc = m->desc;
  const int64_t latent = desc->latent_size;
  const int64_t inputs = desc->input_size;
  if (!reserveCodes(m, n < kFitChunkRows ? n : kFitChunkRows))
    return;

  // sums[L], cross[L*L], cov[L*L], chol[L*L] and the shift[L], in doubles.
  size_t count = size_t(latent) * (3 * size_t(latent) + 2);
  double *work = static_cast<double *>(aert_alloc(count * sizeof(double)));
  if (!work) {
    setError("%s: out of memory for the latent statistics", what);
    return;
  }
  double *shift = work;
  double *sums = shift + latent;
  double *cross = sums + latent;
  double *cov = cross + latent * latent;
  double *chol = cov + latent * latent;
  memset(work, 0, count * sizeof(double));

  // Accumulate around the first code (a shift) so that the one-pass
  // covariance does not cancel catastrophically when the mean is large.
  aert_memref1d params = flat(m->params, desc->param_count);
  for (int64_t first = 0; first < n; first += kFitChunkRows) {
    int64_t rows = n - first < kFitChunkRows ? n - first : kFitChunkRows;
    aert_memref2d in = batch(x + first * inputs, rows, inputs);
    aert_memref2d out = batch(m->scratchCodes, rows, latent);
    desc->encode(&params, &in, &out);
    if (first == 0)
      for (int64_t j = 0; j < latent; ++j)
        shift[j] = m->scratchCodes[j];
    for (int64_t r = 0; r < rows; ++r) {
      const float *code = m->scratchCodes + r * latent;
      for (int64_t i = 0; i < latent; ++i) {
        double di = double(code[i]) - shift[i];
        sums[i] += di;
        for (int64_t j = 0; j <= i; ++j)
          cross[i * latent + j] += di * (double(code[j]) - shift[j]);
      }
    }
  }

  // Unbiased covariance (divide by n - 1); a single example gives 0.
  double denom = n > 1 ? double(n - 1) : 1.0;
  double traceSum = 0;
  for (int64_t i = 0; i < latent; ++i) {
    for (int64_t j = 0; j <= i; ++j) {
      double c =
          (cross[i * latent + j] - sums[i] * sums[j] / double(n)) / denom;
      cov[i * latent + j] = c;
      cov[j * latent + i] = c;
    }
    traceSum += cov[i * latent + i];
  }
  if (!std::isfinite(traceSum)) {
    setError("%s: the latent codes are not finite (NaN or infinity)", what);
    aert_free(work);
    return;
  }

  // Cholesky; if the covariance is only semi-definite (collapsed or
  // duplicate dimensions), add a growing jitter to the diagonal.
  double scale = traceSum / double(latent);
  if (!(scale > 0))
    scale = 1.0;
  double jitter = 0;
  bool factored = cholesky(cov, chol, latent);
  for (int attempt = 0; !factored && attempt < 10; ++attempt) {
    double previous = jitter;
    jitter = 1e-10 * std::pow(10.0, attempt) * scale;
    for (int64_t i = 0; i < latent; ++i)
      cov[i * latent + i] += jitter - previous;
    factored = cholesky(cov, chol, latent);
  }
  if (!factored) {
    setError("%s: the covariance of the latent codes could not be factored",
             what);
    aert_free(work);
    return;
  }
  if (jitter > 0)
    setError("%s: warning: latent covariance is not positive definite; "
             "added %g to its diagonal",
             what, jitter);
  for (int64_t i = 0; i < latent; ++i)
    m->latentMean[i] = shift[i] + sums[i] / double(n);
  memcpy(m->latentChol, chol, size_t(latent * latent) * sizeof(double));
  m->latentFitted = true;
  aert_free(work);
}

extern "C" void aert_model_sample(aert_model *m, uint64_t seed, int64_t n,
                                  float *x_out) {
  const char *what = "sample";
  // x_out doubles as the "input" argument of checkBatch.
  if (!checkBatch(m, what, x_out, n, x_out, true) ||
      !checkKernel(m, what, (const void *)m->desc->decode))
    return;
  const aert_model_desc *desc = m->desc;
  const int64_t latent = desc->latent_size;
  if (!reserveCodes(m, n))
    return;
  float *codes = m->scratchCodes;
  aert_fill_normal(seed, AERT_STREAM_SAMPLE, 0, 0, n * latent, codes);
  if (desc->latent_kind == AERT_LATENT_DETERMINISTIC) {
    if (m->latentFitted) {
      // z = mu + L eps, in place: row j of L only reads eps[0..j], so
      // going from the last dimension down never reads an overwritten
      // entry.
      const double *chol = m->latentChol;
      for (int64_t r = 0; r < n; ++r) {
        float *z = codes + r * latent;
        for (int64_t j = latent - 1; j >= 0; --j) {
          double v = m->latentMean[j];
          for (int64_t k = 0; k <= j; ++k)
            v += chol[j * latent + k] * double(z[k]);
          z[j] = float(v);
        }
      }
    } else {
      setError("%s: warning: fit_latent was never called; sampling codes "
               "from N(0, I)",
               what);
    }
  }
  aert_memref1d params = flat(m->params, desc->param_count);
  aert_memref2d in = batch(codes, n, latent);
  aert_memref2d out = batch(x_out, n, desc->input_size);
  desc->decode(&params, &in, &out);
}
