"""The slow readers' budget cuts the readers furthest behind, and only as many as it must."""

from __future__ import annotations

from dataclasses import dataclass

from hubbub.server.backlog import Backlog


@dataclass(eq=False)
class Reader:
    queued: int
    was_cut: bool = False

    def queued_bytes(self) -> int:
        return 0 if self.was_cut else self.queued

    def cut(self) -> None:
        self.was_cut = True


def test_the_readers_furthest_behind_are_cut_until_the_total_fits() -> None:
    backlog = Backlog(budget=1000)
    small, middle, large = Reader(200), Reader(300), Reader(600)
    for reader in (small, middle):
        backlog.note(reader, reader.queued)
    assert backlog.total == 500
    backlog.note(large, large.queued)
    assert (small.was_cut, middle.was_cut, large.was_cut) == (False, False, True)
    assert backlog.total == 500


def test_readers_that_caught_up_are_not_counted_against_the_budget() -> None:
    backlog = Backlog(budget=1000)
    caught_up, behind = Reader(900), Reader(500)
    backlog.note(caught_up, caught_up.queued)
    caught_up.queued = 0  # its backlog drained without a new write
    backlog.note(behind, behind.queued)
    assert not caught_up.was_cut
    assert not behind.was_cut
    assert backlog.total == 500


def test_a_reader_gone_is_forgotten() -> None:
    backlog = Backlog(budget=1000)
    reader = Reader(700)
    backlog.note(reader, reader.queued)
    backlog.forget(reader)
    backlog.note(Reader(700), 700)
    assert backlog.total == 700
