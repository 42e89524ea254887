//===- Alloc.cpp - Aligned allocation with a cache of freed blocks --------===//
//
// Generated kernels allocate every temporary with aert_alloc and free it
// before they return, and the next call asks for the same sizes again. With
// plain malloc the large blocks go back to the system (glibc mmaps them) and
// fault in again on every call, which costs more than the arithmetic of a
// training step. So freed blocks stay here, sorted by size class, and the
// next request of that class takes the most recently freed one.
//
// Every block starts with a 64-byte header (the caller's pointer is the
// byte after it, so it stays 64-byte aligned) that records the block's size
// class and whether it is live or cached. Each size class has its own mutex,
// so threads that allocate different sizes do not contend; the counters are
// relaxed atomics.
//
//===----------------------------------------------------------------------===//

#include "runtime/Internal.h"
#include "runtime/aert.h"

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace {

constexpr size_t kLine = AERT_ALIGNMENT;
/// Classes 0..63: 64, 128, ..., 4096 bytes.
constexpr size_t kSmallLimit = 4096;
constexpr unsigned kSmallClasses = kSmallLimit / kLine;
constexpr unsigned kFirstLargeShift = 12; // log2(kSmallLimit)
/// Above 4 KiB, four classes per power of two: for 2^p < n <= 2^(p+1), the
/// class sizes are 2^p + k * 2^(p-2), k = 1..4.
constexpr unsigned kStepsPerPower = 4;
/// Blocks above 2^40 bytes are not cached.
constexpr unsigned kLastLargeShift = 40;
constexpr unsigned kClassCount =
    kSmallClasses + (kLastLargeShift - kFirstLargeShift) * kStepsPerPower;
constexpr size_t kLargestClass = size_t(1) << kLastLargeShift;
constexpr uint32_t kUncached = ~uint32_t(0);

constexpr uint64_t kLiveMagic = 0xae47a11c0b10c5e1ULL;
constexpr uint64_t kCachedMagic = 0xae47cac4edb10c5eULL;

struct alignas(kLine) BlockHeader {
  uint64_t magic;
  /// Usable bytes after the header (the class size, or the rounded request
  /// of an uncached block).
  size_t bytes;
  uint32_t sizeClass; // kUncached for blocks too large to cache
  BlockHeader *next;  // free list link while cached
};
static_assert(sizeof(BlockHeader) == kLine, "the header is one line");

struct alignas(kLine) FreeList {
  std::mutex lock;
  BlockHeader *head = nullptr;
};

FreeList freeLists[kClassCount];

std::atomic<uint64_t> cacheHits{0};
std::atomic<uint64_t> systemAllocs{0};
std::atomic<uint64_t> liveFrees{0};
std::atomic<uint64_t> systemFrees{0};
std::atomic<uint64_t> cachedBlocks{0};
std::atomic<size_t> cachedBytes{0};
std::atomic<size_t> cacheLimit{AERT_ALLOC_DEFAULT_CACHE_LIMIT};

/// The class of a request of `bytes` (> 0, <= kLargestClass) and its size.
unsigned classOf(size_t bytes, size_t &classBytes) {
  if (bytes <= kSmallLimit) {
    size_t lines = (bytes + kLine - 1) / kLine;
    classBytes = lines * kLine;
    return unsigned(lines - 1);
  }
  unsigned shift = 63 - unsigned(__builtin_clzll(uint64_t(bytes - 1)));
  size_t base = size_t(1) << shift;
  size_t step = base / kStepsPerPower;
  size_t k = (bytes - base + step - 1) / step; // 1..kStepsPerPower
  classBytes = base + k * step;
  return kSmallClasses + (shift - kFirstLargeShift) * kStepsPerPower +
         unsigned(k - 1);
}

BlockHeader *headerOf(void *p) {
  return reinterpret_cast<BlockHeader *>(static_cast<char *>(p) - kLine);
}

void *payloadOf(BlockHeader *block) { return block + 1; }

void releaseToSystem(BlockHeader *block) {
  block->magic = 0;
  free(block);
  systemFrees.fetch_add(1, std::memory_order_relaxed);
}

/// Takes every block out of the cache and gives it back to the system.
size_t releaseAll() {
  size_t released = 0;
  for (FreeList &list : freeLists) {
    BlockHeader *head;
    {
      std::lock_guard<std::mutex> guard(list.lock);
      head = list.head;
      list.head = nullptr;
    }
    while (head) {
      BlockHeader *next = head->next;
      size_t bytes = head->bytes;
      cachedBytes.fetch_sub(bytes, std::memory_order_relaxed);
      cachedBlocks.fetch_sub(1, std::memory_order_relaxed);
      releaseToSystem(head);
      released += bytes;
      head = next;
    }
  }
  return released;
}

} // namespace

