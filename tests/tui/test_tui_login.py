"""``hubbub chat`` signs in with the saved session when it can, else with the password."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from conftest import ServerProcess
from hubbub.client import Client, RequestFailed
from hubbub.protocol import ErrorCode
from hubbub.tui.login import LoginError, pick_name, sign_in
from hubbub.tui.sessions import SessionStore, config_dir


async def test_the_next_start_resumes_with_the_saved_token(
    hubbub: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    store = SessionStore()
    assert store.path == tmp_path / "hubbub" / "sessions.json"
    assert config_dir() == store.path.parent

    async with Client.connect(hubbub.url) as client:
        first = await sign_in(client, "Alice", store, password="pw-alice")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.last_name(hubbub.url) == "Alice"
    assert store.token(hubbub.url + "/ws", "alice") == first.token

    asked: list[str] = []

    def ask(name: str) -> str:
        asked.append(name)
        return "pw-alice"

    async with Client.connect(hubbub.url) as client:
        name = pick_name(None, store, hubbub.url)
        again = await sign_in(client, name, store, ask=ask)
        assert again.name == "Alice"
        assert asked == []
        await client.sign_out()  # the token stops working

    async with Client.connect(hubbub.url) as client:
        with pytest.raises(LoginError):
            await sign_in(client, "alice", store)
    async with Client.connect(hubbub.url) as client:
        third = await sign_in(client, "alice", store, ask=ask)
    assert asked == ["alice"]
    assert store.token(hubbub.url, "alice") == third.token != first.token

    async with Client.connect(hubbub.url) as client:
        store.forget(hubbub.url, "alice")
        with pytest.raises(RequestFailed) as refused:
            await sign_in(client, "alice", store, password="wrong")
    assert refused.value.code == ErrorCode.WRONG_PASSWORD
