"""`python -m cli`: the `survey` command without its installed script."""

from cli import app

app()
