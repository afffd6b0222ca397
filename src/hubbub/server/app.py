"""The HTTP side: the aiohttp application, its routes, and the server's lifetime.

``GET /`` is the browser client (``hubbub/web``, files under ``/static/``);
``GET /ws`` upgrades to the chat protocol; ``GET /healthz`` says the server is up;
``GET /status`` lists who is connected (the broadcast chat's server console), and
``GET /metrics`` gives the server's counters in Prometheus's format (server/metrics.py),
both to requests from this machine only (not through a proxy); ``--metrics-public``
opens ``/metrics`` to everyone.

A WebSocket opened by a web page carries the page's ``Origin``: only the server's own
pages (and ``--allowed-origin`` ones) may open one, so a page elsewhere cannot use a
visitor's browser to talk to hubbub. Clients that are not browsers send no ``Origin``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from hubbub import __version__
from hubbub.server.admission import Admission
from hubbub.server.config import Config
from hubbub.server.memory import Trimmer
from hubbub.server.metrics import CONTENT_TYPE, Metrics
from hubbub.server.proxies import client_peer, from_this_machine
from hubbub.server.server import ChatServer
from hubbub.server.websocket import HandedOver, accept_key, take_over
from hubbub.store import default_url, open_store

CONFIG = web.AppKey("config", Config)
SERVER = web.AppKey("server", ChatServer)
ADMISSION = web.AppKey("admission", Admission)
METRICS = web.AppKey("metrics", Metrics)
TRIMMER = web.AppKey("trimmer", Trimmer)
WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""The page runs only hubbub's own files and talks only to its own server."""


def create_app(config: Config) -> web.Application:
    app = web.Application()
    app[CONFIG] = config
    connections = config.connections
    if not config.limits.enabled:
        connections = connections.per_address_off()
    app[METRICS] = metrics = Metrics()
    app[ADMISSION] = Admission(connections, config.trusted_proxies, metrics.refused_connection)
    app[TRIMMER] = Trimmer()
    app.router.add_get("/", index)
    app.router.add_static("/static/", WEB_DIR)
    app.router.add_get("/ws", websocket_endpoint)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/status", status)
    app.router.add_get("/metrics", metrics_page)
    app.cleanup_ctx.append(_lifetime)
    app.on_response_prepare.append(_headers)
    app.on_shutdown.append(_close_connections)
    return app


async def _lifetime(app: web.Application) -> AsyncIterator[None]:
    """Open the store and start the server; at the end, let pending commits finish."""
    config = app[CONFIG]
    store = await open_store(config.database or default_url(config.data_dir))
    server = ChatServer(app[CONFIG], store, app[METRICS])
    try:
        await server.start()
    except BaseException:
        await store.close()
        raise
    app[SERVER] = server
    irc = None
    if config.irc is not None:
        from hubbub.irc import IrcListener

        irc = IrcListener(server, config.irc)
        await irc.start()
    # Everything loaded so far (modules, classes, the schema) lives as long as the
    # process: leave it out of every later full collection, which would walk it again.
    gc.freeze()
    yield
    if irc is not None:
        await irc.stop()
    app[TRIMMER].stop()
    await server.close()
    await store.close()


async def _close_connections(app: web.Application) -> None:
    await app[SERVER].shutdown()


async def websocket_endpoint(request: web.Request) -> HandedOver:
    """Check the handshake, then hand the socket to hubbub's own WebSocket (websocket.py)."""
    server = request.app[SERVER]
    if not _origin_allowed(request, server.config.allowed_origins):
        raise web.HTTPForbidden(
            text="this page's origin may not open a WebSocket here (see --allowed-origin)"
        )
    accept = accept_key(request)
    peer = client_peer(request, server.config.trusted_proxies)
    host = peer.rsplit(":", 1)[0]
    admission = request.app[ADMISSION]
    if not admission.take_websocket(host):
        raise web.HTTPTooManyRequests(
            text=f"your address already has {admission.limits.connections_per_address} "
            "chat connections open here; close one first"
        )
    try:
        handed_over = take_over(request, server, admission, accept, peer, host)
    except BaseException:
        admission.release_websocket(host)
        raise
    request.app[TRIMMER].opened()
    return handed_over


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Server"] = "hubbub"
    # One request per connection: only the first request's headers are timed
    # (admission.py), so a kept-alive one could send its next headers forever. (The
    # WebSocket's 101 is written by websocket.py, not through aiohttp.)
    response.force_close()
    response.headers["Connection"] = "close"
    if request.path == "/" or request.path.startswith("/static/"):
        response.headers.update(PAGE_HEADERS)


async def healthz(request: web.Request) -> web.Response:
    server = request.app[SERVER]
    return web.json_response(
        {"ok": True, "version": __version__, "connections": len(server.hub.links())}
    )


async def status(request: web.Request) -> web.Response:
    if not from_this_machine(request):
        raise web.HTTPForbidden(text="the status page answers requests from this machine only")
    return web.json_response(request.app[SERVER].status())


async def metrics_page(request: web.Request) -> web.Response:
    if not (request.app[CONFIG].metrics_public or from_this_machine(request)):
        raise web.HTTPForbidden(
            text="the metrics answer requests from this machine only (see --metrics-public)"
        )
    return web.Response(
        body=request.app[METRICS].exposition(), headers={"Content-Type": CONTENT_TYPE}
    )


def _origin_allowed(request: web.Request, allowed: tuple[str, ...]) -> bool:
    """No Origin (not a browser), the server's own host, or one of ``allowed``."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if origin.rstrip("/") in allowed:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()
