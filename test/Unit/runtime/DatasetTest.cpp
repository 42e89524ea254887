//===- DatasetTest.cpp - IDX and .npy loaders, shuffle, gather ------------===//

#include "TestUtil.h"
#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <string>
#include <vector>

using namespace aert_test;

namespace {

bool hasError(const char *needle) {
  return std::string(aert_last_error()).find(needle) != std::string::npos;
}

std::vector<uint8_t> idxImages(uint32_t n, uint32_t rows, uint32_t cols) {
  std::vector<uint8_t> bytes;
  appendBE32(bytes, 0x00000803);
  appendBE32(bytes, n);
  appendBE32(bytes, rows);
  appendBE32(bytes, cols);
  for (uint32_t i = 0; i < n * rows * cols; ++i)
    bytes.push_back(uint8_t(i * 37 % 256));
  return bytes;
}

std::vector<uint8_t> idxLabels(uint32_t n) {
  std::vector<uint8_t> bytes;
  appendBE32(bytes, 0x00000801);
  appendBE32(bytes, n);
  for (uint32_t i = 0; i < n; ++i)
    bytes.push_back(uint8_t(i % 10));
  return bytes;
}

class Dataset : public ::testing::Test {
protected:
  TempDir dir;

  /// Expects the image loader to fail on `bytes` with `needle` in the error.
  void expectBadImages(const std::vector<uint8_t> &bytes, const char *needle) {
    std::string p = dir.file("bad-images");
    writeBytes(p, bytes);
    int64_t n = -1, rows = -1, cols = -1;
    aert_clear_error();
    float *images = aert_idx_load_images(p.c_str(), &n, &rows, &cols);
    EXPECT_EQ(images, nullptr);
    aert_free(images);
    EXPECT_TRUE(hasError(needle))
        << "expected '" << needle << "' in: " << aert_last_error();
    EXPECT_EQ(n, -1); // outputs untouched on failure
  }
};

TEST_F(Dataset, IdxImages) {
  std::string p = dir.file("images");
  std::vector<uint8_t> bytes = idxImages(3, 2, 4);
  writeBytes(p, bytes);
  int64_t n = 0, rows = 0, cols = 0;
  float *images = aert_idx_load_images(p.c_str(), &n, &rows, &cols);
  ASSERT_NE(images, nullptr) << aert_last_error();
  EXPECT_EQ(n, 3);
  EXPECT_EQ(rows, 2);
  EXPECT_EQ(cols, 4);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(images) % 64, 0u);
  for (int i = 0; i < 24; ++i) {
    EXPECT_EQ(images[i], float(bytes[16 + i]) / 255.0f);
    EXPECT_GE(images[i], 0.0f);
    EXPECT_LE(images[i], 1.0f);
  }
  aert_free(images);
}

TEST_F(Dataset, IdxImagesExtremes) {
  std::vector<uint8_t> bytes = idxImages(1, 1, 2);
  bytes[16] = 0;
  bytes[17] = 255;
  std::string p = dir.file("extremes");
  writeBytes(p, bytes);
  int64_t n, rows, cols;
  float *images = aert_idx_load_images(p.c_str(), &n, &rows, &cols);
  ASSERT_NE(images, nullptr);
  EXPECT_EQ(images[0], 0.0f);
  EXPECT_EQ(images[1], 1.0f);
  aert_free(images);
}

TEST_F(Dataset, IdxImagesErrors) {
  int64_t n = -1, rows, cols;
  aert_clear_error();
  EXPECT_EQ(aert_idx_load_images(dir.file("missing").c_str(), &n, &rows, &cols),
            nullptr);
  EXPECT_TRUE(hasError("missing")) << aert_last_error();
  EXPECT_TRUE(hasError("No such file")) << aert_last_error();
  EXPECT_EQ(aert_idx_load_images(nullptr, &n, &rows, &cols), nullptr);
  EXPECT_EQ(aert_idx_load_images(dir.path.c_str(), &n, &rows, &cols), nullptr);
  EXPECT_TRUE(hasError("not a regular file")) << aert_last_error();

  std::vector<uint8_t> good = idxImages(3, 2, 4);
  expectBadImages({}, "truncated");
  expectBadImages({0, 0, 8}, "truncated");
  expectBadImages(std::vector<uint8_t>(good.begin(), good.begin() + 10),
                  "truncated");
  expectBadImages(std::vector<uint8_t>(good.begin(), good.end() - 1),
                  "truncated");
  std::vector<uint8_t> longer = good;
  longer.push_back(1);
  expectBadImages(longer, "trailing");
  expectBadImages(idxLabels(5), "an IDX label file");
  std::vector<uint8_t> magic = good;
  magic[3] = 0x02;
  expectBadImages(magic, "magic 0x00000802");
  expectBadImages(idxImages(3, 0, 4), "zero dimension");
  // A header claiming 2^32-1 images of 2^32-1 pixels: size check, no
  // overflow, no huge allocation.
  std::vector<uint8_t> absurd;
  appendBE32(absurd, 0x803);
  appendBE32(absurd, 0xffffffff);
  appendBE32(absurd, 0xffffffff);
  appendBE32(absurd, 0xffffffff);
  expectBadImages(absurd, "truncated");
}

