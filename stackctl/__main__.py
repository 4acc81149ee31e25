"""`python -m stackctl`."""

from stackctl.cli.main import run

run()
