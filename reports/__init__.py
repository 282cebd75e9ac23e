"""Reports and the command line: Jinja templates, plots, diagrams, and ``derive``'s subcommands."""

# The report's output formats; here, not in reports.build, so the command line can name them
# without importing matplotlib.
REPORT_FORMATS = ("html", "tex", "pdf")
