"""What a notice says: one payload per notice (stored in the outbox), rendered per channel."""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Any

from alerts.explanation import summary_lines
from alerts.levels import KIND_LABELS, LEVEL_NAMES, level_tag
from alerts.spread import notice_lines
from alerts.config import AppConfig
from core.markup import chat_md, http_url, md_url
from core.post import iso

def console_base(config: AppConfig) -> str:
    """The console's address as recipients reach it."""
    return config.console_url.rstrip("/")


def notice_title(kind: str, level: int, subject: str) -> str:
    """'【一级预警·红色】…', '【一级预警·红色·更新】…', '【预警解除】…'."""
    if kind == "resolved":
        return f"【{LEVEL_NAMES[level]}预警解除】{subject}"
    label = KIND_LABELS.get(kind, "")
    return f"【{level_tag(level)}{'·' + label if label else ''}】{subject}"


def payload(config: AppConfig, alert: dict[str, Any], kind: str, dedup_key: str,
            now: datetime) -> dict[str, Any]:
    """The message for one notice about one alert; every channel renders it from this."""
    data = json.loads(alert["data"]) if isinstance(alert["data"], str) else alert["data"]
    subject = data.get("subject") or alert["title"]
    body = alert["body"]
    explanation = alert.get("explanation")
    spread = data.get("spread")
    if kind == "resolved":
        body = f"条件已解除（{iso(now)[:16].replace('T', ' ')}），预警关闭。\n原预警：{body}"
        explanation = spread = None
    return {
        "message_id": dedup_key, "kind": kind, "alert_id": alert["alert_id"], "key": alert["key"],
        "rule": alert["rule"], "rule_type": data.get("rule_type"),
        "level": alert["level"], "level_name": LEVEL_NAMES[alert["level"]],
        "title": notice_title(kind, alert["level"], subject), "body": body,
        "city": alert["city"], "categories": json.loads(alert["categories"] or "[]"),
        "post_ids": json.loads(alert["post_ids"]), "posts": data.get("posts", [])[:10],
        "console": f"{console_base(config)}/warnings?alert={alert['alert_id']}",
        "created_at": iso(now),
        "explanation": json.loads(explanation) if explanation else None,
        "spread": spread,
    }


def why_lines(message: dict[str, Any]) -> list[tuple[str, str]]:
    """The explanation of a volume or spike notice as (text, url) lines; none for others."""
    return summary_lines(message["explanation"]) if message.get("explanation") else []


def spread_lines(message: dict[str, Any]) -> list[str]:
    """The spread summary of an event notice (alerts.spread); none when nothing is known to have
    spread, and for other notices."""
    return notice_lines(message["spread"]) if message.get("spread") else []


def digest_payload(config: AppConfig, notifier: str, items: list[dict[str, Any]], dedup_key: str,
                   now: datetime) -> dict[str, Any]:
    """Many held low-level notices as one message."""
    lines = [f"{i}. {m['title']}  {m['console']}" for i, m in enumerate(items, 1)]
    cities = sorted({m["city"] for m in items if m.get("city")})
    return {
        "message_id": dedup_key, "kind": "digest", "alert_id": None, "key": f"digest:{notifier}",
        "rule": "digest", "level": max(m["level"] for m in items),
        "level_name": "汇总",
        "title": f"【预警汇总】{len(items)} 条" + (f"（{'、'.join(cities[:5])}）" if cities else ""),
        "body": "\n".join(lines), "city": None, "categories": [],
        "post_ids": [p for m in items for p in m["post_ids"]][:50],
        "posts": [p for m in items for p in m["posts"][:1]][:20], "items": items,
        "console": f"{console_base(config)}/warnings", "created_at": iso(now),
    }


def post_lines(message: dict[str, Any], limit: int = 5) -> list[tuple[str, str]]:
    """(label, url) of the posts worth linking; the url is "" unless it is http(s)."""
    out = []
    for post in message.get("posts", [])[:limit]:
        label = f"{post.get('city') or ''} {post.get('title') or ''}".strip()[:40] or post.get("id")
        out.append((label, http_url(post.get("url")) or ""))
    return out


