"""The sign-in form's inline errors and the settings that let the next start resume."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from hubbub.client import ConnectionLost, RequestFailed
from hubbub.desktop.settings import Settings, SettingsFile, config_dir, normal_server
from hubbub.desktop.signin import Problem, check, explain
from hubbub.protocol import ErrorCode

URL = "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    ("server", "name", "password", "field"),
    [
        ("", "alice", "pw", "server"),
        ("ftp://x", "alice", "pw", "server"),
        (URL, "", "pw", "name"),
        (URL, " alice", "pw", "name"),
        (URL, "a" * 33, "pw", "name"),
        (URL, "alice", "", "password"),
    ],
)
def test_form_problems_are_found_before_sending(
    server: str, name: str, password: str, field: str
) -> None:
    problem = check(server, name, password, token=None)
    assert problem is not None
    assert problem.field == field


def test_a_saved_token_stands_for_the_password() -> None:
    assert check("localhost:8765", "alice", "", token="tok") is None


@pytest.mark.parametrize(
    ("code", "field", "text"),
    [
        (ErrorCode.NAME_IN_USE, "name", "alice is signed in elsewhere with another password"),
        (ErrorCode.WRONG_PASSWORD, "password", "Wrong password for alice"),
        (ErrorCode.INVALID_NAME, "name", "server says"),
        (ErrorCode.INVALID_TOKEN, "password", "Your saved session has ended: enter your password"),
        (ErrorCode.INTERNAL_ERROR, "form", "server says"),
    ],
)
def test_server_refusals_go_under_their_field(code: ErrorCode, field: str, text: str) -> None:
    assert explain(RequestFailed(code, "server says"), URL, "alice") == Problem(field, text)  # type: ignore[arg-type]


def test_an_unreachable_server_is_the_server_fields_problem() -> None:
    problem = explain(ConnectionLost("refused"), "localhost:1", "alice")
    assert problem == Problem("server", "No hubbub server answers at http://localhost:1")


def test_config_dir_honours_xdg_config_home(tmp_path: Path) -> None:
    assert config_dir({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "hubbub"
    assert config_dir({"XDG_CONFIG_HOME": "relative"}) == Path.home() / ".config" / "hubbub"
    assert config_dir({}) == Path.home() / ".config" / "hubbub"


def test_settings_round_trip_readable_only_by_the_user(tmp_path: Path) -> None:
    settings = SettingsFile(tmp_path / "hubbub")
    assert settings.load() == Settings()
    settings.update(server="localhost:9", name="alice", token="tok", theme="dark")
    loaded = settings.load()
    assert loaded == Settings("http://localhost:9", "alice", "tok", "dark", 11)
    assert stat.S_IMODE(settings.path.stat().st_mode) == 0o600


def test_token_is_only_for_the_server_that_gave_it(tmp_path: Path) -> None:
    settings = Settings(server=normal_server("localhost:9"), name="alice", token="tok")
    assert settings.token_for("http://localhost:9/") == "tok"
    assert settings.token_for("http://elsewhere:9") is None


def test_a_damaged_settings_file_gives_the_defaults(tmp_path: Path) -> None:
    file = SettingsFile(tmp_path)
    file.path.write_text("{not json")
    assert file.load() == Settings()
    file.path.write_text(json.dumps({"theme": "purple", "font_size": 400, "token": 5}))
    assert file.load() == Settings(theme="light", font_size=24, token=None)
