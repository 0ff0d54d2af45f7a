"""The command line: the same services as the GUI, JSON on stdout, exit 2 with one line on bad input.

See product/cli.md for the contract (names, options, JSON keys). The package re-exports `main`, the
console script `casedesk = "casedesk.cli:main"` and `python -m casedesk`.

Layout: `core` (output, exit codes, UsageError, the command context), `parser` (every command's
options), `entry` (`main` and the crash log), and one module per command group, each holding its
`add_commands(sub, common)` and its `run_*` functions: cases, demo, records, links, analyse,
importing, watchlist, screen, hits, dedupe, report, verify, gui. A new command goes into the module of
its group (`records add/show/edit` into `records`); a new group gets its own module (`export`,
`encrypt`) registered in `parser`.
"""

from casedesk.cli.entry import main

__all__ = ["main"]
