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
  aert_free(m->scratchEval);
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

//===----------------------------------------------------------------------===//
// VAE evaluation: the ELBO and importance-sampled log-likelihood
//===----------------------------------------------------------------------===//

namespace {

/// Checks that `m` has a gaussian latent and the kernel `fn`.
bool checkGaussian(const aert_model *m, const char *what, const void *fn) {
  if (m->desc->latent_kind != AERT_LATENT_GAUSSIAN) {
    setError("%s: model '%s' has no gaussian latent ('latent gaussian n')",
             what, m->desc->name ? m->desc->name : "?");
    return false;
  }
  return checkKernel(m, what, fn);
}

/// Grows the evaluation scratch to `bytes`; never shrinks.
void *reserveEval(aert_model *m, size_t bytes) {
  if (bytes <= m->scratchEvalBytes)
    return m->scratchEval;
  void *p = aert_alloc(bytes);
  if (!p)
    return nullptr;
  aert_free(m->scratchEval);
  m->scratchEval = p;
  m->scratchEvalBytes = bytes;
  return p;
}

/// log(1 + exp(l)) without overflow, in float: max(l, 0) + log(1 + e) with
/// e = exp(-|l|) in (0, 1]. log(1 + e) instead of log1p(e) (2x faster) is
/// off by at most ~6e-8 absolute per term, far below the Monte Carlo error;
/// the sums are double.
float softplus(float l) {
  float e = std::exp(-std::fabs(l));
  return (l > 0 ? l : 0.0f) + std::log(1.0f + e);
}

// Examples per encoder call and the decoder batch the importance samples
// are grouped into (rows = examples x samples).
constexpr int64_t kEvalExamples = 64;
constexpr int64_t kEvalDecodeRows = 512;

} // namespace

extern "C" float aert_model_elbo(aert_model *m, const float *x, int64_t n,
                                 float *reconstruction, float *kl) {
  const char *what = "elbo";
  if (!checkBatch(m, what, x, n, nullptr, false) ||
      !checkGaussian(m, what, (const void *)m->desc->elbo))
    return nan();
  aert_memref1d params = flat(m->params, m->desc->param_count);
  aert_memref2d batchRef = batch(x, n, m->desc->input_size);
  float parts[2] = {0, 0};
  aert_memref1d partsRef = flat(parts, 2);
  // The same draw as aert_model_loss at this point of the stream.
  uint64_t call = m->call++;
  m->desc->elbo(&params, &batchRef, int64_t(m->seed), int64_t(call), &partsRef);
  if (reconstruction)
    *reconstruction = parts[0];
  if (kl)
    *kl = parts[1];
  return -(parts[0] + parts[1]);
}

