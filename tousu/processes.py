"""Child processes of `tousu run` and `tousu dashboard`: ports checked before start, every child
ended on shutdown, and stop signals turned into one clean unwinding of the main thread.

Each child runs in its own session (process group), with stdin closed and its output relayed
through us, so that
- a terminal's Ctrl-C reaches only the parent, which stops the children in order;
- a closed pipe downstream (`tousu run | tee log`, tee gone after Ctrl-C) breaks only our relay:
  Streamlit that writes "Stopping..." into a broken pipe never stops and then ignores every
  further SIGINT/SIGTERM;
- stopping kills the whole group, grandchildren included, SIGKILL after a grace period.
On Linux a child also dies with us if we are killed outright (PR_SET_PDEATHSIG, set by
re-executing through this module before the real command).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

log = logging.getLogger("tousu.processes")
STOP_GRACE = 10.0  # seconds a child gets to stop on SIGTERM before its group is killed
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class PortInUse(Exception):
    """A port the configuration names is already taken; the message says which key to change."""


@dataclass(frozen=True)
class Listener:
    """A server we are about to start: what it is, where, and the config key of its port."""
    label: str  # Chinese name shown to the user, e.g. 控制台
    name: str  # English name, e.g. console
    host: str
    port: int
    key: str  # config key that sets the port, e.g. dashboard.port
    also_zh: str = ""  # what else to change with the port, if anything
    also_en: str = ""


def port_free(host: str, port: int) -> bool:
    """True if a server could listen on host:port now (as Streamlit and http.server do)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                    flags=socket.AI_PASSIVE)[0][0]
        # create_server sets SO_REUSEADDR like the real servers, so a port in TIME_WAIT is free
        with socket.create_server((host, port), family=family):
            return True
    except OSError:
        return False


def check_ports(listeners: Sequence[Listener]) -> None:
    """Raise PortInUse naming every taken port and the config key to change (port 0 = any)."""
    taken = [item for item in listeners if item.port and not port_free(item.host, item.port)]
    if taken:
        raise PortInUse("\n".join(_busy_message(item) for item in taken))


def _busy_message(item: Listener) -> str:
    return (f"端口 {item.host}:{item.port} 已被占用，{item.label}无法启动（是否已有 tousu 在运行？）。"
            f"请停止占用该端口的程序，或在 config.yaml 中修改 {item.key}{item.also_zh}。\n"
            f"Port {item.port} on {item.host} is in use, so the {item.name} cannot start "
            f"(is tousu already running?). Stop whatever holds it, or change {item.key} in "
            f"config.yaml{item.also_en}.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt in the main thread, so one `except`
    and `finally` handle Ctrl-C, a service manager and a closed terminal alike. A signal that
    was ignored when we started (`nohup`, `cmd &` in a script) stays ignored, except SIGTERM."""
    previous = {}
    for sig in _STOP_SIGNALS:
        if sig == signal.SIGTERM or signal.getsignal(sig) is not signal.SIG_IGN:
            previous[sig] = signal.signal(sig, _interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def shield_from_stop_signals() -> None:
    """Ignore further stop signals: a second Ctrl-C must not cut the shutdown short."""
    for sig in _STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def say(text: str) -> None:
    """Print a line for the user; a closed terminal or pipe is not an error while we stop."""
    try:
        print(text, flush=True)
    except (OSError, ValueError):
        pass


class Children:
    """Our child processes; `stop()` ends every one and refuses new ones."""

    def __init__(self, grace: float = STOP_GRACE):
        self.grace = grace
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def stopping(self) -> bool:
        """True once stop() has begun: a child that exits now was stopped, not failing."""
        return self._stopping

    def spawn(self, cmd: Sequence[str],
              env: dict[str, str] | None = None) -> subprocess.Popen[bytes] | None:
        """Start `cmd` in its own session with relayed output; None once stopping has begun."""
        with self._lock:
            if self._stopping:
                return None
            process = subprocess.Popen(_guarded(cmd), env=env, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       start_new_session=True)
            self._running.add(process)
        assert process.stdout is not None and process.stderr is not None
        for stream, fd in ((process.stdout, 1), (process.stderr, 2)):
            threading.Thread(target=_relay, args=(stream, fd), daemon=True,
                             name=f"relay-{process.pid}-{fd}").start()
        return process

    def run(self, cmd: Sequence[str], env: dict[str, str] | None = None) -> int | None:
        """Run `cmd` to its end like `subprocess.run`; None if not started because stopping."""
        process = self.spawn(cmd, env)
        if process is None:
            return None
        try:
            return process.wait()
        finally:
            with self._lock:
                self._running.discard(process)

    def stop(self) -> None:
        """SIGTERM to every child's group, wait up to `grace` seconds, then SIGKILL what is left."""
        with self._lock:
            self._stopping = True
            running = list(self._running)
        for process in running:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for process in running:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("child %s did not stop within %.0f s; killing it",
                            process.pid, self.grace)
        for process in running:
            _signal_group(process, signal.SIGKILL)  # also whatever the child left behind
            process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _relay(stream: IO[bytes], fd: int) -> None:
    """Copy a child's output to ours until it closes; keep draining if ours is gone, so the child
    never blocks on a full pipe nor sees a broken one."""
    with stream:
        while chunk := os.read(stream.fileno(), 65536):
            with contextlib.suppress(OSError):
                while chunk:
                    chunk = chunk[os.write(fd, chunk):]


def _guarded(cmd: Sequence[str]) -> list[str]:
    """On Linux, `cmd` behind this module's launcher, which sets PR_SET_PDEATHSIG and execs it."""
    if not sys.platform.startswith("linux"):
        return list(cmd)
    return [sys.executable, "-m", "tousu.processes", str(os.getpid()), *cmd]


def _exec_with_deathsig(parent: int, cmd: list[str]) -> None:
    """Die with SIGKILL when the parent does (kept across exec), then become `cmd`.

    The kernel ties the signal to the parent *thread* that forked us: the monitor starts the
    console from its main thread and each crawl from a scheduler thread that waits for it.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    _exec_with_deathsig(int(sys.argv[1]), sys.argv[2:])
