"""A crawl whose source URLs and proxy carry ${TOUSU_TEST_KEY} shows the key nowhere: not in the
crawl log (Scrapy's own lines at DEBUG included), not in any file under data/ nor any text
column of state.db, not in `tousu sources`; nor does a config error for a value from it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid

import pytest
from typer.testing import CliRunner

from core.config import expand_env
from core.db import StateDB
from crawler.health import finish_run, runs_since, source_health, start_run
from tests.conftest import ROOT, write_config
from tests.crawler.replay import ReplayServer, Route
from tousu.cli.main import app

SECRET = f"Tk-{uuid.uuid4().hex}"
LITERAL = f"Lit{uuid.uuid4().hex}"   # a token written into the config itself (against the rules)
FIELDS = {"title": "main.title", "content": "main.summary", "url": "main.url"}
# run_crawl at DEBUG, so Scrapy logs every request it makes ("Crawled (200) <GET url>")
CRAWL = ("import sys; from crawler.run import run_crawl; from tousu.config import load; "
         "run_crawl(load(sys.argv[1]), log_level='DEBUG')")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("secrets")
    routes = [Route("/api/list", "heimao/search_p2.json")]
    with ReplayServer(routes) as server:
        port = server.url.rsplit(":", 1)[1]
        common = {"type": "json", "items": "result.data.lists", "fields": FIELDS, "delay": 0,
                  "robots": False}
        sources = [
            # the replay server is its own proxy: it answers absolute-URI requests by their path
            {"name": "keyed", "url": f"{server.url}/api/list?page={{page}}&key=${{TOUSU_TEST_KEY}}",
             "proxy": f"http://tester:${{TOUSU_TEST_KEY}}@127.0.0.1:{port}", **common},
            {"name": "gone", "url": f"{server.url}/api/gone/${{TOUSU_TEST_KEY}}?page={{page}}",
             **common},
            {"name": "literal", "url": f"{server.url}/api/gone?access_token={LITERAL}", **common},
        ]
        config = write_config(tmp, sources=sources)
        run = subprocess.run([sys.executable, "-c", CRAWL, str(config)], capture_output=True,
                             text=True, cwd=ROOT, env={**os.environ, "TOUSU_TEST_KEY": SECRET},
                             timeout=120)
        assert run.returncode == 0, run.stderr[-3000:]
        yield tmp, config, run.stdout + run.stderr, server.requests


def test_the_crawl_used_the_secret_but_logged_only_its_placeholder(crawled):
    _, _, log, requests = crawled
    # the key did reach the site, through the proxy (which gets the absolute URL)
    assert any(r.startswith("http://") and f"key={SECRET}" in r for r in requests)
    assert SECRET not in log and LITERAL not in log
    assert "Crawled (200) <GET http://" in log and "key=${TOUSU_TEST_KEY}>" in log
    assert "/api/gone/${TOUSU_TEST_KEY}?page=1" in log and "access_token=***" in log


def test_state_db_and_every_data_file_hold_no_secret(crawled):
    tmp, _, _, _ = crawled
    data = tmp / "data"
    for path in data.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert SECRET.encode() not in raw and LITERAL.encode() not in raw, path
    conn = sqlite3.connect(data / "state.db")
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert "source_runs" in tables
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            for value in row:
                if isinstance(value, (str, bytes)):
                    text = value if isinstance(value, str) else value.decode("utf-8", "replace")
                    assert SECRET not in text and LITERAL not in text, (table, row)
    errors = dict(conn.execute("SELECT source, last_error FROM source_runs"))
    conn.close()
    assert "/api/gone/${TOUSU_TEST_KEY}?page=1: HTTP 404" in errors["gone"]
    assert "access_token=***: HTTP 404" in errors["literal"]


def test_tousu_sources_shows_no_secret(crawled, monkeypatch):
    _, config, _, _ = crawled
    monkeypatch.setenv("TOUSU_TEST_KEY", SECRET)
    as_json = CliRunner().invoke(app, ["--config", str(config), "sources", "--json"])
    assert as_json.exit_code == 0, as_json.output
    rows = {r["source"]: r for r in json.loads(as_json.output)}
    assert rows["keyed"]["last_status"] == "ok" and rows["keyed"]["items_total"] > 0
    assert "${TOUSU_TEST_KEY}" in rows["gone"]["last_error"]
    text = CliRunner().invoke(app, ["--config", str(config), "sources"])
    for out in (as_json.output, text.output):
        assert SECRET not in out and LITERAL not in out


BAD = [  # each source with a bad value from ${TOUSU_TEST_KEY}, and the line `tousu check` prints
    ({"type": "tieba", "forum": "f", "base_url": "${TOUSU_TEST_KEY}"},
     "sources[0].base_url: base_url must start with http:// or https://, got '${TOUSU_TEST_KEY}'"),
    ({"type": "html", "start_urls": ["http://h/"],
      "list": {"rows": "div[${TOUSU_TEST_KEY}!", "fields": {"title": "a"}}},
     "sources[1].list.rows: invalid selector 'div[${TOUSU_TEST_KEY}!'"),
    ({"type": "json", "url": "http://h/", "items": "a.${TOUSU_TEST_KEY}!x", "fields": FIELDS},
     "sources[2].items: invalid JMESPath 'a.${TOUSU_TEST_KEY}!x'"),
    ({"type": "${TOUSU_TEST_KEY}", "url": "http://h/"},
     "sources[3]: type '${TOUSU_TEST_KEY}' is not one of"),
]


def test_a_config_error_shows_the_variable_never_its_value(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUSU_TEST_KEY", SECRET)
    config = write_config(tmp_path, sources=[{"name": f"s{i}", **source}
                                             for i, (source, _) in enumerate(BAD)])
    result = CliRunner().invoke(app, ["--config", str(config), "check"])
    assert result.exit_code == 2
    for _, shown in BAD:
        assert shown in result.output
    # nor a piece of it: a parser's complaint quoting a token of the value is left out
    assert SECRET not in result.output and SECRET[3:15] not in result.output


def test_an_error_stored_before_redaction_is_shown_redacted(tmp_path, monkeypatch):
    monkeypatch.setenv("TOUSU_TEST_KEY", SECRET)
    expand_env("${TOUSU_TEST_KEY}")
    state = StateDB(tmp_path / "state.db")
    run = start_run(state, "old")
    finish_run(state, run, pages=0, items=0, new=0, errors=1, status="failed",
               last_error=f"http://h/api?page=1&key={SECRET}: HTTP 403")
    shown = "http://h/api?page=1&key=${TOUSU_TEST_KEY}: HTTP 403"
    assert source_health(state, ["old"])[0]["last_error"] == shown
    assert runs_since(state, "old", "2000-01-01")["last"]["last_error"] == shown
    state.close()
