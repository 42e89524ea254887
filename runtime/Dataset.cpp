//===- Dataset.cpp - MNIST IDX and NumPy .npy loaders, shuffled batches ---===//

#include "runtime/Internal.h"
#include "runtime/Random.h"
#include "runtime/aert.h"

#include <cctype>
#include <cstring>

using aert::setError;

//===----------------------------------------------------------------------===//
// IDX (http://yann.lecun.com/exdb/mnist/): big-endian header, unsigned bytes
//===----------------------------------------------------------------------===//

namespace {

constexpr uint32_t kIdxImagesMagic = 0x00000803;
constexpr uint32_t kIdxLabelsMagic = 0x00000801;

/// Reads an IDX file and checks magic and exact size. `dims` receives the
/// dimensions (rank = magic's low byte). Returns the payload or NULL.
const uint8_t *readIdx(const char *path, aert::FileBytes &file,
                       uint32_t expectedMagic, const char *kind, uint64_t *dims,
                       int rank) {
  if (!aert::readWholeFile(path, file))
    return nullptr;
  size_t headerSize = 4 + 4 * size_t(rank);
  if (file.size < 4) {
    setError("IDX %s file '%s' is truncated (%zu bytes, no header)", kind, path,
             file.size);
    return nullptr;
  }
  uint32_t magic = aert::loadBE32(file.data);
  if (magic != expectedMagic) {
    const char *hint = magic == kIdxImagesMagic   ? " (an IDX image file)"
                       : magic == kIdxLabelsMagic ? " (an IDX label file)"
                                                  : "";
    setError("'%s' is not an IDX %s file: magic 0x%08x%s, expected 0x%08x",
             path, kind, magic, hint, expectedMagic);
    return nullptr;
  }
  if (file.size < headerSize) {
    setError("IDX %s file '%s' is truncated (%zu bytes, header needs %zu)",
             kind, path, file.size, headerSize);
    return nullptr;
  }
  unsigned __int128 payload = 1;
  for (int i = 0; i < rank; ++i) {
    dims[i] = aert::loadBE32(file.data + 4 + 4 * i);
    payload *= dims[i];
  }
  for (int i = 1; i < rank; ++i) {
    if (dims[i] == 0) {
      setError("IDX %s file '%s' has a zero dimension", kind, path);
      return nullptr;
    }
  }
  unsigned __int128 expected = payload + headerSize;
  if (expected != file.size) {
    setError("IDX %s file '%s' has %zu bytes, but its header describes "
             "%.0f (%s)",
             kind, path, file.size, double(expected),
             expected > file.size ? "truncated" : "trailing bytes");
    return nullptr;
  }
  return file.data + headerSize;
}

} // namespace

extern "C" float *aert_idx_load_images(const char *path, int64_t *n,
                                       int64_t *rows, int64_t *cols) {
  aert::FileBytes file;
  uint64_t dims[3];
  const uint8_t *pixels =
      readIdx(path, file, kIdxImagesMagic, "image", dims, 3);
  if (!pixels)
    return nullptr;
  size_t count = size_t(dims[0] * dims[1] * dims[2]);
  float *images = static_cast<float *>(aert_alloc(count * sizeof(float)));
  if (!images) {
    setError("out of memory loading '%s'", path);
    return nullptr;
  }
  for (size_t i = 0; i < count; ++i)
    images[i] = float(pixels[i]) / 255.0f;
  if (n)
    *n = int64_t(dims[0]);
  if (rows)
    *rows = int64_t(dims[1]);
  if (cols)
    *cols = int64_t(dims[2]);
  return images;
}

extern "C" uint8_t *aert_idx_load_labels(const char *path, int64_t *n) {
  aert::FileBytes file;
  uint64_t dims[1];
  const uint8_t *labels =
      readIdx(path, file, kIdxLabelsMagic, "label", dims, 1);
  if (!labels)
    return nullptr;
  uint8_t *out = static_cast<uint8_t *>(aert_alloc(size_t(dims[0])));
  if (!out) {
    setError("out of memory loading '%s'", path);
    return nullptr;
  }
  memcpy(out, labels, size_t(dims[0]));
  if (n)
    *n = int64_t(dims[0]);
  return out;
}

