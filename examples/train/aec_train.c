/*
 * aec_train.c - trains any model compiled by aec on MNIST and draws what it
 * learned: reconstructions, interpolations, samples and, for a 2-D latent,
 * the decoded manifold and a scatter of the test codes.
 *
 * One source for every model: the model's C prefix comes in by macro and the
 * generated API is called through AE(fn), which pastes it in front:
 *
 *   aec mnist_ae.ae -o mnist_ae.o
 *   cc -DAE_MODEL=mnist_ae -include mnist_ae.h aec_train.c mnist_ae.o \
 *      -laert -lm -o train_mnist_ae
 *
 * or -DAE_HEADER='"mnist_ae.h"' instead of -include. The app uses POSIX
 * (mkdir, setenv, clock_gettime): in a strict mode such as -std=c99, a header
 * given by -include comes before this file's _POSIX_C_SOURCE, so add
 * -D_POSIX_C_SOURCE=200809L there or use AE_HEADER. Run with --help for
 * the flags. Exit codes: 0 success, 1 error (data, I/O, model), 2 bad command
 * line, 3 training diverged (a non-finite loss; the last good checkpoint is
 * kept).
 */
#define _POSIX_C_SOURCE 200809L

#ifdef AE_HEADER
#include AE_HEADER
#endif

#include "aert.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if !defined(CLOCK_MONOTONIC)
#error                                                                         \
    "POSIX 2008 is hidden: compile with -D_POSIX_C_SOURCE=200809L, or pass the model header as -DAE_HEADER instead of -include"
#endif

#ifndef AE_MODEL
#error                                                                         \
    "compile with -DAE_MODEL=<model> and -include <model>.h (the header aec writes)"
#endif

#define AE_PASTE2(prefix, fn) prefix##_##fn
#define AE_PASTE(prefix, fn) AE_PASTE2(prefix, fn)
/* AE(train_step) -> mnist_ae_train_step for -DAE_MODEL=mnist_ae. */
#define AE(fn) AE_PASTE(AE_MODEL, fn)
#define AE_STR2(x) #x
#define AE_STR(x) AE_STR2(x)
#define MODEL_NAME AE_STR(AE_MODEL)

typedef AE_MODEL Model;

enum { EXIT_USAGE = 2, EXIT_DIVERGED = 3 };

/* The test loss is computed after M_set_seed(EVAL_SEED), so that models with
 * training-time noise give the same test loss for the same parameters. */
static const uint64_t EVAL_SEED = 0x5eedULL;
enum { GRID_PAD = 2, SCATTER_SIZE = 640 };

static const char *PROG = "aec_train";

/* ---- Small helpers ------------------------------------------------------ */

static void errorf(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: error: ", PROG);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static void notef(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: note: ", PROG);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

/* The runtime's last message, or a generic one. */
static const char *runtimeError(void) {
  const char *msg = aert_last_error();
  return msg && *msg ? msg : "unknown error";
}

static double nowSeconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* splitmix64: decorrelates the per-epoch training seeds. */
static uint64_t mixSeed(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* A path "<dir>/<name>" in a heap buffer; NULL (and a message) on failure. */
static char *joinPath(const char *dir, const char *name) {
  size_t len = strlen(dir) + 1 + strlen(name) + 1;
  char *path = malloc(len);
  if (!path) {
    errorf("out of memory");
    return NULL;
  }
  snprintf(path, len, "%s/%s", dir, name);
  return path;
}

/* mkdir -p. 0 on success. */
static int makeDirs(const char *dir) {
  size_t len = strlen(dir);
  char *path = malloc(len + 1);
  if (!path) {
    errorf("out of memory");
    return 1;
  }
  memcpy(path, dir, len + 1);
  for (size_t i = 1; i <= len; ++i) {
    if (path[i] != '/' && path[i] != '\0')
      continue;
    char saved = path[i];
    path[i] = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
      errorf("cannot create output folder '%s': %s", path, strerror(errno));
      free(path);
      return 1;
    }
    path[i] = saved;
  }
  struct stat st;
  int bad = stat(dir, &st) != 0 || !S_ISDIR(st.st_mode);
  if (bad)
    errorf("output path '%s' exists and is not a folder", dir);
  free(path);
  return bad;
}

