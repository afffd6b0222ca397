"""``hubbub backup FILE`` against a real ``hubbub serve`` that is busy storing messages.

The copy is restored as docs/operations.md says (it becomes another data dir's
``hubbub.db``), a second server runs on it, and a client reads back every message that
was acknowledged before the backup began.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import stat
import sys
from pathlib import Path

from conftest import ServerProcess, free_port, whole_history
from hubbub.client import Client
from hubbub.protocol import LOBBY

PASSWORD = "writer's password"
ACKED_BEFORE_BACKUP = 200


async def hubbub_backup(*args: str) -> tuple[int, str, str]:
    """Run ``hubbub backup ARGS``; its exit code, standard output and standard error."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hubbub",
        "backup",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def keep_saying(
    client: Client, acked: list[tuple[int, str]], warmed: asyncio.Event, stop: asyncio.Event
) -> None:
    """Say numbered lobby messages one after another until ``stop``, noting each (seq,
    text) once the server has acknowledged it; ``warmed`` is set after the first
    :data:`ACKED_BEFORE_BACKUP` of them."""
    number = 0
    while not stop.is_set():
        number += 1
        text = f"message {number}"
        sent = await client.say(text)
        acked.append((sent.seq, text))
        if len(acked) >= ACKED_BEFORE_BACKUP:
            warmed.set()


def integrity(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]


async def test_a_backup_taken_while_messages_are_stored_has_every_acknowledged_one(
    hubbub: ServerProcess, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    acked: list[tuple[int, str]] = []
    warmed, stop = asyncio.Event(), asyncio.Event()
    async with Client.connect(hubbub.url, reconnect=False) as writer:
        await writer.sign_in("writer", PASSWORD)
        saying = asyncio.create_task(keep_saying(writer, acked, warmed, stop))
        async with asyncio.timeout(60):
            await warmed.wait()
        before = list(acked)
        code, out, err = await hubbub_backup("--data-dir", str(hubbub.data_dir), str(copy))
        after = len(acked)
        stop.set()
        await saying
    assert (code, err) == (0, ""), err
    assert out.startswith(f"backed up {hubbub.data_dir / 'hubbub.db'} to {copy} ("), out
    assert after > len(before), "the server stopped storing messages during the backup"
    assert integrity(copy) == ["ok"]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600, "the copy holds password hashes"

    restored = ServerProcess(tmp_path / "restored", free_port())
    restored.data_dir.mkdir()
    shutil.copyfile(copy, restored.data_dir / "hubbub.db")
    restored.start()
    try:
        async with Client.connect(restored.url, reconnect=False) as reader:
            await reader.sign_in("writer", PASSWORD)
            history = {(m.seq, m.text) for m in await whole_history(reader, LOBBY)}
    finally:
        restored.stop()
    missing = [message for message in before if message not in history]
    assert missing == [], f"{len(missing)} acknowledged messages are not in the backup"


async def test_backup_refuses_to_overwrite_a_file_unless_forced(
    hubbub: ServerProcess, tmp_path: Path
) -> None:
    async with Client.connect(hubbub.url, reconnect=False) as client:
        await client.sign_in("writer", PASSWORD)
        await client.say("before the first backup")
    copy = tmp_path / "copy.db"
    copy.write_text("an older backup")
    data_dir = ("--data-dir", str(hubbub.data_dir))

    code, out, err = await hubbub_backup(*data_dir, str(copy))
    assert (code, out) == (1, "")
    assert err == f"Error: {copy} already exists; use --force to replace it\n"
    assert copy.read_text() == "an older backup"

    hubbub.stop()
    code, out, err = await hubbub_backup(*data_dir, "--force", str(copy))
    assert (code, err) == (0, ""), err
    assert integrity(copy) == ["ok"]
    with sqlite3.connect(copy) as connection:
        texts = [row[0] for row in connection.execute("SELECT text FROM messages")]
    assert texts == ["before the first backup"]


async def test_backup_of_a_data_dir_without_a_database_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    nowhere = tmp_path / "nowhere"
    code, out, err = await hubbub_backup("--data-dir", str(nowhere), str(tmp_path / "x.db"))
    assert (code, out) == (1, "")
    assert err == (
        f"Error: there is no database at {nowhere / 'hubbub.db'} (check --data-dir or --database)\n"
    )
