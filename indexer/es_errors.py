"""The one mapping of Elasticsearch client errors: every call the backend makes runs inside
`es_errors`, which raises what the client raised as StoreError naming the service and the step."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from elasticsearch import ApiError, TransportError

from indexer.base import StoreError


def failure(service: str, what: str, exc: ApiError | TransportError) -> str:
    """The message of a failed client call: `<service>: <what> failed: <status> <ES's reason>`."""
    if isinstance(exc, ApiError):
        return f"{service}: {what} failed: {exc.meta.status} {reason(exc.body) or exc.message}"
    return f"{service}: {what} failed: {exc}"


@contextmanager
def es_errors(service: str, what: str) -> Iterator[None]:
    """Client and transport errors in the block as StoreError (see `failure`)."""
    try:
        yield
    except (ApiError, TransportError) as exc:
        raise StoreError(failure(service, what, exc)) from None


def reason(error: Any) -> str:
    """The human part of an ES error body."""
    if isinstance(error, dict):
        inner = error.get("error", error)
        if isinstance(inner, dict):
            cause = inner.get("caused_by", {})
            text = f"{inner.get('type', '')}: {inner.get('reason', '')}"
            if isinstance(cause, dict) and cause.get("reason"):
                text += f" ({cause['reason']})"
            return text
        return str(inner)
    return str(error or "")


def reason_type(error: Any) -> str:
    """The `type` of an ES error body (e.g. resource_already_exists_exception), else ''."""
    if isinstance(error, dict) and isinstance(error.get("error"), dict):
        return str(error["error"].get("type", ""))
    return ""
