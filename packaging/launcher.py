"""The frozen program's entry point: CaseDesk's command line, which opens the window with no argument."""

import multiprocessing
import sys

if __name__ == "__main__":
    # A worker process of the frozen program (watch-list import) starts this same executable;
    # freeze_support() runs the worker's job there instead of the command line.
    multiprocessing.freeze_support()
    from casedesk.cli import main

    sys.exit(main())
