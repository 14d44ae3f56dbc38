"""Reports and versions, required parts and timeliness, as the store records them (both backends)."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ingest.identity import content_hash
from ingest.sections import report_parts
from store import write_session
from store.changes import changes_since
from store.coverage import CoverageFilters, Expectation, coverage_rows
from store.documents import upsert_document
from store.grams import gram_list, gram_text, jaccards
from store.models import CrawlRun
from store.queries import Filters, get_document, list_documents
from store.reports import (
    JOIN_JACCARD,
    MAX_CANDIDATES,
    band_keys,
    jaccard,
    list_reports,
    report_versions,
    shingles,
    signature,
)

SEEDS = json.loads(
    (Path(__file__).resolve().parents[2] / "seeds" / "reports.json").read_text(encoding="utf-8")
)
HUZHOU = next(r["paragraphs"] for r in SEEDS["reports"] if r["key"] == "huzhou")
AGENCY = "湖州市人力资源和社会保障局"
SECTIONS = [
    "一、主要工作举措和成效",
    "二、存在的不足和原因",
    "三、党政主要负责人履行推进法治建设第一责任人职责情况",
    "四、下一步工作计划",
]


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def row(paragraphs: list[str], url: str, **fields: Any) -> dict[str, Any]:
    """A document row as the crawl writes it (the page's required parts found by the extractor)."""
    body = "\n".join(paragraphs)
    found = report_parts(paragraphs)
    values = {
        "id": content_hash(body),
        "body": body,
        "url": url,
        "source_name": "huzhou-rsj",
        "title": paragraphs[1],
        "agency": AGENCY,
        "report_year": 2019,
        "publish_date": date(2020, 3, 20),
        "breadcrumb": [],
        "attachments": [],
        "keywords": [],
        "provenance": {},
        "fetched_at": at("2020-03-21"),
        "sections": {part: heading is not None for part, heading in found.items()},
        "section_headings": {part: heading for part, heading in found.items() if heading},
        "deadline": date(2020, 4, 1),
    }
    return values | fields


def store(db: Engine, values: dict[str, Any], seen: str, previous_id: str | None = None) -> dict[str, Any]:
    with write_session(db) as session:
        upsert_document(session=session, document=values, seen_at=at(seen), previous_id=previous_id)
    with db.connect() as connection:
        document = get_document(connection, values["id"])
    assert document is not None
    return document


def edited(paragraphs: list[str]) -> list[str]:
    """A republication: typos fixed, one paragraph reworded, a correction note added."""
    out = [p.replace("依法行政", "依法治理", 1) if i == 6 else p for i, p in enumerate(paragraphs)]
    out[10] = out[10][:20] + "(此段已更正)" + out[10][30:]
    return [*out, "附:本报告于2020年4月更正部分数据。"]


def test_republication_and_recrawl_become_versions_of_one_report(db: Engine) -> None:
    first = store(db, row(HUZHOU, "http://127.0.0.2/a.html"), "2020-03-21")
    assert (first["report_id"], first["version"], first["version_diff"]) == (first["id"], 1, None)
    second_text = edited(HUZHOU)
    second = store(db, row(second_text, "http://127.0.0.2/republished.html"), "2020-04-10")
    assert (second["report_id"], second["version"]) == (first["id"], 2)
    assert second["version_diff"] == {"previous": first["id"], "added": 1, "removed": 0, "changed": 2}
    # the republished page changes in place: the crawl passes the body it had before
    third_text = [*second_text[:-1], "附:本报告于2020年5月再次更正。"]
    third = store(db, row(third_text, "http://127.0.0.2/republished.html"), "2020-05-02", second["id"])
    assert (third["report_id"], third["version"]) == (first["id"], 3)
    assert third["version_diff"] == {"previous": second["id"], "added": 0, "removed": 0, "changed": 1}
    with db.connect() as connection:
        versions = report_versions(connection, first["id"])
        reports = list_reports(connection, filters=Filters())
        feed = changes_since(connection, since=0, limit=100)
    assert [(v["id"], v["version"]) for v in versions] == [
        (first["id"], 1),
        (second["id"], 2),
        (third["id"], 3),
    ]
    assert [(r["report_id"], r["id"], r["versions"]) for r in reports] == [(first["id"], third["id"], 3)]
    created = [c for c in feed if c["kind"] == "created"]
    assert [(c["detail"]["report_id"], c["detail"]["version"]) for c in created] == [
        (first["id"], n) for n in (1, 2, 3)
    ]
    # a new version is an update of the report (version 3's is the superseded_by of the page it replaced)
    assert {"document_id": first["id"], "kind": "updated"} in [
        {"document_id": c["document_id"], "kind": c["kind"]} for c in feed if c["detail"].get("version") == 2
    ]


def next_year(paragraphs: list[str]) -> list[str]:
    """The same agency a year on: most paragraphs kept (shared boilerplate), the years moved on."""
    moved = [p.replace("2020", "2021").replace("2019", "2020") for p in paragraphs]
    return [p if i % 5 else p + "本年度新增工作情况。" for i, p in enumerate(moved)]


def test_two_years_of_one_agency_stay_two_reports(db: Engine) -> None:
    first = store(db, row(HUZHOU, "http://127.0.0.2/2019.html"), "2020-03-21")
    later = row(
        next_year(HUZHOU), "http://127.0.0.2/2020.html", report_year=2020, publish_date=date(2021, 3, 1)
    )
    second = store(db, later, "2021-03-02")
    assert second["report_id"] == second["id"] != first["report_id"]
    assert second["version"] == 1


def test_another_agency_with_the_same_text_is_another_report(db: Engine) -> None:
    first = store(db, row(HUZHOU, "http://127.0.0.2/a.html"), "2020-03-21")
    copy = store(db, row(edited(HUZHOU), "http://127.0.0.2/b.html", agency="湖州市司法局"), "2020-03-22")
    assert copy["report_id"] == copy["id"] != first["id"]


def test_a_version_is_found_behind_more_look_alikes_of_other_agencies_than_are_confirmed(db: Engine) -> None:
    """Candidates are narrowed to the agency and year in SQL before the few most similar are confirmed: copies
    of the text under other agencies and years (each sharing every band) do not crowd the report out."""
    first = store(db, row(HUZHOU, "http://127.0.0.2/a.html"), "2020-03-21")
    with write_session(db) as session:
        for n in range(MAX_CANDIDATES + 4):  # the original text: more bands shared than the edited copy
            body = "\n".join([*HUZHOU, f"(转载{n})"])
            other = {"agency": f"其他局{n}"} if n % 2 else {"report_year": 2020}
            values = row(HUZHOU, f"http://127.0.0.2/copy{n}.html", **other) | {
                "id": content_hash(body),
                "body": body,
            }
            upsert_document(session=session, document=values, seen_at=at("2020-04-01"))
    second = store(db, row(edited(HUZHOU), "http://127.0.0.2/republished.html"), "2020-04-10")
    assert (second["report_id"], second["version"]) == (first["id"], 2)


def test_required_parts_are_kept_and_a_missing_part_is_found_by_the_filter(db: Engine) -> None:
    full = [
        HUZHOU[1],
        SECTIONS[0],
        HUZHOU[4],
        SECTIONS[1],
        HUZHOU[5],
        SECTIONS[2],
        HUZHOU[6],
        SECTIONS[3],
        HUZHOU[7],
    ]
    without = [p for p in full if p != SECTIONS[2]]
    complete = store(db, row(full, "http://127.0.0.2/full.html", agency="甲局"), "2020-03-21")
    lacking = store(db, row(without, "http://127.0.0.2/lacking.html", agency="乙局"), "2020-03-21")
    assert complete["sections"] == {
        "measures": True,
        "shortcomings": True,
        "leader_duties": True,
        "next_year": True,
        "other": False,
    }
    assert complete["section_headings"]["leader_duties"] == SECTIONS[2][:40]
    assert (complete["missing_parts"], lacking["missing_parts"]) == ("other", "leader_duties,other")
    with db.connect() as connection:
        documents = list_documents(connection, filters=Filters(missing="leader_duties"))
        reports = list_reports(connection, filters=Filters(missing="leader_duties"))
        others = list_documents(connection, filters=Filters(missing="other"))
    assert [d["id"] for d in documents] == [lacking["id"]] == [r["id"] for r in reports]
    assert {d["id"] for d in others} == {complete["id"], lacking["id"]}


def add_run(db: Engine, started: str, finished: str, state: str = "finished") -> None:
    with write_session(db) as session:
        session.add(
            CrawlRun(source_name="huzhou-rsj", state=state, started_at=at(started), finished_at=at(finished))
        )


def test_late_and_backdated_on_simulated_dates(db: Engine) -> None:
    add_run(db, "2020-04-05T02:00:00", "2020-04-05T02:10:00")  # after the deadline: it listed nothing
    add_run(db, "2020-04-20T02:00:00", "2020-04-20T02:10:00", state="failed")  # proves nothing
    on_time = store(db, row(HUZHOU, "http://127.0.0.2/a.html", publish_date=date(2020, 3, 30)), "2020-03-31")
    late = store(
        db,
        row(HUZHOU[:20], "http://127.0.0.2/late.html", agency="甲局", publish_date=date(2020, 4, 11)),
        "2020-04-12",
    )
    # dated 28 March, first seen on 6 April: the crawl of 5 April would have listed it
    backdated = store(
        db,
        row(HUZHOU[5:], "http://127.0.0.2/back.html", agency="乙局", publish_date=date(2020, 3, 28)),
        "2020-04-06",
    )
    # dated 10 April, seen on 21 April: the only crawl in between failed
    unproven = store(
        db,
        row(HUZHOU[8:], "http://127.0.0.2/unproven.html", agency="丙局", publish_date=date(2020, 4, 10)),
        "2020-04-21",
    )
    undated = store(
        db, row(HUZHOU[2:], "http://127.0.0.2/undated.html", agency="丁局", publish_date=None), "2020-04-02"
    )
    fields = ("deadline", "late", "days_late", "backdated")
    assert [on_time[f] for f in fields] == [date(2020, 4, 1), False, 0, False]
    assert [late[f] for f in fields] == [date(2020, 4, 1), True, 10, False]
    assert [backdated[f] for f in fields] == [date(2020, 4, 1), False, 0, True]
    assert [unproven[f] for f in fields] == [date(2020, 4, 1), True, 9, False]
    assert [undated[f] for f in fields] == [date(2020, 4, 1), None, None, None]
    assert backdated["first_seen"] == at("2020-04-06")
    # coverage judges the backdated report by when it was first seen, the undated one too
    expectation = Expectation("huzhou-rsj", (AGENCY, "甲局", "乙局", "丙局", "丁局", "戊局"), since=2019)
    with db.connect() as connection:
        rows = coverage_rows(connection, [expectation], today=date(2020, 6, 1))
        missing = coverage_rows(
            connection, [expectation], today=date(2020, 6, 1), filters=CoverageFilters(status="missing")
        )
    status = {(r["agency"], r["report_year"]): (r["status"], r["document_id"]) for r in rows}
    assert status == {
        (AGENCY, 2019): ("on_time", on_time["id"]),
        ("甲局", 2019): ("late", late["id"]),
        ("乙局", 2019): ("late", backdated["id"]),
        ("丙局", 2019): ("late", unproven["id"]),
        ("丁局", 2019): ("late", undated["id"]),
        ("戊局", 2019): ("missing", None),
    }
    assert [(r["agency"], r["report_year"]) for r in missing] == [("戊局", 2019)]


def test_the_integer_keyed_similarity_is_the_string_sets_jaccard_to_the_last_bit() -> None:
    """Over pairs from identical to unrelated (paragraphs shared, dropped, reworded, shuffled; short texts; one
    text against several at once), the versions test's value is the exact Jaccard of the 5-gram string sets: the
    same float, above the bound and below it."""
    rng = random.Random(7)
    texts = [r["paragraphs"] for r in SEEDS["reports"]]
    pool = [p for paragraphs in texts for p in paragraphs]
    bodies = ["\n".join(p) for p in texts] + ["", "短", "四个字的", "五个字正好", "\n".join(edited(HUZHOU))]
    bodies += [
        "𠀀𠀁𠀂" * 9,
        "a\U0010ffffb" * 4,
        "ab\tcd e",
    ]  # beyond the BMP, the last code point, whitespace
    for _ in range(300):
        base = rng.sample(pool, k=rng.randint(1, 14))
        kept = [p for p in base if rng.random() < rng.random()] + rng.sample(pool, k=rng.randint(0, 3))
        bodies += ["\n".join(base), "\n".join(kept)]
    seen_above = seen_below = 0  # similar but not the same text; dissimilar
    for i in range(0, len(bodies) - 1):
        others = [bodies[i + 1], bodies[rng.randrange(len(bodies))], bodies[i], bodies[rng.randrange(9)]]
        grams = shingles(bodies[i])
        exact = [jaccard(grams, shingles(other)) for other in others]
        assert jaccards(gram_text(bodies[i]), [gram_text(o) for o in others]) == exact
        seen_above += sum(JOIN_JACCARD <= e < 1 for e in exact)
        seen_below += sum(e < JOIN_JACCARD for e in exact)
    assert seen_above > 50 and seen_below > 300


def test_an_alphabet_too_large_for_64_bit_keys_is_compared_as_strings() -> None:
    """Over 6208 distinct characters, D⁵ passes 2⁶³: the string sets answer, with the same value."""
    wide = "".join(chr(0x4E00 + i) for i in range(7000))
    other = wide[:5000] + "".join(chr(0x3400 + i) for i in range(2000))
    assert jaccards(wide, [other]) == [jaccard(shingles(wide), shingles(other))]
    # the process's numbering of characters starts again when it would pass the bound: still exact after it
    for start in (0x5000, 0x6000, 0x7000, 0x5000):
        text = "".join(chr(start + i) for i in range(3000))
        edited_text = text[:2500] + "更正" + text[2600:]
        assert jaccards(text, [edited_text, wide]) == [
            jaccard(shingles(text), shingles(edited_text)),
            jaccard(shingles(text), shingles(wide)),
        ]


def test_the_minhash_of_every_position_is_the_minhash_of_the_set() -> None:
    """The signature (its band keys are stored) is taken from each position's 5-gram, repeats included: the
    digest is the one of the 5-gram set, for every seed report and edited or short text."""
    texts = ["\n".join(r["paragraphs"]) for r in SEEDS["reports"]] + [
        "",
        "短",
        "五个字正好",
        "重复重复重复重复",
    ]
    texts.append("\n".join(edited(HUZHOU)))
    for body in texts:
        assert signature(gram_list(gram_text(body))) == signature(shingles(body))
        assert band_keys(signature(gram_list(gram_text(body)))) == band_keys(signature(shingles(body)))
