"""TLS: verified by default; a source may turn verification off or ask for legacy settings (both logged)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from crawler.errors import TLSFailure
from crawler.fetch import Fetcher, FetchPolicy, FetchResult, ssl_context
from tests.hostile import hostile_app
from tests.servers import LoopThread, free_port

DATA = Path(__file__).resolve().parents[1] / "data"  # a self-signed certificate for 127.0.0.1, for tests only


@pytest.fixture(scope="module")
def https_origin() -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        hostile_app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ssl_keyfile=str(DATA / "selfsigned.key"),
        ssl_certfile=str(DATA / "selfsigned.crt"),
    )
    server = uvicorn.Server(config)
    runner = LoopThread()
    future = runner.submit(server.serve())
    while not server.started:
        if future.done():
            raise RuntimeError(future.exception())
        asyncio.run(asyncio.sleep(0.01))
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        future.result(timeout=10)
        runner.stop()


def _fetch(url: str, **policy: object) -> FetchResult:
    async def main() -> FetchResult:
        settings = {"user_agent": "fazhi-tests", "allow_private_hosts": frozenset({"127.0.0.1"}), **policy}
        async with Fetcher(FetchPolicy(**settings)) as fetcher:  # type: ignore[arg-type]
            return await fetcher.fetch(url)

    return asyncio.run(main())


def test_self_signed_certificate_is_refused_by_default(https_origin: str) -> None:
    with pytest.raises(TLSFailure):
        _fetch(f"{https_origin}/ok")


def test_verify_false_accepts_it(https_origin: str) -> None:
    assert _fetch(f"{https_origin}/ok", verify=False).status == 200


def test_legacy_context_lowers_the_security_level() -> None:
    context = ssl_context(FetchPolicy(user_agent="x", tls="legacy"))
    assert context.options & getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)
    assert context.verify_mode == ssl.CERT_REQUIRED  # legacy is not unverified
    default = ssl_context(FetchPolicy(user_agent="x"))
    assert not default.options & getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)
    assert len(context.get_ciphers()) >= len(default.get_ciphers())
