"""Debian's nginx for the tests: one process in a temporary directory, serving a site
configuration from docs/ with only its addresses and certificate paths changed, stopped
by its PID at the end."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import trustme

from ports import free_port

NGINX = "/usr/sbin/nginx"
DOCS = Path(__file__).resolve().parents[1] / "docs"
CERT = "/etc/letsencrypt/live/chat.example.org/fullchain.pem"
KEY = "/etc/letsencrypt/live/chat.example.org/privkey.pem"


def site_config(site: Path, replacements: list[tuple[str, str]]) -> str:
    """The site file with each ``old`` replaced by ``new`` (each must be there)."""
    text = site.read_text()
    for old, new in replacements:
        assert old in text, f"{site.name} no longer has {old!r}"
        text = text.replace(old, new)
    return text


def main_config(prefix: Path) -> str:
    """What /etc/nginx/nginx.conf would be, for one nginx process in a temp dir."""
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nmaster_process off;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log off;\n{temp_paths}\n    include {prefix / 'hubbub.conf'};\n}}\n"
    )


@contextmanager
def nginx_serving(
    prefix: Path, site: Path, upstreams: list[tuple[str, str]], authority: trustme.CA
) -> Iterator[str]:
    """nginx with ``site`` (its upstream ``server`` lines replaced as ``upstreams`` say),
    listening for https on a free loopback port with a certificate from ``authority``;
    yields its https URL."""
    prefix.mkdir()
    issued = authority.issue_cert("127.0.0.1")
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    port = free_port()
    replacements = [
        *upstreams,
        ("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        (CERT, str(cert)),
        (KEY, str(key)),
    ]
    (prefix / "hubbub.conf").write_text(site_config(site, replacements))
    (prefix / "nginx.conf").write_text(main_config(prefix))
    command = [NGINX, "-p", prefix, "-c", prefix / "nginx.conf", "-e", prefix / "error.log"]
    process = subprocess.Popen(
        [str(part) for part in command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_listening(port, process)
        yield f"https://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"nginx exited: {errors}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not listen within 20 s")
