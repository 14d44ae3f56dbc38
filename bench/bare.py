"""The bare handlers bench/api.py measures fazhi against: the same SQL on the raw driver (sqlite3, psycopg) in a
Starlette app, written out as the module uvicorn serves. SQLite is opened with the store's read setting (its
memory map, store.db.SQLITE_MMAP_BYTES), so that the ratio is fazhi's own cost, not a pragma's."""

BARE = """
import os, sqlite3, orjson, threading
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

DB = os.environ["BENCH_DB"]
local = threading.local()

def db():
    if not hasattr(local, "c"):
        local.c = sqlite3.connect(DB, check_same_thread=False)
        local.c.execute("PRAGMA mmap_size=1073741824")  # as store.db's connections
        local.c.row_factory = sqlite3.Row
    return local.c

SUMMARY = "id, seq, title, agency, report_year, publish_date, doc_number, province, city, county, url, source_name, fetched_at"

def listing(request):
    rows = db().execute(f"SELECT {SUMMARY} FROM documents WHERE seq > ? ORDER BY seq LIMIT 51", (int(request.query_params.get("after", 0)),)).fetchall()
    return Response(orjson.dumps({"items": [dict(r) for r in rows[:50]]}), media_type="application/json")

def search(request):
    rows = db().execute(f"SELECT {', '.join('documents.' + c.strip() for c in SUMMARY.split(','))} FROM documents JOIN documents_fts ON documents_fts.rowid = documents.seq "
                        "WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts), documents.seq LIMIT 51", (request.query_params["match"],)).fetchall()
    return Response(orjson.dumps({"items": [dict(r) for r in rows[:50]]}), media_type="application/json")

def one(request):
    row = db().execute("SELECT * FROM documents WHERE id = ?", (request.path_params["id"],)).fetchone()
    sightings = db().execute("SELECT url, source_name, first_seen, last_seen FROM sightings WHERE document_id = ?", (row["id"],)).fetchall()
    data = dict(row); data["sightings"] = [dict(s) for s in sightings]
    return Response(orjson.dumps(data), media_type="application/json")

app = Starlette(routes=[Route("/documents", listing), Route("/search", search), Route("/documents/{id}", one)])
"""

BARE_PG = """
import os, threading, orjson, psycopg
from psycopg.rows import dict_row
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

DB = os.environ["BENCH_DB"]
local = threading.local()

def db():
    if not hasattr(local, "c"):
        local.c = psycopg.connect(DB, autocommit=True, row_factory=dict_row)
    return local.c

SUMMARY = "id, seq, title, agency, report_year, publish_date, doc_number, province, city, county, url, source_name, fetched_at"

def dumps(rows):
    return orjson.dumps({"items": rows[:50]}, default=str)

def listing(request):
    rows = db().execute(f"SELECT {SUMMARY} FROM documents WHERE seq > %s ORDER BY seq LIMIT 51", (int(request.query_params.get("after", 0)),)).fetchall()
    return Response(dumps(rows), media_type="application/json")

def search(request):
    columns = ", ".join("d." + c.strip() for c in SUMMARY.split(","))
    rows = db().execute(f"SELECT {columns} FROM documents d JOIN documents_fts f ON f.rowid = d.seq "
                        "WHERE f.vector @@ plainto_tsquery('simple', %s) "
                        "ORDER BY -ts_rank(f.vector, plainto_tsquery('simple', %s)), d.seq LIMIT 51",
                        (request.query_params["words"], request.query_params["words"])).fetchall()
    return Response(dumps(rows), media_type="application/json")

def one(request):
    row = db().execute("SELECT * FROM documents WHERE id = %s", (request.path_params["id"],)).fetchone()
    row["sightings"] = db().execute("SELECT url, source_name, first_seen, last_seen FROM sightings WHERE document_id = %s", (row["id"],)).fetchall()
    return Response(orjson.dumps(row, default=str), media_type="application/json")

app = Starlette(routes=[Route("/documents", listing), Route("/search", search), Route("/documents/{id}", one)])
"""
