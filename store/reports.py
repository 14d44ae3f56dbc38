"""Reports and their versions: every new document joins the report it is a version of, or starts one.

A version is a near-duplicate of another document of the same agency and report year: an edited republication at
a second URL, or a page changed in place. Identical bodies are one document already (the id is their SHA-256);
near-duplicates are found by MinHash over character 5-shingles (rensa), 32 LSH bands of 4 rows kept in
``report_bands`` (one indexed lookup per band: the cost does not grow with the store), and confirmed by the exact
Jaccard similarity of the shingle sets (≥ :data:`JOIN_JACCARD`, measured in bench/reports.py; computed on integer
keys by :mod:`store.grams`). Two years of one agency never merge: the year must be equal, whatever the text.

Between the two, each candidate's MinHash (kept in ``report_sketches``) estimates its Jaccard with the new text:
a candidate estimated below :data:`PRUNE_ESTIMATE` is not compared exactly and its body is never read. Documents
sharing a band by chance (boilerplate of one agency's other papers, or every report of one year whose agency is
unknown) were most of the exact test's work; a true version is not lost to it but with a chance far below the
LSH's own (see :data:`PRUNE_ESTIMATE`). A candidate without a sketch (stored before migration 0011) is compared
exactly, as before.

The same step records the page's required parts, its deadline, whether it was late, when it was first seen and
whether its page date is contradicted by an earlier crawl (``backdated``).
"""

from __future__ import annotations

import difflib
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.changes import add_change
from store.compiled import execute
from store.grams import BANDS as BANDS  # the LSH's parameters and functions, read from here too
from store.grams import PERMUTATIONS as PERMUTATIONS
from store.grams import ROWS as ROWS
from store.grams import SEED as SEED
from store.grams import SHINGLE as SHINGLE
from store.grams import Sketch, estimates, gram_set, gram_text, jaccards, sketch, string_jaccard
from store.grams import band_keys as band_keys
from store.grams import signature as signature
from store.queries import Filters
from store.sql import fetch
from store.types import UTCDateTime

JOIN_JACCARD = (
    0.6  # exact Jaccard of 5-shingle sets for versions of one report (bench/reports.py measures it)
)
PARTS = ("measures", "shortcomings", "leader_duties", "next_year", "other")
MAX_CANDIDATES = 8  # confirmed by exact Jaccard, most shared bands first: a version shares most of its bands
# A candidate whose MinHash estimate (the share of its 128 values equal to the new text's) is below this is not
# compared exactly. Were the 128 values independent min-wise permutations, the estimate at the join threshold
# (J = 0.6) would be Binomial(128, 0.6) / 128 (sd 0.043): below 0.35 with probability 4·10⁻⁹ (z = −5.8), against the
# 1.2 % chance that such a version shares no band at all. rensa's are affine maps of one 64-bit hash, cut to 32
# bits (a cut can only make two minima equal: the estimate errs upwards, the safe way), so that is an idealisation;
# measured on 3,000 edited pairs of the seed paragraphs (tests/store/test_sketches.py) the error's mean is −0.0005,
# its spread no wider than the binomial's (sd 0.037 at J 0.6–0.7), and no pair at J ≥ 0.6 was estimated below 0.52.
PRUNE_ESTIMATE = 0.35


def shingles(body: str) -> set[str]:
    """Character 5-grams of the text without whitespace (a text shorter than that is one shingle)."""
    return gram_set(gram_text(body))


def jaccard(a: set[str], b: set[str]) -> float:
    return string_jaccard(a, b)


