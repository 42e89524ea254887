/*
 * bench_aec.c - times one model compiled by aec: training throughput on
 * MNIST or encode+decode latency. Prints one JSON line on stdout.
 *
 * Built once per model, like examples/train/aec_train.c:
 *
 *   aec mnist_ae.ae -o mnist_ae.o
 *   cc -O2 -DAE_MODEL=mnist_ae -DAE_HEADER='"mnist_ae.h"' -I<model dir> \
 *      -I runtime bench/bench_aec.c mnist_ae.o -laert -lm -o bench_aec_mnist_ae
 *
 *   bench_aec_mnist_ae train --data DIR [--steps 200] [--warmup 20]
 *                            [--batch 128] [--seed 1] [--max-seconds 0]
 *   bench_aec_mnist_ae latency [--batch 1] [--blocks 200] [--min-block-us 200]
 *
 * train: warmup steps, then `steps` timed train_steps on shuffled MNIST
 * batches; the time includes gathering each batch (as the PyTorch loop's
 * indexing does). With --max-seconds S > 0 the timed loop stops after the
 * first step that ends past S seconds ("capped": true, and the step count
 * done is reported). latency: encode then decode of `batch` random inputs,
 * timed in blocks of calls; reports the median block's mean time per
 * encode+decode. Threads come from AEC_NUM_THREADS (aert_num_threads).
 */
#define _POSIX_C_SOURCE 200809L

#ifdef AE_HEADER
#include AE_HEADER
#endif

#include "aert.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef AE_MODEL
#error "compile with -DAE_MODEL=<model> -DAE_HEADER='\"<model>.h\"'"
#endif

#define AE_PASTE2(prefix, fn) prefix##_##fn
#define AE_PASTE(prefix, fn) AE_PASTE2(prefix, fn)
#define AE(fn) AE_PASTE(AE_MODEL, fn)
#define AE_STR2(x) #x
#define AE_STR(x) AE_STR2(x)

typedef AE_MODEL Model;

static double nowSeconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compareDoubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *values, int count) {
  qsort(values, (size_t)count, sizeof(double), compareDoubles);
  return count % 2 ? values[count / 2]
                   : 0.5 * (values[count / 2 - 1] + values[count / 2]);
}

static int usage(const char *prog) {
  fprintf(stderr,
          "usage: %s train --data DIR [--steps N] [--warmup N] [--batch N] "
          "[--seed N] [--max-seconds N]\n"
          "       %s latency [--batch N] [--blocks N] [--min-block-us N]\n",
          prog, prog);
  return 2;
}

typedef struct Options {
  const char *mode;
  const char *data;
  long steps, warmup, batch, seed, blocks, minBlockUs, maxSeconds;
} Options;

static int parseOptions(int argc, char **argv, Options *o) {
  if (argc < 2)
    return 1;
  o->mode = argv[1];
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc)
      return 1;
    const char *flag = argv[i], *value = argv[i + 1];
    if (!strcmp(flag, "--data")) {
      o->data = value;
      continue;
    }
    char *end;
    long v = strtol(value, &end, 10);
    if (*end || v < 0)
      return 1;
    if (!strcmp(flag, "--steps"))
      o->steps = v;
    else if (!strcmp(flag, "--warmup"))
      o->warmup = v;
    else if (!strcmp(flag, "--batch") && v > 0)
      o->batch = v;
    else if (!strcmp(flag, "--seed"))
      o->seed = v;
    else if (!strcmp(flag, "--blocks") && v > 0)
      o->blocks = v;
    else if (!strcmp(flag, "--min-block-us"))
      o->minBlockUs = v;
    else if (!strcmp(flag, "--max-seconds"))
      o->maxSeconds = v;
    else
      return 1;
  }
  return 0;
}

