"""The convergence explorer's worker processes.

Processes
    ``run_convergence(..., workers=N)`` splits the runs into N contiguous slices and trains each
    in its own process (``multiprocessing`` with a fork server: the GUI calls this from a thread,
    and forking a threaded process can copy held locks). This process relays progress (the
    epoch every unfinished slice has reached, the fraction converged over all runs) and the
    cancel (an Event the workers check after every chunk); ``driver`` merges the slices.
    Per-run results are the same bit for bit for any N (a test checks 1, 2 and 3);
    ``epochs_run`` and the chunk ends of the fraction curve depend on the chunks, as in one
    process. The default (None) uses every core for jobs of at least ``POOL_MIN_WORK`` run x
    epoch x sample x unit steps, about half a second on one core. Scripts that call it with
    workers > 1 need the usual ``if __name__ == "__main__":`` guard (the workers import the
    main module). See README, "Convergence explorer".
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.synchronize
import os
from queue import Empty

import numpy as np

from nnviz.core.convergence.config import ConvergenceConfig, Progress
from nnviz.core.convergence.train import _Part, _train_part

Array = np.ndarray

#: Jobs of at least this many run x epoch x sample x unit steps use every core by default
#: (about half a second on one core; below it the processes' start does not pay).
POOL_MIN_WORK = 50_000_000


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(config: ConvergenceConfig, n_samples: int) -> int:
    """Every core when the job is worth the processes' start, else 1 (this process)."""
    work = config.runs * config.epochs * n_samples * sum(config.layers[1:])
    return cores() if work >= POOL_MIN_WORK else 1


def _context() -> multiprocessing.context.BaseContext:
    # Not fork: the GUI calls this from a thread, and forking a threaded process can copy locks
    # that are held. The fork server starts once, imports this module, and forks cleanly.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def _worker(
    config: ConvergenceConfig, X: Array, Y: Array, run_ids: Array, chunk: int | None,
    index: int, queue: multiprocessing.Queue, cancel: multiprocessing.synchronize.Event,
) -> None:
    def report(epoch: int, n_converged: int) -> bool:
        queue.put(("progress", index, epoch, n_converged))
        return not cancel.is_set()

    try:
        queue.put(("done", index, _train_part(config, X, Y, run_ids, report, chunk)))
    except BaseException as exc:  # noqa: BLE001 (the parent must hear of it, not hang)
        queue.put(("error", index, f"{type(exc).__name__}: {exc}"))


def _train_in_processes(
    config: ConvergenceConfig, X: Array, Y: Array, n_workers: int,
    progress: Progress | None, chunk: int | None,
) -> tuple[list[_Part], list[int]]:
    """Each worker trains a contiguous slice of the runs; this process relays progress (at the
    epoch every unfinished worker has reached) and the cancel."""
    R = config.runs
    ctx = _context()
    queue, cancel = ctx.Queue(), ctx.Event()
    slices = np.array_split(np.arange(R), n_workers)
    procs = [
        ctx.Process(target=_worker, args=(config, X, Y, ids, chunk, i, queue, cancel),
                    daemon=True, name=f"nnviz-converge-{i}")
        for i, ids in enumerate(slices)
    ]
    parts: list[_Part | None] = [None] * n_workers
    reached = [0] * n_workers
    n_conv = [0] * n_workers
    ends: list[int] = []
    try:
        for p in procs:
            p.start()
        while any(part is None for part in parts):
            try:
                kind, i, *rest = queue.get(timeout=0.25)
            except Empty:
                for i, p in enumerate(procs):
                    if parts[i] is None and not p.is_alive():
                        raise RuntimeError(
                            f"convergence worker process {i} ended without a result "
                            f"(exit code {p.exitcode})") from None
                continue
            if kind == "error":
                raise RuntimeError(f"a convergence worker process failed: {rest[0]}")
            if kind == "done":
                parts[i] = rest[0]
                n_conv[i] = int(rest[0].converged.sum())
                if any(part is None for part in parts):
                    continue  # its runs are finished; the others set the pace
                epoch = max(part.done for part in parts)
            else:
                reached[i], n_conv[i] = rest
                epoch = min(reached[j] for j in range(n_workers) if parts[j] is None)
            if epoch > (ends[-1] if ends else 0):
                ends.append(epoch)
                if progress is not None and progress(epoch, sum(n_conv) / R) is False:
                    cancel.set()
    finally:
        cancel.set()  # stops the workers if this ends early (an error or an interrupt)
        for p in procs:
            if p.pid is None:  # never started
                continue
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
        queue.close()
    return parts, ends  # type: ignore[return-value]
