"""`tousu run`, `tousu dashboard`, `tousu demo-site`: the long-running processes."""

from __future__ import annotations

import time

import typer

from demo.site import DemoSite
from tousu.cli.common import config
from tousu.monitor import Monitor, start_dashboard


def run() -> None:
    """The long-running monitor: scheduler (crawls, warnings) and the console."""
    Monitor(config()).run_forever()


def dashboard() -> None:
    """The console only (Streamlit)."""
    cfg = config()
    process = start_dashboard(cfg)
    try:
        process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(10)


def demo_site(port: int = typer.Option(0, help="0 = config demo.port")) -> None:
    """Serve the bundled demo forum alone (what `run` starts when demo.enabled)."""


    cfg = config()
    site = DemoSite(cfg.demo.host, port or cfg.demo.port, initial=cfg.demo.initial,
                    release_every=cfg.demo.release_every).start()
    typer.echo(site.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        site.stop()
