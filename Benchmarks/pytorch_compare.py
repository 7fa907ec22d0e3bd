#!/usr/bin/env python3
"""Times PyTorch on the same models, batch sizes and optimisers as `benchmarks train`, on the same
MNIST files, and, given Kindling's seconds per epoch, prints both ratios (Kindling's epoch time as
a multiple of PyTorch's, and its speed as a multiple of PyTorch's) and both programs' effective
GFLOP/s: the model's training FLOPs (forward and backward, counted by PyTorch's FlopCounterMode)
per epoch over each program's seconds. Both count a convolution's direct FLOPs; Kindling runs its
3x3 stride-1 convolutions by Winograd's F(4x4, 3x3) in batches of 8 or more (F(2x2, 3x3) in smaller
ones), which does 36/144 of those multiply-adds, so its effective GFLOP/s measure speed, not FMA-unit
use.

    python3 Benchmarks/pytorch_compare.py [--data DIR] [--limit N] [--threads 2]
    python3 Benchmarks/pytorch_compare.py --run-kindling      # also builds and runs `benchmarks train`
    python3 Benchmarks/pytorch_compare.py --run-kindling --rounds 3

With --rounds N, each round times one model in PyTorch and in Kindling right after each other
(which of the two goes first alternates from round to round), so that both see the shared machine
in about the same state; it prints every round's ratio and, per model, the median and the worst.

Needs `pip install torch numpy` (the CPU wheel is enough). Reads the gzipped IDX files directly,
so torchvision is not needed.
"""
import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_images(directory, limit):
    path = os.path.join(directory, "mnist", "train-images-idx3-ubyte")
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
        data = f.read()
    images = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28)
    path = os.path.join(directory, "mnist", "train-labels-idx1-ubyte")
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return torch.tensor(images[:limit], dtype=torch.float32) / 255, torch.tensor(labels[:limit], dtype=torch.long)


class MNISTConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 24, 3)
        self.conv2 = nn.Conv2d(24, 48, 3)
        self.fc1 = nn.Linear(1200, 200)
        self.fc2 = nn.Linear(200, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return F.log_softmax(self.fc2(x), dim=1)


class PyTorchExampleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(self.dropout1(x), 1)
        x = self.dropout2(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


RECIPES = {
    "convnet": (MNISTConvNet, lambda p: torch.optim.Adam(p), 200, (0.5, 0.5)),
    "pytorch-example": (PyTorchExampleNet, lambda p: torch.optim.Adadelta(p, lr=1.0), 64, (0.1307, 0.3081)),
}


def training_flops_per_image(name):
    """Forward + backward FLOPs of one training step, per image, as PyTorch counts them."""
    from torch.utils.flop_counter import FlopCounterMode
    make, _, batch_size, _ = RECIPES[name]
    model = make()
    x = torch.zeros(batch_size, 1, 28, 28)
    labels = torch.zeros(batch_size, dtype=torch.long)
    with FlopCounterMode(display=False) as counter:
        F.nll_loss(model(x), labels).backward()
    return counter.get_total_flops() / batch_size


def time_epoch(name, images, labels):
    make, make_optimizer, batch_size, (mean, std) = RECIPES[name]
    torch.manual_seed(1)
    model = make()
    optimizer = make_optimizer(model.parameters())
    x = (images - mean) / std
    order = torch.randperm(len(x))
    model.train()
    start = time.perf_counter()
    for begin in range(0, len(x), batch_size):
        index = order[begin:begin + batch_size]
        optimizer.zero_grad()
        loss = F.nll_loss(model(x[index]), labels[index])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def kindling_binary():
    """Builds `benchmarks` in release and returns its path. The binary is then run itself: under
    `swift run`, the program's peak memory would include SwiftPM's own (exec keeps the process's
    high-water mark)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(["swift", "build", "-c", "release", "--product", "benchmarks"], cwd=root, check=True,
                   capture_output=True)
    return subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root, check=True,
                          capture_output=True, text=True).stdout.strip() + "/benchmarks"


def time_kindling(binary, models, args):
    """Runs `benchmarks train` on the given models; returns its output and each model's seconds per
    60000-image epoch."""
    output = subprocess.run(
        [binary, "train", "--models", ",".join(models),
         "--limit", str(args.limit), "--threads", str(args.threads), "--data", args.data],
        capture_output=True, text=True, check=True).stdout
    seconds = {}
    for name in models:
        match = re.search(rf"^{re.escape(name)} .*?([0-9.]+) s per 60000-image epoch", output, re.M)
        if match:
            seconds[name] = float(match.group(1))
    return output, seconds


def ratio_line(name, kindling, pytorch, flops):
    return (f"ratio {name}: Kindling {kindling:.2f} s, PyTorch {pytorch:.2f} s per epoch: "
            f"Kindling's epoch takes {kindling / pytorch:.2f}x PyTorch's time "
            f"({pytorch / kindling:.2f}x its speed); effective GFLOP/s Kindling "
            f"{flops / kindling / 1e9:.1f}, PyTorch {flops / pytorch / 1e9:.1f}")


def time_pytorch(name, images, labels, flops):
    seconds = time_epoch(name, images, labels) * 60000 / len(images)
    print(f"pytorch {name}: {seconds * len(images) / 60000:.2f} s for {len(images)} images, "
          f"{seconds:.2f} s per 60000-image epoch, {flops / seconds / 1e9:.1f} effective GFLOP/s "
          f"({flops / 1e9:.1f} GFLOP per epoch)")
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.environ.get("KINDLING_DATA", "data"))
    parser.add_argument("--limit", type=int, default=60000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="convnet,pytorch-example")
    parser.add_argument("--run-kindling", action="store_true",
                        help="also run `swift run -c release benchmarks train` with the same settings")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of side-by-side epochs, each model in both programs one after the other")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    torch.set_num_threads(args.threads)
    images, labels = load_images(args.data, args.limit)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, {len(images)} images per epoch")
    models = args.models.split(",")
    flops = {name: training_flops_per_image(name) * 60000 for name in models}
    binary = kindling_binary() if args.run_kindling else None
    if args.rounds == 1:
        # One epoch of each model in PyTorch, then Kindling's benchmark on all of them.
        pytorch = {name: time_pytorch(name, images, labels, flops[name]) for name in models}
        if binary:
            output, kindling = time_kindling(binary, models, args)
            print(output, end="")
            for name in models:
                if name in kindling:
                    print(ratio_line(name, kindling[name], pytorch[name], flops[name]))
        return 0
    rounds = {name: [] for name in models}
    for round_index in range(args.rounds):
        print(f"round {round_index + 1} of {args.rounds}")
        for name in models:
            # Alternate which program goes first, so that neither always meets the machine warmer.
            pytorch_first = round_index % 2 == 0 or not binary
            pytorch = time_pytorch(name, images, labels, flops[name]) if pytorch_first else None
            kindling = None
            if binary:
                output, seconds = time_kindling(binary, [name], args)
                print(output, end="")
                kindling = seconds.get(name)
            if pytorch is None:
                pytorch = time_pytorch(name, images, labels, flops[name])
            if kindling is not None:
                print(ratio_line(name, kindling, pytorch, flops[name]))
            rounds[name].append((kindling, pytorch))
    for name in models:
        pytorch_times = sorted(p for _, p in rounds[name])
        line = (f"summary {name}: {args.rounds} rounds; PyTorch median {statistics.median(pytorch_times):.2f} s "
                f"(best {pytorch_times[0]:.2f})")
        if binary and all(k is not None for k, _ in rounds[name]):
            kindling_times = sorted(k for k, _ in rounds[name])
            ratios = [k / p for k, p in rounds[name]]
            line += (f", Kindling median {statistics.median(kindling_times):.2f} s (best {kindling_times[0]:.2f}); "
                     f"Kindling's epoch / PyTorch's, round by round: {', '.join(f'{r:.2f}x' for r in ratios)}; "
                     f"median {statistics.median(ratios):.2f}x, worst {max(ratios):.2f}x")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
