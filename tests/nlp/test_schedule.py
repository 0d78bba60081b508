import shutil

from nlp.schedule import add_nlp_jobs, ensure_model
from tests.conftest import write_config
from tousu.config import load


def test_existing_model_is_used_without_training(tmp_path, model_dir, capsys):
    config = load(write_config(tmp_path))
    shutil.copytree(model_dir, config.model_dir)
    assert ensure_model(config) is True
    assert "训练" not in capsys.readouterr().out


def test_no_model_and_training_switched_off(tmp_path, capsys):
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8").replace("nlp:\n", "nlp:\n  train_at_start: false\n  retrain: null\n")
    path.write_text(text, encoding="utf-8")
    config = load(path)
    assert ensure_model(config) is False
    assert "关键词词典" in capsys.readouterr().out

    class Scheduler:
        jobs: list = []

        def add_job(self, *args, **kwargs):
            self.jobs.append(kwargs["id"])

    scheduler = Scheduler()
    add_nlp_jobs(scheduler, config)
    assert scheduler.jobs == []
    (tmp_path / "other").mkdir()
    add_nlp_jobs(scheduler, load(write_config(tmp_path / "other")))
    assert scheduler.jobs == ["nlp-retrain"]
