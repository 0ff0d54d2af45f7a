"""The one door from widgets to data: verbs per concern that the one background runner executes.

`core.Operations` runs each operation in one `Workspace.write()` and sends the change set to the
models; the modules beside it (records, links, evidence, findings, screening, importing, cases,
workspace) hold the short verbs widgets and dialogs call. No widget opens a session itself.
"""

from casedesk.ui.operations.core import Operations, Outcome

__all__ = ["Operations", "Outcome"]
