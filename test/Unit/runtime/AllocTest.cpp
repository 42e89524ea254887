//===- AllocTest.cpp - The caching allocator behind aert_alloc ------------===//

#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

aert_alloc_counts stats() {
  aert_alloc_counts counts;
  memset(&counts, 0xff, sizeof(counts));
  aert_alloc_stats(&counts);
  return counts;
}

bool aligned(const void *p) {
  return reinterpret_cast<uintptr_t>(p) % AERT_ALIGNMENT == 0;
}

/// Restores the default cache limit when a test that changed it ends.
struct LimitGuard {
  ~LimitGuard() { aert_alloc_set_cache_limit(AERT_ALLOC_DEFAULT_CACHE_LIMIT); }
};

TEST(AllocCache, SameSizeGetsTheFreedBlockBack) {
  for (size_t size :
       {size_t(1), size_t(1000), size_t(100000), size_t(3) << 20}) {
    void *first = aert_alloc(size);
    ASSERT_NE(first, nullptr);
    aert_free(first);
    aert_alloc_counts before = stats();
    void *second = aert_alloc(size);
    aert_alloc_counts after = stats();
    EXPECT_EQ(second, first) << size;
    EXPECT_EQ(after.cache_hits - before.cache_hits, 1u) << size;
    EXPECT_EQ(after.system_allocs, before.system_allocs) << size;
    aert_free(second);
  }
}

TEST(AllocCache, SizeClasses) {
  // 961..1024 bytes share the 1024-byte class; 1025 is the next class.
  void *p = aert_alloc(1000);
  aert_free(p);
  void *same = aert_alloc(961);
  EXPECT_EQ(same, p);
  aert_free(same);
  void *next = aert_alloc(1025);
  EXPECT_NE(next, p);
  aert_free(next);
  // Above 4 KiB: four classes per power of two, e.g. (4096, 5120].
  void *big = aert_alloc(5000);
  aert_free(big);
  void *bigSame = aert_alloc(4097);
  EXPECT_EQ(bigSame, big);
  aert_free(bigSame);
}

/// The class size of a request, as the cache accounts it when freed.
size_t classBytesOf(size_t size) {
  void *p = aert_alloc(size);
  if (!p)
    return 0;
  memset(p, 0x5a, size); // every requested byte is writable
  aert_alloc_counts before = stats();
  aert_free(p);
  aert_alloc_counts after = stats();
  return size_t(after.cached_bytes - before.cached_bytes);
}

TEST(AllocCache, ClassSlackIsBounded) {
  std::mt19937_64 rng(7);
  std::vector<size_t> sizes = {0,    1,       63,           64,   65,
                               4095, 4096,    4097,         8191, 8192,
                               8193, 1 << 20, (1 << 20) + 1};
  for (int i = 0; i < 200; ++i)
    sizes.push_back(size_t(rng() % (size_t(16) << 20)));
  for (size_t size : sizes) {
    size_t cls = classBytesOf(size);
    size_t atLeast = std::max<size_t>(64, (size + 63) / 64 * 64);
    EXPECT_GE(cls, atLeast) << size;
    EXPECT_EQ(cls % 64, 0u) << size;
    if (size <= 4096)
      EXPECT_EQ(cls, atLeast) << size;
    else
      EXPECT_LE(cls, atLeast + atLeast / 4) << size;
  }
}

TEST(AllocCache, ManySizesAlignedAndDisjoint) {
  std::mt19937_64 rng(11);
  struct Block {
    uint8_t *p;
    size_t size;
    uint8_t tag;
  };
  for (int round = 0; round < 3; ++round) {
    std::vector<Block> blocks;
    for (int i = 0; i < 400; ++i) {
      size_t size = i % 4 == 0 ? size_t(rng() % 300000) : size_t(rng() % 5000);
      uint8_t *p = static_cast<uint8_t *>(aert_alloc(size));
      ASSERT_NE(p, nullptr) << size;
      EXPECT_TRUE(aligned(p)) << size;
      uint8_t tag = uint8_t(i * 7 + round);
      memset(p, tag, size);
      blocks.push_back({p, size, tag});
    }
    // No block overlaps another: each still holds its own pattern.
    for (const Block &b : blocks)
      for (size_t j = 0; j < b.size; j += 61)
        ASSERT_EQ(b.p[j], b.tag) << b.size;
    std::shuffle(blocks.begin(), blocks.end(), rng);
    for (const Block &b : blocks)
      aert_free(b.p);
  }
}

