"""Bundled offline demo source: a small Discuz!-style forum served on 127.0.0.1 (see demo.site)."""