TEST_F(Dataset, IdxLabels) {
  std::string p = dir.file("labels");
  writeBytes(p, idxLabels(25));
  int64_t n = 0;
  uint8_t *labels = aert_idx_load_labels(p.c_str(), &n);
  ASSERT_NE(labels, nullptr) << aert_last_error();
  EXPECT_EQ(n, 25);
  for (int i = 0; i < 25; ++i)
    EXPECT_EQ(labels[i], i % 10);
  aert_free(labels);

  // Errors: image file given as labels, truncated, trailing.
  std::string bad = dir.file("bad-labels");
  writeBytes(bad, idxImages(1, 2, 2));
  aert_clear_error();
  EXPECT_EQ(aert_idx_load_labels(bad.c_str(), &n), nullptr);
  EXPECT_TRUE(hasError("an IDX image file")) << aert_last_error();
  std::vector<uint8_t> cut = idxLabels(25);
  cut.pop_back();
  writeBytes(bad, cut);
  EXPECT_EQ(aert_idx_load_labels(bad.c_str(), &n), nullptr);
  EXPECT_TRUE(hasError("truncated")) << aert_last_error();
  writeBytes(bad, {0, 0, 8, 1, 0});
  EXPECT_EQ(aert_idx_load_labels(bad.c_str(), &n), nullptr);
  EXPECT_TRUE(hasError("truncated")) << aert_last_error();
  EXPECT_EQ(aert_idx_load_labels(dir.file("nope").c_str(), &n), nullptr);

  // Zero labels is a valid (empty) file.
  writeBytes(bad, idxLabels(0));
  n = -1;
  labels = aert_idx_load_labels(bad.c_str(), &n);
  EXPECT_NE(labels, nullptr);
  EXPECT_EQ(n, 0);
  aert_free(labels);
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

/// An .npy file built by hand the way numpy writes it.
std::vector<uint8_t> npy(int major, const std::string &dict,
                         const std::vector<uint8_t> &payload) {
  std::string header = dict;
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::vector<uint8_t> bytes = {0x93,           'N', 'U', 'M', 'P', 'Y',
                                uint8_t(major), 0};
  uint32_t len = uint32_t(header.size());
  bytes.push_back(uint8_t(len));
  bytes.push_back(uint8_t(len >> 8));
  if (major != 1) {
    bytes.push_back(uint8_t(len >> 16));
    bytes.push_back(uint8_t(len >> 24));
  }
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

std::vector<uint8_t> floatBytes(const std::vector<float> &values) {
  std::vector<uint8_t> bytes(values.size() * 4);
  memcpy(bytes.data(), values.data(), bytes.size()); // x86: little-endian
  return bytes;
}

TEST_F(Dataset, NpyFloat32) {
  std::vector<float> values = {0.5f, -1.25f, 3.0f, 1e-7f, -0.0f, 42.0f};
  std::string p = dir.file("a.npy");
  writeBytes(p, npy(1,
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, "
                    "3), }",
                    floatBytes(values)));
  int64_t shape[AERT_NPY_MAX_RANK];
  int rank = -1;
  float *data = aert_npy_load(p.c_str(), shape, &rank);
  ASSERT_NE(data, nullptr) << aert_last_error();
  EXPECT_EQ(rank, 2);
  EXPECT_EQ(shape[0], 2);
  EXPECT_EQ(shape[1], 3);
  EXPECT_EQ(shape[2], 0);
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(data[i], values[i]);
  aert_free(data);
}

TEST_F(Dataset, NpyUint8Version2) {
  std::vector<uint8_t> values = {0, 1, 127, 255};
  std::string p = dir.file("b.npy");
  writeBytes(p, npy(2,
                    "{\"descr\": \"|u1\", \"fortran_order\": False, "
                    "\"shape\": (4,)}",
                    values));
  int64_t shape[AERT_NPY_MAX_RANK];
  int rank = -1;
  float *data = aert_npy_load(p.c_str(), shape, &rank);
  ASSERT_NE(data, nullptr) << aert_last_error();
  EXPECT_EQ(rank, 1);
  EXPECT_EQ(shape[0], 4);
  EXPECT_EQ(data[0], 0.0f);
  EXPECT_EQ(data[2], 127.0f);
  EXPECT_EQ(data[3], 255.0f);
  aert_free(data);
}

TEST_F(Dataset, NpyScalarAndKeyOrder) {
  std::string p = dir.file("c.npy");
  writeBytes(p, npy(1, "{'shape': (), 'fortran_order': False, 'descr': '<f4'}",
                    floatBytes({7.5f})));
  int64_t shape[AERT_NPY_MAX_RANK];
  int rank = -1;
  float *data = aert_npy_load(p.c_str(), shape, &rank);
  ASSERT_NE(data, nullptr) << aert_last_error();
  EXPECT_EQ(rank, 0);
  EXPECT_EQ(data[0], 7.5f);
  aert_free(data);
}

TEST_F(Dataset, NpyErrors) {
  const std::string okDict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  std::vector<uint8_t> payload = floatBytes({1, 2, 3, 4});
  struct Case {
    std::vector<uint8_t> bytes;
    const char *needle;
  };
  std::vector<uint8_t> truncated = npy(1, okDict, payload);
  truncated.pop_back();
  std::vector<uint8_t> longer = npy(1, okDict, payload);
  longer.push_back(0);
  std::vector<uint8_t> badMagic = npy(1, okDict, payload);
  badMagic[1] = 'X';
  std::vector<uint8_t> shortHeader = npy(1, okDict, payload);
  shortHeader.resize(30);
  const Case cases[] = {
      {npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
           payload),
       "Fortran order"},
      {npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
           payload),
       "'<f8'"},
      {npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }",
           payload),
       "'>f4'"},
      {truncated, "truncated"},
      {longer, "trailing"},
      {badMagic, "not a NumPy"},
      {{}, "not a NumPy"},
      {shortHeader, "truncated"},
      {npy(4, okDict, payload), "format version 4.0"},
      {npy(1, "{'descr': '<f4', 'shape': (2, 2), }", payload), "lacks"},
      {npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }",
           payload),
       "other than integers"},
      {npy(1, "[1, 2]", payload), "not a dict"},
      {npy(1,
           "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,"
           "1,1,1,1), }",
           payload),
       "too many dimensions"},
      {npy(1,
           "{'descr': '<f4', 'fortran_order': False, 'shape': "
           "(99999999999999999999,), }",
           payload),
       "too large"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.needle);
    std::string p = dir.file("bad.npy");
    writeBytes(p, c.bytes);
    int64_t shape[AERT_NPY_MAX_RANK];
    int rank = -7;
    aert_clear_error();
    float *data = aert_npy_load(p.c_str(), shape, &rank);
    EXPECT_EQ(data, nullptr);
    aert_free(data);
    EXPECT_TRUE(hasError(c.needle))
        << "expected '" << c.needle << "' in: " << aert_last_error();
    EXPECT_EQ(rank, -7);
  }
  int rank;
  int64_t shape[AERT_NPY_MAX_RANK];
  EXPECT_EQ(aert_npy_load(dir.file("none.npy").c_str(), shape, &rank), nullptr);
}

