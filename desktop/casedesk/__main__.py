"""`python -m casedesk` runs the command line (no arguments opens the GUI)."""

import sys

from casedesk.cli import main

sys.exit(main())