def render_text(message: dict[str, Any]) -> str:
    """Plain text: title, body, post links, console link."""
    lines = [message["title"], message["body"]]
    why = why_lines(message)
    if why:
        lines += ["为何预警："] + [f"· {text}" + (f" {url}" if url else "") for text, url in why]
    spread = spread_lines(message)
    if spread:
        lines += ["传播："] + [f"· {line}" for line in spread]
    for label, url in post_lines(message):
        if url and url not in message["body"]:
            lines.append(f"· {label} {url}")
    lines.append(f"控制台：{message['console']}")
    return "\n".join(lines)


def render_markdown(message: dict[str, Any], limit: int = 3800) -> str:
    """Markdown for 企业微信/钉钉 robots (both cap a message at about 4 KB)."""
    colour = {1: "warning", 2: "warning", 3: "comment"}.get(message["level"], "info")
    title = f"**{chat_md(message['title'])}**"
    if message["kind"] != "resolved":
        title = f"<font color=\"{colour}\">{title}</font>"
    lines = [title, ""]
    # Titles, bodies and labels carry crawled text: no mark of theirs may take effect.
    lines += [f"> {chat_md(line)}" for line in message["body"].splitlines()]
    why = why_lines(message)
    if why:
        lines += ["", "**为何预警**"] + [
            f"- [{chat_md(text)}]({md_url(url)})" if url else f"- {chat_md(text)}"
            for text, url in why]
    spread = spread_lines(message)
    if spread:
        lines += ["", "**传播**"] + [f"- {chat_md(line)}" for line in spread]
    links = [f"- [{chat_md(label)}]({md_url(url)})" for label, url in post_lines(message) if url]
    if links:
        lines += ["", *links]
    lines += ["", f"[在控制台处理]({md_url(message['console'])})"]
    text = "\n".join(lines)
    return text if len(text.encode("utf-8")) <= limit else text.encode("utf-8")[:limit].decode(
        "utf-8", "ignore") + "…"


def render_html(message: dict[str, Any]) -> str:
    """An HTML e-mail: the grade, the reason, the posts as a table, the console link."""
    e = html.escape
    colour = {1: "#d4380d", 2: "#fa8c16", 3: "#d4b106"}.get(message["level"], "#555")
    if message["kind"] in ("resolved", "digest"):
        colour = "#389e0d" if message["kind"] == "resolved" else "#555"
    rows = "".join(
        f"<tr><td>{e(str(p.get('city') or ''))}</td><td>{e(str(p.get('severity') or ''))}</td>"
        f"<td>{_html_link(p.get('url'), p.get('title') or p.get('id') or '')}"
        f"<br><small>{e(p.get('excerpt') or '')}</small></td>"
        f"<td>{e(p.get('source') or '')}<br>{e((p.get('published_at') or '')[:16])}</td></tr>"
        for p in message.get("posts", [])[:10])
    table = (f"<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:"
             f"collapse\"><tr><th>地市</th><th>等级</th><th>帖子</th><th>来源/时间</th></tr>{rows}"
             f"</table>") if rows else ""
    body = "<br>".join(e(line) for line in message["body"].splitlines())
    why = "".join(f"<li>{_html_link(url, text) if url else e(text)}</li>"
                  for text, url in why_lines(message))
    why = f"<h3>为何预警</h3><ul>{why}</ul>" if why else ""
    spread = "".join(f"<li>{e(line)}</li>" for line in spread_lines(message))
    why += f"<h3>传播</h3><ul>{spread}</ul>" if spread else ""
    return (f"<html><body><h2 style=\"color:{colour}\">{e(message['title'])}</h2><p>{body}</p>"
            f"{why}{table}<p><a href=\"{e(message['console'])}\">在控制台查看与处理</a></p>"
            f"<p style=\"color:#888\"><small>投诉雷达 · {e(message['message_id'])}</small></p>"
            f"</body></html>")


def _html_link(url: str | None, label: str) -> str:
    """An <a> for an http(s) URL; the label alone for anything else."""
    href = http_url(url)
    text = html.escape(label)
    return f"<a href=\"{html.escape(href)}\">{text}</a>" if href else text


def render_sms(message: dict[str, Any], max_chars: int) -> str:
    """One short line: title and console link, cut to fit."""
    link = message["console"]
    room = max_chars - len(link) - 1
    title = message["title"]
    if room < 10:
        return title[:max_chars]
    return (title if len(title) <= room else title[:room - 1] + "…") + " " + link
