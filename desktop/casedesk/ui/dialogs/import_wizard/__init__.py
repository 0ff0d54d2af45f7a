"""The import wizard: one module per page; `ImportWizard` (wizard.py) is this package's public name."""

from casedesk.ui.dialogs.import_wizard.wizard import ImportWizard

__all__ = ["ImportWizard"]
