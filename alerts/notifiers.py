"""Notifiers: small classes, each built from its own config model (alerts.config), with one
`send(message)`; a registry maps the config `type` to the class. Failures are raised as
NotifierError naming the notifier — never the URL, address or key, which may carry secrets, and
redacted besides."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from alerts.messages import (render_html, render_markdown, render_sms, render_text,
                             spread_lines, why_lines)
from alerts.model import AlertsError
from alerts.config import (AppConfig, FileNotifierConfig, SmsNotifierConfig,
                           SmtpNotifierConfig, WebhookNotifierConfig)
from core.markup import http_url
from core.secrets import redact


class NotifierError(AlertsError):
    """Delivery through a notifier failed; the message names the notifier. It is redacted as it
    is made (core.secrets): a receiver's or mail server's reply quoted in it can echo the URL with
    its key or a signature, and the message ends in the outbox and on the console."""

    def __init__(self, message: str):
        super().__init__(redact(message)[:300])  # redacted before it is cut, so no half secret


class FileNotifier:
    """Appends each message as one JSON line (the console's and tests' local channel)."""

    def __init__(self, spec: FileNotifierConfig, config: AppConfig):
        self.name = spec.name
        self.path = config.resolve(spec.path)

    def send(self, message: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(message, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise NotifierError(f"notifier {self.name}: cannot write {self.path}: {exc}") from None


def _sign(secret: str, timestamp: str, feishu: bool) -> str:
    """DingTalk signs 'ts\\nsecret' with the secret; Feishu uses 'ts\\nsecret' as the key."""
    text = f"{timestamp}\n{secret}".encode("utf-8")
    digest = (hmac.new(text, b"", hashlib.sha256) if feishu
              else hmac.new(secret.encode("utf-8"), text, hashlib.sha256)).digest()
    return base64.b64encode(digest).decode("ascii")


def webhook_body(fmt: str, message: dict[str, Any]) -> dict[str, Any]:
    """The JSON body each chat platform's robot webhook expects."""
    if fmt == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": render_markdown(message)}}
    if fmt == "dingtalk":
        return {"msgtype": "markdown",
                "markdown": {"title": message["title"][:60], "text": render_markdown(message)}}
    if fmt == "feishu":
        content = [[{"tag": "text", "text": line}] for line in message["body"].splitlines()]
        # Feishu's post tags are plain text and links: crawled text in them stays text.
        why = why_lines(message)
        content += [[{"tag": "text", "text": "为何预警："}]] if why else []
        content += [[{"tag": "a", "text": text, "href": url} if url else
                     {"tag": "text", "text": text}] for text, url in why]
        spread = spread_lines(message)
        content += [[{"tag": "text", "text": line}] for line in ["传播：", *spread]] if spread else []
        content += [[{"tag": "a", "text": f"原帖：{p.get('title') or p.get('id')}",
                      "href": http_url(p.get("url"))}]
                    for p in message.get("posts", [])[:5] if http_url(p.get("url"))]
        content.append([{"tag": "a", "text": "在控制台处理", "href": message["console"]}])
        return {"msg_type": "post",
                "content": {"post": {"zh_cn": {"title": message["title"], "content": content}}}}
    return message