//===----------------------------------------------------------------------===//
// NumPy .npy
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)
//===----------------------------------------------------------------------===//

namespace {

constexpr char kNpyMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

/// The three header entries aert understands.
struct NpyHeader {
  char descr[16] = {0};
  bool haveDescr = false;
  bool fortranOrder = false;
  bool haveFortran = false;
  int rank = -1;
  int64_t shape[AERT_NPY_MAX_RANK] = {0};
};

/// A tiny parser for the Python dict literal of an .npy header, e.g.
///   {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 784), }
class NpyHeaderParser {
public:
  NpyHeaderParser(const char *text, size_t size) : p(text), end(text + size) {}

  /// Returns false with `error` set on anything unexpected.
  bool parse(NpyHeader &header) {
    skipSpace();
    if (!eat('{'))
      return fail("header is not a dict");
    while (true) {
      skipSpace();
      if (eat('}'))
        break;
      char key[32];
      if (!parseString(key, sizeof(key)))
        return fail("expected a quoted key");
      skipSpace();
      if (!eat(':'))
        return fail("expected ':' after a key");
      skipSpace();
      if (strcmp(key, "descr") == 0) {
        if (!parseString(header.descr, sizeof(header.descr)))
          return fail("'descr' is not a simple dtype string");
        header.haveDescr = true;
      } else if (strcmp(key, "fortran_order") == 0) {
        if (word("True"))
          header.fortranOrder = true;
        else if (word("False"))
          header.fortranOrder = false;
        else
          return fail("'fortran_order' is not True or False");
        header.haveFortran = true;
      } else if (strcmp(key, "shape") == 0) {
        if (!parseShape(header))
          return false;
      } else {
        return fail("unknown header key");
      }
      skipSpace();
      if (eat(','))
        continue;
      skipSpace();
      if (eat('}'))
        break;
      return fail("expected ',' or '}'");
    }
    if (!header.haveDescr || !header.haveFortran || header.rank < 0)
      return fail("header lacks 'descr', 'fortran_order' or 'shape'");
    return true;
  }

  const char *error = "";

private:
  const char *p;
  const char *end;

  bool fail(const char *message) {
    error = message;
    return false;
  }
  void skipSpace() {
    while (p < end && isspace(static_cast<unsigned char>(*p)))
      ++p;
  }
  bool eat(char c) {
    if (p < end && *p == c) {
      ++p;
      return true;
    }
    return false;
  }
  bool word(const char *w) {
    size_t n = strlen(w);
    if (size_t(end - p) >= n && memcmp(p, w, n) == 0) {
      p += n;
      return true;
    }
    return false;
  }
  bool parseString(char *out, size_t capacity) {
    if (p >= end || (*p != '\'' && *p != '"'))
      return false;
    char quote = *p++;
    size_t n = 0;
    while (p < end && *p != quote) {
      if (n + 1 >= capacity)
        return false;
      out[n++] = *p++;
    }
    if (p >= end)
      return false;
    ++p;
    out[n] = '\0';
    return true;
  }
  bool parseShape(NpyHeader &header) {
    if (!eat('('))
      return fail("'shape' is not a tuple");
    int rank = 0;
    while (true) {
      skipSpace();
      if (eat(')'))
        break;
      if (p >= end || !isdigit(static_cast<unsigned char>(*p)))
        return fail("'shape' holds something other than integers");
      int64_t value = 0;
      while (p < end && isdigit(static_cast<unsigned char>(*p))) {
        if (value > (INT64_MAX - 9) / 10)
          return fail("a dimension in 'shape' is too large");
        value = value * 10 + (*p++ - '0');
      }
      if (p < end && *p == 'L') // Python 2 longs
        ++p;
      if (rank >= AERT_NPY_MAX_RANK)
        return fail("'shape' has too many dimensions");
      header.shape[rank++] = value;
      skipSpace();
      if (eat(','))
        continue;
      skipSpace();
      if (eat(')'))
        break;
      return fail("malformed 'shape' tuple");
    }
    header.rank = rank;
    return true;
  }
};

} // namespace

