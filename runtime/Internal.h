//===- Internal.h - Helpers shared by the aert sources ----------*- C++ -*-===//
//
// Not installed, not part of the C ABI.
//
//===----------------------------------------------------------------------===//
#ifndef AERT_INTERNAL_H
#define AERT_INTERNAL_H

#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace aert {

/// Sets this thread's aert_last_error message (printf-style).
void setError(const char *format, ...) __attribute__((format(printf, 1, 2)));

/// The message of errno-style failures: "<what> '<path>': <strerror>".
void setErrnoError(const char *what, const char *path);

/// A whole file read into a malloc'd buffer.
struct FileBytes {
  uint8_t *data = nullptr;
  size_t size = 0;
  FileBytes() = default;
  FileBytes(const FileBytes &) = delete;
  FileBytes &operator=(const FileBytes &) = delete;
  ~FileBytes();
};

/// Reads `path` into `out`. Returns false (error set) on failure.
bool readWholeFile(const char *path, FileBytes &out);

/// Writes a file atomically: the content goes to `<path>.tmp.<pid>` in the
/// same folder, which is flushed, fsynced, renamed over `path`, and then the
/// folder is fsynced. On failure the temp file is removed and `path` is left
/// as it was.
class AtomicFile {
public:
  /// Opens the temp file; check `ok()`.
  explicit AtomicFile(const char *path);
  ~AtomicFile(); // Discards the temp file unless commit() succeeded.
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  bool ok() const { return file != nullptr; }
  FILE *stream() { return file; }
  /// Flushes, fsyncs, closes and renames. Returns false (error set) on
  /// failure, after which the temp file is gone.
  bool commit();

private:
  char *finalPath = nullptr;
  char *tempPath = nullptr;
  FILE *file = nullptr;
  bool committed = false;
};

/// Little-endian encoding helpers for file formats.
inline void storeLE32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = uint8_t(v >> (8 * i));
}
inline void storeLE64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[i] = uint8_t(v >> (8 * i));
}
inline uint32_t loadLE32(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= uint32_t(p[i]) << (8 * i);
  return v;
}
inline uint64_t loadLE64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= uint64_t(p[i]) << (8 * i);
  return v;
}
inline uint32_t loadBE32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// FNV-1a 64-bit, incremental.
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
inline uint64_t fnv1a64(uint64_t hash, const uint8_t *data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

} // namespace aert

#endif // AERT_INTERNAL_H
