"""``api.responses``: one answer, one strong ETag; a changed answer (even of the same length), another."""

from __future__ import annotations

from api.responses import etag_of


def test_the_etag_follows_every_byte_of_the_answer() -> None:
    body = '{"ok":true,"title":"2023年法治政府建设年度报告"}'.encode()
    assert etag_of(body) == etag_of(bytes(body))
    tag = etag_of(body)
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    changed = {etag_of(body[:i] + bytes([body[i] ^ 1]) + body[i + 1 :]) for i in range(len(body))}
    swapped = etag_of(body.replace(b"2023", b"2032"))  # same bytes, another order
    assert len(changed) == len(body) and tag not in changed and swapped not in changed | {tag}
