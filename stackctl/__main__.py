"""`python -m stackctl`."""

from stackctl.cli.entry import run

run()
