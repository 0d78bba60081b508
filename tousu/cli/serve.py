"""`tousu run`, `tousu dashboard`, `tousu demo-site`: the long-running processes.

Each checks its ports first and fails at once naming the config key, and each ends what it
started on Ctrl-C, SIGTERM or SIGHUP (`tousu.processes`).
"""

from __future__ import annotations

import typer

from demo.site import DemoSite
from tousu.cli.common import config, fail
from tousu.monitor import (Monitor, console_listener, demo_listener, demo_state_path,
                           start_dashboard)
from tousu.processes import (Children, PortInUse, check_ports, shield_from_stop_signals,
                             stop_signals)


def run() -> None:
    """The long-running monitor: scheduler (crawls, warnings) and the console."""
    try:
        raise typer.Exit(Monitor(config()).run_forever())
    except PortInUse as exc:
        fail(str(exc), 1)


def dashboard() -> None:
    """The console only (Streamlit)."""
    cfg = config()
    try:
        check_ports([console_listener(cfg)])
    except PortInUse as exc:
        fail(str(exc), 1)
    children = Children()
    status = 0
    with stop_signals():
        try:
            process = start_dashboard(cfg, children)
            status = process.wait() if process is not None else 0
        except KeyboardInterrupt:
            pass
        finally:
            shield_from_stop_signals()
            children.stop()
    raise typer.Exit(status)


def demo_site(port: int = typer.Option(0, help="0 = config demo.port")) -> None:
    """Serve the bundled demo forum alone (what `run` starts when demo.enabled)."""
    cfg = config()
    try:
        check_ports([demo_listener(cfg, port or None)])
    except PortInUse as exc:
        fail(str(exc), 1)
    site = DemoSite(cfg.demo.host, port or cfg.demo.port, initial=cfg.demo.initial,
                    release_every=cfg.demo.release_every, state_path=demo_state_path(cfg))
    with stop_signals():
        site.serve_until_interrupted(lambda started: typer.echo(started.url))
