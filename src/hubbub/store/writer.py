"""The single writer: every write is queued, run in order, and committed in groups.

The writes run in one thread of their own, on one connection kept open: a whole
batch (BEGIN, every operation, COMMIT and its fsync) is a single hand-off from the
event loop, not one per statement.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from hubbub.store.records import StoreError, StoreUnavailable

T = TypeVar("T")

Operation = Callable[[Connection, float], T]
"""One write, given the open transaction and the batch's time (unix seconds).

It runs in the writer's thread: it may touch the database and nothing else.

An operation that raises :class:`StoreError` must have written nothing: that error goes
to its own caller and the batch carries on. Any other exception fails the whole batch.
"""


def _one() -> int:
    return 1


@dataclass(slots=True)
class _Job:
    operation: Operation[Any]
    future: asyncio.Future[Any]
    writes: Callable[[], int]
    """How many writes the operation makes, asked as its batch starts (for metrics)."""


class Writer:
    """Runs every write, in the order submitted, in as few transactions as it can.

    It takes all the operations waiting (up to ``max_batch``), runs them in one
    transaction, commits, and only then answers their callers: an answer means the write
    is durable. If that transaction fails, every operation of the batch fails with
    :class:`StoreError` (:class:`StoreUnavailable` if the database could not be reached or
    could not write), ``on_rollback`` is called, and the next batch starts afresh on a new
    connection.
    """

    def __init__(self, engine: Engine, max_batch: int = 512) -> None:
        self.commits = 0
        """Transactions committed so far."""
        self._engine = engine
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="hubbub-store-writer")
        self._connection: Connection | None = None
        """Opened, used and closed in the writer's thread only."""
        self.on_connect: list[Callable[[Connection], None]] = []
        """Called in the writer's thread on each connection it opens, before its first
        transaction there."""
        self.on_rollback: list[Callable[[], None]] = []
        """Called on the loop's thread after a transaction failed."""
        self.on_batch: list[Callable[[], None]] = []
        """Called on the loop's thread as each batch is handed to the writer's thread."""
        self.on_commit: list[Callable[[int, float], None]] = []
        """Called on the loop's thread after each commit, with the writes it committed
        and the seconds from its hand-off to the writer's thread until it was committed."""
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._closing = False
        self._task = asyncio.create_task(self._run(), name="hubbub-store-writer")

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has been called: nothing more is accepted."""
        return self._closing

    async def submit(self, operation: Operation[T]) -> T:
        """Run the operation in a coming transaction; return its result once that commits.

        A caller that stops waiting does not withdraw the operation.
        """
        return await self.enqueue(operation)

    def enqueue(
        self, operation: Operation[T], writes: Callable[[], int] = _one
    ) -> asyncio.Future[T]:
        """Queue the operation now; the future gets its result once its transaction commits.

        ``writes``: how many writes it makes (one, or a group's size once its batch starts).
        """
        if self._closing:
            raise StoreError("the store is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(operation, future, writes))
        return future

    async def close(self) -> None:
        """Commit everything already submitted, then stop."""
        if not self._closing:
            self._closing = True
            self._queue.put_nowait(None)
        await self._task

    async def _run(self) -> None:
        while True:
            job = await self._queue.get()
            batch: list[_Job] = []
            while job is not None:
                batch.append(job)
                if len(batch) == self._max_batch or self._queue.empty():
                    break
                job = self._queue.get_nowait()
            if batch:
                await self._commit(batch)
            if job is None:
                await asyncio.get_running_loop().run_in_executor(self._thread, self._disconnect)
                self._thread.shutdown()
                return

    async def _commit(self, batch: list[_Job]) -> None:
        operations = [job.operation for job in batch]
        for started in self.on_batch:
            started()
        writes = sum(job.writes() for job in batch) if self.on_commit else 0
        loop = asyncio.get_running_loop()
        started_at = time.perf_counter()
        try:
            outcomes = await loop.run_in_executor(self._thread, self._transact, operations)
        except Exception as exc:
            for rolled_back in self.on_rollback:
                rolled_back()
            for job in batch:
                _settle(job.future, None, _failure(exc))
            return
        self.commits += 1
        seconds = time.perf_counter() - started_at
        for committed in self.on_commit:
            committed(writes, seconds)
        for job, (result, refusal) in zip(batch, outcomes, strict=True):
            _settle(job.future, result, refusal)

    def _transact(self, operations: list[Operation[Any]]) -> list[tuple[Any, StoreError | None]]:
        """In the writer's thread: run the operations in one transaction and commit it."""
        if self._connection is None:
            self._connection = self._engine.connect()
            for connected in self.on_connect:
                connected(self._connection)
        now = time.time()
        try:
            with self._connection.begin():
                return [_attempt(operation, self._connection, now) for operation in operations]
        except Exception:
            self._disconnect()
            raise

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _attempt(
    operation: Operation[Any], connection: Connection, now: float
) -> tuple[Any, StoreError | None]:
    """Run one operation; a refusal goes to its caller and the batch carries on."""
    try:
        return operation(connection, now), None
    except StoreError as refusal:
        return None, refusal


def refusing_conflicts(operation: Operation[T]) -> Operation[T]:
    """The operation, undone alone if the database refuses it (a key or a constraint).

    It runs in a savepoint: a refusal goes to its caller as :class:`StoreError` and the
    rest of the batch carries on. For writes off the message path, where one savepoint
    costs nothing worth measuring.
    """

    def run(connection: Connection, now: float) -> T:
        try:
            with connection.begin_nested():
                return operation(connection, now)
        except IntegrityError as exc:
            raise StoreError(f"the database refused the change: {exc.orig}") from exc

    return run


def _settle(future: asyncio.Future[Any], result: Any, error: StoreError | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


def _failure(cause: Exception) -> StoreError:
    kind = StoreUnavailable if unreachable(cause) else StoreError
    error = kind(f"the database failed and nothing was committed: {cause}")
    error.__cause__ = cause
    return error


def unreachable(cause: Exception) -> bool:
    """The failure is the database's state, not the request's: it was down, dropped the
    connection, or could not write (the DB-API's OperationalError), and may pass."""
    return isinstance(cause, OperationalError | InterfaceError) or (
        isinstance(cause, DBAPIError) and cause.connection_invalidated
    )
