"""ConvergenceResult's statistics: fraction converged, median and p90, histogram, the live
curve."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.core import datasets
from nnviz.core.convergence import ConvergenceConfig, compare

X, Y = datasets.load("xor")


def test_xor_2_4_1_converges_more_often_than_2_2_1() -> None:
    # Measured with these seeds: about 0.31 against 0.71.
    narrow, wide = compare(
        [ConvergenceConfig((2, 2, 1), runs=200, epochs=3000),
         ConvergenceConfig((2, 4, 1), runs=200, epochs=3000)], X, Y)
    assert wide.fraction_converged > narrow.fraction_converged + 0.2
    assert 0.1 < narrow.fraction_converged < 0.9
    for res in (narrow, wide):
        e = res.converged_epochs
        assert res.median_epochs == np.median(e)
        assert res.p90_epochs == pytest.approx(np.percentile(e, 90))
        assert e.min() >= 1 and e.max() <= 3000
        edges, counts = res.histogram(10)
        assert counts.sum() == res.converged.sum() and len(edges) == 11
        # the live curve: fraction converged never falls and ends at the total
        assert np.all(np.diff(res.curve_fraction) >= 0)
        assert res.curve_fraction[-1] == res.fraction_converged
        np.testing.assert_allclose(
            res.fraction_converged_by(res.curve_epochs), res.curve_fraction)