// log p(x) ~ log (1/k) sum_j p(x|z_j) p(z_j) / q(z_j|x), z_j ~ q(z|x), per
// example, averaged over the batch. Sample j of example i uses the normals
// aert_normal(seed, AERT_STREAM_IMPORTANCE, j, i * L + l): the result does
// not depend on the chunking below. Everything after the kernels is double.
extern "C" float aert_model_log_likelihood(aert_model *m, const float *x,
                                           int64_t n, int64_t k,
                                           uint64_t seed) {
  const char *what = "log_likelihood";
  if (!checkBatch(m, what, x, n, nullptr, false) ||
      !checkGaussian(m, what, (const void *)m->desc->encode_gaussian))
    return nan();
  const aert_model_desc *desc = m->desc;
  if (desc->likelihood != AERT_LIKELIHOOD_BERNOULLI || !desc->decode_logits) {
    setError("%s: model '%s' has no Bernoulli decoder (a loss with bce and "
             "no mse term, and a final sigmoid), so log p(x|z) is not "
             "defined",
             what, desc->name ? desc->name : "?");
    return nan();
  }
  constexpr int64_t kMaxSamples = int64_t(1) << 32;
  if (k < 1 || k > kMaxSamples) {
    setError("%s: k = %lld importance samples, must be in [1, 2^32]", what,
             (long long)k);
    return nan();
  }
  const int64_t latent = desc->latent_size, inputs = desc->input_size;
  const int64_t examples = n < kEvalExamples ? n : kEvalExamples;
  // Samples per decoder call for one chunk of `examples` rows.
  int64_t samples = kEvalDecodeRows / examples;
  samples = samples < 1 ? 1 : (samples > k ? k : samples);
  const int64_t rows = examples * samples;

  // Floats: mu, logvar [examples, L], eps and z [rows, L], logits [rows, D];
  // doubles: running max and sum of the log-sum-exp per example.
  // (validateDescriptor bounds L by 2^24 and D by 2^59.)
  if (inputs > (int64_t(1) << 40) / rows) {
    setError("%s: the model is too large to evaluate", what);
    return nan();
  }
  size_t floats = size_t(2 * examples * latent + 2 * rows * latent) +
                  size_t(rows) * size_t(inputs);
  size_t bytes = floats * sizeof(float) + size_t(2 * examples) * sizeof(double);
  auto *base = static_cast<unsigned char *>(reserveEval(m, bytes));
  if (!base) {
    setError("%s: out of memory (%zu bytes of scratch)", what, bytes);
    return nan();
  }
  double *runMax = reinterpret_cast<double *>(base);
  double *runSum = runMax + examples;
  float *mu = reinterpret_cast<float *>(runSum + examples);
  float *logvar = mu + examples * latent;
  float *eps = logvar + examples * latent;
  float *z = eps + rows * latent;
  float *logits = z + rows * latent;

  aert_memref1d params = flat(m->params, desc->param_count);
  const float lvMax = AERT_VAE_LOGVAR_MAX;
  double total = 0;
  for (int64_t first = 0; first < n; first += examples) {
    const int64_t count = n - first < examples ? n - first : examples;
    aert_memref2d in = batch(x + first * inputs, count, inputs);
    aert_memref2d muRef = batch(mu, count, latent);
    aert_memref2d lvRef = batch(logvar, count, latent);
    desc->encode_gaussian(&params, &in, &muRef, &lvRef);
    for (int64_t i = 0; i < count; ++i) {
      runMax[i] = -std::numeric_limits<double>::infinity();
      runSum[i] = 0;
    }
    for (int64_t j0 = 0; j0 < k; j0 += samples) {
      const int64_t block = k - j0 < samples ? k - j0 : samples;
      // Row (i, j) of z is example first + i, sample j0 + j.
      for (int64_t i = 0; i < count; ++i)
        for (int64_t j = 0; j < block; ++j) {
          int64_t row = i * block + j;
          aert_fill_normal(seed, AERT_STREAM_IMPORTANCE, uint64_t(j0 + j),
                           uint64_t((first + i) * latent), latent,
                           eps + row * latent);
          for (int64_t l = 0; l < latent; ++l) {
            float lv = std::fmin(logvar[i * latent + l], lvMax);
            z[row * latent + l] = mu[i * latent + l] +
                                  std::exp(0.5f * lv) * eps[row * latent + l];
          }
        }
      aert_memref2d zRef = batch(z, count * block, latent);
      aert_memref2d logitsRef = batch(logits, count * block, inputs);
      desc->decode_logits(&params, &zRef, &logitsRef);
      for (int64_t i = 0; i < count; ++i) {
        const float *xi = x + (first + i) * inputs;
        for (int64_t j = 0; j < block; ++j) {
          int64_t row = i * block + j;
          // log p(x|z): Bernoulli with logits, -bce.
          const float *li = logits + row * inputs;
          double logPx = 0;
          for (int64_t d = 0; d < inputs; ++d)
            logPx += double(xi[d] * li[d] - softplus(li[d]));
          // log p(z) - log q(z|x); the log(2 pi) terms cancel.
          double logRatio = 0;
          for (int64_t l = 0; l < latent; ++l) {
            double zl = z[row * latent + l], el = eps[row * latent + l];
            double lv = std::fmin(logvar[i * latent + l], lvMax);
            logRatio += -0.5 * (zl * zl - el * el - lv);
          }
          double w = logPx + logRatio;
          if (std::isnan(w)) {
            runMax[i] = w;
            continue;
          }
          if (w > runMax[i]) {
            runSum[i] = runSum[i] * std::exp(runMax[i] - w) + 1.0;
            runMax[i] = w;
          } else {
            runSum[i] += std::exp(w - runMax[i]);
          }
        }
      }
    }
    for (int64_t i = 0; i < count; ++i)
      total += runMax[i] + std::log(runSum[i]) - std::log(double(k));
  }
  double mean = total / double(n);
  if (!std::isfinite(mean)) {
    setError("%s: the estimate is not finite (non-finite encoder or decoder "
             "outputs)",
             what);
    return nan();
  }
  return float(mean);
}