static int fileExists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* Writes `text` to `path` atomically (temp file + rename). 0 on success. */
static int writeFileAtomic(const char *path, const char *text) {
  size_t len = strlen(path) + 8;
  char *tmp = malloc(len);
  if (!tmp) {
    errorf("out of memory");
    return 1;
  }
  snprintf(tmp, len, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  int failed = !f;
  if (f) {
    failed = fputs(text, f) < 0;
    failed |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    failed |= fclose(f) != 0;
  }
  if (!failed && rename(tmp, path) != 0)
    failed = 1;
  if (failed) {
    errorf("cannot write '%s': %s", path, strerror(errno));
    remove(tmp);
  }
  free(tmp);
  return failed;
}

/* ---- Command line ------------------------------------------------------- */

typedef struct Options {
  int64_t epochs, batch, limit;
  uint64_t seed;
  const char *threads, *data, *out;
  int resume;
  /* Which of batch / seed / limit were given (a resumed run otherwise takes
   * them from the checkpoint). */
  int haveBatch, haveSeed, haveLimit;
} Options;

static void usage(FILE *to) {
  fprintf(to,
          "usage: %s [options]\n"
          "Trains the autoencoder '%s' (compiled by aec) on MNIST.\n"
          "\n"
          "  --epochs N    epochs to train (default 10); with --resume, the\n"
          "                total count including the epochs already done\n"
          "  --batch N     minibatch size (default 128)\n"
          "  --seed N      seed of the initialization, shuffling, noise and\n"
          "                sampling (default 1)\n"
          "  --threads N   worker threads (sets AEC_NUM_THREADS)\n"
          "  --data DIR    folder with the four MNIST IDX files (default\n"
          "                $AEC_DATA_DIR, else build/data/mnist; fetch them\n"
          "                with scripts/fetch-mnist.sh)\n"
          "  --out DIR     output folder, created if needed (default\n"
          "                %s-out): metrics.csv, checkpoints, PNG figures\n"
          "  --resume      continue from the last checkpoint in --out\n"
          "  --limit N     train on the first N training examples only\n"
          "  --help        this text\n"
          "\n"
          "Exit codes: 0 success, 1 error, 2 bad command line, 3 training\n"
          "diverged (non-finite loss; the last good checkpoint is kept).\n",
          PROG, MODEL_NAME, MODEL_NAME);
}

/* Parses a decimal integer in [lo, hi]; 0 on success. */
static int parseInt(const char *flag, const char *text, int64_t lo, int64_t hi,
                    int64_t *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) {
    errorf("%s expects an integer in [%lld, %lld], got '%s'", flag,
           (long long)lo, (long long)hi, text);
    return 1;
  }
  *out = (int64_t)v;
  return 0;
}

static int parseSeed(const char *text, uint64_t *out) {
  char *end = NULL;
  errno = 0;
  if (text[0] == '-') {
    errorf("--seed expects a non-negative integer, got '%s'", text);
    return 1;
  }
  unsigned long long v = strtoull(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0') {
    errorf("--seed expects a non-negative integer, got '%s'", text);
    return 1;
  }
  *out = (uint64_t)v;
  return 0;
}

