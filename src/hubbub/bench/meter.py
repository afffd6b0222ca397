"""CPU and wall time of the measured phases, for the server (when it is ours) and the generator.

The generator does not collect garbage during a phase: a full collection over the heap of
thousands of connections pauses it for tens of milliseconds, which would show as the
server's latency. It collects just before instead.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from hubbub.bench.report import Phase


class Meter:
    """Measures named phases; ``server_cpu`` reads the server's CPU seconds (None: unknown)."""

    def __init__(self, server_cpu: Callable[[], float] | None) -> None:
        self.phases: list[Phase] = []
        self._server_cpu = server_cpu

    def start(self, name: str) -> Stopwatch:
        return Stopwatch(self, name)

    def server_cpu(self) -> float | None:
        return None if self._server_cpu is None else self._server_cpu()


class Stopwatch:
    """A phase being measured; :meth:`stop` records it with its meter and returns it."""

    def __init__(self, meter: Meter, name: str) -> None:
        gc.collect()
        gc.disable()
        self._meter = meter
        self._name = name
        self._server = meter.server_cpu()
        self._generator = time.process_time()
        self._wall = time.perf_counter()

    def elapsed(self) -> float:
        """Wall seconds since the phase started."""
        return time.perf_counter() - self._wall

    def stop(self) -> Phase:
        wall = time.perf_counter() - self._wall
        generator = time.process_time() - self._generator
        server_now = self._meter.server_cpu()
        gc.enable()
        server = None if server_now is None or self._server is None else server_now - self._server
        phase = Phase(self._name, wall, server, generator, generator / wall if wall > 0 else 0.0)
        self._meter.phases.append(phase)
        return phase