extern "C" void *aert_alloc(size_t bytes) {
  // Whole 64-byte lines, so vector code may touch the last line, and a
  // zero-byte request still yields a unique pointer.
  if (bytes > SIZE_MAX - 2 * kLine) {
    aert::setError("aert_alloc: %zu bytes is too large", bytes);
    return nullptr;
  }
  size_t classBytes = (bytes + kLine - 1) / kLine * kLine;
  if (classBytes == 0)
    classBytes = kLine;
  uint32_t sizeClass = kUncached;
  if (classBytes <= kLargestClass) {
    sizeClass = classOf(classBytes, classBytes);
    FreeList &list = freeLists[sizeClass];
    BlockHeader *block;
    {
      std::lock_guard<std::mutex> guard(list.lock);
      block = list.head;
      if (block)
        list.head = block->next;
    }
    if (block) {
      cachedBytes.fetch_sub(block->bytes, std::memory_order_relaxed);
      cachedBlocks.fetch_sub(1, std::memory_order_relaxed);
      cacheHits.fetch_add(1, std::memory_order_relaxed);
      block->magic = kLiveMagic;
      block->next = nullptr;
      return payloadOf(block);
    }
  }
  void *base = nullptr;
  if (posix_memalign(&base, kLine, kLine + classBytes) != 0) {
    // The cache may hold the memory this request needs: give it back and
    // try once more.
    if (releaseAll() == 0 ||
        posix_memalign(&base, kLine, kLine + classBytes) != 0) {
      aert::setError("aert_alloc: out of memory allocating %zu bytes", bytes);
      return nullptr;
    }
  }
  systemAllocs.fetch_add(1, std::memory_order_relaxed);
  BlockHeader *block = static_cast<BlockHeader *>(base);
  block->magic = kLiveMagic;
  block->bytes = classBytes;
  block->sizeClass = sizeClass;
  block->next = nullptr;
  return payloadOf(block);
}

extern "C" void aert_free(void *p) {
  if (!p)
    return;
  if (reinterpret_cast<uintptr_t>(p) % kLine != 0) {
    aert::setError("aert_free: %p was not returned by aert_alloc", p);
    return;
  }
  BlockHeader *block = headerOf(p);
  if (block->magic != kLiveMagic) {
    if (block->magic == kCachedMagic)
      aert::setError("aert_free: %p was freed twice", p);
    else
      aert::setError("aert_free: %p was not returned by aert_alloc", p);
    return;
  }
  liveFrees.fetch_add(1, std::memory_order_relaxed);
  if (block->sizeClass == kUncached) {
    releaseToSystem(block);
    return;
  }
  size_t bytes = block->bytes;
  size_t before = cachedBytes.fetch_add(bytes, std::memory_order_relaxed);
  if (before + bytes > cacheLimit.load(std::memory_order_relaxed)) {
    cachedBytes.fetch_sub(bytes, std::memory_order_relaxed);
    releaseToSystem(block);
    return;
  }
  cachedBlocks.fetch_add(1, std::memory_order_relaxed);
  block->magic = kCachedMagic;
  FreeList &list = freeLists[block->sizeClass];
  std::lock_guard<std::mutex> guard(list.lock);
  block->next = list.head;
  list.head = block;
}

extern "C" size_t aert_alloc_trim(void) { return releaseAll(); }

extern "C" void aert_alloc_set_cache_limit(size_t bytes) {
  cacheLimit.store(bytes, std::memory_order_relaxed);
  if (cachedBytes.load(std::memory_order_relaxed) > bytes)
    releaseAll();
}

extern "C" void aert_alloc_stats(aert_alloc_counts *out) {
  if (!out)
    return;
  uint64_t hits = cacheHits.load(std::memory_order_relaxed);
  uint64_t fresh = systemAllocs.load(std::memory_order_relaxed);
  out->allocs = hits + fresh;
  out->cache_hits = hits;
  out->system_allocs = fresh;
  out->frees = liveFrees.load(std::memory_order_relaxed);
  out->system_frees = systemFrees.load(std::memory_order_relaxed);
  out->cached_blocks = cachedBlocks.load(std::memory_order_relaxed);
  out->cached_bytes = cachedBytes.load(std::memory_order_relaxed);
  out->cache_limit = cacheLimit.load(std::memory_order_relaxed);
}
