//===- SupportTest.cpp - Errors, aligned allocation, thread count ---------===//

#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

TEST(Alloc, AlignedAndUsable) {
  std::set<void *> seen;
  const size_t sizes[] = {0, 1, 3, 63, 64, 65, 1000, 4096, 1 << 20};
  std::vector<void *> blocks;
  for (size_t size : sizes) {
    void *p = aert_alloc(size);
    ASSERT_NE(p, nullptr) << size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << size;
    EXPECT_TRUE(seen.insert(p).second) << "pointer reused while live";
    memset(p, 0xab, size); // the whole block is writable
    blocks.push_back(p);
  }
  for (void *p : blocks)
    aert_free(p);
  aert_free(nullptr); // allowed, like free(NULL)
}

TEST(Alloc, HugeRequestFailsCleanly) {
  aert_clear_error();
  EXPECT_EQ(aert_alloc(SIZE_MAX - 8), nullptr);
  EXPECT_NE(std::string(aert_last_error()).find("aert_alloc"),
            std::string::npos);
  EXPECT_EQ(aert_alloc(SIZE_MAX / 2), nullptr);
}

TEST(Errors, ThreadLocal) {
  aert_clear_error();
  EXPECT_STREQ(aert_last_error(), "");
  aert_alloc(SIZE_MAX - 8);
  std::string here = aert_last_error();
  EXPECT_FALSE(here.empty());
  std::string there = "unset";
  std::thread other([&] { there = aert_last_error(); });
  other.join();
  EXPECT_EQ(there, "");
  aert_clear_error();
  EXPECT_STREQ(aert_last_error(), "");
}

class NumThreads : public ::testing::Test {
protected:
  void SetUp() override {
    const char *old = getenv("AEC_NUM_THREADS");
    hadValue = old != nullptr;
    if (old)
      saved = old;
  }
  void TearDown() override {
    if (hadValue)
      setenv("AEC_NUM_THREADS", saved.c_str(), 1);
    else
      unsetenv("AEC_NUM_THREADS");
  }
  bool hadValue = false;
  std::string saved;
};

TEST_F(NumThreads, FromEnvironment) {
  setenv("AEC_NUM_THREADS", "3", 1);
  EXPECT_EQ(aert_num_threads(), 3);
  setenv("AEC_NUM_THREADS", "1", 1);
  EXPECT_EQ(aert_num_threads(), 1);
}

TEST_F(NumThreads, DefaultIsCoreCount) {
  unsetenv("AEC_NUM_THREADS");
  int cores = aert_num_threads();
  EXPECT_GE(cores, 1);
  unsigned hw = std::thread::hardware_concurrency();
  if (hw > 0) {
    EXPECT_LE(unsigned(cores), hw);
  }
}

TEST_F(NumThreads, BadValuesFallBackWithMessage) {
  unsetenv("AEC_NUM_THREADS");
  int cores = aert_num_threads();
  for (const char *bad : {"abc", "0", "-2", "4x", ""}) {
    aert_clear_error();
    setenv("AEC_NUM_THREADS", bad, 1);
    EXPECT_EQ(aert_num_threads(), cores) << bad;
    EXPECT_NE(std::string(aert_last_error()).find("AEC_NUM_THREADS"),
              std::string::npos)
        << bad;
  }
}

TEST_F(NumThreads, ParallelThreadsFollowSetAndDefault) {
  setenv("AEC_NUM_THREADS", "3", 1);
  aert_set_num_threads(0); // back to the default, read at the next call
  EXPECT_EQ(aert_parallel_threads(), 3);
  // Read once: a later change of the environment does not apply...
  setenv("AEC_NUM_THREADS", "5", 1);
  EXPECT_EQ(aert_parallel_threads(), 3);
  // ...until the count is reset.
  aert_set_num_threads(-1);
  EXPECT_EQ(aert_parallel_threads(), 5);
  aert_set_num_threads(2);
  EXPECT_EQ(aert_parallel_threads(), 2);
  aert_set_num_threads(1);
  EXPECT_EQ(aert_parallel_threads(), 1);
  aert_set_num_threads(0);
}

} // namespace
