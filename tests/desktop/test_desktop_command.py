"""``hubbub desktop`` as a user runs it: a process that opens its window on the display."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tkinter as tk
from pathlib import Path

from click.testing import CliRunner

from desktop.conftest import Screen
from hubbub.cli import main


def test_help_names_the_server_option() -> None:
    result = CliRunner().invoke(main, ["desktop", "--help"])
    assert result.exit_code == 0
    assert "--server URL" in result.output


def test_without_a_display_it_says_so() -> None:
    env = {**os.environ, "DISPLAY": ""}
    done = subprocess.run([sys.executable, "-m", "hubbub", "desktop"], env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "cannot open a window" in done.stderr


def test_the_command_opens_its_window(screen: Screen, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "hubbub", "desktop", "--server", "http://127.0.0.1:9"], env=env
    )
    probe = tk.Tk()
    try:
        deadline = time.monotonic() + 20
        while "hubbub" not in probe.winfo_interps():
            assert process.poll() is None, "hubbub desktop exited"
            assert time.monotonic() < deadline, "no hubbub window within 20 s"
            time.sleep(0.05)
    finally:
        probe.destroy()
        process.terminate()
        process.wait(10)
