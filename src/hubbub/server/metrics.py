"""What one server process has done, for ``GET /metrics`` in Prometheus's text format.

Every server keeps its own :class:`~prometheus_client.CollectorRegistry` (not the
library's global one), so that several servers in one process count apart. Counters
move where the thing happens; the two gauges (open connections, bytes queued to slow
readers) are read from the server only when ``/metrics`` is asked. Each metric is
documented in docs/operations.md.

Deliveries are counted once per delivery, by its number of recipients: the fan-out
loop runs once per recipient and gets no extra work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text exposition format, version 0.0.4."""

BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
"""Writes per commit: each message one, each other write one (store/writer.py)."""
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Seconds from handing a batch to the writer's thread until it is committed."""


@dataclass(frozen=True, slots=True)
class BusCounters:
    """What crossed the bus (server/bus.py), counted in ops (each change one)."""

    published: Counter
    received: Counter
    dropped: Counter


class Metrics:
    """The counters, gauges and histograms of one server, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self._connections = Gauge(
            "hubbub_connections_open", "Chat connections (WebSockets) open now", registry=registry
        )
        self._queued = Gauge(
            "hubbub_slow_reader_bytes",
            "Bytes written to slow readers and not yet taken by them",
            registry=registry,
        )
        self._sign_ins = Counter(
            "hubbub_sign_ins",
            "Sign-in requests answered, by method and result",
            ("method", "result"),
            registry=registry,
        )
        self.messages_stored = Counter(
            "hubbub_messages_stored",
            "Messages (and edits and deletes) committed, not counting resends",
            registry=registry,
        )
        self.deliveries = Counter(
            "hubbub_deliveries",
            "Event frames addressed to connections: each event counts once per recipient",
            registry=registry,
        )
        self._refused_requests = Counter(
            "hubbub_requests_refused",
            "Requests answered with an error, by its code (rate_limited among them)",
            ("code",),
            registry=registry,
        )
        self._refused_connections = Counter(
            "hubbub_connections_refused",
            "Connections refused or closed by the server's connection limits, by reason",
            ("reason",),
            registry=registry,
        )
        self._batch_size = Histogram(
            "hubbub_commit_batch_size",
            "Writes per committed transaction (each message, edit or delete one)",
            buckets=BATCH_BUCKETS,
            registry=registry,
        )
        self._commit_seconds = Histogram(
            "hubbub_commit_seconds",
            "Seconds to run and commit one batch of writes (with its fsync)",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )

    def watch(self, connections: Callable[[], int], queued_bytes: Callable[[], int]) -> None:
        """Read the two gauges from these functions whenever the metrics are asked for."""
        self._connections.set_function(connections)
        self._queued.set_function(queued_bytes)

    def watch_bus(self, up: Callable[[], bool], nodes: Callable[[], int]) -> BusCounters:
        """A process of several (``--redis``): the bus's gauges, read from these functions
        when asked, and its counters."""
        registry = self.registry
        Gauge(
            "hubbub_bus_up", "1 while subscribed to Redis, else 0", registry=registry
        ).set_function(lambda: float(up()))
        Gauge(
            "hubbub_bus_nodes", "Other processes heard on the bus", registry=registry
        ).set_function(nodes)
        return BusCounters(
            Counter(
                "hubbub_bus_ops_published",
                "Changes published to the other processes",
                registry=registry,
            ),
            Counter(
                "hubbub_bus_ops_received",
                "Changes received from the other processes",
                registry=registry,
            ),
            Counter(
                "hubbub_bus_ops_dropped",
                "Changes not published: Redis was lost, or too far behind",
                registry=registry,
            ),
        )

    def signed_in(self, *, token: bool, ok: bool) -> None:
        method = "token" if token else "password"
        self._sign_ins.labels(method, "ok" if ok else "refused").inc()

    def refused_request(self, code: str) -> None:
        self._refused_requests.labels(code).inc()

    def refused_connection(self, reason: str) -> None:
        """``reason``: the HTTP status (``429``, ``503``, ``408``) or close code (``4002``)."""
        self._refused_connections.labels(reason).inc()

    def committed(self, size: int, seconds: float) -> None:
        self._batch_size.observe(size)
        self._commit_seconds.observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
