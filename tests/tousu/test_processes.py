"""Child processes end on stop, grandchildren and SIGTERM-deaf ones too; ports are checked."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tousu.processes import Children, Listener, PortInUse, check_ports, port_free, stop_signals

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped, does not count)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pids, seconds: float) -> list[int]:
    """The pids still alive after up to `seconds`."""
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


# A child that ignores SIGTERM and starts a grandchild (also deaf), printing both pids.
DEAF_FAMILY = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
import os; print(os.getpid(), grandchild.pid, flush=True)
time.sleep(60)
"""


def test_stop_kills_a_deaf_child_and_its_grandchild_after_the_grace_period(capfd):
    children = Children(grace=0.5)
    process = children.spawn([sys.executable, "-c", DEAF_FAMILY])
    assert process is not None
    deadline = time.monotonic() + 20
    while not (out := capfd.readouterr().out) and time.monotonic() < deadline:
        time.sleep(0.05)  # the child's output is relayed to our stdout
    pids = [int(p) for p in out.split()]
    assert pids[0] == process.pid and os.getpgid(pids[1]) == process.pid  # its own group
    started = time.monotonic()
    children.stop()
    assert time.monotonic() - started < 5
    assert wait_gone(pids, 2) == []
    assert children.spawn([sys.executable, "-c", "pass"]) is None  # none after stop


def test_a_child_dies_with_its_parent_even_when_the_parent_is_killed():
    parent_code = ("import time; from tousu.processes import Children; "
                   "p = Children().spawn(['sleep', '60']); print(p.pid, flush=True); "
                   "time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE,
                              text=True)
    child = int(parent.stdout.readline())
    assert alive(child)
    parent.kill()  # SIGKILL: no handler, no cleanup of its own
    parent.wait()
    assert wait_gone([child], 5) == []


def test_a_taken_port_names_the_key_to_change():
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        assert not port_free("127.0.0.1", port)
        with pytest.raises(PortInUse) as error:
            check_ports([Listener("控制台", "console", "127.0.0.1", port, "dashboard.port")])
    message = str(error.value)
    assert f"端口 127.0.0.1:{port} 已被占用" in message and "dashboard.port" in message
    assert f"Port {port} on 127.0.0.1 is in use" in message
    assert port_free("127.0.0.1", port)
    check_ports([Listener("控制台", "console", "127.0.0.1", port, "dashboard.port")])


def test_stop_signals_unwind_the_main_thread_and_leave_ignored_ones_ignored():
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with stop_signals():
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN  # as nohup left it
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGHUP, previous)
