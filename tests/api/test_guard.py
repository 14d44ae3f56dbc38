"""Limits every request meets (``api.guard``, ``fazhi.headers``), against real uvicorn on 127.0.0.1: bodies refused
before they are read, the token checked before the body, operator answers never cacheable by others, links
that do not echo the Host header, a header-read deadline, CSV cells that cannot run as formulas."""

from __future__ import annotations

import csv
import io
import socket
import time
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlalchemy import Engine

from api import create_app
from fazhi.service import api_server
from fazhi.settings import Settings
from store import Document, write_session
from store.documents import upsert_document
from tests.servers import LoopThread, free_port, running_app

pytestmark = pytest.mark.integration
TOKEN = "guard-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def store(db: Engine) -> Engine:
    with write_session(db) as session:
        for n, title in enumerate(['=HYPERLINK("http://127.0.0.2/x","点此")', "2023年法治政府建设年度报告"]):
            document = Document(
                id=f"{n + 1:x}" * 64,
                title=title,
                body=f"正文{n}",
                source="+来源",
                agency="@某局" if n else "-某局",
                url=f"http://127.0.0.2/{n}.html",
                source_name="guard",
                publish_date=date(2024, 1, n + 1),
            )
            upsert_document(session=session, document=document)
    return db


@pytest.fixture
def api(store: Engine) -> Iterator[str]:
    settings = Settings(api_token=TOKEN, public_url="https://fazhi.example/api")
    with running_app(create_app(engine=store, config=settings.api_config())) as base:
        yield base


def _raw(base: str, request: bytes, timeout: float = 10) -> bytes:
    """Send ``request`` (headers only: the announced body never comes) and read the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and b'"status"' in answer:
                break
        return answer


def _post_headers(token: str | None, length: int) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST /-/recrawl HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{auth}"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


@pytest.mark.parametrize(("token", "status"), [(None, b"401"), ("wrong", b"403"), (TOKEN, b"413")])
def test_a_huge_body_is_answered_before_it_is_read(api: str, token: str | None, status: bytes) -> None:
    started = time.monotonic()
    answer = _raw(api, _post_headers(token, 200 * 1024 * 1024))
    assert answer.split(b" ", 2)[1] == status, answer[:200]
    assert time.monotonic() - started < 5  # the server did not wait for 200 MB that never came


def test_a_chunked_body_over_the_limit_is_refused(api: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    response = httpx.post(f"{api}/-/recrawl", headers=AUTH, content=chunks())
    assert response.status_code == 413 and response.json()["status"] == 413


def test_a_body_within_the_limit_is_taken(api: str) -> None:
    response = httpx.post(f"{api}/-/recrawl", headers=AUTH, json={"sources": ["a" * 64] * 100})
    assert response.status_code == 400 and "unknown source" in response.json()["error"]  # read, then judged


def test_operator_answers_are_private_and_the_feed_revalidates(api: str) -> None:
    for method, path in (("GET", "/-/runs"), ("GET", "/-/sources"), ("POST", "/-/recrawl")):
        for headers in (AUTH, {}):
            response = httpx.request(method, f"{api}{path}", headers=headers)
            assert response.headers["cache-control"] == "private, no-store", (path, response.status_code)
    feed = httpx.get(f"{api}/changes")
    assert feed.headers["cache-control"] == "no-cache" and feed.headers["etag"]
    assert httpx.get(f"{api}/changes", headers={"If-None-Match": feed.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("path", ["/documents", "/reports"])  # the same links from every paged list
def test_links_come_from_the_public_url_not_the_host_header(api: str, path: str) -> None:
    response = httpx.get(f"{api}{path}", params={"limit": 1}, headers={"Host": "evil.example"})
    next_url = response.json()["next_url"]
    assert next_url == f"https://fazhi.example/api{path}?limit=1&cursor=seq.1"
    assert response.headers["link"] == f'<{next_url}>; rel="next"'


@pytest.mark.parametrize("path", ["/documents", "/reports"])
def test_without_a_public_url_links_are_relative(store: Engine, path: str) -> None:
    with running_app(create_app(engine=store, config=Settings().api_config())) as base:
        response = httpx.get(f"{base}{path}", params={"limit": 1}, headers={"Host": "evil.example"})
    next_url = response.json()["next_url"]
    assert (
        next_url == f"{path}?limit=1&cursor=seq.1" and response.headers["link"] == f'<{next_url}>; rel="next"'
    )


@pytest.mark.parametrize("path", ["/documents", "/reports"])
def test_the_last_page_links_nowhere(api: str, path: str) -> None:
    response = httpx.get(f"{api}{path}", params={"limit": 200})
    page = response.json()
    assert (
        page["items"] and page["next"] is None and page["next_url"] is None and "link" not in response.headers
    )


def test_csv_cells_cannot_run_as_formulas(api: str) -> None:
    text = httpx.get(f"{api}/documents.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    cells = [v for row in rows for v in row.values() if v]
    assert not [c for c in cells if c[0] in "=+-@\t\r"], cells
    assert "'=HYPERLINK(" in text and "'+来源" in text and "'@某局" in text and "'-某局" in text


@pytest.fixture
def served(store: Engine) -> Iterator[str]:
    """The service's own uvicorn server (``fazhi serve``'s), with a short header deadline."""
    settings = Settings(api_header_timeout=1.0, api_max_connections=3)
    server, port, runner = api_server(store, settings), free_port(), LoopThread()
    future = runner.submit(server.serve(sockets=[_listening(port)]))
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        future.result(timeout=10)
        runner.stop()


def _listening(port: int) -> socket.socket:
    from fazhi.net import bind_socket

    return bind_socket("127.0.0.1", port)


def test_slow_headers_are_cut_off(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server
        assert time.monotonic() - started < 8
    assert httpx.get(f"{served}/healthz").status_code == 200  # ordinary clients are unaffected


def test_the_service_limits_connections(served: str) -> None:
    host, port = served.removeprefix("http://").split(":")
    held = [socket.create_connection((host, int(port)), timeout=5) for _ in range(3)]
    try:
        time.sleep(0.2)  # accepted
        assert httpx.get(f"{served}/healthz").status_code == 503  # over FAZHI_API_MAX_CONNECTIONS (3)
    finally:
        for sock in held:
            sock.close()
