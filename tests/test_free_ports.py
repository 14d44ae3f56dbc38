"""Under pytest-xdist (`make test`), each test process picks free ports of its own residue: two processes never
race for one port between finding it free and binding it."""

from __future__ import annotations

import socket

import pytest

from tests.servers import free_port


@pytest.mark.parametrize(("worker", "count"), [("gw0", 2), ("gw1", 2), ("gw2", 3), ("gw3", 4)])
def test_a_test_process_takes_ports_of_its_own_residue(
    monkeypatch: pytest.MonkeyPatch, worker: str, count: int
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", str(count))
    ports = {free_port(("127.0.0.1", "127.0.0.2")) for _ in range(20)}
    assert {port % count for port in ports} == {int(worker[2:])}


def test_outside_xdist_free_port_is_any_bindable_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    port = free_port(("127.0.0.1", "127.0.0.2"))
    for host in ("127.0.0.1", "127.0.0.2"):
        with socket.socket() as s:
            s.bind((host, port))
