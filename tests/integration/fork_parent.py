"""The fork parent of forks.py: imports what ``hubbub serve`` imports, then forks a
``hubbub`` for every command line (a JSON list) read on stdin and writes its PID.

A child runs in a process group of its own and dies with the parent; the parent reaps
its children, and ends when its stdin closes (the test session is over).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
PRELOADED = (
    "hubbub.server",
    "hubbub.server.app",
    "hubbub.server.bus",
    "hubbub.server.site",
    "hubbub.server.startup",
    "hubbub.store",
    "alembic.command",
    "uvloop",
)
"""What ``hubbub serve`` imports once it runs (uvloop when installed)."""


def _serve_forever() -> None:
    """The fork parent: import, then fork a ``hubbub`` per command line on stdin."""
    from hubbub.cli import main

    for module in PRELOADED:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they end
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.setpgid(0, 0)
                ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1):
                    os.dup2(devnull, fd)
                main(json.loads(line), prog_name="hubbub")
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
            finally:
                os._exit(code)
        print(pid, flush=True)


if __name__ == "__main__":
    _serve_forever()
