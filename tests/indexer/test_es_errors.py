"""Client errors become one StoreError naming the service and the step (indexer/es_errors.py)."""

import pytest
from elastic_transport import ApiResponseMeta, ConnectionError, HttpHeaders, NodeConfig
from elasticsearch import ApiError, NotFoundError

from indexer.base import StoreError
from indexer.es_errors import es_errors, failure, reason, reason_type

SERVICE = "elasticsearch http://node:9200 [tousu-posts]"
BODY = {"error": {"type": "search_phase_execution_exception", "reason": "all shards failed",
                  "caused_by": {"reason": "No mapping found for [nope]"}}, "status": 400}


def _api_error(cls, status, body):
    meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(),
                           duration=0.0, node=NodeConfig("http", "node", 9200))
    return cls("error", meta, body)


def test_an_api_error_names_the_service_the_step_the_status_and_es_reason():
    with pytest.raises(StoreError) as raised, es_errors(SERVICE, "search"):
        raise _api_error(ApiError, 400, BODY)
    assert str(raised.value) == (f"{SERVICE}: search failed: 400 search_phase_execution_exception:"
                                 " all shards failed (No mapping found for [nope])")
    assert raised.value.__cause__ is None


def test_a_transport_error_names_the_service_and_the_step():
    exc = ConnectionError("Connection refused")
    with pytest.raises(StoreError) as raised, es_errors(SERVICE, "count"):
        raise exc
    assert str(raised.value) == f"{SERVICE}: count failed: {exc}"
    assert failure(SERVICE, "bulk", exc) == f"{SERVICE}: bulk failed: {exc}"


def test_other_errors_pass_through():
    with pytest.raises(KeyError), es_errors(SERVICE, "search"):
        raise KeyError("hits")


def test_reason_and_its_type():
    assert reason(None) == "" and reason("plain") == "plain"
    assert reason({"type": "mapper_parsing_exception", "reason": "bad"}) == (
        "mapper_parsing_exception: bad")
    assert reason_type(BODY) == "search_phase_execution_exception"
    assert reason_type({"found": False}) == ""
    assert failure(SERVICE, "get 1", _api_error(NotFoundError, 404, "")) == (
        f"{SERVICE}: get 1 failed: 404 error")
