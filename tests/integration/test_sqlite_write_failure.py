"""The embedded server's disk refuses a write (here: the file-size limit of the server
process, lowered with ``prlimit``): the send is answered ``unavailable``, not acknowledged,
and once the disk takes writes again the server carries on, numbering on from the last
message it stored."""

from __future__ import annotations

import subprocess

from conftest import ServerProcess, whole_history
from hubbub.client import Client, RequestFailed
from hubbub.protocol import LOBBY, ErrorCode

LONG = "x" * 3_900


def file_size_limit(server: ServerProcess, limit: str) -> None:
    assert server.process is not None
    subprocess.run(
        ["prlimit", f"--pid={server.process.pid}", f"--fsize={limit}:unlimited"], check=True
    )


async def test_a_write_the_disk_refuses_is_unavailable_and_never_acknowledged(
    server_process: ServerProcess,
) -> None:
    server_process.start()
    alice = Client.connect(server_process.url, reconnect=False)
    await alice.open()
    try:
        await alice.sign_in("alice", "pw-alice")
        acknowledged = [await alice.say("before the disk fills")]
        files = [path.stat().st_size for path in server_process.data_dir.iterdir()]
        file_size_limit(server_process, str(max(files) + 16_384))
        refused = None
        for attempt in range(200):  # long messages until the database file hits the limit
            try:
                acknowledged.append(await alice.say(f"{LONG} {attempt}"))
            except RequestFailed as failure:
                refused = failure
                break
        assert refused is not None, "the limit never refused a write"
        assert refused.code == ErrorCode.UNAVAILABLE
        assert refused.retry_after is not None

        file_size_limit(server_process, "unlimited")
        after = await alice.say("the disk has room again")
        assert after.seq == acknowledged[-1].seq + 1
        history = await whole_history(alice, LOBBY)
        assert [m.seq for m in history] == [*(sent.seq for sent in acknowledged), after.seq]
    finally:
        await alice.close()
        server_process.stop()
