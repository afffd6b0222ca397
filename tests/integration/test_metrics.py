"""``GET /metrics`` over real sockets against ``hubbub serve``: the counters move as people
sign in, send and get rate-limited; the page answers this machine only (not a proxy)
unless ``--metrics-public``; and the text parses as Prometheus's format."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import ServerProcess, free_port
from hubbub.client import Client, RequestFailed
from hubbub.server.server import SIGN_IN_LATE

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def read_metrics(url: str, headers: dict[str, str] | None = None) -> Samples:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{url}/metrics", headers=headers) as response,
    ):
        assert response.status == 200, await response.text()
        assert response.content_type == "text/plain"
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def eventually(url: str, name: str, expected: float, **labels: str) -> Samples:
    """The metrics once ``name`` reads ``expected`` (closes and drops are seen a little later)."""
    for _ in range(400):
        samples = await read_metrics(url)
        if value(samples, name, **labels) == expected:
            return samples
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} never read {expected}")


Serve = Callable[..., str]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """``serve(*flags)``: the URL of a ``hubbub serve`` with limits on; stopped at the end."""
    started: list[ServerProcess] = []

    def start(*options: str) -> str:
        server = ServerProcess(
            tmp_path / f"data{len(started)}", free_port(), limits=True, options=options
        )
        started.append(server)
        server.start()
        return server.url

    yield start
    for server in started:
        server.stop()


async def say_until_limited(url: str, name: str) -> tuple[int, int]:
    """Sign in over a bare WebSocket and send lobby messages one at a time until one is
    refused ``rate_limited``: (messages stored, refusals)."""
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as ws:
        await ws.send_json({"type": "sign_in", "id": 0, "name": name, "password": "pw-flood"})
        while (await ws.receive_json()).get("id") != 0:
            pass
        for n in range(1, 100):
            await ws.send_json({"type": "say", "id": n, "text": f"quick {n}"})
            while (answer := await ws.receive_json()).get("id") != n:
                pass
            if answer["type"] == "error":
                assert answer["code"] == "rate_limited"
                return n - 1, 1
    raise AssertionError("never rate-limited")


async def test_counters_follow_sign_ins_messages_and_rate_limits(
    serve: Serve,
) -> None:
    url = serve()
    before = await read_metrics(url)
    assert value(before, "hubbub_connections_open") == 0
    assert value(before, "hubbub_slow_reader_bytes") == 0

    ann = Client.connect(url)
    await ann.open()
    signed = await ann.sign_in("ann", "pw-ann-secret")
    again = Client.connect(url)
    await again.open()
    await again.sign_in("ann", token=signed.token)
    wrong = Client.connect(url)
    await wrong.open()
    with pytest.raises(RequestFailed) as failed:
        await wrong.sign_in("ann", "not-her-password")
    await wrong.close()
    signed_in = await eventually(url, "hubbub_connections_open", 2)
    assert value(signed_in, "hubbub_sign_ins_total", method="password", result="ok") == 1
    assert value(signed_in, "hubbub_sign_ins_total", method="token", result="ok") == 1
    assert value(signed_in, "hubbub_sign_ins_total", method="password", result="refused") == 1
    assert value(signed_in, "hubbub_requests_refused_total", code=failed.value.code) == 1

    await ann.say("hello, both of me")
    said = await read_metrics(url)
    assert value(said, "hubbub_messages_stored_total") == 1
    # The lobby message went to both of ann's connections (and presence went before it).
    delivered = value(said, "hubbub_deliveries_total") - value(signed_in, "hubbub_deliveries_total")
    assert delivered >= 2
    assert value(said, "hubbub_commit_batch_size_count") >= 1
    assert value(said, "hubbub_commit_seconds_count") == value(
        said, "hubbub_commit_batch_size_count"
    )

    stored, refused = await say_until_limited(url, "quick")
    limited = await read_metrics(url)
    assert value(limited, "hubbub_messages_stored_total") == 1 + stored
    assert value(limited, "hubbub_requests_refused_total", code="rate_limited") == refused
    # Every stored message was one write of some commit.
    assert value(limited, "hubbub_commit_batch_size_sum") >= 1 + stored
    await ann.close()
    await again.close()
    await eventually(url, "hubbub_connections_open", 0)


async def test_refused_connections_are_counted_by_reason(
    serve: Serve,
) -> None:
    url = serve("--connections-per-address", "1", "--sign-in-deadline", "1")
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws") as silent:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"{url}/ws")
        assert refused.value.status == 429
        await silent.receive()
        assert silent.close_code == SIGN_IN_LATE
    samples = await read_metrics(url)
    assert value(samples, "hubbub_connections_refused_total", reason="429") == 1
    assert value(samples, "hubbub_connections_refused_total", reason=str(SIGN_IN_LATE)) == 1


async def test_metrics_answer_this_machine_only_unless_public(
    serve: Serve,
) -> None:
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    private = serve()
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{private}/metrics", headers=proxied) as response,
    ):
        assert response.status == 403
        assert "this machine only" in await response.text()
    public = serve("--metrics-public")
    samples = await read_metrics(public, headers=proxied)
    assert ("hubbub_connections_open", ()) in samples