/* 0 on success, EXIT_USAGE on a bad command line, -1 after --help. */
static int parseArgs(int argc, char **argv, Options *opt) {
  memset(opt, 0, sizeof(*opt));
  opt->epochs = 10;
  opt->batch = 128;
  opt->seed = 1;
  opt->out = MODEL_NAME "-out";
  const char *envData = getenv("AEC_DATA_DIR");
  opt->data = envData && *envData ? envData : "build/data/mnist";

  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
      usage(stdout);
      return -1;
    }
    if (!strcmp(arg, "--resume")) {
      opt->resume = 1;
      continue;
    }
    /* Every other flag takes a value: "--flag value" or "--flag=value". */
    static const char *const valued[] = {"--epochs",  "--batch", "--seed",
                                         "--threads", "--data",  "--out",
                                         "--limit"};
    const char *flag = NULL, *value = NULL;
    for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); ++k) {
      size_t len = strlen(valued[k]);
      if (!strncmp(arg, valued[k], len) &&
          (arg[len] == '\0' || arg[len] == '=')) {
        flag = valued[k];
        if (arg[len] == '=')
          value = arg + len + 1;
        else if (i + 1 < argc)
          value = argv[++i];
        break;
      }
    }
    if (!flag) {
      errorf("unknown option '%s' (see --help)", arg);
      return EXIT_USAGE;
    }
    if (!value) {
      errorf("%s needs a value (see --help)", flag);
      return EXIT_USAGE;
    }
    int bad = 0;
    int64_t v = 0;
    if (!strcmp(flag, "--epochs")) {
      bad = parseInt(flag, value, 1, 1000000, &opt->epochs);
    } else if (!strcmp(flag, "--batch")) {
      bad = parseInt(flag, value, 1, 1 << 20, &opt->batch);
      opt->haveBatch = 1;
    } else if (!strcmp(flag, "--limit")) {
      bad = parseInt(flag, value, 1, INT64_MAX, &opt->limit);
      opt->haveLimit = 1;
    } else if (!strcmp(flag, "--seed")) {
      bad = parseSeed(value, &opt->seed);
      opt->haveSeed = 1;
    } else if (!strcmp(flag, "--threads")) {
      bad = parseInt(flag, value, 1, 4096, &v);
      opt->threads = value;
    } else if (!strcmp(flag, "--data")) {
      bad = !*value;
      if (bad)
        errorf("--data needs a folder");
      opt->data = value;
    } else if (!strcmp(flag, "--out")) {
      bad = !*value;
      if (bad)
        errorf("--out needs a folder");
      opt->out = value;
    }
    if (bad)
      return EXIT_USAGE;
  }
  return 0;
}

/* ---- Data -----------------------------------------------------------------
 */

typedef struct Split {
  float *images; /* n x input_size, in [0, 1] */
  uint8_t *labels;
  int64_t n, rows, cols;
} Split;

static void freeSplit(Split *s) {
  aert_free(s->images);
  aert_free(s->labels);
  memset(s, 0, sizeof(*s));
}

static int loadSplit(const char *dir, const char *imagesName,
                     const char *labelsName, Split *s) {
  memset(s, 0, sizeof(*s));
  char *imagesPath = joinPath(dir, imagesName);
  char *labelsPath = joinPath(dir, labelsName);
  int failed = !imagesPath || !labelsPath;
  if (!failed && (!fileExists(imagesPath) || !fileExists(labelsPath))) {
    errorf("MNIST file '%s' not found; run scripts/fetch-mnist.sh (it "
           "honours AEC_DATA_DIR) or pass --data DIR",
           fileExists(imagesPath) ? labelsPath : imagesPath);
    failed = 1;
  }
  if (!failed) {
    aert_clear_error();
    s->images = aert_idx_load_images(imagesPath, &s->n, &s->rows, &s->cols);
    if (!s->images) {
      errorf("cannot load '%s': %s", imagesPath, runtimeError());
      failed = 1;
    }
  }
  if (!failed) {
    int64_t labelCount = 0;
    s->labels = aert_idx_load_labels(labelsPath, &labelCount);
    if (!s->labels) {
      errorf("cannot load '%s': %s", labelsPath, runtimeError());
      failed = 1;
    } else if (labelCount != s->n) {
      errorf("'%s' has %lld labels but '%s' has %lld images", labelsPath,
             (long long)labelCount, imagesPath, (long long)s->n);
      failed = 1;
    }
  }
  if (!failed && s->n < 1) {
    errorf("'%s' holds no images", imagesPath);
    failed = 1;
  }
  if (failed)
    freeSplit(s);
  free(imagesPath);
  free(labelsPath);
  return failed;
}

/* ---- Checkpoints ----------------------------------------------------------
 */

/* <out>/checkpoint.txt names the last good checkpoint file and the run's
 * settings. It is replaced atomically after the checkpoint file itself is
 * written (M_save is atomic too), so it always points at a complete one. */
typedef struct CheckpointInfo {
  int64_t epoch, batch, limit;
  uint64_t seed;
  char file[256];
} CheckpointInfo;

static void checkpointFileName(int64_t epoch, char *buf, size_t size) {
  snprintf(buf, size, "checkpoint-e%lld.bin", (long long)epoch);
}

