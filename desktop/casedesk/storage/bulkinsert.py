"""Inserting many rows in one go: the SQLite driver's executemany directly, SQLAlchemy Core elsewhere.

SQLAlchemy Core spends most of a bulk insert building per-row parameters (about 193k rows/s
here against 730k rows/s for sqlite3.executemany). On SQLite the only bind processing our
column types need is JSON serialisation and booleans as 0/1, so those are done here and the rows
go straight to the driver, inside the session's transaction. PostgreSQL keeps the Core path (its
text type escapes NUL characters on the way in).

On SQLite the rows go in as multi-row `INSERT … VALUES (…), (…), …` statements of about 2,000
rows rather than executemany: a third faster alone (one statement step per chunk instead of per
row), and, above all, the driver releases the GIL for the whole step, so a background writer
thread really runs beside the Python work. executemany re-takes the GIL between rows and, in a
thread, waits for the busy main thread at every row (measured: no overlap at all).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Boolean, Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_CHUNK = 5000
# Rows per multi-row INSERT: past about 1,500 the GIL hand-overs stop mattering; the statement
# (cached by the driver) stays small enough to compile in well under a millisecond.
_ROWS_PER_STATEMENT = 2000
_WRITER_KEY = "casedesk_background_writer"
_IDS_KEY = "casedesk_next_ids"


def _converter(column_type: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy would bind a value of this type on SQLite (None: as it is)."""
    if isinstance(column_type, JSON):
        # SQLAlchemy's default JSON serializer (None is stored as JSON null); the empty list,
        # by far the most common value (tags), is spelled out to skip json.dumps per row
        return lambda v: "[]" if v == [] and isinstance(v, list) else json.dumps(v)
    if isinstance(column_type, Boolean):
        return lambda v: None if v is None else int(bool(v))
    return None


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) into a table in the session's transaction."""
    if not rows:
        return
    cols = list(rows[0])
    insert_tuples(session, table, cols, [tuple(r[c] for c in cols) for r in rows])


def insert_tuples(
    session: Session,
    table: Table,
    cols: list[str],
    data: list[tuple[Any, ...]],
    constants: dict[str, Any] | None = None,
    hoist: Sequence[str] = (),
) -> None:
    """Insert rows given as tuples in the order of `cols`; columns left out get their defaults.

    constants are columns with the same value in every row (given once, not in each tuple);
    hoist names columns of the rows that often hold one value (see hoist_constants).
    """
    if not data:
        return
    constants = dict(constants or {})
    if hoist:
        cols, data, same = hoist_constants(cols, data, hoist)
        constants.update(same)
    # Columns the rows leave out get their Python-side default, as a Core insert would give them.
    calls = []
    for c in table.columns:
        if c.name in cols or c.name in constants or c.default is None or c.primary_key:
            continue
        if c.default.is_scalar:
            constants[c.name] = c.default.arg
        elif c.default.is_callable:
            calls.append((c.name, c.default.arg))
    if calls:
        cols = cols + [n for n, _ in calls]
        data = [(*r, *(fn(None) for _, fn in calls)) for r in data]
    if session.bind.dialect.name != "sqlite":
        names = cols + list(constants)
        fixed = tuple(constants.values())
        for start in range(0, len(data), _CHUNK):
            session.execute(
                insert(table),
                [dict(zip(names, (*r, *fixed))) for r in data[start : start + _CHUNK]],
            )
        return
    converting = [(i, f) for i, c in enumerate(cols) if (f := _converter(table.c[c].type))]
    if converting:
        # Column by column: only the JSON and boolean columns change, each in one map() pass.
        columns = list(zip(*data))
        for i, f in converting:
            columns[i] = tuple(map(f, columns[i]))
        data = list(zip(*columns))
    literals: dict[str, str] = {}
    bound: dict[str, Any] = {}
    for name, value in constants.items():
        f = _converter(table.c[name].type)
        value = f(value) if f is not None else value
        sql = _literal(value)
        if sql is None:
            bound[name] = value
        else:
            literals[name] = sql
    if bound:  # constants that cannot be written into the statement go with every row
        cols = cols + list(bound)
        fixed = tuple(bound.values())
        data = [(*r, *fixed) for r in data]
    raw = session.connection().connection.driver_connection
    _run_statements(session, _multirow_statements(raw, table.name, cols, data, literals))


