"""Listening sockets bound up front, so that a taken port fails at once with a message that says what to do."""

from __future__ import annotations

import socket


class PortInUse(RuntimeError):
    pass


def bind_socket(host: str, port: int, *, hint: str = "--port") -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted sockets inherit it: a response's header and body writes must not wait for a delayed ACK (≈ 40 ms)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PortInUse(
            f"cannot listen on {host}:{port} ({exc.strerror}): stop what uses it or pass {hint}"
        ) from exc
    sock.listen(2048)
    sock.setblocking(False)
    return sock
