"""The transport: aiohttp routes, WebSocket connections, and the running chat server."""

from hubbub.server.app import create_app
from hubbub.server.config import Config
from hubbub.server.server import ChatServer

__all__ = ["ChatServer", "Config", "create_app"]
