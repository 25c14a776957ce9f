"""Size checks made before memory is taken (README, "Limits and failures").

Every number that sizes an allocation (layer widths, points, runs, classes, rows x widths) is
turned into an estimate of the bytes it needs and compared with the memory this machine has
available, so an impossible request is refused with one line that names the size and the limit
instead of a MemoryError traceback, a frozen window or a swapping machine. The estimates count
the arrays the core allocates and round up; they are meant to catch orders of magnitude, not the
last megabyte.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

#: A class target with more distinct values than this is almost certainly the wrong column (an
#: id, a free-text field, a measurement): its one-hot matrix alone would be rows x classes.
MAX_CLASSES = 500
#: Share of the available memory one request may take; the rest stays for the window, the
#: plots and the other programs.
MEMORY_SHARE = 0.8
_FLOAT = 8
#: Parameter-sized arrays alive while training: params, weight mask, penalty masks, gradient(s),
#: velocity, two optimiser temporaries, the divergence checkpoint, snapshot copies for the views.
_PARAM_COPIES = 12
#: Per sample and unit of a workspace: a (with its row of ones), z, delta and a scratch buffer.
_UNIT_COPIES = 4
#: Online training keeps a view of every row of X, Y and the outputs (NumPy objects, ~100 bytes).
_ROW_VIEWS_BYTES = 3 * 112


class SizeError(ValueError):
    """A request would need more memory than the machine has available."""


_cached: tuple[float, int] = (-1.0, 0)


def available_memory() -> int:
    """Bytes of memory available to a new allocation (MemAvailable on Linux), read at most
    once a second: networks and trainers are built in loops (the convergence explorer)."""
    global _cached
    now = time.monotonic()
    if now - _cached[0] > 1.0:
        _cached = (now, _read_available())
    return _cached[1]


def _read_available() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 8 * 2**30  # unknown platform: assume a modest machine


def memory_limit() -> int:
    """The most bytes one request may need."""
    return int(available_memory() * MEMORY_SHARE)


def format_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def check_bytes(what: str, needed: int, limit: int | None = None) -> None:
    """Raise SizeError "<what> would need about X, more than the Y ..." when needed > limit."""
    limit = memory_limit() if limit is None else limit
    if needed > limit:
        raise SizeError(
            f"{what} would need about {format_bytes(needed)} of memory, more than the "
            f"{format_bytes(limit)} this machine can spare"
        )


def n_params(sizes: Sequence[int]) -> int:
    return sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=True))


def _layers(sizes: Sequence[int]) -> str:
    return "layers " + ",".join(str(s) for s in sizes)


def network_bytes(sizes: Sequence[int]) -> int:
    return _PARAM_COPIES * _FLOAT * n_params(sizes)


def training_bytes(
    sizes: Sequence[int], n_samples: int, batch_size: int | None = None, n_test: int = 0,
    workspace_rows: int | None = None,
) -> int:
    """Network, data copies and the per-batch workspaces of a Trainer (and a test pass).
    workspace_rows: rows its workspaces hold, when fewer than a batch (a sliced full batch)."""
    n = max(int(n_samples), 0)
    batch = n if batch_size is None else min(int(batch_size), n)
    if workspace_rows is not None:
        batch = min(batch, int(workspace_rows))
    n_in, n_out = sizes[0], sizes[-1]
    per_sample = sum(s + 1 for s in sizes[:-1]) + (_UNIT_COPIES - 1) * sum(sizes[1:]) + n_out
    data = _FLOAT * n * (3 * (n_in + 1) + 4 * n_out + 1)  # X, XT_aug, shuffled copies, Y, ...
    work = _FLOAT * per_sample * (batch + max(int(n_test), 0))
    views = _ROW_VIEWS_BYTES * n if batch_size == 1 else 0
    return network_bytes(sizes) + data + work + views


def check_network(sizes: Sequence[int], limit: int | None = None) -> None:
    check_bytes(f"a network of {_layers(sizes)} ({n_params(sizes):,} parameters)",
                network_bytes(sizes), limit)


def check_training(
    sizes: Sequence[int], n_samples: int, batch_size: int | None = None, n_test: int = 0,
    limit: int | None = None, workspace_rows: int | None = None,
) -> None:
    """Refuse a network x data combination that cannot fit, before allocating (through
    trainer.check_training_size, which knows how many rows a Trainer's workspaces hold)."""
    check_network(sizes, limit)
    batch = "full batch" if batch_size is None else f"batches of {batch_size}"
    check_bytes(
        f"training {_layers(sizes)} on {n_samples:,} rows ({batch})",
        training_bytes(sizes, n_samples, batch_size, n_test, workspace_rows), limit,
    )


def check_points(n: int, width: int, limit: int | None = None) -> None:
    """A data set of n rows x width columns (inputs + targets), with the copies that building,
    splitting and scaling it make."""
    check_bytes(f"{n:,} points", 8 * _FLOAT * n * max(width, 1), limit)


def check_classes(n_classes: int, column: str) -> None:
    if n_classes > MAX_CLASSES:
        raise SizeError(
            f"{n_classes:,} classes: is the target column right? Target {column!r} has more "
            f"than {MAX_CLASSES} distinct values (an id or a measurement rather than a class?)"
        )


def check_runs(sizes: Sequence[int], runs: int, n_samples: int, batch_size: int | None,
               limit: int | None = None) -> None:
    """R networks trained side by side: R parameter sets and R-wide workspaces."""
    batch = n_samples if batch_size is None else min(batch_size, n_samples)
    per_run = network_bytes(sizes) + _FLOAT * (_UNIT_COPIES + 1) * sum(sizes[1:]) * batch
    check_bytes(f"{runs:,} runs of {_layers(sizes)}", int(runs) * per_run, limit)
