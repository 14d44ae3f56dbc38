"""Bytes → text. Headers and ``<meta charset>`` are hints, not facts (STACK-NOTES 6, 7).

Order: BOM → strict UTF-8 → the declared charset (header, then ``<meta>``) when it is one Chinese pages use →
strict GB18030 → any other declared charset → UTF-8 with replacement. GB2312 and GBK are read as GB18030 (their
superset), so rare characters (镕, 堃, 喆) survive. A declared EBCDIC (cp500), UTF-7 or Western single-byte charset
"decodes" anything into mojibake: on a Chinese site it is a mislabel, so it comes after GB18030.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-]+)", re.I)
# Charsets a Chinese page really uses: tried as declared, before GB18030.
_CHINESE_WEB = {
    "utf-8",
    "gb18030",
    "big5",
    "big5hkscs",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "hz",
    "iso2022_jp",
}
_GB_FAMILY = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn", "hz-gb-2312"}


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return _canonical(match.group(1)) if match else None


def meta_charset(content: bytes) -> str | None:
    match = _META_CHARSET.search(content[:8192])
    return _canonical(match.group(1).decode("ascii")) if match else None


def decode_html(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, charset used)``."""
    text, charset, _ = decode_page(content, content_type)
    return text, charset


_PIECE = 16384  # bytes of UTF-8 checked at a time


def utf8_head(content: bytes, chars: int) -> str | None:
    """The first ``chars`` characters of ``content`` (all of it when shorter), or ``None`` unless
    ``decode_page`` would read it as exact UTF-8 (no BOM, every byte strict UTF-8). Checked piece by piece,
    each ending before a "<" (a byte never inside a character): a piece of ASCII alone (a style sheet, a script)
    decodes at memory speed, where one string of the whole page would widen every ASCII byte to two."""
    if content.startswith(codecs.BOM_UTF8):
        return None
    head: list[str] = []
    held, start, size, view = 0, 0, len(content), memoryview(content)
    try:
        while start < size:
            end = content.find(b"<", start + _PIECE)
            end = end if end >= 0 else size
            text = str(view[start:end], "utf-8")
            if held < chars:
                head.append(text)
                held += len(text)
            start = end
    except UnicodeDecodeError:
        return None
    return "".join(head)


def decode_page(content: bytes, content_type: str | None = None) -> tuple[str, str, bool]:
    """``(text, charset used, whether content is exactly text's UTF-8)``: such bytes can go to the parser as
    they are, without encoding the text again."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if content.startswith(bom):
            return content[len(bom) :].decode(name, "replace"), name, False
    try:  # UTF-8 is tried first whatever is declared
        return content.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError:
        pass
    declared = [c for c in (header_charset(content_type), meta_charset(content)) if c]
    trusted = [c for c in declared if c in _CHINESE_WEB]
    for name in dict.fromkeys([*trusted, "gb18030", *declared]):
        if name == "utf-8":
            continue
        try:
            return content.decode(name), name, False
        except (UnicodeDecodeError, LookupError):
            continue
    return content.decode("utf-8", "replace"), "utf-8", False