static int benchTrain(Model *m, const Options *o) {
  if (!o->data) {
    fprintf(stderr, "bench_aec: train needs --data DIR\n");
    return 2;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", o->data);
  int64_t n, rows, cols;
  float *images = aert_idx_load_images(path, &n, &rows, &cols);
  if (!images) {
    fprintf(stderr, "bench_aec: %s\n", aert_last_error());
    return 1;
  }
  int64_t d = AE(input_size)();
  if (rows * cols != d) {
    fprintf(stderr, "bench_aec: model input %lld != image size %lld\n",
            (long long)d, (long long)(rows * cols));
    aert_free(images);
    return 1;
  }
  int64_t batch = o->batch;
  int64_t *perm = malloc(sizeof(int64_t) * (size_t)n);
  float *x = aert_alloc(sizeof(float) * (size_t)(batch * d));
  if (!perm || !x) {
    fprintf(stderr, "bench_aec: out of memory\n");
    return 1;
  }
  uint64_t epoch = 0;
  int64_t next = n; /* forces a shuffle on the first batch */
  double t0 = 0;
  float firstLoss = NAN, lastLoss = NAN;
  long total = o->warmup + o->steps, timedSteps = 0;
  int capped = 0;
  for (long step = 0; step < total; ++step) {
    if (step > o->warmup && o->maxSeconds > 0 &&
        nowSeconds() - t0 > (double)o->maxSeconds) {
      capped = 1;
      break;
    }
    if (step == o->warmup)
      t0 = nowSeconds();
    if (next + batch > n) {
      if (aert_shuffle((uint64_t)o->seed, epoch++, n, perm) != 0) {
        fprintf(stderr, "bench_aec: %s\n", aert_last_error());
        return 1;
      }
      next = 0;
    }
    aert_gather_rows(images, d, perm + next, batch, x);
    next += batch;
    float loss = AE(train_step)(m, x, batch);
    if (step == 0)
      firstLoss = loss;
    lastLoss = loss;
    if (step >= o->warmup)
      ++timedSteps;
  }
  double seconds = nowSeconds() - t0;
  printf("{\"impl\": \"aec\", \"mode\": \"train\", \"model\": \"%s\", "
         "\"threads\": %d, \"batch\": %ld, \"steps\": %ld, \"capped\": %s, "
         "\"seconds\": %.6f, \"samples_per_s\": %.3f, \"first_loss\": %.6g, "
         "\"last_loss\": %.6g}\n",
         AE_STR(AE_MODEL), aert_num_threads(), o->batch, timedSteps,
         capped ? "true" : "false", seconds,
         timedSteps > 0 ? (double)(timedSteps * batch) / seconds : 0.0,
         (double)firstLoss, (double)lastLoss);
  free(perm);
  aert_free(x);
  aert_free(images);
  return isfinite(lastLoss) ? 0 : 1;
}

static int benchLatency(Model *m, const Options *o) {
  int64_t batch = o->batch, d = AE(input_size)(), l = AE(latent_size)();
  float *x = aert_alloc(sizeof(float) * (size_t)(batch * d));
  float *z = aert_alloc(sizeof(float) * (size_t)(batch * l));
  float *xHat = aert_alloc(sizeof(float) * (size_t)(batch * d));
  double *blockMeans = malloc(sizeof(double) * (size_t)o->blocks);
  if (!x || !z || !xHat || !blockMeans) {
    fprintf(stderr, "bench_aec: out of memory\n");
    return 1;
  }
  aert_fill_uniform(7, AERT_STREAM_SAMPLE, 0, 0, batch * d, x);
  /* Warm up, then size the blocks so one lasts at least minBlockUs. */
  for (int i = 0; i < 10; ++i) {
    AE(encode)(m, x, batch, z);
    AE(decode)(m, z, batch, xHat);
  }
  long perBlock = 1;
  for (;;) {
    double t = nowSeconds();
    for (long i = 0; i < perBlock; ++i) {
      AE(encode)(m, x, batch, z);
      AE(decode)(m, z, batch, xHat);
    }
    double us = 1e6 * (nowSeconds() - t);
    if (us >= (double)o->minBlockUs || perBlock >= (1L << 24))
      break;
    perBlock *= 2;
  }
  for (long b = 0; b < o->blocks; ++b) {
    double t = nowSeconds();
    for (long i = 0; i < perBlock; ++i) {
      AE(encode)(m, x, batch, z);
      AE(decode)(m, z, batch, xHat);
    }
    blockMeans[b] = (nowSeconds() - t) / (double)perBlock;
  }
  double med = median(blockMeans, (int)o->blocks);
  double check = 0;
  for (int64_t i = 0; i < batch * d; ++i)
    check += xHat[i];
  printf("{\"impl\": \"aec\", \"mode\": \"latency\", \"model\": \"%s\", "
         "\"threads\": %d, \"batch\": %ld, \"calls_per_block\": %ld, "
         "\"blocks\": %ld, \"median_us\": %.4f, \"checksum\": %.6g}\n",
         AE_STR(AE_MODEL), aert_num_threads(), o->batch, perBlock, o->blocks,
         1e6 * med, check);
  aert_free(x);
  aert_free(z);
  aert_free(xHat);
  free(blockMeans);
  return isfinite(check) ? 0 : 1;
}

int main(int argc, char **argv) {
  Options o = {NULL, NULL, 200, 20, 128, 1, 200, 200, 0};
  if (parseOptions(argc, argv, &o) != 0)
    return usage(argv[0]);
  Model *m = AE(create)((uint64_t)o.seed);
  if (!m) {
    fprintf(stderr, "bench_aec: %s_create failed: %s\n", AE_STR(AE_MODEL),
            aert_last_error());
    return 1;
  }
  int rc;
  if (!strcmp(o.mode, "train")) {
    rc = benchTrain(m, &o);
  } else if (!strcmp(o.mode, "latency")) {
    rc = benchLatency(m, &o);
  } else {
    rc = usage(argv[0]);
  }
  AE(destroy)(m);
  return rc;
}
