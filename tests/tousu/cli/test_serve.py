"""`tousu run` / `tousu dashboard` / `tousu demo-site` as a user or a service manager runs them:
a taken port fails at once naming its config key; Ctrl-C or SIGTERM leaves no process behind."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import ROOT, write_config
from tests.tousu.test_processes import alive
from tousu.cli.main import app

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
STOPPED_WITHIN = 20  # seconds: the children's grace period (10 s) and a margin


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def workspace(tmp_path: Path, demo_port: int, console_port: int, silent_port: int = 0) -> Path:
    """A config with the demo forum, its crawl and the console on the given ports, no model;
    and a forum on `silent_port`, if given, whose crawl hangs (nothing there answers)."""
    shipped = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    source = next(s for s in shipped["sources"] if s["name"] == "demo-forum")
    source["start_urls"] = [f"http://127.0.0.1:{demo_port}/forum-2-1.html"]
    sources = [source]
    if silent_port:
        sources.append({**source, "name": "silent-forum",
                        "start_urls": [f"http://127.0.0.1:{silent_port}/forum-2-1.html"]})
    path = write_config(tmp_path, sources=sources,
                        demo={"enabled": True, "port": demo_port, "release_every": 5},
                        dashboard={"port": console_port})
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["nlp"].update(train_at_start=False, retrain="")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def marked(mark: str) -> dict[int, str]:
    """Every live process (pid → command line) whose environment carries `mark`, however far
    down the tree and whoever its parent is now."""
    found = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if f"TOUSU_TEST_MARK={mark}".encode() in fh.read().split(b"\0"):
                    with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                        found[int(entry)] = cmd.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
    return {pid: cmd for pid, cmd in found.items() if alive(pid)}


def drain(fd: int) -> bytes:
    """What the process wrote (waiting up to 0.2 s), read so it never blocks on a full pipe."""
    return os.read(fd, 65536) if select.select([fd], [], [], 0.2)[0] else b""


def start(config: Path, command: str, mark: str, **popen) -> subprocess.Popen:
    env = dict(os.environ, TOUSU_TEST_MARK=mark)
    env.pop("TOUSU_ADMIN_USER", None)
    return subprocess.Popen([sys.executable, "-m", "tousu.cli", "--config", str(config), command],
                            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, **popen)


@pytest.mark.parametrize("command", ["run", "dashboard"])
def test_a_taken_console_port_fails_at_once_naming_the_key_and_starts_nothing(tmp_path, command):
    mark = uuid.uuid4().hex
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        config = workspace(tmp_path, free_port(), port)
        process = start(config, command, mark, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        text=True)
        try:
            out, err = process.communicate(timeout=90)
        finally:
            process.kill()
    assert process.returncode == 1, err[-2000:]
    assert f"端口 127.0.0.1:{port} 已被占用，控制台无法启动" in err
    assert "修改 dashboard.port" in err and "change dashboard.port in config.yaml" in err
    assert "控制台 console" not in out and "监控已启动" not in out
    assert not (tmp_path / "data" / "state.db").exists()  # not even the first-start admin step
    assert marked(mark) == {}


def test_demo_site_with_its_port_taken_names_demo_port_and_the_source_to_match(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        config = workspace(tmp_path, port, free_port())
        result = CliRunner().invoke(app, ["--config", str(config), "demo-site"])
    assert result.exit_code == 1, result.output
    assert f"端口 127.0.0.1:{port} 已被占用，演示论坛无法启动" in result.output
    assert "demo.port" in result.output and "start_urls" in result.output


@pytest.mark.parametrize("command, how", [
    ("dashboard", "SIGTERM to the process"),  # a service manager
    ("run", "SIGTERM to the process"),
    ("run", "SIGINT to its process group, its pipe's reader gone"),  # Ctrl-C on `run | tee log`
])
def test_stopping_leaves_no_process_and_frees_the_ports(tmp_path, command, how):
    mark = uuid.uuid4().hex
    demo_port, console_port = free_port(), free_port()
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers: a crawl in progress
    config = workspace(tmp_path, demo_port, console_port, silent.getsockname()[1])
    reader, writer = os.pipe()
    process = start(config, command, mark, stdout=writer, stderr=writer, start_new_session=True)
    os.close(writer)
    try:
        # Up means listening and past Streamlit's banner, the last thing it prints on start
        banner, output = f"URL: http://127.0.0.1:{console_port}".encode(), b""
        deadline = time.monotonic() + 120
        while not (banner in output and answers(console_port)) and process.poll() is None \
                and time.monotonic() < deadline:
            output += drain(reader)
        assert banner in output and answers(console_port), output.decode(errors="replace")
        before = marked(mark)
        assert any("streamlit" in cmd for cmd in before.values()), before
        if command == "run":
            assert any("crawl --source silent-forum" in cmd for cmd in before.values()), before
        if "reader gone" in how:
            os.close(reader)
            reader = -1
        if how.startswith("SIGINT"):
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOPPED_WITHIN
        while (marked(mark) or answers(console_port)) and time.monotonic() < deadline:
            if reader >= 0:
                drain(reader)
            else:
                time.sleep(0.2)
        assert marked(mark) == {}, f"left running after {how}: {marked(mark)}"
        assert not answers(console_port) and not answers(demo_port)
        process.wait(5)
    finally:
        for pid in marked(mark):
            os.kill(pid, signal.SIGKILL)
        if reader >= 0:
            os.close(reader)
        silent.close()



def test_demo_site_serves_until_sigterm_then_frees_its_port(tmp_path):
    demo_port = free_port()
    config = workspace(tmp_path, demo_port, free_port())
    process = start(config, "demo-site", uuid.uuid4().hex, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == f"http://127.0.0.1:{demo_port}"
        assert answers(demo_port)
        process.send_signal(signal.SIGTERM)
        process.wait(STOPPED_WITHIN)
    finally:
        process.kill()
    assert not answers(demo_port)
