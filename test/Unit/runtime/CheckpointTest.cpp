//===- CheckpointTest.cpp - aert_model_save / aert_model_load -------------===//

#include "FakeModel.h"
#include "TestUtil.h"
#include "runtime/Internal.h"
#include "runtime/Model.h"
#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace aert_test;

namespace {

struct ModelDeleter {
  void operator()(aert_model *m) const { aert_model_destroy(m); }
};
using ModelPtr = std::unique_ptr<aert_model, ModelDeleter>;

/// Everything a load may change, for "the model is unchanged" checks.
struct Snapshot {
  std::vector<float> params, state;
  std::vector<double> mean, chol;
  uint64_t seed, call, step;
  bool fitted;
  bool operator==(const Snapshot &o) const {
    return params == o.params && state == o.state && mean == o.mean &&
           chol == o.chol && seed == o.seed && call == o.call &&
           step == o.step && fitted == o.fitted;
  }
};

Snapshot snapshot(const aert_model *m) {
  const aert_model_desc *d = m->desc;
  Snapshot s;
  s.params.assign(m->params, m->params + d->param_count);
  s.state.assign(m->state, m->state + d->state_count);
  s.mean.assign(m->latentMean, m->latentMean + d->latent_size);
  s.chol.assign(m->latentChol, m->latentChol + d->latent_size * d->latent_size);
  s.seed = m->seed;
  s.call = m->call;
  s.step = m->step;
  s.fitted = m->latentFitted;
  return s;
}

std::vector<float> inputs(int64_t n) {
  std::vector<float> x(size_t(n * kLinearInput));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = std::cos(1.3f * float(i)) * 0.5f;
  return x;
}

/// A model that has trained a little and fitted its latent: every field of
/// the checkpoint holds something non-trivial.
ModelPtr trainedModel(uint64_t seed,
                      const aert_model_desc *desc = &linearDesc) {
  ModelPtr m(aert_model_create(desc, seed));
  std::vector<float> x = inputs(16);
  for (int i = 0; i < 5; ++i)
    aert_model_train_step(m.get(), x.data(), 16);
  float loss = aert_model_loss(m.get(), x.data(), 16);
  (void)loss;
  aert_model_fit_latent(m.get(), x.data(), 16);
  return m;
}

bool hasError(const char *needle) {
  return std::string(aert_last_error()).find(needle) != std::string::npos;
}

/// Rewrites the trailing FNV-1a checksum so that an edited file passes the
/// checksum and reaches the check under test.
void fixChecksum(std::vector<uint8_t> &bytes) {
  uint64_t h = aert::fnv1a64(aert::kFnvOffset, bytes.data(), bytes.size() - 8);
  aert::storeLE64(bytes.data() + bytes.size() - 8, h);
}

class Checkpoint : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(dir.path.empty());
    source = trainedModel(1);
    ASSERT_TRUE(source);
    path = dir.file("model.ckpt");
    ASSERT_EQ(aert_model_save(source.get(), path.c_str()), 0)
        << aert_last_error();
    good = readBytes(path);
    ASSERT_GT(good.size(), 100u);
    target = trainedModel(2);
    ASSERT_TRUE(target);
    ASSERT_FALSE(snapshot(target.get()) == snapshot(source.get()));
  }

  /// Writes `bytes`, loads them into `target`, and expects failure with
  /// `target` unchanged.
  void expectRejected(const std::vector<uint8_t> &bytes, const char *needle) {
    std::string bad = dir.file("bad.ckpt");
    writeBytes(bad, bytes);
    Snapshot before = snapshot(target.get());
    aert_clear_error();
    EXPECT_NE(aert_model_load(target.get(), bad.c_str()), 0);
    EXPECT_TRUE(hasError(needle))
        << "expected '" << needle << "' in: " << aert_last_error();
    EXPECT_TRUE(snapshot(target.get()) == before) << "model was modified";
  }

  TempDir dir;
  ModelPtr source, target;
  std::string path;
  std::vector<uint8_t> good;
};

