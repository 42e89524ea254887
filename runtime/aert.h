/*
 * aert.h - the aec runtime: services for programs that use compiled models.
 *
 * C ABI (C99 and C++), C++17 inside. No function throws or aborts on bad
 * input: failures are reported by return value (NULL, non-zero, NaN) and a
 * thread-local message from aert_last_error(). A successful call does not
 * clear the message; aert_clear_error() does.
 *
 * Buffers returned by the loaders are allocated with aert_alloc and must be
 * released with aert_free.
 */
#ifndef AERT_H
#define AERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Errors -------------------------------------------------------------- */

/* The last error (or warning) reported on this thread; "" if none. */
const char *aert_last_error(void);
void aert_clear_error(void);

/* ---- Aligned allocation -------------------------------------------------- */

#define AERT_ALIGNMENT 64

/* 64-byte aligned block of at least `bytes` bytes (a zero-byte request still
 * returns a unique pointer); NULL on failure. Thread-safe.
 *
 * Generated kernels allocate their temporaries here on every call, with the
 * same sizes each time. aert_free therefore keeps freed blocks in a cache
 * (size classes: multiples of 64 bytes up to 4 KiB, then four classes per
 * power of two, so at most 25% slack) that aert_alloc serves first: once a
 * call has run with a given batch size, calling it again allocates nothing
 * from the system. The cache holds at most the limit of
 * aert_alloc_set_cache_limit (default AERT_ALLOC_DEFAULT_CACHE_LIMIT); a
 * block freed beyond it goes back to the system.
 *
 * aert_free(NULL) does nothing. A pointer that aert_alloc did not return, or
 * one freed twice, is detected on a best-effort basis: the call then does
 * nothing but set aert_last_error. */
void *aert_alloc(size_t bytes);
void aert_free(void *p);

#define AERT_ALLOC_DEFAULT_CACHE_LIMIT ((size_t)1 << 30) /* 1 GiB */

/* Releases every cached block to the system; returns the bytes released. */
size_t aert_alloc_trim(void);
/* Sets the most bytes the cache may hold (0: no caching at all) and trims
 * the cache if it holds more. */
void aert_alloc_set_cache_limit(size_t bytes);

/* Counters of the allocator since the process started (they are never
 * reset: compare two snapshots). */
typedef struct aert_alloc_counts {
  uint64_t allocs;        /* successful aert_alloc calls, = the two below */
  uint64_t cache_hits;    /* ... served by a cached block */
  uint64_t system_allocs; /* ... served by a new block from the system */
  uint64_t frees;         /* aert_free calls on a live block */
  uint64_t system_frees;  /* blocks given back to the system (beyond the
                             limit, too large to cache, or trimmed) */
  uint64_t cached_blocks; /* blocks in the cache now */
  uint64_t cached_bytes;  /* their size in bytes (size classes) */
  uint64_t cache_limit;   /* the current limit in bytes */
} aert_alloc_counts;
void aert_alloc_stats(aert_alloc_counts *out);

/* ---- Counter-based RNG (Philox4x32-10) ----------------------------------- */

/* Streams (counter word 3) used by the runtime and by generated code. */
enum {
  AERT_STREAM_INIT = 0,    /* parameter initialization */
  AERT_STREAM_NOISE = 1,   /* input corruption (noise ...) */
  AERT_STREAM_REPARAM = 2, /* VAE reparameterization */
  AERT_STREAM_SAMPLE = 3,  /* M_sample */
  AERT_STREAM_SHUFFLE = 4  /* aert_shuffle */
};

/* One Philox4x32-10 block: out = philox(ctr, key). */
void aert_philox4x32(const uint32_t ctr[4], const uint32_t key[2],
                     uint32_t out[4]);

/* Key = (seed lo, seed hi); counter = (index lo, index hi, call lo, stream).
 * aert_uniform: (float)w0 + 0.5f, times 2^-32, in float arithmetic: always
 * > 0; it rounds to 1.0f only for w0 >= 2^32 - 128.
 * aert_normal: Box-Muller on the uniforms of words 0 and 1,
 * sqrtf(-2 logf(u1)) * cosf(2 pi u2). */
float aert_uniform(uint64_t seed, uint32_t stream, uint64_t call,
                   uint64_t index);
float aert_normal(uint64_t seed, uint32_t stream, uint64_t call,
                  uint64_t index);
/* out[i] = aert_uniform/normal(seed, stream, call, first_index + i). */
void aert_fill_uniform(uint64_t seed, uint32_t stream, uint64_t call,
                       uint64_t first_index, int64_t count, float *out);
void aert_fill_normal(uint64_t seed, uint32_t stream, uint64_t call,
                      uint64_t first_index, int64_t count, float *out);

/* ---- Threads ------------------------------------------------------------- */

/* AEC_NUM_THREADS if set to a positive integer, else the number of cores
 * this process may run on. */
int aert_num_threads(void);

