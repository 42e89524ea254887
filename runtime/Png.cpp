//===- Png.cpp - Image grids and plots written as PNG (libpng) ------------===//
//
// Uses libpng's simplified API (png_image_*), which reports errors through
// the png_image struct instead of longjmp, so no C++ frame is ever skipped.
//
//===----------------------------------------------------------------------===//

#include "runtime/Internal.h"
#include "runtime/aert.h"

#include <cmath>
#include <cstring>
#include <png.h>

using aert::setError;

namespace {

// Bigger images are almost certainly a mistake (and would need gigabytes).
constexpr int64_t kMaxSide = 1 << 15;
constexpr uint8_t kGridBackground = 128;

/// Writes width x height pixels of `format` (PNG_FORMAT_GRAY or
/// PNG_FORMAT_RGB) to `path` atomically.
int writePng(const char *path, const uint8_t *pixels, int64_t width,
             int64_t height, uint32_t format) {
  aert::AtomicFile file(path);
  if (!file.ok())
    return 1;
  png_image image;
  memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(width);
  image.height = png_uint_32(height);
  image.format = format;
  if (!png_image_write_to_stdio(&image, file.stream(), 0, pixels, 0, nullptr)) {
    setError("cannot write PNG '%s': %s", path, image.message);
    png_image_free(&image);
    return 1;
  }
  png_image_free(&image);
  return file.commit() ? 0 : 1;
}

uint8_t toByte(float v) {
  if (!(v > 0.0f)) // also NaN
    return 0;
  if (v >= 1.0f)
    return 255;
  return uint8_t(std::lround(v * 255.0f));
}

bool checkSide(const char *what, int64_t side) {
  if (side >= 1 && side <= kMaxSide)
    return true;
  setError("%s: image side of %lld pixels is out of range 1..%lld", what,
           (long long)side, (long long)kMaxSide);
  return false;
}

} // namespace

extern "C" int aert_png_write_grid(const char *path, const float *images,
                                   int64_t count, int64_t height, int64_t width,
                                   int64_t cols, int pad) {
  const char *what = "png_write_grid";
  if (!images || count < 1 || height < 1 || width < 1 || cols < 1 || pad < 0) {
    setError("%s: invalid arguments (count %lld, %lldx%lld, cols %lld, pad "
             "%d)",
             what, (long long)count, (long long)height, (long long)width,
             (long long)cols, pad);
    return 1;
  }
  if (cols > count)
    cols = count;
  int64_t rows = (count + cols - 1) / cols;
  if (height > kMaxSide || width > kMaxSide || pad > kMaxSide ||
      rows > kMaxSide) {
    setError("%s: the grid would be too large", what);
    return 1;
  }
  int64_t gridWidth = cols * width + (cols + 1) * pad;
  int64_t gridHeight = rows * height + (rows + 1) * pad;
  if (!checkSide(what, gridWidth) || !checkSide(what, gridHeight))
    return 1;
  uint8_t *pixels =
      static_cast<uint8_t *>(aert_alloc(size_t(gridWidth * gridHeight)));
  if (!pixels)
    return 1;
  memset(pixels, kGridBackground, size_t(gridWidth * gridHeight));
  for (int64_t k = 0; k < count; ++k) {
    int64_t top = pad + (k / cols) * (height + pad);
    int64_t left = pad + (k % cols) * (width + pad);
    const float *image = images + k * height * width;
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x)
        pixels[(top + y) * gridWidth + left + x] = toByte(image[y * width + x]);
  }
  int rc = writePng(path, pixels, gridWidth, gridHeight, PNG_FORMAT_GRAY);
  aert_free(pixels);
  return rc;
}

extern "C" int aert_png_write_rgb(const char *path, const uint8_t *rgb,
                                  int64_t height, int64_t width) {
  const char *what = "png_write_rgb";
  if (!rgb) {
    setError("%s: NULL pixels", what);
    return 1;
  }
  if (!checkSide(what, height) || !checkSide(what, width))
    return 1;
  return writePng(path, rgb, width, height, PNG_FORMAT_RGB);
}

