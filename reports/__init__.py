"""Reports and the command line: Jinja templates, plots, diagrams, and ``derive``'s subcommands."""
