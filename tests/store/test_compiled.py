"""The crawl's writes on the DBAPI cursor (store.compiled) store exactly what Core stores, on both backends; what
it cannot run as bound values goes through Core; driver errors come out as Core's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError

from store import write_session
from store.compiled import execute
from store.documents import _statements
from store.models import Document

DOCUMENTS: Table = Document.__table__  # type: ignore[attr-defined]


def document(n: int, **fields: Any) -> dict[str, Any]:
    row = {c.name: None for c in DOCUMENTS.columns if c.name != "seq"}
    row |= {
        "id": f"{n:064d}",
        "title": "报告",
        "body": "正文\n第二段",
        "url": f"http://127.0.0.2/{n}",
        "source_name": "s",
        "breadcrumb": ["首页", "报告"],
        "attachments": [],
        "keywords": [],
        "provenance": {"title": "meta"},
        "fetched_at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "publish_date": date(2025, 3, 1),
        "late": False,
        "sections": None,  # a JSON column given None: Core stores JSON 'null' there, not SQL NULL
        "version_diff": {"previous": "x", "added": 1},
        "capture": None,  # JSON(none_as_null=True): SQL NULL
    }
    return row | fields


def stored(db: Engine, n: int) -> dict[str, Any]:
    """The row as the database holds it: the driver's own values (no type processing), JSON as its text."""
    with db.connect() as connection:
        cast = "::text" if db.dialect.name == "postgresql" else ""
        columns = ", ".join(
            f"{c.name}{cast if c.type.__class__.__name__ == 'JSON' else ''} AS {c.name}"
            for c in DOCUMENTS.columns
            if c.name != "seq"
        )
        row = connection.exec_driver_sql(f"SELECT {columns} FROM documents WHERE id = '{n:064d}'")
        return dict(row.mappings().one())


def test_a_document_row_is_stored_as_core_stores_it(db: Engine) -> None:
    with write_session(db) as session:
        connection = session.connection()
        statement = _statements(db.dialect.name)[0]
        core = connection.execute(statement, document(1)).first()
        ours = execute(connection, statement, document(2)).rows
    assert core is not None and ours and ours[0][0] == core[0] + 1  # RETURNING seq, both
    by_core, by_us = stored(db, 1), stored(db, 2)
    assert by_us == by_core | {"id": f"{2:064d}", "url": "http://127.0.0.2/2"}
    assert by_us["sections"] == "null" and by_us["capture"] is None
    with write_session(db) as session:  # ON CONFLICT DO NOTHING: no row returned for a known id
        assert execute(session.connection(), _statements(db.dialect.name)[0], document(2)).rows == []


def test_many_rows_text_statements_and_rowcounts(db: Engine) -> None:
    with write_session(db) as session:
        connection = session.connection()
        execute(connection, _statements(db.dialect.name)[0], document(1))
        (seq,) = connection.execute(text("SELECT seq FROM documents")).one()
        add = text("INSERT INTO report_bands (band, seq) VALUES (:band, :seq)")
        execute(connection, add, [{"band": band, "seq": seq} for band in (-(2**63), 0, 2**63 - 1)])
        bands = connection.execute(text("SELECT band FROM report_bands ORDER BY band")).scalars().all()
        assert bands == [-(2**63), 0, 2**63 - 1]
        rename = text("UPDATE documents SET title = :title WHERE source_name = :source")
        assert execute(connection, rename, {"title": "新", "source": "s"}).rowcount == 1
        assert execute(connection, rename, {"title": "新", "source": "none"}).rowcount == 0
        found = execute(connection, text("SELECT id, title FROM documents WHERE seq = :seq"), {"seq": seq})
        assert found.mappings() == [{"id": f"{1:064d}", "title": "新"}]
        assert execute(connection, add, []).rows == []


def test_what_needs_more_than_bound_values_goes_through_core(db: Engine) -> None:
    """A Python-side column default, an expanding IN: Core's own execution, with the same outcome."""
    table = Table(
        "compiled_probe",
        MetaData(),
        Column("pk", Integer, primary_key=True),
        Column("name", String, default=lambda: "made by Core"),
    )
    table.create(db)
    try:
        with write_session(db) as session:
            connection = session.connection()
            execute(connection, insert(table), {"pk": 1})
            execute(connection, insert(table), [{"pk": 2}, {"pk": 3}])
            expanding = select(table.c.pk).where(table.c.pk.in_(bindparam("pks", expanding=True)))
            assert sorted(execute(connection, expanding, {"pks": [1, 3]}).rows) == [(1,), (3,)]
            names = connection.execute(select(table.c.name)).scalars().all()
            assert names == ["made by Core"] * 3
    finally:
        table.drop(db)


def test_a_driver_error_is_raised_as_core_raises_it(db: Engine) -> None:
    plain = insert(DOCUMENTS)  # no ON CONFLICT: a known id is a unique violation
    with pytest.raises(IntegrityError), write_session(db) as session:
        execute(session.connection(), plain, document(1))
        execute(session.connection(), plain, document(1))
    with db.connect() as connection:  # the transaction rolled back: nothing stored
        assert connection.execute(text("SELECT count(*) FROM documents")).scalar() == 0


def test_two_engines_of_one_backend_never_share_a_plan(tmp_path: Any) -> None:
    """A plan holds its engine's bind processors (its JSON serializer among them): a second SQLite engine with a
    serializer of its own must not run the first one's (the plans were keyed by the backend's name)."""
    import json

    from sqlalchemy import JSON, create_engine

    statement = text("INSERT INTO t (j) VALUES (:j)").bindparams(bindparam("j", type_=JSON))
    found = []
    for name, serializer in (("plain", json.dumps), ("marked", lambda value: '"marked"')):
        engine = create_engine(f"sqlite:///{tmp_path / name}.db", json_serializer=serializer)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE TABLE t (j TEXT)")
                execute(connection, statement, {"j": {"a": 1}})
                found.append(connection.exec_driver_sql("SELECT j FROM t").scalar_one())
        finally:
            engine.dispose()
    assert found == ['{"a": 1}', '"marked"']


def test_a_change_row_is_stored_as_core_stores_it(db: Engine) -> None:
    """The change feed's insert (store.changes.add_change) runs on the driver too: same row as Core's."""
    from store.changes import _ADD

    at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    detail = {"url": "http://127.0.0.2/1", "report_id": "x" * 64, "version": 2, "说明": None}
    with write_session(db) as session:
        connection = session.connection()
        connection.execute(_ADD, {"document_id": "a" * 64, "kind": "created", "detail": detail, "at": at})
        execute(connection, _ADD, {"document_id": "b" * 64, "kind": "created", "detail": detail, "at": at})
    cast = "::text" if db.dialect.name == "postgresql" else ""
    with db.connect() as connection:
        rows = connection.exec_driver_sql(
            f"SELECT seq, document_id, kind, detail{cast}, at{cast} FROM changes ORDER BY seq"
        ).all()
    (seq_core, _, kind_core, detail_core, at_core), (seq_ours, doc_ours, kind_ours, detail_ours, at_ours) = (
        rows
    )
    assert (seq_ours, doc_ours, kind_ours) == (seq_core + 1, "b" * 64, kind_core)
    assert (detail_ours, at_ours) == (detail_core, at_core)
