//===- PngTest.cpp - PNG grids, RGB images and scatter plots --------------===//
//
// Files written by aert are read back with libpng directly.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"
#include "runtime/aert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <png.h>
#include <string>
#include <vector>

using namespace aert_test;

namespace {

/// Reads a PNG with libpng into 8-bit pixels of `format`. Returns false if
/// libpng cannot read it.
bool readPng(const std::string &path, uint32_t format, uint32_t &width,
             uint32_t &height, std::vector<uint8_t> &pixels,
             uint32_t *fileFormat = nullptr) {
  png_image image;
  memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    return false;
  if (fileFormat)
    *fileFormat = image.format;
  image.format = format;
  width = image.width;
  height = image.height;
  pixels.assign(PNG_IMAGE_SIZE(image), 0);
  bool ok = png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr);
  png_image_free(&image);
  return ok;
}

TEST(Png, GridLayoutAndClamping) {
  TempDir dir;
  // Three 2x3 images in 2 columns with 1 pixel of padding:
  //   width = 2 * 3 + 3 * 1 = 9, height = 2 * 2 + 3 * 1 = 7.
  const float images[3 * 6] = {
      0.0f, 1.0f, 0.5f, -1.0f, 2.0f, 0.25f, // image 0 (clamped values)
      1,    1,    1,    1,     1,    1,     // image 1: white
      0,    0,    0,    0,     0,    NAN,   // image 2: black (NaN -> 0)
  };
  std::string p = dir.file("grid.png");
  ASSERT_EQ(aert_png_write_grid(p.c_str(), images, 3, 2, 3, 2, 1), 0)
      << aert_last_error();
  uint32_t w = 0, h = 0, fileFormat = 0;
  std::vector<uint8_t> px;
  ASSERT_TRUE(readPng(p, PNG_FORMAT_GRAY, w, h, px, &fileFormat));
  EXPECT_EQ(w, 9u);
  EXPECT_EQ(h, 7u);
  EXPECT_EQ(fileFormat, uint32_t(PNG_FORMAT_GRAY)); // a grayscale file
  auto at = [&](int y, int x) { return int(px[size_t(y) * w + size_t(x)]); };
  // Image 0 at (1, 1).
  EXPECT_EQ(at(1, 1), 0);
  EXPECT_EQ(at(1, 2), 255);
  EXPECT_EQ(at(1, 3), 128);
  EXPECT_EQ(at(2, 1), 0);   // -1 clamped
  EXPECT_EQ(at(2, 2), 255); // 2 clamped
  EXPECT_EQ(at(2, 3), 64);
  // Image 1 at (1, 5), image 2 at (4, 1).
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x) {
      EXPECT_EQ(at(1 + y, 5 + x), 255);
      EXPECT_EQ(at(4 + y, 1 + x), 0);
    }
  // Padding and the empty fourth cell are mid-gray.
  EXPECT_EQ(at(0, 0), 128);
  EXPECT_EQ(at(3, 4), 128);
  EXPECT_EQ(at(4, 5), 128);
  EXPECT_EQ(at(6, 8), 128);
  EXPECT_EQ(dir.files().size(), 1u); // no temp file left
}

TEST(Png, GridColumnsClampToCount) {
  TempDir dir;
  std::vector<float> images(2 * 4, 0.5f);
  std::string p = dir.file("row.png");
  ASSERT_EQ(aert_png_write_grid(p.c_str(), images.data(), 2, 2, 2, 10, 0), 0);
  uint32_t w, h;
  std::vector<uint8_t> px;
  ASSERT_TRUE(readPng(p, PNG_FORMAT_GRAY, w, h, px));
  EXPECT_EQ(w, 4u);
  EXPECT_EQ(h, 2u);
}

TEST(Png, Rgb) {
  TempDir dir;
  const uint8_t rgb[2 * 3 * 3] = {255, 0,  0,  0,  255, 0,  0,  0,  255,
                                  10,  20, 30, 40, 50,  60, 70, 80, 90};
  std::string p = dir.file("rgb.png");
  ASSERT_EQ(aert_png_write_rgb(p.c_str(), rgb, 2, 3), 0) << aert_last_error();
  uint32_t w, h;
  std::vector<uint8_t> px;
  ASSERT_TRUE(readPng(p, PNG_FORMAT_RGB, w, h, px));
  EXPECT_EQ(w, 3u);
  EXPECT_EQ(h, 2u);
  EXPECT_EQ(px, std::vector<uint8_t>(rgb, rgb + sizeof(rgb)));
}

