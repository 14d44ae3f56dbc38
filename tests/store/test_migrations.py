"""Migrations: they build exactly the models' schema on both backends, and adopt a pre-migration SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlmodel import SQLModel

from store import make_engine, write_session
from store.documents import upsert_document
from store.migrate import current, head, include_object, upgrade, written_head
from store.models import Document

REPORT_COLUMNS = [
    "report_id",
    "version",
    "version_diff",
    "sections",
    "section_headings",
    "missing_parts",
    "deadline",
    "late",
    "days_late",
    "first_seen",
    "backdated",
]


# SQLite's reflection skips indexes on expressions (0009's), so autogenerate cannot compare them there: the test
# below checks them by name and expression
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning",
    "ignore:autogenerate skipping metadata-specified expression-based index:UserWarning",
)
def test_migrated_schema_matches_the_models(db: Engine) -> None:
    with db.connect() as connection:
        assert current(connection) == head()
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        diffs = compare_metadata(context, SQLModel.metadata)
    assert diffs == []


def test_the_expression_indexes_are_the_models(db: Engine) -> None:
    """0009's indexes on the read API's sort expressions, as the model declares them (on both backends)."""
    from store.models import DATE_ORDER, YEAR_ORDER

    with db.connect() as connection:
        if db.dialect.name == "sqlite":
            found = dict(
                connection.execute(
                    text(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'documents'"
                    )
                ).all()
            )
        else:
            found = dict(
                connection.execute(
                    text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'documents'")
                ).all()
            )
    date_index, year_index = found["ix_documents_date_order"], found["ix_documents_year_order"]
    if db.dialect.name == "sqlite":
        assert date_index.endswith(f"({DATE_ORDER}, seq)") and year_index.endswith(f"({YEAR_ORDER}, seq)")
    else:
        assert "COALESCE(publish_date, '0001-01-01'::date), seq" in date_index
        assert "COALESCE(report_year, 0), seq" in year_index


def test_upgrade_twice_is_a_no_op(db: Engine) -> None:
    assert upgrade(db) == head()
    assert upgrade(db) == head()


def test_the_newest_revision_read_without_alembic_is_alembics() -> None:
    assert written_head() == head()


def test_an_editor_lock_file_among_the_migrations_is_skipped_as_alembic_skips_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import store.migrate

    copy = tmp_path / "migrations"
    shutil.copytree(store.migrate.MIGRATIONS, copy)
    (copy / "versions" / ".#0010_band_seq.py").symlink_to(tmp_path / "gone")  # emacs's lock: a dangling link
    monkeypatch.setattr(store.migrate, "MIGRATIONS", copy)
    written_head.cache_clear()  # read again, from the copy (an earlier test's reading is cached)
    try:
        assert written_head() == head()
    finally:
        written_head.cache_clear()


def test_a_schema_one_revision_behind_is_still_upgraded(db: Engine) -> None:
    """The no-alembic check at start-up passes only a schema at the newest revision; an older one migrates."""
    from store.migrate import downgrade

    downgrade(db, "0009")
    with db.connect() as connection:
        assert current(connection) == "0009"
    assert upgrade(db) == head()
    with db.connect() as connection:
        assert current(connection) == head()


def test_a_file_from_before_migrations_is_adopted_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = create_engine(f"sqlite:///{path}")
    # what the first release made: create_all plus the FTS table, and no alembic_version
    later = ("host_pace", "report_bands", "source_expectations", "attachments", "report_sketches")  # 0011
    tables = [t for name, t in SQLModel.metadata.tables.items() if name not in later]
    SQLModel.metadata.create_all(old, tables=tables)
    with old.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE crawl_runs DROP COLUMN worker")  # added by 0002
        for column in ("health", "health_reason", "health_message"):  # added by 0008
            connection.exec_driver_sql(f"ALTER TABLE crawl_runs DROP COLUMN {column}")
        connection.exec_driver_sql("DROP INDEX ix_documents_report_id")  # added by 0005, with its columns
        for index in ("ix_documents_date_order", "ix_documents_year_order"):  # added by 0009
            connection.exec_driver_sql(f"DROP INDEX {index}")
        for name in REPORT_COLUMNS:
            connection.exec_driver_sql(f"ALTER TABLE documents DROP COLUMN {name}")
        connection.exec_driver_sql("ALTER TABLE documents DROP COLUMN capture")  # added by 0007
        # 0012 put its (run_id, kind, state) index in the place of the first release's ix_frontier_run_id
        connection.exec_driver_sql("DROP INDEX ix_frontier_run_kind_state")
        connection.exec_driver_sql("CREATE INDEX ix_frontier_run_id ON frontier (run_id)")
    with old.begin() as connection:
        connection.exec_driver_sql("CREATE VIRTUAL TABLE documents_fts USING fts5(title, body)")
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, body, url, source_name, fetched_at, breadcrumb, attachments, "
                "keywords, provenance) VALUES (:id, '正文', 'http://127.0.0.2/a', 's', '2026-01-01', "
                "'[]', '[]', '[]', '{}')"
            ),
            {"id": "a" * 64},
        )
    old.dispose()
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert current(connection) == head()
        assert inspect(connection).has_table("host_pace")
        assert connection.execute(text("SELECT count(*) FROM documents")).scalar() == 1
        # 0005: an older document is version 1 of a report of its own
        assert connection.execute(text("SELECT report_id, version FROM documents")).one() == ("a" * 64, 1)
    with write_session(engine) as session:  # and it takes writes as usual
        upsert_document(
            session=session,
            document=Document(id="b" * 64, body="正文 b", url="http://127.0.0.2/b", source_name="s"),
        )


@pytest.mark.parametrize("words", [("法治",), ("法治", "政府")])
def test_search_finds_by_jieba_words_on_both_backends(db: Engine, words: tuple[str, ...]) -> None:
    from store.queries import Filters, list_documents
    from store.search import index_document

    with write_session(db) as session:
        for key, title, body in [
            ("a", "法治 政府 建设 报告", "法治 政府"),
            ("b", "工作 总结", "政府 法治 " + "其他 " * 30),
        ]:
            upsert_document(
                session=session,
                document=Document(
                    id=key * 64, title=title, body=body, url=f"http://127.0.0.2/{key}", source_name="s"
                ),
            )
            index_document(session, key * 64, title, body)
        upsert_document(
            session=session,
            document=Document(
                id="c" * 64, title="无关", body="天气", url="http://127.0.0.2/c", source_name="s"
            ),
        )
    with db.connect() as connection:
        rows = list_documents(connection, filters=Filters(), sort="rank", match=words)
    assert [r["id"][0] for r in rows] == ["a", "b"]  # title and body beat a passing mention; "c" has neither


def test_processes_starting_on_one_new_file_at_once_all_migrate_it(tmp_path: Path) -> None:
    """`fazhi serve` and `fazhi crawl` started together on a new SQLite file: one migrates, the others wait."""
    import subprocess
    import sys

    code = "import sys; from store import make_engine; make_engine(f'sqlite:///{sys.argv[1]}').dispose()"
    for round_ in range(3):
        path = tmp_path / f"new{round_}.db"
        processes = [
            subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        errors = [p.communicate(timeout=60)[1] for p in processes]
        assert [p.returncode for p in processes] == [0, 0, 0, 0], errors
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            assert current(connection) == head()
        engine.dispose()


def test_every_migration_goes_down_and_up_again(db: Engine) -> None:
    from store.migrate import downgrade

    downgrade(db, "base")
    with db.connect() as connection:
        assert current(connection) is None
        assert [t for t in inspect(connection).get_table_names() if t != "alembic_version"] == []
    assert upgrade(db) == head()
    with db.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert {"documents", "changes", "host_pace"} <= tables
    assert ("procrastinate_jobs" in tables) == (db.dialect.name == "postgresql")


def test_band_rows_move_from_document_ids_to_seq_and_back(db: Engine) -> None:
    """0010 keys the report bands by ``seq``: stored rows are carried over (and back down), and a near-duplicate
    stored after the upgrade still joins the report whose bands were migrated."""
    from alembic.script import ScriptDirectory

    from store.migrate import _config, downgrade
    from store.reports import band_keys, shingles, signature

    before = ScriptDirectory.from_config(_config()).get_revision("0010").down_revision
    assert isinstance(before, str)
    body = "\n".join(f"第{n}段:依法行政工作持续推进,行政执法规范化水平不断提高。" * 3 for n in range(12))
    keys = sorted(set(band_keys(signature(shingles(body)))))
    downgrade(db, before)
    with db.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO documents (id, body, url, source_name, fetched_at, breadcrumb, attachments, "
                "keywords, provenance, agency, report_year, report_id, version) VALUES (:id, :body, "
                "'http://127.0.0.2/a', 's', '2026-01-01', '[]', '[]', '[]', '{}', '甲局', 2025, :id, 1)"
            ),
            {"id": "a" * 64, "body": body},
        )
        connection.execute(
            text("INSERT INTO report_bands (band, document_id) VALUES (:band, :id)"),
            [{"band": key, "id": "a" * 64} for key in keys],
        )
    assert upgrade(db) == head()
    with db.connect() as connection:
        seq = connection.execute(text("SELECT seq FROM documents")).scalar_one()
        rows = connection.execute(text("SELECT band, seq FROM report_bands ORDER BY band")).all()
    assert [tuple(r) for r in rows] == [(key, seq) for key in keys]
    edited = body.replace("第3段", "第三段")
    with write_session(db) as session:
        upsert_document(
            session=session,
            document=Document(
                id="b" * 64,
                body=edited,
                url="http://127.0.0.2/b",
                source_name="s",
                agency="甲局",
                report_year=2025,
            ),
        )
    with db.connect() as connection:
        joined = connection.execute(
            text("SELECT report_id, version FROM documents WHERE id = :id"), {"id": "b" * 64}
        )
        assert tuple(joined.one()) == ("a" * 64, 2)
    downgrade(db, before)
    with db.connect() as connection:
        back = connection.execute(
            text("SELECT band, document_id FROM report_bands WHERE document_id = :id"), {"id": "a" * 64}
        )
        assert sorted(tuple(r) for r in back) == [(key, "a" * 64) for key in keys]
    assert upgrade(db) == head()
