"""The versions view's line diff (unit)."""

from __future__ import annotations

from api.web.diff import Line, line_diff, summary


def test_added_and_removed_lines_with_context_and_folding() -> None:
    old = "\n".join(f"第{i}段" for i in range(20))
    new = old.replace("第10段", "第10段（更正）") + "\n附：更正说明"
    lines = line_diff(old, new)
    assert Line("removed", "第10段") in lines and Line("added", "第10段（更正）") in lines
    assert lines[-1] == Line("added", "附：更正说明")
    assert [x.kind for x in lines].count("folded") == 2  # before the change, between the two changes
    assert summary(lines) == (1, 2)
    assert Line("same", "第9段") in lines and Line("same", "第0段") not in lines


def test_identical_bodies_fold_to_one_line() -> None:
    body = "\n".join(str(i) for i in range(10))
    assert [x.kind for x in line_diff(body, body)] == ["folded"]


def test_blank_lines_do_not_count() -> None:
    assert line_diff("a\n\nb", "a\nb") == [Line("same", "a"), Line("same", "b")]
