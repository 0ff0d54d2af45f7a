"""`python -m casedesk` runs the command line (no arguments opens the GUI)."""

import multiprocessing
import sys

from casedesk.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # no-op unless frozen; see packaging/launcher.py
    sys.exit(main())