TEST(Png, Scatter) {
  TempDir dir;
  const float xy[4] = {0, 0, 1, 1};
  const uint8_t labels[2] = {1, 3};
  std::string p = dir.file("scatter.png");
  ASSERT_EQ(aert_png_write_scatter(p.c_str(), xy, labels, 2, 100), 0)
      << aert_last_error();
  uint32_t w, h;
  std::vector<uint8_t> px;
  ASSERT_TRUE(readPng(p, PNG_FORMAT_RGB, w, h, px));
  ASSERT_EQ(w, 100u);
  ASSERT_EQ(h, 100u);
  // (0,0) lands bottom-left at the margin (5), (1,1) top-right; colors are
  // palette entries 1 (orange) and 3 (red); the rest is white.
  auto pixel = [&](int y, int x) {
    const uint8_t *q = &px[(size_t(y) * w + size_t(x)) * 3];
    return std::vector<int>{q[0], q[1], q[2]};
  };
  EXPECT_EQ(pixel(94, 5), (std::vector<int>{255, 127, 14}));
  EXPECT_EQ(pixel(5, 94), (std::vector<int>{214, 39, 40}));
  EXPECT_EQ(pixel(50, 50), (std::vector<int>{255, 255, 255}));
  int colored = 0;
  for (size_t i = 0; i < px.size(); i += 3)
    colored += !(px[i] == 255 && px[i + 1] == 255 && px[i + 2] == 255);
  EXPECT_EQ(colored, 2 * 9); // two 3x3 markers
}

TEST(Png, ReadGrayRoundTrip) {
  TempDir dir;
  std::vector<float> image = {0, 0.2f, 0.4f, 0.6f, 0.8f, 1.0f};
  std::string p = dir.file("g.png");
  ASSERT_EQ(aert_png_write_grid(p.c_str(), image.data(), 1, 2, 3, 1, 0), 0);
  int64_t h = 0, w = 0;
  float *back = aert_png_read_gray(p.c_str(), &h, &w);
  ASSERT_NE(back, nullptr) << aert_last_error();
  EXPECT_EQ(h, 2);
  EXPECT_EQ(w, 3);
  for (int i = 0; i < 6; ++i)
    EXPECT_NEAR(back[i], image[i], 0.5 / 255 + 1e-6);
  aert_free(back);
}

TEST(Png, Errors) {
  TempDir dir;
  float image[4] = {0, 0, 0, 0};
  uint8_t rgb[12] = {0};
  std::string missing = dir.file("no/such/folder/x.png");
  aert_clear_error();
  EXPECT_NE(aert_png_write_grid(missing.c_str(), image, 1, 2, 2, 1, 0), 0);
  EXPECT_NE(std::string(aert_last_error()).find("no/such/folder"),
            std::string::npos)
      << aert_last_error();
  std::string p = dir.file("x.png");
  EXPECT_NE(aert_png_write_grid(p.c_str(), nullptr, 1, 2, 2, 1, 0), 0);
  EXPECT_NE(aert_png_write_grid(p.c_str(), image, 0, 2, 2, 1, 0), 0);
  EXPECT_NE(aert_png_write_grid(p.c_str(), image, 1, 2, 2, 0, 0), 0);
  EXPECT_NE(aert_png_write_grid(p.c_str(), image, 1, 2, 2, 1, -1), 0);
  EXPECT_NE(aert_png_write_grid(p.c_str(), image, 1, 1 << 20, 1, 1, 0), 0);
  EXPECT_NE(aert_png_write_rgb(p.c_str(), nullptr, 2, 2), 0);
  EXPECT_NE(aert_png_write_rgb(p.c_str(), rgb, 0, 2), 0);
  EXPECT_NE(aert_png_write_rgb(missing.c_str(), rgb, 2, 2), 0);
  const float nanPoints[2] = {NAN, NAN};
  EXPECT_NE(aert_png_write_scatter(p.c_str(), nanPoints, nullptr, 1, 100), 0);
  EXPECT_NE(aert_png_write_scatter(p.c_str(), image, nullptr, 2, 4), 0);
  EXPECT_TRUE(dir.files().empty());

  // Reading: missing file, not a PNG.
  int64_t h, w;
  EXPECT_EQ(aert_png_read_gray(dir.file("none.png").c_str(), &h, &w), nullptr);
  writeBytes(p, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  aert_clear_error();
  EXPECT_EQ(aert_png_read_gray(p.c_str(), &h, &w), nullptr);
  EXPECT_STRNE(aert_last_error(), "");
}

} // namespace
