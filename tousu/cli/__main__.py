"""`python -m tousu.cli`: the same as the `tousu` command."""

from tousu.cli.main import main

main()
