"""Serve the five simulated portals from one process: one uvicorn server per loopback address."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from html import escape

import uvicorn

from portalsim import hanweb, nfcms, trs
from portalsim.hostile import hostile as hostile_portal
from portalsim.portal import Portal

DEFAULT_PORT = 8801
HOSTS = {
    "liangjiang": "127.0.0.11",
    "hedong": "127.0.0.12",
    "dongguan": "127.0.0.13",
    "jianghai": "127.0.0.14",
    "huzhou": "127.0.0.15",
}
HOSTILE_HOST = "127.0.0.16"  # the hostile portal: tests only
_BUILDERS: dict[str, Callable[[str], Portal]] = {
    "liangjiang": trs.chongqing,
    "hedong": trs.tianjin,
    "dongguan": nfcms.dongguan,
    "jianghai": nfcms.jianghai,
    "huzhou": hanweb.huzhou,
}


def build_portals(port: int = DEFAULT_PORT, *, hostile: bool = False) -> dict[str, Portal]:
    """Build the five portals (and the hostile one for tests); ``host`` is ``address:port``."""
    portals = {key: build(f"{HOSTS[key]}:{port}") for key, build in _BUILDERS.items()}
    if hostile:
        portals["hostile"] = hostile_portal(f"{HOSTILE_HOST}:{port}")
    for portal in portals.values():
        portal.add_html("/index.html", _home_page(portal))
    return portals


def _home_page(portal: Portal) -> str:
    columns = "".join(f'<li><a href="{path}">{escape(portal.name)}</a></li>' for path in portal.start_paths)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(portal.name)}</title></head><body>'
        f"<h1>{escape(portal.name)}</h1><p>模拟门户 ({escape(portal.platform)})</p><ul>{columns}</ul></body></html>"
    )


class PortalsError(RuntimeError):
    """The simulated portals could not start (an address is taken, or loopback aliases are missing)."""


def _bind(address: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # like nginx's tcp_nodelay: without it, uvicorn's separate header and body writes on a kept-alive connection
    # meet the client's delayed ACK and every response waits ≈ 40 ms (accepted sockets inherit the option)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((address, port))
    except OSError as exc:
        sock.close()
        raise PortalsError(
            f"cannot listen on {address}:{port} ({exc.strerror}); another `fazhi portals` or `fazhi run` may be"
            " running: stop it or choose another port with --portal-port"
        ) from exc
    sock.listen(128)
    sock.setblocking(False)
    return sock


def bind_portals(portals: dict[str, Portal], port: int) -> list[socket.socket]:
    """Bind every portal's address first, so that a taken port fails fast with a clear message."""
    sockets: list[socket.socket] = []
    try:
        for portal in portals.values():
            sockets.append(_bind(portal.host.rsplit(":", 1)[0], port))
    except PortalsError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


async def serve_portals(portals: dict[str, Portal], port: int, started: asyncio.Event | None = None) -> None:
    """Serve until cancelled. ``started`` is set once every portal accepts connections."""
    sockets = bind_portals(portals, port)
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                p, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
            )
        )
        for p in portals.values()
    ]
    tasks = [asyncio.create_task(s.serve(sockets=[sock])) for s, sock in zip(servers, sockets, strict=True)]
    try:
        while not all(s.started for s in servers):
            await asyncio.sleep(0.02)
        if started is not None:
            started.set()
        await asyncio.gather(*tasks)
    finally:
        for s in servers:
            s.should_exit = True
        await asyncio.gather(*tasks, return_exceptions=True)
        for sock in sockets:
            sock.close()


async def start_portals(portals: dict[str, Portal], port: int) -> asyncio.Task[None]:
    """Serve ``portals`` in a task, returned once every portal accepts connections; the error that stopped it
    first (a port already taken: :class:`PortalsError`) is raised instead."""
    started = asyncio.Event()
    serving = asyncio.create_task(serve_portals(portals, port, started))
    ready = asyncio.create_task(started.wait())
    await asyncio.wait({serving, ready}, return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        ready.cancel()
        serving.result()
    return serving
