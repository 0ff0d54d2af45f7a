"""The PDF dossier: build_dossier (data step), render_dossier (ReportLab), write_report (both, as a job)."""

from casedesk.services.reporting.build import build_dossier
from casedesk.services.reporting.model import Dossier, DossierOptions
from casedesk.services.reporting.redaction import get_profile, redaction_profiles

__all__ = ["Dossier", "DossierOptions", "build_dossier", "get_profile", "redaction_profiles"]