static int readCheckpointInfo(const char *out, CheckpointInfo *info) {
  char *path = joinPath(out, "checkpoint.txt");
  if (!path)
    return 1;
  FILE *f = fopen(path, "r");
  if (!f) {
    errorf("--resume: no checkpoint in '%s' ('%s': %s)", out, path,
           strerror(errno));
    free(path);
    return 1;
  }
  memset(info, 0, sizeof(*info));
  char line[512], model[256] = "";
  int seen = 0;
  while (fgets(line, sizeof(line), f)) {
    long long v;
    unsigned long long u;
    if (sscanf(line, "model %255s", model) == 1)
      seen |= 1;
    else if (sscanf(line, "epoch %lld", &v) == 1)
      info->epoch = v, seen |= 2;
    else if (sscanf(line, "file %255s", info->file) == 1)
      seen |= 4;
    else if (sscanf(line, "seed %llu", &u) == 1)
      info->seed = u, seen |= 8;
    else if (sscanf(line, "batch %lld", &v) == 1)
      info->batch = v, seen |= 16;
    else if (sscanf(line, "limit %lld", &v) == 1)
      info->limit = v, seen |= 32;
  }
  fclose(f);
  int failed = 0;
  if (seen != 63 || info->epoch < 1 || info->batch < 1 || info->limit < 1 ||
      strchr(info->file, '/')) {
    errorf("--resume: '%s' is malformed", path);
    failed = 1;
  } else if (strcmp(model, MODEL_NAME) != 0) {
    errorf("--resume: '%s' belongs to model '%s', not '%s'", path, model,
           MODEL_NAME);
    failed = 1;
  }
  free(path);
  return failed;
}

static int writeCheckpoint(Model *m, const char *out, int64_t epoch,
                           const Options *opt, int64_t trainCount,
                           int64_t previousEpoch) {
  char name[64];
  checkpointFileName(epoch, name, sizeof(name));
  char *path = joinPath(out, name);
  char *infoPath = joinPath(out, "checkpoint.txt");
  int failed = !path || !infoPath;
  if (!failed && AE(save)(m, path) != 0) {
    errorf("cannot save checkpoint '%s': %s", path, runtimeError());
    failed = 1;
  }
  if (!failed) {
    char text[512];
    snprintf(text, sizeof(text),
             "model %s\nepoch %lld\nfile %s\nseed %llu\nbatch %lld\n"
             "limit %lld\n",
             MODEL_NAME, (long long)epoch, name, (unsigned long long)opt->seed,
             (long long)opt->batch, (long long)trainCount);
    failed = writeFileAtomic(infoPath, text);
  }
  /* The previous checkpoint is superseded only once the new one is named. */
  if (!failed && previousEpoch > 0 && previousEpoch != epoch) {
    char old[64];
    checkpointFileName(previousEpoch, old, sizeof(old));
    char *oldPath = joinPath(out, old);
    if (oldPath)
      remove(oldPath);
    free(oldPath);
  }
  free(path);
  free(infoPath);
  return failed;
}

/* True if `text` starts with "checkpoint-e<digits>.bin"; *rest is what
 * follows. */
static int isCheckpointName(const char *text, const char **rest) {
  static const char prefix[] = "checkpoint-e";
  if (strncmp(text, prefix, sizeof(prefix) - 1) != 0)
    return 0;
  const char *p = text + sizeof(prefix) - 1;
  if (*p < '0' || *p > '9')
    return 0;
  while (*p >= '0' && *p <= '9')
    ++p;
  if (strncmp(p, ".bin", 4) != 0)
    return 0;
  *rest = p + 4;
  return 1;
}

/* Removes what a run killed while writing its checkpoints may leave in
 * <out>: checkpoint files other than `keep` (the one checkpoint.txt names:
 * a newer one whose naming never happened, or an older one not yet
 * removed) and half-written temp files ("<name>.tmp..."). */
static void removeLeftovers(const char *out, const char *keep) {
  DIR *dir = opendir(out);
  if (!dir)
    return;
  int64_t removed = 0;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    const char *name = entry->d_name, *rest = NULL;
    int leftover = 0;
    if (isCheckpointName(name, &rest))
      leftover = *rest == '\0' ? strcmp(name, keep) != 0
                               : strncmp(rest, ".tmp", 4) == 0;
    else
      leftover = !strcmp(name, "checkpoint.txt.tmp") ||
                 !strcmp(name, "metrics.csv.tmp");
    if (!leftover)
      continue;
    char *path = joinPath(out, name);
    if (path && remove(path) == 0)
      ++removed;
    free(path);
  }
  closedir(dir);
  if (removed > 0)
    notef("removed %lld leftover file%s of an interrupted run from '%s'",
          (long long)removed, removed == 1 ? "" : "s", out);
}

