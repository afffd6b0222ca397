"""IRC over TLS: ``--irc-tls-port`` with the same certificate as https."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
from pathlib import Path

import trustme

from conftest import ServerProcess, free_port
from irc.conftest import Irc


async def test_an_irc_client_registers_and_talks_over_tls(tmp_path: Path) -> None:
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    plain, secure = free_port(), free_port()
    server = ServerProcess(
        tmp_path / "data",
        free_port(),
        options=(
            *("--tls-cert", str(cert), "--tls-key", str(key)),
            *("--irc-port", str(plain), "--irc-tls-port", str(secure)),
        ),
        tls=trusting,
    )
    server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", secure, ssl=trusting)
        alice = Irc(reader, writer)
        alice.send("NICK alice")
        alice.send("USER alice 0 * :Alice")
        await alice.expect(lambda line: " 001 alice " in line, within=20)
        alice.send("JOIN #lobby")
        await alice.expect_has(" 366 alice ")
        reader, writer = await asyncio.open_connection("127.0.0.1", plain)
        bob = Irc(reader, writer)
        bob.send("NICK bob")
        bob.send("USER bob 0 * :Bob")
        await bob.expect(lambda line: " 001 bob " in line, within=20)
        bob.send("JOIN #lobby")
        await bob.expect_has(" 366 bob ")
        alice.send("PRIVMSG #lobby :sent over TLS")
        await bob.expect_has("PRIVMSG", ":sent over TLS")
        await alice.close()
        await bob.close()
    finally:
        server.stop()


def test_irc_over_tls_needs_a_certificate(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "hubbub", "serve", "--data-dir", str(tmp_path / "data")),
            *("--port", "0", "--irc-port", "0", "--irc-tls-port", "0"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "--irc-tls-port needs --irc-port, --tls-cert and --tls-key" in done.stderr
    assert not (tmp_path / "data").exists()
