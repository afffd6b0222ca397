"""What the benchmark's own server says about its commits, read from its ``GET /metrics``.

The group commit explains much of a run: how many writes shared each fsync, and how
long the slowest commits took. Quantiles come from the histograms' buckets, interpolated
within a bucket the way Prometheus's ``histogram_quantile`` does.
"""

from __future__ import annotations

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

Buckets = list[tuple[float, float]]
"""A histogram's cumulative buckets: (upper bound, observations at or below it)."""


async def commits_note(url: str) -> str:
    """One line on the server's commits since it started, or why there is none."""
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url}/metrics", timeout=aiohttp.ClientTimeout(total=10)) as response,
        ):
            text = await response.text()
            if response.status != 200:
                return f"commits: /metrics answered {response.status}"
    except (aiohttp.ClientError, TimeoutError) as error:
        return f"commits: /metrics could not be read ({error})"
    sizes, size_sum = _histogram(text, "hubbub_commit_batch_size")
    seconds, _ = _histogram(text, "hubbub_commit_seconds")
    count = sizes[-1][1] if sizes else 0.0
    if not count:
        return "commits: none"
    return (
        f"commits: {count:.0f}, batch size p50 {quantile(sizes, 0.5):.1f} "
        f"mean {size_sum / count:.1f}, commit latency p99 {quantile(seconds, 0.99) * 1000:.2f} ms"
        " (from /metrics)"
    )


def _histogram(text: str, name: str) -> tuple[Buckets, float]:
    """The histogram's buckets (by upper bound) and the sum of its observations."""
    buckets: Buckets = []
    total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name != name:
            continue
        for sample in family.samples:
            if sample.name == f"{name}_bucket":
                buckets.append((float(sample.labels["le"]), sample.value))
            elif sample.name == f"{name}_sum":
                total = sample.value
    return sorted(buckets), total


def quantile(buckets: Buckets, q: float) -> float:
    """The ``q`` quantile, interpolated linearly within its bucket: in the first bucket its
    bound (a batch holds at least one write), in the ``+Inf`` one the highest finite bound."""
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for index, (bound, count) in enumerate(buckets):
        if count >= rank:
            if index == 0:
                return bound
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / (count - below)
        lower, below = bound, count
    return lower
