//===- Checkpoint.cpp - aert_model_save / aert_model_load -----------------===//
//
// Checkpoint format, version 1, all integers little-endian:
//
//   char[8]  magic "AECKPT\0\0"
//   u32      format version (1)
//   u32      model name length N, then N bytes of name (no terminator)
//   u64      param_count P, state_count S, latent_size L
//   u64      optimizer step count, RNG seed, RNG call counter
//   u32      1 if latent statistics follow, else 0
//   u32      reserved (0)
//   f64      latent mean[L], Cholesky factor[L*L]   (only if the flag is 1)
//   f32      params[P], optimizer state[S]
//   u64      FNV-1a 64 of every byte before it
//
// Saving is atomic (temp file, fsync, rename, fsync of the folder). Loading
// validates the whole file before touching the model, so a failed load
// leaves the model exactly as it was.
//
//===----------------------------------------------------------------------===//

#include "runtime/Internal.h"
#include "runtime/Model.h"
#include "runtime/aert.h"

#include <cstring>

using aert::setError;

namespace {

constexpr char kMagic[8] = {'A', 'E', 'C', 'K', 'P', 'T', '\0', '\0'};
constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kMaxNameLength = 4096;

const char *modelName(const aert_model *m) {
  return m->desc->name ? m->desc->name : "";
}

/// Writes through stdio and hashes everything written.
class HashingWriter {
public:
  explicit HashingWriter(FILE *out) : out(out) {}
  void bytes(const void *data, size_t size) {
    if (size == 0)
      return;
    hash = aert::fnv1a64(hash, static_cast<const uint8_t *>(data), size);
    if (fwrite(data, 1, size, out) != size)
      failed = true;
  }
  void u32(uint32_t v) {
    uint8_t b[4];
    aert::storeLE32(b, v);
    bytes(b, 4);
  }
  void u64(uint64_t v) {
    uint8_t b[8];
    aert::storeLE64(b, v);
    bytes(b, 8);
  }
  void f64s(const double *v, int64_t count) {
    for (int64_t i = 0; i < count; ++i) {
      uint64_t bits;
      memcpy(&bits, &v[i], 8);
      u64(bits);
    }
  }
  void f32s(const float *v, int64_t count) {
    // Buffered in blocks: one fwrite per float would be slow.
    uint8_t block[4096];
    int64_t done = 0;
    while (done < count) {
      int64_t chunk = count - done < 1024 ? count - done : 1024;
      for (int64_t i = 0; i < chunk; ++i) {
        uint32_t bits;
        memcpy(&bits, &v[done + i], 4);
        aert::storeLE32(block + 4 * i, bits);
      }
      bytes(block, size_t(chunk) * 4);
      done += chunk;
    }
  }
  uint64_t digest() const { return hash; }
  bool ok() const { return !failed; }

private:
  FILE *out;
  uint64_t hash = aert::kFnvOffset;
  bool failed = false;
};

/// Bounds-checked cursor over the file's bytes.
class Reader {
public:
  Reader(const uint8_t *data, size_t size) : data(data), size(size) {}
  bool has(size_t n) const { return n <= size - pos; }
  const uint8_t *take(size_t n) {
    const uint8_t *p = data + pos;
    pos += n;
    return p;
  }
  size_t position() const { return pos; }

private:
  const uint8_t *data;
  size_t size;
  size_t pos = 0;
};

} // namespace

extern "C" int aert_model_save(const aert_model *m, const char *path) {
  if (!m) {
    setError("save: NULL model");
    return 1;
  }
  aert::AtomicFile file(path);
  if (!file.ok())
    return 1;
  const aert_model_desc *desc = m->desc;
  const char *name = modelName(m);
  size_t nameLength = strlen(name);
  if (nameLength > kMaxNameLength) {
    setError("save: model name is longer than %u bytes", kMaxNameLength);
    return 1;
  }
  int64_t latent = desc->latent_size;
  HashingWriter out(file.stream());
  out.bytes(kMagic, sizeof(kMagic));
  out.u32(kFormatVersion);
  out.u32(uint32_t(nameLength));
  out.bytes(name, nameLength);
  out.u64(uint64_t(desc->param_count));
  out.u64(uint64_t(desc->state_count));
  out.u64(uint64_t(latent));
  out.u64(m->step);
  out.u64(m->seed);
  out.u64(m->call);
  out.u32(m->latentFitted ? 1 : 0);
  out.u32(0);
  if (m->latentFitted) {
    out.f64s(m->latentMean, latent);
    out.f64s(m->latentChol, latent * latent);
  }
  out.f32s(m->params, desc->param_count);
  out.f32s(m->state, desc->state_count);
  out.u64(out.digest());
  if (!out.ok()) {
    aert::setErrnoError("save: cannot write checkpoint", path);
    return 1; // AtomicFile removes the temp file.
  }
  return file.commit() ? 0 : 1;
}

