import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, sample
from core import config as core_cfg
from tousu import config as cfg

BAD = [
    ("bad_selector.yaml", "sources[2].list.links: invalid selector"),
    ("bad_yaml.yaml", "bad_yaml.yaml:4:1: invalid YAML"),
    ("bad_backend.yaml", "store.backend: Input should be 'sqlite' or 'elasticsearch'"),
    ("bad_interval.yaml", "sources[0].interval: not an interval"),
    ("duplicate_source.yaml", "sources: duplicate source name 'feed'"),
    ("missing_env.yaml", "warnings.notifiers[0].url: environment variable TOUSU_TEST_UNSET_SECRET is not set"),
    ("unknown_type.yaml", "sources[0]: type 'telegraph' is not one of"),
    ("detail_unknown_field.yaml", "sources[0].detail: unknown field 'titel'"),
    ("bad_jmespath.yaml", "sources[0].items: invalid JMESPath"),
    ("not_a_mapping.yaml", "the top level must be a mapping"),
    ("bad_login_lock_after.yaml", "accounts.login.lock_after: Input should be greater than or equal to 1"),
    ("bad_login_duration.yaml", "accounts.login.lock_for: 'until tomorrow' is not a duration"),
    ("duplicate_key.yaml", "duplicate_key.yaml:6:1: invalid YAML: duplicate key 'demo' "
                           "(first at line 2, again at line 6)"),
    ("duplicate_nested_key.yaml", "duplicate_nested_key.yaml:4:3: invalid YAML: duplicate key "
                                  "'path' (first at line 3, again at line 4)"),
]


def test_shipped_config_is_valid():
    config = cfg.load(ROOT / "config.yaml")
    assert config.store.backend == "sqlite"
    assert config.source("demo-forum").enabled
    assert any(not s.enabled for s in config.sources), "real sources ship disabled"
    assert config.store_path == ROOT / "data" / "tousu.db"


@pytest.mark.parametrize("name,expected", BAD)
def test_bad_config_names_file_and_key(name, expected):
    with pytest.raises(core_cfg.ConfigError) as err:
        cfg.load(sample("config", name))
    message = str(err.value)
    assert name in message
    assert expected in message


def test_env_expansion_with_default_and_value(monkeypatch):
    monkeypatch.setenv("TOUSU_TEST_HOOK", "s3cret")
    data = {"warnings": {"notifiers": [
        {"name": "a", "type": "webhook", "url": "https://h/?k=${TOUSU_TEST_HOOK}"},
        {"name": "b", "type": "webhook", "url": "https://h/?k=${TOUSU_TEST_NOPE:-none}"}]}}
    config = cfg.parse(data, "x.yaml")
    assert [n.url for n in config.warnings.notifiers] == ["https://h/?k=s3cret", "https://h/?k=none"]


def test_unknown_key_names_the_closest_field():
    with pytest.raises(core_cfg.ConfigError) as err:
        cfg.parse({"warnings": {"rules": [{"name": "p", "type": "post", "lookback_hourz": 1}]}},
                  "x.yaml")
    assert str(err.value) == ("x.yaml: warnings.rules[0].lookback_hourz: Extra inputs are not "
                              "permitted; did you mean 'lookback_hours'?")


def test_one_check_for_the_whole_file_and_for_one_item():
    source = {"name": "f", "type": "rss", "url": "https://a.example/f", "intervall": "1h"}
    with pytest.raises(core_cfg.ConfigInvalid) as alone:
        cfg.validate(source, "sources")
    with pytest.raises(core_cfg.ConfigInvalid) as whole:
        cfg.validate({"sources": [source]})
    assert [(("sources", 0, *p.loc), p.kind, p.ctx) for p in alone.value.problems] == \
        [(p.loc, p.kind, p.ctx) for p in whole.value.problems] == \
        [(("sources", 0, "intervall"), "extra_forbidden", {"suggestion": "interval"})]
    del source["intervall"]
    assert cfg.validate(source, "sources").interval == "10m"
    assert cfg.validate({"name": "v", "type": "volume"}, "rules").group_by == ["city"]


