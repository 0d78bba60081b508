import pytest


@pytest.fixture
def accounts(tmp_path):
    from accounts import AccountService
    from core.db import StateDB

    db = StateDB(tmp_path / "state.db")
    yield AccountService(db, known_cities=["长沙", "株洲"])
    db.close()