TEST(AllocCache, RepeatedCallsAllocateNothingFromTheSystem) {
  // What a generated kernel does: the same temporaries on every call, some
  // live at once, freed in another order than allocated.
  const size_t sizes[] = {256, 5000, 5000, 1 << 20, 3 << 20, 100, 64 << 10};
  auto call = [&] {
    std::vector<void *> live;
    for (size_t size : sizes) {
      live.push_back(aert_alloc(size));
      memset(live.back(), 1, size);
      if (live.size() % 3 == 0) {
        aert_free(live.front());
        live.erase(live.begin());
      }
    }
    for (void *p : live)
      aert_free(p);
  };
  call();
  aert_alloc_counts before = stats();
  for (int i = 0; i < 50; ++i)
    call();
  aert_alloc_counts after = stats();
  EXPECT_EQ(after.system_allocs, before.system_allocs);
  EXPECT_EQ(after.system_frees, before.system_frees);
  EXPECT_EQ(after.cache_hits - before.cache_hits, 50 * std::size(sizes));
  EXPECT_EQ(after.frees - before.frees, 50 * std::size(sizes));
}

TEST(AllocCache, ThreadsAllocateAndFreeConcurrently) {
  constexpr int kThreads = 4;
  constexpr int kSteps = 20000;
  // Each thread hands some of its blocks to the next thread, which checks
  // and frees them: blocks move between threads, as when one thread frees
  // what another allocated.
  std::atomic<uint8_t *> handoff[kThreads];
  for (auto &slot : handoff)
    slot.store(nullptr);
  std::atomic<int> corrupted{0};
  aert_alloc_counts before = stats();
  auto work = [&](int id) {
    std::mt19937_64 rng(100 + id);
    std::vector<std::pair<uint8_t *, size_t>> live;
    auto check = [&](uint8_t *p, size_t size, uint8_t tag) {
      for (size_t j = 0; j < size; j += 17)
        if (p[j] != tag)
          ++corrupted;
    };
    for (int step = 0; step < kSteps; ++step) {
      if (live.size() < 16 && rng() % 3 != 0) {
        size_t size = 64 + size_t(rng() % 20000);
        uint8_t *p = static_cast<uint8_t *>(aert_alloc(size));
        if (!p || !aligned(p)) {
          ++corrupted;
          continue;
        }
        memset(p, uint8_t(id + 1), size);
        live.push_back({p, size});
      } else if (!live.empty()) {
        size_t k = size_t(rng() % live.size());
        auto [p, size] = live[k];
        live.erase(live.begin() + long(k));
        check(p, size, uint8_t(id + 1));
        if (rng() % 4 == 0) {
          // Pass it on as a 64-byte block tagged for the receiver.
          memset(p, 0xee, 64);
          uint8_t *old = handoff[(id + 1) % kThreads].exchange(p);
          if (old) {
            check(old, 64, 0xee);
            aert_free(old);
          }
        } else {
          aert_free(p);
        }
      }
    }
    for (auto [p, size] : live) {
      check(p, size, uint8_t(id + 1));
      aert_free(p);
    }
  };
  std::vector<std::thread> threads;
  for (int id = 0; id < kThreads; ++id)
    threads.emplace_back(work, id);
  for (std::thread &t : threads)
    t.join();
  for (auto &slot : handoff)
    aert_free(slot.exchange(nullptr));
  aert_alloc_counts after = stats();
  EXPECT_EQ(corrupted.load(), 0);
  // Every block allocated here was freed once.
  EXPECT_EQ(after.allocs - before.allocs, after.frees - before.frees);
  EXPECT_GT(after.cache_hits - before.cache_hits, 0u);
}

