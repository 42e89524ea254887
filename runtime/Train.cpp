//===- Train.cpp - A generic training loop over any compiled model --------===//

#include "runtime/Internal.h"
#include "runtime/Model.h"
#include "runtime/aert.h"

#include <cmath>
#include <limits>

extern "C" float aert_train_epoch(struct aert_model *m, const float *data,
                                  int64_t n, int64_t batch_size,
                                  uint64_t shuffle_seed, uint64_t epoch,
                                  int progress) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  if (!m || !data || n < 1 || batch_size < 1) {
    aert::setError("train_epoch: invalid arguments (n = %lld, batch_size = "
                   "%lld)",
                   (long long)n, (long long)batch_size);
    return nan;
  }
  const int64_t inputs = m->desc->input_size;
  if (batch_size > n)
    batch_size = n;
  int64_t *order =
      static_cast<int64_t *>(aert_alloc(size_t(n) * sizeof(int64_t)));
  float *batch = static_cast<float *>(
      aert_alloc(size_t(batch_size) * size_t(inputs) * sizeof(float)));
  if (!order || !batch) {
    aert::setError("train_epoch: out of memory");
    aert_free(order);
    aert_free(batch);
    return nan;
  }
  aert_shuffle(shuffle_seed, epoch, n, order);
  if (progress) {
    char label[48];
    snprintf(label, sizeof(label), "epoch %llu", (unsigned long long)epoch);
    aert_progress_begin(n, label);
  }
  double total = 0;
  bool failed = false;
  for (int64_t first = 0; first < n; first += batch_size) {
    int64_t rows = n - first < batch_size ? n - first : batch_size;
    aert_gather_rows(data, inputs, order + first, rows, batch);
    float loss = aert_model_train_step(m, batch, rows);
    if (std::isnan(loss) && !m->desc->train_step) {
      failed = true; // no kernel: the error is already set
      break;
    }
    total += double(loss) * double(rows);
    if (progress)
      aert_progress_update(first + rows, total / double(first + rows));
  }
  if (progress)
    aert_progress_end();
  aert_free(order);
  aert_free(batch);
  return failed ? nan : float(total / double(n));
}
