"""How an event (事件) spread: its first post (源头), who spread it from whom, the accounts that
amplified it most, its speed and whether it is still growing.

An event is a cluster of similar texts (alerts.event_rule), but a spread also runs through posts
whose text is not similar: a bare 「转发微博」, a Tieba floor answering the thread. So the event's
posts are first joined by their relatives in the store (`gather`): the posts they repost or reply
to (`Post.reply_to`, what the site says) and the posts that repost or reply to them. Then each
post gets at most one parent (`build`):

1. the account its text names as the one it passed on or answered (nlp.voice.passed_on_from: the
   first name of a Weibo `//@` chain, the addressee of 「回复@某人:」 or a Tieba 「回复 某人 :」): that
   account's latest post published no later than it, preferring one in the same conversation;
2. else the post its site says it reposts or replies to, when that post is known;
3. else none: it is a root of the spread.

The 源头 is the earliest-published root; a post with no publication time comes after every dated
one (when it was crawled says nothing of when it was written), ties go to the smaller id. A
repost found before its original is therefore never the 源头 once the original is known.

Growth: `recent` = posts published in the last hour before now, `before` = posts of the three
hours before that. The spread is 增长中 (growing) when recent ≥ 2 and recent > 1.5 × before / 3
(faster than one and a half times the previous hourly rate); 已平息 (quiet) when both are 0;
else 平稳 (steady).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta
from typing import Any, Iterable, Literal

from core.post import CST, Post, canonical_url, iso, post_id
from indexer.base import Store
from nlp.influence import influence
from nlp.voice import passed_on_from

MAX_POSTS = 2000        # the most posts a spread gathers (members first)
PARENT_DEPTH = 5        # how far up reply_to is followed (a repost of a repost of …)
CHILD_DEPTH = 3         # how many generations of replies are gathered below the members
GROWTH_WINDOW = timedelta(hours=1)
GROWTH_BASELINE = timedelta(hours=3)
GROWTH_FACTOR = 1.5
GROWTH_MIN_NEW = 2
TOP_AMPLIFIERS = 3      # accounts a summary or notice names

Basis = Literal["chain", "site"]
Trend = Literal["growing", "steady", "quiet"]
TREND_NAMES = {"growing": "增长中", "steady": "平稳", "quiet": "已平息"}
BASIS_NAMES = {"chain": "文中点名（//@ 转发链或回复某人）", "site": "站点记录（转发或回复）"}


@dataclass(frozen=True)
class Edge:
    """`child` spread the event from `parent` (post ids); `basis` says how that is known."""

    parent: str
    child: str
    basis: Basis


@dataclass(frozen=True)
class Amplifier:
    """An account that passed the event on: its posts, how many posts spread from them
    (`reach`: their descendants), and its strongest post's influence (0–1)."""

    author: str
    source: str
    post_ids: tuple[str, ...]
    reach: int
    influence: float
    followers: int | None


@dataclass(frozen=True)
class SourceRow:
    """When the event reached one source and how many of its posts it holds there."""

    source: str
    first_id: str
    first_at: str | None
    last_at: str | None
    posts: int


@dataclass(frozen=True)
class Growth:
    """Posts of the last hour and of the three hours before; `trend` by the rule above."""

    trend: Trend
    recent: int
    before: int
    recent_ids: tuple[str, ...]

    @property
    def growing(self) -> bool:
        return self.trend == "growing"


