/* Writes a small synthetic MNIST look-alike in the IDX format:
 *   make_idx DIR NTRAIN NTEST [ROWS COLS]
 * Image i has label i % 10: a bright disk whose centre depends on the label,
 * plus a little deterministic noise, so an autoencoder has structure to
 * learn. Deterministic: the same arguments give the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t state = 2463534242u;
static uint32_t next(void) { /* xorshift32 */
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

static void put32(FILE *f, uint32_t v) {
  unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                        (unsigned char)(v >> 8), (unsigned char)v};
  fwrite(b, 1, 4, f);
}

static int writeSplit(const char *dir, const char *images, const char *labels,
                      long n, long rows, long cols) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", dir, images);
  FILE *fi = fopen(path, "wb");
  snprintf(path, sizeof(path), "%s/%s", dir, labels);
  FILE *fl = fopen(path, "wb");
  if (!fi || !fl) {
    fprintf(stderr, "make_idx: cannot write into %s\n", dir);
    return 1;
  }
  put32(fi, 0x803);
  put32(fi, (uint32_t)n);
  put32(fi, (uint32_t)rows);
  put32(fi, (uint32_t)cols);
  put32(fl, 0x801);
  put32(fl, (uint32_t)n);
  for (long i = 0; i < n; ++i) {
    int label = (int)(i % 10);
    double cy = rows * (0.3 + 0.4 * (label / 5)) + (double)(next() % 3) - 1;
    double cx = cols * (0.15 + 0.175 * (label % 5)) + (double)(next() % 3) - 1;
    double r2 = (rows / 6.0) * (rows / 6.0);
    for (long y = 0; y < rows; ++y)
      for (long x = 0; x < cols; ++x) {
        double d2 = (y - cy) * (y - cy) + (x - cx) * (x - cx);
        int v = d2 < r2 ? 200 + (int)(next() % 56) : (int)(next() % 16);
        fputc(v, fi);
      }
    fputc(label, fl);
  }
  int bad = fclose(fi) != 0;
  bad |= fclose(fl) != 0;
  return bad;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 6) {
    fprintf(stderr, "usage: make_idx DIR NTRAIN NTEST [ROWS COLS]\n");
    return 2;
  }
  long ntrain = atol(argv[2]), ntest = atol(argv[3]);
  long rows = argc == 6 ? atol(argv[4]) : 28,
       cols = argc == 6 ? atol(argv[5]) : 28;
  if (ntrain < 1 || ntest < 1 || rows < 1 || cols < 1) {
    fprintf(stderr, "make_idx: sizes must be positive\n");
    return 2;
  }
  if (writeSplit(argv[1], "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 ntrain, rows, cols) ||
      writeSplit(argv[1], "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
                 ntest, rows, cols))
    return 1;
  return 0;
}
