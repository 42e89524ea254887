//===- Support.cpp - Errors, files, threads -------------------------------===//
//
// The small services every other part of aert uses.
//
//===----------------------------------------------------------------------===//

#include "runtime/Internal.h"
#include "runtime/aert.h"

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {
// A fixed buffer: setting an error never allocates and cannot fail.
thread_local char lastError[1024];
} // namespace

void aert::setError(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(lastError, sizeof(lastError), format, args);
  va_end(args);
}

void aert::setErrnoError(const char *what, const char *path) {
  int code = errno;
  setError("%s '%s': %s", what, path ? path : "(null)", strerror(code));
}

extern "C" const char *aert_last_error(void) { return lastError; }

extern "C" void aert_clear_error(void) { lastError[0] = '\0'; }

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

extern "C" int aert_num_threads(void) {
  if (const char *env = getenv("AEC_NUM_THREADS")) {
    char *end = nullptr;
    errno = 0;
    long value = strtol(env, &end, 10);
    if (errno == 0 && end != env && *end == '\0' && value >= 1 && value <= 4096)
      return int(value);
    aert::setError("AEC_NUM_THREADS='%s' is not a positive integer; using "
                   "the number of cores",
                   env);
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0)
      return count;
  }
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? int(online) : 1;
}

// 0: not yet read (aert_num_threads() at the next parallel loop).
static std::atomic<int32_t> parallelThreads{0};

extern "C" void aert_set_num_threads(int n) {
  parallelThreads.store(n > 0 ? int32_t(n) : 0, std::memory_order_relaxed);
}

extern "C" int32_t aert_parallel_threads(void) {
  int32_t n = parallelThreads.load(std::memory_order_relaxed);
  if (n > 0)
    return n;
  // Racing first calls compute the same value.
  n = int32_t(aert_num_threads());
  parallelThreads.store(n, std::memory_order_relaxed);
  return n;
}

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

aert::FileBytes::~FileBytes() { free(data); }

bool aert::readWholeFile(const char *path, FileBytes &out) {
  if (!path) {
    setError("no file name given (NULL path)");
    return false;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    setErrnoError("cannot open", path);
    return false;
  }
  struct stat info;
  if (fstat(fd, &info) != 0) {
    setErrnoError("cannot stat", path);
    close(fd);
    return false;
  }
  if (!S_ISREG(info.st_mode)) {
    setError("'%s' is not a regular file", path);
    close(fd);
    return false;
  }
  size_t size = size_t(info.st_size);
  // Plain malloc: a file's bytes are needed once, so keeping the block in
  // aert_alloc's cache afterwards would only hold memory.
  uint8_t *data = static_cast<uint8_t *>(malloc(size ? size : 1));
  if (!data) {
    setError("out of memory reading '%s' (%zu bytes)", path, size);
    close(fd);
    return false;
  }
  size_t done = 0;
  while (done < size) {
    ssize_t got = read(fd, data + done, size - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      setErrnoError("cannot read", path);
      free(data);
      close(fd);
      return false;
    }
    if (got == 0)
      break; // The file shrank while we read it: keep what is there.
    done += size_t(got);
  }
  close(fd);
  free(out.data);
  out.data = data;
  out.size = done;
  return true;
}

namespace {
char *duplicate(const char *s) {
  size_t n = strlen(s) + 1;
  char *copy = static_cast<char *>(malloc(n));
  if (copy)
    memcpy(copy, s, n);
  return copy;
}

/// fsyncs the folder holding `path` so the rename itself is durable.
void syncParentFolder(const char *path) {
  const char *slash = strrchr(path, '/');
  char *folder;
  if (!slash)
    folder = duplicate(".");
  else if (slash == path)
    folder = duplicate("/");
  else {
    size_t n = size_t(slash - path);
    folder = static_cast<char *>(malloc(n + 1));
    if (folder) {
      memcpy(folder, path, n);
      folder[n] = '\0';
    }
  }
  if (!folder)
    return;
  int fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd); // Best effort: some file systems refuse fsync on folders.
    close(fd);
  }
  free(folder);
}
} // namespace

aert::AtomicFile::AtomicFile(const char *path) {
  if (!path || !*path) {
    setError("no file name given");
    return;
  }
  finalPath = duplicate(path);
  size_t n = strlen(path) + 32;
  tempPath = static_cast<char *>(malloc(n));
  if (!finalPath || !tempPath) {
    setError("out of memory");
    return;
  }
  snprintf(tempPath, n, "%s.tmp.%ld", path, long(getpid()));
  int fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    setErrnoError("cannot create", tempPath);
    return;
  }
  file = fdopen(fd, "wb");
  if (!file) {
    setErrnoError("cannot open", tempPath);
    close(fd);
    unlink(tempPath);
  }
}

aert::AtomicFile::~AtomicFile() {
  if (file) {
    fclose(file);
    file = nullptr;
  }
  if (!committed && tempPath)
    unlink(tempPath);
  free(finalPath);
  free(tempPath);
}

bool aert::AtomicFile::commit() {
  if (!file)
    return false;
  bool good = true;
  if (ferror(file) || fflush(file) != 0) {
    setErrnoError("cannot write", tempPath);
    good = false;
  } else if (fsync(fileno(file)) != 0) {
    setErrnoError("cannot sync", tempPath);
    good = false;
  }
  if (fclose(file) != 0 && good) {
    setErrnoError("cannot close", tempPath);
    good = false;
  }
  file = nullptr;
  if (good && rename(tempPath, finalPath) != 0) {
    setErrnoError("cannot rename temp file onto", finalPath);
    good = false;
  }
  if (!good) {
    unlink(tempPath);
    return false;
  }
  committed = true;
  syncParentFolder(finalPath);
  return true;
}
