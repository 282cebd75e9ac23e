"""``python -m derive``: the same command line as the ``derive`` console script."""

from reports.cli import entry

entry()
