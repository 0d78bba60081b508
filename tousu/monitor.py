"""`tousu run`: the demo site (if enabled), the scheduler and the console, stopped by Ctrl-C."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tousu.config import Config, interval_seconds

log = logging.getLogger("tousu.monitor")
DASHBOARD_APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


def trigger(interval: str) -> Any:
    """APScheduler trigger for '10m'-style intervals or cron strings."""
    seconds = interval_seconds(interval)
    if seconds is not None:
        return IntervalTrigger(seconds=seconds)
    return CronTrigger.from_crontab(interval)


def _child_env(config: Config) -> dict[str, str]:
    env = dict(os.environ)
    if config.file is not None:
        env["TOUSU_CONFIG"] = str(Path(config.file).resolve())
    return env


def crawl_in_subprocess(config: Config, source: str) -> int:
    """Crawl one source in its own process: the Twisted reactor cannot be restarted."""
    cmd = [sys.executable, "-m", "tousu.cli", "crawl", "--source", source, "--quiet"]
    completed = subprocess.run(cmd, env=_child_env(config), check=False)
    if completed.returncode:
        log.warning("crawl of %s exited with %s", source, completed.returncode)
    return completed.returncode


def start_dashboard(config: Config) -> subprocess.Popen[bytes]:
    """Start the Streamlit console as a child process."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
           "--server.address", config.dashboard.host, "--server.port", str(config.dashboard.port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(cmd, env=_child_env(config))
    print(f"控制台 console: http://{config.dashboard.host}:{config.dashboard.port}", flush=True)
    return process


class Monitor:
    """Owns the long-running parts and stops them in order."""

    def __init__(self, config: Config):
        self.config = config
        self.scheduler = BackgroundScheduler(timezone="Asia/Shanghai",
                                             job_defaults={"max_instances": 1, "coalesce": True,
                                                           "misfire_grace_time": 300})
        self.stopping = threading.Event()
        self.site: Any = None
        self.dashboard: subprocess.Popen[bytes] | None = None

    def start(self, dashboard: bool = True) -> None:
        """Start the demo site, the scheduled jobs and (optionally) the console."""
        cfg = self.config
        if cfg.demo.enabled:
            from demo.site import DemoSite

            self.site = DemoSite(cfg.demo.host, cfg.demo.port, initial=cfg.demo.initial,
                                 release_every=cfg.demo.release_every).start()
            print(f"演示论坛 demo forum: {self.site.url}", flush=True)
        now = datetime.now().astimezone()
        for source in cfg.sources:
            if not source.enabled:
                continue
            self.scheduler.add_job(crawl_in_subprocess, trigger(source.interval),
                                   args=[cfg, source.name], id=f"crawl:{source.name}",
                                   name=f"crawl {source.name}", next_run_time=now)
        from alerts.cycle import run_cycle

        self.scheduler.add_job(run_cycle, trigger(cfg.warnings.evaluate_every), args=[cfg],
                               id="warnings", name="warnings cycle")
        self.scheduler.start()
        if dashboard:
            self.dashboard = start_dashboard(cfg)

    def stop(self) -> None:
        """Stop everything; running crawls get SIGINT and finish their current batch."""
        self.scheduler.shutdown(wait=False)
        if self.dashboard is not None and self.dashboard.poll() is None:
            self.dashboard.terminate()
            try:
                self.dashboard.wait(10)
            except subprocess.TimeoutExpired:
                self.dashboard.kill()
        if self.site is not None:
            self.site.stop()

    def run_forever(self) -> None:
        """Run until Ctrl-C or SIGTERM."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        signal.signal(signal.SIGTERM, lambda *_: self.stopping.set())
        self.start()
        print("监控已启动，按 Ctrl-C 停止 (monitoring; Ctrl-C stops)", flush=True)
        try:
            while not self.stopping.wait(1):
                if self.dashboard is not None and self.dashboard.poll() is not None:
                    log.error("console exited with %s; stopping", self.dashboard.returncode)
                    break
        except KeyboardInterrupt:
            pass
        print("正在停止… stopping", flush=True)
        self.stop()
