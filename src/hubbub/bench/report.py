"""What a benchmark run found, as typed records: what the table shows and ``--json`` writes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import msgspec

Comparison = Literal["<=", ">=", "<", "=="]
_SYMBOLS: dict[Comparison, str] = {"<=": "≤", ">=": "≥", "<": "<", "==": "="}


class Target(msgspec.Struct, frozen=True):
    """A goal a figure is judged against, e.g. ``Target("<=", 1.0)``."""

    op: Comparison
    value: float

    def met_by(self, value: float) -> bool:
        if self.op == "<=":
            return value <= self.value
        if self.op == ">=":
            return value >= self.value
        if self.op == "<":
            return value < self.value
        return value == self.value

    def __str__(self) -> str:
        return f"{_SYMBOLS[self.op]} {self.value:g}"


class Metric(msgspec.Struct, frozen=True):
    """One headline figure. ``value`` is None when it cannot be measured (e.g. no server CPU
    with ``--url``); ``met`` is None when there is no target or no value."""

    name: str
    value: float | None
    unit: str
    target: Target | None = None
    met: bool | None = None


def metric(name: str, value: float | None, unit: str, target: Target | None = None) -> Metric:
    if value is None:
        return Metric(name, None, unit, target)
    return Metric(
        name, float(value), unit, target, None if target is None else target.met_by(value)
    )


class Latency(msgspec.Struct, frozen=True):
    """Send-to-receive times in milliseconds; ``of`` says which messages were timed."""

    of: str
    samples: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def latency(of: str, samples_ns: Sequence[int]) -> Latency | None:
    """Nearest-rank percentiles of the samples, or None if there are none."""
    if not samples_ns:
        return None
    ordered = sorted(samples_ns)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] / 1e6

    return Latency(of, len(ordered), rank(0.50), rank(0.99), ordered[-1] / 1e6)


def latency_metrics(
    what: str, timed: Latency | None, *, p99: Target | None = None, most: Target | None = None
) -> list[Metric]:
    """The p50, p99 and max of ``what`` as metrics, with targets for the last two."""
    return [
        metric(f"{what} p50", None if timed is None else timed.p50_ms, "ms"),
        metric(f"{what} p99", None if timed is None else timed.p99_ms, "ms", p99),
        metric(f"{what} max", None if timed is None else timed.max_ms, "ms", most),
    ]


class Phase(msgspec.Struct, frozen=True):
    """CPU and wall time of one measured stretch of a run.

    ``generator_share`` is the generator's CPU over the wall time: near 1.0 the generator
    was busy all along and may have held the server back.
    """

    name: str
    wall_s: float
    server_cpu_s: float | None
    generator_cpu_s: float
    generator_share: float


def server_cpu_per(phase: Phase, count: int, scale: float) -> float | None:
    """The server's CPU seconds in ``phase`` per item, times ``scale`` (1e6: microseconds).

    None when the server's CPU is unknown (``--url``) or there was nothing to divide by.
    """
    if phase.server_cpu_s is None or not count:
        return None
    return phase.server_cpu_s / count * scale


class Deliveries(msgspec.Struct, frozen=True):
    """Messages owed to clients (by conversation and seq) against what they got.

    ``received`` counts owed messages that arrived at least once; ``duplicates`` the extra
    copies; ``unexpected`` copies of the run's messages that nobody owed that client.
    """

    expected: int
    received: int
    lost: int
    duplicates: int
    unexpected: int


class Report(msgspec.Struct, frozen=True):
    scenario: str
    parameters: dict[str, float]
    url: str
    own_server: bool
    passed: bool
    """No loss, no duplicate, nothing unexpected, no error."""
    metrics: list[Metric]
    deliveries_expected: int
    deliveries_received: int
    lost: int
    duplicates: int
    unexpected: int
    latency: Latency | None
    phases: list[Phase]
    wall_s: float
    server_cpu_s: float | None
    generator_cpu_s: float
    generator_saturated: bool
    """Some phase of a second or more kept the generator busy for 90% of its wall time."""
    server_rss_kib: int | None
    server_peak_rss_kib: int | None
    errors: list[str]
    notes: list[str]
    server: str = "hubbub"
    """Which server was measured: ``hubbub``, or ``InspIRCd`` with ``--against inspircd``."""


SATURATED = 0.9
"""Generator CPU over wall time from which a phase's figures may be the generator's."""
JUDGED_SECONDS = 1.0
"""Shorter phases are not judged: CPU time is counted in ticks of 10 ms."""


def compile_report(
    *,
    scenario: str,
    server: str = "hubbub",
    parameters: dict[str, float],
    url: str,
    own_server: bool,
    metrics: list[Metric],
    deliveries: Deliveries,
    latency: Latency | None,
    phases: list[Phase],
    rss_kib: tuple[int, int] | None,
    errors: list[str],
    notes: list[str],
) -> Report:
    """The report, with its totals and verdict worked out from the parts."""
    server_cpu = [p.server_cpu_s for p in phases if p.server_cpu_s is not None]
    saturated = [p for p in phases if p.generator_share >= SATURATED and p.wall_s >= JUDGED_SECONDS]
    notes = notes + [
        f"the generator was busy {p.generator_share:.0%} of phase {p.name!r}: "
        "its figures may be limited by the generator, not the server"
        for p in saturated
    ]
    clean = not (deliveries.lost or deliveries.duplicates or deliveries.unexpected)
    return Report(
        scenario=scenario,
        parameters=parameters,
        url=url,
        own_server=own_server,
        passed=clean and not errors,
        metrics=metrics,
        deliveries_expected=deliveries.expected,
        deliveries_received=deliveries.received,
        lost=deliveries.lost,
        duplicates=deliveries.duplicates,
        unexpected=deliveries.unexpected,
        latency=latency,
        phases=phases,
        wall_s=sum(p.wall_s for p in phases),
        server_cpu_s=sum(server_cpu) if len(server_cpu) == len(phases) else None,
        generator_cpu_s=sum(p.generator_cpu_s for p in phases),
        generator_saturated=bool(saturated),
        server_rss_kib=rss_kib[0] if rss_kib else None,
        server_peak_rss_kib=rss_kib[1] if rss_kib else None,
        errors=errors,
        notes=notes,
        server=server,
    )


class Ratio(msgspec.Struct, frozen=True):
    """One headline figure of both servers, and hubbub's over the other's (None: either
    figure is missing, or the other's is 0)."""

    name: str
    unit: str
    hubbub: float | None
    other: float | None
    ratio: float | None


class SideBySide(msgspec.Struct, frozen=True):
    """``--against``: the same scenario on hubbub and on another server, in one run."""

    hubbub: Report
    other: Report
    ratios: list[Ratio]

    @property
    def passed(self) -> bool:
        return self.hubbub.passed and self.other.passed


def compare(hubbub: Report, other: Report) -> SideBySide:
    """Pair the two reports' metrics by name (hubbub's order), with their ratios."""
    theirs = {m.name: m for m in other.metrics}
    ratios = []
    for mine in hubbub.metrics:
        match = theirs.get(mine.name)
        value = None if match is None else match.value
        ratio = None if mine.value is None or not value else mine.value / value
        ratios.append(Ratio(mine.name, mine.unit, mine.value, value, ratio))
    return SideBySide(hubbub, other, ratios)


def to_json(report: Report | SideBySide) -> bytes:
    return msgspec.json.format(msgspec.json.encode(report), indent=2) + b"\n"
