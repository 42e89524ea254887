#!/usr/bin/env python3
"""Writes random .ae models (fixed seed) for the robustness test.

Most are well-formed with random layer stacks and random (often absurd)
numbers, so that they reach Sema and, when Sema accepts them, MLIRGen; the
rest are mutated (truncated, bytes flipped or inserted) to exercise the
lexer and the parser's recovery.

    random_models.py <out_dir> <count> [seed]
"""
import os
import random
import sys

ACTS = ["relu", "sigmoid", "tanh", "softplus", "identity", "leaky_relu(0.1)",
        "leaky_relu(-1)", "leaky_relu(1e308)"]


def number(r, small=True):
    pool = [1, 2, 3, 4, 7, 8, 16, 28] if small else [
        0, -1, 1, 2, 65536, 65537, 2147483647, 2147483648, 99999999999,
        9223372036854775807]
    return r.choice(pool)


def real(r):
    return r.choice(["0", "0.5", "1", "1e-3", "0.9", "0.999", "-0.1", "1e-8",
                     "1e308", "2", "0.0001", "1.5"])


def layer(r, wild):
    kind = r.choice(["dense", "conv", "deconv", "flatten", "reshape", "act"])
    n = lambda: number(r, small=not wild or r.random() < 0.7)
    if kind == "dense":
        text = "dense(%d%s)" % (n(), ", bias=false" if r.random() < 0.2 else "")
    elif kind in ("conv", "deconv"):
        args = ["%d" % n(), "k=%d" % r.choice([1, 2, 3, 5, n()])]
        if r.random() < 0.6:
            args.append("stride=%d" % r.choice([1, 2, n()]))
        if r.random() < 0.5:
            args.append("pad=%d" % r.choice([0, 1, n()]))
        if kind == "deconv" and r.random() < 0.5:
            args.append("outpad=%d" % r.choice([0, 1, n()]))
        text = "%s(%s)" % (kind, ", ".join(args))
    elif kind == "flatten":
        return "flatten"
    elif kind == "reshape":
        dims = [n() for _ in range(r.choice([1, 2, 3]))]
        return "reshape[%s]" % ", ".join(map(str, dims))
    else:
        return r.choice(ACTS)
    if r.random() < 0.6:
        text += " " + r.choice(ACTS)
    return text


def tame_stack(r, shape, count, end_flat):
    """Layers that fit `shape` (a list, one example); returns (texts, shape)."""
    texts = []
    for _ in range(count):
        act = r.choice(["", " relu", " tanh", " leaky_relu(0.2)", " softplus"])
        if len(shape) == 3 and r.random() < 0.6:
            c, h, w = shape
            k = r.choice([1, 2, 3])
            stride = r.choice([1, 2])
            pad = r.choice([0, 1])
            if r.random() < 0.5 and h + 2 * pad >= k:
                ho = (h + 2 * pad - k) // stride + 1
                wo = (w + 2 * pad - k) // stride + 1
                ch = r.choice([1, 2, 4])
                texts.append("conv(%d, k=%d, stride=%d, pad=%d)%s" %
                             (ch, k, stride, pad, act))
                shape = [ch, ho, wo]
            else:
                outpad = r.choice([0, stride - 1])
                ho = (h - 1) * stride - 2 * pad + k + outpad
                wo = (w - 1) * stride - 2 * pad + k + outpad
                if ho < 1 or wo < 1 or ho * wo > 4096:
                    continue
                ch = r.choice([1, 2])
                texts.append("deconv(%d, k=%d, stride=%d, pad=%d, outpad=%d)%s"
                             % (ch, k, stride, pad, outpad, act))
                shape = [ch, ho, wo]
        elif len(shape) != 1:
            texts.append("flatten")
            n = 1
            for d in shape:
                n *= d
            shape = [n]
        else:
            units = r.choice([1, 3, 8, 16])
            texts.append("dense(%d%s)%s" %
                         (units, ", bias=false" if r.random() < 0.2 else "", act))
            shape = [units]
    if end_flat and len(shape) != 1:
        texts.append("flatten")
        n = 1
        for d in shape:
            n *= d
        shape = [n]
    return texts, shape