def _literal(value: Any) -> str | None:
    """A constant as SQL text, or None when it must be bound (only simple, short values)."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and len(value) <= 100 and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    return None


def hoist_constants(
    cols: list[str], data: list[tuple[Any, ...]], names: Sequence[str]
) -> tuple[list[str], list[tuple[Any, ...]], dict[str, Any]]:
    """Take those of the named columns that hold one value in every row out of the rows.

    Such a column is written once into each statement instead of being bound in every row: the
    writer thread binds parameters holding the GIL, which the main thread then waits for.
    """
    constants: dict[str, Any] = {}
    if not data:
        return cols, data, constants
    first, size = data[0], len(data)
    for name in names:
        i = cols.index(name)
        value = first[i]
        column = list(map(itemgetter(i), data))
        # count() compares in C; the types too, since 1, 1.0 and True are equal but are not
        # stored alike (only numbers can be equal across types)
        if column.count(value) == size and (
            type(value) not in (int, float, bool) or len(set(map(type, column))) == 1
        ):
            constants[name] = value
    if not constants:
        return cols, data, constants
    keep = [i for i, c in enumerate(cols) if c not in constants]
    if len(keep) > 1:
        rows = list(map(itemgetter(*keep), data))
    else:  # itemgetter of one index gives the value, of none is refused: tuples by hand
        rows = [tuple(r[i] for i in keep) for r in data]
    return [cols[i] for i in keep], rows, constants


def _run_statements(session: Session, statements: list[tuple[str, list[Any]]]) -> None:
    """Queue statements on the session's background writer, or run them now when it has none."""
    writer = session.info.get(_WRITER_KEY)
    if writer is not None:
        writer.add_statements(statements)
        return
    _execute_statements(session.connection().connection.driver_connection, statements)


