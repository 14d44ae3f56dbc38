"""Differential check of the layout walk in C against the Python walk (the reference): on every page, the layout
of the body and of each anchor (``node_text``), and ``extract_report(...).to_dict()`` with containers on and off,
must be equal with the C walk on and off. tests/ingest/test_c_walk.py runs a small sample; the big run:

    FAZHI_SHARED=/work/shared .venv/bin/python -m tests.ingest.walkdiff [mutants per page, default 60]
"""

from __future__ import annotations

import dataclasses
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from ingest import DEFAULT_OPTIONS, blocks, extract_report, fastwalk

HERE = Path(__file__).resolve().parents[2]
GENERIC = dataclasses.replace(DEFAULT_OPTIONS, containers=())


def corpus() -> Iterator[tuple[str, bytes, str | None]]:
    """(name, page, content type) of every page the repository and ../shared hold."""
    for folder in (HERE / "tests/gold/pages", HERE / "tests/gold/unseen/pages"):
        for path in sorted(folder.glob("*.htm*")):
            yield path.name, path.read_bytes(), None
    from tests.gold import realpages

    if realpages.available():
        for page in realpages.load_pages():
            yield page.id, page.html, None
    from portalsim import build_portals

    for key, portal in sorted(build_portals(8801).items()):
        for path, page in sorted(portal.pages.items()):
            if "html" in (page.content_type or ""):
                yield f"{key}{path}", page.body, page.content_type
    yield from odd_pages()


def odd_pages() -> Iterator[tuple[str, bytes, None]]:
    para = "本机关坚持依法行政，全面推进法治政府建设。" * 3
    for depth in (1000, 100_000):
        yield f"font-{depth}", (f"<html><body>{'<font>' * depth}{para}</body></html>").encode(), None
        yield f"div-{depth}", (f"<html><body>{'<div><a href=x.pdf>' * (depth // 10)}{para}").encode(), None
    yield (
        "odd",
        (
            "<html><head><meta name=PubDate content=2024-01-02><title>t</title></head><body>"
            f"<noscript><a href=a.doc>a</a><meta name=x content=y></noscript><template><p>{para}</p></template>"
            f"<svg><title>s</title><a href=s.pdf>s</a><foreignObject><p>{para}</p></foreignObject></svg>"
            f"<math><mtext>{para}</mtext></math><my-box id=X class='Y Z'>{para}<br/>{para}</my-box>"
            "<?php x ?><!-- c --><![CDATA[ d ]]><p>&nbsp;&amp;&#x200b;&#xfeff;&#0;\u3000</p>"
            f"<table><td>{para}<td><a href='f.xlsx' title=T></a>\x00</table></body></html>"
        ).encode(),
        None,
    )
    yield (
        "bytes",
        b"<p>\xe4\xb8<b>\xad</b>\xff\xfe\xc3\x28\xed\xa0\x80\xf4\x90\x80\x80\x00<a>\xe4</a>\xb8\xad</p>",
        None,
    )
    yield "frameset", b"<html><frameset><frame src=a></frameset></html>", None
    yield "empty", b"", None


