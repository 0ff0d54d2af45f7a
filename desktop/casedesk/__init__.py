"""CaseDesk: an offline due-diligence case manager for AI-compute investigations."""

__version__ = "0.1.0"