@dataclass
class Spread:
    """An event's spread. `posts` oldest first (undated last); `members` are the event's own.
    The summaries are computed when first read: a warning's notice needs only the amplifiers."""

    posts: list[Post]
    members: frozenset[str]
    origin: Post | None
    edges: list[Edge]
    now: datetime
    parents: dict[str, str] = field(default_factory=dict)

    @cached_property
    def timeline(self) -> list[SourceRow]:
        return _timeline(self.posts)

    @cached_property
    def amplifiers(self) -> list[Amplifier]:
        children: dict[str, list[str]] = defaultdict(list)
        for edge in self.edges:
            children[edge.parent].append(edge.child)
        return _amplifiers(self.posts, children)

    @cached_property
    def speed(self) -> list[tuple[str, int]]:
        """(hour start, +08:00 ISO; posts published in it)"""
        return _speed(self.posts, self.now)

    @cached_property
    def growth(self) -> Growth:
        return _growth(self.posts, self.now)

    def depth(self, pid: str) -> int:
        """Generations between the post and its root."""
        n = 0
        while pid in self.parents:
            pid, n = self.parents[pid], n + 1
        return n

    def top_amplifiers(self) -> list[Amplifier]:
        """The strongest accounts that others spread the event from (reach ≥ 1)."""
        return [a for a in self.amplifiers if a.reach][:TOP_AMPLIFIERS]

    def notice(self) -> dict[str, Any] | None:
        """What an event warning's notice says of the spread, JSON-ready (kept in the alert's
        data); None when no post is known to have spread from another."""
        if not self.edges:
            return None
        return {"posts": len(self.posts), "relations": len(self.edges),
                "depth": max(self.depth(e.child) for e in self.edges),
                "amplifiers": [{"author": a.author, "source": a.source, "reach": a.reach}
                               for a in self.top_amplifiers()]}

    def sentences(self) -> list[tuple[str, tuple[str, ...]]]:
        """The spread summary in Chinese, each sentence with the ids of the posts it rests on
        (for briefings: every figure can be recomputed from them)."""
        if not self.posts:
            return []
        out: list[tuple[str, tuple[str, ...]]] = []
        if self.origin is not None:
            o = self.origin
            out.append((f"源头：{o.author or '匿名'}（{o.source}，{_when(o.published_at)}）首发。",
                        (o.id,)))
        if len(self.timeline) > 1:
            out.append(("传播路径：" + "→".join(f"{r.source}（{_when(r.first_at)}，{r.posts} 帖）"
                                               for r in self.timeline) + "。",
                        tuple(r.first_id for r in self.timeline)))
        if self.edges:
            out.append((f"可追溯的转发/回复关系 {len(self.edges)} 条，最长传播链 "
                        f"{max(self.depth(e.child) for e in self.edges)} 层。",
                        tuple(dict.fromkeys(i for e in self.edges for i in (e.parent, e.child)))))
        top = self.top_amplifiers()
        if top:
            out.append(("主要扩散账号：" + "、".join(f"{a.author}（{a.source}，带动 {a.reach} 帖）"
                                               for a in top) + "。",
                        tuple(i for a in top for i in a.post_ids)))
        g = self.growth
        out.append((f"近 1 小时新增 {g.recent} 帖，此前 3 小时 {g.before} 帖：{TREND_NAMES[g.trend]}。",
                    g.recent_ids))
        return out


def notice_lines(summary: dict[str, Any]) -> list[str]:
    """A notice's spread summary (Spread.notice) as short Chinese lines. Account names are
    crawled text: channels escape them."""
    lines = [f"可追溯的转发/回复 {summary['relations']} 条（共 {summary['posts']} 帖），"
             f"最长传播链 {summary['depth']} 层"]
    if summary["amplifiers"]:
        lines.append("主要扩散账号：" + "、".join(f"{a['author']}（{a['source']}，带动 "
                                           f"{a['reach']} 帖）" for a in summary["amplifiers"]))
    return lines


def _when(stamp: str | None) -> str:
    return stamp[5:16].replace("T", " ") if stamp else "时间未知"


def posted(post: Post) -> datetime | None:
    """When the post was published, or None when its site did not say."""
    try:
        at = datetime.fromisoformat(post.published_at) if post.published_at else None
    except ValueError:
        return None
    return at.replace(tzinfo=CST) if at is not None and at.tzinfo is None else at


def _order(post: Post) -> tuple[int, float, str]:
    at = posted(post)
    return (0, at.timestamp(), post.id) if at else (1, 0.0, post.id)


def gather(store: Store, member_ids: Iterable[str]) -> list[Post]:
    """The event's posts and their relatives in the store (parents up to PARENT_DEPTH, replies
    down to CHILD_DEPTH generations), at most MAX_POSTS."""
    members = list(member_ids)
    stored = store.get_many(members)
    found: dict[str, Post] = {pid: stored[pid] for pid in members if pid in stored}
    wanted = {p.reply_to for p in found.values() if p.reply_to}
    for _ in range(PARENT_DEPTH):
        ids = [post_id(url) for url in wanted]
        ids = [pid for pid in ids if pid not in found]
        stored = store.get_many(ids)
        fresh = [stored[pid] for pid in ids if pid in stored][:MAX_POSTS - len(found)]
        found.update((p.id, p) for p in fresh)
        wanted = {p.reply_to for p in fresh if p.reply_to}
        if not wanted:
            break
    # reply_to is canonical; a post's url is as its source gave it (an import may carry utm_*)
    urls = [canonical_url(p.url) for p in found.values() if p.url]
    for _ in range(CHILD_DEPTH):
        room = MAX_POSTS - len(found)
        if not urls or room <= 0:
            break
        fresh = [p for p in store.replies(urls, limit=room) if p.id not in found]
        found.update((p.id, p) for p in fresh)
        urls = [canonical_url(p.url) for p in fresh if p.url]
    return list(found.values())