/* Caps the threads of generated code's parallel loops (OpenMP worksharing
 * loops over independent tiles) at n >= 1; n <= 0 returns to the default,
 * aert_num_threads() read at the next parallel loop. Results are
 * bit-identical for a fixed thread count (in fact for any: no value is
 * reduced across threads). Process-wide; takes effect at the next call. */
void aert_set_num_threads(int n);

/* The thread count generated code uses for its next parallel loop: the
 * aert_set_num_threads value, else aert_num_threads() (read once, at the
 * first parallel loop). Called by generated code. */
int32_t aert_parallel_threads(void);

/* ---- Data sets ----------------------------------------------------------- */

/* MNIST IDX files (uncompressed). Images: magic 0x00000803, [n, rows, cols]
 * unsigned bytes, returned as n*rows*cols floats scaled to [0, 1]. Labels:
 * magic 0x00000801, n bytes. The file size must match the header exactly.
 * NULL on error. */
float *aert_idx_load_images(const char *path, int64_t *n, int64_t *rows,
                            int64_t *cols);
uint8_t *aert_idx_load_labels(const char *path, int64_t *n);

/* NumPy .npy (format 1.0, 2.0 or 3.0), dtype '<f4' or '|u1' (values are
 * converted unchanged, 0..255), C order only. Returns the elements as floats
 * and the shape (rank 0..AERT_NPY_MAX_RANK). NULL on error. */
#define AERT_NPY_MAX_RANK 8
float *aert_npy_load(const char *path, int64_t shape[AERT_NPY_MAX_RANK],
                     int *rank);
/* Writes a '<f4' C-order .npy file (format 1.0) atomically. 0 on success. */
int aert_npy_save(const char *path, const float *data, const int64_t *shape,
                  int rank);

/* perm = a permutation of 0..n-1 determined by (seed, epoch): Fisher-Yates
 * driven by Philox (stream AERT_STREAM_SHUFFLE). 0 on success. */
int aert_shuffle(uint64_t seed, uint64_t epoch, int64_t n, int64_t *perm);
/* out[i, :] = data[indices[i], :] for rows of row_size floats / bytes. */
void aert_gather_rows(const float *data, int64_t row_size,
                      const int64_t *indices, int64_t count, float *out);
void aert_gather_u8(const uint8_t *data, const int64_t *indices, int64_t count,
                    uint8_t *out);

/* ---- Images -------------------------------------------------------------- */

/* `count` grayscale images of height x width floats (clamped to [0, 1]) laid
 * out in a grid of `cols` columns with `pad` pixels of mid-gray between and
 * around them; 8-bit grayscale PNG written atomically. 0 on success. */
int aert_png_write_grid(const char *path, const float *images, int64_t count,
                        int64_t height, int64_t width, int64_t cols, int pad);
/* Interleaved 8-bit RGB pixels, row-major, height x width. 0 on success. */
int aert_png_write_rgb(const char *path, const uint8_t *rgb, int64_t height,
                       int64_t width);
/* Scatter plot of n points xy[n, 2] on a size x size white canvas, colored by
 * label (0..9, a fixed palette; labels may be NULL), axes scaled to the
 * data's range. 0 on success. */
int aert_png_write_scatter(const char *path, const float *xy,
                           const uint8_t *labels, int64_t n, int size);
/* Reads any PNG as grayscale floats in [0, 1]. NULL on error. */
float *aert_png_read_gray(const char *path, int64_t *height, int64_t *width);

/* ---- Progress bar -------------------------------------------------------- */

/* One progress bar at a time. On a terminal: a single line redrawn in place
 * (percent, done/total, samples/s, ETA, metric); otherwise a plain line at
 * every 10% and at the end. `metric` is shown unless it is NaN. */
void aert_progress_begin(int64_t total, const char *label);
void aert_progress_update(int64_t done, double metric);
void aert_progress_end(void);
/* The name printed before the metric (default "loss"). */
void aert_progress_set_metric_name(const char *name);
/* Where the bar goes (NULL: stdout) and how: terminal detection (isatty) or
 * forced. */
enum {
  AERT_PROGRESS_AUTO = -1,
  AERT_PROGRESS_PLAIN = 0,
  AERT_PROGRESS_TERMINAL = 1
};
void aert_progress_set_output(FILE *out, int mode);

/* ---- Generic training loop ---------------------------------------------- */

/* The model object behind a generated `M*` (pass `(struct aert_model *)m`). */
struct aert_model;

/* One epoch of minibatch training on data[n, input_size]: the examples in the
 * order aert_shuffle(shuffle_seed, epoch, n) gives, in batches of
 * batch_size (the last one may be smaller), each a train_step. With
 * `progress` non-zero, a progress bar labelled "epoch <epoch>" shows the
 * running loss. Returns the mean loss over the epoch's examples (each batch's
 * loss weighted by its size); NaN on error. Allocates its batch buffer and
 * permutation once per call. */
float aert_train_epoch(struct aert_model *m, const float *data, int64_t n,
                       int64_t batch_size, uint64_t shuffle_seed,
                       uint64_t epoch, int progress);

#ifdef __cplusplus
}
#endif

#endif /* AERT_H */
