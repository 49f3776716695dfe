"""NumPy and PyTorch side of the linear-algebra workloads (see bench/linalg.mjs).

Spawned by bench/linalg.mjs once per peer, each in its own process:

    python3 bench/linalg_bench.py numpy    numpy.linalg (the numpy process runs with OPENBLAS_CORETYPE and
                                           OPENBLAS_L2_SIZE unset, as the issue asks)
    python3 bench/linalg_bench.py torch    torch.linalg

Reads a JSON config on stdin ({threads, protocol, workloads}), builds the same float64 matrices as the
JavaScript side (a counter-based hash, so every process gets bit-identical inputs), times each call
with the shared protocol, checks every result with numpy in float64 (the same residuals as
bench/linalg.mjs computes for tapeflow) and prints one line `@@LINALG_BENCH_JSON@@ {...}` on stdout.
Anything else on stdout or stderr is ignored by the runner.
"""

import json
import os
import statistics
import sys
import time

MARKER = "@@LINALG_BENCH_JSON@@ "


def emit(obj):
    sys.stdout.write(MARKER + json.dumps(obj) + "\n")
    sys.stdout.flush()


# ---- inputs (must match bench/linalg.mjs hashData / linalgInputs) -----------------------------------


def hash_data(np, size, seed):
    """Uniform values in (-1, 1): fmix32(i * 0x9E3779B1 + seed * 0x85EBCA77), exact in float64."""
    m = np.uint64(0xFFFFFFFF)
    h = np.arange(size, dtype=np.uint64) * np.uint64(0x9E3779B1)
    h = (h + np.uint64((seed * 0x85EBCA77) & 0xFFFFFFFF)) & m
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & m
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & m
    h ^= h >> np.uint64(16)
    return (h.astype(np.float64) + 0.5) / 2147483648.0 - 1.0


def inputs(np, op, n):
    """The matrices of one workload, float64: M general, B [n,1], SPD = M M^T + n I, SYM = (M + M^T)/2."""
    m = hash_data(np, n * n, 1000 + n).reshape(n, n)
    if op == "solve":
        return {"a": m, "b": hash_data(np, n, 2000 + n).reshape(n, 1)}
    if op == "cholesky":
        return {"a": m @ m.T + n * np.eye(n)}
    if op == "eigh":
        return {"a": (m + m.T) * 0.5}
    return {"a": m}


# ---- checks (the same quantities as bench/linalg.mjs linalgErrors) ----------------------------------


def errors(np, op, a, out, b=None):
    """Relative residuals of one result (all float64, Frobenius norms) and structural problems."""
    fro = np.linalg.norm
    n = a.shape[0]
    eye = np.eye(n)
    errs = {}
    bad = []
    if op == "inv":
        x = out
        errs["residual"] = fro(a @ x - eye) / (fro(a) * fro(x))
    elif op == "solve":
        x = out
        if x.shape != b.shape:
            bad.append(f"shape {list(x.shape)}")
        errs["residual"] = fro(a @ x - b) / (fro(a) * fro(x) + fro(b))
    elif op == "cholesky":
        lo = out
        errs["reconstruction"] = fro(lo @ lo.T - a) / fro(a)
        if np.any(np.triu(lo, 1) != 0):
            bad.append("not lower-triangular")
        if not np.all(np.diag(lo) > 0):
            bad.append("diagonal not positive")
    elif op == "svd":
        u, s, v = out
        errs["reconstruction"] = fro((u * s) @ v.T - a) / fro(a)
        errs["orthogonality"] = max(fro(u.T @ u - eye), fro(v.T @ v - eye)) / np.sqrt(n)
        if np.any(np.diff(s) > 0) or np.any(s < 0):
            bad.append("singular values not descending and non-negative")
    elif op == "eigh":
        w, v = out
        errs["reconstruction"] = fro(a @ v - v * w) / fro(a)
        errs["orthogonality"] = fro(v.T @ v - eye) / np.sqrt(n)
        if np.any(np.diff(w) < 0):
            bad.append("eigenvalues not ascending")
    return {k: float(e) for k, e in errs.items()}, bad


# ---- peers -----------------------------------------------------------------------------------------


def numpy_calls(np, op, d):
    la = np.linalg
    a = d["a"]
    if op == "inv":
        return lambda: la.inv(a), lambda r: r
    if op == "solve":
        b = d["b"]
        return lambda: la.solve(a, b), lambda r: r
    if op == "cholesky":
        return lambda: la.cholesky(a), lambda r: r
    if op == "svd":
        # full_matrices=False: the reduced factors, as tapeflow's default (square here, so the same size).
        return lambda: la.svd(a, full_matrices=False), lambda r: (r[0], r[1], r[2].T)
    if op == "eigh":
        return lambda: la.eigh(a), lambda r: (r[0], r[1])
    raise ValueError(f"unknown op {op}")


