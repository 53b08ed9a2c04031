"""PyTorch reference for `npm run bench`: the same work as our suites, on the same machine, 2 threads.

Prints one JSON object: matmul GFLOP/s (1024^3), space2vec inference stamps/s (batch 256) and
training samples/s (batch 64, Adam), space2vec built as in src/main/worker/model/architectures/space2vec.ts.
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)


def best(fn, repeats=3, warmup=1):
    for _ in range(warmup):
        fn()
    t = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def same_pad(k, s, size):
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return (total // 2, total - total // 2)


class TfSameConv(nn.Module):
    """Conv2d with TF 'same' padding (the extra pixel at the end)."""

    def __init__(self, cin, cout, stride, size):
        super().__init__()
        before, after = same_pad(3, stride, size)
        self.pad = nn.ZeroPad2d((before, after, before, after))
        self.conv = nn.Conv2d(cin, cout, 3, stride)

    def forward(self, x):
        return self.conv(self.pad(x))


def space2vec():
    layers, cin, size = [], 3, 51
    for f in (25, 63, 119, 210):
        layers += [TfSameConv(cin, f, 1, size), TfSameConv(f, f, 2, size), nn.BatchNorm2d(f), nn.ReLU()]
        cin, size = f, -(-size // 2)
    layers += [TfSameConv(210, 210, 1, size), nn.ReLU(), nn.Flatten(), nn.Linear(210 * size * size, 128),
               nn.ReLU(), nn.Dropout(0.45), nn.Linear(128, 1)]
    return nn.Sequential(*layers)


a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
mm = best(lambda: a @ b)
model = space2vec()
model.eval()
x = torch.randn(256, 3, 51, 51)
with torch.no_grad():
    inf = best(lambda: model(x), repeats=2)
model.train()
opt = torch.optim.Adam(model.parameters(), 1e-3)
xt, yt = torch.randn(64, 3, 51, 51), (torch.arange(64) % 2).float().unsqueeze(1)
lossf = nn.BCEWithLogitsLoss()


def step():
    for _ in range(4):
        opt.zero_grad()
        loss = lossf(model(xt), yt)
        loss.backward()
        opt.step()


tr = best(step, repeats=1)


def blas_library():
    """The BLAS this process really loaded (Debian's torch takes whichever libblas.so.3 the
    alternatives system points at: the reference BLAS is ~10x slower than OpenBLAS)."""
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
        libs = {os.path.relpath(p, "/usr/lib/x86_64-linux-gnu") if p.startswith("/usr/lib/") else p for p in libs}
        return ", ".join(sorted(libs)) or "none mapped"
    except OSError:
        return "unknown"


print(json.dumps({
    "blas": blas_library(),
    "torch": torch.__version__,
    "threads": threads,
    "matmulGflops": 2 * 1024 ** 3 / mm / 1e9,
    "space2vecInferStampsPerS": 256 / inf,
    "space2vecTrainSamplesPerS": 4 * 64 / tr,
}))
