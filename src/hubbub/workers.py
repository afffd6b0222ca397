"""``hubbub serve --workers N``: N server processes on one listening socket.

The supervisor binds the socket (and the IRC ones) first, then forks N workers that all
accept from it: the kernel hands each new connection to whichever worker takes it
first, and a connection made while a worker restarts waits in the backlog instead of
being refused. Each worker is a whole ``hubbub serve`` (its own hub, a node on the bus)
in a process group of its own, so a terminal's Ctrl-C reaches only the supervisor, which
stops every worker by its PID with SIGTERM (they shut down as one server does) and waits
for them. A worker that dies is started again after :data:`RESTART_DELAY`, unless it
exited with an error before it served: it could not start (the database or Redis cannot
be reached), and the supervisor stops the others and exits with status 1.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

import click

log = logging.getLogger("hubbub.workers")

RESTART_DELAY = 1.0
POLL_SECONDS = 0.2
STOP_SECONDS = 20.0
"""How long workers get to shut down gracefully before they are killed."""
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


Serve = Callable[[Callable[[], None]], None]
"""Serve until stopped, calling the function given once serving (a worker's whole life)."""


@dataclass(slots=True)
class _Worker:
    index: int
    pid: int
    ready: int
    """The read end of a pipe the worker writes to once it serves; -1 after that."""

    def serving(self) -> bool:
        """Whether the worker has said it serves (reads its pipe without waiting)."""
        if self.ready >= 0:
            try:
                said = os.read(self.ready, 1)
            except BlockingIOError:
                return False
            os.close(self.ready)
            self.ready = -1
            return bool(said)
        return True


def supervise(count: int, serve: Serve) -> int:
    """Run ``serve`` in ``count`` forked workers until SIGINT/SIGTERM; the exit status."""
    workers: dict[int, _Worker] = {}
    restarts: dict[int, float] = {}
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            log.info("stopping %d workers", len(workers))
            for pid in workers:
                _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for index in range(count):
        worker = _fork(index, serve)
        workers[worker.pid] = worker
        if stopping:  # Ctrl-C came while the workers were starting
            _signal(worker.pid, signal.SIGTERM)
    status = 0
    deadline: float | None = None
    while workers or (restarts and not stopping):
        time.sleep(POLL_SECONDS)
        now = time.monotonic()
        for pid, code in _exited():
            gone = workers.pop(pid, None)
            if gone is None or stopping:
                continue
            log.warning("worker %d (pid %d) exited with status %d", gone.index, pid, code)
            if code > 0 and not gone.serving():
                log.error("worker %d failed to start: stopping the others", gone.index)
                status = 1
                stop(signal.SIGTERM, None)
            else:
                restarts[gone.index] = now + RESTART_DELAY
        for index, when in list(restarts.items()):
            if stopping:
                restarts.clear()
            elif now >= when:
                del restarts[index]
                worker = _fork(index, serve)
                workers[worker.pid] = worker
        if stopping:
            deadline = deadline or now + STOP_SECONDS
            if now > deadline:
                for pid in workers:
                    _signal(pid, signal.SIGKILL)
    return status


def _fork(index: int, serve: Serve) -> _Worker:
    ready, told = os.pipe()
    # Signals wait until the child has dropped the supervisor's handlers.
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    pid = os.fork()
    if pid == 0:
        os.close(ready)
        _be_worker(serve, told)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    os.close(told)
    os.set_blocking(ready, False)
    log.info("worker %d started (pid %d)", index, pid)
    return _Worker(index, pid, ready)


def _be_worker(serve: Serve, told: int) -> None:
    """The child's whole life: serve, then exit without returning to the supervisor's code."""

    def serving() -> None:
        os.write(told, b"!")
        os.close(told)

    code = 1
    try:
        for signum in _STOP_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        os.setpgid(0, 0)
        if sys.platform == "linux":
            # Never outlive the supervisor, even one killed with SIGKILL.
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        serve(serving)
        code = 0
    except click.ClickException as error:
        error.show()
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _exited() -> list[tuple[int, int]]:
    """Workers that have exited since the last call: (pid, exit status)."""
    done: list[tuple[int, int]] = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return done
        if pid == 0:
            return done
        done.append((pid, os.waitstatus_to_exitcode(status)))


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
