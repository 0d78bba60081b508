"""Site presets as data: each adapter's YAML loads, once."""

from __future__ import annotations

import pytest

from crawler.presets import HERE, load_preset


@pytest.mark.parametrize("name", sorted(p.stem for p in HERE.glob("*.yaml")))
def test_each_preset_loads_as_a_mapping(name):
    preset = load_preset(name)
    assert isinstance(preset, dict) and preset
    assert load_preset(name) is preset                 # read once


def test_an_unknown_preset_is_an_error():
    with pytest.raises(FileNotFoundError):
        load_preset("no-such-site")
