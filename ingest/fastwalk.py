"""The gate of the layout walk in C (``ingest/_walk.c``, module ``ingest._walk``).

``blocks.layout`` uses the C walk only when all of these hold, and the Python walk (the reference) otherwise,
silently, with the same result:

- the module is built (``pip install -e .`` compiles it; a failed compile leaves it out) and
  ``FAZHI_PYTHON_WALK`` is unset or ``0``;
- selectolax and the lexbor it bundles are a version the C walk was checked against (``VERIFIED``): it reads
  lexbor's node structs and selectolax's ``LexborNode`` objects directly;
- at import, the structs read the same as lexbor's exported accessors read them on probe pages, and the C walk's
  result on each probe page (text, blocks, attributes, anchors, metas, ``<noscript>``, comments, processing
  instructions, templates, foreign content, invalid UTF-8) equals the Python walk's.

Which walk runs: ``ingest.blocks.walk_in_use()`` (``"c"`` or ``"python"``).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import selectolax
from selectolax import lexbor
from selectolax.lexbor import LexborHTMLParser, LexborNode

# (selectolax.__version__, LEXBOR_VERSION_MAJOR, LEXBOR_VERSION_MINOR) whose struct layouts _walk.c mirrors
VERIFIED = frozenset({("1.0.2", 3, 1)})
_FUNCTIONS = (  # in the order _walk.setup takes them
    "lxb_dom_element_first_attribute_noi",
    "lxb_dom_element_next_attribute_noi",
    "lxb_dom_attr_qualified_name",
    "lxb_dom_attr_value_noi",
    "lxb_dom_node_tag_id_noi",
    "lxb_dom_node_first_child_noi",
    "lxb_dom_node_next_noi",
    "lxb_dom_node_parent_noi",
    "lxb_dom_node_type_noi",
)
PROBES: tuple[str | bytes, ...] = (
    "<p>one <b>two</b><br>three</p><div id='Main' class='A b'>x<p>y</p>z</div>",
    "<ul><li><a href='/a.pdf' title=t>附件 <span>一</span></a></li><li>no <a name=x></a> link</li></ul>"
    "<a>a<a>b</a></a><p><a href=1></a><a href=2>t</a> after</p><a HREF=' x.doc ' href=y>u</a><a href>v</a>"
    "<svg><a xlink:href=s.pdf href=h>s</a></svg>",
    "<div>\n  <!-- c --> <?php echo 1; ?>text\xa0\u3000\u200b\ufeff<meta name=k content=v>"
    "<noscript><a href=n>n</a><meta name=n><style>s</style></noscript></div>",
    "<table><tr><td>a<td>b<br><br>c</td></tr></table><template><a href=t>t</a><script>1</script></template>"
    "<svg><a href=s>svg</a><input><p>out</p></svg><math><mi>x</mi></math><custom-el x=1>c</custom-el>",
    "<section ID=Up CLASS='İ Ǆ Σ'><h1 class>t</h1><p id=''>e</p><p id=a id=b>d</p></section>"
    "<script>var a='<p>x</p>'</script><select><option>o</select><textarea>ta</textarea><object>ob</object>",
    # white space that str.strip takes and _HTML_SPACE does not, at a line's ends and in a link's text
    "<p>\x1c\x85a\u2028</p><p>\u1680b <a href=x>\u2000l\u2029</a>\u202f</p><div>\u205f\x1fc\x1e<br>\u200a\x1d</div>"
    "<li><a href=y>\u2028</a>\u3000\u2007z\u2008</li>",
    b"<p>\xe4\xb8<b>\xad</b>\xff\xfe ok \xc3\x28 \xed\xa0\x80 \xf4\x90\x80\x80\x00end</p>",  # lexbor keeps them
)


def href(node: LexborNode) -> str | None:
    """An anchor's ``href`` as ``fields._hrefs`` reads it (``""``: without a value; ``None``: none)."""
    try:
        return node.attrs["href"] or ""
    except KeyError:
        return None


def source_hash(folder: Path) -> str:
    """SHA-256 of the C walk's sources in ``folder`` (``_walk*.c`` and ``_walk*.h``, by name), as hatch_build.py
    compiles it into the module; empty where the sources are not there (an installed wheel)."""
    files = sorted([*folder.glob("_walk*.c"), *folder.glob("_walk*.h")])
    if not files:
        return ""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _same(found: Any, expected: Any) -> bool:
    """Equal layouts: the same lists, and the same nodes (by address and parser) collected."""
    for name in ("tags", "parents", "mem_ids", "attrs", "lines"):
        if getattr(found, name) != getattr(expected, name):
            return False
    if any(type(mine) is not type(theirs) for mine, theirs in zip(found.lines, expected.lines, strict=True)):
        return False
    for name in ("anchors", "metas", "stripped"):
        mine, theirs = getattr(found, name), getattr(expected, name)
        if [(n.mem_id, id(n.parser), n.tag) for n in mine] != [
            (n.mem_id, id(n.parser), n.tag) for n in theirs
        ]:
            return False
    try:
        return bool(found.hrefs == [href(node) for node in expected.anchors])
    except TypeError:  # an anchor that is not an element
        return False


def load(
    kinds: dict[int, int],
    names: dict[int, str],
    ids: tuple[int, int, int],
    line: type,
    fast: Callable[[Callable[[LexborNode], Any], LexborNode], Any],
    reference: Callable[[LexborNode], Any],
) -> Callable[[LexborNode], Any] | None:
    """The C walk's ``layout`` (``ingest._walk.layout``), or ``None`` where the gate says the Python walk.
    ``kinds``: blocks.py's action by tag id; ``names``: the block tags' names; ``ids``: the tag ids of a text
    node, ``<noscript>`` and a node of no kind; ``line``: the ``Line`` type; ``fast(walk, root)`` builds a Layout from the C walk's result
    (``None``: the Python walk's turn), ``reference(root)`` is the Python walk."""
    if os.environ.get("FAZHI_PYTHON_WALK", "0") not in ("", "0"):
        return None
    try:
        from ingest import _walk
    except ImportError:
        return None
    if _walk.SOURCE_HASH and source_hash(Path(__file__).parent) != _walk.SOURCE_HASH:
        return None  # built from other sources than those beside it (a rebuild that failed, left the old one)
    version = (selectolax.__version__, lexbor.LEXBOR_VERSION_MAJOR, lexbor.LEXBOR_VERSION_MINOR)
    if version not in VERIFIED or any(not 0 <= kind < 256 for kind in kinds):
        return None
    try:
        library = ctypes.CDLL(lexbor.__file__)  # already loaded: the same handle, its symbols
        addresses = tuple(ctypes.cast(getattr(library, name), ctypes.c_void_p).value for name in _FUNCTIONS)
        table = bytes(kinds.get(kind, 0) for kind in range(256))
        labels = tuple(names.get(kind) for kind in range(256))
        tree = LexborHTMLParser(PROBES[0])
        fragment = LexborHTMLParser("<p>x</p>", is_fragment=True).root
        if tree.body is None or fragment is None:
            return None
        _walk.setup(
            LexborNode, table, labels, *ids, addresses, tree.body, tree.body.mem_id, line, tree, fragment
        )
        for html in PROBES:
            tree = LexborHTMLParser(html)
            if tree.root is None or tree.body is None or not _walk.check_tree(tree.root):
                return None
            for root in (tree.body, *tree.body.css("a, p, td, li")):
                found = fast(_walk.layout, root)
                if found is None or not _same(found, reference(root)):
                    return None
    except Exception:  # any surprise means the Python walk, which is always right
        return None
    return _walk.layout
