"""The explorer's words: parsing the form's fields, labels naming what differs, summary lines."""

import pytest

from nnviz.core import datasets
from nnviz.core.convergence import ConvergenceConfig, run_convergence
from nnviz.gui.convergence.text import (
    diagnosis_counts,
    parse_architectures,
    parse_rates,
    short_labels,
    summary_line,
)


# ---- parsing the form ------------------------------------------------------------------------
def test_architectures_full_or_hidden_sizes():
    assert parse_architectures("2,2,1; 2,3,1;2-4-1", 2, 1) == [(2, 2, 1), (2, 3, 1), (2, 4, 1)]
    assert parse_architectures("2; 4; 8,8; 0", 2, 1) == [(2, 2, 1), (2, 4, 1), (2, 8, 8, 1),
                                                         (2, 1)]
    assert parse_architectures("2,2,1; 2", 2, 1) == [(2, 2, 1)]  # duplicates dropped
    assert parse_architectures("4,3", 4, 3) == [(4, 4, 3, 3)]  # too short to be whole
    with pytest.raises(ValueError, match="'2,x'"):
        parse_architectures("2,x", 2, 1)
    with pytest.raises(ValueError, match="no architecture"):
        parse_architectures(" ; ", 2, 1)
    assert parse_rates("0.5; 2, 0.5") == [0.5, 2.0]
    for bad in ("", "fast", "-1", "nan"):
        with pytest.raises(ValueError):
            parse_rates(bad)


def test_short_labels_name_what_differs():
    a = ConvergenceConfig((2, 2, 1), init="small", lr=0.5)
    b = ConvergenceConfig((2, 4, 1), init="xavier", lr=0.5)
    c = ConvergenceConfig((2, 4, 1), init="xavier", lr=2.0)
    assert short_labels([a, b]) == ["2-2-1 small", "2-4-1 xavier"]
    assert short_labels([a, c]) == ["2-2-1 small lr=0.5", "2-4-1 xavier lr=2"]


# ---- summaries ---------------------------------------------------------------------------------
def test_summary_line_names_the_stuck_runs():
    X, Y = datasets.load("xor")
    small = run_convergence(ConvergenceConfig((2, 2, 1), init="small", runs=10, epochs=2000), X, Y)
    assert diagnosis_counts(small) == {"symmetric hidden units": 10}
    assert summary_line(small) == ("2-2-1 sigmoid small lr=0.5: 0% converged (0/10); "
                                   "not converged: symmetric hidden units 10")
    wide = run_convergence(ConvergenceConfig((2, 4, 1), runs=10, epochs=3000), X, Y)
    k = int(wide.converged.sum())
    assert k > 0
    assert summary_line(wide).startswith(
        f"2-4-1 sigmoid xavier lr=0.5: {100 * k / 10:.0f}% converged ({k}/10), "
        f"median {wide.median_epochs:,.0f}, p90 {wide.p90_epochs:,.0f} epochs")


def test_diagnosis_counts_most_frequent_first_and_none_is_still_falling():
    X, Y = datasets.load("xor")
    res = run_convergence(ConvergenceConfig((2, 2, 1), runs=100, epochs=3000), X, Y)
    counts = diagnosis_counts(res)
    raw = res.diagnosis_counts()
    assert "still falling" in counts and counts["still falling"] == raw["none"]
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
    assert sum(counts.values()) == int((~res.converged).sum())
