"""Style sheets cut out before the parse: ``<style>…</style>`` keeps its tags and loses its text.

No stage reads a style sheet (the walk strips ``<style>`` elements), yet the parser reads every character of one,
and some pages are 90 % CSS. The cut must leave the parsed tree exactly as it was, style text aside, so a
``<style`` counts only where the HTML tokenizer itself would start a style element and switch to RAWTEXT. The
scanner follows the tokenizer (WHATWG HTML § 13.2.5) from the start of the page and cuts only while it knows its
state exactly:

- text, comments (``<!-->``, ``<!--->``, ``--!>``), ``<!…>`` and ``<?…>`` declarations, ``</>`` and bogus end
  tags, and every other start or end tag with its attributes (quoted values may hold ``>`` or ``<style>``) pass in
  one C-level regex match (``_RUN``), so Python runs once per special element, not once per tag;
- the elements whose text is raw (``<script>`` with its escaped and double-escaped states, ``<textarea>``,
  ``<title>``, ``<xmp>``, ``<iframe>``, ``<noembed>``, ``<noframes>``) are passed over to their own end tag, whose
  ``</style>`` inside them is text; the parser runs with scripting off, so ``<noscript>`` holds markup;
- where a ``<style>`` would not start RAWTEXT, or the scanner's model ends — ``<svg>`` and ``<math>`` (foreign
  content), ``<select>``, ``<frameset>``, ``<plaintext>``, an unterminated tag, comment or raw element — it stops
  and leaves the rest of the page as it is.

A style ends at the first ``</style`` (ASCII case-insensitively) followed by white space, ``/`` or ``>``, whatever
comes before it (a ``</style>`` inside a CSS comment or string ends the element for the parser too). Works on the
decoded text, and on UTF-8 bytes (an ASCII byte is never part of a multi-byte character there).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

Markup = TypeVar("Markup", str, bytes)

# The cut pays where the parser's read of the style text costs more than the scan up to it. Measured: the scan
# costs about three times per character of other markup what the parser spends per character of style text.
# Pages put their big style sheets in the head, so the scan stops after the last style whose cut still pays
# (mostly a few dozen tags in), and the search for styles stops where none follows within ``_REACH``.
_SCAN_COST = 3
_MIN_GAIN = 32768  # characters of style text, net of the scan, below which nothing is cut (0.1 ms of parse)
_REACH = 16384
_WS = r"\t\n\f\r "  # the tokenizer's white space (CR is LF by then)
_NAME = rf"[A-Za-z][^{_WS}/>]*+"
# An attribute: its name ("=" may be its first character), then its value when an "=" follows. Atomic: a quote
# that opens a value must close it, or the tag never ends (a quote elsewhere, inside a name, opens nothing).
_ATTR = (
    rf"(?>(?:=[^{_WS}/>=]*+|[^{_WS}/>=]++)"
    rf"""(?:[{_WS}]*+=[{_WS}]*+(?:"[^"]*+"|'[^']*+'|(?!["'])[^{_WS}>]*+)|(?![{_WS}]*+=)))"""
)
_TAG_REST = rf"(?:[{_WS}/]++|{_ATTR})*+>"
_SPECIAL = "s(?:tyle|cript|elect|vg)|t(?:extarea|itle)|xmp|iframe|no(?:embed|frames)|plaintext|math|frameset"
_RUN_SOURCE = (
    r"(?:[^<]++|<(?:"
    rf"(?!(?i:{_SPECIAL})[{_WS}/>]){_NAME}{_TAG_REST}"  # a start tag of no special element
    rf"|/{_NAME}{_TAG_REST}"  # an end tag, whatever its name
    r"|!--(?:>|->|[\s\S]*?--!?>)"  # a comment
    r"|!(?!--)[^>]*+>"  # a doctype, or a bogus comment (CDATA outside foreign content is one)
    r"|\?[^>]*+>"
    r"|/>"  # nothing
    r"|/(?![A-Za-z>])[^>]*+>"
    r"|(?![A-Za-z/!?])"  # a "<" that opens nothing: text
    r"))*+"
)
_START_SOURCE = rf"<({_NAME}){_TAG_REST}"
_RAW = ("style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")  # RAWTEXT and RCDATA


def _either_case(name: str) -> str:
    """``name`` in ASCII upper or lower case, letter by letter (re.IGNORECASE would make the searches slow)."""
    return "".join(f"[{char}{char.upper()}]" for char in name)


class _Patterns:
    """The scanner's patterns for ``str`` or for ``bytes``: the same sources, case-insensitive in ASCII only
    (``re.ASCII``: no ``ſ`` for ``s``, no Kelvin sign for ``k``)."""

    def __init__(self, kind: type[str] | type[bytes]) -> None:
        def compiled(source: str, flags: int = 0) -> re.Pattern[Any]:
            if kind is bytes:
                return re.compile(source.encode("ascii"), flags)
            return re.compile(source, flags | re.ASCII)

        self.run = compiled(_RUN_SOURCE)
        self.start = compiled(_START_SOURCE)
        self.slash: Any = "/" if kind is str else b"/"
        self.names: dict[str, Any] = {name: name if kind is str else name.encode() for name in _RAW}
        self.terminators: Any = frozenset("\t\n\f\r />" if kind is str else b"\t\n\f\r />")
        script = _either_case("script")
        self.script = compiled(rf"<(?:!--|/{script}[{_WS}/>])")
        self.escaped = compiled(rf"-->|<(/?){script}[{_WS}/>]")
        self.double = compiled(rf"-->|</{script}[{_WS}/>]")
        self.lt: Any = "<" if kind is str else b"<"
        self.dash: Any = "-" if kind is str else b"-"
        self.opens: Any = ("<style", "<STYLE") if kind is str else (b"<style", b"<STYLE")


