import pytest


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch):
    from tests.cases.helpers import cheap_hashing

    cheap_hashing(monkeypatch)