/* ---- metrics.csv ------------------------------------------------------------
 */

static const char METRICS_HEADER[] =
    "epoch,train_loss,test_loss,samples_per_s\n";

/* Starts metrics.csv afresh, or on resume keeps its rows of epochs 1 to
 * `lastEpoch` in order (rows of epochs after the checkpoint are from a run
 * that did not finish; a run killed while appending may leave a line
 * without its newline, which is dropped too). */
static int prepareMetrics(const char *path, int64_t lastEpoch) {
  size_t cap = sizeof(METRICS_HEADER) + 1, len = 0;
  char *text = malloc(cap);
  if (!text) {
    errorf("out of memory");
    return 1;
  }
  memcpy(text, METRICS_HEADER, sizeof(METRICS_HEADER));
  len = sizeof(METRICS_HEADER) - 1;
  FILE *f = lastEpoch > 0 ? fopen(path, "r") : NULL;
  if (f) {
    char line[512];
    long long expected = 1;
    while (fgets(line, sizeof(line), f)) {
      long long epoch;
      size_t add = strlen(line);
      if (add == 0 || line[add - 1] != '\n' ||
          sscanf(line, "%lld,", &epoch) != 1 || epoch != expected ||
          epoch > lastEpoch)
        continue;
      ++expected;
      if (len + add + 2 > cap) {
        cap = 2 * (len + add + 2);
        char *grown = realloc(text, cap);
        if (!grown) {
          fclose(f);
          free(text);
          errorf("out of memory");
          return 1;
        }
        text = grown;
      }
      memcpy(text + len, line, add + 1);
      len += add;
    }
    fclose(f);
  }
  int failed = writeFileAtomic(path, text);
  free(text);
  return failed;
}

static int appendMetrics(const char *path, int64_t epoch, double trainLoss,
                         double testLoss, double samplesPerSecond) {
  FILE *f = fopen(path, "a");
  if (!f) {
    errorf("cannot append to '%s': %s", path, strerror(errno));
    return 1;
  }
  fprintf(f, "%lld,%.9g,%.9g,%.1f\n", (long long)epoch, trainLoss, testLoss,
          samplesPerSecond);
  if (fclose(f) != 0) {
    errorf("cannot write '%s': %s", path, strerror(errno));
    return 1;
  }
  return 0;
}

/* ---- Training -------------------------------------------------------------
 */

/* Mean loss over `n` examples in batches (no update); NaN if non-finite. */
static double evaluate(Model *m, const float *x, int64_t n, int64_t inputs,
                       int64_t batch, int64_t *badBatch) {
  AE(set_seed)(m, EVAL_SEED);
  double total = 0;
  for (int64_t first = 0; first < n; first += batch) {
    int64_t rows = n - first < batch ? n - first : batch;
    float loss = AE(loss)(m, x + first * inputs, rows);
    if (!isfinite(loss)) {
      *badBatch = first / batch + 1;
      return NAN;
    }
    total += (double)loss * (double)rows;
  }
  return total / (double)n;
}

/* ---- Figures ----------------------------------------------------------------
 */

/* Applies fn (encode / decode / reconstruct) in chunks of `batch` rows. */
typedef void (*MapFn)(Model *, const float *, int64_t, float *);
static void mapChunked(MapFn fn, Model *m, const float *in, int64_t inCols,
                       int64_t n, float *out, int64_t outCols, int64_t batch) {
  for (int64_t first = 0; first < n; first += batch) {
    int64_t rows = n - first < batch ? n - first : batch;
    fn(m, in + first * inCols, rows, out + first * outCols);
  }
}

/* The first test example with `label` at or after `start`; -1 if none. */
static int64_t findLabel(const Split *s, int label, int64_t start) {
  for (int64_t i = start; i < s->n; ++i)
    if (s->labels[i] == label)
      return i;
  return -1;
}

static int writeGrid(const char *out, const char *name, const float *images,
                     int64_t count, int64_t side, int64_t cols) {
  char *path = joinPath(out, name);
  if (!path)
    return 1;
  int failed =
      aert_png_write_grid(path, images, count, side, side, cols, GRID_PAD) != 0;
  if (failed)
    errorf("cannot write '%s': %s", path, runtimeError());
  else
    printf("wrote %s\n", path);
  free(path);
  return failed;
}

