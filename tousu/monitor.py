"""`tousu run`: the demo site (if enabled), the scheduler and the console, stopped by Ctrl-C,
SIGTERM or SIGHUP with every child process (`tousu.processes`)."""

from __future__ import annotations

import getpass
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from accounts.service import AccountError, AccountService
from alerts.cycle import run_cycle
from cases.automation import cases_cycle, cases_from_alerts
from core.config import ConfigError, interval_seconds
from core.db import StateDB
from core.secrets import redact_logs
from demo.site import DemoSite
from knowledge.guides import GuideService
from nlp.schedule import add_nlp_jobs, ensure_model
from rectification.escalation import rectification_cycle
from reply_scripts.service import ScriptService
from reply_scripts.transfer import load_starter
from reports.schedule import generate
from tousu.config import Config, load
from tousu.processes import (Children, Listener, check_ports, say, shield_from_stop_signals,
                             stop_signals)

log = logging.getLogger("tousu.monitor")
DASHBOARD_APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
RELOAD_EVERY = 15  # seconds between checks for an edited config.yaml (the console writes it)


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


def console_listener(config: Config) -> Listener:
    """The console's port, for the check before start."""
    return Listener("控制台", "console", config.dashboard.host, config.dashboard.port,
                    "dashboard.port")


def demo_listener(config: Config, port: int | None = None) -> Listener:
    """The demo forum's port (`port` overrides demo.port), for the check before start."""
    return Listener("演示论坛", "demo forum", config.demo.host,
                    config.demo.port if port is None else port, "demo.port",
                    also_zh="，并同步修改信源 demo-forum 的 start_urls",
                    also_en=" and the demo-forum source's start_urls to match")


def demo_state_path(config: Config) -> Path:
    """Where the demo forum keeps its timeline, so a restart continues it."""
    return config.resolve(config.data_dir) / "demo-site.json"


def crawl_in_subprocess(config: Config, source: str, children: Children) -> int | None:
    """Crawl one source in its own process: the Twisted reactor cannot be restarted."""
    cmd = [sys.executable, "-m", "tousu.cli", "crawl", "--source", source, "--quiet"]
    code = children.run(cmd, _child_env(config))
    if code and not children.stopping:
        log.warning("crawl of %s exited with %s", source, code)
    return code