TEST_F(Dataset, NpySaveRoundTrip) {
  std::vector<float> values(2 * 3 * 5);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = float(i) * 0.25f - 3.0f;
  int64_t shape[3] = {2, 3, 5};
  std::string p = dir.file("saved.npy");
  ASSERT_EQ(aert_npy_save(p.c_str(), values.data(), shape, 3), 0)
      << aert_last_error();
  // The layout numpy expects: magic, v1.0, header to a 64-byte boundary.
  std::vector<uint8_t> bytes = readBytes(p);
  ASSERT_GE(bytes.size(), 64u + 120u);
  EXPECT_EQ(memcmp(bytes.data(), "\x93NUMPY\x01\x00", 8), 0);
  size_t headerLength = bytes[8] | bytes[9] << 8;
  EXPECT_EQ((10 + headerLength) % 64, 0u);
  std::string header(bytes.begin() + 10, bytes.begin() + 10 + headerLength);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_NE(header.find("'shape': (2, 3, 5)"), std::string::npos) << header;
  EXPECT_EQ(bytes.size(), 10 + headerLength + 4 * values.size());

  int64_t got[AERT_NPY_MAX_RANK];
  int rank = 0;
  float *data = aert_npy_load(p.c_str(), got, &rank);
  ASSERT_NE(data, nullptr) << aert_last_error();
  EXPECT_EQ(rank, 3);
  EXPECT_EQ(got[0], 2);
  EXPECT_EQ(got[1], 3);
  EXPECT_EQ(got[2], 5);
  EXPECT_EQ(std::vector<float>(data, data + values.size()), values);
  aert_free(data);

  int64_t one[1] = {4};
  ASSERT_EQ(aert_npy_save(p.c_str(), values.data(), one, 1), 0);
  bytes = readBytes(p);
  // A 59-character dict pads to a 128-byte header block, then 4 floats.
  ASSERT_EQ(bytes.size(), 128u + 16u);
  header.assign(bytes.begin() + 10, bytes.begin() + 128);
  EXPECT_NE(header.find("(4,)"), std::string::npos) << header;
  EXPECT_NE(aert_npy_save(p.c_str(), values.data(), one, 9), 0);
  EXPECT_NE(aert_npy_save(p.c_str(), nullptr, one, 1), 0);
  EXPECT_NE(aert_npy_save(dir.file("x/y.npy").c_str(), values.data(), one, 1),
            0);
}

