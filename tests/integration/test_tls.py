"""``hubbub serve --tls-cert --tls-key``: https and wss with a certificate the test makes,
and a certificate that cannot be used is one clear line before anything is created."""

from __future__ import annotations

import asyncio
import json
import ssl
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import trustme

from conftest import ServerProcess, free_port


@pytest.fixture
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def certificate(authority: trustme.CA, tmp_path: Path) -> tuple[Path, Path]:
    issued = authority.issue_cert("127.0.0.1")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    return cert, key


@pytest.fixture
def trusting(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


async def test_https_and_wss_with_a_self_signed_certificate(
    server_process: ServerProcess, certificate: tuple[Path, Path], trusting: ssl.SSLContext
) -> None:
    cert, key = certificate
    server_process.options = ("--tls-cert", str(cert), "--tls-key", str(key))
    server_process.tls = trusting
    server_process.start()
    url = f"127.0.0.1:{server_process.port}"

    async with aiohttp.ClientSession() as session:
        async with session.get(f"https://{url}/healthz", ssl=trusting) as response:
            assert response.status == 200
            assert (await response.json())["ok"] is True
        async with session.ws_connect(f"wss://{url}/ws", ssl=trusting) as ws:
            await ws.send_json({"type": "sign_in", "id": 1, "name": "alice", "password": "pw"})
            answer = await ws.receive_json(timeout=30)
            assert answer["type"] == "ok"
            await ws.send_json({"type": "say", "id": 2, "text": "over TLS"})
            while (answer := await ws.receive_json(timeout=30)).get("id") != 2:
                pass
            assert answer["type"] == "ok"
        with pytest.raises(aiohttp.ClientConnectorError):
            # Without trusting the test's authority, the certificate is refused.
            await session.get(f"https://{url}/healthz")
        with pytest.raises(aiohttp.ClientError):
            await session.get(f"http://{url}/healthz")

    console = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hubbub", "status", "--tls", "--json",
        "--port", str(server_process.port),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(console.communicate(), 60)
    assert console.returncode == 0
    assert "connections" in json.loads(out)


def serve_with(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "hubbub",
            "serve",
            "--port",
            str(free_port()),
            "--data-dir",
            str(tmp_path / "data"),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("problem", "says"),
    [
        ("missing", "cannot read the TLS certificate"),
        ("mismatched", "cannot use the TLS certificate"),
        ("no key", "TLS needs both --tls-cert and --tls-key"),
    ],
)
def test_an_unusable_certificate_is_one_line_and_nothing_is_created(
    tmp_path: Path, certificate: tuple[Path, Path], problem: str, says: str
) -> None:
    cert, key = certificate
    other_key = tmp_path / "other.pem"
    trustme.CA().issue_cert("127.0.0.1").private_key_pem.write_to_path(str(other_key))
    options = {
        "missing": ("--tls-cert", str(tmp_path / "nowhere.pem"), "--tls-key", str(key)),
        "mismatched": ("--tls-cert", str(cert), "--tls-key", str(other_key)),
        "no key": ("--tls-cert", str(cert)),
    }[problem]
    result = serve_with(tmp_path, *options)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert says in lines[0]
    assert not (tmp_path / "data").exists()
