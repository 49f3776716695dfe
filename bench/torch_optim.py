"""PyTorch side of the optimizer-step workload (see bench/optim-step.mjs): torch.optim.Adam with
foreach=True over 100 float32 tensors of 10,000 parameters, fixed gradients, timed per step.

Imported by bench/torch_bench.py; also runnable alone: /usr/bin/python3 bench/torch_optim.py
"""

import statistics
import time


def xorshift_data(size, seed):
    """The same deterministic data as workloads.mjs randomData (xorshift32, values in [-1, 1))."""
    s = (seed & 0xFFFFFFFF) or 1
    out = [0.0] * size
    for i in range(size):
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        out[i] = (s / 4294967296) * 2 - 1
    return out


def optim_adam(torch, p):
    params = []
    for k in range(p["tensors"]):
        init = torch.tensor(xorshift_data(p["size"], 7919 * (k + 1)), dtype=torch.float32)
        grad = torch.tensor(xorshift_data(p["size"], 104729 * (k + 1)), dtype=torch.float32)
        t = init.clone().requires_grad_(True)
        t.grad = grad
        params.append(t)
    opt = torch.optim.Adam(params, lr=p["lr"], betas=(p["beta1"], p["beta2"]), eps=p["eps"], foreach=True)
    for _ in range(p["warmupSteps"]):
        opt.step()
    samples = []
    for _ in range(p["runs"]):
        t0 = time.perf_counter()
        for _ in range(p["stepsPerRun"]):
            opt.step()
        samples.append((time.perf_counter() - t0) * 1000.0 / p["stepsPerRun"])
    values = []
    for s in range(p["checkSamples"]):
        k = (s * 37 + 11) % p["tensors"]
        i = (s * 7919 + 13) % p["size"]
        values.append(float(params[k].detach()[i]))
    return {
        "value": statistics.median(samples),
        "samplesMs": samples,
        "steps": p["warmupSteps"] + p["runs"] * p["stepsPerRun"],
        "values": values,
    }


if __name__ == "__main__":
    import json

    import torch

    proto = {"tensors": 100, "size": 10000, "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
             "warmupSteps": 5, "runs": 7, "stepsPerRun": 10, "checkSamples": 64}
    r = optim_adam(torch, proto)
    print(json.dumps({k: v for k, v in r.items() if k != "values"}))
