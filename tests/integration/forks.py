"""``hubbub serve`` processes forked from one parent that imported hubbub once.

Starting a cluster for every test costs mostly Python's imports: about a second of CPU
per process. So the cluster tests start one *fork parent* (fork_parent.py): it imports
what ``hubbub serve`` imports, then for every command line it reads on stdin forks a
child that runs that ``hubbub serve`` (the same code from its ``main`` on), and writes
back the child's PID. ``hubbub serve --workers`` forks its workers the same way.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from conftest import ServerProcess

PARENT = Path(__file__).with_name("fork_parent.py")


class Forks:
    """The fork parent, seen from the tests."""

    def __init__(self) -> None:
        self.parent = subprocess.Popen(
            [sys.executable, str(PARENT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def serve(self, arguments: list[str]) -> Child:
        """Fork a ``hubbub`` with ``arguments``; it starts at once."""
        assert self.parent.stdin is not None
        assert self.parent.stdout is not None
        self.parent.stdin.write(json.dumps(arguments) + "\n")
        self.parent.stdin.flush()
        return Child(int(self.parent.stdout.readline()))

    def close(self) -> None:
        """Close the parent's stdin, and wait for it to end."""
        assert self.parent.stdin is not None
        self.parent.stdin.close()
        self.parent.wait(timeout=20)


@dataclass
class Child:
    """A forked ``hubbub serve``, with what :class:`ServerProcess` asks of a process."""

    pid: int
    stderr = None

    def poll(self) -> int | None:
        """None while it runs (its parent reaps it once it ends)."""
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return -signal.SIGKILL
        return None

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.01)
        return code


@dataclass
class ForkedServer(ServerProcess):
    """A :class:`ServerProcess` forked from the fork parent instead of started anew."""

    forks: Forks | None = None

    def spawn(self) -> None:
        assert self.forks is not None
        self.process = self.forks.serve(self.arguments())  # type: ignore[assignment]
