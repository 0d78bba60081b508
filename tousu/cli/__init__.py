"""The `tousu` command line: main.py builds the app from one module per command group."""