TEST_F(Checkpoint, RoundTrip) {
  ASSERT_EQ(aert_model_load(target.get(), path.c_str()), 0)
      << aert_last_error();
  EXPECT_TRUE(snapshot(target.get()) == snapshot(source.get()));
  EXPECT_EQ(target->step, 5u);
  EXPECT_EQ(target->call, 6u);
  EXPECT_EQ(target->seed, 1u);
  EXPECT_TRUE(target->latentFitted);

  // Both continue identically: same step, same call, same result.
  std::vector<float> x = inputs(16);
  float a = aert_model_train_step(source.get(), x.data(), 16);
  float b = aert_model_train_step(target.get(), x.data(), 16);
  EXPECT_EQ(a, b);
  EXPECT_EQ(kernelLog.step, 6);
  EXPECT_TRUE(snapshot(target.get()) == snapshot(source.get()));
  std::vector<float> sa(30), sb(30);
  aert_model_sample(source.get(), 3, 10, sa.data());
  aert_model_sample(target.get(), 3, 10, sb.data());
  EXPECT_EQ(sa, sb);
}

TEST_F(Checkpoint, UnfittedLatentRoundTrips) {
  ModelPtr fresh(aert_model_create(&linearDesc, 5));
  std::string p = dir.file("fresh.ckpt");
  ASSERT_EQ(aert_model_save(fresh.get(), p.c_str()), 0);
  EXPECT_LT(readBytes(p).size(), good.size()); // no latent statistics
  ASSERT_EQ(aert_model_load(target.get(), p.c_str()), 0) << aert_last_error();
  EXPECT_FALSE(target->latentFitted);
  EXPECT_TRUE(snapshot(target.get()).params == snapshot(fresh.get()).params);
}

TEST_F(Checkpoint, SaveIsAtomicAndLeavesNoTempFile) {
  // Overwrite in place: still exactly one file, and it is the new content.
  ASSERT_EQ(aert_model_save(target.get(), path.c_str()), 0);
  std::vector<std::string> files = dir.files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], "model.ckpt");
  EXPECT_NE(readBytes(path), good);

  // A folder that does not exist: error, nothing created.
  std::string missing = dir.file("no/such/dir/model.ckpt");
  aert_clear_error();
  EXPECT_NE(aert_model_save(target.get(), missing.c_str()), 0);
  EXPECT_TRUE(hasError("no/such/dir")) << aert_last_error();
  EXPECT_NE(aert_model_save(nullptr, path.c_str()), 0);
  EXPECT_NE(aert_model_save(target.get(), nullptr), 0);
  EXPECT_EQ(dir.files().size(), 1u);
}

TEST_F(Checkpoint, SaveFailureKeepsOldFile) {
  // The destination is a folder: rename fails, the temp file is removed.
  std::string folder = dir.file("folder.ckpt");
  ASSERT_EQ(mkdir(folder.c_str(), 0755), 0);
  aert_clear_error();
  EXPECT_NE(aert_model_save(target.get(), folder.c_str()), 0);
  EXPECT_STRNE(aert_last_error(), "");
  for (const std::string &name : dir.files())
    EXPECT_EQ(name.find(".tmp."), std::string::npos) << name;
  rmdir(folder.c_str());
}

TEST_F(Checkpoint, MissingFile) {
  Snapshot before = snapshot(target.get());
  EXPECT_NE(aert_model_load(target.get(), dir.file("absent").c_str()), 0);
  EXPECT_TRUE(hasError("absent")) << aert_last_error();
  EXPECT_NE(aert_model_load(target.get(), nullptr), 0);
  EXPECT_NE(aert_model_load(nullptr, path.c_str()), 0);
  EXPECT_TRUE(snapshot(target.get()) == before);
}

TEST_F(Checkpoint, Truncated) {
  for (size_t keep :
       {size_t(0), size_t(5), size_t(8), size_t(11), size_t(20), size_t(40),
        good.size() / 2, good.size() - 9, good.size() - 1}) {
    SCOPED_TRACE(keep);
    std::vector<uint8_t> cut(good.begin(), good.begin() + keep);
    expectRejected(cut, keep < 8 ? "magic" : "truncated");
  }
}