def paragraph_diff(old: str, new: str) -> dict[str, int]:
    """Paragraphs added, removed and changed from ``old`` to ``new`` (a replaced run counts as changed pairs,
    the surplus as added or removed)."""
    counts = {"added": 0, "removed": 0, "changed": 0}
    matcher = difflib.SequenceMatcher(a=old.split("\n"), b=new.split("\n"), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            counts["added"] += j2 - j1
        elif tag == "delete":
            counts["removed"] += i2 - i1
        elif tag == "replace":
            pairs = min(i2 - i1, j2 - j1)
            counts["changed"] += pairs
            counts["added"] += (j2 - j1) - pairs
            counts["removed"] += (i2 - i1) - pairs
    return counts


def default_deadline(report_year: int | None) -> date | None:
    """1 April of the next year (the national rule), when the writer did not give the source's deadline."""
    return date(report_year + 1, 4, 1) if report_year is not None else None


def timeliness(published: date | None, deadline: date | None) -> tuple[bool | None, int | None]:
    if published is None or deadline is None:
        return None, None
    days = (published - deadline).days
    return days > 0, max(days, 0)


_ADD_BAND = text("INSERT INTO report_bands (band, seq) VALUES (:band, :seq)")
_ADD_SKETCH = text("INSERT INTO report_sketches (seq, minhash) VALUES (:seq, :minhash)")
_LATEST_VERSION = text(
    "SELECT id, version, body FROM documents WHERE report_id = :report_id AND id <> :id "
    "ORDER BY version DESC LIMIT 1"
)


def report_fields(
    session: Session,
    values: dict[str, Any],
    *,
    seen_at: datetime,
    previous_id: str | None = None,
    sketch_of: Sketch | None = None,
) -> tuple[dict[str, Any], Sketch]:
    """The report, version and report fields of the new document ``values`` (before its row is written: the row
    goes in whole, never rewritten), and its sketch for :func:`record_report`. ``sketch_of``: the body's
    :func:`store.grams.sketch`, when the caller computed it already (a crawl does, in its extraction workers); else
    it is computed here."""
    own = sketch_of if sketch_of is not None else sketch(values["body"])
    connection = session.connection()
    joined = _best_match(connection, values, own, previous_id)
    fields = _report_fields(connection, values, joined) | _page_fields(connection, values, seen_at)
    return fields, own


def record_report(
    session: Session,
    values: dict[str, Any],
    fields: dict[str, Any],
    own: Sketch,
    seq: int,
    *,
    previous_id: str | None = None,
) -> dict[str, Any]:
    """The stored document's bands and MinHash (``seq``: its row) and, for a later version of a report, the
    report's change; returns what the change feed says of it (``report_id``, ``version``). ``previous_id``: the body
    its URL had."""
    connection = session.connection()
    execute(connection, _ADD_BAND, [{"band": key, "seq": seq} for key in sorted(set(own.bands))])
    if own.minhash is not None:
        execute(connection, _ADD_SKETCH, {"seq": seq, "minhash": own.minhash})
    if fields["version"] > 1 and previous_id != fields["report_id"]:  # else its superseded_by change says it
        detail = {"report_id": fields["report_id"], "version": fields["version"], "new_version": values["id"]}
        add_change(session, fields["report_id"], "updated", detail)
    return {"report_id": fields["report_id"], "version": fields["version"]}


def candidates(
    connection: Connection, values: dict[str, Any], keys: list[int], previous_id: str | None
) -> list[dict[str, Any]]:
    """The stored documents that could be versions of ``values``: of its agency and year, sharing a band with it
    (the :data:`MAX_CANDIDATES` sharing most), and the body its URL had before; each with ``shared`` bands, its
    ``seq`` and its ``minhash`` (None: stored without one). No body is read here.

    The band lookup reads the primary-key index only; a document sharing a band but of another agency or year
    costs one lookup by ``seq`` and is dropped in SQL."""
    found = execute(
        connection,
        _candidates_statement(values.get("agency") is None, values.get("report_year") is None, len(keys)),
        {**{f"k{i}": key for i, key in enumerate(keys)}, "id": values["id"], **_same_report_params(values)},
    ).mappings()
    rows = [dict(row) for row in found]
    if previous_id and previous_id != values["id"] and all(r["id"] != previous_id for r in rows):
        same, params = _same_report_condition(values, "d")
        previous = connection.execute(
            text(
                "SELECT d.id, d.report_id, d.version, d.seq, s.minhash, 0 AS shared FROM documents d "
                "LEFT JOIN report_sketches s ON s.seq = d.seq "
                f"WHERE d.id = :previous AND d.report_id IS NOT NULL AND {same}"
            ),
            {"previous": previous_id, **params},
        ).mappings()
        rows.extend(dict(row) for row in previous)
    return rows


@cache
def _candidates_statement(no_agency: bool, no_year: bool, count: int) -> Any:
    """The band lookup, one statement per shape (built once: see store.compiled)."""
    values = {"agency": None if no_agency else "", "report_year": None if no_year else 0}
    same, _ = _same_report_condition(values, "d")
    keys = ", ".join(f":k{i}" for i in range(count))
    shared = f"SELECT seq, count(*) AS shared FROM report_bands WHERE band IN ({keys}) GROUP BY seq"
    return text(
        f"SELECT d.id, d.report_id, d.version, d.seq, s.minhash, h.shared FROM ({shared}) h "
        f"JOIN documents d ON d.seq = h.seq LEFT JOIN report_sketches s ON s.seq = d.seq "
        f"WHERE d.report_id IS NOT NULL AND d.id <> :id AND {same} "
        f"ORDER BY h.shared DESC, d.seq DESC LIMIT {MAX_CANDIDATES}"
    )


@cache
def _bodies_statement(count: int) -> Any:
    """The bodies of ``count`` documents by ``seq`` (built once per count)."""
    marks = ", ".join(f":s{i}" for i in range(count))
    return text(f"SELECT seq, body FROM documents WHERE seq IN ({marks})")


def _same_report_params(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in ("agency", "report_year") if values.get(name) is not None}


def _best_match(
    connection: Connection, values: dict[str, Any], own: Sketch, previous_id: str | None
) -> dict[str, Any] | None:
    """The stored document of the same agency and year most similar to this one, if similar enough (or the body
    this URL had before, of the same agency and year). Only the candidates whose MinHash estimate reaches
    :data:`PRUNE_ESTIMATE` (or that have none) are compared exactly; the others score as dissimilar."""
    rows = candidates(connection, values, own.bands, previous_id)
    if not rows:
        return None
    likely = estimates(own.minhash, [row["minhash"] for row in rows])
    compared = [
        row["seq"]
        for row, guess in zip(rows, likely, strict=True)
        if guess is None or guess >= PRUNE_ESTIMATE
    ]
    exact: dict[int, float] = {}
    if compared:
        params = {f"s{i}": seq for i, seq in enumerate(compared)}
        bodies = dict(execute(connection, _bodies_statement(len(compared)), params).rows)
        exact = dict(zip(compared, jaccards(values["body"], [bodies[seq] for seq in compared]), strict=True))
    best, best_score = None, 0.0
    for row in rows:
        score = exact.get(row["seq"], 0.0)
        score = score if score >= JOIN_JACCARD else 0.0
        if row["id"] == previous_id:  # changed in place: the same report unless its year or agency changed
            score = max(score, JOIN_JACCARD)
        if score >= JOIN_JACCARD and score > best_score:
            best, best_score = row, score
    return best


def _same_report_condition(values: dict[str, Any], table: str) -> tuple[str, dict[str, Any]]:
    conditions, params = [], {}
    for name in ("agency", "report_year"):
        if values.get(name) is None:
            conditions.append(f"{table}.{name} IS NULL")
        else:
            conditions.append(f"{table}.{name} = :{name}")
            params[name] = values[name]
    return " AND ".join(conditions), params


def _report_fields(
    connection: Connection, values: dict[str, Any], joined: dict[str, Any] | None
) -> dict[str, Any]:
    """Version 1 of a new report, or the next version of the one joined, with what changed since its latest."""
    if joined is None:
        return {"report_id": values["id"], "version": 1, "version_diff": None}
    report_id = joined["report_id"]
    params = {"report_id": report_id, "id": values["id"]}
    (latest,) = execute(connection, _LATEST_VERSION, params).mappings()
    diff = {"previous": latest["id"], **paragraph_diff(latest["body"], values["body"])}
    return {"report_id": report_id, "version": int(latest["version"]) + 1, "version_diff": diff}


def _page_fields(connection: Connection, values: dict[str, Any], seen_at: datetime) -> dict[str, Any]:
    sections = values.get("sections") or None
    deadline = values.get("deadline") or default_deadline(values.get("report_year"))
    late, days_late = timeliness(values.get("publish_date"), deadline)
    missing = [p for p in PARTS if sections is not None and not sections.get(p)]
    return {
        "sections": sections,
        "section_headings": values.get("section_headings") if sections is not None else None,
        "missing_parts": ",".join(missing) if sections is not None else None,
        "deadline": deadline,
        "late": late,
        "days_late": days_late,
        "first_seen": seen_at,
        "backdated": _backdated(connection, values, deadline, seen_at),
    }


_MISSED = text(
    "SELECT count(*) FROM crawl_runs WHERE source_name = :source AND state = 'finished' "
    "AND started_at >= :after AND finished_at < :seen"
).bindparams(bindparam("after", type_=UTCDateTime), bindparam("seen", type_=UTCDateTime))


def _backdated(
    connection: Connection, values: dict[str, Any], deadline: date | None, seen_at: datetime
) -> bool | None:
    """True when a finished crawl of the source, started after both the deadline and the page's date, did not
    list this document (it is first seen only now): the page date is then no evidence of timeliness."""
    published = values.get("publish_date")
    if published is None or deadline is None:
        return None
    after = max(published, deadline) + timedelta(days=1)
    params = {
        "source": values["source_name"],
        "after": datetime(after.year, after.month, after.day, tzinfo=UTC),
        "seen": seen_at,
    }
    ((missed,),) = execute(connection, _MISSED, params).rows
    return bool(missed)


# ---- reading: one row per report, and one report's versions (driver-level SQL, as store.queries)

# what the reports step gives a document (its report, required parts, timeliness), in the exports' order
REPORT_FIELDS = (
    "report_id",
    "version",
    "sections",
    "missing_parts",
    "deadline",
    "late",
    "days_late",
    "first_seen",
    "backdated",
)
REPORT_COLUMNS = (
    "report_id",
    "version",
    "id",
    "seq",
    "title",
    "agency",
    "report_year",
    "publish_date",
    "province",
    "city",
    "county",
    "url",
    "source_name",
    *REPORT_FIELDS[2:],  # sections … backdated
)
VERSION_COLUMNS = (
    "version",
    "id",
    "title",
    "url",
    "source_name",
    "publish_date",
    "first_seen",
    "fetched_at",
    "sections",
    "missing_parts",
    "deadline",
    "late",
    "days_late",
    "backdated",
    "version_diff",
)
_LATEST = (
    "documents.report_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents newer "
    "WHERE newer.report_id = documents.report_id AND newer.version > documents.version)"
)


def list_reports(
    connection: Connection, *, filters: Filters, after: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Reports in the ingest order of their latest version, each as that version's row with ``versions`` (how
    many); ``filters`` apply to the latest version. ``after``: the ``seq`` of the last row of the previous page."""
    conditions, params = filters.where()
    conditions.append(_LATEST)
    if after is not None:
        conditions.append("documents.seq > :after")
        params["after"] = after
    selected = ", ".join(f"documents.{c}" for c in REPORT_COLUMNS)
    count = "(SELECT count(*) FROM documents member WHERE member.report_id = documents.report_id) AS versions"
    sql = (
        f"SELECT {selected}, {count} FROM documents WHERE {' AND '.join(conditions)} "
        f"ORDER BY documents.seq LIMIT {int(limit)}"
    )
    return fetch(connection, sql, params)


def report_versions(connection: Connection, report_id: str) -> list[dict[str, Any]]:
    """The report's versions, oldest first, each with its ``version_diff`` from the one before."""
    selected = ", ".join(VERSION_COLUMNS)
    sql = f"SELECT {selected} FROM documents WHERE report_id = :report_id ORDER BY version"
    return fetch(connection, sql, {"report_id": report_id})
