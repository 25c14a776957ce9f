"""The loss history buffer (bounded memory) and its reduction for the follow view (Qt-free)."""

import numpy as np
import pytest

from nnviz.gui.loss_history import LossHistoryBuffer, format_epoch


def test_buffer_grows_by_doubling_and_exposes_filled_views():
    buf = LossHistoryBuffer(max_points=1_000_000)
    start = buf.capacity
    n = 3 * start + 5
    e = np.arange(1, n + 1, dtype=float)
    for i in range(0, n, 1000):
        buf.append(e[i : i + 1000], 1.0 / e[i : i + 1000])
    assert len(buf) == n
    assert buf.capacity == 4 * start  # doubled twice, not grown to fit exactly
    np.testing.assert_array_equal(buf.epochs, e)
    np.testing.assert_array_equal(buf.train, 1.0 / e)
    assert np.isnan(buf.test).all() and not buf.has_test
    assert buf.epochs.dtype == np.float64
    assert buf.decimations == 0


def test_buffer_stores_test_loss_and_clear_forgets():
    buf = LossHistoryBuffer()
    buf.append([1, 2, 3], [0.5, 0.4, 0.3], [0.6, np.nan, 0.5])
    assert buf.has_test
    np.testing.assert_array_equal(buf.test[[0, 2]], [0.6, 0.5])
    buf.clear()
    assert len(buf) == 0 and not buf.has_test and buf.last_epoch is None
    buf.append([1], [0.1])  # epochs may restart after clear
    assert len(buf) == 1


def test_buffer_all_nan_test_counts_as_no_test():
    buf = LossHistoryBuffer()
    buf.append([1, 2], [0.5, 0.4], [np.nan, np.nan])
    assert not buf.has_test


@pytest.mark.parametrize(
    ("epochs", "train", "test", "match"),
    [
        ([1, 2, 3], [0.1, 0.2], None, "train loss has 2 values but epochs has 3"),
        ([1, 2], [0.1, 0.2], [0.3], "test loss has 1 values"),
        ([1, 3, 2], [0.1, 0.2, 0.3], None, "strictly increasing"),
        ([[1, 2]], [[0.1, 0.2]], None, "1-D"),
        ([1, np.nan], [0.1, 0.2], None, "finite"),
    ],
)
def test_buffer_rejects_bad_chunks(epochs, train, test, match):
    with pytest.raises(ValueError, match=match):
        LossHistoryBuffer().append(epochs, train, test)


def test_buffer_rejects_epochs_that_do_not_continue():
    buf = LossHistoryBuffer()
    buf.append([1, 2, 3], [0.3, 0.2, 0.1])
    with pytest.raises(ValueError, match="after the last stored epoch 3"):
        buf.append([3, 4], [0.1, 0.1])
    assert len(buf) == 3  # a rejected chunk changes nothing


def test_buffer_cap_must_be_sensible():
    with pytest.raises(ValueError, match="max_points"):
        LossHistoryBuffer(max_points=10)


def test_buffer_stays_bounded_over_ten_million_epochs():
    cap = 1_000_000
    buf = LossHistoryBuffer(max_points=cap)
    chunk = 100_000
    total = 10_000_000
    spike_epoch = 1_234_567.0
    for start in range(0, total, chunk):
        e = np.arange(start + 1, start + chunk + 1, dtype=float)
        train = 1.0 / np.sqrt(e)
        train[e == spike_epoch] = 100.0  # a divergence spike must survive decimation
        buf.append(e, train, 1.1 * train)
        assert len(buf) <= cap and buf.capacity <= cap
    assert buf.decimations > 0
    assert buf.last_epoch == total
    assert len(buf) > cap // 2  # decimation halves older points, it does not empty the buffer
    assert np.all(np.diff(buf.epochs) > 0)
    assert buf.train.max() == 100.0
    assert spike_epoch in buf.epochs
    # the start of the run is still there, and the older part is evenly sampled: the first
    # million epochs are not thinned more than later ones
    assert buf.epochs[0] == 1.0
    counts, _ = np.histogram(buf.epochs, bins=10, range=(0, total))
    assert counts[:9].max() <= 1.01 * counts[:9].min()
    assert counts[0] >= 0.9 * cap / 2 / 10
    # the newest quarter of the cap is never decimated: the last points are consecutive epochs
    newest = np.arange(total - cap // 4 + 1, total + 1)
    np.testing.assert_array_equal(buf.epochs[-cap // 4 :], newest)
    # train and test stay aligned with their epochs through decimation
    i = len(buf) // 3
    assert buf.test[i] == pytest.approx(1.1 * buf.train[i])


def test_buffer_splits_a_chunk_larger_than_the_cap():
    buf = LossHistoryBuffer(max_points=1000)
    e = np.arange(1, 10_001, dtype=float)
    buf.append(e, np.exp(-e / 3000))
    assert len(buf) <= 1000
    assert buf.last_epoch == 10_000
    assert buf.epochs[0] == 1  # the start of the run is still represented


def test_buffer_tiny_cap_survives_a_long_run():
    buf = LossHistoryBuffer(max_points=64)
    for start in range(0, 200_000, 16):
        e = np.arange(start + 1, start + 17, dtype=float)
        buf.append(e, np.full(16, 0.5))
    assert len(buf) <= 64
    assert buf.last_epoch == 200_000
    assert np.all(np.diff(buf.epochs) > 0)


def test_format_epoch():
    assert format_epoch(12345.0) == "12,345"
    assert format_epoch(2.5) == "2.50"