static int writeFigures(Model *m, const Options *opt, const Split *train,
                        int64_t trainCount, const Split *test) {
  const int64_t D = AE(input_size)(), L = AE(latent_size)();
  const int64_t side = 28, batch = opt->batch;
  enum { COLS = 16, INTERP_ROWS = 8, SAMPLES = 64, MANIFOLD = 20 };
  int failed = 0;
  size_t maxRows = SAMPLES > 2 * COLS ? SAMPLES : 2 * COLS;
  if (maxRows < INTERP_ROWS * COLS)
    maxRows = INTERP_ROWS * COLS;
  if (maxRows < MANIFOLD * MANIFOLD)
    maxRows = MANIFOLD * MANIFOLD;
  float *images = aert_alloc(maxRows * (size_t)D * sizeof(float));
  float *codes = aert_alloc(
      (size_t)(test->n > (int64_t)maxRows ? test->n : (int64_t)maxRows) *
      (size_t)L * sizeof(float));
  float *pair = aert_alloc(2 * (size_t)D * sizeof(float));
  float *zpair = aert_alloc(2 * (size_t)L * sizeof(float));
  if (!images || !codes || !pair || !zpair) {
    errorf("out of memory for the figures");
    failed = 1;
    goto done;
  }

  /* Reconstructions: 16 test digits over their reconstructions. */
  {
    int64_t count = test->n < COLS ? test->n : COLS;
    memcpy(images, test->images, (size_t)(count * D) * sizeof(float));
    AE(reconstruct)(m, test->images, count, images + COLS * D);
    if (count < COLS) /* pad the rows with blank digits */
      for (int64_t i = count; i < COLS; ++i) {
        memset(images + i * D, 0, (size_t)D * sizeof(float));
        memset(images + (COLS + i) * D, 0, (size_t)D * sizeof(float));
      }
    failed |= writeGrid(opt->out, "reconstructions.png", images, 2 * COLS, side,
                        COLS);
  }

  /* Interpolation: 8 rows of 16 decodes on the straight line between the
   * codes of two test digits (of different classes when labels allow). */
  {
    for (int r = 0; r < INTERP_ROWS; ++r) {
      int64_t a = findLabel(test, r % 10, 0);
      int64_t b = findLabel(test, (r + 3) % 10, 0);
      if (a < 0 || b < 0) {
        a = (2 * r) % test->n;
        b = (2 * r + 1) % test->n;
      }
      memcpy(pair, test->images + a * D, (size_t)D * sizeof(float));
      memcpy(pair + D, test->images + b * D, (size_t)D * sizeof(float));
      AE(encode)(m, pair, 2, zpair);
      for (int s = 0; s < COLS; ++s) {
        float t = (float)s / (float)(COLS - 1);
        float *z = codes + (r * COLS + s) * L;
        for (int64_t j = 0; j < L; ++j)
          z[j] = (1.0f - t) * zpair[j] + t * zpair[L + j];
      }
    }
    mapChunked(AE(decode), m, codes, L, INTERP_ROWS * COLS, images, D, batch);
    failed |= writeGrid(opt->out, "interpolation.png", images,
                        INTERP_ROWS * COLS, side, COLS);
  }

  /* Samples: a Gaussian fitted to the training codes (VAE: the prior). */
  {
    aert_clear_error();
    AE(fit_latent)(m, train->images, trainCount);
    AE(sample)(m, opt->seed, SAMPLES, images);
    const char *warning = aert_last_error();
    if (warning && *warning)
      notef("sampling: %s", warning);
    failed |= writeGrid(opt->out, "samples.png", images, SAMPLES, side, 8);
  }

  if (L == 2) {
    /* Manifold: decodes of a 20x20 grid over [-3, 3]^2, y up. */
    for (int i = 0; i < MANIFOLD; ++i)
      for (int j = 0; j < MANIFOLD; ++j) {
        float *z = codes + (i * MANIFOLD + j) * 2;
        z[0] = -3.0f + 6.0f * (float)j / (float)(MANIFOLD - 1);
        z[1] = 3.0f - 6.0f * (float)i / (float)(MANIFOLD - 1);
      }
    mapChunked(AE(decode), m, codes, 2, MANIFOLD * MANIFOLD, images, D, batch);
    failed |= writeGrid(opt->out, "manifold.png", images, MANIFOLD * MANIFOLD,
                        side, MANIFOLD);

    /* The test set's codes coloured by digit. */
    mapChunked(AE(encode), m, test->images, D, test->n, codes, 2, batch);
    char *path = joinPath(opt->out, "latent_scatter.png");
    if (!path || aert_png_write_scatter(path, codes, test->labels, test->n,
                                        SCATTER_SIZE) != 0) {
      if (path)
        errorf("cannot write '%s': %s", path, runtimeError());
      failed = 1;
    } else {
      printf("wrote %s\n", path);
    }
    free(path);
  }

done:
  aert_free(images);
  aert_free(codes);
  aert_free(pair);
  aert_free(zpair);
  return failed;
}

