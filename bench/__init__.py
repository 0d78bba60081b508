"""Benchmarks: `python -m bench [NAME ...]` runs them and prints figures (see docs/benchmarks.md)."""
