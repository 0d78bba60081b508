"""万投比 (complaints per 10,000 subscribers): the one definition the reports and the console use.

A complaint is a relevant post (about our operator) of tier ≥ `reports.complaint_min_tier`
(default 2), counted once: the near-duplicate copies of a post are left out. Subscribers are per
city in 万户 (10,000s), from keywords/regions.yaml, overridden per city by `reports.subscribers`.
See docs/cases.md (Reports).
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.base import Filters, Store
from nlp.dictionary import get_dictionary
from reports.config import AppConfig


@dataclass(frozen=True)
class CityRate:
    """One city's 万投比 over a time window."""

    city: str | None             # None: complaints whose city was not recognised
    complaints: int
    subscribers: float | None    # 万户; None when not configured
    rate: float | None           # complaints per 万户, 3 decimals; None without subscribers


def subscribers(config: AppConfig) -> dict[str, float]:
    """Subscribers per city in 10,000s: keywords/regions.yaml, overridden by reports.subscribers."""
    cities = get_dictionary(config.keywords_dir).regions.cities
    out = {name: float(spec.subscribers) for name, spec in cities.items() if spec.subscribers}
    out.update(config.reports.subscribers)
    return out


def complaint_filters(config: AppConfig, since: str | None, until: str | None) -> Filters:
    """The posts that count as complaints in [since, until)."""
    return Filters(since=since, until=until, relevant=True,
                   severity_min=config.reports.complaint_min_tier, include_duplicates=False)


def per_10k(complaints: int, subscribers_10k: float | None) -> float | None:
    """Complaints per 10,000 subscribers, rounded to 3 decimals; None without a subscriber count."""
    return round(complaints / subscribers_10k, 3) if subscribers_10k else None


def city_rates(store: Store, config: AppConfig, since: str | None,
               until: str | None) -> list[CityRate]:
    """万投比 of every city in [since, until): the dictionary's cities in its order, then other
    cities with subscribers or complaints, then unrecognised complaints (city None)."""
    counts = dict(store.terms("city", complaint_filters(config, since, until), size=1000))
    subs = subscribers(config)
    cities = dict.fromkeys([*get_dictionary(config.keywords_dir).cities, *subs,
                            *sorted(counts, key=lambda city: city is None)])
    return [CityRate(city, counts.get(city, 0), subs.get(city),
                     per_10k(counts.get(city, 0), subs.get(city))) for city in cities]


def definition(config: AppConfig) -> str:
    """The definition in one Chinese sentence, for the report's note and the console's caption."""
    return (f"万投比 = {config.reports.complaint_min_tier}级及以上的相关投诉帖数（同一帖的重复转载只计一次）"
            "÷ 用户数（万户）；用户数见 keywords/regions.yaml 与 config.yaml reports.subscribers。")