extern "C" int aert_model_load(aert_model *m, const char *path) {
  if (!m) {
    setError("load: NULL model");
    return 1;
  }
  aert::FileBytes file;
  if (!aert::readWholeFile(path, file))
    return 1;
  const aert_model_desc *desc = m->desc;
  Reader in(file.data, file.size);
  auto truncated = [&]() {
    setError("load: checkpoint '%s' is truncated (%zu bytes)", path, file.size);
    return 1;
  };

  if (!in.has(sizeof(kMagic)) ||
      memcmp(in.take(sizeof(kMagic)), kMagic, sizeof(kMagic)) != 0) {
    setError("load: '%s' is not an aec checkpoint (bad magic)", path);
    return 1;
  }
  if (!in.has(4))
    return truncated();
  uint32_t version = aert::loadLE32(in.take(4));
  if (version != kFormatVersion) {
    setError("load: checkpoint '%s' has format version %u, this runtime "
             "reads version %u",
             path, version, kFormatVersion);
    return 1;
  }
  if (!in.has(4))
    return truncated();
  uint32_t nameLength = aert::loadLE32(in.take(4));
  if (nameLength > kMaxNameLength) {
    setError("load: checkpoint '%s' is corrupt (model name of %u bytes)", path,
             nameLength);
    return 1;
  }
  if (!in.has(nameLength))
    return truncated();
  const char *savedName = reinterpret_cast<const char *>(in.take(nameLength));
  const char *name = modelName(m);
  if (strlen(name) != nameLength || memcmp(savedName, name, nameLength) != 0) {
    setError("load: checkpoint '%s' is for model '%.*s', not for model '%s'",
             path, int(nameLength), savedName, name);
    return 1;
  }
  if (!in.has(6 * 8 + 2 * 4))
    return truncated();
  uint64_t paramCount = aert::loadLE64(in.take(8));
  uint64_t stateCount = aert::loadLE64(in.take(8));
  uint64_t latentSize = aert::loadLE64(in.take(8));
  uint64_t step = aert::loadLE64(in.take(8));
  uint64_t seed = aert::loadLE64(in.take(8));
  uint64_t call = aert::loadLE64(in.take(8));
  uint32_t latentFlag = aert::loadLE32(in.take(4));
  in.take(4); // reserved
  if (paramCount != uint64_t(desc->param_count)) {
    setError("load: checkpoint '%s' has %llu parameters but model '%s' has "
             "%lld",
             path, (unsigned long long)paramCount, name,
             (long long)desc->param_count);
    return 1;
  }
  if (stateCount != uint64_t(desc->state_count)) {
    setError("load: checkpoint '%s' has %llu optimizer state values but "
             "model '%s' has %lld",
             path, (unsigned long long)stateCount, name,
             (long long)desc->state_count);
    return 1;
  }
  if (latentSize != uint64_t(desc->latent_size)) {
    setError("load: checkpoint '%s' has latent size %llu but model '%s' has "
             "%lld",
             path, (unsigned long long)latentSize, name,
             (long long)desc->latent_size);
    return 1;
  }
  if (latentFlag > 1) {
    setError("load: checkpoint '%s' is corrupt (latent flag %u)", path,
             latentFlag);
    return 1;
  }

  // Everything is known now: the exact size must match.
  uint64_t latent = latentSize;
  uint64_t expected = in.position() +
                      (latentFlag ? 8 * (latent + latent * latent) : 0) +
                      4 * (paramCount + stateCount) + 8;
  if (file.size != expected) {
    setError("load: checkpoint '%s' has %zu bytes, expected %llu (%s)", path,
             file.size, (unsigned long long)expected,
             file.size < expected ? "truncated" : "trailing garbage");
    return 1;
  }
  uint64_t stored = aert::loadLE64(file.data + file.size - 8);
  uint64_t actual = aert::fnv1a64(aert::kFnvOffset, file.data, file.size - 8);
  if (stored != actual) {
    setError("load: checkpoint '%s' is corrupt (checksum %016llx, expected "
             "%016llx)",
             path, (unsigned long long)actual, (unsigned long long)stored);
    return 1;
  }

  // Validated: only now touch the model.
  if (latentFlag) {
    const uint8_t *p = in.take(8 * latent);
    for (uint64_t i = 0; i < latent; ++i) {
      uint64_t bits = aert::loadLE64(p + 8 * i);
      memcpy(&m->latentMean[i], &bits, 8);
    }
    p = in.take(8 * latent * latent);
    for (uint64_t i = 0; i < latent * latent; ++i) {
      uint64_t bits = aert::loadLE64(p + 8 * i);
      memcpy(&m->latentChol[i], &bits, 8);
    }
  }
  m->latentFitted = latentFlag != 0;
  const uint8_t *p = in.take(4 * paramCount);
  for (uint64_t i = 0; i < paramCount; ++i) {
    uint32_t bits = aert::loadLE32(p + 4 * i);
    memcpy(&m->params[i], &bits, 4);
  }
  p = in.take(4 * stateCount);
  for (uint64_t i = 0; i < stateCount; ++i) {
    uint32_t bits = aert::loadLE32(p + 4 * i);
    memcpy(&m->state[i], &bits, 4);
  }
  m->step = step;
  m->seed = seed;
  m->call = call;
  return 0;
}
