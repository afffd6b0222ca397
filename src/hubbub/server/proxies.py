"""Who is really at the other end: the client's address behind trusted reverse proxies.

A proxy (nginx) connects to hubbub itself and names the client it serves in
``X-Forwarded-For``, appending to whatever the client claimed there. So the header is read
only when the peer is a ``--trusted-proxy``, and from the right (an entry may carry a
port, which is dropped): each trusted hop is
skipped, and the first address that is not a trusted proxy is the client's. Anything to
its left was written by the client and is ignored. Per-address limits and sign-in
throttles key on the host part of the address this gives; the connection caps count an
IPv6 client by its /64 network (:func:`hubbub.addresses.address_key`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
"""Headers that say a request came through a proxy."""


class TrustedProxies:
    """The ``--trusted-proxy`` addresses and networks."""

    __slots__ = ("_networks",)

    def __init__(self, networks: Iterable[Network] = ()) -> None:
        self._networks = tuple(networks)

    def __contains__(self, host: object) -> bool:
        if not self._networks or not isinstance(host, str):
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack socket's view of an IPv4 peer
        return any(address in network for network in self._networks)


def parse_network(text: str) -> Network:
    """``127.0.0.1``, ``10.0.0.0/8`` or ``::1``; ValueError otherwise."""
    return ipaddress.ip_network(text.strip(), strict=False)


def transport_peer(request: web.Request) -> tuple[str, int] | None:
    """The TCP peer's host and port, if the request still has its socket."""
    peername = request.transport.get_extra_info("peername") if request.transport else None
    if isinstance(peername, tuple) and len(peername) >= 2:
        return str(peername[0]), int(peername[1])
    return None


def client_peer(request: web.Request, trusted: TrustedProxies) -> str:
    """The client's ``host:port``; behind a trusted proxy ``host:0`` (its port is not passed on)."""
    peer = transport_peer(request)
    if peer is None:
        return request.remote or "-"
    host, port = peer
    if host not in trusted:
        return f"{host}:{port}"
    client = host
    for hop in reversed(_forwarded_hops(request)):
        address = _hop_address(hop)
        if address is None:
            break
        client = address
        if client not in trusted:
            break
    return f"{client}:0"


def _hop_address(hop: str) -> str | None:
    """The address in one ``X-Forwarded-For`` entry: ``1.2.3.4``, ``2001:db8::1``, or with
    the port some proxies add (``1.2.3.4:5678``, ``[2001:db8::1]:5678``); None if it is
    none of these."""
    candidates = [hop]
    if hop.startswith("["):
        candidates = [hop[1:].partition("]")[0]]
    elif hop.count(":") == 1:
        candidates.append(hop.partition(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def _forwarded_hops(request: web.Request) -> list[str]:
    return [
        hop.strip()
        for header in request.headers.getall("X-Forwarded-For", ())
        for hop in header.split(",")
    ]


def from_this_machine(request: web.Request) -> bool:
    """A loopback peer that relays nobody: a person (or ``hubbub status``) on the server.

    A proxy on the same machine connects from loopback too, so a request that names a
    client in a proxy header is never local: a proxy in front of hubbub must set
    ``X-Forwarded-For`` (docs/nginx.conf does), trusted or not.
    """
    peer = transport_peer(request)
    if peer is None or any(header in request.headers for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(peer[0]).is_loopback
    except ValueError:
        return False
