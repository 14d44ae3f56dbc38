"""The loopback guard: tests may connect to 127.0.0.0/8 and ::1 only, and resolve nothing but loopback names."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class ForeignAddress(AssertionError):
    pass


def is_loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    host = host.strip("[]").split("%", 1)[0]
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        try:  # numeric spellings the resolver parses without DNS: 2130706433, 0x7f000001, 127.1
            return socket.inet_aton(host)[0] == 127
        except OSError:
            return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _check(address: Any) -> None:
    if isinstance(address, tuple) and not is_loopback(address[0]):
        raise ForeignAddress(f"test tried to reach {address!r}: only 127.0.0.0/8 and ::1 are allowed")


@contextmanager
def loopback_only() -> Iterator[None]:
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check(address)
        return original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check(address)
        return original_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not is_loopback(host.decode() if isinstance(host, bytes) else host):
            raise ForeignAddress(f"test tried to resolve {host!r}: only loopback names are allowed")
        return original_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = original_getaddrinfo