extern "C" int aert_png_write_scatter(const char *path, const float *xy,
                                      const uint8_t *labels, int64_t n,
                                      int size) {
  const char *what = "png_write_scatter";
  if (!xy || n < 1) {
    setError("%s: no points", what);
    return 1;
  }
  if (size < 16 || size > kMaxSide) {
    setError("%s: size %d is out of range 16..%lld", what, size,
             (long long)kMaxSide);
    return 1;
  }
  // Matplotlib's tab10.
  static const uint8_t kPalette[10][3] = {
      {31, 119, 180},  {255, 127, 14}, {44, 160, 44},   {214, 39, 40},
      {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {127, 127, 127},
      {188, 189, 34},  {23, 190, 207}};
  float lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (int64_t i = 0; i < n; ++i) {
    for (int d = 0; d < 2; ++d) {
      float v = xy[2 * i + d];
      if (std::isfinite(v)) {
        lo[d] = std::fmin(lo[d], v);
        hi[d] = std::fmax(hi[d], v);
      }
    }
  }
  if (!(lo[0] <= hi[0]) || !(lo[1] <= hi[1])) {
    setError("%s: no finite points", what);
    return 1;
  }
  size_t bytes = size_t(size) * size_t(size) * 3;
  uint8_t *pixels = static_cast<uint8_t *>(aert_alloc(bytes));
  if (!pixels)
    return 1;
  memset(pixels, 255, bytes);
  int margin = size / 20;
  double span = size - 1 - 2 * margin;
  int radius = size >= 400 ? 2 : 1;
  for (int64_t i = 0; i < n; ++i) {
    float x = xy[2 * i], y = xy[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y))
      continue;
    double fx = hi[0] > lo[0] ? (x - lo[0]) / double(hi[0] - lo[0]) : 0.5;
    double fy = hi[1] > lo[1] ? (y - lo[1]) / double(hi[1] - lo[1]) : 0.5;
    int px = margin + int(std::lround(fx * span));
    int py = size - 1 - margin - int(std::lround(fy * span)); // y up
    const uint8_t *color = labels ? kPalette[labels[i] % 10] : kPalette[0];
    for (int dy = -radius; dy <= radius; ++dy)
      for (int dx = -radius; dx <= radius; ++dx) {
        int cx = px + dx, cy = py + dy;
        if (cx < 0 || cy < 0 || cx >= size || cy >= size)
          continue;
        memcpy(pixels + (size_t(cy) * size_t(size) + size_t(cx)) * 3, color, 3);
      }
  }
  int rc = writePng(path, pixels, size, size, PNG_FORMAT_RGB);
  aert_free(pixels);
  return rc;
}

extern "C" float *aert_png_read_gray(const char *path, int64_t *height,
                                     int64_t *width) {
  if (!path) {
    setError("png_read_gray: NULL path");
    return nullptr;
  }
  png_image image;
  memset(&image, 0, sizeof(image));
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path)) {
    setError("cannot read PNG '%s': %s", path, image.message);
    png_image_free(&image);
    return nullptr;
  }
  image.format = PNG_FORMAT_GRAY;
  if (image.width > kMaxSide || image.height > kMaxSide) {
    setError("PNG '%s' is too large (%ux%u)", path, image.width, image.height);
    png_image_free(&image);
    return nullptr;
  }
  size_t count = size_t(image.width) * image.height;
  uint8_t *bytes = static_cast<uint8_t *>(aert_alloc(count));
  float *out = static_cast<float *>(aert_alloc(count * sizeof(float)));
  if (!bytes || !out) {
    aert_free(bytes);
    aert_free(out);
    png_image_free(&image);
    return nullptr;
  }
  if (!png_image_finish_read(&image, nullptr, bytes, 0, nullptr)) {
    setError("cannot read PNG '%s': %s", path, image.message);
    aert_free(bytes);
    aert_free(out);
    png_image_free(&image);
    return nullptr;
  }
  for (size_t i = 0; i < count; ++i)
    out[i] = float(bytes[i]) / 255.0f;
  aert_free(bytes);
  if (height)
    *height = image.height;
  if (width)
    *width = image.width;
  return out;
}
