from typing import Any

from selectolax.lexbor import LexborNode

SOURCE_HASH: str

def setup(
    node_type: type[LexborNode],
    kinds: bytes,
    names: tuple[str | None, ...],
    text_id: int,
    noscript_id: int,
    undefined_id: int,
    functions: tuple[int | None, ...],
    probe: LexborNode,
    probe_address: int,
    line_type: type,
    probe_parser: object,
    fragment_probe: LexborNode,
    /,
) -> None: ...
def check_tree(root: LexborNode, /) -> int | bool: ...
def layout(root: LexborNode, /) -> tuple[Any, ...] | None: ...
