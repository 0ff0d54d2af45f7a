"""The one source of timestamps: ISO 8601 UTC strings with microseconds."""

from __future__ import annotations

from datetime import datetime, timezone


def now_iso() -> str:
    """The current time as an ISO 8601 UTC string, e.g. 2026-11-25T10:00:00.123456Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
