import pytest


@pytest.fixture
def lib(tmp_path):
    """(ScriptService, users) on an empty library."""
    from core.db import StateDB
    from reply_scripts import ScriptService
    from tests.cases.helpers import users

    db = StateDB(tmp_path / "state.db")
    db.execute("PRAGMA synchronous=OFF")   # test data: no need to survive a power cut
    yield ScriptService(db), users(db)
    db.close()


@pytest.fixture
def starter(lib):
    from reply_scripts.transfer import load_starter

    service, users = lib
    assert load_starter(service) >= 40
    return service, users
