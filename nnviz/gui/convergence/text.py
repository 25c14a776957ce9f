"""The convergence explorer's words: parsing the form's fields, labels, diagnosis names and help,
summary lines. No Qt; see README, "Convergence explorer"."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nnviz.core.convergence import DIAGNOSES, ConvergenceConfig, ConvergenceResult
from nnviz.core.network import parse_layers

STILL_FALLING = "still falling"
#: What each diagnosis means, for tooltips (the core's ``diagnosis`` module has the exact tests).
DIAGNOSIS_HELP: dict[str, str] = {
    "diverged": "The loss became NaN/inf or the weights blew up: try a smaller learning rate.",
    "dead ReLUs": "At least half the units of a ReLU layer output 0 on every training point, "
                  "so no gradient flows through them.",
    "saturated hidden units": "At least half the units of a hidden layer sit at a bound of "
                              "their activation on every point: their gradient is ~0.",
    "symmetric hidden units": "The hidden units compute (nearly) the same function and the "
                              "output is (nearly) constant: the layer offers one feature, so "
                              "the output can only be a constant (the symmetric saddle).",
    "loss plateau": "The loss changed by less than 1% over the last 10% of the epochs: a "
                    "local minimum or a very flat region.",
    STILL_FALLING: "Not converged, but the loss is still falling: more epochs may do it.",
}


# ---- parsing the form --------------------------------------------------------------------------
def parse_architectures(text: str, n_in: int, n_out: int) -> list[tuple[int, ...]]:
    """'2,2,1; 2,4,1' (full layer sizes) or '2; 4; 8,8' (hidden sizes) -> layer tuples.

    Entries are separated by ';'. An entry with at least three sizes that starts with the data's
    ``n_in`` and ends with its ``n_out`` is taken as the whole network; any other entry lists the
    hidden layers, and '0' or '-' means no hidden layer. Sizes may be separated by ',' or '-'.
    Duplicates are dropped; a bad entry raises ValueError naming it.
    """
    entries = [e.strip() for e in text.split(";")]
    if not any(entries):
        raise ValueError("no architecture given; write e.g. 2,2,1; 2,4,1")
    archs: list[tuple[int, ...]] = []
    for entry in entries:
        if not entry:
            continue
        if entry in ("0", "-"):
            sizes: tuple[int, ...] = (n_in, n_out)
        else:
            try:
                parts = parse_layers(entry.replace("-", ","))
            except ValueError as exc:
                raise ValueError(f"architecture {entry!r}: {exc}") from None
            full = len(parts) >= 3 and parts[0] == n_in and parts[-1] == n_out
            sizes = parts if full else (n_in, *parts, n_out)
        if sizes not in archs:
            archs.append(sizes)
    return archs


def parse_rates(text: str) -> list[float]:
    """'0.5' or '0.5; 2' -> learning rates (each finite and > 0)."""
    rates: list[float] = []
    for part in text.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            lr = float(part)
        except ValueError:
            raise ValueError(f"learning rate {part!r} is not a number") from None
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be a number > 0, got {part!r}")
        if lr not in rates:
            rates.append(lr)
    if not rates:
        raise ValueError("no learning rate given; write e.g. 0.5 or 0.5; 2")
    return rates


# ---- labels and summaries ----------------------------------------------------------------------
def arch_text(sizes: Sequence[int]) -> str:
    return "-".join(map(str, sizes))


def fmt_epochs(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def diagnosis_name(diagnosis: str | None) -> str:
    return STILL_FALLING if diagnosis is None else diagnosis


def diagnosis_counts(result: ConvergenceResult) -> dict[str, int]:
    """The core's counts with None shown as 'still falling', most frequent first (ties in
    DIAGNOSES order)."""
    raw = result.diagnosis_counts()
    order = (*DIAGNOSES, "none")
    out = {}
    for key in sorted(raw, key=lambda k: (-raw[k], order.index(k) if k in order else 99)):
        out[STILL_FALLING if key == "none" else key] = raw[key]
    return out


def short_labels(configs: Sequence[ConvergenceConfig]) -> list[str]:
    """Labels naming what differs between the configurations: '2-2-1 small', '2-4-1 xavier
    lr=2' (architecture and init always; activation, lr, momentum, batch when they vary)."""
    def varies(name: str) -> bool:
        return len({getattr(c, name) for c in configs}) > 1

    out = []
    for c in configs:
        parts = [arch_text(c.layers)]
        if varies("activation"):
            parts.append(c.activation)
        parts.append(c.init)
        if varies("lr"):
            parts.append(f"lr={c.lr:g}")
        if varies("momentum"):
            parts.append(f"mom={c.momentum:g}")
        if varies("batch_size"):
            parts.append("full" if c.batch_size is None else f"batch={c.batch_size}")
        out.append(" ".join(parts))
    return out


def common_text(config: ConvergenceConfig) -> str:
    """The settings every configuration of a job shares, for the status line."""
    batch = "full batch" if config.batch_size is None else \
        "online" if config.batch_size == 1 else f"batch {config.batch_size}"
    text = f"{config.activation} hidden, {config.output} output, {config.loss}, {batch}"
    return text + (f", momentum {config.momentum:g}" if config.momentum else "")


def summary_line(result: ConvergenceResult) -> str:
    """'2-2-1 sigmoid xavier lr=0.5: 74% converged (148/200), median 1,234, p90 3,456 epochs;
    not converged: loss plateau 40, still falling 12'."""
    n = result.n_runs
    k = int(np.count_nonzero(result.converged))
    text = f"{result.config.label}: {100 * result.fraction_converged:.0f}% converged ({k}/{n})"
    if k:
        text += (f", median {fmt_epochs(result.median_epochs)}, "
                 f"p90 {fmt_epochs(result.p90_epochs)} epochs")
    counts = diagnosis_counts(result)
    if counts:
        text += "; not converged: " + ", ".join(f"{d} {c}" for d, c in counts.items())
    if result.cancelled:
        text += f" (cancelled at epoch {result.epochs_run:,})"
    return text
