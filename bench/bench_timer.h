/*
 * bench_timer.h - the block timer of the GEMM harnesses: runs `fn` in blocks
 * of calls lasting at least `min_block_us`, returns the median block's mean
 * seconds per call; and their common command-line options.
 */
#ifndef BENCH_TIMER_H
#define BENCH_TIMER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double benchNow(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int benchCompare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef void (*bench_fn)(void *ctx);

/* Median over `blocks` blocks of the mean seconds per call; *per_block gets
 * the calls per block. Negative on allocation failure. */
static double benchMedianSeconds(bench_fn fn, void *ctx, int blocks,
                                 double min_block_us, long *per_block) {
  /* Warm-up: 3 calls, and for the first shape of the process at least
   * 0.2 s of calls, which also starts the OpenMP threads and faults in
   * their stacks. With 3 calls only, the first shape at 2 threads ran at
   * half speed in most runs (bench/RESULTS.md of 2026-12-07/08, on both
   * harnesses) and at full speed when measured again. */
  static int warmed = 0;
  double until = benchNow() + (warmed ? 0.0 : 0.2);
  warmed = 1;
  for (int i = 0; i < 3 || benchNow() < until; ++i)
    fn(ctx);
  long calls = 1;
  for (;;) {
    double t = benchNow();
    for (long i = 0; i < calls; ++i)
      fn(ctx);
    if (1e6 * (benchNow() - t) >= min_block_us || calls >= (1L << 24))
      break;
    calls *= 2;
  }
  double *means = malloc(sizeof(double) * (size_t)blocks);
  if (!means)
    return -1;
  for (int b = 0; b < blocks; ++b) {
    double t = benchNow();
    for (long i = 0; i < calls; ++i)
      fn(ctx);
    means[b] = (benchNow() - t) / (double)calls;
  }
  qsort(means, (size_t)blocks, sizeof(double), benchCompare);
  double median = blocks % 2
                      ? means[blocks / 2]
                      : 0.5 * (means[blocks / 2 - 1] + means[blocks / 2]);
  free(means);
  *per_block = calls;
  return median;
}

/* The harnesses' command line: [--blocks N] [--min-block-us N] then groups
 * of `group` shape arguments (`usage` names them). Returns the index of the
 * first shape argument, or -1 after printing the usage. */
static int benchParseOptions(int argc, char **argv, int group,
                             const char *usage, int *blocks,
                             double *min_block_us) {
  *blocks = 30;
  *min_block_us = 1000;
  int i = 1;
  for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
    if (!strcmp(argv[i], "--blocks"))
      *blocks = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--min-block-us"))
      *min_block_us = atof(argv[i + 1]);
    else
      break;
  }
  if (*blocks < 1 || (argc - i) % group != 0 || argc == i) {
    fprintf(stderr, "usage: %s [--blocks N] [--min-block-us N] %s ...\n",
            argv[0], usage);
    return -1;
  }
  return i;
}

#endif /* BENCH_TIMER_H */
