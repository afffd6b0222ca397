"""``bench soak``'s windows: each acknowledgement counts in the window it was sent in."""

from __future__ import annotations

from hubbub.bench.scenarios.soak import per_window

MS = 1_000_000


def test_acknowledgements_are_told_in_the_window_they_were_sent_in() -> None:
    acks = [(0.1, 4 * MS), (4.9, 6 * MS), (5.0, 500 * MS), (12.5, 3 * MS)]

    windows = per_window(acks, 5.0)

    assert [start for start, _ in windows] == [0.0, 5.0, 10.0]
    told = [(t.samples, t.p50_ms, t.p99_ms) if t else None for _, t in windows]
    assert told == [(2, 4.0, 6.0), (1, 500.0, 500.0), (1, 3.0, 3.0)]


def test_a_window_with_nothing_sent_is_told_as_empty() -> None:
    windows = per_window([(0.5, MS), (11.0, MS)], 5.0)

    assert [timed is None for _, timed in windows] == [False, True, False]
    assert per_window([], 5.0) == []