_SNIPPETS = (
    "<!-- x -->",
    "<?php echo 1 ?>",
    "<custom-el class='Q'>",
    "</custom-el>",
    "<svg><a href=s.pdf>s</a>",
    "</svg>",
    "<math><mi>",
    "<noscript><a href=n.doc>n</a>",
    "</noscript>",
    "<template><script>x</script><a href=t.doc>t</a>",
    "</template>",
    "\xa0\u3000\u200b\ufeff",
    "\x00",
    "&nbsp;&amp;&lt;&#x200B;&#65279;&#0;&bogus;",
    "<br>",
    "<p id='İD' class='ΣΑΣ'>",
    "<a href='x.pdf' title='附件'>",
    "</a>",
    "<meta name=PubDate content='2021-01-01'>",
    "<table><tr><td>",
    "<font><font><font>",
    "<![CDATA[c]]>",
    "<select><option>o</option></select>",
    "<textarea>",
    "<style>s{}</style>",
    "<script>var a = '<p>x</p>';</script>",
)
_BAD_BYTES = (b"\xff", b"\xe4\xb8", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\x80")


def mutants(page: bytes, count: int, rng: random.Random) -> Iterator[bytes]:
    """``count`` pages made from ``page`` by random edits: truncation, tag deletion or duplication, snippets of
    odd markup, invalid UTF-8, deep nesting."""
    tags = [i for i in range(len(page)) if page[i : i + 1] == b"<"] or [0]
    for _ in range(count):
        out = bytearray(page)
        for _ in range(rng.randint(1, 6)):
            choice = rng.random()
            at = rng.choice(tags) if tags and rng.random() < 0.7 else rng.randrange(len(out) + 1)
            at = min(at, len(out))
            if choice < 0.1:
                out = out[: rng.randrange(len(out) + 1)]
            elif choice < 0.3:
                end = out.find(b">", at)
                if end != -1:
                    piece = out[at : end + 1]
                    out[at : end + 1] = piece * rng.choice((0, 2, 3))
            elif choice < 0.7:
                out[at:at] = rng.choice(_SNIPPETS).encode()
            elif choice < 0.85:
                out[at:at] = rng.choice(_BAD_BYTES)
            else:
                tag = rng.choice((b"<font>", b"<div>", b"<span>", b"<a>", b"<td>", b"<li>", b"<b>"))
                out[at:at] = tag * rng.choice((10, 200, 3000))
        yield bytes(out)


def _summary(layout: blocks.Layout) -> tuple:
    nodes = ([(n.mem_id, n.tag) for n in found] for found in (layout.anchors, layout.metas, layout.stripped))
    return (layout.tags, layout.parents, layout.mem_ids, layout.attrs, layout.lines, *nodes)


def _same_layouts(page: bytes) -> bool:
    """Both walks over one tree (node addresses are the tree's): the body and each anchor."""
    tree = LexborHTMLParser(page)
    if tree.body is None:
        return True
    for root in (tree.body, *tree.body.css("a")):
        blocks.use_c_walk(True)
        found = blocks.layout(root)
        blocks.use_c_walk(False)
        expected = blocks.layout(root)
        if _summary(found) != _summary(expected):
            return False
        if found.hrefs != [fastwalk.href(node) for node in expected.anchors]:
            return False
    return True


def _reports(page: bytes, content_type: str | None) -> list[dict]:
    url = "http://127.0.0.2/2024-01/02/content_1.html"
    return [
        extract_report(page, url, content_type=content_type, options=options).to_dict()
        for options in (DEFAULT_OPTIONS, GENERIC)
    ]


def differences(page: bytes, content_type: str | None = None) -> list[str]:
    """What differs between the C walk and the Python walk on ``page`` (empty: nothing)."""
    out = []
    was = blocks.use_c_walk(True)
    if blocks.walk_in_use() != "c":
        return ["the C walk is off"]
    try:
        if not _same_layouts(page):
            out.append("layout")
        blocks.use_c_walk(True)
        fast = _reports(page, content_type)
        blocks.use_c_walk(False)
        if fast != _reports(page, content_type):
            out.append("report")
    finally:
        blocks.use_c_walk(was)
    return out


def main(per_page: int = 60) -> int:
    if blocks.walk_in_use() != "c":
        print("the C walk is off: nothing to compare")
        return 1
    rng = random.Random(20261202)
    pages = mutated = 0
    failed: list[str] = []
    for name, page, content_type in corpus():
        pages += 1
        if differences(page, content_type):
            failed.append(name)
        if len(page) > 3_000_000:
            continue
        for index, mutant in enumerate(mutants(page, per_page, rng)):
            mutated += 1
            if differences(mutant, content_type):
                failed.append(f"{name}#{index}")
                Path(f"/tmp/walkdiff-{len(failed)}.html").write_bytes(mutant)
    print(f"{pages} pages, {mutated} mutants: {len(failed)} with a difference {failed[:20]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:])))
