"""InspIRCd 3 as the yardstick of ``--against inspircd``: a temporary config, the daemon
pinned to the server's CPU like ``hubbub serve``, measured and stopped the same way.

The config lets one machine flood it, as ``--no-limits`` does for hubbub: one connect
class for 127.0.0.1 with no per-address limits, no flood penalty (``threshold`` and
``commandrate`` far out of reach, no fake lag), send and receive queues of 64 MiB, no DNS
or ident look-ups, no log file and no MOTD. The only modules loaded are ``cap`` and
``ircv3_echomessage``: with ``echo-message`` a sender gets its own message back, as a
hubbub sender does, so both servers make the same deliveries, and the echo tells the
generator its message went through (IRC has no ``ok``).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Self

from hubbub.bench.server import STARTUP_SECONDS, ChildProcess, ServerFailed, free_port, spawn_pinned

BINARY = Path("/usr/sbin/inspircd")
MISSING = "InspIRCd is not installed: sudo apt-get install inspircd"
QUEUE_BYTES = 64 * 1024 * 1024
MOST = 1_000_000
"""Far more connections, commands or penalty than any run makes."""

CONFIG = """\
<server name="bench.invalid" description="hubbub bench yardstick" network="bench">
<admin name="hubbub bench" nick="bench" email="bench@bench.invalid">
<bind address="127.0.0.1" port="{port}" type="clients">
<connect name="bench" allow="127.0.0.1" timeout="60" pingfreq="3600"
         hardsendq="{queue}" softsendq="{queue}" recvq="{queue}"
         threshold="{most}" commandrate="{most}000" fakelag="no"
         localmax="{most}" globalmax="{most}" limit="{most}" maxchans="100"
         resolvehostnames="no" useident="no">
<performance softlimit="{most}" somaxconn="1024" netbuffersize="65536"
             clonesonconnect="no" quietbursts="yes">
<channels users="100" opers="100">
<security maxtargets="20">
<module name="cap">
<module name="ircv3_echomessage">
"""


def installed() -> bool:
    return BINARY.exists()


class InspIRCd(ChildProcess):
    """A running ``inspircd --nofork`` on a config of its own, on a free port of 127.0.0.1."""

    @classmethod
    async def start(cls, directory: Path, cpu: int | None) -> Self:
        """Write the config into ``directory``, start the daemon pinned to ``cpu``, and wait
        until it accepts connections."""
        port = free_port()
        config = directory / "inspircd.conf"
        config.write_text(CONFIG.format(port=port, queue=QUEUE_BYTES, most=MOST))
        argv = [str(BINARY), "--config", str(config), "--nofork", "--nopid", "--nolog"]
        if os.geteuid() == 0:
            argv.append("--runasroot")
        log = directory / "inspircd.log"
        server = cls(await spawn_pinned(argv, log, cpu), f"irc://127.0.0.1:{port}", log)
        try:
            await server._wait_until_up(port)
        except BaseException:
            await server.stop()
            raise
        return server

    async def _wait_until_up(self, port: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_SECONDS
        while loop.time() < deadline:
            self.check_alive()
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            return
        raise ServerFailed(f"InspIRCd did not listen on port {port} in {STARTUP_SECONDS:g} s")
