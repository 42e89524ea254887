//===- TestUtil.h - Helpers for the aert unit tests -------------*- C++ -*-===//
#ifndef AERT_TEST_UTIL_H
#define AERT_TEST_UTIL_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <dirent.h>
#include <unistd.h>

namespace aert_test {

/// A fresh folder under $TMPDIR (or /tmp), removed with its files at the end.
class TempDir {
public:
  TempDir() {
    const char *base = getenv("TMPDIR");
    std::string pattern =
        std::string(base && *base ? base : "/tmp") + "/aert-unittest-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()))
      path = buffer.data();
  }
  ~TempDir() {
    for (const std::string &name : files())
      unlink((path + "/" + name).c_str());
    rmdir(path.c_str());
  }
  std::string file(const std::string &name) const { return path + "/" + name; }
  /// Names of the files in the folder (to check no temp file is left).
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    if (DIR *dir = opendir(path.c_str())) {
      while (dirent *entry = readdir(dir)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..")
          names.push_back(name);
      }
      closedir(dir);
    }
    return names;
  }
  std::string path;
};

inline void writeBytes(const std::string &path,
                       const std::vector<uint8_t> &bytes) {
  FILE *f = fopen(path.c_str(), "wb");
  if (!f)
    return;
  if (!bytes.empty())
    fwrite(bytes.data(), 1, bytes.size(), f);
  fclose(f);
}

inline std::vector<uint8_t> readBytes(const std::string &path) {
  std::vector<uint8_t> bytes;
  FILE *f = fopen(path.c_str(), "rb");
  if (!f)
    return bytes;
  uint8_t buffer[4096];
  size_t got;
  while ((got = fread(buffer, 1, sizeof(buffer), f)) > 0)
    bytes.insert(bytes.end(), buffer, buffer + got);
  fclose(f);
  return bytes;
}

inline void appendBE32(std::vector<uint8_t> &bytes, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(uint8_t(v >> shift));
}

} // namespace aert_test

#endif // AERT_TEST_UTIL_H
