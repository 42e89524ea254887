/*
 * steady_state.c - checks DESIGN.md's "Steady-state calls allocate nothing
 * on the heap" through the generated C API. Compiled once per model:
 *
 *   cc -DAE_MODEL=<name> -include <name>.h steady_state.c <name>.o -laert ...
 *
 * The program defines malloc, calloc, realloc and the aligned variants
 * itself (forwarding to glibc's __libc_* functions), so every heap
 * allocation in the process, by libaert, libc or the generated code, is
 * counted while a window is open. Each check warms a call up once with a
 * batch size, then repeats it and prints
 *
 *   <call>: heap <malloc-family calls> system <aert_alloc calls that reached
 *   the system> scratch <1 if aert_alloc served the window from its cache>
 *
 * A probe window that mallocs on purpose shows the counter works.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aert.h"

#ifndef AE_MODEL
#error "compile with -DAE_MODEL=<model name> -include <model>.h"
#endif
#define AE_CAT2(a, b) a##_##b
#define AE_CAT(a, b) AE_CAT2(a, b)
#define AE(fn) AE_CAT(AE_MODEL, fn)
#define AE_STR2(x) #x
#define AE_STR(x) AE_STR2(x)
typedef AE_MODEL Model;

/* ---- Counting allocator ---------------------------------------------- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static int counting;
static long heapCalls;

static void count(void) {
  if (__atomic_load_n(&counting, __ATOMIC_RELAXED))
    __atomic_fetch_add(&heapCalls, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t size) {
  count();
  return __libc_calloc(n, size);
}
void *realloc(void *p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t n) {
  count();
  return __libc_memalign(alignment, n);
}
void *aligned_alloc(size_t alignment, size_t n) {
  count();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void **out, size_t alignment, size_t n) {
  void *p;
  count();
  if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
    return 22; /* EINVAL */
  p = __libc_memalign(alignment, n);
  if (!p)
    return 12; /* ENOMEM */
  *out = p;
  return 0;
}
void *valloc(size_t n) {
  count();
  return __libc_memalign(4096, n);
}

/* With -DAE_COUNT_FORKS, the generated code's calls of
 * omp_get_num_threads (one per thread in each parallel region) are counted:
 * a model big enough to share its loops among threads shows that the
 * windows above covered parallel regions. */
#ifdef AE_COUNT_FORKS
#include <dlfcn.h>
static int (*realNumThreads)(void);
static long numThreadsCalls;
int omp_get_num_threads(void) {
  __atomic_fetch_add(&numThreadsCalls, 1, __ATOMIC_RELAXED);
  return realNumThreads();
}
#endif

static aert_alloc_counts before;
static void beginWindow(void) {
  aert_alloc_stats(&before);
  heapCalls = 0;
  __atomic_store_n(&counting, 1, __ATOMIC_RELAXED);
}
/* Prints the window's line; nothing is printed while a window is open (the
 * first printf allocates stdout's buffer). */
static void endWindow(const char *name) {
  aert_alloc_counts after;
  long heap;
  __atomic_store_n(&counting, 0, __ATOMIC_RELAXED);
  heap = heapCalls;
  aert_alloc_stats(&after);
  printf("%s: heap %ld system %llu scratch %d\n", name, heap,
         (unsigned long long)(after.system_allocs - before.system_allocs),
         after.cache_hits > before.cache_hits ? 1 : 0);
}

/* ---- The checks --------------------------------------------------------- */

static float *data(int64_t count) {
  float *x = malloc(sizeof(float) * (size_t)count);
  for (int64_t i = 0; i < count; ++i)
    x[i] = (float)((i * 7919) % 1000) / 1000.0f;
  return x;
}

enum { kRepeats = 5 };

int main(void) {
  const int64_t D = AE(input_size)(), L = AE(latent_size)();
  const int64_t P = AE(param_count)();
  const int64_t big = 32, small = 7;
  float *x = data(big * D), *xHat = data(big * D), *z = data(big * L);
  float *grad = data(P);
  void *volatile sink;
  Model *m = AE(create)(1);
  if (!m || !x || !xHat || !z || !grad) {
    printf("setup failed: %s\n", aert_last_error());
    return 1;
  }
#ifdef AE_COUNT_FORKS
  realNumThreads = (int (*)(void))dlsym(RTLD_NEXT, "omp_get_num_threads");
  if (!realNumThreads) {
    printf("omp_get_num_threads not found: %s\n", dlerror());
    return 1;
  }
#endif
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("model %s\n", AE_STR(AE_MODEL));

  /* The counter sees an allocation made on purpose. */
  beginWindow();
  sink = malloc(100);
  endWindow("probe");
  free(sink);

#define STEADY(name, call)                                                     \
  do {                                                                         \
    call;                                                                      \
    beginWindow();                                                             \
    for (int r = 0; r < kRepeats; ++r)                                         \
      call;                                                                    \
    endWindow(name);                                                           \
  } while (0)

  STEADY("train_step", AE(train_step)(m, x, big));
  STEADY("loss", AE(loss)(m, x, big));
  STEADY("grad", AE(grad)(m, x, big, grad));
  STEADY("apply_grad", AE(apply_grad)(m, grad));
  STEADY("encode", AE(encode)(m, x, big, z));
  STEADY("decode", AE(decode)(m, z, big, xHat));
  STEADY("reconstruct", AE(reconstruct)(m, x, big, xHat));
  STEADY("fit_latent", AE(fit_latent)(m, x, big));
  STEADY("sample", AE(sample)(m, 5, big, xHat));

  /* Alternating batch sizes, as in an epoch whose last batch is smaller:
   * once both have run, neither allocates. */
  AE(train_step)(m, x, small);
  beginWindow();
  for (int r = 0; r < kRepeats; ++r) {
    AE(train_step)(m, x, big);
    AE(train_step)(m, x, small);
  }
  endWindow("alternating");

  /* A whole epoch of the runtime's training loop (shuffle, gather, steps):
   * its batch buffer and permutation come from the cache too. */
  aert_train_epoch((struct aert_model *)m, x, big, 8, 3, 0, 0);
  beginWindow();
  aert_train_epoch((struct aert_model *)m, x, big, 8, 3, 1, 0);
  endWindow("train_epoch");

  /* After aert_alloc_trim the cache is empty: the next call allocates
   * again (so the counts above are not zero by construction). */
  aert_alloc_trim();
  beginWindow();
  AE(train_step)(m, x, big);
  endWindow("after_trim");

#ifdef AE_COUNT_FORKS
  printf("threads in parallel regions: %s\n",
         numThreadsCalls > 0 ? "yes" : "no");
#endif
  AE(destroy)(m);
  free(x);
  free(xHat);
  free(z);
  free(grad);
  return 0;
}
