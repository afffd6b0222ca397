"""Where the terminal client keeps session tokens between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubbub.tui.login import LoginError, one_line, pick_name
from hubbub.tui.sessions import SessionStore, config_dir, server_key, server_url


def test_the_config_dir_honours_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_dir() == tmp_path / "hubbub"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/is/ignored")
    assert config_dir() == tmp_path / "home" / ".config" / "hubbub"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert config_dir() == tmp_path / "home" / ".config" / "hubbub"


def test_a_server_may_be_given_without_its_scheme() -> None:
    assert server_url("chat.example.org:8765/") == "http://chat.example.org:8765"
    assert server_url(" https://chat.example.org ") == "https://chat.example.org"


def test_one_server_has_one_key_however_it_is_written() -> None:
    keys = {
        server_key(url) for url in ("http://h:1", "http://h:1/", "ws://h:1/ws", "http://h:1/ws")
    }
    assert keys == {"http://h:1"}
    assert server_key("wss://h/ws") == "https://h"


def test_tokens_by_server_and_name(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "hubbub" / "sessions.json")
    assert store.last_name("http://h:1") is None
    assert store.token("http://h:1", "bob") is None
    store.save("http://h:1", "Bob", "t1")
    store.save("http://h:2", "carol", "t2")
    assert store.token("ws://h:1/ws", "bob") == "t1"
    assert store.last_name("http://h:1") == "Bob"
    assert pick_name(None, store, "http://h:2") == "carol"
    assert pick_name("dora", store, "http://h:2") == "dora"
    store.forget("http://h:1", "BOB")
    assert store.token("http://h:1", "bob") is None
    assert store.token("http://h:2", "carol") == "t2"
    with pytest.raises(LoginError):
        pick_name(None, store, "http://h:3")


def test_a_damaged_file_counts_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    path.write_text("{not json")
    store = SessionStore(path)
    assert store.token("http://h", "bob") is None
    store.save("http://h", "bob", "t")
    assert store.token("http://h", "bob") == "t"
    path.write_text('{"servers": []}')
    assert store.last_name("http://h") is None


def test_errors_are_one_line() -> None:
    assert one_line(ValueError("two\nlines  here")) == "two lines here"
    assert one_line(TimeoutError()) == "TimeoutError"