def test_missing_file():
    with pytest.raises(core_cfg.ConfigError, match="nowhere.yaml: config file not found"):
        cfg.load("nowhere.yaml")


def test_relative_paths_resolve_against_config_file(tmp_path):
    path = tmp_path / "sub" / "c.yaml"
    path.parent.mkdir()
    path.write_text("store: {path: db/x.db}\n", encoding="utf-8")
    assert cfg.load(path).store_path == tmp_path / "sub" / "db" / "x.db"


def test_no_file_means_the_built_in_defaults(tmp_path, monkeypatch):
    from nlp.config import SHIPPED_KEYWORDS_DIR

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOUSU_CONFIG", raising=False)
    config = cfg.load_or_defaults()
    assert config.file is None and config.sources == []
    assert config.keywords_dir == SHIPPED_KEYWORDS_DIR == ROOT / "keywords"
    assert config.model_dir == tmp_path / "models"
    assert config.store_path == tmp_path / "data" / "tousu.db"
    with pytest.raises(core_cfg.ConfigError, match="config file not found"):
        cfg.load()  # the commands that keep state still need a file
    with pytest.raises(core_cfg.ConfigError, match="nowhere.yaml: config file not found"):
        cfg.load_or_defaults("nowhere.yaml")  # a file named is a file required


def test_a_config_file_only_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOUSU_CONFIG", raising=False)
    (tmp_path / "config.yaml").write_text("nlp: {model_dir: trained}\n", encoding="utf-8")
    config = cfg.load_or_defaults()
    assert config.model_dir == tmp_path / "trained" and config.store.backend == "sqlite"
    (tmp_path / "config.yaml").write_text("nlp: {model_dri: trained}\n", encoding="utf-8")
    with pytest.raises(core_cfg.ConfigError, match="nlp.model_dri: Extra inputs"):
        cfg.load_or_defaults()  # a broken file is an error, never silently the defaults


def test_keywords_dir_unset_is_the_folder_beside_the_file_else_the_shipped_one(tmp_path):
    from nlp.config import SHIPPED_KEYWORDS_DIR

    path = tmp_path / "c.yaml"
    path.write_text("data_dir: data\n", encoding="utf-8")
    assert cfg.load(path).keywords_dir == SHIPPED_KEYWORDS_DIR
    (tmp_path / "keywords").mkdir()
    assert cfg.load(path).keywords_dir == tmp_path / "keywords"
    path.write_text("nlp: {keywords_dir: mine}\n", encoding="utf-8")
    assert cfg.load(path).keywords_dir == tmp_path / "mine"


def test_interval_parsing():
    assert core_cfg.interval_seconds("30s") == 30
    assert core_cfg.interval_seconds("10m") == 600
    assert core_cfg.interval_seconds("2h") == 7200
    assert core_cfg.interval_seconds("*/5 * * * *") is None
    assert core_cfg.check_interval("*/5 * * * *")


def _tousu(*args, env=None):
    return subprocess.run([sys.executable, "-m", "tousu.cli", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, **(env or {})})


def test_cli_check_ok_and_error_without_traceback():
    ok = _tousu("check")
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout
    bad = _tousu("--config", str(sample("config", "bad_selector.yaml")), "check")
    assert bad.returncode == 2
    assert "sources[2].list.links" in bad.stderr
    assert "Traceback" not in bad.stderr + bad.stdout
    twice = _tousu("--config", str(sample("config", "duplicate_key.yaml")), "check")
    assert twice.returncode == 2 and "duplicate key 'demo'" in twice.stderr
    assert "OK" not in twice.stdout


def test_tousu_config_env_var_is_used():
    bad = _tousu("check", env={"TOUSU_CONFIG": str(sample("config", "bad_backend.yaml"))})
    assert bad.returncode == 2
    assert "bad_backend.yaml" in bad.stderr
