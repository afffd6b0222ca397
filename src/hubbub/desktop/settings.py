"""What the desktop client remembers between starts: the server, the name, the session
token (so the next start resumes without the password), the theme and the text size."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

DEFAULT_SERVER = "http://127.0.0.1:8765"
FILE_NAME = "desktop.json"
MIN_FONT, MAX_FONT = 8, 24

ThemeName = Literal["light", "dark"]


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/hubbub``, or ``~/.config/hubbub`` (the XDG rule: a relative
    ``XDG_CONFIG_HOME`` is ignored)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return root / "hubbub"


def normal_server(url: str) -> str:
    """A server address as typed (``localhost:8765``) made into an ``http://`` URL."""
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = f"http://{url}"
    return url


@dataclass(frozen=True, slots=True)
class Settings:
    server: str = DEFAULT_SERVER
    name: str = ""
    token: str | None = None
    theme: ThemeName = "light"
    font_size: int = 11

    def token_for(self, server: str) -> str | None:
        """The saved token, if it was given by ``server``."""
        return self.token if self.name and normal_server(server) == self.server else None


class SettingsFile:
    """The settings in ``directory``/desktop.json, readable only by the user.

    A missing or unreadable file gives the defaults: losing it costs a password prompt.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE_NAME

    def load(self) -> Settings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Settings()
        if not isinstance(raw, dict):
            return Settings()
        return _parsed(raw)

    def save(self, settings: Settings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(asdict(settings), file, indent=2)
        os.replace(temporary, self.path)

    def update(self, **changes: object) -> Settings:
        """Save the settings with ``changes``; the new settings."""
        settings = replace(self.load(), **changes)  # type: ignore[arg-type]
        self.save(settings)
        return settings


def _parsed(raw: dict[str, object]) -> Settings:
    default = Settings()
    server = raw.get("server")
    name = raw.get("name")
    token = raw.get("token")
    theme = raw.get("theme")
    size = raw.get("font_size")
    return Settings(
        server=normal_server(server) if isinstance(server, str) and server else default.server,
        name=name if isinstance(name, str) else "",
        token=token if isinstance(token, str) and token else None,
        theme="dark" if theme == "dark" else "light",
        font_size=(
            min(MAX_FONT, max(MIN_FONT, size))
            if isinstance(size, int) and not isinstance(size, bool)
            else default.font_size
        ),
    )