def torch_calls(torch, op, d):
    la = torch.linalg
    a = torch.from_numpy(d["a"])
    if op == "inv":
        return lambda: la.inv(a), lambda r: r.numpy()
    if op == "solve":
        b = torch.from_numpy(d["b"])
        return lambda: la.solve(a, b), lambda r: r.numpy()
    if op == "cholesky":
        return lambda: la.cholesky(a), lambda r: r.numpy()
    if op == "svd":
        return lambda: la.svd(a, full_matrices=False), lambda r: (
            r[0].numpy(),
            r[1].numpy(),
            r[2].T.numpy(),
        )
    if op == "eigh":
        return lambda: la.eigh(a), lambda r: (r[0].numpy(), r[1].numpy())
    raise ValueError(f"unknown op {op}")


def time_calls(call, p):
    """Warm-up calls for ~warmupS (at least 1; the rep count comes from the last one), then as many
    timed calls as fit in ~targetS, at least minReps. When the first call alone takes over slowS, it
    counts as a sample and only slowReps more calls are made. Same protocol as bench/linalg.mjs."""
    samples = []
    t0 = time.perf_counter()
    r = call()
    last = (time.perf_counter() - t0) * 1000.0
    if last > p["slowS"] * 1000.0:
        samples.append(last)
        reps = p["slowReps"]
    else:
        warm = last
        while warm < p["warmupS"] * 1000.0:
            t0 = time.perf_counter()
            r = call()
            last = (time.perf_counter() - t0) * 1000.0
            warm += last
        reps = min(p["maxReps"], max(p["minReps"], int(round(p["targetS"] * 1000.0 / max(last, 1e-6)))))
    for _ in range(reps):
        t0 = time.perf_counter()
        r = call()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return r, samples


def openblas_info():
    """The BLAS/LAPACK libraries mapped into this process, and OpenBLAS's core type and thread count."""
    info = {"libraries": []}
    try:
        with open("/proc/self/maps") as f:
            libs = sorted(
                {
                    line.split()[-1]
                    for line in f
                    if ("blas" in line.lower() or "lapack" in line.lower()) and "/" in line
                }
            )
        info["libraries"] = libs
        for path in libs:
            if "libopenblas" in os.path.basename(path):
                import ctypes

                lib = ctypes.CDLL(path)
                lib.openblas_get_config.restype = ctypes.c_char_p
                lib.openblas_get_corename.restype = ctypes.c_char_p
                info["openblas_config"] = lib.openblas_get_config().decode()
                info["openblas_core"] = lib.openblas_get_corename().decode()
                info["openblas_threads"] = int(lib.openblas_get_num_threads())
                break
    except Exception as e:  # noqa: BLE001
        info["error"] = str(e)
    info["env"] = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}
    return info


def main():
    peer = sys.argv[1] if len(sys.argv) > 1 else "numpy"
    cfg = json.loads(sys.stdin.read())
    try:
        import numpy as np

        torch = None
        if peer == "torch":
            import torch
    except Exception as e:  # noqa: BLE001
        emit({"available": False, "reason": f"{type(e).__name__}: {e}"})
        return

    out = {"available": True, "peer": peer, "python": sys.version.split()[0], "numpy": np.__version__}
    if torch is not None:
        torch.set_num_threads(int(cfg["threads"]))
        out["version"] = torch.__version__
        out["threads"] = torch.get_num_threads()
        torch.linalg.inv(torch.eye(4, dtype=torch.float64))  # map LAPACK before looking for it
    else:
        out["version"] = np.__version__
        np.linalg.inv(np.eye(4))
    out["blas"] = openblas_info()

    p = cfg["protocol"]
    results = {}
    for w in cfg["workloads"]:
        op, n = w["op"], int(w["n"])
        try:
            d = inputs(np, op, n)
            call, unpack = (torch_calls(torch, op, d) if torch is not None else numpy_calls(np, op, d))
            r, samples = time_calls(call, p)
            res = unpack(r)
            dtype = str((res[0] if isinstance(res, tuple) else res).dtype)
            errs, bad = errors(np, op, d["a"], res, d.get("b"))
            entry = {
                "value": statistics.median(samples),
                "reps": len(samples),
                "samplesMs": samples if len(samples) <= 50 else None,
                "errors": errs,
                "bad": bad,
                "dtype": dtype,
            }
            # Spectra for the cross-check of the other peers against numpy.
            if op == "svd":
                entry["spectrum"] = [float(x) for x in res[1]]
            elif op == "eigh":
                entry["spectrum"] = [float(x) for x in res[0]]
            results[w["id"]] = entry
        except Exception as e:  # noqa: BLE001
            results[w["id"]] = {"value": None, "error": f"{type(e).__name__}: {e}"}
    out["results"] = results
    emit(out)


if __name__ == "__main__":
    main()