def tame_model(r, index):
    shape = r.choice([[8], [16], [1, 8, 8], [2, 6, 6], [4, 4]])
    gaussian = r.random() < 0.4
    latent = r.choice([1, 2, 4])
    lines = ["model t%d {" % index,
             "  input [%s]" % ", ".join(map(str, shape)),
             "  latent %s%d" % ("gaussian " if gaussian else "", latent)]
    if r.random() < 0.5:
        kinds = ["mask", "gaussian"] + (["blur", "block"] if len(shape) == 3
                                        else [])
        kind = r.choice(kinds)
        value = {"mask": "0.3", "gaussian": "0.1", "blur": "1.0",
                 "block": "2"}[kind]
        lines.append("  noise %s(%s)" % (kind, value))
    enc, _ = tame_stack(r, list(shape), r.randrange(0, 4), end_flat=True)
    if len(shape) == 3 and r.random() < 0.5:
        dec, end = tame_stack(r, [2, 2, 2], r.randrange(0, 3), end_flat=False)
        dec.insert(0, "dense(8) relu; reshape[2, 2, 2]")
    else:
        dec, end = tame_stack(r, [latent], r.randrange(0, 3), end_flat=True)
    size = 1
    for d in shape:
        size *= d
    sigmoid = r.random() < 0.6
    if end != [size] and end != shape:
        if len(end) != 1:
            dec.append("flatten")
    dec.append("dense(%d) %s" % (size, "sigmoid" if sigmoid else "identity"))
    if len(shape) > 1:
        dec.append("reshape[%s]" % ", ".join(map(str, shape)))
    lines.append("  encoder { %s }" % "; ".join(enc))
    lines.append("  decoder { %s }" % "; ".join(dec))
    terms = ["bce" if sigmoid and r.random() < 0.5 else "mse"]
    if gaussian:
        terms.append(r.choice(["kl", "0.5 * kl"]))
    lines.append("  loss " + " + ".join(terms))
    lines.append(r.choice(["  optimizer adam", "  optimizer adam(lr=1e-2)",
                           "  optimizer sgd(lr=0.1, momentum=0.9)",
                           "  optimizer sgd"]))
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()


def model(r, index):
    if r.random() < 0.6:
        return tame_model(r, index)
    wild = r.random() < 0.3
    rank = r.choice([1, 3, 3, 2])
    if rank == 1:
        shape = [r.choice([2, 8, 16, 64])]
    elif rank == 2:
        shape = [4, 4]
    else:
        shape = [r.choice([1, 2]), r.choice([4, 8]), r.choice([4, 8])]
    if wild and r.random() < 0.5:
        shape[0] = number(r, small=False)
    gaussian = r.random() < 0.4
    latent = r.choice([1, 2, 4]) if not wild else number(r, small=False)
    lines = ["model m%d {" % index,
             "  input [%s]" % ", ".join(map(str, shape)),
             "  latent %s%d" % ("gaussian " if gaussian else "", latent)]
    if r.random() < 0.5:
        kind = r.choice(["mask", "gaussian", "blur", "block"])
        value = ("%d" % r.choice([1, 2, 3, 9, number(r, small=False)])
                 if kind == "block" else real(r))
        lines.append("  noise %s(%s)" % (kind, value))
    enc = [layer(r, wild) for _ in range(r.randrange(0, 4))]
    if r.random() < 0.7:
        enc.append("flatten")
    dec = [layer(r, wild) for _ in range(r.randrange(0, 4))]
    # Often end the decoder at the input shape so that models get through.
    size = 1
    for d in shape:
        size *= d
    if r.random() < 0.8:
        dec.append("dense(%d) %s" % (size, r.choice(["sigmoid", "identity"])))
        if len(shape) > 1:
            dec.append("reshape[%s]" % ", ".join(map(str, shape)))
    lines.append("  encoder { %s }" % "; ".join(enc))
    lines.append("  decoder { %s }" % "; ".join(dec))
    terms = [r.choice(["mse", "bce"])]
    if gaussian or r.random() < 0.2:
        terms.append(("%s * kl" % real(r)) if r.random() < 0.5 else "kl")
    lines.append("  loss " + " + ".join(terms))
    if r.random() < 0.5:
        lines.append("  optimizer adam(lr=%s, beta1=%s, beta2=%s, eps=%s)" %
                     (real(r), real(r), real(r), real(r)))
    else:
        lines.append("  optimizer sgd(lr=%s, momentum=%s)" % (real(r), real(r)))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    data = text.encode()
    if r.random() < 0.25:
        data = bytearray(data)
        for _ in range(r.randrange(1, 4)):
            what = r.random()
            pos = r.randrange(len(data))
            if what < 0.3:
                data = data[:pos]
            elif what < 0.6:
                data[pos] = r.randrange(256)
            else:
                data[pos:pos] = bytes([r.choice(b"{}()[],;=+-*#\n")])
            if not data:
                break
        data = bytes(data)
    return data


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    r = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out, "m%03d.ae" % i), "wb") as f:
            f.write(model(r, i))


if __name__ == "__main__":
    main()
