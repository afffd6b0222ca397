"""Client addresses as the per-address limits count them, in the transport and the hub alike."""

from __future__ import annotations

import ipaddress


def address_key(host: str) -> str:
    """What per-address caps count ``host`` as: an IPv6 address's /64 network (one
    subscriber is handed a whole /64 and may use any address in it), an IPv4 address
    (also one seen as IPv4-mapped IPv6) as itself."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return host
