"""``python -m derive``: the same command line as the ``derive`` console script."""

from derive.reports.cli import entry

entry()
