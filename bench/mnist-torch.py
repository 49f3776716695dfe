"""One epoch of a Fashion-MNIST classifier in PyTorch (CPU), the peer of bench/mnist-peer.mjs.

    python3 bench/mnist-torch.py <mlp|cnn> <data dir> <train samples> <batch size> <lr> <threads>

<threads> 0 leaves torch's thread count at its default.

Trains on the first <train samples> training images in file order (no shuffling, as the JS peers),
Adam, cross-entropy on logits, then evaluates on all test images. Prints one line: MARKER + JSON with
trainS, samplesPerS, testAccuracy, peakRssMB (ru_maxrss), rssAfterLoadMB, rssAfterTrainMB, params.
"""

import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

MARKER = "@@MNIST_BENCH_JSON@@ "


def read_idx(path):
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rb") as f:
            data = f.read()
    else:
        with open(path, "rb") as f:
            data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main():
    kind, data_dir, n_train, batch_size, lr, threads = sys.argv[1:7]
    n_train, batch_size, lr, threads = int(n_train), int(batch_size), float(lr), int(threads)
    if threads > 0:  # 0: PyTorch's own default (Debian's build picks 1 here)
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.from_numpy(read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"))[:n_train].astype(np.float32) / 255)
    y = torch.from_numpy(read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"))[:n_train].astype(np.int64))
    x_test = torch.from_numpy(read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte")).astype(np.float32) / 255)
    y_test = torch.from_numpy(read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte")).astype(np.int64))
    x, x_test = x.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)  # NCHW
    rss_after_load = peak_mb()
    if kind == "mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    else:
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 13 * 13, 10)
        )
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    model.train()
    for i in range(0, n_train, batch_size):
        opt.zero_grad()
        loss = loss_fn(model(x[i : i + batch_size]), y[i : i + batch_size])
        loss.backward()
        opt.step()
    train_s = time.perf_counter() - t0
    rss_after_train = peak_mb()
    model.eval()
    with torch.no_grad():
        right = sum(
            int((model(x_test[i : i + 1000]).argmax(1) == y_test[i : i + 1000]).sum()) for i in range(0, len(x_test), 1000)
        )
    print(
        MARKER
        + json.dumps(
            {
                "peer": "torch",
                "kind": kind,
                "samples": n_train,
                "batchSize": batch_size,
                "trainS": train_s,
                "samplesPerS": n_train / train_s,
                "testAccuracy": right / len(x_test),
                "testSamples": len(x_test),
                "peakRssMB": peak_mb(),
                "rssAfterLoadMB": rss_after_load,
                "rssAfterTrainMB": rss_after_train,
                "params": sum(p.numel() for p in model.parameters()),
                "backend": f"torch {torch.__version__}, {torch.get_num_threads()} threads",
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
