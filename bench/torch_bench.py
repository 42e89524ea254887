#!/usr/bin/python3
"""PyTorch side of bench/run.sh: the same measurements as bench_aec.c.

  torch_bench.py train --model mnist_ae --threads 1 [--steps 200] [--warmup 20]
                       [--max-seconds 0]
  torch_bench.py latency --model small --threads 1 --batch 1

train: `warmup` steps, then `steps` timed Adam steps on shuffled MNIST
batches (the loop of torch_ref.py: index, zero_grad, loss, backward, step,
loss.item()), stopping early after the first step that ends past
--max-seconds (if > 0; "capped" in the output). latency: encode then decode under torch.no_grad(), timed in
blocks of calls; the median block's mean time per call. Prints one JSON line.

Run it as torch_ref.py says (Debian's python3, OpenMP OpenBLAS, no
OPENBLAS_CORETYPE); run.sh does.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_ref  # noqa: E402  (the models)


class SmallAE(nn.Module):
    """examples/small.ae: 64-32-16-5 (ReLU), decoder 16-32-64, linear output."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                                 nn.Linear(16, 5))
        self.dec = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU(),
                                 nn.Linear(32, 64))


def make(name):
    if name == "small":
        return SmallAE()
    if name == "mnist_conv":
        return torch_ref.make("mnist_conv", 0)
    return torch_ref.make(name, 0)


def encode_decode(model):
    """The encode+decode of the aec API: for the VAE, the mean is decoded."""
    if isinstance(model, torch_ref.VAE):
        def run(x):
            mu = model.mu(torch.relu(model.fc1(x)))
            return torch.sigmoid(model.fc4(torch.relu(model.fc3(mu))))
        return run
    return lambda x: model.dec(model.enc(x))


def bench_train(args):
    train = torch.from_numpy(torch_ref.load_idx_images(
        os.path.join(args.data, "train-images-idx3-ubyte")))
    model = make(args.model)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    perm, nxt, epoch = None, train.shape[0], 0
    first = last = float("nan")
    timed, capped = 0, False
    t0 = time.perf_counter()
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            t0 = time.perf_counter()
        if step > args.warmup and args.max_seconds > 0 and \
                time.perf_counter() - t0 > args.max_seconds:
            capped = True
            break
        if nxt + args.batch > train.shape[0]:
            perm, nxt, epoch = torch.randperm(train.shape[0]), 0, epoch + 1
        x = train[perm[nxt:nxt + args.batch]]
        nxt += args.batch
        opt.zero_grad(set_to_none=True)
        loss = model.loss(x)
        loss.backward()
        opt.step()
        last = loss.item()
        if step == 0:
            first = last
        if step >= args.warmup:
            timed += 1
    seconds = time.perf_counter() - t0
    return {"impl": "torch", "mode": "train", "model": args.model, "threads": args.threads,
            "batch": args.batch, "steps": timed, "capped": capped, "seconds": seconds,
            "samples_per_s": timed * args.batch / seconds, "first_loss": first,
            "last_loss": last}


def bench_latency(args):
    model = make(args.model)
    model.eval()
    run = encode_decode(model)
    inputs = 64 if args.model == "small" else 784
    x = torch.rand(args.batch, inputs)
    with torch.no_grad():
        for _ in range(10):  # warm-up
            y = run(x)
        per_block = 1
        while True:
            t = time.perf_counter()
            for _ in range(per_block):
                y = run(x)
            if (time.perf_counter() - t) * 1e6 >= args.min_block_us or per_block >= 1 << 20:
                break
            per_block *= 2
        means = []
        for _ in range(args.blocks):
            t = time.perf_counter()
            for _ in range(per_block):
                y = run(x)
            means.append((time.perf_counter() - t) / per_block)
    return {"impl": "torch", "mode": "latency", "model": args.model, "threads": args.threads,
            "batch": args.batch, "calls_per_block": per_block, "blocks": args.blocks,
            "median_us": 1e6 * statistics.median(means), "checksum": float(y.sum())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["train", "latency"])
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=0)
    ap.add_argument("--blocks", type=int, default=200)
    ap.add_argument("--min-block-us", type=int, default=200)
    ap.add_argument("--data", default=os.environ.get("AEC_DATA_DIR", "build/data/mnist"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    result = bench_train(args) if args.mode == "train" else bench_latency(args)
    result["torch"] = torch.__version__
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
