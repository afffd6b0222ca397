"""The CPU time of the PostgreSQL and Redis servers a run's hubbub uses, when they run on
this machine: on SQLite the database's work is inside the server process and in its CPU
figure; on PostgreSQL and Redis part of it moves to their processes, so a fair
comparison needs theirs too.

The processes are found once, just before the first measured phase (the servers'
connections are open by then): every PostgreSQL process ``pg_stat_activity`` lists
(backends and background workers, of every database of that PostgreSQL) and Redis's
``process_id``. Their CPU is read from ``/proc`` like the server's. A process that ends
before it is opened is left out; one that ends during the run keeps the last figure
read of it. Servers on another host are not
measured (their process ids mean nothing here).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import psycopg
import redis
from sqlalchemy.engine import make_url

from hubbub.bench.server import ProcessFiles

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class BackendCpu:
    """CPU seconds used so far by the local PostgreSQL (``database``) and Redis (``redis``)."""

    def __init__(self, database: str | None, redis_url: str | None) -> None:
        self._database = _local_postgresql(database)
        self._redis = (
            redis_url if redis_url and urlsplit(redis_url).hostname in _LOCAL_HOSTS else None
        )
        self._processes: dict[int, ProcessFiles] | None = None
        self._last: dict[int, float] = {}

    @property
    def measured(self) -> str | None:
        """What is measured: "PostgreSQL", "Redis", "PostgreSQL and Redis"; None: nothing."""
        names = [
            name
            for name, url in (("PostgreSQL", self._database), ("Redis", self._redis))
            if url is not None
        ]
        return " and ".join(names) or None

    def cpu_seconds(self) -> float:
        if self._processes is None:
            self._processes = {}
            for pid in self._find():
                try:
                    self._processes[pid] = ProcessFiles(pid)
                except OSError:
                    continue
        for pid, files in self._processes.items():
            try:
                self._last[pid] = files.cpu_seconds()
            except OSError:
                continue
        return sum(self._last.values())

    def close(self) -> None:
        for files in (self._processes or {}).values():
            files.close()

    def _find(self) -> Iterable[int]:
        if self._database is not None:
            with psycopg.connect(self._database, connect_timeout=10) as connection:
                rows = connection.execute("SELECT pid FROM pg_stat_activity").fetchall()
            yield from (pid for (pid,) in rows)
        if self._redis is not None:
            with redis.Redis.from_url(self._redis, socket_timeout=10) as client:
                yield int(client.info("server")["process_id"])


def _local_postgresql(database: str | None) -> str | None:
    """The database's libpq URL if it is a PostgreSQL on this machine, else None."""
    if database is None:
        return None
    url = make_url(database)
    if url.get_backend_name() != "postgresql" or url.host not in _LOCAL_HOSTS:
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
