#!/usr/bin/python3
"""PyTorch reference for aec's example models, set up at its best.

Trains the same architecture, loss, optimizer and batch size as the .ae
examples on real MNIST and prints one JSON line per epoch (train loss, test
loss, samples/s). Used by bench/ (throughput) and to check aec's numerics
against the peer (parity of test losses).

Run with Debian's python3 (the only one with torch), the OpenMP OpenBLAS and
OPENBLAS_CORETYPE unset (see shared/NOTES-MLIR22.md):
  env -u OPENBLAS_CORETYPE LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
      /usr/bin/python3 bench/torch_ref.py --model mnist_ae --epochs 10 --threads 1
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_idx_images(path):
    with open(path, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 0x803:
            sys.exit(f"{path}: not an IDX image file (magic {magic:#x})")
        data = np.frombuffer(f.read(), dtype=np.uint8)
    return data.reshape(n, rows * cols).astype(np.float32) / 255.0


class MLPAE(nn.Module):
    """784-512-256-d (ReLU), decoder mirrored, sigmoid output: mnist_ae.ae."""

    def __init__(self, d):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                                 nn.Linear(256, d))
        self.dec = nn.Sequential(nn.Linear(d, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
                                 nn.Linear(512, 784), nn.Sigmoid())

    def loss(self, x):
        return F.mse_loss(self.dec(self.enc(x)), x)


class VAE(nn.Module):
    """The PyTorch examples' VAE: 784-400-(20,20), 20-400-784: mnist_vae.ae."""

    def __init__(self, d=20):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.mu = nn.Linear(400, d)
        self.logvar = nn.Linear(400, d)
        self.fc3 = nn.Linear(d, 400)
        self.fc4 = nn.Linear(400, 784)

    def loss(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.fc4(F.relu(self.fc3(z)))
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (bce + kl) / x.shape[0]


class ConvAE(nn.Module):
    """mnist_conv_denoise.ae without the noise: conv 16/32 stride 2, latent d."""

    def __init__(self, d=16):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1),
                                 nn.ReLU(), nn.Flatten(), nn.Linear(1568, d))
        self.dec = nn.Sequential(nn.Linear(d, 1568), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
                                 nn.ConvTranspose2d(32, 16, 3, 2, 1, 1), nn.ReLU(),
                                 nn.ConvTranspose2d(16, 1, 3, 2, 1, 1), nn.Sigmoid())

    def loss(self, x):
        x = x.view(-1, 1, 28, 28)
        return F.mse_loss(self.dec(self.enc(x)), x)


def make(name, latent):
    if name == "mnist_ae":
        return MLPAE(latent or 32)
    if name == "mnist_vae":
        return VAE(latent or 20)
    if name == "mnist_conv":
        return ConvAE(latent or 16)
    sys.exit(f"unknown model {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="mnist_ae")
    ap.add_argument("--latent", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=0, help="stop each epoch after this many steps (0: all)")
    ap.add_argument("--data", default=os.environ.get("AEC_DATA_DIR", "build/data/mnist"))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train = torch.from_numpy(load_idx_images(os.path.join(args.data, "train-images-idx3-ubyte")))
    test = torch.from_numpy(load_idx_images(os.path.join(args.data, "t10k-images-idx3-ubyte")))
    model = make(args.model, args.latent)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(1, args.epochs + 1):
        model.train()
        perm = torch.randperm(train.shape[0])
        total, count, steps = 0.0, 0, 0
        t0 = time.perf_counter()
        for i in range(0, train.shape[0], args.batch):
            x = train[perm[i:i + args.batch]]
            opt.zero_grad(set_to_none=True)
            loss = model.loss(x)
            loss.backward()
            opt.step()
            total += loss.item() * x.shape[0]
            count += x.shape[0]
            steps += 1
            if args.steps and steps >= args.steps:
                break
        dt = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            test_loss = sum(model.loss(test[i:i + 1000]).item() * 1000 for i in range(0, 10000, 1000)) / 10000
        print(json.dumps({"epoch": epoch, "train_loss": total / count, "test_loss": test_loss,
                          "samples_per_s": count / dt, "threads": args.threads}), flush=True)


if __name__ == "__main__":
    main()