_STR, _BYTES = _Patterns(str), _Patterns(bytes)


def without_style_text(markup: Markup) -> Markup:
    """``markup`` with the text of its style elements removed (``markup`` itself when the cut would not pay)."""
    patterns = _STR if isinstance(markup, str) else _BYTES
    limit = _scan_limit(markup, patterns)
    if not limit:
        return markup
    pieces: list[Markup] = []
    done = position = 0
    while position < limit:
        ran = patterns.run.match(markup, position, limit)  # always matches: the run may be empty
        position = ran.end() if ran else position
        start = patterns.start.match(markup, position)
        if start is None:  # the end of the scan, or a construct the scanner does not model
            break
        name = _tag_name(start.group(1))
        if name == "script":
            end = _script_end(markup, start.end(), patterns)
        elif name in _RAW:
            end = _raw_end(markup, name, start.end(), patterns)
        else:  # select, svg, math, frameset, plaintext: a style there is not RAWTEXT, or nothing ends
            break
        if end < 0:  # raw text to the end of the page
            break
        if name == "style" and end > start.end():
            pieces.append(markup[done : start.end()])
            done = end
        position = end
    if not pieces:
        return markup
    pieces.append(markup[done:])
    return markup[:0].join(pieces)


def _scan_limit(markup: Markup, patterns: _Patterns) -> int:
    """Where the scan may stop: the end of the style after which the style text cut, less the cost of scanning
    the rest, is largest; 0 when that gain is under ``_MIN_GAIN``. Looks for ``<style``, or for ``<STYLE`` on a
    page whose first ``_REACH`` characters spell one so: a style spelt otherwise is left uncut, never cut wrongly.
    Each is taken for a style here; the scan decides whether it is one."""
    if len(markup) < _MIN_GAIN:
        return 0
    lower, upper = patterns.opens
    opener = upper if markup.find(upper, 0, _REACH) >= 0 else lower
    best, limit, chars, position = _MIN_GAIN, 0, 0, 0
    while True:
        # Were all the rest style text, a later style could gain at most this much: stop when it would not pay
        # (a page with many small styles in much other markup is decided after its first few).
        if (1 + _SCAN_COST) * (chars - position) + len(markup) <= best:
            return limit
        start = markup.find(opener, position, position + _REACH)
        if start < 0:
            return limit
        end = _raw_end(markup, "style", start + 6, patterns)
        end = end if end >= 0 else len(markup)
        chars += end - start - 6
        gain = chars - _SCAN_COST * (end - chars)
        if gain > best:
            best, limit = gain, end
        position = end


def _raw_end(markup: Markup, name: str, position: int, patterns: _Patterns) -> int:
    """Where the RAWTEXT or RCDATA element ``name`` whose text starts at ``position`` ends (its ``</name``
    followed by white space, "/" or ">", in any ASCII case), or -1. A C search (memchr) from "<" to "<": style
    sheets hold few."""
    wanted, size, terminators = patterns.names[name], len(name), patterns.terminators
    while True:
        found = markup.find(patterns.lt, position)
        if found < 0:
            return -1
        written = markup[found + 1 : found + 3 + size]  # "/", the name, the character after it
        if (
            written[:1] == patterns.slash
            and written[1:-1].isascii()
            and written[1:-1].lower() == wanted
            and len(written) == size + 2
            and written[-1] in terminators
        ):
            return found
        position = found + 1


def _tag_name(name: str | bytes) -> str:
    """The name as the tokenizer keeps it: ASCII letters lowered, nothing else (a name with other characters
    is none of the special ones)."""
    text = name.decode("latin-1") if isinstance(name, bytes) else name
    return text.lower() if text.isascii() else text


def _script_end(markup: Markup, position: int, patterns: _Patterns) -> int:
    """Where the script whose text starts at ``position`` ends (its ``</script``), or -1: the tokenizer's script
    data, escaped (after ``<!--``) and double-escaped (a ``<script>`` inside the escape) states."""
    while True:  # script data: "<!--" opens the escape, "</script" ends the script
        found = patterns.script.search(markup, position)
        if found is None:
            return -1
        if not found.group(0).endswith(patterns.dash):  # "</script…"
            return found.start()
        position = found.end() - 2  # in the escape's "--" already: "<!-->" closes it at once
        while True:  # escaped: "-->" closes it, "</script" ends the script, "<script" doubles the escape
            found = patterns.escaped.search(markup, position)
            if found is None:
                return -1
            if found.group(0).startswith(patterns.dash):
                position = found.end()
                break
            if found.group(1):
                return found.start()
            double = patterns.double.search(markup, found.end())  # double-escaped: "</script" is text
            if double is None:
                return -1
            position = double.end()
            if double.group(0).startswith(patterns.dash):  # "-->": back to script data
                break