TEST(AllocCache, TrimReleasesEverything) {
  void *a = aert_alloc(200000);
  void *b = aert_alloc(300);
  aert_free(a);
  aert_free(b);
  aert_alloc_counts held = stats();
  EXPECT_GE(held.cached_bytes, 200000u + 320u);
  EXPECT_GE(held.cached_blocks, 2u);
  size_t released = aert_alloc_trim();
  EXPECT_EQ(released, held.cached_bytes);
  aert_alloc_counts trimmed = stats();
  EXPECT_EQ(trimmed.cached_bytes, 0u);
  EXPECT_EQ(trimmed.cached_blocks, 0u);
  EXPECT_EQ(trimmed.system_frees - held.system_frees, held.cached_blocks);
  // The next request comes from the system again.
  void *c = aert_alloc(200000);
  EXPECT_EQ(stats().system_allocs - trimmed.system_allocs, 1u);
  aert_free(c);
  EXPECT_EQ(aert_alloc_trim() > 0, true);
  EXPECT_EQ(aert_alloc_trim(), 0u);
}

TEST(AllocCache, LimitBoundsTheCache) {
  LimitGuard restore;
  aert_alloc_trim();
  aert_alloc_set_cache_limit(1 << 20);
  EXPECT_EQ(stats().cache_limit, uint64_t(1) << 20);
  // A block larger than the limit goes straight back to the system.
  void *big = aert_alloc(2 << 20);
  aert_alloc_counts before = stats();
  aert_free(big);
  aert_alloc_counts after = stats();
  EXPECT_EQ(after.system_frees - before.system_frees, 1u);
  EXPECT_EQ(after.cached_bytes, 0u);
  // Blocks are cached up to the limit, not beyond.
  std::vector<void *> blocks;
  for (int i = 0; i < 8; ++i)
    blocks.push_back(aert_alloc(200000)); // class 229376 bytes
  for (void *p : blocks)
    aert_free(p);
  EXPECT_LE(stats().cached_bytes, uint64_t(1) << 20);
  EXPECT_EQ(stats().cached_blocks, 4u);
  // Lowering the limit below what is held trims the cache.
  aert_alloc_set_cache_limit(1000);
  EXPECT_EQ(stats().cached_bytes, 0u);
  // Limit 0: nothing is cached.
  aert_alloc_set_cache_limit(0);
  void *p = aert_alloc(64);
  aert_free(p);
  EXPECT_EQ(stats().cached_blocks, 0u);
}

TEST(AllocCache, DoubleFreeIsReportedAndHarmless) {
  void *p = aert_alloc(777);
  aert_free(p);
  aert_clear_error();
  aert_free(p);
  EXPECT_NE(std::string(aert_last_error()).find("freed twice"),
            std::string::npos)
      << aert_last_error();
  // The block is in the cache once: two requests get two blocks.
  void *a = aert_alloc(777);
  void *b = aert_alloc(777);
  EXPECT_NE(a, b);
  aert_free(a);
  aert_free(b);
}

TEST(AllocCache, ForeignPointersAreRejected) {
  alignas(64) static uint8_t buffer[256] = {};
  aert_alloc_counts before = stats();
  aert_clear_error();
  aert_free(buffer + 64);
  EXPECT_NE(std::string(aert_last_error()).find("not returned by aert_alloc"),
            std::string::npos)
      << aert_last_error();
  aert_clear_error();
  aert_free(buffer + 65); // misaligned: never from aert_alloc
  EXPECT_NE(std::string(aert_last_error()).find("not returned by aert_alloc"),
            std::string::npos);
  aert_alloc_counts after = stats();
  EXPECT_EQ(after.frees, before.frees);
  EXPECT_EQ(after.cached_blocks, before.cached_blocks);
}

TEST(AllocCache, ZeroBytesGivesUniquePointers) {
  void *a = aert_alloc(0);
  void *b = aert_alloc(0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  EXPECT_TRUE(aligned(a));
  EXPECT_TRUE(aligned(b));
  aert_free(a);
  aert_free(b);
}

TEST(AllocCache, StatsToleratesNull) { aert_alloc_stats(nullptr); }

} // namespace