def http_send(name: str, url: str, data: bytes | None, headers: dict[str, str], timeout: float,
              method: str = "POST") -> bytes:
    """One HTTP request; any failure becomes NotifierError naming the notifier only."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise NotifierError(f"notifier {name}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NotifierError(f"notifier {name}: delivery failed: "
                            f"{getattr(exc, 'reason', None) or type(exc).__name__}") from None


class WebhookNotifier:
    """POSTs the message as JSON: plain, or the 企业微信 / 钉钉 / 飞书 robot format (markdown or
    rich text, signed when a `secret` is set). A 200 reply carrying an error code is a failure."""

    def __init__(self, spec: WebhookNotifierConfig, config: AppConfig):
        self.name = spec.name
        self.url = spec.url
        self.format = spec.format
        self.secret = spec.secret
        self.headers = spec.headers
        self.timeout = spec.timeout

    def send(self, message: dict[str, Any]) -> None:
        body = webhook_body(self.format, message)
        url = self.url
        if self.secret and self.format in ("dingtalk", "feishu"):
            if self.format == "dingtalk":
                ts = str(int(time.time() * 1000))
                sign = urllib.parse.quote_plus(_sign(self.secret, ts, feishu=False))
                url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={sign}"
            else:
                ts = str(int(time.time()))
                body = {"timestamp": ts, "sign": _sign(self.secret, ts, feishu=True), **body}
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "Idempotency-Key": message["message_id"], **self.headers}
        reply = http_send(self.name, url, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                          headers, self.timeout)
        if self.format != "json":
            try:
                answer = json.loads(reply or b"{}")
            except ValueError:
                answer = {}
            code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
            if code not in (0, None):
                raise NotifierError(f"notifier {self.name}: rejected: {code} "
                                    f"{answer.get('errmsg') or answer.get('msg') or ''}".rstrip())


class SmtpNotifier:
    """E-mail: HTML with the posts, plain text alongside. The password comes from ${ENV}."""

    def __init__(self, spec: SmtpNotifierConfig, config: AppConfig):
        self.name = spec.name
        self.spec = spec

    def build(self, message: dict[str, Any]) -> EmailMessage:
        """The MIME message (its Message-ID is the notice id, so receivers can drop a repeat)."""
        mail = EmailMessage()
        mail["Subject"] = message["title"]
        mail["From"] = self.spec.sender
        mail["To"] = ", ".join(self.spec.to)
        mail["Date"] = formatdate(localtime=True)
        safe = "".join(c if c.isalnum() or c in "-." else "-" for c in message["message_id"])
        mail["Message-ID"] = f"<{safe}@tousu-radar>"
        mail.set_content(render_text(message))
        mail.add_alternative(render_html(message), subtype="html")
        return mail

    def send(self, message: dict[str, Any]) -> None:
        spec = self.spec
        mail = self.build(message)
        try:
            if spec.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(spec.host, spec.port, timeout=spec.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(spec.host, spec.port, timeout=spec.timeout)
            with client:
                if spec.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if spec.username:
                    client.login(spec.username, spec.password or "")
                client.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            raise NotifierError(f"notifier {self.name}: SMTP login refused ({exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            raise NotifierError(f"notifier {self.name}: SMTP {exc.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise NotifierError(f"notifier {self.name}: SMTP delivery failed: "
                                f"{type(exc).__name__}: {exc}") from None


def _fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    return template


class SmsNotifier:
    """An HTTP SMS gateway described by a template: `url`, `method`, `encoding` (json|form),
    `body`/`params` whose strings may hold {phone}, {text}, {level} and {message_id}; one request
    per phone. The gateway's key belongs in `headers` or `params` as ${ENV}."""

    def __init__(self, spec: SmsNotifierConfig, config: AppConfig):
        self.name = spec.name
        self.spec = spec

    def requests(self, message: dict[str, Any]) -> list[tuple[str, bytes | None, dict[str, str]]]:
        """(url, body, headers) for each phone."""
        spec = self.spec
        text = render_sms(message, spec.max_chars)
        out = []
        # The outbox queues one message per phone (payload `recipient`), so a retry never texts
        # a phone that already has it.
        for phone in [message["recipient"]] if message.get("recipient") else spec.phones:
            values = {"phone": phone, "text": text, "level": message["level_name"],
                      "message_id": message["message_id"]}
            url = spec.url
            params = _fill(spec.params, values)
            if params:
                url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
            headers = dict(spec.headers)
            data = None
            if spec.method == "POST":
                body = _fill(spec.body or {"phone": "{phone}", "text": "{text}"}, values)
                if spec.encoding == "json":
                    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                    headers.setdefault("Content-Type", "application/json; charset=utf-8")
                else:
                    data = urllib.parse.urlencode(body).encode("utf-8")
                    headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            out.append((url, data, headers))
        return out

    def send(self, message: dict[str, Any]) -> None:
        for url, data, headers in self.requests(message):
            http_send(self.name, url, data, headers, self.spec.timeout, self.spec.method)


REGISTRY: dict[str, type] = {"file": FileNotifier, "webhook": WebhookNotifier,
                             "smtp": SmtpNotifier, "sms": SmsNotifier}


def build_notifiers(config: AppConfig) -> dict[str, Any]:
    """Notifier instances by name."""
    return {spec.name: REGISTRY[spec.type](spec, config) for spec in config.warnings.notifiers}
