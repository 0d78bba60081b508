"""Model upkeep for `tousu run`: train at first start, retrain nightly and keep the better model."""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from core.db import StateDB

log = logging.getLogger("tousu.nlp")


def ensure_model(config: Any) -> bool:
    """Train a model when none usable exists (fresh clone, library upgrade); True if one is there."""
    from nlp.training import DataError, model_usable, train  # lazy: scikit-learn loads only to train
    if model_usable(config.model_dir):
        return True
    if not config.nlp.train_at_start:
        print("未找到可用的 NLP 模型，使用关键词词典评级 (no model; lexicon grading)", flush=True)
        return False
    print("首次启动：正在训练 NLP 模型（几秒到半分钟，视机器而定）… (training the NLP model)",
          flush=True)
    try:
        train(config.keywords_dir, config.model_dir, state=StateDB(config.state_path),
              progress=lambda m: print(m, flush=True))
    except (DataError, OSError, ValueError) as exc:
        log.error("nlp: training failed (%s); grading with the keyword lexicon", exc)
        return False
    return True


def nightly_retrain(config: Any) -> dict[str, Any]:
    """Retrain with the console's labels; the old model stays if the new one scores worse."""
    from nlp.training import train  # lazy: scikit-learn loads only to train
    summary = train(config.keywords_dir, config.model_dir, state=StateDB(config.state_path),
                    keep_better=True, progress=log.info)
    log.info("nlp: nightly retrain %s (macro-F1 %s, previous %s)",
             "replaced the model" if summary["replaced"] else "kept the old model",
             summary["metrics"].get("severity", {}).get("macro_f1"),
             summary.get("previous_macro_f1"))
    return summary


def add_nlp_jobs(scheduler: Any, config: Any) -> None:
    """Schedule the nightly retrain (config nlp.retrain, a cron string; empty = off)."""
    if not config.nlp.retrain:
        return
    scheduler.add_job(nightly_retrain, CronTrigger.from_crontab(config.nlp.retrain),
                      args=[config], id="nlp-retrain", name="nlp nightly retrain")