TEST_F(Checkpoint, TrailingBytes) {
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  expectRejected(longer, "trailing");
}

TEST_F(Checkpoint, BitFlips) {
  // A flip in the step field, in the parameters, in the optimizer state,
  // in the latent statistics and in the checksum itself.
  size_t header = 8 + 4 + 4 + strlen("linear");
  std::vector<size_t> positions = {header + 3 * 8 + 2, good.size() - 8 - 4 * 34,
                                   good.size() - 8 - 4 * 34 - 4 * 17 + 5,
                                   header + 6 * 8 + 8 + 3, good.size() - 3};
  for (size_t pos : positions) {
    for (int bit : {0, 7}) {
      SCOPED_TRACE(pos);
      std::vector<uint8_t> flipped = good;
      flipped[pos] ^= uint8_t(1 << bit);
      expectRejected(flipped, "checksum");
    }
  }
}

TEST_F(Checkpoint, WrongMagic) {
  std::vector<uint8_t> bad = good;
  bad[0] = 'X';
  expectRejected(bad, "magic");
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0};
  expectRejected(png, "not an aec checkpoint");
}

TEST_F(Checkpoint, WrongVersion) {
  std::vector<uint8_t> bad = good;
  aert::storeLE32(bad.data() + 8, 2);
  fixChecksum(bad);
  expectRejected(bad, "format version 2");
}

TEST_F(Checkpoint, WrongName) {
  aert_model_desc other = copyDesc(linearDesc);
  other.name = "lineaX"; // same length, same sizes
  ModelPtr m = trainedModel(3, &other);
  std::string p = dir.file("other.ckpt");
  ASSERT_EQ(aert_model_save(m.get(), p.c_str()), 0);
  std::vector<uint8_t> bytes = readBytes(p);
  expectRejected(bytes, "'lineaX'");
  expectRejected(bytes, "'linear'");
  // And loading the right checkpoint into the other model fails the same.
  Snapshot before = snapshot(m.get());
  EXPECT_NE(aert_model_load(m.get(), path.c_str()), 0);
  EXPECT_TRUE(snapshot(m.get()) == before);
}

TEST_F(Checkpoint, WrongParamCount) {
  std::vector<uint8_t> bad = good;
  size_t header = 8 + 4 + 4 + strlen("linear");
  aert::storeLE64(bad.data() + header, 18);
  fixChecksum(bad);
  expectRejected(bad, "18 parameters");
  expectRejected(bad, "has 17");

  // A genuinely different model with the same name.
  static const aert_param_desc table[] = {{"w", 0, 5, 1, 1, {5, 0, 0, 0}}};
  aert_model_desc smaller = copyDesc(linearDesc);
  smaller.param_count = 5;
  smaller.num_params = 1;
  smaller.params = table;
  ModelPtr m(aert_model_create(&smaller, 4));
  std::string p = dir.file("smaller.ckpt");
  ASSERT_EQ(aert_model_save(m.get(), p.c_str()), 0);
  expectRejected(readBytes(p), "5 parameters");
}

TEST_F(Checkpoint, WrongStateAndLatentSize) {
  size_t header = 8 + 4 + 4 + strlen("linear");
  std::vector<uint8_t> bad = good;
  aert::storeLE64(bad.data() + header + 8, 17);
  fixChecksum(bad);
  expectRejected(bad, "17 optimizer state");

  bad = good;
  aert::storeLE64(bad.data() + header + 16, 3);
  fixChecksum(bad);
  expectRejected(bad, "latent size 3");
}

TEST_F(Checkpoint, CorruptHeaderFields) {
  size_t header = 8 + 4 + 4 + strlen("linear");
  std::vector<uint8_t> bad = good;
  aert::storeLE32(bad.data() + 12, 0x7fffffff); // absurd name length
  expectRejected(bad, "corrupt");

  bad = good;
  aert::storeLE32(bad.data() + header + 6 * 8, 7); // latent flag
  fixChecksum(bad);
  expectRejected(bad, "latent flag");
}

} // namespace
