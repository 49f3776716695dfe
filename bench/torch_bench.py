"""PyTorch (CPU) side of tapeflow's benchmark suite.

Spawned once by bench/run.mjs. Reads a JSON config on stdin (the protocol and the workload list), runs
the same workloads with the same protocol as the JavaScript peers, and prints one line
`@@TORCH_BENCH_JSON@@ {...}` on stdout. Anything else it or torch prints (Debian's build warns on
stderr) is ignored by the runner.
"""

import json
import os
import statistics
import sys
import time

MARKER = "@@TORCH_BENCH_JSON@@ "


def emit(obj):
    sys.stdout.write(MARKER + json.dumps(obj) + "\n")
    sys.stdout.flush()


def blas_info(torch):
    """What BLAS torch really calls. Debian builds with BLAS_INFO=generic, i.e. whatever libblas.so.3
    the alternatives system points at; /proc/self/maps shows which library that is."""
    info = {"blas_info": None, "lapack_info": None, "mkldnn": None, "libraries": [], "openblas": False}
    try:
        cfg = torch.__config__.show()
        for key in ("BLAS_INFO", "LAPACK_INFO"):
            at = cfg.find(key + "=")
            if at >= 0:
                info[key.lower()] = cfg[at + len(key) + 1 :].split(",")[0].strip()
        info["mkldnn"] = bool(torch.backends.mkldnn.is_available())
    except Exception as e:  # noqa: BLE001
        info["config_error"] = str(e)
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
        info["libraries"] = libs
        info["openblas"] = any("openblas" in p for p in libs)
        for path in libs:
            if "libopenblas" in os.path.basename(path):
                import ctypes

                lib = ctypes.CDLL(path)
                lib.openblas_get_config.restype = ctypes.c_char_p
                info["openblas_config"] = lib.openblas_get_config().decode()
                info["openblas_threads"] = int(lib.openblas_get_num_threads())
                break
    except Exception as e:  # noqa: BLE001
        info["maps_error"] = str(e)
    return info


def seed_loop(torch, steps, lr):
    x = torch.arange(-5, 5, 0.1, dtype=torch.float32)
    y = x.mul(x).mul(2).add(x.mul(3)).add(5)
    w1 = torch.tensor(1.0, requires_grad=True)
    w2 = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    loss = None
    for _ in range(steps):
        loss = torch.sqrt(torch.mean(torch.square(w1 * x * x + w2 * x + b - y)))
        loss.backward()
        with torch.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
            b -= lr * b.grad
            w1.grad.zero_()
            w2.grad.zero_()
            b.grad.zero_()
    return {
        "loss": loss.item(),
        "w1": w1.item(),
        "w2": w2.item(),
        "b": b.item(),
        "points": int(x.numel()),
    }


def per_op(torch, kind, inputs):
    if kind == "matmul":
        a = torch.tensor(inputs["m1"], dtype=torch.float32).reshape(2, 2)
        b = torch.tensor(inputs["m2"], dtype=torch.float32).reshape(2, 2)
        fn = torch.matmul
    else:
        a = torch.tensor(inputs["a"], dtype=torch.float32)
        b = torch.tensor(inputs["b"], dtype=torch.float32)
        fn = {"add": torch.add, "mul": torch.mul, "exp": torch.exp}[kind]

    if kind == "exp":
        def run(calls):
            r = None
            for _ in range(calls):
                r = fn(a)
            return r
    else:

        def run(calls):
            r = None
            for _ in range(calls):
                r = fn(a, b)
            return r

    return run


def time_ms(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t0) * 1000.0


def matmul_check(torch, a, b, c, samples):
    """Max over sampled entries of |c_ij - ref_ij| / sum_k |a_ik b_kj| with a float64 reference."""
    worst = 0.0
    n = a.shape[0]
    for s in range(samples):
        i = (s * 7919 + 13) % n
        j = (s * 104729 + 101) % n
        prod = a[i, :].double() * b[:, j].double()
        ref = prod.sum().item()
        scale = prod.abs().sum().item() or 1.0
        err = abs(c[i, j].item() - ref) / scale
        if err != err:  # NaN
            return float("nan")
        worst = max(worst, err)
    return worst


def main():
    cfg = json.loads(sys.stdin.read())
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        emit({"available": False, "reason": f"{type(e).__name__}: {e}"})
        return

    threads = int(cfg["threads"])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    # Touch BLAS once so that its library is mapped before we look for it.
    torch.randn(64, 64) @ torch.randn(64, 64)
    out = {
        "available": True,
        "version": torch.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "blas": blas_info(torch),
        "results": {},
    }
    proto = cfg["protocol"]

    for w in cfg["workloads"]:
        res = {}
        try:
            if w["group"] == "seed":
                p = proto["seed"]
                for _ in range(p["warmup"]):
                    seed_loop(torch, p["steps"], p["lr"])
                samples = []
                final = None
                for _ in range(p["runs"]):
                    t0 = time.perf_counter()
                    final = seed_loop(torch, p["steps"], p["lr"])
                    samples.append((time.perf_counter() - t0) * 1000.0)
                res = {"value": statistics.median(samples), "samplesMs": samples, "final": final}
            elif w["group"] == "perop":
                p = proto["perop"]
                run = per_op(torch, w["op"], proto["perop"]["inputs"])
                for _ in range(p["warmup"]):
                    run(p["calls"])
                samples = [time_ms(run, p["calls"]) for _ in range(p["runs"])]
                med = statistics.median(samples)
                r = run(1)
                res = {
                    "value": p["calls"] / (med / 1000.0),
                    "samplesMs": samples,
                    "sample": [float(v) for v in r.reshape(-1).tolist()],
                }
            elif w["group"] == "matmul":
                p = proto["matmul"]
                n = int(w["n"])
                a = torch.rand(n, n, dtype=torch.float32) * 2 - 1
                b = torch.rand(n, n, dtype=torch.float32) * 2 - 1
                t0 = time.perf_counter()
                c = torch.matmul(a, b)
                last = time.perf_counter() - t0
                if last > p["slowS"]:
                    reps = p["slowReps"]
                else:
                    # Warm-up calls for ~warmupS, as for every peer; the rep count comes from the last one.
                    warm = last
                    while warm < p["warmupS"]:
                        t0 = time.perf_counter()
                        c = torch.matmul(a, b)
                        last = time.perf_counter() - t0
                        warm += last
                    reps = min(p["maxReps"], max(p["minReps"], int(round(p["targetS"] / max(last, 1e-9)))))
                samples = []
                for _ in range(reps):
                    t0 = time.perf_counter()
                    c = torch.matmul(a, b)
                    samples.append((time.perf_counter() - t0) * 1000.0)
                med = statistics.median(samples)
                res = {
                    "value": 2.0 * n**3 / (med / 1000.0) / 1e9,
                    "medianMs": med,
                    "reps": reps,
                    "samplesMs": samples if reps <= 50 else None,
                    "maxRelErr": matmul_check(torch, a, b, c, p["checkSamples"]),
                }
            elif w["group"] == "optim":
                from torch_optim import optim_adam  # bench/torch_optim.py

                res = optim_adam(torch, proto["optim"])
            else:
                res = {"error": f"unknown workload group {w['group']}"}
        except Exception as e:  # noqa: BLE001
            res = {"error": f"{type(e).__name__}: {e}"}
        out["results"][w["id"]] = res

    emit(out)


if __name__ == "__main__":
    main()
