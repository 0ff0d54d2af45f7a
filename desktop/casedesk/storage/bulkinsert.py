"""Inserting many rows in one go: the SQLite driver's executemany directly, SQLAlchemy Core elsewhere.

SQLAlchemy Core spends most of a bulk insert building per-row parameters (about 193k rows/s
here against 730k rows/s for sqlite3.executemany). On SQLite the only bind processing our
column types need is JSON serialisation and booleans as 0/1, so those are done here and the rows
go straight to the driver, inside the session's transaction. PostgreSQL keeps the Core path (its
text type escapes NUL characters on the way in).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from sqlalchemy import JSON, Boolean, Table, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

_CHUNK = 5000


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


def insert_tuples(session: Session, table: Table, cols: list[str], data: list[tuple[Any, ...]]) -> None:
    """Insert rows given as tuples in the order of `cols`; columns left out get their defaults."""
    if not data:
        return
    # Columns the rows leave out get their Python-side default, as a Core insert would give them.
    defaults = [(c.name, c.default) for c in table.columns
                if c.name not in cols and c.default is not None and not c.primary_key]
    if defaults:
        scalars = tuple(d.arg for _, d in defaults if d.is_scalar)
        calls = [d.arg for _, d in defaults if d.is_callable]
        cols = cols + [n for n, d in defaults if d.is_scalar] + [n for n, d in defaults if d.is_callable]
        data = [(*r, *scalars, *(fn(None) for fn in calls)) for r in data]
    if session.bind.dialect.name != "sqlite":
        for start in range(0, len(data), _CHUNK):
            session.execute(insert(table), [dict(zip(cols, r)) for r in data[start:start + _CHUNK]])
        return
    converters = [_converter(table.c[c].type) for c in cols]
    if any(converters):
        pairs = list(enumerate(converters))
        data = [tuple(r[i] if f is None else f(r[i]) for i, f in pairs) for r in data]
    sql = (f'INSERT INTO "{table.name}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)}) '
           f'VALUES ({", ".join("?" for _ in cols)})')
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, data)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from None
    finally:
        cursor.close()
