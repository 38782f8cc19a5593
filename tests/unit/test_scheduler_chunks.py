"""How a tick splits its due series: up to CHUNK together, and at least two chunks once each
would hold SMALLEST_SPLIT, so the app works on one while the store writes the other."""

from __future__ import annotations

import pytest

from goalgetter import scheduler


@pytest.mark.parametrize(
    ("due", "sizes"),
    [
        (0, []),
        (1, [1]),
        (15, [8, 7]),
        (16, [8, 8]),
        (37, [19, 18]),
        (356, [178, 178]),
        (401, [200, 200, 1]),
        (2000, [200] * 10),
    ],
)
def test_each_series_in_one_chunk_of_the_right_size(due, sizes):
    series = list(range(due))
    parts = scheduler.chunks(series)
    assert [len(part) for part in parts] == sizes
    assert [s for part in parts for s in part] == series


def test_a_small_tick_is_one_chunk():
    assert scheduler.chunks(list(range(scheduler.SMALLEST_SPLIT))) == [
        list(range(scheduler.SMALLEST_SPLIT))
    ]
