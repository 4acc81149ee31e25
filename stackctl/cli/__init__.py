"""The command line: the only place that imports typer and rich, and the only place that prints."""
