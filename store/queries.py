"""The read side: driver-level SQL returning dicts (:mod:`store.sql`), one text for both backends.

Keyset pagination everywhere: a page is "rows after (sort key, seq)", one extra row tells whether there is a next.
``sort="rank"`` (a search) is :mod:`store.ranking`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.engine import Connection

from store import ranking
from store.errors import AmbiguousPrefix
from store.models import DATE_ORDER, YEAR_ORDER, Document
from store.search import count_sql, match_join, match_params
from store.sql import Plan, Rows, Statement, fetch, pg_utc, run

DOCUMENTS: Table = Document.__table__  # type: ignore[attr-defined]
SUMMARY_COLUMNS = (
    "id",
    "seq",
    "title",
    "agency",
    "report_year",
    "publish_date",
    "doc_number",
    "province",
    "city",
    "county",
    "url",
    "source_name",
    "fetched_at",
)
_EQUAL = ("source_name", "report_year", "province", "city", "county", "agency")
# the expressions of the indexes of migration 0009, literally (an index on an expression serves only that one)
_SORT_KEYS = {"seq": "documents.seq", "publish_date": DATE_ORDER, "report_year": YEAR_ORDER}


@dataclass(frozen=True)
class Filters:
    source_name: str | None = None
    report_year: int | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    agency: str | None = None
    published_after: date | None = None
    published_before: date | None = None
    missing: str | None = None  # a required part (store.reports.PARTS) the document lacks

    def none(self) -> bool:
        """No filter at all: a list page is then read off an index alone (seq, or the sort's), a few hundred µs
        whatever the store's size; a filtered page may read every row to find its own."""
        return self == _NO_FILTERS

    def where(self) -> tuple[list[str], dict[str, Any]]:
        """SQL conditions on ``documents`` and their parameters."""
        conditions, params = [], {}
        for name in _EQUAL:
            value = getattr(self, name)
            if value is not None:
                conditions.append(f"documents.{name} = :{name}")
                params[name] = value
        if self.published_after is not None:
            conditions.append("documents.publish_date >= :published_after")
            params["published_after"] = self.published_after
        if self.published_before is not None:
            conditions.append("documents.publish_date <= :published_before")
            params["published_before"] = self.published_before
        if self.missing is not None:
            conditions.append("(',' || documents.missing_parts || ',') LIKE :missing")
            params["missing"] = f"%,{self.missing},%"
        return conditions, params


_NO_FILTERS = Filters()


def _selection(
    dialect: str, filters: Filters, match: tuple[str, ...] | None, *, by_seq: bool
) -> tuple[str, list[str], dict[str, Any]]:
    """``FROM`` (with the search index when ``match``), ``WHERE`` conditions, parameters."""
    conditions, params = filters.where()
    source = "documents"
    if match is not None:
        join, condition = match_join(dialect, by_seq=by_seq)
        source = f"documents {join}".rstrip()
        conditions.append(condition)
        params.update(match_params(match))
    return source, conditions, params


def _where(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def list_documents(
    connection: Connection,
    *,
    filters: Filters,
    sort: str = "seq",
    after: tuple[Any, int] | None = None,
    limit: int = 50,
    match: tuple[str, ...] | None = None,
    columns: tuple[str, ...] = SUMMARY_COLUMNS,
) -> list[dict[str, Any]]:
    """Documents in ``sort`` order (ties by seq), after the keyset ``after`` = (sort value, seq); ``match``: the
    search words, all required. Each row has its ``sort_key`` (for the next cursor)."""
    if sort == "rank":
        if not match:
            raise ValueError("sort=rank needs search words")
        return ranking.search_page(
            connection, filters=filters, words=match, after=after, limit=limit, columns=columns
        )
    return run(
        connection,
        list_plan(
            connection.dialect.name,
            filters=filters,
            sort=sort,
            after=after,
            limit=limit,
            match=match,
            columns=columns,
        ),
    )


def list_plan(
    dialect: str,
    *,
    filters: Filters,
    sort: str = "seq",
    after: tuple[Any, int] | None = None,
    limit: int = 50,
    match: tuple[str, ...] | None = None,
    columns: tuple[str, ...] = SUMMARY_COLUMNS,
) -> Plan[Rows]:
    """:func:`list_documents` as a :data:`~store.sql.Plan`, for any ``sort`` but ``rank``."""
    name, descending = sort.lstrip("-"), sort.startswith("-")
    source, conditions, params = _selection(dialect, filters, match, by_seq=name == "seq")
    key = _SORT_KEYS[name]
    if after is not None and name == "seq":  # the primary key alone: an index range scan
        conditions.append(f"documents.seq {'<' if descending else '>'} :after_seq")
    elif after is not None:
        conditions.append(_after_key(dialect, key, "<" if descending else ">"))
        params["after_key"] = after[0]
    if after is not None:
        params["after_seq"] = after[1]
    direction = "DESC" if descending else "ASC"
    order = f"documents.seq {direction}" if name == "seq" else f"{key} {direction}, documents.seq {direction}"
    selected = ", ".join(f"documents.{c}" for c in columns)
    # the limit written in: a LIMIT parameter cost psycopg and PostgreSQL ~80 µs more a page (a few texts only)
    sql = f"SELECT {selected}, {key} AS sort_key FROM {source}{_where(conditions)} ORDER BY {order} LIMIT {int(limit)}"
    (rows,) = yield [Statement(sql, params, plan_each_time=match is not None)]
    return rows


def _after_key(dialect: str, key: str, beyond: str) -> str:
    """``(key, seq)`` beyond ``(:after_key, :after_seq)``. SQLite seeks an index on an expression for a range of
    the expression only (a row value is scanned for), hence the range, then the tie on seq."""
    if dialect == "postgresql":
        return f"({key}, documents.seq) {beyond} (:after_key, :after_seq)"
    return f"{key} {beyond}= :after_key AND ({key} {beyond} :after_key OR documents.seq {beyond} :after_seq)"


def count_documents(connection: Connection, *, filters: Filters, match: tuple[str, ...] | None = None) -> int:
    return run(connection, count_plan(connection.dialect.name, filters=filters, match=match))


def count_plan(dialect: str, *, filters: Filters, match: tuple[str, ...] | None = None) -> Plan[int]:
    conditions, params = filters.where()
    if match is None:
        (rows,) = yield [Statement(f"SELECT count(*) AS n FROM documents{_where(conditions)}", params)]
        return int(rows[0]["n"])
    params.update(match_params(match))
    sql = count_sql(dialect, conditions)
    (rows,) = yield [Statement(sql, params, plan_each_time=True, no_seqscan=True)]
    return int(rows[0]["n"])


_BY_ID = "SELECT * FROM documents WHERE id = :id"
_BY_PREFIX = "SELECT * FROM documents WHERE id >= :low AND id < :high ORDER BY id LIMIT 5"
_SEEN_AT = (
    "SELECT document_id, url, source_name, first_seen, last_seen FROM sightings "
    "WHERE url IN (SELECT url FROM sightings WHERE document_id = :id) ORDER BY first_seen, url"
)


# PostgreSQL: the document with what _SEEN_AT gives as one JSON array, in one statement (a pipeline of the two
# costs ~75 µs more CPU in psycopg; SQLite runs the two, where a query is a function call)
_WITH_SEEN = (
    "SELECT d.*, (SELECT coalesce(json_agg(json_build_array(s.document_id, s.url, s.source_name, s.first_seen, "
    "s.last_seen) ORDER BY s.first_seen, s.url), '[]') FROM sightings s "
    "WHERE s.url IN (SELECT url FROM sightings WHERE document_id = d.id)) AS fazhi_seen "
    "FROM documents d WHERE d.id = :id"
)
_SEEN_FIELDS = ("document_id", "url", "source_name", "first_seen", "last_seen")


def get_document(connection: Connection, id_or_prefix: str) -> dict[str, Any] | None:
    return run(connection, document_plan(id_or_prefix))


def sightings_and_versions(
    connection: Connection, document_id: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One query for the hot path: the document's sightings, and the other bodies seen at its URLs (oldest first)."""
    return _split_seen(fetch(connection, _SEEN_AT, {"id": document_id}), document_id)


def document_with_sightings(connection: Connection, id_or_prefix: str) -> dict[str, Any] | None:
    """The document with its ``sightings`` and ``versions``; a full id costs one round trip on PostgreSQL."""
    return run(connection, document_plan(id_or_prefix, with_sightings=True, dialect=connection.dialect.name))


def document_plan(
    id_or_prefix: str, *, with_sightings: bool = False, dialect: str = "sqlite"
) -> Plan[dict[str, Any] | None]:
    """The document of an id or a unique prefix (:class:`AmbiguousPrefix` otherwise), ``with_sightings``: with
    its ``sightings`` and ``versions`` (a full id: in the same round trip)."""
    key = id_or_prefix.lower()
    if len(key) == 64:
        by_id = Statement(_BY_ID, {"id": key})
        if not with_sightings:
            (rows,) = yield [by_id]
            return rows[0] if rows else None
        if dialect == "postgresql":
            (found,) = yield [Statement(_WITH_SEEN, {"id": key})]
            if not found:
                return None
            document = found[0]
            document["sightings"], document["versions"] = _split_seen(_seen_rows(document), key)
            return document
        found, seen = yield [by_id, Statement(_SEEN_AT, {"id": key})]
        if not found:
            return None
        document = found[0]
        document["sightings"], document["versions"] = _split_seen(seen, key)
        return document
    # a hex prefix as a range: the id index answers it (and no LIKE wildcard can sneak in)
    high = key[:-1] + chr(ord(key[-1]) + 1)
    (rows,) = yield [Statement(_BY_PREFIX, {"low": key, "high": high})]
    if len(rows) > 1:
        raise AmbiguousPrefix(key, [r["id"] for r in rows])
    if not rows:
        return None
    document = rows[0]
    if with_sightings:
        (seen,) = yield [Statement(_SEEN_AT, {"id": document["id"]})]
        document["sightings"], document["versions"] = _split_seen(seen, document["id"])
    return document


def _seen_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """_WITH_SEEN's array as _SEEN_AT's rows (timestamps: JSON text, in UTC as :mod:`store.sql` gives them)."""
    rows = [dict(zip(_SEEN_FIELDS, entry, strict=True)) for entry in document.pop("fazhi_seen")]
    for row in rows:
        for name in ("first_seen", "last_seen"):
            if row[name] is not None:
                row[name] = pg_utc(datetime.fromisoformat(row[name]))
    return rows


def _split_seen(
    rows: list[dict[str, Any]], document_id: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    own, others = [], []
    for entry in rows:
        owner = entry.pop("document_id")
        if owner == document_id:
            own.append(entry)
        else:
            others.append(
                {
                    "id": owner,
                    "url": entry["url"],
                    "first_seen": entry["first_seen"],
                    "last_seen": entry["last_seen"],
                }
            )
    return own, others


def stats(connection: Connection) -> dict[str, Any]:
    c = DOCUMENTS.c
    by_year = connection.execute(
        select(c.report_year, c.province, func.count().label("documents"))
        .group_by(c.report_year, c.province)
        .order_by(c.report_year, c.province)
    ).mappings()
    per_source = connection.execute(
        select(c.source_name, c.report_year, func.count().label("documents"))
        .group_by(c.source_name, c.report_year)
        .order_by(c.source_name, c.report_year)
    ).mappings()
    sources: dict[str, dict[str, Any]] = {}
    for row in per_source:
        entry = sources.setdefault(
            row["source_name"], {"source_name": row["source_name"], "years": [], "documents": 0}
        )
        if row["report_year"] is not None:
            entry["years"].append(row["report_year"])
        entry["documents"] += row["documents"]
    total = connection.execute(select(func.count()).select_from(DOCUMENTS)).scalar() or 0
    return {
        "documents": int(total),
        "by_year_province": [dict(r) for r in by_year],
        "sources": list(sources.values()),
    }


def iter_documents(
    engine: Engine,
    *,
    filters: Filters,
    columns: tuple[str, ...],
    batch: int = 500,
    match: tuple[str, ...] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every matching document in seq order, ``batch`` rows per query: exports never hold the whole set."""
    after: tuple[Any, int] | None = None
    wanted = columns if "seq" in columns else (*columns, "seq")
    while True:
        with engine.connect() as connection:
            rows = list_documents(
                connection, filters=filters, after=after, limit=batch, match=match, columns=wanted
            )
        if not rows:
            return
        after = (rows[-1]["seq"], rows[-1]["seq"])
        for row in rows:
            row.pop("sort_key", None)
            if "seq" not in columns:
                row.pop("seq")
            yield row
