"""Prints "<file>: <width>x<height> <gray|rgb>" for each PNG given."""
import os
import struct
import sys

for path in sys.argv[1:]:
    with open(path, "rb") as f:
        head = f.read(33)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        print("%s: not a PNG" % os.path.basename(path))
        continue
    width, height, depth, color = struct.unpack(">IIBB", head[16:26])
    kind = {0: "gray", 2: "rgb"}.get(color, "color%d" % color)
    print("%s: %dx%d %s%d" % (os.path.basename(path), width, height, kind, depth))