/* ---- main -------------------------------------------------------------------
 */

int main(int argc, char **argv) {
  Options opt;
  int rc = parseArgs(argc, argv, &opt);
  if (rc != 0)
    return rc < 0 ? 0 : rc;

  /* Before the runtime or the model looks at the thread count. */
  if (opt.threads && setenv("AEC_NUM_THREADS", opt.threads, 1) != 0) {
    errorf("cannot set AEC_NUM_THREADS: %s", strerror(errno));
    return 1;
  }

  CheckpointInfo resumeInfo;
  memset(&resumeInfo, 0, sizeof(resumeInfo));
  if (opt.resume) {
    if (readCheckpointInfo(opt.out, &resumeInfo) != 0)
      return 1;
    /* The shuffles and seeds must stay those of the interrupted run. */
    if (!opt.haveSeed)
      opt.seed = resumeInfo.seed;
    else if (opt.seed != resumeInfo.seed)
      notef("--seed %llu differs from the checkpoint's seed %llu",
            (unsigned long long)opt.seed, (unsigned long long)resumeInfo.seed);
    if (!opt.haveBatch)
      opt.batch = resumeInfo.batch;
    else if (opt.batch != resumeInfo.batch)
      notef("--batch %lld differs from the checkpoint's batch %lld",
            (long long)opt.batch, (long long)resumeInfo.batch);
    if (!opt.haveLimit)
      opt.limit = resumeInfo.limit;
  }

  Split train, test;
  if (loadSplit(opt.data, "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                &train) != 0)
    return 1;
  if (loadSplit(opt.data, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                &test) != 0) {
    freeSplit(&train);
    return 1;
  }

  const int64_t D = AE(input_size)(), L = AE(latent_size)();
  int exitCode = 1;
  Model *m = NULL;
  int64_t *order = NULL;
  float *batchBuf = NULL;
  char *metricsPath = NULL;

  if (train.rows * train.cols != D || test.rows * test.cols != D) {
    errorf("model '%s' takes %lld elements per example, but the data has "
           "%lldx%lld (train) and %lldx%lld (test) images",
           MODEL_NAME, (long long)D, (long long)train.rows,
           (long long)train.cols, (long long)test.rows, (long long)test.cols);
    goto cleanup;
  }
  int64_t trainCount = train.n;
  if (opt.limit > 0 && opt.limit < trainCount)
    trainCount = opt.limit;
  const int64_t batch = opt.batch;
  const int64_t stepsPerEpoch = (trainCount + batch - 1) / batch;

  if (makeDirs(opt.out) != 0)
    goto cleanup;
  metricsPath = joinPath(opt.out, "metrics.csv");
  order = aert_alloc((size_t)trainCount * sizeof(int64_t));
  batchBuf = aert_alloc((size_t)(batch < trainCount ? batch : trainCount) *
                        (size_t)D * sizeof(float));
  if (!metricsPath || !order || !batchBuf) {
    errorf("out of memory");
    goto cleanup;
  }

  aert_clear_error();
  m = AE(create)(opt.seed);
  if (!m) {
    errorf("cannot create model '%s': %s", MODEL_NAME, runtimeError());
    goto cleanup;
  }
  int64_t lastEpoch = 0;
  if (opt.resume) {
    char *path = joinPath(opt.out, resumeInfo.file);
    if (!path || AE(load)(m, path) != 0) {
      if (path)
        errorf("cannot load checkpoint '%s': %s", path, runtimeError());
      free(path);
      goto cleanup;
    }
    printf("resumed from %s (epoch %lld)\n", path, (long long)resumeInfo.epoch);
    free(path);
    lastEpoch = resumeInfo.epoch;
    removeLeftovers(opt.out, resumeInfo.file);
  }
  if (prepareMetrics(metricsPath, lastEpoch) != 0)
    goto cleanup;

  printf("model %s: %lld inputs, latent %lld, %lld parameters\n", MODEL_NAME,
         (long long)D, (long long)L, (long long)AE(param_count)());
  printf("data %s: %lld training examples (of %lld), %lld test; batch %lld, "
         "seed %llu, %d threads\n",
         opt.data, (long long)trainCount, (long long)train.n, (long long)test.n,
         (long long)batch, (unsigned long long)opt.seed, aert_num_threads());
  fflush(stdout);

  for (int64_t epoch = lastEpoch + 1; epoch <= opt.epochs; ++epoch) {
    /* Each epoch's RNG stream (noise, reparameterization) is keyed by
     * (seed, epoch), so a resumed run continues exactly. */
    AE(set_seed)(m, mixSeed(opt.seed ^ mixSeed((uint64_t)epoch)));
    if (aert_shuffle(opt.seed, (uint64_t)epoch, trainCount, order) != 0) {
      errorf("shuffle failed: %s", runtimeError());
      goto cleanup;
    }
    char label[48];
    snprintf(label, sizeof(label), "epoch %lld/%lld", (long long)epoch,
             (long long)opt.epochs);
    double start = nowSeconds(), total = 0;
    aert_progress_begin(trainCount, label);
    for (int64_t step = 0; step < stepsPerEpoch; ++step) {
      int64_t first = step * batch;
      int64_t rows = trainCount - first < batch ? trainCount - first : batch;
      aert_gather_rows(train.images, D, order + first, rows, batchBuf);
      float loss = AE(train_step)(m, batchBuf, rows);
      if (!isfinite(loss)) {
        aert_progress_end();
        errorf("training diverged: the loss is %g at epoch %lld, step %lld "
               "of %lld (global step %lld)",
               (double)loss, (long long)epoch, (long long)step + 1,
               (long long)stepsPerEpoch,
               (long long)((epoch - 1) * stepsPerEpoch + step + 1));
        if (epoch > 1) {
          char name[64];
          checkpointFileName(epoch - 1, name, sizeof(name));
          notef("the last good checkpoint is %s/%s (epoch %lld); continue "
                "from it with --resume",
                opt.out, name, (long long)(epoch - 1));
        } else {
          notef("no epoch finished, so there is no checkpoint");
        }
        exitCode = EXIT_DIVERGED;
        goto cleanup;
      }
      total += (double)loss * (double)rows;
      aert_progress_update(first + rows, total / (double)(first + rows));
    }
    aert_progress_end();
    double seconds = nowSeconds() - start;
    double trainLoss = total / (double)trainCount;
    double samplesPerSecond = seconds > 0 ? (double)trainCount / seconds : 0;

    int64_t badBatch = 0;
    double testLoss = evaluate(m, test.images, test.n, D, batch, &badBatch);
    if (!isfinite(testLoss)) {
      errorf("training diverged: the test loss is not finite at epoch %lld "
             "(test batch %lld)",
             (long long)epoch, (long long)badBatch);
      if (epoch > 1)
        notef("the last good checkpoint is the one of epoch %lld in %s",
              (long long)(epoch - 1), opt.out);
      exitCode = EXIT_DIVERGED;
      goto cleanup;
    }
    printf("epoch %lld/%lld  train_loss %.6g  test_loss %.6g  %.0f samples/s"
           "  (%.1f s)\n",
           (long long)epoch, (long long)opt.epochs, trainLoss, testLoss,
           samplesPerSecond, seconds);
    fflush(stdout);
    if (appendMetrics(metricsPath, epoch, trainLoss, testLoss,
                      samplesPerSecond) != 0 ||
        writeCheckpoint(m, opt.out, epoch, &opt, trainCount, lastEpoch) != 0)
      goto cleanup;
    lastEpoch = epoch;
  }

  if (D == 28 * 28) {
    if (writeFigures(m, &opt, &train, trainCount, &test) != 0)
      goto cleanup;
  } else {
    notef("no figures: the model's input has %lld elements, not 28x28",
          (long long)D);
  }
  exitCode = 0;

cleanup:
  if (m)
    AE(destroy)(m);
  aert_free(order);
  aert_free(batchBuf);
  free(metricsPath);
  freeSplit(&train);
  freeSplit(&test);
  return exitCode;
}