def start_dashboard(config: Config, children: Children) -> subprocess.Popen[bytes] | None:
    """Start the Streamlit console as a child process (None if `children` are stopping)."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
           "--server.address", config.dashboard.host, "--server.port", str(config.dashboard.port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           # users see the console's Chinese messages, never a traceback or the dev toolbar
           "--client.showErrorDetails", "none", "--client.toolbarMode", "viewer"]
    process = children.spawn(cmd, _child_env(config))
    if process is not None:
        say(f"控制台 console: http://{config.dashboard.host}:{config.dashboard.port}")
    return process


def warnings_and_cases(config: Config) -> None:
    """The warnings cycle, then a case for each new warning at the configured levels."""
    run_cycle(config)
    cases_from_alerts(config)


def add_case_and_report_jobs(scheduler: Any, config: Config) -> None:
    """SLA escalation every cases.escalate_every, 督办 escalation every
    rectification.escalate_every; reports on their cron schedules (CST)."""
    scheduler.add_job(cases_cycle, trigger(config.cases.escalate_every), args=[config],
                      id="cases", name="cases: new from warnings, SLA escalation")
    scheduler.add_job(rectification_cycle, trigger(config.rectification.escalate_every),
                      args=[config], id="rectification", name="督办: overdue escalation")
    for kind in ("daily", "weekly", "monthly"):
        cron = getattr(config.reports.schedule, kind)
        if cron:
            scheduler.add_job(generate, CronTrigger.from_crontab(cron, timezone="Asia/Shanghai"),
                              args=[config, kind], id=f"report:{kind}", name=f"{kind} report")


def _ask_admin() -> tuple[str, str]:
    print("首次启动：创建管理员账号 (first start: create the admin account)", flush=True)
    user = input("用户名 username [admin]: ").strip() or "admin"
    return user, getpass.getpass("密码 password: ")


def first_start(config: Config) -> None:
    """Create the first admin (TOUSU_ADMIN_USER/TOUSU_ADMIN_PASSWORD, or a prompt on a terminal)
    and load the starter reply-script library into an empty library and the seed guides not
    yet in the guide library."""
    db = StateDB(config.state_path)
    try:
        message = AccountService(db).ensure_admin(prompt=_ask_admin if sys.stdin.isatty() else None)
    except AccountError as exc:
        message = f"管理员账号未创建：{exc}"
    if message:
        print(message, flush=True)
    loaded = load_starter(ScriptService(db))
    if loaded:
        print(f"已载入入门回复口径 {loaded} 条", flush=True)
    guides = GuideService(db).load_seed()
    if guides:
        print(f"已载入入门排障指引 {guides} 条", flush=True)


class Monitor:
    """Owns the long-running parts and stops them in order."""
    def __init__(self, config: Config):
        self.config = config
        self.scheduler = BackgroundScheduler(timezone="Asia/Shanghai",
                                             job_defaults={"max_instances": 1, "coalesce": True,
                                                           "misfire_grace_time": 300})
        self.children = Children()
        self.started = False
        self.site: Any = None
        self.dashboard: subprocess.Popen[bytes] | None = None
        self._mtime = self._config_mtime()

    def listeners(self, dashboard: bool = True) -> list[Listener]:
        """The ports start() will listen on."""
        cfg = self.config
        return ([demo_listener(cfg)] if cfg.demo.enabled else []) + \
            ([console_listener(cfg)] if dashboard else [])

    def start(self, dashboard: bool = True) -> None:
        """Check the ports (PortInUse before anything starts), then start the demo site, the
        scheduled jobs and (optionally) the console."""
        cfg = self.config
        check_ports(self.listeners(dashboard))
        self.started = True
        first_start(cfg)
        ensure_model(cfg)
        add_nlp_jobs(self.scheduler, cfg)
        if cfg.demo.enabled:
            self.site = DemoSite(cfg.demo.host, cfg.demo.port, initial=cfg.demo.initial,
                                 release_every=cfg.demo.release_every,
                                 state_path=demo_state_path(cfg)).start()
            say(f"演示论坛 demo forum: {self.site.url}")
        now = datetime.now().astimezone()
        self._sync_crawls({})
        self.scheduler.add_job(warnings_and_cases, trigger(cfg.warnings.evaluate_every), args=[cfg],
                               id="warnings", name="warnings cycle",
                               next_run_time=now + timedelta(seconds=30))
        add_case_and_report_jobs(self.scheduler, cfg)
        self.scheduler.add_job(self.reload, IntervalTrigger(seconds=RELOAD_EVERY), id="config",
                               name="config reload")
        self.scheduler.start()
        if dashboard:
            self.dashboard = start_dashboard(cfg, self.children)

    def _sync_crawls(self, scheduled: dict[str, str]) -> None:
        """One crawl job per enabled source; `scheduled` maps the sources already scheduled to
        their intervals. A new source crawls at once; a changed interval reschedules it."""
        wanted = {s.name: s.interval for s in self.config.sources if s.enabled}
        for name in scheduled.keys() - wanted.keys():
            self.scheduler.remove_job(f"crawl:{name}")
        for name, interval in wanted.items():
            if name not in scheduled:
                self.scheduler.add_job(crawl_in_subprocess, trigger(interval),
                                       args=[self.config, name, self.children], id=f"crawl:{name}",
                                       name=f"crawl {name}",
                                       next_run_time=datetime.now().astimezone())
            elif scheduled[name] != interval:
                self.scheduler.reschedule_job(f"crawl:{name}", trigger=trigger(interval))

    def _config_mtime(self) -> int | None:
        try:
            return Path(self.config.file).stat().st_mtime_ns if self.config.file else None
        except OSError:
            return None

    def reload(self) -> bool:
        """Take up an edited config.yaml: sources (jobs, intervals) and warning rules.

        Crawls read the file themselves; the jobs that were given the old Config get the new
        one. An invalid file is logged and the running config kept. Other sections (store,
        console, schedules' cron) still need a restart.
        """
        mtime = self._config_mtime()
        if mtime is None or mtime == self._mtime:
            return False
        self._mtime = mtime
        try:
            new = load(self.config.file)
        except ConfigError as exc:
            log.error("config.yaml changed but is invalid; keeping the running config: %s", exc)
            return False
        old, self.config = self.config, new
        self._sync_crawls({s.name: s.interval for s in old.sources if s.enabled})
        for job in self.scheduler.get_jobs():
            if job.args and job.args[0] is old:
                job.modify(args=[new, *job.args[1:]])
        log.info("config.yaml reloaded")
        return True

    def stop(self) -> None:
        """Stop everything, also after a partial start: no new jobs; every child (console,
        running crawls) gets SIGTERM, SIGKILL after a grace period; then the demo forum, which
        running crawls were still reading."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.children.stop()
        if self.site is not None:
            self.site.stop()

    def run_forever(self) -> int:
        """Run until Ctrl-C, SIGTERM or SIGHUP (exit status 0) or until the console dies (1).
        PortInUse if a port is taken: then nothing was started."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        redact_logs()
        # Each job reports its own outcome; APScheduler's "Running job …/executed successfully"
        # pair for every job (the config check runs every 15 s) would bury it.
        logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
        status = 0
        with stop_signals():
            try:
                self.start()
                say("监控已启动，按 Ctrl-C 停止 (monitoring; Ctrl-C stops)")
                while self.dashboard is None or self.dashboard.poll() is None:
                    time.sleep(1)
                log.error("console exited with %s; stopping", self.dashboard.returncode)
                status = 1
            except KeyboardInterrupt:
                pass
            finally:
                shield_from_stop_signals()
                if self.started:
                    say("正在停止… stopping")
                self.stop()
        return status
