"""Checks what examples/train/aec_train.c wrote into an output folder.

usage: check_train_outputs.py OUT_DIR DATA_DIR EPOCHS LATENT

- metrics.csv: header, one row per epoch 1..EPOCHS, finite positive values,
  and a final test loss below the first one;
- the PNG figures exist with the sizes the grids imply (and the 2-D latent
  ones exist only for LATENT == 2);
- reconstructions.png: the top row is exactly the first 16 test images of
  DATA_DIR, and the bottom row is as far from them as the test loss says.
Prints "check_train_outputs: OK" on success; exits 1 with a reason otherwise.
"""
import math
import os
import struct
import sys
import zlib

PAD = 2
SIDE = 28


def fail(msg):
    print("check_train_outputs: FAIL: " + msg)
    sys.exit(1)


def read_png(path):
    """Decodes an 8-bit grayscale or RGB, non-interlaced PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + ": not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or interlace != 0 or color not in (0, 2):
        fail(path + ": unexpected PNG format %r" % (header,))
    bpp = 1 if color == 0 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def grid_size(count, cols):
    nrows = (count + cols - 1) // cols
    return cols * SIDE + (cols + 1) * PAD, nrows * SIDE + (nrows + 1) * PAD


def tile(rows, r, c):
    """Pixels of the grid cell (r, c) as a flat list of bytes."""
    y0, x0 = PAD + r * (SIDE + PAD), PAD + c * (SIDE + PAD)
    return [rows[y0 + y][x0 + x] for y in range(SIDE) for x in range(SIDE)]


def main():
    out, data, epochs, latent = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

    with open(os.path.join(out, "metrics.csv")) as f:
        lines = f.read().splitlines()
    if lines[0] != "epoch,train_loss,test_loss,samples_per_s":
        fail("metrics.csv header is %r" % lines[0])
    rows = [line.split(",") for line in lines[1:]]
    if [int(r[0]) for r in rows] != list(range(1, epochs + 1)):
        fail("metrics.csv epochs are %r" % [r[0] for r in rows])
    values = [[float(v) for v in r[1:]] for r in rows]
    for v in values:
        if not all(math.isfinite(x) and x > 0 for x in v):
            fail("metrics.csv has a bad row %r" % v)
    if not values[-1][1] < values[0][1]:
        fail("test loss did not decrease: %r" % [v[1] for v in values])

    expected = {
        "reconstructions.png": grid_size(32, 16),
        "interpolation.png": grid_size(128, 16),
        "samples.png": grid_size(64, 8),
    }
    if latent == 2:
        expected["manifold.png"] = grid_size(400, 20)
        expected["latent_scatter.png"] = (640, 640)
    for name in ("manifold.png", "latent_scatter.png"):
        if latent != 2 and os.path.exists(os.path.join(out, name)):
            fail(name + " written for a latent of size %d" % latent)
    for name, (w, h) in sorted(expected.items()):
        width, height, _, _ = read_png(os.path.join(out, name))
        if (width, height) != (w, h):
            fail("%s is %dx%d, expected %dx%d" % (name, width, height, w, h))

    with open(os.path.join(data, "t10k-images-idx3-ubyte"), "rb") as f:
        f.read(16)
        originals = [list(f.read(SIDE * SIDE)) for _ in range(16)]
    _, _, _, grid = read_png(os.path.join(out, "reconstructions.png"))
    err_model, err_blank = 0.0, 0.0
    for c in range(16):
        top, bottom = tile(grid, 0, c), tile(grid, 1, c)
        if max(abs(a - b) for a, b in zip(top, originals[c])) > 1:
            fail("reconstructions.png: top row tile %d is not test image %d" % (c, c))
        err_model += sum((a - b) ** 2 for a, b in zip(bottom, originals[c]))
        err_blank += sum(b ** 2 for b in originals[c])
    # The bottom row must be the model's reconstructions: their error matches
    # the test loss of the last epoch (mse; clamping to [0, 1] only lowers it)
    # and is below that of blank images.
    pixels = 16 * SIDE * SIDE * 255.0 ** 2
    mse_model, mse_blank, test_loss = err_model / pixels, err_blank / pixels, values[-1][1]
    if not (mse_model < mse_blank and mse_model < 1.5 * test_loss + 1e-3):
        fail("reconstruction mse %g (blank images: %g) does not match the test loss %g"
             % (mse_model, mse_blank, test_loss))
    print("check_train_outputs: OK")


main()
