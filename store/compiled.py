"""The crawl's writes on the DBAPI cursor: a Core statement compiled once per dialect and set of parameter names,
then run with the driver's own ``execute``/``executemany``.

A page's commit runs about ten small statements; through ``Connection.execute`` each costs ~0.1 ms of Python
around the driver's own time (the compiled cache's key, an execution context, bind processing, a result object).
Here the SQL text, the parameters' order and their bind processors are SQLAlchemy's own (taken from the compiled
statement), so the driver receives the same SQL and the same values as through Core; only the bookkeeping is
skipped. A statement that needs more than bound values (Python-side column defaults, expanding ``IN``, escaped
names) is not taken: it runs through Core as before. Driver errors are raised as Core raises them
(:class:`sqlalchemy.exc.DBAPIError` subclasses; a lost connection is invalidated). Not the same as Core: these
statements fire no ``before_cursor_execute``/``after_cursor_execute`` events and are not echoed, and a value its
bind processor cannot convert (a JSON value that does not serialize) raises the processor's own error, not a
``StatementError``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.sql import Executable

from store.sql import _wrapped

Params = dict[str, Any]


class _Plan:
    """A compiled statement's SQL, its parameters' order, and the positions whose values a processor converts."""

    __slots__ = ("_get", "_processed", "names", "positional", "sql")

    def __init__(
        self,
        sql: str,
        names: tuple[str, ...],
        processors: tuple[Callable[[Any], Any] | None, ...],
        positional: bool,
    ) -> None:
        self.sql, self.names, self.positional = sql, names, positional
        self._get = itemgetter(*names) if len(names) > 1 else (lambda params: tuple(params[n] for n in names))
        self._processed = tuple((i, p) for i, p in enumerate(processors) if p is not None)

    def bind(self, params: Params) -> Any:
        values = list(self._get(params))
        for at, process in self._processed:  # as Core: None goes through too (a JSON column's 'null')
            values[at] = process(values[at])
        return tuple(values) if self.positional else dict(zip(self.names, values, strict=True))


@dataclass(frozen=True, slots=True)
class Result:
    rows: list[tuple[Any, ...]]
    rowcount: int
    columns: tuple[str, ...]

    def mappings(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


# per dialect object (each engine has its own: its JSON serializer and paramstyle are in its bind processors), so
# two engines of one backend never share a plan; weakly, so a disposed engine's plans go with it
_PLANS: weakref.WeakKeyDictionary[Any, dict[tuple[Executable, frozenset[str]], _Plan | None]] = (
    weakref.WeakKeyDictionary()
)


def _plan(statement: Executable, connection: Connection, keys: frozenset[str]) -> _Plan | None:
    dialect = connection.dialect
    plans = _PLANS.get(dialect)
    if plans is None:
        plans = _PLANS.setdefault(dialect, {})
    key = (statement, keys)
    try:
        return plans[key]
    except KeyError:
        pass
    clause: Any = statement  # every Executable we are given is a ClauseElement (compile)
    compiled: Any = clause.compile(dialect=connection.dialect, column_keys=sorted(keys))
    simple = not (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or getattr(compiled, "escaped_bind_names", None)
        or compiled.returning_precedes_values  # (MSSQL's OUTPUT): never on our backends
    )
    plan = None
    if simple:
        positional = bool(compiled.positional)
        names = tuple(compiled.positiontup) if positional else tuple(compiled.bind_names.values())
        if set(names) <= keys:  # a bound value without its parameter: let Core say so
            processors = compiled._bind_processors
            plan = _Plan(compiled.string, names, tuple(processors.get(n) for n in names), positional)
    plans[key] = plan
    return plan


def execute(connection: Connection, statement: Executable, params: Params | Sequence[Params]) -> Result:
    """``connection.execute(statement, params)`` on the driver (one dict: ``execute``; a list: ``executemany``,
    rows of the same keys); the rows it returned, as tuples, and the driver's rowcount. ``statement`` must be built
    once (a module constant, or cached): its plan is kept for the life of the process."""
    many = not isinstance(params, dict)
    rows: Sequence[Params] = params if many else [params]  # type: ignore[assignment,list-item]
    if not rows:
        return Result([], 0, ())
    plan = _plan(statement, connection, frozenset(rows[0]))
    if plan is None:
        core = connection.execute(statement, list(rows) if many else rows[0])
        if core.returns_rows:
            return Result([tuple(r) for r in core], core.rowcount, tuple(core.keys()))
        return Result([], core.rowcount, ())
    raw: Any = connection.connection.dbapi_connection
    cursor = raw.cursor()
    bound: Any = None
    try:
        if many:
            bound = [plan.bind(row) for row in rows]
            cursor.executemany(plan.sql, bound)
        else:
            bound = plan.bind(rows[0])
            cursor.execute(plan.sql, bound)
        description = cursor.description
        out = [tuple(row) for row in cursor.fetchall()] if description else []
        return Result(out, cursor.rowcount, tuple(d[0] for d in description or ()))
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(connection, exc, plan.sql, bound, raw, cursor) from exc
    finally:
        cursor.close()