//===----------------------------------------------------------------------===//
// Shuffle and gather
//===----------------------------------------------------------------------===//

TEST(Shuffle, IsAPermutationAndReproducible) {
  for (int64_t n : {1, 2, 3, 10, 1000, 60000}) {
    const size_t count = static_cast<size_t>(n);
    std::vector<int64_t> a(count), b(count), c(count);
    ASSERT_EQ(aert_shuffle(123, 4, n, a.data()), 0);
    ASSERT_EQ(aert_shuffle(123, 4, n, b.data()), 0);
    EXPECT_EQ(a, b);
    std::vector<int64_t> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    std::vector<int64_t> iota(count);
    std::iota(iota.begin(), iota.end(), 0);
    EXPECT_EQ(sorted, iota) << "n = " << n;
    if (n >= 10) {
      ASSERT_EQ(aert_shuffle(123, 5, n, c.data()), 0);
      EXPECT_NE(a, c) << "epochs must differ";
      ASSERT_EQ(aert_shuffle(124, 4, n, c.data()), 0);
      EXPECT_NE(a, c) << "seeds must differ";
      EXPECT_NE(a, iota);
    }
  }
}

TEST(Shuffle, UniformOverPermutations) {
  // All 24 orders of 4 elements, over 24000 epochs: chi-square, 23 degrees
  // of freedom (99.9% quantile 49.7).
  std::map<std::vector<int64_t>, int> counts;
  const int epochs = 24000;
  for (int e = 0; e < epochs; ++e) {
    std::vector<int64_t> p(4);
    aert_shuffle(99, uint64_t(e), 4, p.data());
    counts[p]++;
  }
  EXPECT_EQ(counts.size(), 24u);
  double chi2 = 0, expected = epochs / 24.0;
  for (const auto &entry : counts)
    chi2 += (entry.second - expected) * (entry.second - expected) / expected;
  EXPECT_LT(chi2, 49.7);
}

TEST(Shuffle, EdgeCases) {
  EXPECT_EQ(aert_shuffle(1, 1, 0, nullptr), 0);
  aert_clear_error();
  EXPECT_NE(aert_shuffle(1, 1, -1, nullptr), 0);
  EXPECT_NE(aert_shuffle(1, 1, 5, nullptr), 0);
  EXPECT_STRNE(aert_last_error(), "");
}

TEST(Gather, RowsAndLabels) {
  std::vector<float> data = {0, 1, 10, 11, 20, 21, 30, 31};
  std::vector<uint8_t> labels = {5, 6, 7, 8};
  int64_t indices[3] = {3, 0, 3};
  std::vector<float> out(6, -1);
  aert_gather_rows(data.data(), 2, indices, 3, out.data());
  EXPECT_EQ(out, (std::vector<float>{30, 31, 0, 1, 30, 31}));
  uint8_t picked[3] = {0, 0, 0};
  aert_gather_u8(labels.data(), indices, 3, picked);
  EXPECT_EQ(picked[0], 8);
  EXPECT_EQ(picked[1], 5);
  EXPECT_EQ(picked[2], 8);
  aert_clear_error();
  aert_gather_rows(nullptr, 2, indices, 3, out.data());
  EXPECT_STRNE(aert_last_error(), "");
}

} // namespace
