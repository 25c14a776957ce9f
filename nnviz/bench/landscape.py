"""`nnviz bench landscape`: how long a 51x51 loss plane takes (README: "Loss landscape").

Two workloads with their targets: XOR 2-4-1 (< 0.2 s) and a 512-point checkerboard 2-16-16-1
(< 2 s), each after a short training run that gives the PCA directions a path. Every workload is
computed repeatedly until about ``seconds`` have passed (at least three times); its figure is the
quickest computation (least disturbed by other processes), the median is kept as well. The
per-point loop (``Network.loss`` at every grid point) is timed once on XOR for the ratio the
batched pass buys.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from nnviz.core import Network, Trainer, datasets
from nnviz.core.landscape import compute_landscape, plane_points

GRID = 51
#: (key, description, data set, points, layers, target seconds)
WORKLOADS: tuple[tuple[str, str, str, int | None, tuple[int, ...], float], ...] = (
    ("xor", "XOR 2-4-1", "xor", None, (2, 4, 1), 0.2),
    ("checkerboard", "checkerboard 512 2-16-16-1", "checkerboard", 512, (2, 16, 16, 1), 2.0),
)


def _trained(name: str, n: int | None, sizes: tuple[int, ...]):  # noqa: ANN202
    ds = datasets.load_dataset(name, n=n, seed=0)
    net = Network(sizes, seed=0)
    trainer = Trainer(net, ds.X_train, ds.Y_train, lr=0.5, seed=0)
    path = [net.params.copy()]
    for _ in range(20):
        trainer.run(10)
        path.append(net.params.copy())
    return net, ds.X_train, ds.Y_train, np.array(path)


def measure(seconds: float) -> dict:
    rows = {}
    for key, text, name, n, sizes, target in WORKLOADS:
        net, X, Y, path = _trained(name, n, sizes)
        times: list[float] = []
        start = time.perf_counter()
        while len(times) < 3 or time.perf_counter() - start < seconds:
            times.append(compute_landscape(net, X, Y, path, grid=GRID).seconds)
        rows[key] = {
            "workload": f"{text}, {GRID}x{GRID} plane + 101-point line, pca",
            "seconds": min(times),
            "median_seconds": statistics.median(times),
            "runs": len(times),
            "target_seconds": target,
            "pass": min(times) < target,
        }
    net, X, Y, path = _trained("xor", None, (2, 4, 1))
    land = compute_landscape(net, X, Y, path, grid=GRID)
    other = net.copy()
    t0 = time.perf_counter()
    for p in plane_points(net.params, land.basis, land.alphas, land.betas):
        other.params[...] = p
        other.loss(X, Y)
    loop = time.perf_counter() - t0
    return {
        "grid": GRID,
        "workloads": rows,
        "xor_per_point_loop_seconds": loop,
        "xor_batched_speedup": loop / rows["xor"]["seconds"],
    }


def report(result: dict) -> str:
    lines = [f"Loss landscape, {result['grid']}x{result['grid']} plane (best of the runs, "
             "one BLAS thread):"]
    for row in result["workloads"].values():
        verdict = "ok" if row["pass"] else "MISSED"
        lines.append(f"  {row['workload']}: {row['seconds']:.3f} s (median "
                     f"{row['median_seconds']:.3f} s, {row['runs']} runs), target < "
                     f"{row['target_seconds']:g} s: {verdict}")
    loop, speedup = result["xor_per_point_loop_seconds"], result["xor_batched_speedup"]
    lines.append(f"  XOR per-point loop with Network.loss: {loop:.3f} s, the batched pass is "
                 f"{speedup:.0f}x faster")
    return "\n".join(lines)