def _multirow_statements(
    raw: sqlite3.Connection,
    table: str,
    cols: list[str],
    data: Sequence[Sequence[Any]],
    literals: dict[str, str] | None = None,
) -> list[tuple[str, list[Any]]]:
    """The rows as (multi-row INSERT, flat parameters) pairs within the driver's variable limit;
    literals are columns given as SQL text, the same in every row."""
    literals = literals or {}
    names = [*cols, *literals]
    head = f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in names)}) VALUES '
    one = f"({', '.join(['?'] * len(cols) + list(literals.values()))})"
    per = max(1, min(_ROWS_PER_STATEMENT, _variable_limit(raw) // max(1, len(cols))))
    full_sql = head + ", ".join([one] * per)
    out = []
    for start in range(0, len(data), per):
        chunk = data[start : start + per]
        sql = full_sql if len(chunk) == per else head + ", ".join([one] * len(chunk))
        out.append((sql, list(chain.from_iterable(chunk))))
    return out


def _execute_statements(raw: sqlite3.Connection, statements: list[tuple[str, list[Any]]]) -> None:
    """Run (sql, parameters) pairs in order on the driver connection (errors as DBAPIError)."""
    cursor = raw.cursor()
    sql = ""
    try:
        for sql, params in statements:
            cursor.execute(sql, params)
    except _driver_errors(raw) as exc:
        base = sqlite3.Error if isinstance(exc, sqlite3.Error) else _driver_errors(raw)[-1]
        raise DBAPIError.instance(sql[:200], None, exc, base) from None
    finally:
        cursor.close()


# SQLite's default bound-variable limit since 3.32, for drivers without getlimit (sqlcipher3)
_DEFAULT_VARIABLE_LIMIT = 32766


def _variable_limit(raw: sqlite3.Connection) -> int:
    """How many parameters one statement may bind on this driver connection."""
    getlimit = getattr(raw, "getlimit", None)
    return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit else _DEFAULT_VARIABLE_LIMIT


def _driver_errors(raw: sqlite3.Connection) -> tuple[type[BaseException], ...]:
    """The driver's error classes: sqlite3's, or the SQLCipher driver's for an encrypted workspace."""
    module = sys.modules.get(type(raw).__module__)
    own = getattr(module, "Error", None)
    return (sqlite3.Error, own) if isinstance(own, type) and own is not sqlite3.Error else (sqlite3.Error,)


_SEARCH_TABLES: dict[str, bool] = {}


def _has_search_index(session: Session) -> bool:
    """True on a SQLite workspace with the trigram search index (checked once per database)."""
    engine = session.bind
    if engine.dialect.name != "sqlite":
        return False
    key = str(engine.url)
    if key not in _SEARCH_TABLES:
        # A connection of its own: the session's may be busy on the background writer thread.
        with engine.execution_options(casedesk_write=False).connect() as conn:  # a reader: no write lock
            _SEARCH_TABLES[key] = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'record_search_pause'").first() is not None
    return _SEARCH_TABLES[key]


def run_sql(session: Session, sql: str, params: list[tuple[Any, ...]] | None = None) -> None:
    """Run one statement in the session's transaction, in order with queued bulk inserts."""
    _run_statements(session, [(sql, list(p)) for p in (params if params is not None else [()])])


@contextmanager
def search_index_batch(session: Session, first_id: int, last_id: int) -> Iterator[None]:
    """Insert records first_id..last_id and their aliases with the search triggers paused,
    then index them with one statement each (see migration 0006_index_bulk_inserts_in_one_statement).

    An error inside rolls the whole transaction back, the pause row with it.
    """
    if first_id > last_id or not _has_search_index(session):
        yield
        return
    run_sql(session, "INSERT INTO record_search_pause(id) VALUES (1)")
    yield
    run_sql(session, "DELETE FROM record_search_pause")
    span = [(first_id, last_id)]
    run_sql(session, "INSERT INTO record_search(rowid, name, record_id, case_id) "
                     "SELECT id, label, id, case_id FROM record WHERE id BETWEEN ? AND ?", span)
    # FTS5 flushes its pending terms to a new segment whenever a rowid is not above the last
    # one; alias rows go in as -alias.id, so they must come newest first to keep rowids rising
    # (in alias-id order this statement took ten times longer, a segment per row).
    run_sql(session, "INSERT INTO record_search(rowid, name, record_id, case_id) "
                     "SELECT -alias.id, alias.name, alias.record_id, record.case_id FROM alias "
                     "JOIN record ON record.id = alias.record_id "
                     "WHERE alias.record_id BETWEEN ? AND ? ORDER BY alias.id DESC", span)


class BackgroundWriter:
    """Runs the inserts of one SQLite transaction on a second thread, one batch at a time.

    SQLite does its index work with the GIL released, so the caller can prepare the next batch
    (parsing, validating, hashing audit entries) on one core while the rows go in on the other.
    The caller must call wait() before reading the database; dispatch() waits for the previous
    batch first, so at most one batch is in flight and every statement runs in order.
    """

    def __init__(self, session: Session):
        self._raw = session.connection().connection.driver_connection
        self._pending: list[tuple[str, list[Any]]] = []
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def add_statements(self, statements: list[tuple[str, list[Any]]]) -> None:
        """Queue (sql, parameters) statements for the next batch."""
        self._pending.extend(statements)

    def dispatch(self) -> None:
        """Start the queued statements on the writer thread (after the previous batch ended)."""
        self.wait()
        batch, self._pending = self._pending, []
        if not batch:
            return

        def work() -> None:
            try:
                _execute_statements(self._raw, batch)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                self._error = exc

        self._thread = threading.Thread(target=work, name="casedesk-bulk-writer", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Block until the batch in flight is written; raise its error, if any, here."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            exc, self._error = self._error, None
            raise exc

    def drain(self) -> None:
        """Write everything queued, then return (errors raised)."""
        self.dispatch()
        self.wait()


@contextmanager
def background_writes(session: Session) -> Iterator[BackgroundWriter | None]:
    """Within the block, SQLite bulk inserts run on a writer thread (None on other databases).

    While it is active, bulk id allocation counts in memory (the inserts may not have run yet);
    on leaving, everything queued is written (or, after an error, waited for and dropped).
    """
    if session.bind.dialect.name != "sqlite" or _WRITER_KEY in session.info:
        yield None
        return
    writer = BackgroundWriter(session)
    session.info[_WRITER_KEY] = writer
    session.info[_IDS_KEY] = {}
    # The writer needs the GIL for a moment around each statement; with the default 5 ms switch
    # interval it waits that long behind the busy main thread every time, and fell behind by
    # ~1 s per 100,000 imported rows. At 1 ms it still spent 2–2.5 s of a 100,000-row
    # transactions import waiting for the GIL; at 0.2 ms about 0.3 s (docs/performance.md).
    switch = sys.getswitchinterval()
    sys.setswitchinterval(min(switch, 0.0002))
    ok = False
    try:
        yield writer
        ok = True
    finally:
        sys.setswitchinterval(switch)
        session.info.pop(_WRITER_KEY, None)
        session.info.pop(_IDS_KEY, None)
        if ok:
            writer.drain()
        else:
            writer._pending = []
            try:
                writer.wait()
            except Exception:  # noqa: BLE001 - the first error is already propagating
                pass


def next_ids(
    session: Session, table: Table, count: int, first_free: Callable[[], int]
) -> list[int] | None:
    """Consecutive new ids from the in-memory counter of a background-write block (else None)."""
    counters = session.info.get(_IDS_KEY)
    if counters is None:
        return None
    start = counters.get(table.name)
    if start is None:
        writer = session.info.get(_WRITER_KEY)
        if writer is not None:
            writer.wait()
        start = first_free()
    counters[table.name] = start + count
    return list(range(start, start + count))