def build(posts: Iterable[Post], member_ids: Iterable[str], now: datetime) -> Spread:
    """The spread of these posts (the event's members and their relatives) as of `now`."""
    posts = sorted({p.id: p for p in posts}.values(), key=_order)
    parents = _parents(posts)
    roots = [p for p in posts if p.id not in parents]
    edges = [Edge(parents[p.id][0], p.id, parents[p.id][1]) for p in posts if p.id in parents]
    return Spread(posts=posts, members=frozenset(member_ids), origin=roots[0] if roots else None,
                  edges=edges, now=now, parents={e.child: e.parent for e in edges})


def _parents(posts: list[Post]) -> dict[str, tuple[str, Basis]]:
    """Each post's parent id and how it is known (posts in time order)."""
    by_url = {canonical_url(p.url): p for p in posts if p.url}
    by_author: dict[str, list[Post]] = defaultdict(list)
    parents: dict[str, tuple[str, Basis]] = {}

    def ancestors(pid: str) -> Iterable[str]:
        while pid in parents:
            pid = parents[pid][0]
            yield pid

    for post in posts:
        named = passed_on_from(post.content or "")
        candidates = [q for q in reversed(by_author.get(named or "", [])) if q.id != post.id]
        if candidates:
            thread = {post.reply_to, canonical_url(post.url)} - {None, ""}
            same = [q for q in candidates if {q.reply_to, canonical_url(q.url)} & thread]
            parent, basis = (same or candidates)[0], "chain"
        elif post.reply_to in by_url:
            parent, basis = by_url[post.reply_to], "site"
        else:
            parent = None
        if parent is not None and parent.id != post.id and post.id not in ancestors(parent.id):
            parents[post.id] = (parent.id, basis)  # type: ignore[assignment]
        if post.author:
            by_author[post.author].append(post)
    return parents


def _timeline(posts: list[Post]) -> list[SourceRow]:
    """One row per source, in the order the event reached them."""
    rows: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        rows[post.source].append(post)
    return [SourceRow(source, group[0].id, group[0].published_at,
                      next((p.published_at for p in reversed(group) if p.published_at), None),
                      len(group)) for source, group in rows.items()]


def _amplifiers(posts: list[Post], children: dict[str, list[str]]) -> list[Amplifier]:
    """Accounts that passed the event on, by their strongest post's influence, then reach."""
    reach: dict[str, int] = {}

    def descendants(pid: str) -> int:
        if pid not in reach:
            reach[pid] = 0  # a cycle cannot recurse forever
            reach[pid] = sum(1 + descendants(c) for c in children.get(pid, []))
        return reach[pid]

    accounts: dict[tuple[str, str], list[Post]] = defaultdict(list)
    for post in posts:
        if post.author:
            accounts[(post.author, post.source)].append(post)
    out = []
    for (author, source), own in accounts.items():
        strength = max((p.influence if p.influence is not None else influence(p.engagement))
                       for p in own)
        followers = max((int(p.engagement["followers"]) for p in own
                         if isinstance(p.engagement.get("followers"), (int, float))), default=None)
        out.append(Amplifier(author, source, tuple(p.id for p in own),
                             sum(descendants(p.id) for p in own), round(strength, 4), followers))
    return sorted(out, key=lambda a: (-a.influence, -a.reach, a.author))


def _hour(at: datetime) -> datetime:
    return at.astimezone(CST).replace(minute=0, second=0, microsecond=0)


def _speed(posts: list[Post], now: datetime) -> list[tuple[str, int]]:
    """Posts published per China-time hour, from the first post's hour to now's."""
    times = [t for t in map(posted, posts) if t is not None and t <= now]
    if not times:
        return []
    counts = Counter(_hour(t) for t in times)
    hour, last, out = _hour(min(times)), _hour(now), []
    while hour <= last:
        out.append((iso(hour), counts.get(hour, 0)))
        hour += timedelta(hours=1)
    return out


def _growth(posts: list[Post], now: datetime) -> Growth:
    """The trend by the rule in the module's docstring."""
    recent = [p.id for p in posts if (t := posted(p)) and now - GROWTH_WINDOW < t <= now]
    before = sum(1 for p in posts if (t := posted(p))
                 and now - GROWTH_WINDOW - GROWTH_BASELINE < t <= now - GROWTH_WINDOW)
    rate = before * (GROWTH_WINDOW / GROWTH_BASELINE)
    if len(recent) >= GROWTH_MIN_NEW and len(recent) > GROWTH_FACTOR * rate:
        trend: Trend = "growing"
    elif not recent and not before:
        trend = "quiet"
    else:
        trend = "steady"
    return Growth(trend, len(recent), before, tuple(recent))


def event_spread(store: Store, member_ids: Iterable[str], now: datetime) -> Spread:
    """The spread summary of an event (its post ids, e.g. an event warning's `post_ids`) as of
    `now`: for the console's event view and for briefings."""
    members = list(member_ids)
    return build(gather(store, members), members, now)
