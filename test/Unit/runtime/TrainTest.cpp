//===- TrainTest.cpp - aert_train_epoch over a fake model -----------------===//

#include "FakeModel.h"
#include "runtime/Model.h"
#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

using namespace aert_test;

namespace {

struct ModelDeleter {
  void operator()(aert_model *m) const { aert_model_destroy(m); }
};
using ModelPtr = std::unique_ptr<aert_model, ModelDeleter>;

std::vector<float> dataset(int64_t n) {
  std::vector<float> x(static_cast<size_t>(n * kLinearInput));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = std::sin(0.37f * float(i * i % 101)) * 0.9f;
  return x;
}

TEST(TrainEpoch, MatchesAHandWrittenLoop) {
  const int64_t n = 10, batch = 4;
  std::vector<float> x = dataset(n);
  ModelPtr a(aert_model_create(&linearDesc, 21));
  ModelPtr b(aert_model_create(&linearDesc, 21));
  ASSERT_TRUE(a && b);

  float loss = aert_train_epoch(a.get(), x.data(), n, batch, 5, 2, 0);
  EXPECT_EQ(kernelLog.inSizes[0], 2); // last batch: 10 = 4 + 4 + 2
  EXPECT_EQ(a->step, 3u);

  std::vector<int64_t> order(n);
  ASSERT_EQ(aert_shuffle(5, 2, n, order.data()), 0);
  double total = 0;
  std::vector<float> rows(static_cast<size_t>(batch * kLinearInput));
  for (int64_t first = 0; first < n; first += batch) {
    int64_t count = std::min(batch, n - first);
    aert_gather_rows(x.data(), kLinearInput, order.data() + first, count,
                     rows.data());
    total += double(aert_model_train_step(b.get(), rows.data(), count)) * count;
  }
  EXPECT_EQ(loss, float(total / n));
  std::vector<float> pa(a->params, a->params + kLinearParams);
  std::vector<float> pb(b->params, b->params + kLinearParams);
  EXPECT_EQ(pa, pb);
}

TEST(TrainEpoch, LearnsAndReportsProgress) {
  const int64_t n = 64;
  std::vector<float> x = dataset(n);
  ModelPtr m(aert_model_create(&linearDesc, 4));
  ASSERT_TRUE(m);
  float first = aert_train_epoch(m.get(), x.data(), n, 8, 1, 0, 0);
  float later = first;
  for (uint64_t e = 1; e < 30; ++e)
    later = aert_train_epoch(m.get(), x.data(), n, 8, 1, e, 0);
  EXPECT_LT(later, first);
  EXPECT_EQ(m->step, 30u * 8u);

  FILE *f = tmpfile();
  ASSERT_NE(f, nullptr);
  aert_progress_set_output(f, AERT_PROGRESS_PLAIN);
  aert_train_epoch(m.get(), x.data(), n, 8, 1, 30, 1);
  aert_progress_set_output(nullptr, AERT_PROGRESS_AUTO);
  rewind(f);
  char buffer[4096] = {0};
  size_t got = fread(buffer, 1, sizeof(buffer) - 1, f);
  fclose(f);
  std::string text(buffer, got);
  EXPECT_NE(text.find("epoch 30 100% 64/64"), std::string::npos) << text;
  EXPECT_NE(text.find("loss "), std::string::npos) << text;
}

TEST(TrainEpoch, Errors) {
  ModelPtr m(aert_model_create(&linearDesc, 4));
  std::vector<float> x = dataset(4);
  EXPECT_TRUE(std::isnan(aert_train_epoch(nullptr, x.data(), 4, 2, 0, 0, 0)));
  EXPECT_TRUE(std::isnan(aert_train_epoch(m.get(), nullptr, 4, 2, 0, 0, 0)));
  EXPECT_TRUE(std::isnan(aert_train_epoch(m.get(), x.data(), 0, 2, 0, 0, 0)));
  EXPECT_TRUE(std::isnan(aert_train_epoch(m.get(), x.data(), 4, 0, 0, 0, 0)));
  EXPECT_EQ(m->step, 0u);
  ModelPtr noTrain(aert_model_create(&identityDesc, 4));
  aert_clear_error();
  EXPECT_TRUE(
      std::isnan(aert_train_epoch(noTrain.get(), x.data(), 2, 2, 0, 0, 0)));
  EXPECT_NE(std::string(aert_last_error()).find("no such kernel"),
            std::string::npos);
}

} // namespace