extern "C" float *aert_npy_load(const char *path,
                                int64_t shape[AERT_NPY_MAX_RANK], int *rank) {
  aert::FileBytes file;
  if (!aert::readWholeFile(path, file))
    return nullptr;
  if (file.size < 8 || memcmp(file.data, kNpyMagic, 6) != 0) {
    setError("'%s' is not a NumPy .npy file (bad magic)", path);
    return nullptr;
  }
  unsigned major = file.data[6], minor = file.data[7];
  size_t headerLength, headerStart;
  if (major == 1) {
    if (file.size < 10) {
      setError(".npy file '%s' is truncated", path);
      return nullptr;
    }
    headerLength = size_t(file.data[8]) | size_t(file.data[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (file.size < 12) {
      setError(".npy file '%s' is truncated", path);
      return nullptr;
    }
    headerLength = aert::loadLE32(file.data + 8);
    headerStart = 12;
  } else {
    setError(".npy file '%s' has format version %u.%u; supported: 1.0, 2.0, "
             "3.0",
             path, major, minor);
    return nullptr;
  }
  if (headerLength > file.size - headerStart) {
    setError(".npy file '%s' is truncated (header of %zu bytes, file of %zu)",
             path, headerLength, file.size);
    return nullptr;
  }
  NpyHeader header;
  NpyHeaderParser parser(
      reinterpret_cast<const char *>(file.data) + headerStart, headerLength);
  if (!parser.parse(header)) {
    setError(".npy file '%s' has a header aert cannot read: %s", path,
             parser.error);
    return nullptr;
  }
  if (header.fortranOrder) {
    setError(".npy file '%s' is in Fortran order (fortran_order: True); only "
             "C order is supported: save it with np.ascontiguousarray",
             path);
    return nullptr;
  }
  size_t itemSize;
  bool isFloat;
  if (strcmp(header.descr, "<f4") == 0) {
    itemSize = 4;
    isFloat = true;
  } else if (strcmp(header.descr, "|u1") == 0 ||
             strcmp(header.descr, "u1") == 0 ||
             strcmp(header.descr, "<u1") == 0 ||
             strcmp(header.descr, ">u1") == 0) {
    itemSize = 1;
    isFloat = false;
  } else {
    setError(".npy file '%s' has dtype '%s'; supported: '<f4' (float32) and "
             "'|u1' (uint8)",
             path, header.descr);
    return nullptr;
  }
  unsigned __int128 count = 1;
  for (int i = 0; i < header.rank; ++i)
    count *= uint64_t(header.shape[i]);
  size_t dataStart = headerStart + headerLength;
  unsigned __int128 expected = dataStart + count * itemSize;
  if (expected != file.size) {
    setError(".npy file '%s' has %zu bytes but its header describes %.0f "
             "(%s)",
             path, file.size, double(expected),
             expected > file.size ? "truncated" : "trailing bytes");
    return nullptr;
  }
  size_t elements = size_t(count);
  float *out = static_cast<float *>(aert_alloc(elements * sizeof(float)));
  if (!out) {
    setError("out of memory loading '%s'", path);
    return nullptr;
  }
  const uint8_t *data = file.data + dataStart;
  for (size_t i = 0; i < elements; ++i) {
    if (isFloat) {
      uint32_t bits = aert::loadLE32(data + 4 * i);
      memcpy(&out[i], &bits, 4);
    } else {
      out[i] = float(data[i]);
    }
  }
  if (shape)
    for (int i = 0; i < AERT_NPY_MAX_RANK; ++i)
      shape[i] = i < header.rank ? header.shape[i] : 0;
  if (rank)
    *rank = header.rank;
  return out;
}

extern "C" int aert_npy_save(const char *path, const float *data,
                             const int64_t *shape, int rank) {
  if (rank < 0 || rank > AERT_NPY_MAX_RANK || (rank > 0 && !shape)) {
    setError("npy_save: rank %d is not in 0..%d", rank, AERT_NPY_MAX_RANK);
    return 1;
  }
  int64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    if (shape[i] < 0) {
      setError("npy_save: negative dimension %lld", (long long)shape[i]);
      return 1;
    }
    count *= shape[i];
  }
  if (count > 0 && !data) {
    setError("npy_save: NULL data");
    return 1;
  }
  char dict[512];
  int used = snprintf(dict, sizeof(dict),
                      "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  for (int i = 0; i < rank; ++i)
    used += snprintf(dict + used, sizeof(dict) - size_t(used), "%lld%s",
                     (long long)shape[i],
                     rank == 1 ? "," : (i + 1 < rank ? ", " : ""));
  used += snprintf(dict + used, sizeof(dict) - size_t(used), "), }");
  // Pad with spaces and a newline so the data starts 64-byte aligned.
  size_t total = 10 + size_t(used) + 1;
  size_t padded = (total + 63) / 64 * 64;
  size_t headerLength = padded - 10;
  uint8_t preamble[10] = {0x93,
                          'N',
                          'U',
                          'M',
                          'P',
                          'Y',
                          1,
                          0,
                          uint8_t(headerLength),
                          uint8_t(headerLength >> 8)};

  aert::AtomicFile file(path);
  if (!file.ok())
    return 1;
  FILE *out = file.stream();
  fwrite(preamble, 1, sizeof(preamble), out);
  fwrite(dict, 1, size_t(used), out);
  for (size_t i = size_t(used) + 1; i < headerLength; ++i)
    fputc(' ', out);
  fputc('\n', out);
  for (int64_t i = 0; i < count; ++i) {
    uint32_t bits;
    memcpy(&bits, &data[i], 4);
    uint8_t le[4];
    aert::storeLE32(le, bits);
    fwrite(le, 1, 4, out);
  }
  return file.commit() ? 0 : 1;
}

//===----------------------------------------------------------------------===//
// Shuffled batching
//===----------------------------------------------------------------------===//

extern "C" int aert_shuffle(uint64_t seed, uint64_t epoch, int64_t n,
                            int64_t *perm) {
  if (n < 0 || (n > 0 && !perm)) {
    setError("shuffle: invalid arguments (n = %lld)", (long long)n);
    return 1;
  }
  for (int64_t i = 0; i < n; ++i)
    perm[i] = i;
  // Fisher-Yates from the back: position i swaps with j uniform in [0, i],
  // j taken from a 64-bit Philox draw (bias below 2^-30 for any n < 2^34).
  for (int64_t i = n - 1; i > 0; --i) {
    uint32_t words[4];
    aert::philoxBlock(seed, AERT_STREAM_SHUFFLE, epoch, uint64_t(i), words);
    uint64_t r = uint64_t(words[1]) << 32 | words[0];
    int64_t j = int64_t((unsigned __int128)r * uint64_t(i + 1) >> 64);
    int64_t t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return 0;
}

extern "C" void aert_gather_rows(const float *data, int64_t row_size,
                                 const int64_t *indices, int64_t count,
                                 float *out) {
  if (!data || !indices || !out || row_size < 0 || count < 0) {
    setError("gather_rows: invalid arguments");
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    memcpy(out + i * row_size, data + indices[i] * row_size,
           size_t(row_size) * sizeof(float));
}

extern "C" void aert_gather_u8(const uint8_t *data, const int64_t *indices,
                               int64_t count, uint8_t *out) {
  if (!data || !indices || !out || count < 0) {
    setError("gather_u8: invalid arguments");
    return;
  }
  for (int64_t i = 0; i < count; ++i)
    out[i] = data[indices[i]];
}
