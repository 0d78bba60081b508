"""Schema of the keyword dictionary files in keywords/ (checked at every load)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from core.vocab import CATEGORIES

# The operators a post can be about, by the codes of the labeled data (docs/labeling.md). Which
# one is ours is keywords/brand.yaml's `name`; the others are its `competitors`.
OPERATORS = {"cmcc": "中国移动", "unicom": "中国联通", "telecom": "中国电信", "cbn": "中国广电"}

Term = str


def operator_label(name: str) -> str:
    """The short name shown and stored for an operator: 中国移动 → 移动."""
    return name[2:] if name.startswith("中国") and len(name) > 2 else name


def _no_blank(terms: list[str]) -> list[str]:
    cleaned = [str(t).strip() for t in terms]
    if any(not t for t in cleaned):
        raise PydanticCustomError("empty_term", "empty term")
    return cleaned


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BrandFile(_Strict):
    name: str = "中国移动"  # our operator: `relevant` and `severity` are about it
    operator: list[Term] = Field(min_length=1)
    ambiguous: list[Term] = []
    not_operator: list[Term] = []
    competitors: dict[str, list[Term]] = {}

    _clean = field_validator("operator", "ambiguous", "not_operator", mode="before")(
        lambda cls, v: _no_blank(v))


class CategoriesFile(_Strict):
    categories: dict[str, list[Term]]

    @field_validator("categories")
    @classmethod
    def _known(cls, v: dict[str, list[Term]]) -> dict[str, list[Term]]:
        unknown = set(v) - set(CATEGORIES)
        if unknown:
            raise PydanticCustomError("unknown_category", "unknown categories {unknown}",
                                      {"unknown": "、".join(sorted(unknown)),
                                       "allowed": "、".join(CATEGORIES)})
        return {name: _no_blank(terms) for name, terms in v.items()}


class SeverityFile(_Strict):
    cues: dict[int, dict[Term, float]]
    negations: list[Term] = []
    degree: dict[Term, float] = {}
    sarcasm: list[Term] = []

    @field_validator("cues")
    @classmethod
    def _tiers(cls, v: dict[int, dict[Term, float]]) -> dict[int, dict[Term, float]]:
        bad = [t for t in v if t not in range(5)]
        if bad:
            raise PydanticCustomError("tier_range", "tiers must be 0-4",
                                      {"bad": ", ".join(map(str, bad))})
        for tier, cues in v.items():
            for term, weight in cues.items():
                if not 0 < weight <= 5:
                    raise PydanticCustomError("cue_weight", "cue weight not in (0, 5]",
                                              {"tier": tier, "term": term, "weight": weight})
        return {t: {str(k).strip(): w for k, w in cues.items()} for t, cues in v.items()}


class City(_Strict):
    aliases: list[Term] = []
    subscribers: float | None = Field(None, ge=0, description="mobile subscribers, in 10,000s")


class RegionsFile(_Strict):
    province: str
    province_aliases: list[Term] = []
    cities: dict[str, City] = Field(min_length=1)

    @field_validator("cities")
    @classmethod
    def _unique_aliases(cls, v: dict[str, City]) -> dict[str, City]:
        owner: dict[str, str] = {}
        for city, spec in v.items():
            for alias in [city, *spec.aliases]:
                if owner.get(alias, city) != city:
                    raise PydanticCustomError("alias_conflict", "alias in two cities",
                                              {"alias": alias, "owner": owner[alias], "city": city})
                owner[alias] = city
        return v
