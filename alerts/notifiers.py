"""Notifiers: small classes with one `send(message)`; the registry maps config `type` to class."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tousu.config import Config, Notifier


class NotifierError(Exception):
    """Delivery through a notifier failed; the message names the notifier."""


class FileNotifier:
    """Appends each message as one JSON line (the console's and tests' local channel)."""

    def __init__(self, spec: Notifier, config: Config):
        assert spec.path is not None
        self.name = spec.name
        self.path = config.resolve(spec.path)

    def send(self, message: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(message, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise NotifierError(f"notifier {self.name}: cannot write {self.path}: {exc}") from None


def webhook_body(fmt: str, message: dict[str, Any]) -> dict[str, Any]:
    """The JSON body each chat platform's robot webhook expects."""
    text = f"{message['title']}\n{message['body']}"
    if fmt == "wecom":
        return {"msgtype": "text", "text": {"content": text}}
    if fmt == "dingtalk":
        return {"msgtype": "text", "text": {"content": text}}
    if fmt == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    return message


class WebhookNotifier:
    """POSTs the message as JSON (plain, 企业微信, 钉钉 or 飞书 robot format)."""

    def __init__(self, spec: Notifier, config: Config):
        assert spec.url is not None
        self.name = spec.name
        self.url = spec.url
        self.format = spec.format

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(webhook_body(self.format, message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status >= 300:
                    raise NotifierError(f"notifier {self.name}: HTTP {response.status}")
        except (urllib.error.URLError, OSError) as exc:
            # The URL may carry a token: name the notifier, never the URL.
            raise NotifierError(f"notifier {self.name}: delivery failed: "
                                f"{getattr(exc, 'reason', exc)}") from None


REGISTRY = {"file": FileNotifier, "webhook": WebhookNotifier}


def build_notifiers(config: Config) -> dict[str, Any]:
    """Notifier instances by name."""
    return {spec.name: REGISTRY[spec.type](spec, config) for spec in config.warnings.notifiers}
