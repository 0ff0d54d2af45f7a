"""PostgreSQL LISTEN/NOTIFY for the audit log: a writer's commit wakes every watching window at once.

Each write transaction that appends audit entries sends a notification on CHANNEL (delivered by
PostgreSQL when, and only if, the transaction commits). A window holds one extra connection that
LISTENs; asking it whether anything arrived costs no query, so a window can look five times a
second and read the audit log only when a colleague actually wrote. SQLite has no such signal:
windows there poll the log (services.change_feed), which is one indexed read.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

CHANNEL = "casedesk_audit"
_log = logging.getLogger(__name__)


def notify_audit_appended(session: Session, last_id: int) -> None:
    """Queue a notification carrying the newest audit id; PostgreSQL sends it on commit."""
    session.execute(text("SELECT pg_notify(:channel, :payload)"),
                    {"channel": CHANNEL, "payload": str(last_id)})


class AuditListener:
    """One LISTENing connection; `pending()` says, without blocking, whether audit entries arrived."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._conn: Any = None
        self._connect()

    def _connect(self) -> None:
        raw = self._engine.raw_connection()
        conn = raw.driver_connection
        raw.detach()  # our own connection from now on, never back to the pool
        conn.rollback()  # out of any transaction the pool's checkout began
        conn.autocommit = True
        conn.execute(f"LISTEN {CHANNEL}")
        self._conn = conn

    def pending(self) -> bool:
        """True if a notification came since the last call (or the connection was lost: look anyway)."""
        try:
            if self._conn is None or self._conn.closed:
                self._connect()
                return True
            return sum(1 for _ in self._conn.notifies(timeout=0)) > 0
        except Exception as exc:  # noqa: BLE001 - a dropped connection: reconnect on the next call
            _log.info("audit listener lost its connection: %s", exc)
            self.close()
            return True

    def close(self) -> None:
        """Stop listening."""
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass
            self._conn = None


def audit_listener(engine: Engine) -> AuditListener | None:
    """A listener on PostgreSQL; None on SQLite (or when the server refuses one)."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        return AuditListener(engine)
    except Exception as exc:  # noqa: BLE001 - live refresh falls back to polling
        _log.info("no LISTEN connection (%s); polling the audit log instead", exc)
        return None
