"""Every table of a workspace, gathered on one MetaData (what Alembic compares against)."""

from casedesk.domain import models  # noqa: F401  (registers the case model's tables)
from casedesk.domain.models import Base

metadata = Base.metadata
from casedesk.domain import (
    catalog_entries,  # noqa: F401,E402  (the workspace's own accelerator models)
    origins,  # noqa: F401,E402  (where imported cases came from)
    seals,  # noqa: F401,E402  (signed seals on the audit chain)
    watchlists,  # noqa: F401,E402  (screening lists and hits)
)
