"""万投比: which posts count as complaints, the subscribers per city, the order of the cities."""

from __future__ import annotations

from datetime import timedelta

import pytest

from indexer import open_store
from reports.complaint_rate import CityRate, city_rates, definition, per_10k, subscribers
from tests.cases.helpers import T0, make_config, post

SINCE, UNTIL = T0.replace(hour=0).isoformat(), (T0.replace(hour=0) + timedelta(days=1)).isoformat()
REPOST = dict(title="长沙宽带断网三天没人修", content="家里宽带断网三天，报修电话打了五次没人来。")


@pytest.fixture
def world(tmp_path):
    """Posts of one day in 长沙 and 株洲; a repost, an off-topic post, an inquiry, no city."""
    stores = []

    def make(**reports):
        cfg = make_config(tmp_path, reports={"subscribers": {"长沙": 500}, **reports})
        store = open_store(cfg)
        store.upsert_many([
            post(1, **REPOST), post(2, **REPOST, published=T0 + timedelta(hours=1)),  # repost
            post(3, severity=2), post(4, severity=4),
            post(5, city="株洲", severity=3), post(6, city="株洲", severity=1),        # inquiry
            post(7, severity=3, relevant=False),                                       # not ours
            post(8, city=None, severity=3),
            post(9, severity=3, published=T0 - timedelta(days=1))])                    # day before
        stores.append(store)
        return cfg, store

    yield make
    for store in stores:
        store.close()


def test_complaints_are_relevant_posts_of_the_configured_tier_counted_once(world):
    cfg, store = world()
    rates = {r.city: r for r in city_rates(store, cfg, SINCE, UNTIL)}
    assert rates["长沙"] == CityRate("长沙", 3, 500, 0.006)      # repost once, tier 2 counts
    assert rates["株洲"] == CityRate("株洲", 1, 250.0, 0.004)    # keywords/regions.yaml: 250 万户
    assert rates[None] == CityRate(None, 1, None, None)
    assert rates["湘潭"].complaints == 0 and rates["湘潭"].rate == 0.0
    cfg, store = world(complaint_min_tier=3)
    assert {r.city: r.complaints for r in city_rates(store, cfg, SINCE, UNTIL)}["长沙"] == 2


def test_dictionary_cities_first_in_order_then_others_then_unrecognised(world):
    cfg, store = world(subscribers={"长沙": 500, "岳麓新区": 30})
    cities = [r.city for r in city_rates(store, cfg, SINCE, UNTIL)]
    assert cities[:3] == ["长沙", "株洲", "湘潭"] and cities[-2:] == ["岳麓新区", None]
    assert subscribers(cfg)["岳麓新区"] == 30 and subscribers(cfg)["长沙"] == 500


def test_rate_and_definition(world):
    assert per_10k(3, 500) == 0.006 and per_10k(3, None) is None and per_10k(0, 250) == 0.0
    cfg, _ = world(complaint_min_tier=3)
    assert definition(cfg).startswith("万投比 = 3级及以上的相关投诉帖数")
