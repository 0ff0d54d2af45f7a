"""Case verbs: start a new case, add the built-in demo case (one transaction each)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casedesk.services.cases import create_case
from casedesk.services.demo import load_demo_case
from casedesk.ui.operations.core import Operations


def new_case(ops: Operations, title: str, *, properties: dict[str, Any] | None = None,
             on_done: Callable[[int], None], on_error: Callable[[Any], None]) -> int:
    """Create a case with this title and properties (reference, client, marking); on_done gets its id."""
    props = dict(properties or {})
    return ops.run(lambda s: create_case(s, title, properties=props).id, on_done=on_done, on_error=on_error)


def case_properties_of(ops: Operations, case_id: int) -> dict[str, str]:
    """The properties of a case (a short read)."""
    from casedesk.services.cases import get_case

    with ops.reading() as s:
        return dict(get_case(s, case_id).properties or {})


def add_demo_case(ops: Operations, *, on_done: Callable[[int], None], on_error: Callable[[Any], None]) -> int:
    """Add the built-in demo case (the Brisbane and California H100 rentals); on_done gets its id."""
    return ops.run(lambda s: load_demo_case(s).id, on_done=on_done, on_error=on_error)
